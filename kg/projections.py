"""networkx projections of a built graph: what the views (the map, kg stats/path/neighbors, the
GraphML/GEXF/Cytoscape/VOSviewer/CSV exports) work on.

``network(graph, kind)`` reads the merged graph from Oxigraph with a handful of SPARQL queries
(one per table, not one per node) and returns a networkx graph whose node ids are strings
(``doi:…``, ``pmid:…``, ``person:…``) and whose attributes are plain values (see PROJECTIONS).
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Graph

if TYPE_CHECKING:
    import networkx as nx

from .errors import GraphError
from .vocab import CHARACTERIZATIONS, PREFIXES, RELATION_PROPERTIES

# Papers with more authors than this give no co-authorship links (VOSviewer's default is 25):
# one consortium paper would otherwise join thousands of people into one clique.
COAUTHOR_MAX_AUTHORS = 25

# The statement relation of each CiTO characterization (scite's words).
STATEMENT_TYPES = {str(iri): name for name, iri in CHARACTERIZATIONS.items()}

# Paper id prefixes, in the order a paper is named by them.
_PAPER_ID_PROPERTIES = (("doi", "prism:doi"), ("pmid", "fabio:hasPubMedId"))
_PREFIX = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())

# Literal properties of a paper -> node attribute.
_PAPER_FIELDS = {
    "title": "dcterms:title",
    "citation": "dcterms:bibliographicCitation",
    "doi": "prism:doi",
    "pmid": "fabio:hasPubMedId",
    "pmcid": "fabio:hasPubMedCentralId",
    "year": "fabio:hasPublicationYear",
    "openalex": "kgo:openAlexId",
}

GraphSource = ox.Store | Graph | str | os.PathLike[str]


@dataclass
class Tables:
    """The merged graph read once, as rows the projections are made from."""

    papers: dict[str, dict[str, Any]] = field(default_factory=dict)  # IRI -> attributes
    authors: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # paper -> people
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    journals: dict[str, dict[str, Any]] = field(default_factory=dict)
    published_in: dict[str, str] = field(default_factory=dict)  # paper -> journal
    relations: list[tuple[str, str, str]] = field(default_factory=list)  # (s, relation, o)
    ranks: dict[tuple[str, str], int] = field(default_factory=dict)  # similar (s, o) -> rank
    statements: dict[str, dict[str, Any]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)  # IRI -> node id

    def node(self, iri: str) -> str:
        return self.ids[iri]


# ---------------------------------------------------------------------------- reading


def as_store(graph: GraphSource) -> ox.Store:
    """An Oxigraph store for a store, an rdflib graph (copied), or a path (as ``-g`` takes)."""
    if isinstance(graph, ox.Store):
        return graph
    if isinstance(graph, Graph):
        store = ox.Store()
        data = graph.serialize(format="nt", encoding="utf-8")
        if data.strip():
            store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
        return store
    from .store import open_graph

    return open_graph(Path(graph))


def rows(store: ox.Store, query: str) -> Iterator[tuple[Any, ...]]:
    for solution in store.query(_PREFIX + query):
        yield tuple(None if term is None else term.value for term in solution)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def read_tables(store: ox.Store) -> Tables:
    """Every table the projections need, each with one query."""
    t = Tables()
    for (p,) in rows(store, "SELECT ?p { ?p a kgo:Paper }"):
        t.papers[p] = {"kind": "paper", "iri": p}
    values = " ".join(_PAPER_FIELDS.values())
    names = {prop.split(":")[1]: name for name, prop in _PAPER_FIELDS.items()}
    # each property's triples, the papers' picked out here: faster than Oxigraph's join
    query = f"SELECT ?p ?prop ?v {{ VALUES ?prop {{ {values} }} ?p ?prop ?v }}"
    for p, prop, value in rows(store, query):
        attrs = t.papers.get(p)
        if attrs is None:
            continue
        name = names[_local(prop)]
        if name == "year":
            year = _int(value[:4])
            if year is not None:
                attrs["year"] = min(attrs.get("year", year), year)
        elif name not in attrs or value < attrs[name]:  # one value, the same every time
            attrs[name] = value
    for p, cls in rows(
        store,
        "SELECT ?p ?c { ?p a kgo:Paper , ?c . FILTER(?c != kgo:Paper && ?c != fabio:Expression) }",
    ):
        attrs = t.papers[p]
        if "type" not in attrs or _local(cls) < attrs["type"]:
            attrs["type"] = _local(cls)
    for p, value in rows(
        store,
        "SELECT ?p (MAX(?v) AS ?n) { ?p a kgo:Paper ; c4o:hasGlobalCitationFrequency ?c . "
        "?c c4o:hasGlobalCountValue ?v } GROUP BY ?p",
    ):
        count = _int(value)
        if count is not None:
            t.papers[p]["global_citations"] = count
    _read_people(store, t)
    _read_journals(store, t)
    _read_relations(store, t)
    _read_statements(store, t)
    _name_nodes(t)
    return t


def _read_people(store: ox.Store, t: Tables) -> None:
    # the people and the authorships in two queries joined here: Oxigraph's join of them in
    # one query is slower
    named: dict[str, dict[str, Any]] = {}
    for a, name, family, kind in rows(
        store,
        "SELECT ?a ?name ?family ?kind { VALUES ?kind { foaf:Person foaf:Organization } "
        "?a a ?kind ; foaf:name ?name . OPTIONAL { ?a foaf:familyName ?family } }",
    ):
        person = named.setdefault(a, {"kind": "person", "iri": a, "title": name})
        if len(name) > len(person["title"]) or (
            len(name) == len(person["title"]) and name < person["title"]
        ):
            person["title"] = name
        if family and ("family" not in person or family < person["family"]):
            person["family"] = family
        if kind.endswith("Organization"):
            person["collective"] = True
        if a.startswith("https://orcid.org/"):
            person["orcid"] = _local(a)
    query = "SELECT ?p ?a ?pos { ?p kgo:hasAuthorship ?r . ?r kgo:author ?a ; kgo:position ?pos }"
    for p, a, position in rows(store, query):
        pos = _int(position)
        if pos is None or p not in t.papers or a not in named:
            continue
        t.authors.setdefault(p, []).append((pos, a))
        t.people.setdefault(a, named[a])
    for entries in t.authors.values():
        entries.sort()
    for person in t.people.values():
        person["label"] = person["title"]


def _read_journals(store: ox.Store, t: Tables) -> None:
    for j, title, abbreviation, issn in rows(
        store,
        "SELECT ?j (MIN(?t) AS ?title) (MIN(?a) AS ?abbr) (MIN(?i) AS ?issn) { ?j a fabio:Journal "
        "OPTIONAL { ?j dcterms:title ?t } "
        "OPTIONAL { ?j fabio:hasNLMJournalTitleAbbreviation ?a } "
        "OPTIONAL { ?j prism:issn ?i } } GROUP BY ?j",
    ):
        name = title or abbreviation or _local(j)
        attrs = {"kind": "journal", "iri": j, "title": name, "label": abbreviation or name}
        if issn:
            attrs["issn"] = issn
        t.journals[j] = attrs
    for p, j in rows(store, "SELECT ?p ?j { ?p dcterms:isPartOf ?j }"):
        if p in t.papers and j in t.journals and (p not in t.published_in or j < t.published_in[p]):
            t.published_in[p] = j
    for p, j in t.published_in.items():
        t.papers[p]["journal"] = t.journals[j]["label"]


def _read_relations(store: ox.Store, t: Tables) -> None:
    for relation, (forward, _) in sorted(RELATION_PROPERTIES.items()):
        for s, o in rows(store, f"SELECT ?s ?o {{ ?s <{forward}> ?o }}"):
            if s in t.papers and o in t.papers and s != o:
                t.relations.append((s, relation, o))
    t.relations.sort()
    for s, o, rank in rows(
        store, "SELECT ?s ?o ?r { ?l a kgo:Similarity ; kgo:fromPaper ?s ; kgo:toPaper ?o ; "
        "kgo:rank ?r }"
    ):  # fmt: skip
        value = _int(rank)
        if value is not None:
            t.ranks[(s, o)] = min(t.ranks.get((s, o), value), value)


def _read_statements(store: ox.Store, t: Tables) -> None:
    for c, cited, char, text, citing, section, confidence in rows(
        store,
        "SELECT ?c ?cited ?char ?text ?citing ?section ?conf { ?c a cito:Citation ; "
        "cito:hasCitedEntity ?cited ; cito:hasCitationCharacterization ?char . "
        "OPTIONAL { ?c c4o:hasContent ?text } OPTIONAL { ?c cito:hasCitingEntity ?citing } "
        "OPTIONAL { ?c kgo:section ?section } OPTIONAL { ?c kgo:confidence ?conf } }",
    ):
        if cited not in t.papers:
            continue
        kind = STATEMENT_TYPES.get(char, _local(char))
        # a statement with several characterizations (one per intent) takes a scite type if
        # it has one, else the first name in order
        if c in t.statements and _type_order(t.statements[c]["type"]) <= _type_order(kind):
            continue
        attrs: dict[str, Any] = {
            "kind": "statement",
            "iri": c,
            "type": kind,
            "title": text or kind,
            "cited_iri": cited,
        }
        if citing in t.papers:
            attrs["citing_iri"] = citing
        if section:
            attrs["section"] = section
        if (value := _float(confidence)) is not None:
            attrs["confidence"] = value
        t.statements[c] = attrs


def _type_order(kind: str) -> tuple[bool, str]:
    """Which of a statement's characterizations names its type: scite's first, then by name."""
    return kind not in STATEMENT_TYPES.values(), kind


def paper_id(attrs: dict[str, Any]) -> str:
    """A paper's node id: ``doi:…``, ``pmid:…``, ``pmcid:…``, ``openalex:W…`` or ``work:…``."""
    for key in ("doi", "pmid", "pmcid", "openalex"):
        if attrs.get(key):
            return f"{key}:{attrs[key]}"
    return "work:" + _local(attrs["iri"])


