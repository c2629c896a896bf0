"""The records extractors produce: frozen dataclasses, lists as tuples.

Extractors know formats and nothing about RDF; these records are the only thing they share
with the rest of kg. Every top-level record carries a :class:`Loc` (file, line): ``parse``
fills in the line, the build fills in the file.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class Loc:
    """Where a fact was read: the source file (as found by the build) and a 1-based line."""

    path: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Person:
    """An author as printed. ``initials`` are the given names' initials, upper case, no dots."""

    name: str
    family: str | None = None
    given: str | None = None
    initials: str | None = None
    orcid: str | None = None
    affiliations: tuple[str, ...] = ()
    equal_contribution: bool = False
    collective: bool = False  # a consortium or group author ("the XYZ Study Group")

    @property
    def display(self) -> str:
        """The one form kg shows a person's name in, whatever the source printed: given names
        then family name, initials with full stops (``Maria K. Lopez``, ``H. J. Choi``); a
        group, or a name with no family name, as printed."""
        if self.collective or not self.family:
            return self.name
        if self.given:
            given = " ".join(_dotted(word) for word in self.given.split())
        else:
            given = " ".join(f"{letter}." for letter in self.initials or "")
        return f"{given} {self.family}" if given else self.family


_INITIALS = re.compile(r"[A-Z]{1,3}")


def _dotted(word: str) -> str:
    """``HJ`` -> ``H. J.``, ``K`` -> ``K.``; a word (``Maria``, ``J.-P.``) as it is."""
    if _INITIALS.fullmatch(word):
        return " ".join(f"{letter}." for letter in word)
    return word


@dataclass(frozen=True, slots=True)
class Journal:
    title: str | None = None
    abbreviation: str | None = None  # the NLM title abbreviation ("PLoS One")
    issns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MeshHeading:
    """``Diabetes Mellitus, Type 2 / drug therapy*``: descriptor, qualifiers, major flags."""

    descriptor: str
    major: bool = False
    qualifiers: tuple[tuple[str, bool], ...] = ()  # (qualifier, is major topic)
    ui: str | None = None  # MeSH descriptor UI ("D003924") when the source gives it


@dataclass(frozen=True, slots=True)
class Grant:
    """``R01 AI123456/AI/NIAID NIH HHS/United States``."""

    identifier: str | None = None
    acronym: str | None = None
    agency: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class PaperRef:
    """What identifies a paper: enough to resolve it to one node, nothing more."""

    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    title: str | None = None
    year: int | None = None
    first_author: str | None = None  # family name of the first author
    openalex: str | None = None  # OpenAlex work ID ("W2741809807")

    @property
    def has_id(self) -> bool:
        return bool(self.doi or self.pmid or self.pmcid or self.openalex)


