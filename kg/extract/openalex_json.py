"""OpenAlex work JSON (``api.openalex.org/works``).

Accepted shapes: a work, a list of works, a ``results`` page (``{"meta": …, "results":
[…]}``) and works one after another (JSON Lines, as in the OpenAlex snapshot). Quirks handled:

* ``id`` and the ``ids`` are URLs: ``https://openalex.org/W2741809807``,
  ``https://pubmed.ncbi.nlm.nih.gov/29456894``, and a PMC URL whose ID lacks its "PMC"
  prefix (``…/pmc/articles/5815332``): the last path segment is normalised.
* ``primary_location`` and its ``source`` may be null; the source gives the journal
  (``issn_l`` first, then ``issn``) and, when its host is a publisher (``P…``), the publisher.
* ``biblio`` pages are ``first_page``/``last_page`` ("e4375"/"e4375" is one page).
* ``authorships``: ``raw_affiliation_strings`` are preferred to the institution names.
* ``abstract_inverted_index`` maps each word to its positions: the text is rebuilt.
* ``referenced_works`` (cites) and ``related_works`` (similar, ranked) are bare work IDs.
* ``mesh`` has one entry per descriptor/qualifier pair: grouped into one heading each.
* Concepts, topics, locations, yearly counts and other scores are noise and not kept.

Lines, JSON syntax errors and the shared helpers are those of :mod:`kg.extract.crossref_json`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ..ids import normalize_doi, normalize_openalex, normalize_pmcid, normalize_pmid
from ..records import (
    CitationCounts,
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
from .common import month_date
from .jsonwalk import (
    OPENALEX_WORK_ID,
    SNIFF_HEAD,
    as_dict,
    as_list,
    issn,
    plain_text,
    read_works,
    text_of,
    unique,
)
from .names import parse_name

FORMAT = "openalex_json"
MEDIA_TYPE = "application/json"

Fields = dict[str, Any]  # keyword arguments for Paper

# ---------------------------------------------------------------------------- data tables

# OpenAlex ``type`` -> publication type label (the native value is also kept in extra).
TYPES: dict[str, str] = {
    "article": "Journal Article",
    "review": "Review",
    "book-chapter": "Book Chapter",
    "preprint": "Preprint",
    "letter": "Letter",
    "editorial": "Editorial",
    "erratum": "Published Erratum",
    "retraction": "Retraction of Publication",
    "book": "Book",
    "dataset": "Dataset",
    "dissertation": "Thesis",
    "report": "Report",
}


def _last_segment(value: str | None) -> str | None:
    """``https://pubmed.ncbi.nlm.nih.gov/29456894/`` -> ``29456894``."""
    return value.rstrip("/").rsplit("/", 1)[-1] if value else None


# ``ids`` keys -> (Paper field, normaliser of the printed value).
IDS: dict[str, tuple[str, Callable[[str | None], str | None]]] = {
    "openalex": ("openalex", normalize_openalex),
    "doi": ("doi", normalize_doi),
    "pmid": ("pmid", lambda v: normalize_pmid(_last_segment(v))),
    "pmcid": ("pmcid", lambda v: normalize_pmcid(_last_segment(v))),
}

# Short facts kept in extra: key -> path of keys into the work (values true/strings only).
EXTRA_PATHS: dict[str, tuple[str, ...]] = {
    "type_crossref": ("type_crossref",),
    "mag": ("ids", "mag"),
    "oa_status": ("open_access", "oa_status"),
    "license": ("primary_location", "license"),
    "is_retracted": ("is_retracted",),
    "is_paratext": ("is_paratext",),
}

# ---------------------------------------------------------------------------- patterns

_START = re.compile(r"^[\ufeff \t\r\n]*[\[{]")
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_PUBLISHER_ID = re.compile(r"^https?://openalex\.org/P\d+$")

# ---------------------------------------------------------------------------- interface


def sniff(text: str) -> bool:
    """True for OpenAlex work JSON: an ``"id": "https://openalex.org/W…"`` near the head of a
    JSON object or array (a work, a list of works or a ``results`` page)."""
    head = text[:SNIFF_HEAD]
    return bool(_START.match(head) and OPENALEX_WORK_ID.search(head))


def parse(text: str) -> Iterator[Record]:
    """Papers, cited and similar works, relations and counts of every work in ``text``."""
    return read_works(text, {"results": "list"}, _work, "OpenAlex work")