def _name_nodes(t: Tables) -> None:
    for iri, attrs in t.papers.items():
        t.ids[iri] = paper_id(attrs)
    for iri, attrs in t.people.items():
        t.ids[iri] = f"orcid:{attrs['orcid']}" if "orcid" in attrs else f"person:{_local(iri)}"
    for iri in t.journals:
        t.ids[iri] = f"journal:{_local(iri)}"
    for iri in t.statements:
        t.ids[iri] = f"statement:{_local(iri)}"


# ---------------------------------------------------------------------------- attributes


def _paper_attrs(t: Tables) -> dict[str, dict[str, Any]]:
    """Node attributes of every paper, with its authors, label and in-graph counts."""
    cited_by: Counter[str] = Counter()
    references: Counter[str] = Counter()
    for s, relation, o in t.relations:
        if relation == "cites":
            cited_by[o] += 1
            references[s] += 1
    out = {}
    for iri, source in t.papers.items():
        attrs = {k: v for k, v in source.items() if k not in ("citation", "openalex")}
        people = [t.people[a] for _, a in t.authors.get(iri, ())]
        attrs["authors"] = tuple(person["title"] for person in people)
        attrs["title"] = source.get("title") or source.get("citation") or t.ids[iri]
        first = people[0].get("family", people[0]["title"]) if people else None
        attrs["label"] = _label(attrs["title"], first, attrs.get("year"))
        attrs["cited_by"] = cited_by[iri]
        attrs["references"] = references[iri]
        out[t.ids[iri]] = attrs
    return out


