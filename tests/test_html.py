"""kg.html.render: one self-contained, offline, deterministic and injection-proof page."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.html import COLORS, LAYOUTS, SIZES, render, script_json
from tests.maps import HOSTILE, PAPERS, citation_graph, hostile_graph, sample_graph

LINK_PREFIXES = (
    "https://doi.org/",
    "https://pubmed.ncbi.nlm.nih.gov/",
    "https://pmc.ncbi.nlm.nih.gov/articles/",
    "https://orcid.org/",
)


def json_block(html: str, element_id: str) -> Any:
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html)
    assert match, element_id
    return json.loads(match.group(1))


def arrow(html: str, edge: dict[str, Any]) -> bool:
    """Whether vis-network draws an arrow on this edge: its own setting, else the map's."""
    default = json_block(html, "kg-options")["edges"]["arrows"]
    return bool(edge.get("arrows", default)["to"]["enabled"])


def by_id(html: str) -> dict[str, dict[str, Any]]:
    return {node["id"]: node for node in json_block(html, "kg-nodes")}


def chrome(html: str) -> str:
    """The page without the inlined vis-network source."""
    start = html.index("<script>\n/**")
    end = html.index("</script>", start)
    return html[:start] + html[end:]


@pytest.fixture(scope="module")
def page() -> str:
    return render(sample_graph(), title="Test map")


