"""BibTeX files (``.bib``): Google Scholar, Crossref content negotiation, reference managers.

An entry is ``@type{key, field = value, …}`` (or with round brackets); values are ``{…}``
with nested braces, ``"…"``, numbers or ``@string`` macros (the month macros ``jan``…``dec``
predefined), joined by ``#``. ``@comment`` and ``@preamble`` are read past. The syntax is
read by :mod:`kg.extract.bibtex_scan`, the LaTeX by :mod:`kg.extract.latex`; this module maps
entries to records. The quirks read here:

* LaTeX in values turned into plain Unicode (:func:`latex_to_text`): accents in every form
  (``{\\v{S}}eva``, ``G{\\"o}tze``, ``Sa{\\"\\i}d``, ``\\c c``), letters (``\\ss``, ``\\o``,
  ``\\aa``), escapes (``\\&``, ``\\%``, ``\\_``), ``--``/``---`` dashes, ``~``, Greek and simple
  math, text commands (``\\emph{…}``) and protected braces (``{SmartPub}``): no backslash or
  brace is left. URLs and DOIs are only unescaped.
* Authors split on ``and`` at brace depth 0, in the ``Last, First``, ``Last, Jr, First`` and
  ``First von Last`` forms; ``{Corporate Name}`` is a collective author; ``and others`` is
  dropped and recorded as ``("et_al", "true")``.
* Entry types mapped with :data:`TYPES` (kept as ``("type", …)``); an arXiv ``journal={arXiv
  preprint arXiv:…}`` (or an arXiv ``eprint``) makes a Preprint, with no journal.
* Crossref's one-line entries (leading space, ``month=Aug``, an en dash in ``pages``).
* A broken entry (unbalanced braces, a missing comma) is reported with its line and skipped;
  reading goes on at the next line that starts with ``@``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..ids import normalize_doi, normalize_pmcid, normalize_pmid
from ..records import Journal, Loc, Paper, Person, Problem, Record
from .bibtex_scan import MONTH_MACROS, Entry, Scanner
from .common import MONTHS, READ_ERRORS, identifiable
from .latex import latex_to_text, verbatim
from .names import parse_name, person, split_full_name
from .ris import issns_in, ris_date

FORMAT = "bibtex"
MEDIA_TYPE = "application/x-bibtex"


# ---------------------------------------------------------------------------- data tables

# Entry type (lower case) -> publication type label; None: no type (kept in extra only).
TYPES: dict[str, str | None] = {
    "article": "Journal Article",
    "inproceedings": "Conference Paper",
    "conference": "Conference Paper",
    "book": "Book",
    "incollection": "Book Chapter",
    "inbook": "Book Chapter",
    "phdthesis": "Thesis",
    "mastersthesis": "Thesis",
    "thesis": "Thesis",
    "techreport": "Report",
    "report": "Report",
    "dataset": "Dataset",
    "misc": None,
    "unpublished": None,
    "online": None,
    "electronic": None,
    "manual": None,
    "booklet": None,
    "proceedings": None,
    "collection": None,
    "patent": None,
    "software": None,
}
# Commands rather than entries: read past (comment, preamble) or remembered (string).
SPECIAL_TYPES = frozenset({"comment", "preamble", "string"})

# Field (lower case) -> role (a _Builder method); fields not listed are kept in extra.
FIELDS: dict[str, str] = {
    "title": "title",
    "author": "author",
    "editor": "editor",
    "journal": "journal",
    "journaltitle": "journal",
    "shortjournal": "abbreviation",
    "journalabbrev": "abbreviation",
    "booktitle": "book_title",
    "publisher": "publisher",
    "year": "year",
    "month": "month",
    "day": "day",
    "date": "date",
    "volume": "volume",
    "number": "number",
    "issue": "issue",
    "pages": "pages",
    "doi": "doi",
    "pmid": "pmid",
    "pmcid": "pmcid",
    "url": "url",
    "issn": "issn",
    "abstract": "abstract",
    "keywords": "keywords",
    "language": "language",
}

# Entry types whose ``number`` is a report or series number, not a journal issue.
NUMBERED = frozenset(
    {
        "techreport",
        "report",
        "book",
        "inbook",
        "incollection",
        "inproceedings",
        "conference",
        "proceedings",
        "collection",
        "manual",
        "patent",
    }
)

# Fields whose value is an address or identifier: unescaped, never typeset.
VERBATIM = frozenset({"doi", "url", "eprint", "pmid", "pmcid", "issn", "isbn", "file", "pdf"})

# Month names and abbreviations as written in ``month`` -> the abbreviation in dates.
_MONTH_BY_NAME = {
    **{m.lower(): m for m in MONTHS},
    **{full.lower(): m for m, full in zip(MONTHS, MONTH_MACROS.values(), strict=True)},
    "sept": "Sep",
}

# ---------------------------------------------------------------------------- patterns

_LINE_BREAK = re.compile(r"\r\n|\r")
_ENTRY_HEAD = re.compile(r"^[ \t]*@([A-Za-z]+)[ \t]*[{(]", re.M)
_KEYED = re.compile(r"[ \t\n]*[^\s,{}()]+[ \t]*,")
_TAGGED_LINE = re.compile(r"^[A-Z][A-Z0-9]{1,3} *- ", re.M)
_AND = re.compile(r"\s+and\s+", re.I)

_PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")
_DASH_RUN = re.compile(r"\s*-+\s*")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_PREPRINT = re.compile(
    r"^\s*(?:arxiv|biorxiv|medrxiv|chemrxiv|ssrn\b|research\s*square|preprints?\b|corr\b)", re.I
)
_ARXIV_ID = re.compile(
    r"(?:arxiv[:/]\s*|abs/|^)(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?/\d{7})", re.I
)
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.I)
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))


# ---------------------------------------------------------------------------- sniff


def sniff(text: str) -> bool:
    """A BibTeX file: an ``@type{`` or ``@type(`` entry at the start of a line near the head,
    of a known type or with a ``key,``; before it at most a few lines of header or ``%``
    comments, and nothing of another format (XML, JSON, RIS or MEDLINE tag lines)."""
    head = text[:8000].lstrip("\ufeff")
    m = _ENTRY_HEAD.search(head)
    if not m:
        return False
    before = head[: m.start()]
    if before.lstrip()[:1] in ("<", "{", "[") or _TAGGED_LINE.search(before):
        return False
    if sum(1 for line in before.splitlines() if line.strip()) > 10:
        return False
    kind = m.group(1).lower()
    return kind in TYPES or kind in SPECIAL_TYPES or bool(_KEYED.match(head, m.end()))


# ---------------------------------------------------------------------------- parse


def parse(text: str) -> Iterator[Record]:
    text = _LINE_BREAK.sub("\n", text.lstrip("\ufeff"))
    for item in Scanner(text).entries():
        if isinstance(item, Problem):
            yield item
            continue
        if item.kind in SPECIAL_TYPES:
            continue
        try:
            yield _paper(item)
        except READ_ERRORS as error:
            yield Problem(f"could not read BibTeX entry {item.key!r}: {error}", Loc(line=item.line))


def _paper(entry: Entry) -> Paper:
    builder = _Builder(entry)
    for name, raw in entry.fields:
        if not raw.strip():
            continue
        role = FIELDS.get(name)
        if role is None:
            builder.keep(name, verbatim(raw) if name in VERBATIM else latex_to_text(raw))
        else:
            getattr(builder, "_" + role)(name, raw)
    paper = builder.paper()
    if not identifiable(paper):
        raise ValueError("no title and no DOI or PMID")
    return paper


class _Builder:
    """Collects the fields of one entry, one method per role of :data:`FIELDS`."""

    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        self.fields: dict[str, str] = {}
        self.authors: list[Person] = []
        self.editors: list[Person] = []
        self.keywords: list[str] = []
        self.issns: list[str] = []
        self.url_dois: list[str] = []
        self.extra: list[tuple[str, str]] = [("type", entry.kind)]
        if entry.key:
            self.extra.append(("citation_key", entry.key))
        self.et_al = False

    def keep(self, name: str, value: str) -> None:
        if value and (name, value) not in self.extra:
            self.extra.append((name, value))

    def _set(self, name: str, value: str) -> None:
        """A single-valued field: the first value wins, a different later one is kept."""
        if not value:
            return
        if name not in self.fields:
            self.fields[name] = value
        elif self.fields[name] != value:
            self.keep(name, value)

    def _title(self, name: str, raw: str) -> None:
        self._set("title", latex_to_text(raw))

    def _author(self, name: str, raw: str) -> None:
        people, et_al = people_in(raw)
        self.authors.extend(people)
        self.et_al = self.et_al or et_al

    def _editor(self, name: str, raw: str) -> None:
        people, _ = people_in(raw)
        self.editors.extend(people)

    def _journal(self, name: str, raw: str) -> None:
        self._set("journal", latex_to_text(raw))

    def _abbreviation(self, name: str, raw: str) -> None:
        self._set("abbreviation", latex_to_text(raw))

    def _book_title(self, name: str, raw: str) -> None:
        self._set("book_title", latex_to_text(raw))

    def _publisher(self, name: str, raw: str) -> None:
        self._set("publisher", latex_to_text(raw))

    def _year(self, name: str, raw: str) -> None:
        self._set("year", latex_to_text(raw))

    def _month(self, name: str, raw: str) -> None:
        self._set("month", latex_to_text(raw))

    def _day(self, name: str, raw: str) -> None:
        self._set("day", latex_to_text(raw))

    def _date(self, name: str, raw: str) -> None:
        self._set("date", latex_to_text(raw))

    def _volume(self, name: str, raw: str) -> None:
        self._set("volume", latex_to_text(raw))

    def _issue(self, name: str, raw: str) -> None:
        self._set("issue", latex_to_text(raw))

    def _number(self, name: str, raw: str) -> None:
        """``number`` is the issue of an article; of a report or a book, its own number."""
        if self.entry.kind in NUMBERED:
            self.keep(name, latex_to_text(raw))
        else:
            self._issue(name, raw)

    def _pages(self, name: str, raw: str) -> None:
        """``635--641`` and ``635–641`` -> ``635-641``."""
        self._set("pages", _DASH_RUN.sub("-", latex_to_text(raw).translate(_DASHES)))

    def _doi(self, name: str, raw: str) -> None:
        value = verbatim(raw)
        doi = normalize_doi(value)
        if doi:
            self._set("doi", doi)
        else:
            self.keep(name, value)

    def _pmid(self, name: str, raw: str) -> None:
        value = verbatim(raw)
        if pmid := normalize_pmid(value):
            self._set("pmid", pmid)
        else:
            self.keep(name, value)

    def _pmcid(self, name: str, raw: str) -> None:
        value = verbatim(raw)
        if pmcid := normalize_pmcid(value):
            self._set("pmcid", pmcid)
        else:
            self.keep(name, value)

    def _url(self, name: str, raw: str) -> None:
        """Kept; a doi.org URL also gives the DOI when no doi field does."""
        value = verbatim(raw)
        self.keep(name, value)
        if _DOI_URL.match(value) and (doi := normalize_doi(value)):
            self.url_dois.append(doi)

    def _issn(self, name: str, raw: str) -> None:
        value = verbatim(raw)
        found, whole = issns_in(value)
        self.issns.extend(i for i in found if i not in self.issns)
        if not whole:
            self.keep(name, value)

    def _abstract(self, name: str, raw: str) -> None:
        """Paragraphs (blank-line separated) kept as lines."""
        paragraphs = (latex_to_text(p) for p in _PARAGRAPHS.split(raw.strip()))
        self._set("abstract", "\n".join(p for p in paragraphs if p))

    def _keywords(self, name: str, raw: str) -> None:
        for word in re.split(r"[,;]", latex_to_text(raw)):
            if (word := word.strip()) and word not in self.keywords:
                self.keywords.append(word)

    def _language(self, name: str, raw: str) -> None:
        self._set("language", latex_to_text(raw))

    # ------------------------------------------------------------------------ assembly

    def paper(self) -> Paper:
        f = self.fields
        kind = self.entry.kind
        types: list[str] = []
        journal_text = f.get("journal")
        arxiv = self._arxiv_id(journal_text)
        preprint = bool(journal_text and _PREPRINT.match(journal_text)) or (
            arxiv is not None and kind in ("misc", "unpublished", "online")
        )
        if preprint:
            types.append("Preprint")
        elif label := TYPES.get(kind):
            types.append(label)
        if arxiv:
            self.keep("arxiv", arxiv)
        journal = None
        if preprint:
            for key in ("journal", "abbreviation"):
                if f.get(key):
                    self.keep(key, f[key])
            if self.issns:
                self.keep("issn", " ".join(self.issns))
        elif journal_text or f.get("abbreviation") or (self.issns and kind == "article"):
            journal = Journal(journal_text, f.get("abbreviation"), tuple(self.issns))
        elif self.issns:
            self.keep("issn", " ".join(self.issns))
        year, date = self._year_and_date()
        if self.et_al:
            self.keep("et_al", "true")
        return Paper(
            loc=Loc(line=self.entry.line),
            primary=True,
            title=f.get("title"),
            doi=f.get("doi") or (self.url_dois[0] if self.url_dois else None),
            pmid=f.get("pmid"),
            pmcid=f.get("pmcid"),
            journal=journal,
            year=year,
            date=date,
            volume=f.get("volume"),
            issue=f.get("issue"),
            pages=f.get("pages"),
            authors=tuple(self.authors),
            abstract=f.get("abstract"),
            types=tuple(types),
            keywords=tuple(self.keywords),
            language=f.get("language"),
            book_title=f.get("book_title"),
            publisher=f.get("publisher"),
            editors=tuple(self.editors),
            extra=tuple(self.extra),
        )

    def _arxiv_id(self, journal: str | None) -> str | None:
        """An arXiv identifier from ``eprint`` (archivePrefix/eprinttype arXiv) or from a
        ``journal={arXiv preprint arXiv:1702.04615}``."""
        prefix = next((v for k, v in self.entry.fields if k in ("archiveprefix", "eprinttype")), "")
        if "arxiv" in prefix.lower():
            eprint = next((v for k, v in self.entry.fields if k == "eprint"), "")
            if m := _ARXIV_ID.search(verbatim(eprint)):
                return m.group(1)
        if journal and journal.lower().startswith("arxiv") and (m := _ARXIV_ID.search(journal)):
            return m.group(1)
        return None

    def _year_and_date(self) -> tuple[int | None, str | None]:
        """year (+ month, + day) -> ``1970 Aug``; biblatex ``date`` -> ``2019 Oct 02``."""
        f = self.fields
        year_text, month_text = f.get("year"), f.get("month")
        year = None
        if year_text and (m := _YEAR.search(year_text)):
            year = int(m.group(1))
            if year_text.strip() != m.group(1):
                self.keep("year", year_text)
        elif year_text:
            self.keep("year", year_text)
        date_year, date = ris_date(f.get("date"))
        if date_year is not None:
            return year or date_year, date
        if f.get("date"):
            self.keep("date", f["date"])
        if year is None:
            if month_text:
                self.keep("month", month_text)
            return None, None
        if not month_text:
            return year, str(year)
        month = _month(month_text)
        if month is None:
            return year, f"{year} {month_text}"
        day = f.get("day", "").strip()
        return year, f"{year} {month}" + (f" {day}" if day.isdigit() else "")


# ---------------------------------------------------------------------------- names


def people_in(raw: str) -> tuple[list[Person], bool]:
    """The people of an ``author``/``editor`` value and whether it ended in ``and others``."""
    people: list[Person] = []
    et_al = False
    for part in _split_names(raw):
        if part.strip().lower() in ("others", "et al.", "et al"):
            et_al = True
        elif found := bib_person(part):
            people.append(found)
    return people, et_al


def _split_names(raw: str) -> list[str]:
    """Split on `` and `` at brace depth 0 (``{Barnes and Noble}`` is one name)."""
    parts: list[str] = []
    depth = start = i = 0
    while i < len(raw):
        char = raw[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and char.isspace() and (m := _AND.match(raw, i)):
            parts.append(raw[start:i])
            start = i = m.end()
            continue
        i += 1
    parts.append(raw[start:])
    return [p for p in (p.strip() for p in parts) if p]


def _split_depth0(raw: str, separator: str | None) -> list[str]:
    """Split at depth-0 commas (``separator=","``) or white space (``None``)."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in raw:
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        if depth == 0 and (char == separator if separator else char.isspace() or char == "~"):
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def _wholly_braced(raw: str) -> bool:
    """``{World Health Organization}``: one brace group around the whole name."""
    if not (raw.startswith("{") and raw.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(raw):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return index == len(raw) - 1
    return False


def bib_person(raw: str) -> Person | None:
    """A BibTeX name: ``von Last, First``, ``von Last, Jr, First``, ``First von Last``, or a
    ``{Corporate Name}`` (a collective author)."""
    raw = raw.strip()
    shown = latex_to_text(raw)
    if not shown:
        return None
    if _wholly_braced(raw):
        return Person(name=shown, collective=True)
    commas = [latex_to_text(p) for p in _split_depth0(raw, ",")]
    if len(commas) == 1:
        if "{" not in raw:
            return parse_name(shown)
        words = [w for w in (latex_to_text(p) for p in _split_depth0(raw, None)) if w]
        family, given = split_full_name(words)
        return person(family, given, name=shown)
    given = commas[-1] if len(commas) > 2 else commas[1]
    return person(commas[0] or None, given or None, name=shown)


def _month(text: str) -> str | None:
    """``Aug``, ``August``, ``aug.``, ``8`` -> ``Aug``; anything else None."""
    word = text.strip().rstrip(".").lower()
    if word.isdigit() and 1 <= int(word) <= 12:
        return MONTHS[int(word) - 1]
    return _MONTH_BY_NAME.get(word)
