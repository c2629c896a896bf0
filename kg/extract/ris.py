"""RIS exports (Zotero, EndNote, Mendeley, PubMed, reference managers): ``TAG  - value``.

A record runs from ``TY  - `` to ``ER  -``; each line is a two-character tag, two spaces, a
dash and a space, then the value. The quirks read here:

* ``ER  -`` (or any tag with an empty value) without its trailing space; a UTF-8 BOM; an empty
  first line; CRLF or CR line endings; a final record with no ``ER``.
* Untagged continuation lines belong to the tag above. Most tags join them with a space (a
  wrapped abstract or title), but EndNote writes one keyword or one affiliation per line under
  a single ``KW`` / ``AD`` tag, and packs ISSN, full names, publication types, country and the
  PubMed citation into one ``N1`` on separate lines: :data:`CONTINUATION` says which is which.
* ``TY`` mapped with :data:`TYPES` (standard codes and the spelled-out values some tools
  write, ``TY  - Journal Article``); the value as printed is kept as ``("type", …)``.
* ``AN`` is a PMID when it is one (EndNote's PubMed import), else kept; ``DO`` or a DOI inside
  a doi.org ``UR``; ``SN`` with two ISSNs in one field (``1128-045X 1123-6337``) or an ISBN:
  only checksum-valid ISSNs go to the journal.
* Dates: ``DA  - 2019/10//undefined`` (a Zotero bug) -> ``2019 Oct``; ``DA  - Jun`` (month
  only, EndNote) takes its year from ``PY``; EndNote's ``ET`` holds the Epub date (elsewhere the
  edition: kept when it is not a date).
* EndNote's ``SP  - 349-69`` is the whole range; ``SP``/``EP`` are joined otherwise.
* EndNote gives affiliations per record, not per author: they go to the author only when the
  record has exactly one author, otherwise they are kept in ``extra``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from ..ids import normalize_doi, normalize_issn, normalize_pmcid, normalize_pmid
from ..records import Journal, Loc, Paper, Person, Problem, Record
from .common import MONTHS, READ_ERRORS, identifiable
from .names import parse_name

FORMAT = "ris"
MEDIA_TYPE = "application/x-research-info-systems"


_MONTH_NAMES = {
    **{m.lower(): m for m in MONTHS},
    **{
        full: m
        for full, m in zip(
            (
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ),
            MONTHS,
            strict=True,
        )
    },
    "sept": "Sep",
}

# ---------------------------------------------------------------------------- data tables

# TY values -> publication type label. Standard RIS codes and the spelled-out values some
# tools write instead (matched case-insensitively); anything else gives no type.
TYPES: dict[str, str] = {
    "JOUR": "Journal Article",
    "JFULL": "Journal Article",
    "MGZN": "Journal Article",
    "EJOUR": "Journal Article",
    "INPR": "Journal Article",
    "BOOK": "Book",
    "EBOOK": "Book",
    "EDBOOK": "Book",
    "CHAP": "Book Chapter",
    "ECHAP": "Book Chapter",
    "CONF": "Conference Paper",
    "CPAPER": "Conference Paper",
    "THES": "Thesis",
    "RPRT": "Report",
    "GOVDOC": "Report",
    "DATA": "Dataset",
    "DBASE": "Dataset",
    "JOURNAL ARTICLE": "Journal Article",
    "MAGAZINE ARTICLE": "Journal Article",
    "ELECTRONIC ARTICLE": "Journal Article",
    "REVIEW": "Review",
    "BOOK SECTION": "Book Chapter",
    "BOOK CHAPTER": "Book Chapter",
    "EDITED BOOK": "Book",
    "CONFERENCE PAPER": "Conference Paper",
    "CONFERENCE PROCEEDINGS": "Conference Paper",
    "THESIS": "Thesis",
    "REPORT": "Report",
    "DATASET": "Dataset",
    "PREPRINT": "Preprint",
    "LETTER": "Letter",
    "EDITORIAL": "Editorial",
}

# PubMed publication types EndNote's PubMed import packs into N1, one per line: a line of a
# packed N1 that is exactly one of these is a type of the record too.
PUBMED_TYPES = frozenset(
    {
        "Journal Article",
        "Review",
        "Systematic Review",
        "Meta-Analysis",
        "Letter",
        "Editorial",
        "Comment",
        "Case Reports",
        "Clinical Trial",
        "Randomized Controlled Trial",
        "Multicenter Study",
        "Observational Study",
        "Comparative Study",
        "Published Erratum",
        "Retraction of Publication",
        "Retracted Publication",
        "Preprint",
        "News",
        "Practice Guideline",
        "Guideline",
    }
)

# Types whose secondary title (T2) is the book or proceedings they are part of, not a journal.
IN_BOOK = frozenset({"Book Chapter", "Conference Paper"})

# How untagged lines continue a tag: "space" joins them to the value (a wrapped abstract),
# "split" makes each line a value of its own (EndNote's one keyword / affiliation / author per
# line), "newline" keeps the lines as printed (EndNote's packed N1 notes). Default: "space".
CONTINUATION: dict[str, str] = {
    "KW": "split",
    "AD": "split",
    "AU": "split",
    "A1": "split",
    "A2": "split",
    "A3": "split",
    "A4": "split",
    "ED": "split",
    "UR": "split",
    "L1": "split",
    "L2": "split",
    "L4": "split",
    "N1": "newline",
}

# Tag -> role (a _Builder method). Tags not listed are kept in extra as (tag, value).
ROLES: dict[str, str] = {
    "TY": "type",
    "TI": "title",
    "T1": "title",
    "CT": "title",
    "ST": "short_title",
    "AU": "author",
    "A1": "author",
    "A2": "editor",
    "ED": "editor",
    "T2": "secondary_title",
    "JF": "journal",
    "JO": "journal",
    "J2": "abbreviation",
    "JA": "abbreviation",
    "J1": "abbreviation",
    "BT": "book_title",
    "VL": "volume",
    "VO": "volume",
    "IS": "issue",
    "SP": "start_page",
    "EP": "end_page",
    "PY": "year",
    "Y1": "year",
    "DA": "date",
    "ET": "epub_date",
    "AB": "abstract",
    "N2": "abstract",
    "KW": "keyword",
    "LA": "language",
    "DO": "doi",
    "UR": "url",
    "SN": "issn",
    "AN": "accession",
    "C2": "pmcid",
    "PB": "publisher",
    "AD": "affiliation",
    "N1": "notes",
}

# Words that make a comma-less author a group rather than a person ("… Study Group").
COLLECTIVE_WORDS = (
    "Group",
    "Consortium",
    "Collaboration",
    "Collaborative",
    "Committee",
    "Organization",
    "Organisation",
    "Society",
    "Association",
    "Network",
    "Council",
    "Investigators",
    "Team",
    "Trialists",
    "Initiative",
    "Alliance",
    "Foundation",
    "Institute",
    "University",
    "Agency",
    "Study",
    "Working",
    "Programme",
    "Program",
    "Centre",
    "Center",
    "Department",
    "Ministry",
    "Office",
    "Commission",
    "Service",
    "Services",
    "Administration",
    "Federation",
    "Authority",
    "Panel",
)

# ---------------------------------------------------------------------------- patterns

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*)|[ \t]*)$")
_TY_LINE = re.compile(r"^TY  - ?\S")
_MEDLINE_TAG = re.compile(r"^(?:[A-Z]{4}|[A-Z]{3} )- ", re.M)
_ER_LINE = re.compile(r"^ER  -", re.M)
_ISSN = re.compile(r"(?<![\dXx-])(\d{4})-?(\d{3}[\dXx])(?![\dXx-])(?:\s*\((\w+)\))?")
_ISSN_LEFTOVER = re.compile(r"[\s,;]+")
_SLASH_DATE = re.compile(r"^(\d{4})(?:/(\d{0,2})(?:/(\d{0,2})(?:/(.*))?)?)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_MONTH_DAY = re.compile(r"^([A-Za-z]+)\.?(?:\s+(\d{1,2}))?$")
_SEASON = re.compile(r"^(?:Spring|Summer|Autumn|Fall|Winter)$", re.I)
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.I)
_COLLECTIVE = re.compile(r"\b(?:" + "|".join(COLLECTIVE_WORDS) + r")\b")
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))


# ---------------------------------------------------------------------------- sniff


def sniff(text: str) -> bool:
    """A RIS file: its first tagged line is ``TY  - …`` (after an optional BOM, blank lines or
    a provider header) and no MEDLINE tag (``PMID- ``, ``FAU - ``) is in the head. MEDLINE
    shares ``TI  - `` and friends but has no ``TY``; when a header precedes the first ``TY``,
    an ``ER  -`` line must close a record too."""
    head = text[:8000].lstrip("\ufeff")
    if _MEDLINE_TAG.search(head):
        return False
    lines = _LINE_BREAK.split(head)
    for index, line in enumerate(lines):
        if _TAG_LINE.match(line):
            if not _TY_LINE.match(line):
                return False
            header = any(earlier.strip() for earlier in lines[:index])
            return not header or bool(_ER_LINE.search(text))
    return False


# ---------------------------------------------------------------------------- parse


@dataclass
class _Field:
    """One tagged value; ``parts`` are its tag line's text and any joined continuations."""

    tag: str
    parts: list[str]
    line: int

    @property
    def value(self) -> str:
        separator = "\n" if CONTINUATION.get(self.tag) == "newline" else " "
        return separator.join(part for part in self.parts if part)