def test_is_one_html_document(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    assert "<title>Test map</title>" in page
    assert '<input type="search" id="kg-search"' in page
    assert "Content-Security-Policy" in page
    assert 'id="kg-note"' not in page  # everything fits: nothing to explain


def test_no_external_resources(page: str) -> None:
    lowered = page.lower()
    assert not re.search(r"<script[^>]*\ssrc\s*=", lowered)
    assert "<link" not in lowered
    assert not re.search(r"""\b(?:src|href|action|data)\s*=\s*["']?\s*(?:https?:)?//""", lowered)
    assert "bootstrap" not in lowered
    assert "tom-select" not in lowered and "tomselect" not in lowered
    assert "@import" not in lowered and "url(" not in chrome(page).lower()


def test_only_link_prefixes_outside_vis(page: str) -> None:
    """Outside vis-network the only URLs are the prefixes of the details panel's links."""
    urls = re.findall(r"https?://[^\s\"'<>)]*", chrome(page))
    assert urls
    assert all(url.startswith(LINK_PREFIXES) for url in urls), urls


def test_vis_network_is_inline(page: str) -> None:
    assert "@version 9.1.2" in page
    assert len(page) > 400_000


def test_nothing_written_to_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert render(sample_graph(), max_nodes=5, layout="timeline")
    assert list(tmp_path.iterdir()) == []


def test_ids_stay_strings(page: str) -> None:
    nodes = json_block(page, "kg-nodes")
    ids = [node["id"] for node in nodes]
    assert all(isinstance(node_id, str) for node_id in ids)
    assert ids == sorted(ids) and len(ids) == 14
    edges = json_block(page, "kg-edges")
    assert all(isinstance(e["from"], str) and isinstance(e["to"], str) for e in edges)
    assert ("pmid:31000001", "pmid:26488904") in {(e["from"], e["to"]) for e in edges}


def test_numeric_string_ids_not_converted() -> None:
    graph = nx.Graph()
    graph.add_node("123", kind="paper", label="n", title="n")
    graph.add_node("0045", kind="paper", label="m", title="m")
    graph.add_edge("123", "0045", relation="cocited", weight=2)
    html = render(graph)
    assert [node["id"] for node in json_block(html, "kg-nodes")] == ["0045", "123"]
    assert [(e["from"], e["to"]) for e in json_block(html, "kg-edges")] == [("0045", "123")]


def test_node_data_carried(page: str) -> None:
    nodes = by_id(page)
    paper = nodes["pmid:26488904"]
    assert paper["kg"] | {"colors": None, "sizes": None} == {
        "kind": "paper",
        "label": "Social determinants of healt",
        "fullTitle": "Social determinants of health equity: a review",
        "authors": ["Grace Hopper", "Katherine Johnson", "Ada Lovelace", "Alan Turing"],
        "journal": "Int J Equity Health",
        "doi": "10.1186/s12939-015-0156-0",
        "pmid": "26488904",
        "pmcid": "PMC4618537",
        "year": 2015,
        "citedBy": 5,
        "references": 0,
        "globalCitations": 53,
        "pagerank": 0.21,
        "community": 0,
        "colors": None,
        "sizes": None,
    }
    assert "title" not in paper  # vis gets a DOM element built in the page, never a string
    assert "iri" not in json.dumps(paper)
    assert "doi" not in nodes["work:ab12cd34"]["kg"] and "year" not in nodes["work:ab12cd34"]["kg"]
    statement = nodes["statement:s2"]["kg"]
    assert {k: statement[k] for k in ("type", "section", "confidence", "cited")} == {
        "type": "contrasting",
        "section": "Results",
        "confidence": 0.78,
        "cited": "pmid:31000001",
    }
    person = nodes["person:hopper"]["kg"]
    assert person["orcid"] == "0000-0002-1825-0097" and person["papers"] == 1
    assert nodes["journal:ijeh"]["kg"]["issn"] == "1475-9276"
    shapes = {node["kg"]["kind"]: node["shape"] for node in nodes.values()}
    assert shapes == {
        "paper": "dot",
        "person": "diamond",
        "journal": "square",
        "statement": "triangle",
    }


def test_unknown_attributes_and_odd_values_are_dropped() -> None:
    graph = nx.DiGraph()
    graph.add_node(
        "pmid:1",
        kind="paper",
        title="  ",
        year="n.d.",
        cited_by=True,
        pagerank=float("nan"),
        authors="Solo Author",
        secret=object(),
    )
    record = by_id(render(graph))["pmid:1"]["kg"]
    assert record["fullTitle"] == record["label"] == "pmid:1"
    assert record["authors"] == ["Solo Author"]
    assert not {"year", "citedBy", "pagerank", "secret"} & set(record)


def test_edges_styled_by_relation(page: str) -> None:
    edges = json_block(page, "kg-edges")
    by_relation = {edge["relation"]: edge for edge in edges}
    legend = json_block(page, "kg-legend-data")
    assert (
        set(legend["relations"])
        == set(by_relation)
        == {
            "cites",
            "similar",
            "discusses",
            "authored",
            "published_in",
            "supporting",
            "mentioning",
            "contrasting",
        }
    )
    assert all(arrow(page, edge) for edge in edges)  # a directed map
    assert all(legend["relations"][r]["arrow"] for r in by_relation)
    assert by_relation["similar"]["dashes"] and "dashes" not in by_relation["cites"]
    colors = {relation: edge["color"]["color"] for relation, edge in by_relation.items()}
    assert len(set(colors.values())) == len(colors)
    assert colors["supporting"] == "#2e9e44"  # green
    assert colors["contrasting"] == "#d62728"  # red
    red, green, blue = (int(colors["mentioning"][i : i + 2], 16) for i in (1, 3, 5))
    assert max(red, green, blue) - min(red, green, blue) < 16  # neutral grey
    for relation, edge in by_relation.items():
        assert legend["relations"][relation]["color"] == edge["color"]["color"]
    assert legend["statementTypes"]["contrasting"] == colors["contrasting"]


def test_weighted_undirected_relations() -> None:
    graph = nx.Graph(projection="cocitation")
    for node in ("pmid:1", "pmid:2", "pmid:3"):
        graph.add_node(node, kind="paper", title=node)
    graph.add_edge("pmid:2", "pmid:1", relation="cocited", weight=8)
    graph.add_edge("pmid:3", "pmid:1", relation="cocited", weight=2)
    graph.add_edge("pmid:3", "pmid:2", relation="cocited")  # weight defaults to 1
    html = render(graph)
    edges = {(e["from"], e["to"]): e for e in json_block(html, "kg-edges")}
    assert set(edges) == {("pmid:1", "pmid:2"), ("pmid:1", "pmid:3"), ("pmid:2", "pmid:3")}
    assert not any(arrow(html, edge) for edge in edges.values())
    widths = [
        edges[pair]["width"] for pair in sorted(edges, key=lambda p: -edges[p].get("weight", 1))
    ]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1]
    assert edges["pmid:1", "pmid:2"]["weight"] == 8


