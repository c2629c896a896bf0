"""networkx projections of the graph: what the views (the HTML map) draw."""

from __future__ import annotations

import networkx as nx
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

from .rdf import RELATION_PROPERTIES
from .vocab import CITO, FABIO, KGO, PRISM

# The forward property of each relation kind (the mapping's own table) -> the kind.
EDGE_PROPERTIES = {forward: kind for kind, (forward, _) in RELATION_PROPERTIES.items()}


def node_id(graph: Graph, paper: URIRef) -> str:
    """A paper's id in a view: ``doi:…``, ``pmid:…``, ``pmcid:…`` or ``work:…``; always a string."""
    for prop, prefix in (
        (PRISM.doi, "doi"),
        (FABIO.hasPubMedId, "pmid"),
        (FABIO.hasPubMedCentralId, "pmcid"),
    ):
        value = graph.value(paper, prop)
        if value is not None:
            return f"{prefix}:{value}"
    return "work:" + str(paper).rsplit("/", 1)[-1]


def _authors(graph: Graph, paper: URIRef) -> list[tuple[int, str, str]]:
    """(position, name, family name or name) of each author, in order."""
    ranked = []
    for role in graph.objects(paper, KGO.hasAuthorship):
        person = graph.value(role, KGO.author)
        position = graph.value(role, KGO.position)
        name = graph.value(person, FOAF.name) if person is not None else None
        if name is not None and position is not None:
            family = graph.value(person, FOAF.familyName) or name
            ranked.append((int(position), str(name), str(family)))
    return sorted(ranked)


def _label(title: str, first_family: str | None, year: int | None) -> str:
    if first_family:
        return f"{first_family} {year}" if year else first_family
    return title if len(title) <= 40 else title[:39] + "…"


def citation_network(graph: Graph) -> nx.MultiDiGraph:
    """Papers and the relations between them (cites, similar, discusses, …)."""
    net = nx.MultiDiGraph()
    papers = sorted(set(graph.subjects(RDF.type, KGO.Paper)))
    ids = {paper: node_id(graph, paper) for paper in papers}
    for paper in papers:
        title = str(
            graph.value(paper, DCTERMS.title)
            or graph.value(paper, DCTERMS.bibliographicCitation)
            or ids[paper]
        )
        year_literal = graph.value(paper, FABIO.hasPublicationYear)
        year = int(str(year_literal)) if year_literal is not None else None
        journal = graph.value(paper, DCTERMS.isPartOf)
        journal_name = None
        if journal is not None:
            journal_name = graph.value(
                journal, FABIO.hasNLMJournalTitleAbbreviation
            ) or graph.value(journal, DCTERMS.title)
        ranked = _authors(graph, paper)
        authors = tuple(name for _, name, _ in ranked)
        attrs = {
            "kind": "paper",
            "iri": str(paper),
            "title": title,
            "label": _label(title, ranked[0][2] if ranked else None, year),
            "year": year,
            "journal": str(journal_name) if journal_name is not None else None,
            "doi": _str(graph.value(paper, PRISM.doi)),
            "pmid": _str(graph.value(paper, FABIO.hasPubMedId)),
            "authors": authors,
            "cited_by": len(set(graph.subjects(CITO.cites, paper))),
        }
        net.add_node(ids[paper], **{k: v for k, v in attrs.items() if v is not None})
    for prop, relation in EDGE_PROPERTIES.items():
        for s, o in sorted(graph.subject_objects(prop)):
            if s in ids and o in ids:
                net.add_edge(ids[s], ids[o], key=relation, relation=relation)
    return net


def _str(value: object) -> str | None:
    return None if value is None else str(value)