def _label(title: str, first_family: str | None, year: int | None) -> str:
    if first_family:
        return f"{first_family} {year}" if year else first_family
    return title if len(title) <= 40 else title[:39] + "…"


def _people_attrs(t: Tables) -> dict[str, dict[str, Any]]:
    papers: Counter[str] = Counter(a for entries in t.authors.values() for _, a in set(entries))
    return {
        t.ids[iri]: {**{k: v for k, v in a.items() if k != "family"}, "papers": papers[iri]}
        for iri, a in t.people.items()
    }


def _journal_attrs(t: Tables) -> dict[str, dict[str, Any]]:
    papers = Counter(t.published_in.values())
    return {t.ids[iri]: {**a, "papers": papers[iri]} for iri, a in t.journals.items()}


def _statement_attrs(t: Tables) -> dict[str, dict[str, Any]]:
    out = {}
    for iri, source in t.statements.items():
        attrs = {k: v for k, v in source.items() if not k.endswith("_iri")}
        attrs["cited"] = t.ids[source["cited_iri"]]
        section = f" ({source['section']})" if "section" in source else ""
        attrs["label"] = f"{source['type']}{section}"
        out[t.ids[iri]] = attrs
    return out


# ---------------------------------------------------------------------------- projections


def _add_nodes(net: nx.Graph, nodes: dict[str, dict[str, Any]]) -> None:
    for node_id in sorted(nodes):
        net.add_node(node_id, **nodes[node_id])