def test_similar_has_an_arrow_only_in_a_directed_graph() -> None:
    for graph_type, has_arrow in ((nx.DiGraph, True), (nx.Graph, False)):
        graph = graph_type()
        graph.add_node("pmid:1", kind="paper")
        graph.add_node("pmid:2", kind="paper")
        graph.add_edge("pmid:2", "pmid:1", relation="similar", rank=1)
        html = render(graph)
        (edge,) = json_block(html, "kg-edges")
        assert arrow(html, edge) is has_arrow
        assert (edge["from"], edge["to"]) == (
            ("pmid:2", "pmid:1") if has_arrow else ("pmid:1", "pmid:2")
        )


def test_symmetric_relation_in_a_directed_map_has_no_arrow() -> None:
    graph = nx.MultiDiGraph()
    for node in ("pmid:1", "pmid:2"):
        graph.add_node(node, kind="paper")
    graph.add_edge("pmid:1", "pmid:2", relation="cites")
    graph.add_edge("pmid:1", "pmid:2", relation="cocited", weight=3)
    html = render(graph)
    arrows = {e["relation"]: arrow(html, e) for e in json_block(html, "kg-edges")}
    assert arrows == {"cites": True, "cocited": False}


def test_layout_is_computed_once_not_by_vis_physics(page: str) -> None:
    options = json_block(page, "kg-options")
    assert options["physics"] == {"enabled": False}
    assert options["layout"]["improvedLayout"] is False
    settings = json_block(page, "kg-settings")
    assert settings["iterations"] == 800  # a small map gets every step
    large = json_block(render(citation_graph(1500, 5000)), "kg-settings")
    assert 150 <= large["iterations"] < 800  # a large one a bounded number
    nodes = json_block(page, "kg-nodes")
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in nodes)
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)  # distinct starting points


def test_large_maps_hide_edges_while_dragging() -> None:
    small = json_block(render(sample_graph()), "kg-options")
    large = json_block(render(citation_graph(1500, 5000)), "kg-options")
    assert small["interaction"]["hideEdgesOnDrag"] is False
    assert large["interaction"]["hideEdgesOnDrag"] is True
    assert large["edges"]["smooth"] is False


def test_hostile_text_never_raw() -> None:
    html = render(hostile_graph(), title=HOSTILE[0])
    for text in HOSTILE:
        assert text not in html
        escaped = str(script_json(text))[1:-1]  # the JSON string, without its quotes
        assert escaped in html
    for raw in ("<img", "<svg", "</script><script>", "<b>", "<!-- x", "\u2028", "\u2029"):
        assert raw not in chrome(html)
    assert "<title>&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;</title>" in html
    # five JSON blocks and the page's script (chrome() drops vis-network's)
    assert len(re.findall("<script", chrome(html))) == 6
    titles = {n["kg"]["fullTitle"] for n in json_block(html, "kg-nodes")}
    assert titles == set(HOSTILE)  # the JSON still decodes to the exact source text
    legend = json_block(html, "kg-legend-data")
    assert set(legend["relations"]) == {HOSTILE[2], HOSTILE[0], "cites", "authored"}


def test_no_html_sinks_in_template() -> None:
    template = files("kg").joinpath("templates").joinpath("map.html").read_text("utf-8")
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "setAttribute(",
        "|safe",
    ):
        assert sink not in template, sink


def test_script_json_escapes() -> None:
    text = str(script_json({"a": "<>&\u2028\u2029"}))
    assert text == '{"a":"\\u003c\\u003e\\u0026\\u2028\\u2029"}'
    assert json.loads(text) == {"a": "<>&\u2028\u2029"}


