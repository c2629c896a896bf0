"""PubMed's "PubMed format" (MEDLINE tagged text: ``.nbib``, ``pubmed-….txt``).

A record is a run of tagged lines ``TAG - value``: a tag of two to four upper-case letters
padded to four characters, then ``- ``. A long value wraps onto continuation lines indented
by six spaces (sometimes more), joined back with one space. Records are separated by blank
lines, but a ``PMID-`` line also starts a new record when no blank line came before it.
Files may start with empty lines, carry a UTF-8 byte-order mark and use CRLF line endings.

Quirks handled here:

* Authors are ``FAU`` (``Lopez, Maria K``) and ``AU`` (``Lopez MK``) pairs, in order; old
  records have ``AU`` alone. ``AD`` lines (several per author possible) and ``AUID- ORCID:``
  belong to the author they follow. Old-style records print one ``AD`` *before* the author
  list: it is the first author's affiliation. ``CN`` is a collective author, in author order.
* ``LID``/``AID`` carry identifiers typed in brackets (``10.1/x [doi]``, ``S01… [pii]``).
* ``AB`` may be a structured abstract written inline (``BACKGROUND: … RESULTS: …``): clear
  upper-case section labels become ``LABEL: text`` paragraphs joined with newlines.
* ``MH`` headings mark major topics with ``*`` and qualifiers with ``/``
  (``Diabetes Mellitus, Type 2/*drug therapy/metabolism``).
* Book records (``BTI``, ``PB``, ``FED``/``ED`` editors) and comment/correction links
  (``CIN``, ``EIN``, ``ROF`` …), which become relations.
* Every tag without a Paper field is kept in ``extra`` as printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..ids import normalize_doi, normalize_orcid, normalize_pmcid, normalize_pmid
from ..records import (
    Grant,
    Journal,
    Loc,
    MeshHeading,
    Paper,
    Person,
    Problem,
    Record,
    Relation,
)
from .common import MONTHS, READ_ERRORS
from .names import NAME_SUFFIXES, person

FORMAT = "medline"
MEDIA_TYPE = "application/nbib"


# ---------------------------------------------------------------------------- patterns

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# ``TAG - value``: the tag padded with spaces to four characters, then ``-`` (and a space).
_TAG_LINE = re.compile(r"^(?=[A-Z ]{4}-)(?P<tag>[A-Z]{2,4}) *- ?(?P<value>.*)$")
_CONTINUATION = re.compile(r"^\s+\S")  # six spaces (an em space may follow)
_SNIFF_PMID = re.compile(r"^PMID- ?\d{1,8}\s*$", re.M)
_TYPED_ID = re.compile(r"^(?P<value>.*?)\s*\[(?P<kind>[A-Za-z][\w-]*)\]$")
_ISSN = re.compile(r"^(?P<a>\d{4})-?(?P<b>\d{3}[\dXx])(?:\s*\((?P<kind>[^)]*)\))?\s*$")
_YEAR = re.compile(r"^(?P<year>\d{4})\b")
_COMPACT_DATE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_SHORT_NAME = re.compile(
    r"^(?P<family>\S.*?)\s+(?P<initials>[A-Z]{1,4})(?:\s+(?P<suffix>"
    + "|".join(sorted(NAME_SUFFIXES))
    + r"))?$"
)
_ORCID = re.compile(r"^ORCID:\s*(?P<orcid>\S+)\s*$", re.I)
# A section label of an inline structured abstract: upper-case words, at the start of the
# abstract or of a sentence, then a colon (``MATERIALS AND METHODS:``, ``DIAGNOSIS/TESTING:``).
_ABSTRACT_LABEL = re.compile(
    r"(?:^|(?<=[.!?])\s+)(?P<label>[A-Z][A-Z'-]*(?:(?:\s|/|,\s|\s&\s)[A-Z][A-Z'-]*){0,7}):\s+"
)
_MIN_LABEL_LETTERS = 3  # "AIM:"; shorter capitals ("P: 0.12", "CI: 0.8-1") are not labels
# ``Lancet. 2005 Jan 1;365(9453):23-4. PMID: 15639664`` (a comment/correction link).
_LINK_PMID = re.compile(r"\s*PMID:\s*(?P<pmid>\d+)\.?\s*$")
_LINK_SOURCE = re.compile(r"^(?P<journal>[^.]+?)\.\s+(?P<year>\d{4})\b")


# ---------------------------------------------------------------------------- data tables

# Comment/correction links -> (relation kind, this record is the subject). "CIN" lists the
# papers that comment on this one: they discuss it; "CON" lists the paper this one discusses.
LINKS: dict[str, tuple[str, bool]] = {
    "CIN": ("discusses", False),
    "CON": ("discusses", True),
    "EIN": ("corrects", False),
    "EFR": ("corrects", True),
    "RIN": ("retracts", False),
    "ROF": ("retracts", True),
    "UIN": ("updates", False),
    "UOF": ("updates", True),
}

# Bracketed identifier kinds of LID/AID that fill a Paper field; the others go to extra.
TYPED_IDS: dict[str, tuple[str, Callable[[str | None], str | None]]] = {
    "doi": ("doi", normalize_doi),
    "pmc": ("pmcid", normalize_pmcid),
    "pmcid": ("pmcid", normalize_pmcid),
}

# Tags whose value sits in an ``extra`` pair under another key than the tag.
EXTRA_KEYS: dict[str, str] = {"COIS": "conflict_of_interest", "COI": "conflict_of_interest"}

# Tags that make a text MEDLINE (with a ``PMID-`` line) when sniffing.
SNIFF_TAGS = frozenset(
    {"OWN", "STAT", "DCOM", "LR", "IS", "VI", "IP", "DP", "TI", "PG", "LID", "AB", "FAU", "AU"}
    | {"AD", "LA", "PT", "DEP", "PL", "TA", "JT", "JID", "SB", "MH", "EDAT", "MHDA", "CRDT"}
    | {"PHST", "AID", "PST", "SO", "BTI", "PB", "FED", "ED", "OT", "OTO", "CI", "DA", "PMC"}
)

SNIFF_LINES = 60  # how many non-empty lines sniff looks at


# ---------------------------------------------------------------------------- records


@dataclass
class _Field:
    tag: str
    value: str
    line: int


@dataclass
class _Chunk:
    """The lines of one record: its fields and the lines that are not MEDLINE at all."""

    line: int
    fields: list[_Field] = field(default_factory=list)
    strays: list[int] = field(default_factory=list)


@dataclass
class _Name:
    """One author (or editor) being read: FAU/AU pair, ORCID, affiliations."""

    full: str | None = None
    short: str | None = None
    orcid: str | None = None
    affiliations: list[str] = field(default_factory=list)
    collective: bool = False


@dataclass
class _People:
    """Authors (or editors) in order, pairing each ``AU`` with its ``FAU``."""

    names: list[_Name] = field(default_factory=list)
    leading: list[str] = field(default_factory=list)  # AD printed before the author list
    first_waiting: int = 0  # no FAU before this index waits for its AU (a name never waits again)

    def add_full(self, value: str) -> None:
        self.names.append(_Name(full=value))

    def add_short(self, value: str) -> None:
        """An ``AU``: it completes the first ``FAU`` still without one when that is the one
        just read or has the same family name; otherwise it is an author of its own."""
        names = self.names
        while self.first_waiting < len(names) and not _waits(names[self.first_waiting]):
            self.first_waiting += 1
        waiting = names[self.first_waiting] if self.first_waiting < len(names) else None
        if waiting is not None and (waiting is self.names[-1] or _same_family(waiting, value)):
            waiting.short = value
        else:
            self.names.append(_Name(short=value))

    def add_collective(self, value: str) -> None:
        self.names.append(_Name(full=value, collective=True))

    def add_affiliation(self, value: str) -> None:
        """``AD`` belongs to the author it follows; before any author (old-style records)
        it is the first author's."""
        if self.names:
            self.names[-1].affiliations.append(value)
        else:
            self.leading.append(value)

    def add_orcid(self, orcid: str) -> bool:
        """Attach an ORCID to the author just read; False when there is none to take it."""
        if not self.names or self.names[-1].orcid or self.names[-1].collective:
            return False
        self.names[-1].orcid = orcid
        return True

    def people(self) -> tuple[Person, ...]:
        found: list[Person] = []
        for index, name in enumerate(self.names):
            leading = self.leading if index == 0 else []
            built = _person(name, tuple(dict.fromkeys([*leading, *name.affiliations])))
            if built is not None:
                found.append(built)
        return tuple(found)