def _add_weighted(
    net: nx.Graph, pairs: Counter[tuple[str, str]], relation: str, min_weight: int = 1
) -> None:
    """A link for each pair of weight ``min_weight`` or more (the lighter ones, most of the
    pairs a large graph counts, are never made)."""
    kept = ((pair, weight) for pair, weight in pairs.items() if weight >= min_weight)
    for (a, b), weight in sorted(kept):  # only the kept pairs are sorted
        net.add_edge(a, b, relation=relation, weight=weight)


def _citation(t: Tables) -> nx.DiGraph:
    import networkx as nx

    net = nx.DiGraph()
    _add_nodes(net, _paper_attrs(t))
    for s, relation, o in t.relations:
        if relation == "cites":
            net.add_edge(t.node(s), t.node(o), relation="cites", weight=1)
    return net


def _similarity(t: Tables) -> nx.Graph:
    import networkx as nx

    net = nx.Graph()
    _add_nodes(net, _paper_attrs(t))
    for s, relation, o in t.relations:
        if relation != "similar":
            continue
        a, b = t.node(s), t.node(o)
        rank = t.ranks.get((s, o))
        data = net.get_edge_data(a, b)
        if data is None:
            net.add_edge(a, b, relation="similar", weight=1)
            data = net.edges[a, b]
        else:
            data["weight"] += 1  # each paper lists the other
        if rank is not None:
            data["rank"] = min(data.get("rank", rank), rank)
    return net


def _groups(t: Tables, key: int) -> dict[str, set[str]]:
    """Citing papers' reference sets (key=0) or cited papers' citing sets (key=1)."""
    out: dict[str, set[str]] = defaultdict(set)
    for s, relation, o in t.relations:
        if relation == "cites":
            pair = (t.node(s), t.node(o))
            out[pair[key]].add(pair[1 - key])
    return out


def _pairs(groups: Iterable[Iterable[str]]) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for members in groups:
        counts.update(combinations(sorted(members), 2))
    return counts


def _cocitation(t: Tables, min_weight: int = 1) -> nx.Graph:
    """Two papers are co-cited once for each paper that cites both."""
    import networkx as nx

    net = nx.Graph()
    _add_nodes(net, _paper_attrs(t))
    _add_weighted(net, _pairs(_groups(t, 0).values()), "cocited", min_weight)
    return net


def _coupling(t: Tables, min_weight: int = 1) -> nx.Graph:
    """Two papers are coupled once for each reference they share."""
    import networkx as nx

    net = nx.Graph()
    _add_nodes(net, _paper_attrs(t))
    _add_weighted(net, _pairs(_groups(t, 1).values()), "coupled", min_weight)
    return net


def _coauthorship(t: Tables, min_weight: int = 1) -> nx.Graph:
    import networkx as nx

    net = nx.Graph(max_authors=COAUTHOR_MAX_AUTHORS)
    _add_nodes(net, _people_attrs(t))
    teams = (
        {t.node(a) for _, a in entries}
        for entries in t.authors.values()
        if len({a for _, a in entries}) <= COAUTHOR_MAX_AUTHORS
    )
    _add_weighted(net, _pairs(teams), "coauthor", min_weight)
    return net