def test_deterministic_whatever_the_insertion_order() -> None:
    first = render(sample_graph(), title="t", color="community", layout="timeline")
    assert render(sample_graph(), title="t", color="community", layout="timeline") == first
    assert render(sample_graph(order=-1), title="t", color="community", layout="timeline") == first
    one, two = nx.Graph(), nx.Graph()
    for graph, pairs in ((one, [("a", "b"), ("b", "c")]), (two, [("c", "b"), ("b", "a")])):
        for u, v in pairs:
            graph.add_node(u, kind="paper", label=u, title=u)
            graph.add_node(v, kind="paper", label=v, title=v)
            graph.add_edge(u, v, relation="coupled", weight=2)
    assert render(one) == render(two)
    big = citation_graph(400, 900)
    reversed_big = nx.DiGraph(projection="citation")
    reversed_big.add_nodes_from(reversed(list(big.nodes(data=True))))
    reversed_big.add_edges_from(reversed(list(big.edges(data=True))))
    assert render(big, max_nodes=100) == render(reversed_big, max_nodes=100)


def test_empty_graph() -> None:
    html = render(nx.MultiDiGraph())
    assert json_block(html, "kg-nodes") == []
    assert json_block(html, "kg-edges") == []
    assert json_block(html, "kg-legend-data")["years"] is None


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("layout", "circle"),
        ("layout", "Force"),
        ("color", "degree"),
        ("size", "betweenness"),
        ("max_nodes", 0),
        ("max_nodes", -5),
        ("max_nodes", True),
        ("max_nodes", 2.5),
        ("max_nodes", "100"),
    ],
)
def test_invalid_options(option: str, value: object) -> None:
    with pytest.raises(ValueError, match=option):
        render(sample_graph(), **{option: value})  # type: ignore[arg-type]


def test_option_names() -> None:
    assert LAYOUTS == ("force", "timeline")
    assert COLORS == ("kind", "community", "year")
    assert SIZES == ("cited", "pagerank")
    with pytest.raises(TypeError):
        render(sample_graph(), "title")  # type: ignore[misc]


def test_budget_keeps_the_top_papers_by_pagerank() -> None:
    graph = citation_graph(3000, 6000)
    html = render(graph, max_nodes=100)
    ids = set(by_id(html))
    ranked = sorted(graph.nodes, key=lambda n: -graph.nodes[n]["pagerank"])
    assert ids == set(ranked[:100]) == {f"pmid:{i}" for i in range(100)}
    edges = json_block(html, "kg-edges")
    assert all(e["from"] in ids and e["to"] in ids for e in edges)
    kept = sum(1 for u, v in graph.edges if u in ids and v in ids)
    assert len(edges) == kept
    note = re.search(r'<p id="kg-note" role="note">(.*?)</p>', html)
    assert note
    assert note.group(1) == (
        f"Showing 100 of 3,000 nodes (the papers with the highest PageRank) and {kept:,} of "
        "6,000 links. See all: kg html --projection citation --max-nodes 3000 -o map.html"
    )
    legend = json_block(html, "kg-legend-data")
    assert legend["total"] == {"nodes": 3000, "edges": 6000}


def test_budget_falls_back_to_citations_then_ids() -> None:
    graph = citation_graph(50, 120)
    for node in graph:
        del graph.nodes[node]["pagerank"]
    by_cited = sorted(graph.nodes, key=lambda n: (-graph.nodes[n]["cited_by"], n))
    html = render(graph, max_nodes=10)
    assert set(by_id(html)) == set(by_cited[:10])
    assert "(the papers with the most citations in this map)" in html
    for node in graph:
        del graph.nodes[node]["cited_by"]
    assert set(by_id(render(graph, max_nodes=10))) == set(sorted(graph.nodes)[:10])


def test_budget_brings_what_is_attached_to_the_top_papers() -> None:
    html = render(sample_graph(), max_nodes=4)
    # the top paper, then the journal and statement attached to it (by PageRank), then the next
    assert set(by_id(html)) == {"pmid:26488904", "journal:ijeh", "statement:s1", "pmid:31000001"}
    assert (
        "Showing 4 of 14 nodes (the papers with the highest PageRank and what is attached" in html
    )
    assert "See all: kg html --max-nodes 14 -o map.html" in html  # the full map: the default
    people = nx.Graph(projection="coauthorship")
    for i in range(6):
        people.add_node(f"person:{i}", kind="person", title=f"P{i}", pagerank=i / 10)
    people.add_edge("person:1", "person:2", relation="coauthor", weight=3)
    html = render(people, max_nodes=2)
    assert set(by_id(html)) == {"person:5", "person:4"}
    assert "(the nodes with the highest PageRank)" in html