@dataclass
class _Raw:
    """The tagged lines of one record, continuation lines already applied."""

    line: int
    fields: list[_Field] = field(default_factory=list)


def parse(text: str) -> Iterator[Record]:
    for item in _records(text):
        if isinstance(item, Problem):
            yield item
            continue
        try:
            yield _paper(item)
        except READ_ERRORS as error:
            yield Problem(f"could not read RIS record: {error}", Loc(line=item.line))


def _records(text: str) -> Iterator[_Raw | Problem]:
    """The records of the text: TY opens one (closing an open one that had no ER), ER closes
    it, end of text closes the last. Tagged lines outside any record are reported once."""
    current: _Raw | None = None
    stray = False  # inside a run of tagged lines with no TY before them
    for number, raw_line in enumerate(_LINE_BREAK.split(text.lstrip("\ufeff")), 1):
        m = _TAG_LINE.match(raw_line)
        if m is None:
            if current is not None and current.fields and raw_line.strip():
                _continue(current.fields, raw_line.strip(), number)
            continue
        tag, value = m.group(1), (m.group(2) or "").strip()
        if tag == "TY":
            if current is not None:
                yield current
            current, stray = _Raw(line=number), False
            current.fields.append(_Field(tag, [value], number))
        elif tag == "ER":
            if current is not None:
                yield current
            current, stray = None, False
        elif current is None:
            if not stray:
                yield Problem(
                    f"RIS tag {tag} outside a record (no TY line before it)", Loc(line=number)
                )
            stray = True
        else:
            current.fields.append(_Field(tag, [value], number))
    if current is not None:
        yield current


