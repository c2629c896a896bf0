"""kg.html.render: one self-contained, offline, deterministic and injection-proof page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest

from kg.html import render, script_json

HOSTILE_IMG = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "</script><script>alert(1)</script>"
HOSTILE_SVG = "<svg onload=alert(1)>"
HOSTILE_MISC = "quotes \" ' back\\slash emoji \U0001f9ea line\u2028sep para\u2029sep & amp"

PAPERS = [
    ("pmid:26488904", "Equity in health: a review", 2015, "26488904", "10.1186/s12939-015-0156-0"),
    ("pmid:123", "Numeric looking id", 2010, "123", None),
    ("doi:10.1000/xyz", "A DOI-only paper", 2019, None, "10.1000/xyz"),
    ("work:ab12cd", "A work without identifiers", None, None, None),
]


def make_graph(order: int = 1) -> nx.MultiDiGraph:
    """A small graph; ``order=-1`` adds the same nodes and edges in reverse order."""
    nodes: list[tuple[str, dict[str, object]]] = []
    for node_id, title, year, pmid, doi in PAPERS:
        attrs: dict[str, object] = {
            "kind": "paper",
            "label": title[:20],
            "title": title,
            "authors": ("Ada Lovelace", "Alan Turing"),
            "journal": "Journal of Tests",
            "cited_by": 2,
            "unknown_attribute": object(),
        }
        if year:
            attrs["year"] = year
        if pmid:
            attrs["pmid"] = pmid
        if doi:
            attrs["doi"] = doi
        nodes.append((node_id, attrs))
    nodes.append(("person:ada", {"kind": "person", "label": "Ada Lovelace", "title": "Ada"}))
    nodes.append(("journal:jt", {"kind": "journal", "label": "J Tests", "title": "J Tests"}))
    nodes.append(
        ("statement:s1", {"kind": "statement", "label": "claim", "title": "A claim about it"})
    )
    edges = [
        ("pmid:26488904", "pmid:123", "cites"),
        ("pmid:26488904", "doi:10.1000/xyz", "cites"),
        ("doi:10.1000/xyz", "pmid:123", "similar"),
        ("statement:s1", "pmid:123", "discusses"),
        ("person:ada", "pmid:26488904", "authored"),
        ("pmid:26488904", "journal:jt", "published_in"),
        ("work:ab12cd", "pmid:123", "cites"),
    ]
    graph = nx.MultiDiGraph()
    for node_id, attrs in nodes[::order]:
        graph.add_node(node_id, **attrs)
    for source, target, relation in edges[::order]:
        graph.add_edge(source, target, relation=relation)
    return graph


def hostile_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for index, title in enumerate([HOSTILE_IMG, HOSTILE_SCRIPT, HOSTILE_SVG, HOSTILE_MISC]):
        graph.add_node(
            f"pmid:{index + 1}",
            kind="paper",
            label=title,
            title=title,
            authors=(title,),
            journal=title,
            pmid=str(index + 1),
        )
    graph.add_edge("pmid:1", "pmid:2", relation=HOSTILE_SVG)
    return graph


def json_block(html: str, element_id: str) -> object:
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html)
    assert match, element_id
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def page() -> str:
    return render(make_graph(), title="Test map")


def test_is_one_html_document(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    assert "<title>Test map</title>" in page
    assert 'type="search"' in page


def test_no_external_resources(page: str) -> None:
    lowered = page.lower()
    assert "<script src" not in lowered
    assert not re.search(r"<script[^>]*\ssrc\s*=", lowered)
    assert "<link" not in lowered
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", lowered)
    assert "bootstrap" not in lowered
    assert "tom-select" not in lowered and "tomselect" not in lowered
    assert "@import" not in lowered


def test_template_chrome_has_no_urls(page: str) -> None:
    """Outside the inlined vis-network source, no http(s) URL appears in an attribute."""
    start = page.index("<script>\n/**")
    end = page.index("</script>", start)
    chrome = page[:start] + page[end:]
    assert not re.search(r"""(?:src|href|action|data)\s*=\s*["']?https?://""", chrome, re.I)


def test_vis_network_is_inline(page: str) -> None:
    assert "vis-network" in page
    assert "@version 9.1.2" in page
    assert len(page) > 400_000


def test_nothing_written_to_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    html = render(make_graph())
    assert html
    assert not (tmp_path / "lib").exists()
    assert list(tmp_path.iterdir()) == []


def test_ids_stay_strings(page: str) -> None:
    nodes = json_block(page, "kg-nodes")
    assert isinstance(nodes, list)
    ids = [node["id"] for node in nodes]
    assert all(isinstance(node_id, str) for node_id in ids)
    assert ids == sorted(ids)
    assert '"id":"pmid:123"' in page
    edges = json_block(page, "kg-edges")
    assert isinstance(edges, list)
    assert {(edge["from"], edge["to"]) for edge in edges} >= {("pmid:26488904", "pmid:123")}
    assert all(isinstance(edge["from"], str) and isinstance(edge["to"], str) for edge in edges)


