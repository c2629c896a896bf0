"""Identity resolution: many records, one node per real paper and per person.

Papers meet on any identifier they share (DOI, PMID, PMCID: union-find); a paper with none is
keyed on its normalised title, year and first author. The merged paper takes each field from
the most authoritative record that has it: a paper's own page before a page that only lists
it; ties broken by the source's content hash and line, never by file order, so the result does
not depend on the order of the inputs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from rdflib import URIRef

from .iris import Minter, doi_iri, orcid_iri, person_key, pmcid_iri, pmid_iri, slug, work_key
from .records import (
    CitationCounts,
    CitationStatement,
    Extraction,
    Paper,
    PaperRef,
    Person,
    Relation,
    Source,
)


def ref_keys(ref: PaperRef) -> tuple[str, ...]:
    """The identity keys of a reference: its identifiers, or its title/year/author hash."""
    keys = tuple(
        f"{name}:{value}"
        for name, value in (("doi", ref.doi), ("pmid", ref.pmid), ("pmcid", ref.pmcid))
        if value
    )
    return keys or ("work:" + work_key(ref.title, ref.year, ref.first_author),)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        root = self.parent.setdefault(key, key)
        while root != self.parent[root]:
            root = self.parent[root]
        while key != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, keys: Iterable[str]) -> None:
        roots = sorted({self.find(k) for k in keys})
        for other in roots[1:]:
            self.parent[other] = roots[0]


@dataclass(frozen=True)
class MergedPaper:
    iri: URIRef
    paper: Paper
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class MergedPerson:
    iri: URIRef
    person: Person


@dataclass(frozen=True)
class ResolvedRelation:
    kind: str
    subject: URIRef
    object: URIRef
    rank: int | None
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class ResolvedStatement:
    statement: CitationStatement
    cited: URIRef
    citing: URIRef | None
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class ResolvedCounts:
    counts: CitationCounts
    paper: URIRef
    source: Source


@dataclass(frozen=True)
class Resolved:
    """The merged view of a build: everything keyed by its final IRI, in a stable order."""

    papers: tuple[MergedPaper, ...]
    people: dict[Person, MergedPerson]  # every author as printed -> its merged node
    relations: tuple[ResolvedRelation, ...]
    statements: tuple[ResolvedStatement, ...]
    counts: tuple[ResolvedCounts, ...]
    sources: tuple[Source, ...]

    def person(self, person: Person) -> MergedPerson:
        return self.people[person]


def _authority(item: tuple[Source, Paper]) -> tuple[bool, str, int]:
    source, paper = item
    return (not paper.primary, source.sha256, paper.loc.line)


_SCALARS = (
    "title",
    "journal",
    "year",
    "date",
    "volume",
    "issue",
    "pages",
    "abstract",
    "language",
    "epub_date",
    "citation_text",
)
_UNIONS = ("types", "mesh", "keywords", "grants", "extra")


def merge_papers(items: list[tuple[Source, Paper]], ref: PaperRef) -> Paper:
    """One paper from all the records of it, most authoritative first."""
    ordered = sorted(items, key=_authority)
    values: dict[str, object] = {}
    for name in _SCALARS:
        values[name] = next((getattr(p, name) for _, p in ordered if getattr(p, name)), None)
    for name in _UNIONS:
        seen: dict[object, None] = {}
        for _, p in ordered:
            seen.update(dict.fromkeys(getattr(p, name)))
        values[name] = tuple(seen)
    values["authors"] = next((p.authors for _, p in ordered if p.authors), ())
    values["free_full_text"] = any(p.free_full_text for _, p in ordered)
    return Paper(
        loc=ordered[0][1].loc,
        primary=any(p.primary for _, p in ordered),
        doi=ref.doi,
        pmid=ref.pmid,
        pmcid=ref.pmcid,
        **values,  # type: ignore[arg-type]
    )


def paper_iri(ref: PaperRef, minter: Minter) -> URIRef:
    """The IRI a (merged) reference gets, by the contract's priority: DOI, PMID, PMCID, hash."""
    if ref.doi:
        return doi_iri(ref.doi)
    if ref.pmid:
        return pmid_iri(ref.pmid)
    if ref.pmcid:
        return pmcid_iri(ref.pmcid)
    return minter.work(ref.title, ref.year, ref.first_author)


def _refs(record: object) -> Iterator[PaperRef]:
    if isinstance(record, Paper):
        yield record.ref
    elif isinstance(record, Relation):
        yield record.subject
        yield record.object
    elif isinstance(record, CitationStatement):
        yield record.cited
        if record.citing is not None:
            yield record.citing
    elif isinstance(record, CitationCounts):
        yield record.paper