def _waits(name: _Name) -> bool:
    """An ``FAU`` whose ``AU`` has not come yet."""
    return bool(name.full) and name.short is None and not name.collective


def _same_family(name: _Name, short: str) -> bool:
    full_family = (name.full or "").partition(",")[0].strip().casefold()
    match = _SHORT_NAME.match(short.strip())
    short_family = (match["family"] if match else short).strip().casefold()
    return bool(full_family) and full_family == short_family


def _person(name: _Name, affiliations: tuple[str, ...]) -> Person | None:
    """A Person from ``FAU`` (family, given) and ``AU`` (initials); ``AU`` alone when old."""
    if name.collective:
        text = " ".join((name.full or "").split())
        return Person(name=text, collective=True, affiliations=affiliations) if text else None
    short = _SHORT_NAME.match(" ".join((name.short or "").split()))
    if name.full:
        family, _, given = name.full.partition(",")
        words = given.split()
        suffix = words.pop() if words and words[-1].rstrip(".") in NAME_SUFFIXES else None
        given_text = " ".join(words) or None
        shown = " ".join(p for p in (given_text, family.strip(), suffix) if p)
        return person(
            family.strip() or None,
            given_text,
            name=shown or None,
            orcid=name.orcid,
            affiliations=affiliations,
            initials_=short["initials"] if short else None,
        )
    if short:
        return person(
            short["family"],
            None,
            name=" ".join(name.short.split()) if name.short else None,
            orcid=name.orcid,
            affiliations=affiliations,
            initials_=short["initials"],
        )
    # An AU without initials ("Plato") is a family name alone.
    return person(name.short, None, orcid=name.orcid, affiliations=affiliations)


