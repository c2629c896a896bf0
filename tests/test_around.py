"""kg.around (the papers around one paper, kg html --around) and kg.Map (the map in a notebook).

The hand-made citation graph below, worked out by hand (C is the centre):
- C cites R1 and R2; A1 and A2 cite C, R1 and P; A3 cites P and R2; S is listed as similar
  to C; D cites A1, A2 and A3; E cites A1; F cites D.
- One step from C: R1 (cited by C, co-cited with it by A1 and A2: 3), A1 and A2 (cite C, and
  share R1 with it: 2 each), P (co-cited with C by A1 and A2: 2), A3 (shares R2: 1), R2
  (cited: 1), S (similar: 1). Two steps: D and E (citing A1). Three: F (citing D).
- Cited by the papers one step around C: P and R1 by 3 each, R2 by 2 (C itself by 2, left out).
  Citing them: A1, A2 and D 3 each (A1: C, R1, P; D: A1, A2, A3), A3 2, E 1.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

import kg
from kg.around import MAX_DEPTH, TOP, around
from kg.cli import cli
from kg.errors import GraphError
from kg.html import render
from kg.metrics import annotate
from kg.projections import network
from tests.maps import HOSTILE

CENTRE = "doi:10.1186/s12939-015-0156-0"  # the seeds' paper: PMID 25879639, PMC4404612


def paper_id(name: str) -> str:
    return f"doi:10.5555/{name.lower()}"


C, R1, R2, A1, A2, A3, P, S, D, E, F = map(
    paper_id, ("C", "R1", "R2", "A1", "A2", "A3", "P", "S", "D", "E", "F")
)
CITES = [
    (C, R1),
    (C, R2),
    (A1, C),
    (A1, R1),
    (A1, P),
    (A2, C),
    (A2, R1),
    (A2, P),
    (A3, P),
    (A3, R2),
    (D, A1),
    (D, A2),
    (D, A3),
    (E, A1),
    (F, D),
]


def hand_made(titles: dict[str, str] | None = None) -> nx.MultiDiGraph:
    """The graph of the module's docstring, as kg.network(…, "full") gives one: papers, and
    a person (never part of the neighbourhood) who wrote C."""
    graph = nx.MultiDiGraph(projection="full")
    for index, node in enumerate(sorted((C, R1, R2, A1, A2, A3, P, S, D, E, F))):
        name = node.rsplit("/", 1)[1].upper()
        title = (titles or {}).get(node, f"Paper {name}")
        graph.add_node(node, kind="paper", title=title, doi=node[4:], year=2000 + index)
    graph.add_node("person:doe", kind="person", title="Jane Doe")
    for citing, cited in CITES:
        graph.add_edge(citing, cited, key="cites", relation="cites", weight=1)
    graph.add_edge(S, C, key="similar", relation="similar", weight=1)
    graph.add_edge("person:doe", C, key="authored", relation="authored", weight=1)
    return graph


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def json_block(page: str, element_id: str) -> Any:
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page)
    assert match, element_id
    return json.loads(match.group(1))


def page_nodes(page: str) -> dict[str, dict[str, Any]]:
    return {node["id"]: node for node in json_block(page, "kg-nodes")}


# ---- the neighbourhood, on the hand-made graph ------------------------------------------------


def test_one_step_ranked_by_distance_then_strength_then_id() -> None:
    near = around(hand_made(), "10.5555/C")
    assert near.centre == C and near.title == "Paper C" and near.depth == 1
    assert near.papers == [C, R1, A1, A2, P, A3, R2, S]
    assert near.found == 8
    assert near.strength == {C: 0, R1: 3, A1: 2, A2: 2, P: 2, A3: 1, R2: 1, S: 1}
    assert set(near.distance.values()) == {0, 1} and near.distance[C] == 0


def test_prior_and_derivative_works() -> None:
    near = around(hand_made(), C)
    prior = [(w.node, w.count, w.in_map) for w in near.prior]
    assert prior == [(P, 3, True), (R1, 3, True), (R2, 2, True)]
    derivative = [(w.node, w.count, w.in_map) for w in near.derivative]
    assert derivative == [(A1, 3, True), (A2, 3, True), (D, 3, False), (A3, 2, True), (E, 1, False)]
    assert near.derivative[2].title == "Paper D" and near.derivative[2].year is not None
    assert C not in {w.node for w in near.prior + near.derivative}


def test_deeper_reaches_further_and_keeps_what_was_nearer() -> None:
    one, two, three = (around(hand_made(), C, depth) for depth in (1, 2, 3))
    assert set(two.papers) == set(one.papers) | {D, E}
    assert two.distance[D] == two.distance[E] == 2
    assert set(three.papers) == set(two.papers) | {F} and three.distance[F] == 3
    assert two.papers[: len(one.papers)] == one.papers
    # D cites three papers one step out; E one: D first
    assert two.papers[-2:] == [D, E] and two.strength == {**one.strength, D: 3, E: 1}
    assert [w.node for w in two.derivative][:4] == [A1, A2, D, A3] and two.derivative[2].in_map
    assert "person:doe" not in three.papers


def test_the_strongest_kept_under_the_cap() -> None:
    near = around(hand_made(), C, 2, max_papers=3)
    assert near.papers == [C, R1, A1] and near.found == 10
    assert sorted(near.graph.nodes) == sorted(near.papers)
    # the lists count what the kept papers cite and what cites them
    assert [(w.node, w.count) for w in near.prior] == [(R1, 2), (P, 1), (R2, 1)]
    derivative = [(w.node, w.count, w.in_map) for w in near.derivative]
    assert derivative == [(A1, 2, True), (A2, 2, False), (D, 1, False), (E, 1, False)]


def test_the_map_graph() -> None:
    near = around(hand_made(), C)
    graph = near.graph
    assert isinstance(graph, nx.MultiDiGraph) and graph.graph["projection"] == "citation"
    assert sorted(graph.nodes) == sorted(near.papers)
    assert [n for n, centre in graph.nodes(data="centre") if centre] == [C]
    cites = {(u, v) for u, v, r in graph.edges(data="relation") if r == "cites"}
    assert cites == {(u, v) for u, v in CITES if u in graph and v in graph}
    assert [(u, v) for u, v, r in graph.edges(data="relation") if r == "similar"] == [(S, C)]
    # counted in the map: D and E cite A1 in the graph, not in this map
    assert graph.nodes[A1]["cited_by"] == 0 and graph.nodes[A1]["references"] == 3
    assert graph.nodes[C]["cited_by"] == 2 and graph.nodes[R1]["cited_by"] == 3
    assert all("pagerank" in attrs and "community" in attrs for _, attrs in graph.nodes(data=True))
    summary = graph.graph["around"]
    assert summary["centre"] == C and summary["papers"] == summary["found"] == 8
    assert summary["prior"][0] == {
        "id": P,
        "count": 3,
        "title": "Paper P",
        "inMap": True,
        "year": graph.nodes[P]["year"],
    }


def test_the_paper_by_any_identifier_and_errors() -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("pmid:123", kind="paper", title="T", pmid="123", pmcid="PMC9")
    graph.add_node("pmid:124", kind="paper", title="U", pmid="124")
    graph.add_edge("pmid:124", "pmid:123", relation="cites")
    for given in ("123", "pmid:123", "PMC9", "pmcid:pmc9"):
        assert around(graph, given).papers == ["pmid:123", "pmid:124"]
    with pytest.raises(GraphError, match=r"^no paper doi:10\.9999/none in the graph$"):
        around(graph, "https://doi.org/10.9999/NONE")
    with pytest.raises(GraphError, match=r"^no paper pmid:999 in the graph$"):
        around(graph, "999")
    with pytest.raises(GraphError, match="no paper 'nothing' in the graph"):
        around(graph, "nothing")
    for depth in (0, MAX_DEPTH + 1, True):
        with pytest.raises(ValueError, match="depth"):
            around(graph, "123", depth)
    with pytest.raises(ValueError, match="max_papers"):
        around(graph, "123", max_papers=0)


def test_a_lone_paper_is_a_map_of_one() -> None:
    graph = nx.DiGraph()
    graph.add_node("pmid:1", kind="paper", title="Alone")
    near = around(graph, "pmid:1", 3)
    assert near.papers == ["pmid:1"] and near.prior == [] and near.derivative == []
    page = render(near.graph)
    assert json_block(page, "kg-legend-data")["around"]["prior"] == []


def test_at_most_top_works_in_each_list() -> None:
    graph = nx.DiGraph()
    graph.add_node("pmid:1", kind="paper", title="Centre")
    for i in range(2, 2 + TOP + 5):
        graph.add_node(f"pmid:{i}", kind="paper", title=f"Citer {i}")
        graph.add_edge(f"pmid:{i}", "pmid:1", relation="cites")
    near = around(graph, "pmid:1")
    assert len(near.derivative) == TOP
    assert [w.node for w in near.derivative] == sorted(f"pmid:{i}" for i in range(2, 17))[:TOP]


# ---- the page -------------------------------------------------------------------------------


def test_the_page_marks_the_centre_and_lists_the_works() -> None:
    near = around(hand_made(), C, 2)
    page = render(near.graph, title="kg map: around Paper C")
    nodes = page_nodes(page)
    assert nodes[C]["kg"]["centre"] is True
    assert not any(n["kg"].get("centre") for node_id, n in nodes.items() if node_id != C)
    # the largest node in both size modes, though R1 is cited more in the map
    sizes = {node_id: n["kg"]["sizes"] for node_id, n in nodes.items()}
    assert nodes[C]["kg"]["citedBy"] < nodes[R1]["kg"]["citedBy"]
    for mode in ("cited", "pagerank"):
        assert sizes[C][mode] == max(s[mode] for s in sizes.values())
    panel = json_block(page, "kg-legend-data")["around"]
    assert panel["centre"] == C and panel["depth"] == 2 and panel["papers"] == 10
    assert [w["id"] for w in panel["prior"]] == [w.node for w in near.prior]
    assert [w["count"] for w in panel["derivative"]] == [w.count for w in near.derivative]
    assert "around" not in json_block(render(hand_made()), "kg-legend-data")


def test_hostile_titles_in_the_lists_stay_data() -> None:
    titles = {P: HOSTILE[1], D: HOSTILE[0], C: HOSTILE[2]}
    near = around(hand_made(titles), C)
    page = render(near.graph, title=f"kg map: around {near.title}")
    panel = json_block(page, "kg-legend-data")["around"]
    assert panel["prior"][0]["title"] == HOSTILE[1]
    assert panel["derivative"][2]["title"] == HOSTILE[0]
    for text in HOSTILE[:3]:
        assert text not in page
    title = re.search("<title>(.*?)</title>", page)
    assert title and html.unescape(title.group(1)) == f"kg map: around {HOSTILE[2]}"


# ---- kg html --around, on the seeds' build -----------------------------------------------------


@pytest.fixture(scope="module")
def maps(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("around")
    pages = {}
    for name, extra in {
        "pmid": ["--around", "25879639"],
        "depth2": ["--around", "https://doi.org/10.1186/S12939-015-0156-0", "--depth", "2"],
        "again": ["--around", "PMC4404612", "--depth", "1"],
    }.items():
        target = out / f"{name}.html"
        code, stdout, stderr = invoke("html", "-g", str(seed_build), *extra, "-o", str(target))
        assert code == 0, stderr
        assert stdout == f"wrote {target.as_posix()}\n"
        pages[name] = target.read_text(encoding="utf-8")
    return pages


def test_the_centre_and_its_citing_papers_are_in_the_map(
    maps: dict[str, str], seed_build: Path
) -> None:
    citations = network(seed_build, "citation")
    citing = set(citations.predecessors(CENTRE))
    assert len(citing) == 5
    nodes = page_nodes(maps["pmid"])
    assert CENTRE in nodes and citing <= set(nodes)
    assert nodes[CENTRE]["kg"]["centre"] is True
    assert {n["kg"]["kind"] for n in nodes.values()} == {"paper"}
    edges = {(e["from"], e["to"]) for e in json_block(maps["pmid"], "kg-edges")}
    assert {(paper, CENTRE) for paper in citing} <= edges
    title = citations.nodes[CENTRE]["title"]
    assert f"<title>kg map: around {title}</title>" in maps["pmid"]
    panel = json_block(maps["pmid"], "kg-legend-data")["around"]
    assert {w["id"] for w in panel["derivative"]} == citing  # each cites the centre only


def test_deeper_maps_hold_the_nearer_ones_and_pages_repeat(maps: dict[str, str]) -> None:
    assert set(page_nodes(maps["depth2"])) >= set(page_nodes(maps["pmid"]))
    assert maps["again"] == maps["pmid"]  # the same paper by another id: the same bytes


def test_same_bytes_twice(seed_build: Path, tmp_path: Path) -> None:
    pages = []
    for name in ("one.html", "two.html"):
        code, _, _ = invoke(
            "html", "-g", str(seed_build), "--around", CENTRE, "--depth", "3", "-o",
            str(tmp_path / name),
        )  # fmt: skip
        assert code == 0
        pages.append((tmp_path / name).read_bytes())
    assert pages[0] == pages[1]


def test_unknown_paper_exits_1(seed_build: Path, tmp_path: Path) -> None:
    target = tmp_path / "none.html"
    code, _, err = invoke(
        "html", "-g", str(seed_build), "--around", "10.9999/NONE", "-o", str(target)
    )
    assert code == 1
    assert err == "Error: no paper doi:10.9999/none in the graph\n"
    assert not target.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--around", CENTRE, "--depth", "0"], "0 is not in the range 1<=x<=3"),
        (["--around", CENTRE, "--depth", "4"], "4 is not in the range 1<=x<=3"),
        (["--depth", "2"], "--depth is for --around"),
        (["--around", CENTRE, "--projection", "coupling"], "leave --projection out"),
        (["--around", CENTRE, "--min-weight", "2"], "--min-weight is for the weighted"),
    ],
)
def test_usage_errors_exit_2(
    seed_build: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    target = tmp_path / "bad.html"
    code, _, err = invoke("html", "-g", str(seed_build), *args, "-o", str(target))
    assert code == 2 and message in err, err
    assert not target.exists()


def test_projection_citation_is_allowed_with_around(
    maps: dict[str, str], seed_build: Path, tmp_path: Path
) -> None:
    target = tmp_path / "citation.html"
    code, _, _ = invoke(
        "html", "-g", str(seed_build), "--around", CENTRE, "--projection", "citation", "-o",
        str(target),
    )  # fmt: skip
    assert code == 0 and target.read_text(encoding="utf-8") == maps["pmid"]


# ---- kg.Map ----------------------------------------------------------------------------------


def srcdoc(frame: str) -> str:
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)"[^>]*></iframe>', frame)
    assert match, frame[:200]
    return html.unescape(match.group(1))


def test_map_in_a_notebook_is_a_sandboxed_frame_of_the_page(seed_build: Path) -> None:
    shown = kg.Map(seed_build, around="25879639", depth=2)
    near = around(network(seed_build, "full"), CENTRE, 2)
    page = render(near.graph, title=f"kg map: around {near.title}")
    assert shown.html == page
    frame = shown._repr_html_()
    assert srcdoc(frame) == page
    assert 'sandbox="allow-scripts' in frame and "allow-same-origin" not in frame
    assert 'width="100%"' in frame and 'height="640"' in frame
    assert shown.around is not None and shown.around.papers == near.papers
    assert shown.network is shown.around.graph


def test_map_without_around_is_what_kg_html_always_wrote(seed_build: Path, tmp_path: Path) -> None:
    shown = kg.Map(seed_build, projection="citation", color="community")
    expected = render(
        annotate(network(seed_build, "citation")), title="kg map: citation", color="community"
    )
    assert shown.html == expected and shown.around is None
    target = tmp_path / "cli.html"
    code, _, _ = invoke(
        "html", "-g", str(seed_build), "--projection", "citation", "--color", "community", "-o",
        str(target),
    )  # fmt: skip
    assert code == 0 and target.read_text(encoding="utf-8") == expected
    assert kg.Map(seed_build).title == "kg map: full"
    assert (
        srcdoc(kg.Map(seed_build, title="Mine", height=300)._repr_html_()).count(
            "<title>Mine</title>"
        )
        == 1
    )


def test_map_from_an_rdf_file_or_an_rdflib_graph(seed_build: Path) -> None:
    from rdflib import Graph

    folder = kg.Map(seed_build, around=CENTRE).html
    assert kg.Map(seed_build / "graph.ttl", around=CENTRE).html == folder
    assert kg.Map(Graph().parse(seed_build / "graph.ttl"), around=CENTRE).html == folder


def test_map_save_writes_the_page(seed_build: Path, tmp_path: Path) -> None:
    shown = kg.Map(seed_build, around=CENTRE)
    target = tmp_path / "sub" / "around.html"
    assert shown.save(target) == target
    assert target.read_text(encoding="utf-8") == shown.html
    assert shown.save(str(target)) == target  # replaced whole
    assert [p.name for p in target.parent.iterdir()] == ["around.html"]


def test_map_errors(seed_build: Path) -> None:
    with pytest.raises(GraphError, match=r"^no paper doi:10\.9999/none in the graph$"):
        kg.Map(seed_build, around="10.9999/none")
    with pytest.raises(ValueError, match="citation map"):
        kg.Map(seed_build, around=CENTRE, projection="full")
    with pytest.raises(ValueError, match="min_weight"):
        kg.Map(seed_build, around=CENTRE, min_weight=2)
    with pytest.raises(ValueError, match="depth"):
        kg.Map(seed_build, around=CENTRE, depth=4)
    with pytest.raises(ValueError, match="height"):
        kg.Map(seed_build, height=0)
    with pytest.raises(ValueError, match="layout"):
        kg.Map(seed_build, layout="circle")


def test_import_kg_stays_cheap() -> None:
    code = (
        "import sys, kg; assert 'Map' in kg.__all__; "
        "cheap = [m for m in ('networkx', 'jinja2', 'pyvis', 'kg.mapview') if m in sys.modules]; "
        "kg.Map; "
        "print(cheap, [m for m in ('networkx', 'jinja2', 'pyvis') if m in sys.modules])"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[] []"
