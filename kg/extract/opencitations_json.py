"""OpenCitations JSON: citation rows of the Index API (COCI v1 and v2) and metadata rows.

Accepted shapes, each a JSON array of rows:

* Citations and references (``/citations/{id}``, ``/references/{id}``, ``/citation/{oci}``):
  ``{"oci", "citing", "cited", "creation", "timespan", "journal_sc", "author_sc"}``. In COCI v1
  ``citing`` and ``cited`` are bare DOIs; in v2 they are space-separated ids
  (``omid:br/0612345 doi:10.1/x pmid:123 openalex:W12``): DOI, PMID, PMCID and OpenAlex ID are
  kept, OpenCitations' own ``omid`` and the others are not. Each row is a ``cites`` relation
  between two (non-primary) papers. ``creation`` is OpenCitations' date of the citing work and
  is not used (the citing paper's own record dates it).
* COCI v1 metadata (``/metadata/{dois}``): ``{"doi", "title", "author" ("Last, First; …"),
  "year", "source_title", "source_id" ("issn:…; …"), "volume", "issue", "page",
  "citation_count", "citation", "reference", "oa_link"}``: the paper, its counts, and a
  ``cites`` relation for each DOI of ``reference`` and ``citation`` ("; "-separated).
* OpenCitations Meta (``/meta/api/v1/metadata/…``): ``{"id" (ids as above), "title", "author"
  ("Last, First [orcid:… omid:…]; …"), "pub_date", "venue" ("Title [issn:… omid:…]"),
  "volume", "issue", "page", "type", "publisher", "editor"}``: the paper.

All values are strings; a paper is read once per text, however many rows list it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..ids import normalize_doi, normalize_issn, normalize_openalex, normalize_pmcid, normalize_pmid
from ..records import (
    CitationCounts,
    Journal,
    Loc,
    Paper,
    PaperRef,
    Person,
    Problem,
    Record,
    Relation,
)
from .common import month_date, number
from .jsonwalk import SNIFF_HEAD, plain_text, read_works, text_of, unique
from .names import parse_name

FORMAT = "opencitations_json"
MEDIA_TYPE = "application/json"

# v2 id prefixes -> PaperRef field and normaliser.
ID_PREFIXES = {
    "doi": ("doi", normalize_doi),
    "pmid": ("pmid", normalize_pmid),
    "pmcid": ("pmcid", normalize_pmcid),
    "openalex": ("openalex", normalize_openalex),
}

_START = re.compile(r"^[\ufeff \t\r\n]*\[\s*\{")
_CITATION_ROW = re.compile(r'"oci"\s*:\s*"')
_COCI_META = (re.compile(r'"citation_count"\s*:'), re.compile(r'"source_title"\s*:'))
_META = (re.compile(r'"pub_date"\s*:'), re.compile(r'"venue"\s*:'))
_ID = re.compile(r"^([a-z]+):(\S+)$")
_BRACKETS = re.compile(r"\s*\[([^\[\]]*)\]\s*$")  # "Name [orcid:… omid:…]"
_SEPARATOR = re.compile(r";\s+|;$")
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")

# ---------------------------------------------------------------------------- interface


def sniff(text: str) -> bool:
    """True for a JSON array of OpenCitations rows: an ``"oci"`` (citations), or the keys of
    COCI metadata or OpenCitations Meta, near the head."""
    head = text[:SNIFF_HEAD]
    if not _START.match(head):
        return False
    return bool(
        _CITATION_ROW.search(head)
        or all(p.search(head) for p in _COCI_META)
        or all(p.search(head) for p in _META)
    )


def parse(text: str) -> Iterator[Record]:
    """Relations (citation rows), papers and counts (metadata rows) of every row."""
    seen: set[PaperRef] = set()

    def row(value: Any, line: int) -> list[Record]:
        return _row(value, line, seen)

    return read_works(text, {}, row, "OpenCitations row")


# ---------------------------------------------------------------------------- rows


def _row(value: Any, line: int, seen: set[PaperRef]) -> list[Record]:
    loc = Loc(line=line)
    if not isinstance(value, dict):
        return [
            Problem(f"an OpenCitations row must be an object, found {type(value).__name__}", loc)
        ]
    if "citing" in value or "cited" in value:
        return _citation(value, loc, seen)
    if "source_title" in value or "citation_count" in value:
        return _coci_metadata(value, loc, seen)
    if "id" in value:
        return _meta(value, loc)
    return [Problem("neither a citation nor a metadata row", loc)]


def _listed(ref: PaperRef, loc: Loc, seen: set[PaperRef]) -> list[Record]:
    """A paper the rows list, the first time it is met."""
    if ref in seen:
        return []
    seen.add(ref)
    return [Paper(loc=loc, doi=ref.doi, pmid=ref.pmid, pmcid=ref.pmcid, openalex=ref.openalex)]


def _ids(value: Any) -> PaperRef:
    """The ids of a ``citing``/``cited``/``id`` value: a bare DOI (COCI v1) or space-separated
    ``prefix:value`` ids (v2, Meta); unknown prefixes (``omid``, ``issn``) and bad values are
    left out."""
    found: dict[str, str] = {}
    for token in (text_of(value) or "").split():
        match = _ID.match(token)
        if match is not None and match[1] in ID_PREFIXES:
            name, normalize = ID_PREFIXES[match[1]]
            given = normalize(match[2])
        elif token.startswith("10."):  # COCI v1: a bare DOI
            name, given = "doi", normalize_doi(token)
        else:
            continue
        if given and name not in found:
            found[name] = given
    return PaperRef(**found)


def _citation(value: dict[str, Any], loc: Loc, seen: set[PaperRef]) -> list[Record]:
    """A citation row: ``citing`` cites ``cited``."""
    citing, cited = _ids(value.get("citing")), _ids(value.get("cited"))
    missing = [name for name, ref in (("citing", citing), ("cited", cited)) if not ref.has_id]
    if missing:
        given = text_of(value.get(missing[0]))
        return [
            Problem(
                f"no DOI, PMID, PMCID or OpenAlex ID for the {missing[0]} work: {given!r:.80}", loc
            )
        ]
    return [
        *_listed(citing, loc, seen),
        *_listed(cited, loc, seen),
        Relation("cites", citing, cited, loc=loc),
    ]


def _coci_metadata(value: dict[str, Any], loc: Loc, seen: set[PaperRef]) -> list[Record]:
    """A COCI metadata row: the paper, its counts, what it cites and what cites it."""
    doi = normalize_doi(text_of(value.get("doi")))
    title = plain_text(value.get("title"))
    if not (doi or title):
        return [Problem("COCI metadata row without a DOI or a title", loc)]
    year = number((text_of(value.get("year")) or "")[:4])
    journal = plain_text(value.get("source_title"))
    issns = unique(normalize_issn(t.removeprefix("issn:")) for t in _split(value.get("source_id")))
    oa_link = text_of(value.get("oa_link"))
    paper = Paper(
        loc=loc,
        primary=True,
        doi=doi,
        title=title,
        year=year,
        journal=Journal(title=journal, issns=issns) if journal or issns else None,
        volume=text_of(value.get("volume")),
        issue=text_of(value.get("issue")),
        pages=text_of(value.get("page")),
        authors=_authors(value.get("author")),
        extra=(("oa_link", oa_link),) if oa_link else (),
    )
    records: list[Record] = [paper]
    for key, outgoing in (("reference", True), ("citation", False)):
        for listed in _split(value.get(key)):
            other = PaperRef(doi=normalize_doi(listed))
            if not other.has_id:
                records.append(Problem(f"not a DOI in {key}: {listed!r:.80}", loc))
                continue
            records.extend(_listed(other, loc, seen))
            subject, obj = (paper.ref, other) if outgoing else (other, paper.ref)
            records.append(Relation("cites", subject, obj, loc=loc))
    cited_by = number(value.get("citation_count"))
    if cited_by is not None:
        records.append(
            CitationCounts(paper=paper.ref, source_name="opencitations", loc=loc, cited_by=cited_by)
        )
    return records


def _meta(value: dict[str, Any], loc: Loc) -> list[Record]:
    """An OpenCitations Meta row: the paper."""
    ref = _ids(value.get("id"))
    title = plain_text(value.get("title"))
    if not (ref.has_id or title):
        return [Problem("OpenCitations Meta row without a DOI, PMID, PMCID or title", loc)]
    venue, venue_ids = _bracketed(text_of(value.get("venue")) or "")
    issns = unique(
        normalize_issn(i.removeprefix("issn:")) for i in venue_ids if i.startswith("issn:")
    )
    publisher, _ = _bracketed(text_of(value.get("publisher")) or "")
    kind = text_of(value.get("type"))
    date = _ISO_DATE.match(text_of(value.get("pub_date")) or "")
    return [
        Paper(
            loc=loc,
            primary=True,
            doi=ref.doi,
            pmid=ref.pmid,
            pmcid=ref.pmcid,
            openalex=ref.openalex,
            title=title,
            year=int(date[1]) if date else None,
            date=month_date(*date.groups()) if date else None,
            journal=Journal(title=venue or None, issns=issns) if venue or issns else None,
            volume=text_of(value.get("volume")),
            issue=text_of(value.get("issue")),
            pages=text_of(value.get("page")),
            authors=_authors(value.get("author")),
            editors=_authors(value.get("editor")),
            publisher=publisher or None,
            types=(kind,) if kind else (),
        )
    ]


# ---------------------------------------------------------------------------- values


def _split(value: Any) -> list[str]:
    """A "; "-separated list of strings, blanks dropped (a DOI may hold a ";" of its own:
    ``10.1002/(sici)…;2-u``)."""
    return [p.strip() for p in _SEPARATOR.split(text_of(value) or "") if p.strip()]


def _bracketed(text: str) -> tuple[str, list[str]]:
    """``Peroni, Silvio [orcid:0000-… omid:ra/…]`` -> the name and its ids."""
    match = _BRACKETS.search(text)
    if match is None:
        return text.strip(), []
    return text[: match.start()].strip(), match[1].split()


def _authors(value: Any) -> tuple[Person, ...]:
    """``Last, First; Last, First [orcid:…]``; COCI v1 may put an ORCID after the name."""
    people = []
    for entry in _split(value):
        name, found = _bracketed(entry)
        orcid = next((i.removeprefix("orcid:") for i in found if i.startswith("orcid:")), None)
        parts = [p.strip() for p in name.split(",")]
        if orcid is None and len(parts) > 2 and re.fullmatch(r"[\dX-]{16,19}", parts[-1]):
            orcid, name = parts[-1], ", ".join(parts[:-1])
        person = parse_name(name, orcid=orcid)
        if person is not None:
            people.append(person)
    return tuple(people)
