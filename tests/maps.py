"""Graphs for the map tests (tests/test_html.py and tests/test_browser.py), built by hand from
the projection contract: string ids, a ``kind`` on every node, metrics as kg.metrics adds them."""

from __future__ import annotations

import random
from typing import Any

import networkx as nx

AUTHORS = ("Grace Hopper", "Katherine Johnson", "Ada Lovelace", "Alan Turing")

# id, title, year, cited_by, pmid, pagerank, community
PAPERS: list[tuple[str, str, int | None, int, str | None, float, int]] = [
    (
        "pmid:26488904",
        "Social determinants of health equity: a review",
        2015,
        5,
        "26488904",
        0.21,
        0,
    ),
    ("pmid:31000001", "Machine learning for citation screening", 2019, 2, "31000001", 0.12, 1),
    ("pmid:31000002", "Knowledge graphs in biomedicine", 2020, 2, "31000002", 0.09, 1),
    ("pmid:31000003", "Mental health in rural communities", 2018, 0, "31000003", 0.03, 0),
    ("doi:10.1000/kg.5", "Open bibliographic metadata at scale", 2021, 0, None, 0.03, 0),
    ("work:ab12cd34", "An unpublished working paper", None, 0, None, 0.02, 0),
    ("pmid:31000007", "Deep learning for literature mining", 2022, 1, "31000007", 0.05, 1),
    ("pmid:31000009", "A paper nothing links to", 2016, 0, "31000009", 0.01, 2),
]
SAMPLE_EDGES = [
    ("pmid:31000001", "pmid:26488904", "cites"),
    ("pmid:31000002", "pmid:26488904", "cites"),
    ("pmid:31000003", "pmid:26488904", "cites"),
    ("doi:10.1000/kg.5", "pmid:26488904", "cites"),
    ("work:ab12cd34", "pmid:26488904", "cites"),
    ("pmid:31000007", "pmid:31000001", "cites"),
    ("pmid:31000002", "pmid:31000001", "cites"),
    ("pmid:31000007", "pmid:31000002", "cites"),
    ("pmid:31000001", "pmid:31000007", "similar"),
    ("person:hopper", "pmid:31000001", "authored"),
    ("person:turing", "pmid:31000007", "authored"),
    ("pmid:26488904", "journal:ijeh", "published_in"),
    ("statement:s1", "pmid:26488904", "supporting"),
    ("statement:s2", "pmid:31000001", "contrasting"),
    ("statement:s3", "pmid:31000002", "mentioning"),
    ("pmid:31000003", "statement:s1", "discusses"),
]
STATEMENTS = [
    (
        "statement:s1",
        "Equity matters for outcomes [12].",
        "supporting",
        "Discussion",
        0.91,
        "pmid:26488904",
    ),
    (
        "statement:s2",
        "Screening tools missed studies [3].",
        "contrasting",
        "Results",
        0.78,
        "pmid:31000001",
    ),
    (
        "statement:s3",
        "Graphs were used before [7].",
        "mentioning",
        "Introduction",
        0.55,
        "pmid:31000002",
    ),
]