def _continue(fields: list[_Field], text: str, number: int) -> None:
    """An untagged line: a new value of the last tag or the end of its value (CONTINUATION)."""
    last = fields[-1]
    if CONTINUATION.get(last.tag) == "split":
        fields.append(_Field(last.tag, [text], number))
    else:
        last.parts.append(text)


# ---------------------------------------------------------------------------- one record


def _paper(raw: _Raw) -> Paper:
    builder = _Builder()
    kinds = [TYPES.get(f.value.upper()) for f in raw.fields if f.tag == "TY"]
    builder.in_book = any(kind in IN_BOOK for kind in kinds)
    for item in raw.fields:
        if not item.value:
            continue
        role = ROLES.get(item.tag)
        handler: Callable[[str, str], None] = getattr(builder, "_" + role) if role else builder.keep
        handler(item.tag, item.value)
    paper = builder.paper(raw.line)
    if not identifiable(paper):
        raise ValueError("no title and no DOI or PMID")
    return paper


class _Builder:
    """Collects the values of one record, one method per role of :data:`ROLES`."""

    def __init__(self) -> None:
        self.in_book = False
        self.fields: dict[str, str] = {}
        self.types: list[str] = []
        self.authors: list[Person] = []
        self.editors: list[Person] = []
        self.keywords: list[str] = []
        self.affiliations: list[str] = []
        self.journals: list[str] = []
        self.abbreviations: list[str] = []
        self.issns: list[str] = []
        self.issn_fields: list[str] = []  # SN values as printed
        self.urls: list[str] = []
        self.extra: list[tuple[str, str]] = []

    def keep(self, tag: str, value: str) -> None:
        """A value with no Paper field: kept as printed."""
        if (tag, value) not in self.extra:
            self.extra.append((tag, value))

    def _set(self, name: str, tag: str, value: str) -> None:
        """A single-valued field: the first value wins, a different later one is kept."""
        if name not in self.fields:
            self.fields[name] = value
        elif self.fields[name] != value:
            self.keep(tag, value)

    def _type(self, tag: str, value: str) -> None:
        self.keep("type", value)
        kind = TYPES.get(value.upper())
        if kind and kind not in self.types:
            self.types.append(kind)

    def _title(self, tag: str, value: str) -> None:
        self._set("title", tag, " ".join(value.split()))

    def _short_title(self, tag: str, value: str) -> None:
        """ST: kept; the title of a record that has no TI or T1."""
        self.keep(tag, value)
        self.fields.setdefault("short_title", " ".join(value.split()))

    def _author(self, tag: str, value: str) -> None:
        if person := author(value):
            self.authors.append(person)

    def _editor(self, tag: str, value: str) -> None:
        if person := author(value):
            self.editors.append(person)

    def _secondary_title(self, tag: str, value: str) -> None:
        """T2: the journal of an article, the book or proceedings of a chapter or paper."""
        if self.in_book:
            self._set("book_title", tag, " ".join(value.split()))
        else:
            self._journal(tag, value)

    def _journal(self, tag: str, value: str) -> None:
        self.journals.append(" ".join(value.split()))

    def _abbreviation(self, tag: str, value: str) -> None:
        self.abbreviations.append(" ".join(value.split()))

    def _book_title(self, tag: str, value: str) -> None:
        self._set("book_title", tag, " ".join(value.split()))

    def _volume(self, tag: str, value: str) -> None:
        self._set("volume", tag, value)

    def _issue(self, tag: str, value: str) -> None:
        self._set("issue", tag, value)

    def _start_page(self, tag: str, value: str) -> None:
        self._set("start_page", tag, value.translate(_DASHES))

    def _end_page(self, tag: str, value: str) -> None:
        self._set("end_page", tag, value.translate(_DASHES))

    def _year(self, tag: str, value: str) -> None:
        self._set("year", tag, value)

    def _date(self, tag: str, value: str) -> None:
        self._set("date", tag, value)

    def _epub_date(self, tag: str, value: str) -> None:
        """EndNote's ET is the Epub date; elsewhere ET is the edition ("2nd"): kept."""
        year, date = ris_date(value)
        if year and date:
            self._set("epub_date", tag, date)
        else:
            self.keep(tag, value)

    def _abstract(self, tag: str, value: str) -> None:
        self._set("abstract", tag, " ".join(value.split()))

    def _keyword(self, tag: str, value: str) -> None:
        keyword = " ".join(value.split())
        if keyword not in self.keywords:
            self.keywords.append(keyword)

    def _language(self, tag: str, value: str) -> None:
        self._set("language", tag, value)

    def _doi(self, tag: str, value: str) -> None:
        doi = normalize_doi(value)
        if doi:
            self._set("doi", tag, doi)
        else:
            self.keep(tag, value)

    def _url(self, tag: str, value: str) -> None:
        """Kept as printed; a doi.org URL also gives the DOI when DO does not."""
        self.keep(tag, value)
        if _DOI_URL.match(value) and (doi := normalize_doi(value)):
            self.urls.append(doi)

    def _issn(self, tag: str, value: str) -> None:
        """ISSNs (one or two, a linking one first) to the journal; an ISBN or other text kept."""
        found, whole = issns_in(value)
        for issn in found:
            if issn not in self.issns:
                self.issns.append(issn)
        if whole:
            self.issn_fields.append(value)
        else:
            self.keep(tag, value)

    def _accession(self, tag: str, value: str) -> None:
        """AN: EndNote's PubMed import puts the PMID there; other accession numbers kept."""
        pmid = normalize_pmid(value)
        if pmid:
            self._set("pmid", tag, pmid)
        else:
            self.keep(tag, value)

    def _pmcid(self, tag: str, value: str) -> None:
        """C2: EndNote's PubMed import puts the PMCID there (only a ``PMC…`` value is one)."""
        pmcid = normalize_pmcid(value) if value.strip().upper().startswith("PMC") else None
        if pmcid:
            self._set("pmcid", tag, pmcid)
        else:
            self.keep(tag, value)

    def _notes(self, tag: str, value: str) -> None:
        """N1 kept as printed; EndNote's packed PubMed notes also give publication types."""
        self.keep(tag, value)
        lines = value.split("\n")
        if len(lines) > 1:
            for line in lines:
                if line.strip() in PUBMED_TYPES and line.strip() not in self.types:
                    self.types.append(line.strip())

    def _publisher(self, tag: str, value: str) -> None:
        self._set("publisher", tag, value)

    def _affiliation(self, tag: str, value: str) -> None:
        self.affiliations.append(" ".join(value.split()))

    # ------------------------------------------------------------------------ assembly

    def paper(self, line: int) -> Paper:
        f = self.fields
        year, date = _year_and_date(f.get("year"), f.get("date"))
        if year is None and (f.get("year") or f.get("date")):
            for tag, key in (("PY", "year"), ("DA", "date")):
                if f.get(key):
                    self.keep(tag, f[key])
        authors = self.authors
        if self.affiliations:
            if len(authors) == 1 and not authors[0].collective:
                authors = [replace(authors[0], affiliations=tuple(self.affiliations))]
            else:
                for value in self.affiliations:
                    self.keep("AD", value)
        return Paper(
            loc=Loc(line=line),
            primary=True,
            title=f.get("title") or f.get("short_title"),
            doi=f.get("doi") or (self.urls[0] if self.urls else None),
            pmid=f.get("pmid"),
            pmcid=f.get("pmcid"),
            journal=self._journal_record(),
            year=year,
            date=date,
            volume=f.get("volume"),
            issue=f.get("issue"),
            pages=self._pages(),
            authors=tuple(authors),
            abstract=f.get("abstract"),
            types=tuple(self.types),
            keywords=tuple(self.keywords),
            language=f.get("language"),
            epub_date=f.get("epub_date"),
            book_title=f.get("book_title"),
            publisher=f.get("publisher"),
            editors=tuple(self.editors),
            extra=tuple(self.extra),
        )

    def _journal_record(self) -> Journal | None:
        titles = list(dict.fromkeys(self.journals))
        abbreviations = list(dict.fromkeys(self.abbreviations))
        title = titles[0] if titles else None
        abbreviation = abbreviations[0] if abbreviations else None
        if abbreviation is None and len(titles) > 1:
            abbreviation = titles[1]
        for other in titles[1:] + abbreviations[1:]:
            if other not in (title, abbreviation):
                self.keep("journal", other)
        if not (title or abbreviation):
            # ISSNs alone make a journal only for an article; a book's is its series'
            if self.issns and self.types[:1] in ([], ["Journal Article"]):
                return Journal(issns=tuple(self.issns))
            for value in self.issn_fields:
                self.keep("SN", value)
            return None
        return Journal(title=title, abbreviation=abbreviation, issns=tuple(self.issns))

    def _pages(self) -> str | None:
        """``SP-EP``; a start page already holding the range (EndNote ``349-69``) is the range."""
        start, end = self.fields.get("start_page"), self.fields.get("end_page")
        if start and end:
            if "-" in start:
                self.keep("EP", end)
                return start
            return start if start == end else f"{start}-{end}"
        if end:
            self.keep("EP", end)
        return start


