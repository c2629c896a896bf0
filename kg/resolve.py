"""Identity resolution: many records, one node per real paper, person and journal.

Papers meet on any identifier they share (DOI, PMID, PMCID, OpenAlex ID: union-find, so the
merge is transitive); a paper with none is keyed on its normalised title, year and first
author, and joins an identified paper with the same title and year (and first author, when
both give one) when exactly one such paper exists. A group holding two different values of one
identifier (two DOIs for one PMID) is reported as a :class:`Conflict`, never silently settled.

The merged paper takes each field from the most authoritative record that has it, by
:data:`SOURCE_PRIORITY`; ties are broken by the source's content hash and line, never by file
order, so the result does not depend on the order of the inputs. :func:`resolve_sources` gives,
besides the merged view, what each source said on its own, under the same IRIs.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal

from rdflib import URIRef

from .iris import (
    Minter,
    doi_iri,
    fold,
    openalex_iri,
    orcid_iri,
    person_key,
    pmcid_iri,
    pmid_iri,
    slug,
    work_key,
)
from .records import (
    CitationCounts,
    CitationStatement,
    Extraction,
    Journal,
    Loc,
    Paper,
    PaperRef,
    Person,
    Record,
    Relation,
    Source,
)

# Whose word counts for a paper's title, year, journal …: a paper's record in a bibliographic
# database first, then registries, then page copies, then reference managers. Within one
# format, the paper's own record beats a list entry, which beats a free-text reference.
SOURCE_PRIORITY = (
    "pubmed_xml",
    "medline",
    "crossref_json",
    "openalex_json",
    "europepmc_json",
    "semanticscholar_json",
    "opencitations_json",
    "pubmed_page",
    "scite_page",
    "ris",
    "bibtex",
    "pubmed_elink",
)
_PRIORITY = {name: rank for rank, name in enumerate(SOURCE_PRIORITY)}
ID_KINDS = ("doi", "pmid", "pmcid", "openalex")
# Unidentified references join an identified paper on a title at least this long (folded),
# so that "Editorial" or "Erratum" never glue papers together.
MIN_TITLE_MATCH = 20


def ref_keys(ref: PaperRef) -> tuple[str, ...]:
    """The identity keys of a reference: its identifiers, or its title/year/author hash."""
    doi, pmid, pmcid, openalex = ref.doi, ref.pmid, ref.pmcid, ref.openalex  # ID_KINDS
    if not (doi or pmid or pmcid or openalex):
        return ("work:" + work_key(ref.title, ref.year, ref.first_author),)
    keys = []  # (run for every reference: a list, cheaper than a generator here)
    if doi:
        keys.append("doi:" + doi)
    if pmid:
        keys.append("pmid:" + pmid)
    if pmcid:
        keys.append("pmcid:" + pmcid)
    if openalex:
        keys.append("openalex:" + openalex)
    return tuple(keys)


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
class MergedJournal:
    iri: URIRef
    journal: Journal


@dataclass(frozen=True)
class ResolvedRelation:
    kind: str
    subject: URIRef
    object: URIRef
    rank: int | None
    sources: tuple[Source, ...]
    score: Decimal | None = None  # the highest score the sources give the pair


# What the sources say of one relation: the smallest rank, the highest score, who said it.
_Ranked = tuple[int | None, Decimal | None, set[Source]]


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
class Conflict:
    """Two sources disagree on an identifier of what they say is one paper."""

    iri: URIRef
    kind: str  # "doi", "pmid", "pmcid", "openalex"
    kept: str
    values: tuple[tuple[str, Loc], ...]  # every value with the first place it was read

    def describe(self) -> str:
        said = ", ".join(f"{v} ({loc.path}:{loc.line})" for v, loc in self.values)
        return f"conflict: {self.iri} has {len(self.values)} {self.kind}s: {said}; kept {self.kept}"


@dataclass(frozen=True)
class Resolved:
    """The merged view of a build: everything keyed by its final IRI, in a stable order."""

    papers: tuple[MergedPaper, ...]
    people: dict[Person, MergedPerson]  # every author as printed -> its merged node
    journals: dict[Journal, MergedJournal]  # every journal as printed -> its merged node
    relations: tuple[ResolvedRelation, ...]
    statements: tuple[ResolvedStatement, ...]
    counts: tuple[ResolvedCounts, ...]
    sources: tuple[Source, ...]
    conflicts: tuple[Conflict, ...] = ()

    def person(self, person: Person) -> MergedPerson:
        return self.people[person]

    def journal(self, journal: Journal) -> MergedJournal:
        return self.journals[journal]


def _tier(paper: Paper) -> int:
    """0: the paper's own record; 1: an entry of a list; 2: a free-text reference."""
    if paper.primary:
        return 0
    return 2 if paper.citation_text else 1