def sample_graph(order: int = 1) -> nx.MultiDiGraph:
    """A "full" map: 8 papers (one undated, one unconnected), 2 people, a journal and
    3 statements; every relation kind of the full map. ``order=-1`` adds everything in reverse."""
    nodes: list[tuple[str, dict[str, Any]]] = []
    for node_id, title, year, cited_by, pmid, pagerank, community in PAPERS:
        attrs: dict[str, Any] = {
            "kind": "paper",
            "label": title.split(":")[0][:28],
            "title": title,
            "authors": AUTHORS,
            "journal": "Int J Equity Health",
            "cited_by": cited_by,
            "references": sum(1 for s, _, r in SAMPLE_EDGES if s == node_id and r == "cites"),
            "global_citations": 10 * cited_by + 3,
            "pagerank": pagerank,
            "community": community,
            "iri": "https://example.org/kg/paper/" + node_id.replace(":", "-"),
        }
        if year:
            attrs["year"] = year
        if pmid:
            attrs["pmid"] = pmid
        if node_id == "pmid:26488904":
            attrs["doi"] = "10.1186/s12939-015-0156-0"
            attrs["pmcid"] = "PMC4618537"
        if node_id.startswith("doi:"):
            attrs["doi"] = node_id[4:]
        nodes.append((node_id, attrs))
    nodes += [
        (
            "person:hopper",
            {
                "kind": "person",
                "label": "Grace Hopper",
                "title": "Grace Hopper",
                "orcid": "0000-0002-1825-0097",
                "papers": 1,
                "pagerank": 0.04,
                "community": 1,
            },
        ),
        (
            "person:turing",
            {
                "kind": "person",
                "label": "Alan Turing",
                "title": "Alan Turing",
                "papers": 1,
                "pagerank": 0.04,
                "community": 1,
            },
        ),
        (
            "journal:ijeh",
            {
                "kind": "journal",
                "label": "Int J Equity Health",
                "title": "International Journal for Equity in Health",
                "issn": "1475-9276",
                "papers": 1,
                "pagerank": 0.05,
                "community": 0,
            },
        ),
    ]
    for node_id, text, kind, section, confidence, cited in STATEMENTS:
        nodes.append(
            (
                node_id,
                {
                    "kind": "statement",
                    "label": text[:20],
                    "title": text,
                    "type": kind,
                    "section": section,
                    "confidence": confidence,
                    "cited": cited,
                    "pagerank": 0.02,
                    "community": 0,
                },
            )
        )
    graph = nx.MultiDiGraph(projection="full")
    for node_id, attrs in nodes[::order]:
        graph.add_node(node_id, **attrs)
    for source, target, relation in SAMPLE_EDGES[::order]:
        graph.add_edge(source, target, key=relation, relation=relation)
    return graph


HOSTILE = [
    '<img src=x onerror="window.__pwned=1">',
    "</script><script>window.__pwned=1</script>",
    '<svg onload="window.__pwned=1"></svg>',
    "\"quotes' \\ back\\slash \U0001f9ea emoji \u2028 line\u2029para & <b>bold</b> <!-- x",
]


def hostile_graph() -> nx.MultiDiGraph:
    """Every text field a source controls holds markup or script; so do relations, kinds,
    statement types, DOIs, PMCIDs and the id a statement cites."""
    graph = nx.MultiDiGraph(projection="full")
    for index, text in enumerate(HOSTILE, start=1):
        graph.add_node(
            f"pmid:{index}",
            kind="paper",
            label=text,
            title=text,
            authors=(text, "Plain Author"),
            journal=text,
            pmid=str(index),
            doi=f"10.1/{text}",
            pmcid=text,
            year=2000 + index,
            type=text,
            cited_by=index,
            pagerank=0.1 * index,
            community=index % 2,
        )
    graph.add_node(
        "statement:h",
        kind="statement",
        label=HOSTILE[0],
        title=HOSTILE[1],
        type=HOSTILE[2],
        section=HOSTILE[3],
        confidence=0.5,
        cited=HOSTILE[0],
        community=0,
    )
    graph.add_node(
        "person:h",
        kind=HOSTILE[2],
        label=HOSTILE[3],
        title=HOSTILE[0],
        orcid=HOSTILE[1],
        community=1,
    )
    graph.add_edge("pmid:1", "pmid:2", relation=HOSTILE[2])
    graph.add_edge("pmid:3", "pmid:4", relation="cites")
    graph.add_edge("statement:h", "pmid:1", relation=HOSTILE[0])
    graph.add_edge("person:h", "pmid:4", relation="authored")
    return graph


def citation_graph(papers: int, links: int, seed: int = 5) -> nx.DiGraph:
    """A random citation graph (newer papers cite older ones) with PageRank and communities
    given by hand: ``pagerank`` falls with the paper number, so the top-k are ``pmid:0…k-1``."""
    rng = random.Random(seed)
    graph = nx.DiGraph(projection="citation")
    for i in range(papers):
        graph.add_node(
            f"pmid:{i}",
            kind="paper",
            label=f"P{i}",
            title=f"Paper {i}",
            pmid=str(i),
            year=1990 + i * 30 // papers,
            pagerank=round(1.0 / (i + 10), 6),
            community=i % 7,
        )
    while graph.number_of_edges() < links:
        a, b = rng.randrange(papers), rng.randrange(papers)
        if a != b:
            graph.add_edge(f"pmid:{max(a, b)}", f"pmid:{min(a, b)}", relation="cites")
    for node in graph:
        graph.nodes[node]["cited_by"] = graph.in_degree(node)
    return graph
