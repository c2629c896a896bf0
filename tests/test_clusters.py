"""Named clusters: each community of papers named by its most distinctive title words."""

from __future__ import annotations

import json
import re

import networkx as nx

from kg.clusters import MIN_PAPERS, STOPWORDS, names, tokens
from kg.html import render
from tests.maps import hostile_graph, sample_graph

DOPAMINE = [
    "Dopamine receptor signalling in the striatum",
    "Striatum dopamine receptor binding: a study of patients",
    "Effects of dopamine receptor agonists on the striatum",
    "Dopamine receptor density and malaria: an analysis",
]
MALARIA = [
    "Malaria vaccine trial in Kenya",
    "A malaria vaccine based on sporozoite antigens",
    "Review of malaria vaccine efficacy in children: results",
    "Sporozoite antigens and the malaria vaccine: a review",
    "Plasmodium falciparum and the malaria vaccine",
]
SMALL = ["Quantum tunnelling in enzymes", "Enzymes and quantum biology"]


def graph(order: int = 1) -> nx.Graph:
    """Three communities: dopamine (0), malaria (1), and two papers (2); a person and a
    statement in community 0, whose texts are no titles of papers."""
    g = nx.Graph()
    papers = [
        (f"pmid:{community}{i}", title, community)
        for community, titles in enumerate((DOPAMINE, MALARIA, SMALL))
        for i, title in enumerate(titles)
    ]
    for node, title, community in papers[::order]:
        g.add_node(node, kind="paper", title=title, community=community)
    g.add_node("person:x", kind="person", title="Vaccine Vaccine Vaccine", community=0)
    g.add_node("statement:x", kind="statement", title="vaccine vaccine", community=0)
    g.add_edge("pmid:00", "pmid:01", relation="cites")
    return g


def test_communities_are_named_by_their_distinctive_terms() -> None:
    named = names(graph())
    # a recurring phrase stands for its words; "malaria", in a dopamine title too, scores less
    # alone than "malaria vaccine"
    assert named == {
        0: "dopamine receptor · striatum · agonists",
        1: "malaria vaccine · sporozoite antigens · children",
    }
    assert names(graph(), top=2)[1] == "malaria vaccine · sporozoite antigens"


def test_single_words_when_top_is_one_and_without_phrases() -> None:
    g = nx.Graph()
    for i, title in enumerate(["Dopamine in rats", "Dopamine and mice", "Dopamine in flies"]):
        g.add_node(f"a{i}", kind="paper", title=title, community=0)
    for i, title in enumerate(["Malaria in rats", "Malaria and mice", "Malaria in flies"]):
        g.add_node(f"b{i}", kind="paper", title=title, community=1)
    assert names(g) == {0: "dopamine · flies · mice", 1: "malaria · flies · mice"}
    assert names(g, top=1) == {0: "dopamine", 1: "malaria"}


def test_stopwords_never_name_a_cluster() -> None:
    for word in ("study", "analysis", "effect", "effects", "patients", "using", "based"):
        assert word in STOPWORDS
    for word in ("among", "review", "results", "the", "of", "and"):
        assert word in STOPWORDS
    g = nx.Graph()
    for i in range(4):
        g.add_node(
            i, kind="paper", title=f"A review of the results: analysis using {i}", community=0
        )
    g.add_node(9, kind="paper", title="Study of patients among the effects", community=0)
    assert names(g) == {}
    assert tokens("The Effects of COVID-19 on 2020 Patients' Sleep: a Review") == [
        "covid-19",
        "sleep",
    ]
    words = {w for name in names(graph()).values() for w in re.split(r" · | ", name)}
    assert words and not words & STOPWORDS


def test_a_small_community_gets_no_name() -> None:
    assert MIN_PAPERS == 3
    assert 2 not in names(graph())
    assert names(nx.Graph()) == {}


def test_ids_and_citations_are_no_titles() -> None:
    """A paper known only by its id or a reference's citation text has no words to give."""
    g = graph()
    for i, text in enumerate(["Nat Genet. 2009 Feb;41(2):221-7", "BMC Cancer. 2014;14:934"]):
        g.add_node(f"pmid:5{i}", kind="paper", title=text, community=2)
    g.add_node("openalex:W1", kind="paper", title="openalex:W1", community=2)
    assert 2 not in names(g)  # two titled papers and three untitled ones
    g.add_node("pmid:59", kind="paper", title="Quantum enzymes", community=2)
    assert names(g)[2] == "enzymes · quantum · biology"  # a tie goes by the term
    assert names(g)[0] == names(graph())[0]


def test_names_are_deterministic() -> None:
    assert names(graph()) == names(graph(order=-1))
    assert render(graph(), color="community") == render(graph(order=-1), color="community")


def legend_of(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="kg-legend-data">(.*?)</script>', page)
    assert found is not None
    return json.loads(found.group(1))


def test_the_page_legend_holds_the_names() -> None:
    communities = {c["id"]: c for c in legend_of(render(graph()))["communities"]}
    assert communities[0]["name"] == "dopamine receptor · striatum · agonists"
    assert communities[1]["name"] == "malaria vaccine · sporozoite antigens · children"
    assert "name" not in communities[2]
    sample = {c["id"]: c.get("name") for c in legend_of(render(sample_graph()))["communities"]}
    assert sample[0] and sample[1] and sample[2] is None
    assert all("name" not in c for c in legend_of(render(hostile_graph()))["communities"])