def _authorship(t: Tables) -> nx.Graph:
    import networkx as nx

    net = nx.Graph()
    _add_nodes(net, {k: {**v, "bipartite": 0} for k, v in _people_attrs(t).items()})
    _add_nodes(net, {k: {**v, "bipartite": 1} for k, v in _paper_attrs(t).items()})
    for p, entries in sorted(t.authors.items()):
        for position, a in entries:
            if not net.has_edge(t.node(a), t.node(p)):
                net.add_edge(t.node(a), t.node(p), relation="authored", position=position)
    return net


def _journals(t: Tables, min_weight: int = 1) -> nx.DiGraph:
    """Journal -> journal, weighted by how often the first's papers cite the second's."""
    import networkx as nx

    net = nx.DiGraph()
    _add_nodes(net, _journal_attrs(t))
    counts: Counter[tuple[str, str]] = Counter()
    for s, relation, o in t.relations:
        if relation == "cites" and s in t.published_in and o in t.published_in:
            counts[(t.node(t.published_in[s]), t.node(t.published_in[o]))] += 1
    _add_weighted(net, counts, "cites", min_weight)
    return net


def _full(t: Tables) -> nx.MultiDiGraph:
    """Everything the map shows: papers, people, journals and citation statements."""
    import networkx as nx

    net = nx.MultiDiGraph()
    for nodes in (_paper_attrs(t), _people_attrs(t), _journal_attrs(t), _statement_attrs(t)):
        _add_nodes(net, nodes)
    for s, relation, o in t.relations:
        attrs: dict[str, Any] = {"relation": relation, "weight": 1}
        if relation == "similar" and (s, o) in t.ranks:
            attrs["rank"] = t.ranks[(s, o)]
        net.add_edge(t.node(s), t.node(o), key=relation, **attrs)
    for p, entries in sorted(t.authors.items()):
        for position, a in entries:
            net.add_edge(t.node(a), t.node(p), key="authored", relation="authored", weight=1,
                         position=position)  # fmt: skip
    for p, j in sorted(t.published_in.items()):
        net.add_edge(t.node(p), t.node(j), key="published_in", relation="published_in", weight=1)
    for c, attrs in sorted(t.statements.items()):
        kind = attrs["type"]
        net.add_edge(t.node(c), t.node(attrs["cited_iri"]), key=kind, relation=kind, weight=1)
        if "citing_iri" in attrs:
            net.add_edge(t.node(attrs["citing_iri"]), t.node(c), key=kind, relation=kind, weight=1)
    return net


PROJECTIONS: dict[str, tuple[Callable[..., nx.Graph], str]] = {
    "full": (_full, "papers, people, journals and citation statements, every relation"),
    "citation": (_citation, "papers; A -> B when A cites B"),
    "similarity": (_similarity, "papers; linked when a source lists one as similar to the other"),
    "cocitation": (_cocitation, "papers; weight = papers citing both"),
    "coupling": (_coupling, "papers; weight = references shared"),
    "coauthorship": (_coauthorship, "people; weight = joint papers"),
    "authorship": (_authorship, "people and papers (bipartite); person - paper they wrote"),
    "journals": (_journals, "journals; A -> B weighted by citations from A's papers to B's"),
}


# The projections whose links count something (co-citations, shared references, joint
# papers, citations between journals): they can leave out the lighter links.
WEIGHTED = ("cocitation", "coupling", "coauthorship", "journals")


def network(graph: GraphSource, kind: str = "citation", *, min_weight: int = 1) -> nx.Graph:
    """The ``kind`` projection (see PROJECTIONS) of a built graph: an Oxigraph store, an rdflib
    graph, or a path as ``-g`` takes (a build folder or an RDF file). In a WEIGHTED projection,
    only the links of weight ``min_weight`` or more are made; every node is kept."""
    if kind not in PROJECTIONS:
        known = ", ".join(PROJECTIONS)
        raise GraphError(f"unknown projection {kind!r} (known: {known})")
    if min_weight < 1 or (min_weight > 1 and kind not in WEIGHTED):
        raise GraphError(
            f"a minimum weight is for the weighted projections ({', '.join(WEIGHTED)}), "
            f"at least 1; not {min_weight} for {kind}"
        )
    make = PROJECTIONS[kind][0]
    tables = read_tables(as_store(graph))
    net = make(tables, min_weight) if kind in WEIGHTED else make(tables)
    net.graph["projection"] = kind
    return net