def _authority(item: tuple[Source, Paper]) -> tuple[int, int, str, int]:
    source, paper = item
    rank = _PRIORITY.get(source.format, len(_PRIORITY))
    return (_tier(paper), rank, source.sha256, paper.loc.line)


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
    "book_title",
    "publisher",
)
_UNIONS = ("types", "mesh", "keywords", "grants", "extra")


def merge_papers(ordered: Sequence[tuple[Source, Paper]], ref: PaperRef) -> Paper:
    """One paper from all the records of it, given in order of authority (``_authority``)."""
    values: dict[str, object] = {}
    for name in _SCALARS:
        values[name] = next((getattr(p, name) for _, p in ordered if getattr(p, name)), None)
    for name in _UNIONS:
        seen: dict[object, None] = {}
        for _, p in ordered:
            seen.update(dict.fromkeys(getattr(p, name)))
        values[name] = tuple(seen)
    values["authors"] = next((p.authors for _, p in ordered if p.authors), ())
    values["editors"] = next((p.editors for _, p in ordered if p.editors), ())
    values["free_full_text"] = any(p.free_full_text for _, p in ordered)
    return Paper(
        loc=ordered[0][1].loc,
        primary=any(p.primary for _, p in ordered),
        doi=ref.doi,
        pmid=ref.pmid,
        pmcid=ref.pmcid,
        openalex=ref.openalex,
        **values,  # type: ignore[arg-type]
    )


def paper_iri(ref: PaperRef, minter: Minter) -> URIRef:
    """The IRI a (merged) reference gets, by the contract's priority: DOI, PMID, PMCID,
    OpenAlex ID, hash."""
    if ref.doi:
        return doi_iri(ref.doi)
    if ref.pmid:
        return pmid_iri(ref.pmid)
    if ref.pmcid:
        return pmcid_iri(ref.pmcid)
    if ref.openalex:
        return openalex_iri(ref.openalex)
    return minter.work(ref.title, ref.year, ref.first_author)


def _refs(record: Record) -> Iterator[PaperRef]:
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


def _ordered(extractions: Iterable[Extraction]) -> list[Extraction]:
    return sorted(extractions, key=lambda e: (e.source.sha256, e.source.path))


@dataclass(frozen=True)
class Identity:
    """Who is who in a build: the group of every reference, and each group's IRI."""

    groups: _UnionFind
    iris: dict[str, URIRef]  # group root -> paper IRI
    people: dict[Person, MergedPerson]
    journals: dict[Journal, MergedJournal]
    conflicts: tuple[Conflict, ...]
    roots: dict[PaperRef, str] = field(default_factory=dict)  # every reference's group root
    nodes: dict[int, str] = field(default_factory=dict)  # id of a merged node -> its digest

    def node_key(self, node: MergedPerson | MergedJournal | None) -> str:
        """The digest of a merged person's or journal's values (value_digest), made once for
        each of the build's nodes (which the identity holds: their ids are theirs)."""
        if node is None:
            return "-"
        found = self.nodes.get(id(node))
        if found is None:
            found = self.nodes[id(node)] = value_digest(node)
        return found

    def root(self, ref: PaperRef) -> str:
        found = self.roots.get(ref)
        if found is None:
            found = self.roots[ref] = self.groups.find(ref_keys(ref)[0])
        return found

    def iri(self, ref: PaperRef) -> URIRef:
        return self.iris[self.root(ref)]