def test_numeric_string_ids_not_converted() -> None:
    graph = nx.Graph()
    graph.add_node("123", kind="paper", label="n", title="n")
    graph.add_node("0045", kind="paper", label="m", title="m")
    graph.add_edge("123", "0045", relation="similar")
    nodes = json_block(render(graph), "kg-nodes")
    assert [node["id"] for node in nodes] == ["0045", "123"]  # type: ignore[index]


def test_node_data_carried(page: str) -> None:
    nodes = {node["id"]: node for node in json_block(page, "kg-nodes")}  # type: ignore[union-attr]
    paper = nodes["pmid:26488904"]
    assert paper["kg"]["fullTitle"] == "Equity in health: a review"
    assert paper["kg"]["doi"] == "10.1186/s12939-015-0156-0"
    assert paper["kg"]["pmid"] == "26488904"
    assert paper["kg"]["year"] == 2015
    assert paper["kg"]["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert "title" not in paper  # vis gets a DOM element built in the page, never a string
    assert "unknown_attribute" not in json.dumps(paper)
    assert "doi" not in nodes["work:ab12cd"]["kg"]
    assert nodes["pmid:123"]["size"] > nodes["person:ada"]["size"]  # sized by cited_by
    colours = {node["kg"]["kind"]: node["color"]["background"] for node in nodes.values()}
    assert len(set(colours.values())) == 4  # coloured by kind


def test_edges_styled_by_relation(page: str) -> None:
    edges = json_block(page, "kg-edges")
    by_relation = {edge["relation"]: edge for edge in edges}  # type: ignore[union-attr]
    assert by_relation["cites"]["arrows"]["to"]["enabled"] is True
    assert by_relation["similar"]["arrows"]["to"]["enabled"] is False
    assert by_relation["similar"]["dashes"]
    assert by_relation["cites"]["color"]["color"] != by_relation["similar"]["color"]["color"]
    legend = json_block(page, "kg-legend-data")
    assert set(legend["kinds"]) == {"paper", "person", "journal", "statement"}  # type: ignore[index]
    assert set(legend["relations"]) == {  # type: ignore[index]
        "cites",
        "similar",
        "discusses",
        "authored",
        "published_in",
    }


def test_undirected_graph_has_no_arrows() -> None:
    graph = nx.Graph()
    graph.add_node("pmid:1", kind="paper", label="a", title="a")
    graph.add_node("pmid:2", kind="paper", label="b", title="b")
    graph.add_edge("pmid:2", "pmid:1", relation="cites")
    edges = json_block(render(graph), "kg-edges")
    assert [(e["from"], e["to"]) for e in edges] == [("pmid:1", "pmid:2")]  # type: ignore[index]
    assert edges[0]["arrows"]["to"]["enabled"] is False  # type: ignore[index]


def test_physics_stops_and_seed_fixed(page: str) -> None:
    options = json_block(page, "kg-options")
    assert options["layout"]["randomSeed"] == 20240229  # type: ignore[index]
    assert 'network.once("stabilizationIterationsDone"' in page
    assert "network.setOptions({ physics: false })" in page


def test_hostile_text_never_raw() -> None:
    html = render(hostile_graph(), title=HOSTILE_IMG)
    assert "<img src=x" not in html
    assert "</script><script>" not in html
    assert "<svg onload" not in html
    assert "\u2028" not in html and "\u2029" not in html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html
    assert "\\u003csvg onload=alert(1)\\u003e" in html
    assert "line\\u2028sep para\\u2029sep \\u0026 amp" in html
    assert "<title>&lt;img src=x onerror=alert(1)&gt;</title>" in html
    # The JSON still decodes to the exact source text.
    titles = {n["kg"]["fullTitle"] for n in json_block(html, "kg-nodes")}  # type: ignore[union-attr]
    assert titles == {HOSTILE_IMG, HOSTILE_SCRIPT, HOSTILE_SVG, HOSTILE_MISC}


def test_no_inner_html_in_template() -> None:
    from importlib.resources import files

    template = files("kg").joinpath("templates").joinpath("map.html").read_text("utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in template


def test_script_json_escapes() -> None:
    text = str(script_json({"a": "<>&\u2028\u2029"}))
    assert text == '{"a":"\\u003c\\u003e\\u0026\\u2028\\u2029"}'
    assert json.loads(text) == {"a": "<>&\u2028\u2029"}


def test_deterministic() -> None:
    first = render(make_graph(), title="t")
    assert render(make_graph(), title="t") == first
    assert render(make_graph(order=-1), title="t") == first


def test_deterministic_undirected_insertion_order() -> None:
    one, two = nx.Graph(), nx.Graph()
    for graph, pairs in ((one, [("a", "b"), ("b", "c")]), (two, [("c", "b"), ("b", "a")])):
        for u, v in pairs:
            graph.add_node(u, kind="paper", label=u, title=u)
            graph.add_node(v, kind="paper", label=v, title=v)
            graph.add_edge(u, v, relation="similar")
    assert render(one) == render(two)


def test_empty_graph() -> None:
    html = render(nx.DiGraph())
    assert json_block(html, "kg-nodes") == []
    assert json_block(html, "kg-edges") == []