@dataclass(frozen=True, slots=True)
class Paper:
    """Everything one source says about one paper.

    ``primary`` is true for the paper a source is about (the article of a PubMed page, the
    report of a scite page) and false for papers it only lists (similar, cited by,
    references), so that merging prefers what a paper's own page says.
    """

    loc: Loc = field(default_factory=Loc)
    primary: bool = False
    title: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    openalex: str | None = None  # OpenAlex work ID ("W2741809807")
    journal: Journal | None = None
    year: int | None = None
    date: str | None = None  # as printed: "2015 Oct 21", "2024 Sep", "2023 Spring"
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    authors: tuple[Person, ...] = ()
    abstract: str | None = None  # section labels kept: "Introduction: …\nMethods: …"
    types: tuple[str, ...] = ()  # publication types as printed: "Review", "Clinical Trial"
    mesh: tuple[MeshHeading, ...] = ()
    keywords: tuple[str, ...] = ()
    grants: tuple[Grant, ...] = ()
    free_full_text: bool = False
    language: str | None = None
    epub_date: str | None = None
    citation_text: str | None = None  # a free-text reference as printed
    book_title: str | None = None  # the book or proceedings a chapter or paper is part of
    publisher: str | None = None
    editors: tuple[Person, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()  # fields kept but not (yet) mapped
    # What identifies it, asked for again and again while resolving: made with the paper, in
    # a slot (a cached property would need a dict on every paper)
    ref: PaperRef = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        first = self.authors[0].family if self.authors else None
        # A reference printed as free text with no title found is keyed on its whole text.
        title = self.title or self.citation_text
        ref = PaperRef(self.doi, self.pmid, self.pmcid, title, self.year, first, self.openalex)
        object.__setattr__(self, "ref", ref)


# The relations a source can state between two papers. subject RELATION object:
#   cites: subject's reference list (or "Cites") holds object; "Cited by" lists are turned
#          round by the extractor (the listed paper cites the page's paper)
#   similar: object is in subject's "Similar articles" (rank = position, 1-based)
#   discusses: subject comments on object (object's "Comment in" lists subject)
#   corrects / retracts / updates: errata, retractions, updates
RELATIONS = ("cites", "similar", "discusses", "corrects", "retracts", "updates")


@dataclass(frozen=True, slots=True)
class Relation:
    kind: str
    subject: PaperRef
    object: PaperRef
    loc: Loc = field(default_factory=Loc)
    rank: int | None = None
    score: Decimal | None = None  # the source's similarity score ("similar"), when it gives one

    def __post_init__(self) -> None:
        if self.kind not in RELATIONS:
            raise ValueError(f"unknown relation {self.kind!r}")


STATEMENT_TYPES = ("mentioning", "supporting", "contrasting")


@dataclass(frozen=True, slots=True)
class CitationStatement:
    """A citation statement (scite, Semantic Scholar): the text where ``citing`` cites
    ``cited``."""

    cited: PaperRef
    text: str
    type: str  # one of STATEMENT_TYPES
    loc: Loc = field(default_factory=Loc)
    section: str | None = None
    confidence: Decimal | None = None  # in [0, 1]
    citing: PaperRef | None = None
    intents: tuple[str, ...] = ()  # the source's intent labels ("background", "methodology")
    influential: bool | None = None  # the source's "influential citation" flag, when it gives one


@dataclass(frozen=True, slots=True)
class CitationCounts:
    """Counts a report page prints about a paper (``None`` when not printed)."""

    paper: PaperRef
    source_name: str  # who counted: "scite", "crossref", "openalex"
    loc: Loc = field(default_factory=Loc)
    date: str | None = None  # when it was counted (ISO 8601 date), when the source says
    cited_by: int | None = None  # "Cited by 43 publications"
    statements: int | None = None  # "(32 citation statements)"
    references: int | None = None  # "References 40 publications"
    supporting: int | None = None
    mentioning: int | None = None
    contrasting: int | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something an extractor could not read; the build reports it with its path and line."""

    message: str
    loc: Loc = field(default_factory=Loc)

    def describe(self) -> str:
        """``path:line: message``, as the build reports it."""
        where = self.loc.path + (f":{self.loc.line}" if self.loc.line else "")
        # a message may quote the source: its control characters are shown, not sent
        return _CONTROL.sub(_escape, f"skipped {where}: {self.message}")


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


Record = Paper | Relation | CitationStatement | CitationCounts | Problem


def at(record: Record, path: str) -> Record:
    """The record with its location's file set to ``path`` (the line is kept)."""
    return replace(record, loc=Loc(path, record.loc.line))


class Sharing:
    """Records whose equal texts, tuples and values are one object each.

    A file's records repeat themselves: one cited paper's title in a hundred reference lists,
    "Humans" in every MeSH list, an author on each of their papers, each a new object as it is
    read. Shared, each is held in memory once, and a file's pickle (from a worker, into the
    cache) writes it once. What is shared is immutable and equal: the records' tuples hold
    texts, flags and values, never a 1 that would equal a True. Records themselves are not
    shared."""

    def __init__(self) -> None:
        self._table: dict[object, object] = {}

    def record(self, record: Record, path: str) -> Record:
        """``record`` with its location's file set to ``path`` (``at``), its values shared."""
        kind = type(record)
        loc = self.value(Loc(path, record.loc.line))
        values = [
            loc if name == "loc" else self.value(getattr(record, name)) for name in _FIELDS[kind]
        ]
        made = kind(*values)
        if isinstance(made, Paper):  # its ref, made anew, is most often a cited reference's
            object.__setattr__(made, "ref", self.value(made.ref))
        return made  # type: ignore[no-any-return]

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return self._table.setdefault(value, value)
        if kind is tuple:
            if not value:
                return value
        elif kind not in _VALUES:
            return value  # None, a flag, a number
        found = self._table.get(value)
        if found is not None:
            return found
        if kind is tuple:
            shared = tuple(map(self.value, value))
        else:
            shared = kind(*map(self.value, map(value.__getattribute__, _FIELDS[kind])))
        self._table[shared] = shared
        return shared


@dataclass(frozen=True)
class Source:
    """One input file as the build read it."""

    path: str  # POSIX path as found by the build ("seeds/004_….txt")
    sha256: str
    format: str  # the extractor's FORMAT
    media_type: str = "text/plain"


@dataclass(frozen=True)
class Extraction:
    """What one file gave: its source and its records (locations filled in)."""

    source: Source
    records: tuple[Record, ...]


_VALUES = frozenset((Loc, PaperRef, Person, Journal, MeshHeading, Grant))
_FIELDS = {
    kind: tuple(f.name for f in fields(kind) if f.init)
    for kind in (*_VALUES, Paper, Relation, CitationStatement, CitationCounts)
}


def _pickled_by_position(kind: type) -> None:
    """Give a slotted record class a pickle state that is its values in field order, read in C.
    Python's own state for slotted dataclasses holds the same values in the same order but
    looks the fields up again for every object, much of what pickling costs; a build pickles a
    record up to three times (measuring it, in a batch: kg.reading._bounded; from a worker;
    into the cache) and unpickles it once or twice."""
    names = tuple(f.name for f in fields(kind))
    values = operator.attrgetter(*names)
    put = object.__setattr__

    def getstate(self: Any) -> tuple[Any, ...]:
        found = values(self)
        return found if len(names) > 1 else (found,)

    def setstate(self: Any, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state, strict=True):
            put(self, name, value)

    kind.__getstate__ = getstate  # type: ignore[attr-defined]
    kind.__setstate__ = setstate  # type: ignore[attr-defined]


for _kind in (*_FIELDS, Problem):
    _pickled_by_position(_kind)