def identify(extractions: Iterable[Extraction], minter: Minter) -> Identity:
    """Group every reference of every record into papers, and people and journals too."""
    extractions = _ordered(extractions)
    groups = _UnionFind()
    for extraction in extractions:
        for record in extraction.records:
            for ref in _refs(record):
                groups.union(ref_keys(ref))
    _attach_by_title(extractions, groups)

    items: dict[str, list[tuple[Source, Paper]]] = defaultdict(list)
    refs: dict[str, list[PaperRef]] = defaultdict(list)
    seen: dict[str, dict[str, dict[str, Loc]]] = defaultdict(lambda: defaultdict(dict))
    roots: dict[PaperRef, str] = {}
    for extraction in extractions:
        for record in extraction.records:
            loc = record.loc
            for ref in _refs(record):
                root = roots.get(ref)
                if root is None:
                    root = roots[ref] = groups.find(ref_keys(ref)[0])
                refs[root].append(ref)
                for kind in ID_KINDS:
                    if value := getattr(ref, kind):
                        seen[root][kind].setdefault(value, loc)
            if isinstance(record, Paper):
                items[roots[record.ref]].append((extraction.source, record))

    iris: dict[str, URIRef] = {}
    conflicts: list[Conflict] = []
    for root in sorted(refs):
        ref = _merged_ref(refs[root], sorted(items.get(root, ()), key=_authority))
        iris[root] = iri = paper_iri(ref, minter)
        for kind in ID_KINDS:
            values = seen[root][kind]
            if len(values) > 1:
                listed = tuple(sorted(values.items()))
                conflicts.append(Conflict(iri, kind, getattr(ref, kind), listed))
    everything = [(s, p) for group in items.values() for s, p in group]
    return Identity(
        groups,
        iris,
        _resolve_people(everything, minter),
        _resolve_journals(everything, minter),
        tuple(sorted(conflicts, key=lambda c: (c.iri, c.kind))),
        roots,
    )