# ---------------------------------------------------------------------------- works


def _work(work: Any, line: int) -> list[Record]:
    """The records of one work: its Paper, cited and related works, its counts."""
    loc = Loc(line=line)
    if not isinstance(work, dict):
        return [Problem(f"an OpenAlex work must be an object, found {type(work).__name__}", loc)]
    fields: Fields = {"loc": loc, "primary": True}
    extra: list[tuple[str, str]] = []
    _ids(work, fields)
    title = plain_text(work.get("title")) or plain_text(work.get("display_name"))
    if not (title or fields.get("openalex") or fields.get("doi")):
        return [Problem("OpenAlex work without an ID, a DOI or a title", loc)]
    fields["title"] = title
    kind = text_of(work.get("type"))
    if kind:
        if kind in TYPES:
            fields["types"] = (TYPES[kind],)
        extra.append(("type", kind))
    _dates(work, fields)
    _source(work, fields)
    _biblio(as_dict(work.get("biblio")), fields)
    fields["authors"] = tuple(
        p for p in (_author(a) for a in as_list(work.get("authorships"))) if p is not None
    )
    fields["abstract"] = inverted_abstract(work.get("abstract_inverted_index"))
    fields["language"] = text_of(work.get("language"))
    fields["mesh"] = _mesh(work.get("mesh"))
    keywords = [k for k in as_list(work.get("keywords")) if isinstance(k, dict)]
    fields["keywords"] = unique(plain_text(k.get("display_name")) for k in keywords)
    fields["grants"] = _grants(work.get("grants"))
    fields["free_full_text"] = as_dict(work.get("open_access")).get("is_oa") is True
    extra.extend(_extra(work))
    fields["extra"] = unique(extra)
    paper = Paper(**fields)
    records: list[Record] = [paper]
    records.extend(_listed(work.get("referenced_works"), paper, "cites", loc))
    records.extend(_listed(work.get("related_works"), paper, "similar", loc))
    counts = _counts(work, paper, loc)
    if counts is not None:
        records.append(counts)
    return records


def _ids(work: dict[str, Any], fields: Fields) -> None:
    """``id``, ``doi`` and the ``ids`` URLs, each normalised with kg.ids (bad ones dropped)."""
    ids = as_dict(work.get("ids"))
    given = {"openalex": work.get("id"), "doi": work.get("doi")}
    for key, (name, normalize) in IDS.items():
        for value in (ids.get(key), given.get(key)):
            found = normalize(text_of(value))
            if found:
                fields[name] = found
                break


def _dates(work: dict[str, Any], fields: Fields) -> None:
    """``publication_year`` and ``publication_date`` ("2018-02-13" -> "2018 Feb 13")."""
    year = work.get("publication_year")
    if isinstance(year, int) and not isinstance(year, bool):
        fields["year"] = year
    match = _ISO_DATE.match(text_of(work.get("publication_date")) or "")
    if match:
        fields["date"] = month_date(*match.groups())
        fields.setdefault("year", int(match[1]))


def _source(work: dict[str, Any], fields: Fields) -> None:
    """The journal of ``primary_location.source`` (either may be null), ISSN-L first."""
    source = as_dict(as_dict(work.get("primary_location")).get("source"))
    title = plain_text(source.get("display_name"))
    issns = unique(issn(v) for v in [source.get("issn_l"), *as_list(source.get("issn"))])
    if title or issns:
        fields["journal"] = Journal(title=title, issns=issns)
    if _PUBLISHER_ID.match(text_of(source.get("host_organization")) or ""):
        fields["publisher"] = text_of(source.get("host_organization_name"))


def _biblio(biblio: dict[str, Any], fields: Fields) -> None:
    """Volume, issue and pages "first-last" (a single page when both are the same)."""
    fields["volume"] = text_of(biblio.get("volume"))
    fields["issue"] = text_of(biblio.get("issue"))
    first, last = text_of(biblio.get("first_page")), text_of(biblio.get("last_page"))
    if first and last and first != last:
        fields["pages"] = f"{first}-{last}"
    else:
        fields["pages"] = first or last


