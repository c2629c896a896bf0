"""Smoke test of the map benchmark (bench/map.py): fast, never a timing assertion."""

from __future__ import annotations

import os
from pathlib import Path

import networkx as nx
import pytest

from bench.map import (
    CHROMIUM,
    PageResult,
    Timing,
    citation_graph,
    kg_page,
    pyvis_page,
    ratio_text,
    time_page,
)

pytestmark = pytest.mark.slow  # runs the benchmark's runners end to end


def edge_list(graph: nx.DiGraph) -> list[tuple[str, str, dict]]:
    return list(graph.edges(data=True))


def test_generator_is_deterministic_and_seeded() -> None:
    first = citation_graph(300, 1200, seed=7)
    again = citation_graph(300, 1200, seed=7)
    other = citation_graph(300, 1200, seed=8)
    assert list(first.nodes(data=True)) == list(again.nodes(data=True))
    assert edge_list(first) == edge_list(again)
    assert edge_list(first) != edge_list(other)


@pytest.mark.parametrize(("nodes", "edges"), [(2, 1), (50, 100), (300, 1200), (40, 780)])
def test_generator_gives_exact_counts(nodes: int, edges: int) -> None:
    graph = citation_graph(nodes, edges, seed=1)
    assert graph.number_of_nodes() == nodes
    assert graph.number_of_edges() == edges
    assert nx.number_of_selfloops(graph) == 0
    assert nx.is_directed_acyclic_graph(graph)  # papers cite older papers only


def test_generator_refuses_impossible_sizes() -> None:
    with pytest.raises(ValueError):
        citation_graph(40, 781)  # more than 40 * 39 / 2
    with pytest.raises(ValueError):
        citation_graph(1, 0)


def test_generator_follows_the_projection_contract() -> None:
    graph = citation_graph(600, 2400, seed=3)
    assert isinstance(graph, nx.DiGraph)
    assert graph.graph["projection"] == "citation"
    pmids = set()
    for node, data in graph.nodes(data=True):
        assert isinstance(node, str)
        assert node == f"pmid:{data['pmid']}"
        assert isinstance(data["pmid"], str) and data["pmid"].isdigit()
        pmids.add(data["pmid"])
        assert data["kind"] == "paper"
        assert None not in data.values()
        for key in ("label", "title", "journal", "iri", "type"):
            assert isinstance(data[key], str) and data[key]
        assert data["label"].endswith(str(data["year"]))
        assert isinstance(data["year"], int) and 1990 <= data["year"] <= 2024
        assert isinstance(data["authors"], tuple) and data["authors"]
        assert all(isinstance(a, str) and a for a in data["authors"])
        assert data["label"].startswith(data["authors"][0].rsplit(" ", 1)[-1])
        assert data["cited_by"] == graph.in_degree(node)
        assert data["references"] == graph.out_degree(node)
        assert data["global_citations"] >= data["cited_by"]
        assert isinstance(data["community"], int) and 0 <= data["community"] <= 30
        assert isinstance(data["component"], int)
        assert isinstance(data["pagerank"], float)
        if "doi" in data:
            assert data["doi"].startswith("10.")
    assert len(pmids) == 600
    assert sum(d["pagerank"] for _, d in graph.nodes(data=True)) == pytest.approx(1.0)
    assert {d["relation"] for _, _, d in graph.edges(data=True)} == {"cites"}
    # community 0 is the largest; component 0 is the largest
    sizes = nx.utils.groups(nx.get_node_attributes(graph, "community"))
    assert len(sizes[0]) == max(len(members) for members in sizes.values())
    assert len(sizes) > 1
    # citation-like: mostly within communities, heavy-tailed in-degree, older papers cited more
    within = sum(
        graph.nodes[u]["community"] == graph.nodes[v]["community"] for u, v in graph.edges()
    )
    assert within / graph.number_of_edges() > 0.5
    indegrees = sorted((d for _, d in graph.in_degree()), reverse=True)
    assert indegrees[0] > 8 * graph.number_of_edges() / graph.number_of_nodes()
    by_year = sorted(graph.nodes(data=True), key=lambda item: item[1]["year"])
    half = len(by_year) // 2
    older = sum(d["cited_by"] for _, d in by_year[:half])
    newer = sum(d["cited_by"] for _, d in by_year[half:])
    assert older > 2 * newer


def test_ratio_is_an_upper_bound_when_pyvis_times_out() -> None:
    kg = PageResult("kg", 1, 0.0, [Timing(2.0, 60.0), Timing(4.0, 60.0), Timing(3.0, 60.0)])
    pyvis = PageResult("pyvis", 1, 0.0, [Timing(None, 100.0)])
    assert kg.median == 3.0
    assert pyvis.median is None and pyvis.timed_out
    assert ratio_text(kg, pyvis) == "< 0.0300"
    assert ratio_text(kg, PageResult("pyvis", 1, 0.0, [Timing(60.0, 100.0)])) == "0.0500"


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):  # .ci/run installs it: a missing browser there is a failure
            raise RuntimeError("CI: Chromium is not installed at /usr/bin/chromium")
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    return CHROMIUM


@pytest.mark.parametrize("page", [kg_page, pyvis_page], ids=["kg", "pyvis"])
def test_page_timing_on_a_tiny_graph(chromium: Path, tmp_path: Path, page) -> None:
    graph = citation_graph(50, 100, seed=1)
    path = tmp_path / "map.html"
    path.write_text(page(graph), encoding="utf-8")
    timing = time_page(path, timeout=60.0, chromium=chromium)
    assert not timing.timed_out, timing
    assert timing.interactive is not None and timing.first_draw is not None
    assert timing.constructed is not None
    assert 0 < timing.constructed <= timing.first_draw <= timing.interactive_in_page
    assert timing.interactive_in_page <= timing.interactive + 0.5
    assert timing.nodes_drawn == 50
    assert timing.edges_drawn == 100
    assert timing.draws >= 1
    assert timing.simulating is False
    assert timing.errors == ()
    assert all(url.startswith(("http:", "https:")) for url in timing.blocked)


def test_a_page_that_never_settles_times_out(chromium: Path, tmp_path: Path) -> None:
    """A network whose physics never stops is not interactive: the timing reports a timeout."""
    graph = citation_graph(50, 100, seed=1)
    html = pyvis_page(graph).replace(
        "network = new vis.Network(container, data, options);",
        "options.physics.minVelocity = 0; options.physics.stabilization = false;\n"
        "network = new vis.Network(container, data, options);",
    )
    assert "minVelocity = 0" in html
    path = tmp_path / "restless.html"
    path.write_text(html, encoding="utf-8")
    timing = time_page(path, timeout=2.0, chromium=chromium)
    assert timing.timed_out
    assert timing.draws is not None and timing.draws >= 1  # it answered: drawn, still moving
    assert timing.simulating is True