@dataclass
class _Draft:
    """What one record says, gathered tag by tag; ``paper()`` freezes it."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    extra: list[tuple[str, str]] = field(default_factory=list)
    authors: _People = field(default_factory=_People)
    editors: _People = field(default_factory=_People)
    issns: list[tuple[str, bool]] = field(default_factory=list)  # (ISSN, is the linking one)
    types: list[str] = field(default_factory=list)
    mesh: list[MeshHeading] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    links: list[_Field] = field(default_factory=list)

    def keep(self, key: str, value: str) -> None:
        pair = (key, value)
        if pair not in self.extra:
            self.extra.append(pair)

    def set_once(self, name: str, value: Any, tag: str, raw: str) -> None:
        """A single-valued field: the first value wins, a different later one is kept."""
        if value is None or value == "":
            self.keep(tag, raw)
        elif name not in self.values:
            self.values[name] = value
        elif self.values[name] != value:
            self.keep(tag, raw)

    def paper(self) -> Paper:
        values = dict(self.values)
        issns = [i for i, linking in self.issns if linking] + [i for i, _ in self.issns]
        journal_parts = {
            "title": values.pop("journal_title", None),
            "abbreviation": values.pop("journal_abbreviation", None),
            "issns": tuple(dict.fromkeys(issns)),
        }
        journal = Journal(**journal_parts) if any(journal_parts.values()) else None
        types = tuple(dict.fromkeys(self.types))
        if not self.authors.names:  # an affiliation with no author to carry it
            for value in self.authors.leading:
                self.keep("AD", value)
        if "title" not in values and values.get("book_title") and "Book" in types:
            values["title"] = values.pop("book_title")  # a whole book: BTI is its title
        return Paper(
            loc=Loc(line=self.line),
            primary=True,
            journal=journal,
            authors=self.authors.people(),
            editors=self.editors.people(),
            types=types,
            mesh=tuple(self.mesh),
            keywords=tuple(self.keywords),
            grants=tuple(self.grants),
            extra=tuple(self.extra),
            **values,
        )


# ---------------------------------------------------------------------------- tag handlers

Handler = Callable[[_Draft, _Field], None]


def _setter(name: str, convert: Callable[[str], Any] = str) -> Handler:
    """A handler filling the single-valued Paper field ``name`` with ``convert(value)``."""

    def handle(draft: _Draft, f: _Field) -> None:
        draft.set_once(name, convert(f.value) if f.value else None, f.tag, f.value)

    return handle


def _title(text: str) -> str | None:
    """A title as printed, full stop included (PubMed's own record is the reference)."""
    return " ".join(text.split()) or None


def _pmid(draft: _Draft, f: _Field) -> None:
    draft.set_once("pmid", normalize_pmid(f.value), f.tag, f.value)


def _pmcid(draft: _Draft, f: _Field) -> None:
    draft.set_once("pmcid", normalize_pmcid(f.value), f.tag, f.value)


def _typed_id(draft: _Draft, f: _Field) -> None:
    """``LID``/``AID``: ``10.1038/x [doi]`` -> doi; ``S01… [pii]`` -> ("pii", …) in extra."""
    match = _TYPED_ID.match(f.value.strip())
    if not match:
        draft.keep(f.tag, f.value)
        return
    value, kind = match["value"].strip(), match["kind"].lower()
    if kind in TYPED_IDS:
        name, normalize = TYPED_IDS[kind]
        normalized = normalize(value)
        if normalized is None:
            draft.keep(f.tag, f.value)
        elif draft.values.get(name) in (None, normalized):
            draft.values[name] = normalized
        else:
            draft.keep(kind, value)
        return
    draft.keep(kind, value)


def _issn(draft: _Draft, f: _Field) -> None:
    """``1548-7105 (Electronic)`` / ``1548-7091 (Linking)``: the linking ISSN goes first."""
    match = _ISSN.match(f.value.strip())
    if not match:
        draft.keep(f.tag, f.value)
        return
    issn = f"{match['a']}-{match['b'].upper()}"
    draft.issns.append((issn, (match["kind"] or "").strip().lower() == "linking"))


def _date(draft: _Draft, f: _Field) -> None:
    """``DP``: the date as printed (``2006 Mar 1``, ``2019 Dec-2020 Jan``) and its year."""
    value = " ".join(f.value.split())
    draft.set_once("date", value or None, f.tag, f.value)
    match = _YEAR.match(value)
    if match and "year" not in draft.values:
        draft.values["year"] = int(match["year"])


def compact_date(text: str) -> str | None:
    """``20060110`` -> ``2006 Jan 10``; None when it is no such date."""
    match = _COMPACT_DATE.match(text.strip())
    if not match:
        return None
    month, day = int(match["m"]), int(match["d"])
    if not 1 <= month <= 12 or not 0 <= day <= 31:
        return None
    shown = f"{match['y']} {MONTHS[month - 1]}"
    return f"{shown} {match['d']}" if day else shown


def _epub(draft: _Draft, f: _Field) -> None:
    draft.set_once("epub_date", compact_date(f.value), f.tag, f.value)


def _abstract(draft: _Draft, f: _Field) -> None:
    draft.set_once("abstract", structured_abstract(f.value), f.tag, f.value)


def structured_abstract(text: str) -> str | None:
    """An inline structured abstract as ``LABEL: text`` paragraphs joined with newlines."""
    text = text.strip()
    marks = [
        m for m in _ABSTRACT_LABEL.finditer(text) if _letters(m["label"]) >= _MIN_LABEL_LETTERS
    ]
    if not marks:
        return text or None
    paragraphs = [text[: marks[0].start()].strip()]
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        body = text[mark.end() : following.start() if following else len(text)].strip()
        paragraphs.append(f"{mark['label']}: {body}" if body else f"{mark['label']}:")
    return "\n".join(p for p in paragraphs if p) or None


def _letters(label: str) -> int:
    return sum(ch.isalpha() for ch in label)


def _mesh(draft: _Draft, f: _Field) -> None:
    """``Diabetes Mellitus, Type 2/*drug therapy/metabolism``: ``*`` marks a major topic."""
    terms = [t.strip() for t in f.value.split("/")]
    if not terms[0].lstrip("*").strip():
        draft.keep(f.tag, f.value)
        return
    marked = [(t.lstrip("*").strip(), t.startswith("*")) for t in terms if t.lstrip("*").strip()]
    (descriptor, major), qualifiers = marked[0], tuple(marked[1:])
    draft.mesh.append(MeshHeading(descriptor=descriptor, major=major, qualifiers=qualifiers))


def _keyword(draft: _Draft, f: _Field) -> None:
    """``OT``: keywords in order, a repeated one (in any case) kept once."""
    word = " ".join(f.value.split())
    if word and word.casefold() not in {k.casefold() for k in draft.keywords}:
        draft.keywords.append(word)


def _type(draft: _Draft, f: _Field) -> None:
    value = " ".join(f.value.split())
    if value:
        draft.types.append(value)


def _grant(draft: _Draft, f: _Field) -> None:
    """``P41 GM103484/GM/NIGMS NIH HHS/United States``, read from the right (grant numbers
    may hold slashes: ``MR/K006584/1/MRC_/Medical Research Council/United Kingdom``)."""
    parts = [p.strip() or None for p in f.value.rsplit("/", 3)]
    if not any(parts):
        draft.keep(f.tag, f.value)
        return
    identifier, acronym, agency, country = [None] * (4 - len(parts)) + parts
    draft.grants.append(Grant(identifier, acronym, agency, country))


def _language(draft: _Draft, f: _Field) -> None:
    draft.set_once("language", f.value.strip() or None, f.tag, f.value)


def _author_full(draft: _Draft, f: _Field) -> None:
    draft.authors.add_full(f.value)


def _author_short(draft: _Draft, f: _Field) -> None:
    draft.authors.add_short(f.value)


def _affiliation(draft: _Draft, f: _Field) -> None:
    if f.value.strip():
        draft.authors.add_affiliation(" ".join(f.value.split()))


def _author_id(draft: _Draft, f: _Field) -> None:
    """``AUID- ORCID: 0000-0002-5489-9045`` on the author it follows; other ids in extra."""
    match = _ORCID.match(f.value.strip())
    orcid = normalize_orcid(match["orcid"]) if match else None
    if orcid is None or not draft.authors.add_orcid(orcid):
        draft.keep(f.tag, f.value)


def _collective(draft: _Draft, f: _Field) -> None:
    if f.value.strip():
        draft.authors.add_collective(f.value)


def _editor_full(draft: _Draft, f: _Field) -> None:
    draft.editors.add_full(f.value)


def _editor_short(draft: _Draft, f: _Field) -> None:
    draft.editors.add_short(f.value)


def _link(draft: _Draft, f: _Field) -> None:
    if f.value.strip():
        draft.links.append(f)
    else:
        draft.keep(f.tag, f.value)


# Tag -> handler. Tags not here are kept in ``extra`` as printed.
HANDLERS: dict[str, Handler] = {
    "PMID": _pmid,
    "PMC": _pmcid,
    "LID": _typed_id,
    "AID": _typed_id,
    "TI": _setter("title", _title),
    "BTI": _setter("book_title", _title),
    "PB": _setter("publisher", str.strip),
    "AB": _abstract,
    "TA": _setter("journal_abbreviation", str.strip),
    "JT": _setter("journal_title", str.strip),
    "IS": _issn,
    "DP": _date,
    "DEP": _epub,
    "VI": _setter("volume", str.strip),
    "IP": _setter("issue", str.strip),
    "PG": _setter("pages", str.strip),
    "LA": _language,
    "PT": _type,
    "MH": _mesh,
    "OT": _keyword,
    "GR": _grant,
    "FAU": _author_full,
    "AU": _author_short,
    "AD": _affiliation,
    "AUID": _author_id,
    "CN": _collective,
    "FED": _editor_full,
    "ED": _editor_short,
    **dict.fromkeys(LINKS, _link),
}


# ---------------------------------------------------------------------------- interface


def sniff(text: str) -> bool:
    """True for MEDLINE text: the first line is a ``TAG - value`` line, a ``PMID- `` line comes
    early, and another MEDLINE tag too. RIS (``TY  - ``) has no ``PMID-`` tag; a PubMed page
    prints ``PMID:`` with a colon."""
    if not text:
        return False
    head_text = text[:20000].removeprefix("\ufeff")
    lines = [line for line in _LINE_BREAK.split(head_text) if line.strip()]
    head = lines[:SNIFF_LINES]
    if not head or not _TAG_LINE.match(head[0]):
        return False
    block = "\n".join(head)
    if not _SNIFF_PMID.search(block):
        return False
    tags = {m["tag"] for m in (_TAG_LINE.match(line) for line in head) if m}
    return bool(tags & SNIFF_TAGS)


def parse(text: str) -> Iterator[Record]:
    """A primary Paper per record (and its comment/correction relations); a Problem for each
    record or line that could not be read."""
    for chunk in _chunks(text):
        try:
            records = _read(chunk)
        except READ_ERRORS as error:
            records = [Problem(f"cannot read the MEDLINE record: {error}", Loc(line=chunk.line))]
        yield from records


# ---------------------------------------------------------------------------- reading


def _chunks(text: str) -> list[_Chunk]:
    """Records: runs of lines between blank lines, also cut before a ``PMID-`` line."""
    chunks: list[_Chunk] = []
    current: _Chunk | None = None
    for number, raw in enumerate(_LINE_BREAK.split(text.removeprefix("\ufeff")), 1):
        line = raw.rstrip()
        if not line.strip():
            current = None
            continue
        match = _TAG_LINE.match(line)
        if match and match["tag"] == "PMID" and current is not None and current.fields:
            current = None
        if current is None:
            current = _Chunk(line=number)
            chunks.append(current)
        if match:
            current.fields.append(_Field(match["tag"], match["value"].strip(), number))
        elif _CONTINUATION.match(line) and current.fields:
            last = current.fields[-1]
            last.value = f"{last.value} {line.strip()}" if last.value else line.strip()
        else:
            current.strays.append(number)
    return chunks


def _read(chunk: _Chunk) -> list[Record]:
    """The records of one chunk: its Paper and relations, or Problems."""
    if not chunk.fields:
        return [Problem("text that is not a MEDLINE record (no TAG - lines)", Loc(line=chunk.line))]
    problems: list[Record] = [
        Problem("line is neither a MEDLINE field nor a continuation line", Loc(line=number))
        for number in chunk.strays
    ]
    draft = _Draft(line=chunk.line)
    for f in chunk.fields:
        handler = HANDLERS.get(f.tag)
        if handler is None:
            draft.keep(EXTRA_KEYS.get(f.tag, f.tag), f.value)
        else:
            handler(draft, f)
    paper = draft.paper()
    if not (paper.pmid or paper.doi or paper.pmcid or paper.title):
        return [
            *problems,
            Problem("MEDLINE record without a PMID, DOI, PMC id or title", Loc(line=chunk.line)),
        ]
    return [paper, *problems, *_links(paper, draft.links)]


def _links(paper: Paper, links: list[_Field]) -> Iterator[Record]:
    """``CIN - Lancet. 2005;365:23. PMID: 15639664`` -> the listed paper and the relation."""
    for f in links:
        kind, subject_is_this = LINKS[f.tag]
        listed = _linked_paper(f)
        this, other = paper.ref, listed.ref
        subject, obj = (this, other) if subject_is_this else (other, this)
        yield listed
        yield Relation(kind, subject, obj, loc=Loc(line=f.line))


def _linked_paper(f: _Field) -> Paper:
    text = " ".join(f.value.split())
    pmid = None
    if match := _LINK_PMID.search(text):
        pmid = normalize_pmid(match["pmid"])
        text = text[: match.start()].strip()
    source = _LINK_SOURCE.match(text)
    return Paper(
        loc=Loc(line=f.line),
        pmid=pmid,
        citation_text=text or None,
        journal=Journal(abbreviation=source["journal"].strip()) if source else None,
        year=int(source["year"]) if source else None,
    )