def _author(authorship: Any) -> Person | None:
    """An authorship: the author's name and ORCID; raw affiliation strings, else the
    institutions' names."""
    authorship = as_dict(authorship)
    author = as_dict(authorship.get("author"))
    name = text_of(author.get("display_name")) or text_of(authorship.get("raw_author_name"))
    if not name:
        return None
    affiliations = unique(plain_text(a) for a in as_list(authorship.get("raw_affiliation_strings")))
    if not affiliations:
        affiliations = unique(
            plain_text(i.get("display_name"))
            for i in as_list(authorship.get("institutions"))
            if isinstance(i, dict)
        )
    return parse_name(name, orcid=text_of(author.get("orcid")), affiliations=affiliations)


def inverted_abstract(index: Any) -> str | None:
    """The text of an ``abstract_inverted_index``: each word at its positions, in order,
    joined by single spaces (gaps closed); None for null or an empty index."""
    if not isinstance(index, dict):
        return None
    placed: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(positions, list):
            continue
        for position in positions:
            if isinstance(position, int) and not isinstance(position, bool) and position >= 0:
                placed[position] = word
    text = " ".join(placed[p] for p in sorted(placed))
    return text.strip() or None


def _mesh(value: Any) -> tuple[MeshHeading, ...]:
    """One MeshHeading per descriptor: its qualifiers in order, each with its major flag."""
    groups: dict[str, dict[str, Any]] = {}
    for entry in as_list(value):
        if not isinstance(entry, dict):
            continue
        descriptor = text_of(entry.get("descriptor_name"))
        if not descriptor:
            continue
        ui = text_of(entry.get("descriptor_ui"))
        group = groups.setdefault(
            ui or descriptor, {"descriptor": descriptor, "ui": ui, "major": False, "qual": {}}
        )
        major = entry.get("is_major_topic") is True
        qualifier = text_of(entry.get("qualifier_name"))
        if qualifier:
            group["qual"][qualifier] = group["qual"].get(qualifier, False) or major
        else:
            group["major"] = group["major"] or major
    return tuple(
        MeshHeading(
            descriptor=g["descriptor"],
            major=g["major"],
            qualifiers=tuple(g["qual"].items()),
            ui=g["ui"],
        )
        for g in groups.values()
    )


def _grants(value: Any) -> tuple[Grant, ...]:
    """``grants``: Grant(identifier=award_id, agency=funder_display_name)."""
    grants = []
    for entry in as_list(value):
        if not isinstance(entry, dict):
            continue
        award = text_of(entry.get("award_id"))
        agency = text_of(entry.get("funder_display_name"))
        if award or agency:
            grants.append(Grant(identifier=award, agency=agency))
    return unique(grants)


def _extra(work: dict[str, Any]) -> list[tuple[str, str]]:
    """The few short facts of EXTRA_PATHS that have no Paper field (flags only when true)."""
    found = []
    for key, path in EXTRA_PATHS.items():
        value: Any = work
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        if value is True:
            found.append((key, "true"))
        elif (text := text_of(value)) is not None and not isinstance(value, bool):
            found.append((key, text))
    return found


def _listed(value: Any, paper: Paper, kind: str, loc: Loc) -> list[Record]:
    """Cited (``cites``) or related (``similar``, rank = 1-based position) work IDs."""
    records: list[Record] = []
    for rank, entry in enumerate(as_list(value), 1):
        work_id = normalize_openalex(text_of(entry))
        if work_id is None:
            message = f"not an OpenAlex work ID in the {kind} list: {entry!r:.80}"
            records.append(Problem(message, loc))
            continue
        other = Paper(loc=loc, openalex=work_id)
        records.append(other)
        records.append(
            Relation(kind, paper.ref, other.ref, loc=loc, rank=rank if kind == "similar" else None)
        )
    return records


def _counts(work: dict[str, Any], paper: Paper, loc: Loc) -> CitationCounts | None:
    """``cited_by_count`` (and ``referenced_works_count``) as of ``updated_date``."""
    cited = work.get("cited_by_count")
    if not isinstance(cited, int) or isinstance(cited, bool):
        return None
    references = work.get("referenced_works_count")
    if not isinstance(references, int) or isinstance(references, bool):
        references = None
    updated = text_of(work.get("updated_date"))
    return CitationCounts(
        paper=paper.ref,
        source_name="openalex",
        loc=loc,
        cited_by=cited,
        references=references,
        date=updated[:10] if updated else None,
    )