def test_colour_modes_data(page: str) -> None:
    nodes = by_id(page)
    colors = {node_id: node["kg"]["colors"] for node_id, node in nodes.items()}
    assert all(set(c) == set(COLORS) for c in colors.values())
    by_kind = {nodes[n]["kg"]["kind"]: c["kind"] for n, c in colors.items()}
    assert len(set(by_kind.values())) == 4
    assert all(nodes[n]["color"] == c["kind"] for n, c in colors.items())  # the initial mode
    by_community: dict[int, set[str]] = {}
    for node_id, node in nodes.items():
        by_community.setdefault(node["kg"]["community"], set()).add(colors[node_id]["community"])
    assert all(len(c) == 1 for c in by_community.values())  # same community, same colour
    assert len({c.pop() for c in by_community.values()}) == 3
    years = {
        nodes[n]["kg"].get("year"): c["year"] for n, c in colors.items() if n.startswith("pmid")
    }
    assert len(set(years.values())) == len(years)
    legend = json_block(page, "kg-legend-data")
    assert colors["work:ab12cd34"]["year"] == colors["person:hopper"]["year"] == legend["grey"]
    assert legend["years"]["min"] == 2015 and legend["years"]["max"] == 2022
    assert colors["pmid:26488904"]["year"] == legend["years"]["stops"][0]
    assert colors["pmid:31000007"]["year"] == legend["years"]["stops"][-1]
    communities = {c["id"]: c for c in legend["communities"]}
    assert communities[0]["top"] == "Social determinants of health equity: a review"
    assert communities[1]["top"] == "Machine learning for citation screening"
    assert communities[0]["size"] == 8 and communities[2]["size"] == 1
    community_page = by_id(render(sample_graph(), color="community"))
    assert all(n["color"] == n["kg"]["colors"]["community"] for n in community_page.values())


def test_size_modes_data(page: str) -> None:
    nodes = by_id(page)
    sizes = {node_id: node["kg"]["sizes"] for node_id, node in nodes.items()}
    cited = {node_id: nodes[node_id]["kg"].get("citedBy", 0) for node_id in nodes}
    for a in nodes:
        for b in nodes:
            if cited[a] > cited[b]:
                assert sizes[a]["cited"] > sizes[b]["cited"]
            rank_a, rank_b = nodes[a]["kg"]["pagerank"], nodes[b]["kg"]["pagerank"]
            if rank_a > rank_b:
                assert sizes[a]["pagerank"] > sizes[b]["pagerank"]
    assert all(n["size"] == n["kg"]["sizes"]["cited"] for n in nodes.values())
    ranked = by_id(render(sample_graph(), size="pagerank"))
    assert all(n["size"] == n["kg"]["sizes"]["pagerank"] for n in ranked.values())


@pytest.mark.parametrize(
    ("layout", "color", "size"), [("force", "kind", "cited"), ("timeline", "year", "pagerank")]
)
def test_initial_modes_selected(layout: str, color: str, size: str) -> None:
    html = render(sample_graph(), layout=layout, color=color, size=size)
    settings = json_block(html, "kg-settings")
    assert (settings["layout"], settings["color"], settings["size"]) == (layout, color, size)
    for select, value in (("kg-layout", layout), ("kg-color", color), ("kg-size", size)):
        block = html[html.index(f'<select id="{select}">') :]
        block = block[: block.index("</select>")]
        assert re.findall(r'<option value="(\w+)" selected>', block) == [value]


def test_papers_table_matches_sample() -> None:
    """The sample graph the browser tests use is what the tests above assume."""
    graph = sample_graph()
    assert graph.number_of_nodes() == 14 and len(PAPERS) == 8
    assert all(isinstance(node, str) for node in graph)