def resolve(extractions: Iterable[Extraction], minter: Minter) -> Resolved:
    extractions = sorted(extractions, key=lambda e: (e.source.sha256, e.source.path))
    groups = _UnionFind()
    for extraction in extractions:
        for record in extraction.records:
            for ref in _refs(record):
                groups.union(ref_keys(ref))

    # Gather the records of each group (root key -> records, sources).
    papers: dict[str, list[tuple[Source, Paper]]] = defaultdict(list)
    refs: dict[str, list[PaperRef]] = defaultdict(list)
    mentions: dict[str, set[Source]] = defaultdict(set)
    for extraction in extractions:
        for record in extraction.records:
            for ref in _refs(record):
                root = groups.find(ref_keys(ref)[0])
                refs[root].append(ref)
                mentions[root].add(extraction.source)
            if isinstance(record, Paper):
                papers[groups.find(ref_keys(record.ref)[0])].append((extraction.source, record))

    iri_of: dict[str, URIRef] = {}
    merged: dict[URIRef, MergedPaper] = {}
    for root, group_refs in refs.items():
        ref = _merged_ref(group_refs, papers.get(root, []))
        iri = paper_iri(ref, minter)
        iri_of[root] = iri
        items = papers.get(root) or []
        paper = (
            merge_papers(items, ref)
            if items
            else Paper(doi=ref.doi, pmid=ref.pmid, pmcid=ref.pmcid, title=ref.title, year=ref.year)
        )
        sources = tuple(sorted(mentions[root], key=lambda s: (s.sha256, s.path)))
        merged[iri] = MergedPaper(iri, paper, sources)

    def iri(ref: PaperRef) -> URIRef:
        return iri_of[groups.find(ref_keys(ref)[0])]

    relations: dict[tuple[str, URIRef, URIRef], tuple[int | None, set[Source]]] = {}
    statements: dict[tuple[object, ...], ResolvedStatement] = {}
    counts: list[ResolvedCounts] = []
    for extraction in extractions:
        source = extraction.source
        for record in extraction.records:
            if isinstance(record, Relation):
                key = (record.kind, iri(record.subject), iri(record.object))
                rank, seen = relations.get(key, (None, set()))
                if record.rank is not None:
                    rank = record.rank if rank is None else min(rank, record.rank)
                relations[key] = (rank, seen | {source})
            elif isinstance(record, CitationStatement):
                cited = iri(record.cited)
                citing = iri(record.citing) if record.citing else None
                skey = (cited, record.text, record.section, record.type)
                old = statements.get(skey)
                sources = (old.sources if old else ()) + (source,)
                statements[skey] = ResolvedStatement(record, cited, citing, sources)
            elif isinstance(record, CitationCounts):
                counts.append(ResolvedCounts(record, iri(record.paper), source))

    ordered_papers = tuple(merged[k] for k in sorted(merged))
    return Resolved(
        papers=ordered_papers,
        people=_resolve_people(ordered_papers, minter),
        relations=tuple(
            ResolvedRelation(kind, s, o, rank, tuple(sorted(srcs, key=lambda x: x.sha256)))
            for (kind, s, o), (rank, srcs) in sorted(relations.items(), key=lambda kv: kv[0])
        ),
        statements=tuple(statements[k] for k in sorted(statements, key=repr)),
        counts=tuple(sorted(counts, key=lambda c: (c.paper, c.source.sha256, c.counts.loc.line))),
        sources=tuple(sorted({e.source for e in extractions}, key=lambda s: (s.sha256, s.path))),
    )


def _merged_ref(refs: list[PaperRef], items: list[tuple[Source, Paper]]) -> PaperRef:
    """The identifiers of one group: for each kind, the one the most authoritative record gives."""
    ordered = [p.ref for _, p in sorted(items, key=_authority)] + sorted(refs, key=repr)
    pick = {
        name: next((getattr(r, name) for r in ordered if getattr(r, name)), None)
        for name in ("doi", "pmid", "pmcid", "title", "year", "first_author")
    }
    return PaperRef(**pick)


def _person_name_key(person: Person) -> str:
    if person.collective:
        return "group:" + slug(person.name)
    family = person.family or person.name
    return "person:" + person_key(family, person.initials)


def _fullness(person: Person) -> tuple[int, int, int, str]:
    return (
        int(bool(person.given)),
        len(person.given or ""),
        len(person.affiliations),
        person.name,
    )


def _resolve_people(papers: tuple[MergedPaper, ...], minter: Minter) -> dict[Person, MergedPerson]:
    everyone = [a for mp in papers for a in mp.paper.authors]
    orcids_by_name: dict[str, set[str]] = defaultdict(set)
    for person in everyone:
        if person.orcid:
            orcids_by_name[_person_name_key(person)].add(person.orcid)

    def key(person: Person) -> str:
        if person.orcid:
            return "orcid:" + person.orcid
        name_key = _person_name_key(person)
        found = orcids_by_name.get(name_key, set())
        return "orcid:" + next(iter(found)) if len(found) == 1 else name_key

    by_key: dict[str, list[Person]] = defaultdict(list)
    for person in everyone:
        by_key[key(person)].append(person)
    result: dict[Person, MergedPerson] = {}
    for k, people in by_key.items():
        best = max(people, key=_fullness)
        kind, _, value = k.partition(":")
        iri = orcid_iri(value) if kind == "orcid" else minter(kind, value)
        merged = replace(best, affiliations=(), orcid=best.orcid or _first_orcid(people))
        for person in people:
            result[person] = MergedPerson(iri, merged)
    return result


def _first_orcid(people: list[Person]) -> str | None:
    return min((p.orcid for p in people if p.orcid), default=None)