def _attach_by_title(extractions: list[Extraction], groups: _UnionFind) -> None:
    """Join each unidentified reference to the one identified paper with its title and year."""
    identified: dict[tuple[str, int], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    unidentified: list[PaperRef] = []
    for extraction in extractions:
        for record in extraction.records:
            for ref in _refs(record):
                if not (ref.title and ref.year):
                    continue
                title = fold(ref.title)
                if len(title) < MIN_TITLE_MATCH:
                    continue
                if ref.has_id:
                    root = groups.find(ref_keys(ref)[0])
                    identified[title, ref.year][root].add(fold(ref.first_author or ""))
                else:
                    unidentified.append(ref)
    # Roots do not move below: a "work:" key sorts after every identifier key.
    for ref in unidentified:
        candidates = identified.get((fold(ref.title or ""), ref.year or 0), {})
        author = fold(ref.first_author or "")
        matching = [
            root
            for root, authors in sorted(candidates.items())
            if not author or authors & {"", author}
        ]
        if len(matching) == 1:
            groups.union((ref_keys(ref)[0], matching[0]))


@dataclass(frozen=True)
class View:
    """The records of some extractions, read with a build's identity."""

    identity: Identity
    extractions: list[Extraction]

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(extraction.source for extraction in self.extractions)

    def outside(self) -> Iterator[str]:
        """What the view takes from the rest of the build, its records aside: the IRI of each
        reference they make, in order, and the merged node (Identity.node_key) of each
        author, editor and journal their papers name. ``resolve`` is a function of the
        records and of these."""
        identity = self.identity
        people, journals, key = identity.people, identity.journals, identity.node_key
        for extraction in self.extractions:
            for record in extraction.records:
                for ref in _refs(record):
                    yield identity.iri(ref)
                if isinstance(record, Paper):
                    for person in (*record.authors, *record.editors):
                        yield key(people.get(person))
                    if record.journal:
                        yield key(journals.get(record.journal))

    def resolve(self) -> Resolved:
        identity = self.identity
        papers: dict[str, list[tuple[Source, Paper]]] = defaultdict(list)
        refs: dict[str, list[PaperRef]] = defaultdict(list)
        mentions: dict[str, set[Source]] = defaultdict(set)
        relations: dict[tuple[str, URIRef, URIRef], _Ranked] = {}
        statements: dict[tuple[object, ...], ResolvedStatement] = {}
        counts: list[ResolvedCounts] = []
        for extraction in self.extractions:
            source = extraction.source
            for record in extraction.records:
                for ref in _refs(record):
                    root = identity.root(ref)
                    refs[root].append(ref)
                    mentions[root].add(source)
                if isinstance(record, Paper):
                    papers[identity.root(record.ref)].append((source, record))
                elif isinstance(record, Relation):
                    key = (record.kind, identity.iri(record.subject), identity.iri(record.object))
                    rank, score, seen = relations.get(key, (None, None, set()))
                    if record.rank is not None:
                        rank = record.rank if rank is None else min(rank, record.rank)
                    if record.score is not None:
                        score = record.score if score is None else max(score, record.score)
                    relations[key] = (rank, score, seen | {source})
                elif isinstance(record, CitationStatement):
                    cited = identity.iri(record.cited)
                    citing = identity.iri(record.citing) if record.citing else None
                    skey = (cited, citing, record.text, record.section, record.type, record.intents)
                    old = statements.get(skey)
                    sources = (old.sources if old else ()) + (source,)
                    statements[skey] = ResolvedStatement(record, cited, citing, sources)
                elif isinstance(record, CitationCounts):
                    counts.append(ResolvedCounts(record, identity.iri(record.paper), source))

        merged: dict[URIRef, MergedPaper] = {}
        for root, group_refs in refs.items():
            items = sorted(papers.get(root, ()), key=_authority)
            ref = _merged_ref(group_refs, items)
            paper = (
                merge_papers(items, ref)
                if items
                else Paper(
                    doi=ref.doi,
                    pmid=ref.pmid,
                    pmcid=ref.pmcid,
                    openalex=ref.openalex,
                    title=ref.title,
                    year=ref.year,
                )
            )
            sources = tuple(sorted(mentions[root], key=lambda s: (s.sha256, s.path)))
            iri = identity.iris[root]
            merged[iri] = MergedPaper(iri, paper, sources)
        mine = {e.source for e in self.extractions}
        # IRIs are sorted as text (the order is the same): rdflib compares two URIRefs in
        # Python, slow over every paper of a large build
        return Resolved(
            papers=tuple(merged[k] for k in sorted(merged, key=str)),
            people=identity.people,
            journals=identity.journals,
            relations=tuple(
                ResolvedRelation(
                    kind, s, o, rank, tuple(sorted(srcs, key=lambda x: x.sha256)), score
                )
                for (kind, s, o), (rank, score, srcs) in sorted(
                    relations.items(), key=_relation_order
                )
            ),
            statements=tuple(statements[k] for k in sorted(statements, key=repr)),
            counts=tuple(
                sorted(counts, key=lambda c: (c.paper, c.source.sha256, c.counts.loc.line))
            ),
            sources=tuple(sorted(mine, key=lambda s: (s.sha256, s.path))),
            conflicts=tuple(c for c in identity.conflicts if c.iri in merged),
        )


def _relation_order(item: tuple[tuple[str, URIRef, URIRef], object]) -> tuple[str, str, str]:
    kind, subject, obj = item[0]
    return kind, str(subject), str(obj)


def resolve(extractions: Iterable[Extraction], minter: Minter) -> Resolved:
    """The merged view of all the extractions."""
    extractions = _ordered(extractions)
    return View(identify(extractions, minter), extractions).resolve()


def resolve_sources(
    extractions: Iterable[Extraction], minter: Minter
) -> tuple[Resolved, dict[Source, Resolved]]:
    """The merged view, and what each source said on its own, with the same IRIs."""
    merged, each = resolve_lazily(extractions, minter)
    return merged, {source: view.resolve() for source, view in each}


def resolve_lazily(
    extractions: Iterable[Extraction], minter: Minter
) -> tuple[Resolved, Iterator[tuple[Source, View]]]:
    """``resolve_sources``, with each source's view given unresolved when the iterator gets
    to it (in source order), so that one at a time is in memory, and one whose lines are not
    needed is never resolved."""
    extractions = _ordered(extractions)
    identity = identify(extractions, minter)
    return View(identity, extractions).resolve(), _each(identity, extractions)


def _each(identity: Identity, extractions: list[Extraction]) -> Iterator[tuple[Source, View]]:
    """Each source's view, in the order of ``extractions``, which it empties as it goes: a
    source's records are let go of once its view is. Copies of one file (the same content
    hash, next to each other in that order) are one source, and one view of them all, given
    with the first copy's Source: each source's named graph is given once."""
    extractions.reverse()
    while extractions:
        copies = [extractions.pop()]
        while extractions and extractions[-1].source.sha256 == copies[0].source.sha256:
            copies.append(extractions.pop())
        yield copies[0].source, View(identity, copies)


_REF_FIELDS = tuple(f.name for f in fields(PaperRef))


def _ref_order(ref: PaperRef) -> tuple[tuple[bool, object], ...]:
    """A field-by-field key: a field's value before None, read without formatting the
    reference."""
    return tuple((value is None, value) for value in map(ref.__getattribute__, _REF_FIELDS))


def _merged_ref(refs: list[PaperRef], items: Sequence[tuple[Source, Paper]]) -> PaperRef:
    """The identifiers of one group: for each kind, the one the most authoritative record gives
    (``items`` are in order of authority), else the one the first of its references gives (the
    references sorted field by field; a cited paper's hundred equal references sorted once)."""
    ordered = [p.ref for _, p in items] + sorted(set(refs), key=_ref_order)
    pick = {
        name: next((getattr(r, name) for r in ordered if getattr(r, name)), None)
        for name in (*ID_KINDS, "title", "year", "first_author")
    }
    return PaperRef(**pick)


# ---------------------------------------------------------------------------- journals


def _journal_keys(journal: Journal) -> list[str]:
    keys = [f"issn:{issn}" for issn in journal.issns]
    keys += [f"name:{fold(n)}" for n in (journal.abbreviation, journal.title) if n and fold(n)]
    return keys


def _resolve_journals(
    items: list[tuple[Source, Paper]], minter: Minter
) -> dict[Journal, MergedJournal]:
    """Journals meet on an ISSN or a name (title or NLM abbreviation, folded); a record that
    gives two names or a name and an ISSN ties them together."""
    ordered = [p.journal for _, p in sorted(items, key=_authority) if p.journal]
    groups = _UnionFind()
    for journal in ordered:
        keys = _journal_keys(journal)
        if keys:
            groups.union(keys)
    members: dict[str, list[Journal]] = defaultdict(list)
    for journal in dict.fromkeys(ordered):
        keys = _journal_keys(journal)
        if keys:
            members[groups.find(keys[0])].append(journal)
    result: dict[Journal, MergedJournal] = {}
    for group in members.values():
        issns = tuple(dict.fromkeys(i for j in group for i in j.issns))
        merged = Journal(
            title=next((j.title for j in group if j.title), None),
            abbreviation=next((j.abbreviation for j in group if j.abbreviation), None),
            issns=issns,
        )
        if issns:
            iri = minter("journal", "issn-" + issns[0])
        else:
            iri = minter("journal", slug(merged.abbreviation or merged.title or ""))
        for journal in group:
            result[journal] = MergedJournal(iri, merged)
    return result


# ---------------------------------------------------------------------------- people


def _person_name_key(person: Person) -> str:
    if person.collective:
        return "group:" + slug(person.name)
    return "person:" + person_key(person.family or person.name, person.initials)


def _fullness(person: Person) -> tuple[int, int, int, str]:
    return (
        int(bool(person.given)),
        len(person.given or ""),
        len(person.affiliations),
        person.name,
    )


def _resolve_people(
    items: list[tuple[Source, Paper]], minter: Minter
) -> dict[Person, MergedPerson]:
    everyone = [a for _, p in items for a in (*p.authors, *p.editors)]
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
    for person in dict.fromkeys(everyone):
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


def value_digest(value: object) -> str:
    """The SHA-256 of ``value``'s pickle, written with no memo: equal values give the same
    digest, whichever objects hold them and however they share their parts."""
    digest = hashlib.sha256()
    pickler = pickle.Pickler(_Hashing(digest), pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: an object met twice is written twice
    pickler.dump(value)
    return digest.hexdigest()


class _Hashing:
    """A file that hashes what is written to it."""

    def __init__(self, digest: hashlib._Hash) -> None:
        self.write = digest.update