# ---------------------------------------------------------------------------- helpers


def author(value: str) -> Person | None:
    """``Last, First M.`` (the RIS form) or a comma-less group name (``WHO Study Group``)."""
    text = " ".join(value.split()).strip(" ,;")
    if not text:
        return None
    if "," not in text and _COLLECTIVE.search(text):
        return Person(name=text, collective=True)
    return parse_name(text)


def issns_in(value: str) -> tuple[list[str], bool]:
    """The checksum-valid ISSNs in a field (``1234-567X``, a ``(Linking)`` one first) and
    whether the field held nothing else (else it is an ISBN or text to keep as printed)."""
    found: list[str] = []
    linking: list[str] = []
    rest: list[str] = []
    position = 0
    for m in _ISSN.finditer(value):
        issn = normalize_issn(m.group(1) + m.group(2))
        rest.append(value[position : m.start()])
        position = m.end()
        if issn is None:
            rest.append(m.group(0))
        elif (m.group(3) or "").lower() == "linking":
            linking.append(issn)
        else:
            found.append(issn)
    rest.append(value[position:])
    whole = not _ISSN_LEFTOVER.sub("", "".join(rest))
    return list(dict.fromkeys(linking + found)), whole


def ris_date(value: str | None) -> tuple[int | None, str | None]:
    """(year, date in PubMed style) of a RIS date: ``2019/10/02`` -> ``2019 Oct 02``,
    ``2019/10//undefined`` -> ``2019 Oct``, ``2019///`` -> ``2019``, ``2019/07/24/`` ->
    ``2019 Jul 24``, ``2019-10-02`` -> ``2019 Oct 02``, ``Jun`` -> (None, ``Jun``), ``Mar 1``
    -> (None, ``Mar 1``); anything else is kept as printed (year found in it if any)."""
    if not value:
        return None, None
    text = " ".join(value.split())
    m = _SLASH_DATE.match(text) or _ISO_DATE.match(text)
    if m:
        year = int(m.group(1))
        month, day = m.group(2), m.group(3)
        other = m.group(4) if m.re is _SLASH_DATE else None
        if not month:
            extra = (other or "").strip()
            if extra and extra.lower() != "undefined":
                return year, f"{year} {extra}"
            return year, str(year)
        if not 1 <= int(month) <= 12:
            return year, text
        date = f"{year} {MONTHS[int(month) - 1]}"
        if day:
            if not 1 <= int(day) <= 31:
                return year, text
            date += f" {day}"
        return year, date
    m = _MONTH_DAY.match(text)
    if m and (month_name := _MONTH_NAMES.get(m.group(1).lower())):
        return None, month_name + (f" {m.group(2)}" if m.group(2) else "")
    if _SEASON.match(text):
        return None, text
    year_match = _YEAR.search(text)
    return (int(year_match.group(1)) if year_match else None), text


def _year_and_date(py: str | None, da: str | None) -> tuple[int | None, str | None]:
    """PY gives the year; DA the date when it has a year, or the month/day of PY's year."""
    py_year, py_date = ris_date(py)
    da_year, da_date = ris_date(da)
    year = py_year or da_year
    if da_date and da_year:
        return year, da_date
    if da_date and year:
        return year, f"{year} {da_date}"
    return year, py_date if py_year else None
