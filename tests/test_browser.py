"""The rendered map in a real Chromium, opened from file:// with no network."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import kg
from kg.html import render
from tests.maps import HOSTILE, citation_graph, hostile_graph, sample_graph

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    if os.environ.get("CI"):  # .ci/run installs it: a missing browser there is a failure
        raise RuntimeError("CI: Chromium is not installed at /usr/bin/chromium")
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

ARTIFACTS = Path(__file__).parent / "artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ALL_SAMPLE = sorted(sample_graph().nodes)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


class Opened:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.seconds = 0.0


def open_file(browser: Browser, path: Path, timeout: int = 20_000) -> Opened:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    opened = Opened(page)
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on(
        "console",
        lambda message: opened.errors.append(message.text) if message.type == "error" else None,
    )
    started = time.monotonic()
    page.goto(path.as_uri())
    page.wait_for_function("() => window.kgStabilized === true", timeout=timeout, polling=50)
    opened.seconds = time.monotonic() - started
    return opened


def open_map(
    browser: Browser, tmp_path: Path, graph: nx.Graph, name: str, **options: Any
) -> Opened:
    path = tmp_path / name
    path.write_text(render(graph, title="kg test map", **options), encoding="utf-8")
    return open_file(browser, path)


def assert_offline(opened: Opened) -> None:
    assert opened.requests, "the page itself should have been requested"
    for url in opened.requests:
        assert url.startswith(("file:", "data:")), url
    assert opened.errors == []


def search(page: Page, text: str) -> None:
    box = page.locator("#kg-search")
    box.fill(text)
    box.press("Enter")


def selected(page: Page) -> list[str]:
    return page.evaluate("network.getSelectedNodes()")


def visible(page: Page) -> list[str]:
    """The ids the page says are visible, checked against what vis-network holds."""
    ids = page.evaluate("kgVisibleNodeIds()")
    assert sorted(page.evaluate("network.body.nodeIndices")) == ids
    return ids


def visible_relations(page: Page) -> set[str]:
    return set(page.evaluate("network.body.edgeIndices.map(id => edges.get(id).relation)"))


def node_points(page: Page) -> dict[str, tuple[float, float]]:
    """Page coordinates of every drawn node's centre."""
    points = page.evaluate(
        """() => {
            const rect = document.getElementById("mynetwork").getBoundingClientRect();
            const out = {};
            const positions = network.getPositions();
            for (const id of Object.keys(positions)) {
                const dom = network.canvasToDOM(positions[id]);
                out[id] = [rect.left + dom.x, rect.top + dom.y];
            }
            return out;
        }"""
    )
    return {node_id: (xy[0], xy[1]) for node_id, xy in points.items()}


def node_option(page: Page, node_id: str, path: str) -> Any:
    return page.evaluate(f"id => network.body.nodes[id].options.{path}", node_id)


def test_map_loads_offline_with_all_nodes_and_edges(browser: Browser, tmp_path: Path) -> None:
    graph = sample_graph()
    opened = open_map(browser, tmp_path, graph, "map.html")
    page = opened.page
    assert page.evaluate("nodes.length") == graph.number_of_nodes() == 14
    assert page.evaluate("edges.length") == graph.number_of_edges() == 16
    assert page.evaluate("network.physics.physicsEnabled") is False
    assert sorted(page.evaluate("nodes.getIds()")) == ALL_SAMPLE
    assert visible(page) == ALL_SAMPLE
    assert len(page.evaluate("kgVisibleEdgeIds()")) == 16
    legend = page.locator("#kg-legend").inner_text()
    for word in ("paper", "person", "journal", "statement", "cites", "similar", "supporting"):
        assert word in legend
    assert page.locator("#kg-note").count() == 0
    # spread out, and no two nodes overlap
    sizes = page.evaluate("Object.fromEntries(nodes.get().map(n => [n.id, n.size]))")
    positions = page.evaluate("network.getPositions()")
    xs = [p["x"] for p in positions.values()]
    ys = [p["y"] for p in positions.values()]
    assert max(xs) - min(xs) > 300 and max(ys) - min(ys) > 300
    for a in positions:
        for b in positions:
            if a < b:
                gap = (
                    (positions[a]["x"] - positions[b]["x"]) ** 2
                    + (positions[a]["y"] - positions[b]["y"]) ** 2
                ) ** 0.5
                assert gap > sizes[a] + sizes[b], (a, b)
    # a node dragged stays where it is dropped: physics stays off
    x, y = node_points(page)["journal:ijeh"]
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 40, steps=5)
    page.mouse.up()
    page.wait_for_timeout(200)
    moved = page.evaluate("network.getPositions()")
    assert moved["journal:ijeh"] != positions["journal:ijeh"]
    assert {k: v for k, v in moved.items() if k != "journal:ijeh"} == {
        k: v for k, v in positions.items() if k != "journal:ijeh"
    }
    assert_offline(opened)
    page.close()


def test_search_selects_and_shows_details(browser: Browser, tmp_path: Path) -> None:
    opened = open_map(browser, tmp_path, sample_graph(), "search.html")
    page = opened.page
    search(page, "26488904")
    assert selected(page) == ["pmid:26488904"]
    details = page.locator("#kg-details")
    text = details.inner_text()
    for expected in (
        "Social determinants of health equity: a review",
        "Grace Hopper, Katherine Johnson, Ada Lovelace, Alan Turing",
        "2015",
        "Int J Equity Health",
        "5 in this map",  # cited by
        "Global citations\n53",
        "PageRank\n0.210",
        "Community\n0",
    ):
        assert expected in text, expected
    links = details.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [
        "https://doi.org/10.1186/s12939-015-0156-0",
        "https://pubmed.ncbi.nlm.nih.gov/26488904/",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC4618537/",
    ]
    assert all(links.nth(i).get_attribute("rel") == "noopener noreferrer" for i in range(3))

    search(page, "https://doi.org/10.1000/KG.5")
    assert selected(page) == ["doi:10.1000/kg.5"]
    assert details.locator("a").count() == 1  # a DOI but no PMID

    search(page, "pmc4618537")
    assert selected(page) == ["pmid:26488904"]
    search(page, "work:ab12cd34")
    search(page, "https://pmc.ncbi.nlm.nih.gov/articles/PMC4618537/")
    assert selected(page) == ["pmid:26488904"]

    search(page, "KNOWLEDGE GRAPHS")
    assert selected(page) == ["pmid:31000002"]
    assert "Knowledge graphs in biomedicine" in details.inner_text()

    search(page, "work:ab12cd34")
    assert selected(page) == ["work:ab12cd34"]
    assert details.locator("a").count() == 0

    search(page, "Katherine Johnson")  # an author of every paper: the best-ranked paper
    assert selected(page) == ["pmid:26488904"]

    search(page, "Turing")  # title first: the person's own node
    assert selected(page) == ["person:turing"]
    assert details.locator("a").count() == 0  # no ORCID

    search(page, "Hopper")
    assert selected(page) == ["person:hopper"]
    assert details.locator("a").get_attribute("href") == "https://orcid.org/0000-0002-1825-0097"

    search(page, "no such thing at all")
    assert page.locator("#kg-search-status").inner_text() == "No match"

    ARTIFACTS.mkdir(exist_ok=True)
    search(page, "26488904")
    page.wait_for_timeout(500)  # let the focus animation finish before fitting the whole map
    page.evaluate("network.fit({animation: false})")
    page.screenshot(path=str(ARTIFACTS / "map.png"))
    assert_offline(opened)
    page.close()


def search_graph() -> nx.DiGraph:
    """130 papers "Paper i"; every 9th has "dopamine" in its title instead (some at the start),
    one of them hostile; pmid:0, the best-ranked, has a title starting with "12"."""
    graph = citation_graph(130, 200)
    for i in range(130):
        graph.nodes[f"pmid:{i}"]["authors"] = (f"Smith {i}", "Jones")
    for i in range(1, 130, 9):
        start = i % 2 == 0
        title = f"Dopamine and reward {i}" if start else f"Striatal DOPAMINE release {i}"
        graph.nodes[f"pmid:{i}"]["title"] = title
    graph.nodes["pmid:28"]["title"] = HOSTILE[0] + " dopamine 28"
    graph.nodes["pmid:0"]["title"] = "12 dopamine-free trials"
    return graph


def hit_titles(page: Page) -> list[str]:
    return page.evaluate(
        "[...document.querySelectorAll('#kg-hits-list [role=option] .kg-hit-title')]"
        ".map(e => e.textContent)"
    )


def test_search_lists_every_hit_ranked(browser: Browser, tmp_path: Path) -> None:
    graph = search_graph()
    opened = open_map(browser, tmp_path, graph, "hits.html")
    page = opened.page
    box = page.locator("#kg-search")
    hits_box = page.locator("#kg-hits")

    def matches(text: str) -> list[str]:
        return [
            node
            for node, attrs in graph.nodes(data=True)
            if text in " ".join([node, attrs["title"], attrs["label"], *attrs["authors"]]).lower()
        ]

    def tier(node: str) -> int:
        title = graph.nodes[node]["title"].lower()
        return 1 if title.startswith("dopamine") else 2

    expected = sorted(matches("dopamine"), key=lambda n: (tier(n), -graph.nodes[n]["pagerank"], n))
    assert len(expected) == 16
    box.click()
    box.press_sequentially("dopamine")  # typed: the list shows up after a pause, no Enter
    page.wait_for_function("() => !document.getElementById('kg-hits').hidden")
    assert page.locator("#kg-hits-count").inner_text() == f"{len(expected)} papers"
    assert hit_titles(page) == [graph.nodes[n]["title"] for n in expected]
    assert page.locator("#kg-hits-list").get_attribute("role") == "listbox"
    assert box.get_attribute("aria-expanded") == "true"
    assert not page.locator("#kg-hits-more").is_visible()
    first = page.locator("#kg-hits-list [role=option]").first.inner_text()
    assert "Smith 10 et al." in first and "PMID 10" in first and "1992" in first

    box.press("ArrowDown")
    box.press("ArrowDown")
    second = page.locator("#kg-hit-1")
    assert second.get_attribute("aria-selected") == "true"
    assert box.evaluate("e => e.ariaActiveDescendantElement.id") == "kg-hit-1"
    assert second.evaluate("e => e.classList.contains('kg-active')")
    box.press("Enter")
    assert selected(page) == [expected[1]]
    details = page.locator("#kg-details .kg-title")
    assert details.evaluate("e => e.textContent") == graph.nodes[expected[1]]["title"]
    box.press("ArrowUp")
    box.press("Enter")
    assert selected(page) == [expected[0]]

    box.press("Escape")
    assert hits_box.is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert box.input_value() == "dopamine"  # Escape closes the list, keeps the text

    # a click on a row selects it; the hostile title is a row of text
    box.press("ArrowDown")
    assert hits_box.is_visible()
    row = expected.index("pmid:28")
    assert hit_titles(page)[row] == HOSTILE[0] + " dopamine 28"
    page.locator(f"#kg-hit-{row}").click()
    assert selected(page) == ["pmid:28"]
    assert details.evaluate("e => e.textContent") == HOSTILE[0] + " dopamine 28"
    assert page.evaluate("document.querySelectorAll('img, svg, b').length") == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"

    # a PMID ranks its paper first, above a title starting with it and a higher PageRank
    search(page, "12")
    assert selected(page) == ["pmid:12"]
    assert hit_titles(page)[:2] == ["Paper 12", "12 dopamine-free trials"]
    assert page.locator("#kg-hits-count").inner_text() == f"{len(matches('12'))} papers"

    # the rows drawn are capped
    search(page, "paper")
    count = len(matches("paper"))
    assert count == 130 - 16  # the dopamine titles and pmid:0
    assert page.locator("#kg-hits-count").inner_text() == f"{count} papers"
    assert len(hit_titles(page)) == 100
    assert page.locator("#kg-hits-more").inner_text() == f"and {count - 100} more"
    assert selected(page) == ["pmid:2"]  # Enter with nothing highlighted: the first hit

    search(page, "no such paper at all")
    assert page.locator("#kg-hits-count").inner_text() == "No match"
    assert page.locator("#kg-search-status").inner_text() == "No match"
    page.mouse.click(5, 700)  # leaving the box closes the list
    assert hits_box.is_hidden()
    assert_offline(opened)
    page.close()


def test_statement_details_and_cited_paper(browser: Browser, tmp_path: Path) -> None:
    opened = open_map(browser, tmp_path, sample_graph(), "statement.html")
    page = opened.page
    x, y = node_points(page)["statement:s2"]
    page.mouse.click(x, y)
    assert selected(page) == ["statement:s2"]
    text = page.locator("#kg-details").inner_text()
    for expected in (
        "Screening tools missed studies [3].",
        "Type\ncontrasting",
        "Section\nResults",
        "Confidence\n0.78",
    ):
        assert expected in text, expected
    badge = page.locator("#kg-details .kg-badge").nth(1)
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(214, 39, 40)"
    page.locator("#kg-details button.kg-cited").click()
    assert selected(page) == ["pmid:31000001"]
    assert "Machine learning for citation screening" in page.locator("#kg-details").inner_text()
    assert_offline(opened)
    page.close()


def test_filters_hide_and_unhide(browser: Browser, tmp_path: Path) -> None:
    opened = open_map(browser, tmp_path, sample_graph(), "filters.html")
    page = opened.page
    before = page.evaluate("network.getPositions()")
    statements = {"statement:s1", "statement:s2", "statement:s3"}

    page.locator("#kg-filter-kind-statement").uncheck()
    assert set(visible(page)) == set(ALL_SAMPLE) - statements
    assert not visible_relations(page) & {"supporting", "contrasting", "mentioning", "discusses"}
    page.locator("#kg-filter-kind-statement").check()
    assert visible(page) == ALL_SAMPLE
    assert page.evaluate("network.getPositions()") == before  # back where they were

    page.locator("#kg-filter-rel-cites").uncheck()
    assert visible(page) == ALL_SAMPLE  # relations hide links, not nodes
    assert "cites" not in visible_relations(page) and "similar" in visible_relations(page)
    page.locator("#kg-hide-unconnected").check()
    hidden = {"doi:10.1000/kg.5", "work:ab12cd34", "pmid:31000009"}
    assert set(visible(page)) == set(ALL_SAMPLE) - hidden
    page.locator("#kg-filter-rel-cites").check()
    assert set(visible(page)) == set(ALL_SAMPLE) - {"pmid:31000009"}
    assert len(page.evaluate("kgVisibleEdgeIds()")) == 16
    page.locator("#kg-hide-unconnected").uncheck()
    assert visible(page) == ALL_SAMPLE

    page.locator("#kg-year-min").fill("2018")
    page.locator("#kg-year-max").fill("2020")
    page.locator("#kg-year-max").press("Enter")
    papers_in_range = {"pmid:31000001", "pmid:31000002", "pmid:31000003"}
    others = {n for n in ALL_SAMPLE if not n.startswith(("pmid:", "doi:", "work:"))}
    page.wait_for_function("() => kgVisibleNodeIds().length === 9")
    assert set(visible(page)) == papers_in_range | others
    page.locator("#kg-year-min").fill("")
    page.locator("#kg-year-max").fill("")
    page.wait_for_function(f"() => kgVisibleNodeIds().length === {len(ALL_SAMPLE)}")

    page.locator("#kg-community").select_option("1")
    community = {
        "pmid:31000001",
        "pmid:31000002",
        "pmid:31000007",
        "person:hopper",
        "person:turing",
    }
    assert set(visible(page)) == community
    search(page, "26488904")  # found, but hidden: details shown, nothing selected
    assert selected(page) == []
    assert "hidden by the filters" in page.locator("#kg-search-status").inner_text()
    assert "Social determinants" in page.locator("#kg-details").inner_text()
    page.locator("#kg-community").select_option("")
    assert visible(page) == ALL_SAMPLE
    assert page.evaluate("network.getPositions()") == before
    # a node dragged, hidden and shown again comes back where it was dropped
    x, y = node_points(page)["person:turing"]
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 70, y + 30, steps=5)
    page.mouse.up()
    dropped = page.evaluate("network.getPosition('person:turing')")
    assert dropped != before["person:turing"]
    page.locator("#kg-filter-kind-person").uncheck()
    assert "person:turing" not in visible(page)
    page.locator("#kg-filter-kind-person").check()
    assert page.evaluate("network.getPosition('person:turing')") == dropped
    status = page.locator("#kg-filter-status").inner_text()
    assert status == "Showing 14 of 14 nodes and 16 of 16 links."
    assert_offline(opened)
    page.close()


def test_colour_and_size_modes(browser: Browser, tmp_path: Path) -> None:
    graph = sample_graph()
    opened = open_map(browser, tmp_path, graph, "colours.html")
    page = opened.page

    def colours() -> dict[str, str]:
        return page.evaluate(
            "Object.fromEntries(nodes.getIds().map(id => [id, network.body.nodes[id].options.color.background]))"
        )

    by_kind = colours()
    assert by_kind["pmid:26488904"] == by_kind["pmid:31000001"] != by_kind["person:hopper"]
    page.locator("#kg-color").select_option("community")
    by_community = colours()
    groups: dict[int, set[str]] = {}
    for node_id, attrs in graph.nodes(data=True):
        groups.setdefault(attrs["community"], set()).add(by_community[node_id])
    assert all(len(c) == 1 for c in groups.values())
    assert len({next(iter(c)) for c in groups.values()}) == 3
    assert by_community["person:hopper"] == by_community["pmid:31000001"]  # both community 1
    assert by_community != by_kind
    legend = page.locator("#kg-legend").inner_text()
    assert "0 (8): Social determinants of health equity: a review" in legend
    assert "1 (5): Machine learning for citation screening" in legend
    assert "no community" not in legend

    page.locator("#kg-color").select_option("year")
    by_year = colours()
    assert by_year["pmid:26488904"] != by_year["pmid:31000007"]
    assert by_year["work:ab12cd34"] == by_year["person:hopper"]  # no year: grey
    legend = page.locator("#kg-legend").inner_text()
    assert "2015" in legend and "2022" in legend and "no year" in legend
    page.locator("#kg-color").select_option("kind")
    assert colours() == by_kind

    cited = node_option(page, "statement:s1", "size")
    page.locator("#kg-size").select_option("pagerank")
    assert node_option(page, "statement:s1", "size") > cited  # PageRank 0.02, never cited
    assert node_option(page, "pmid:26488904", "size") > node_option(page, "pmid:31000001", "size")
    assert "PageRank" in page.locator("#kg-legend").inner_text()
    assert_offline(opened)
    page.close()


def test_timeline_layout(browser: Browser, tmp_path: Path) -> None:
    opened = open_map(browser, tmp_path, sample_graph(), "timeline.html")
    page = opened.page
    force = page.evaluate("network.getPositions()")
    assert page.evaluate("window.kgTicks") == []
    page.locator("#kg-layout").select_option("timeline")
    page.wait_for_timeout(100)
    positions = page.evaluate("network.getPositions()")
    x = {node_id: p["x"] for node_id, p in positions.items()}
    assert x["pmid:26488904"] < x["pmid:31000009"] < x["pmid:31000003"] < x["pmid:31000001"]
    assert x["pmid:31000001"] < x["pmid:31000002"] < x["doi:10.1000/kg.5"] < x["pmid:31000007"]
    assert x["work:ab12cd34"] < x["pmid:26488904"]  # the "no year" column, on the left
    assert x["statement:s2"] == x["pmid:31000001"]  # an undated statement by its paper
    assert node_option(page, "pmid:26488904", "fixed.x") is True
    assert node_option(page, "pmid:26488904", "fixed.y") is False
    ticks = page.evaluate("window.kgTicks")
    assert {"2015", "2020", "2022", "no year"} <= set(ticks)
    assert page.evaluate("network.physics.physicsEnabled") is False
    # a dragged node moves in y only
    px, py = node_points(page)["pmid:31000002"]
    page.mouse.move(px, py)
    page.mouse.down()
    page.mouse.move(px + 80, py + 50, steps=5)
    page.mouse.up()
    dragged = page.evaluate("network.getPosition('pmid:31000002')")
    assert dragged["x"] == positions["pmid:31000002"]["x"]
    assert dragged["y"] != positions["pmid:31000002"]["y"]
    page.screenshot(path=str(tmp_path / "timeline.png"))
    page.locator("#kg-layout").select_option("force")
    assert page.evaluate("network.getPositions()") == force
    assert node_option(page, "pmid:26488904", "fixed.x") is False
    page.close()

    opened = open_map(browser, tmp_path, sample_graph(), "timeline2.html", layout="timeline")
    page = opened.page
    x = {k: p["x"] for k, p in page.evaluate("network.getPositions()").items()}
    assert x["work:ab12cd34"] < x["pmid:26488904"] < x["pmid:31000007"]
    assert page.locator("#kg-layout").input_value() == "timeline"
    assert_offline(opened)
    page.close()


def hover_tooltip(page: Page, x: float, y: float) -> str:
    page.mouse.move(x, y)
    page.wait_for_function(
        "() => { const t = document.querySelector('div.vis-tooltip');"
        " return t && t.style.visibility === 'visible'; }",
        timeout=5_000,
    )
    return page.locator("div.vis-tooltip").evaluate("e => e.textContent")


def edge_point(page: Page, edge_id: str) -> tuple[float, float]:
    """A point on the page over the edge (and over no node)."""
    point = page.evaluate(
        """id => {
            const rect = document.getElementById("mynetwork").getBoundingClientRect();
            const edge = network.body.edges[id];
            const a = network.canvasToDOM(network.getPosition(edge.fromId));
            const b = network.canvasToDOM(network.getPosition(edge.toId));
            for (let r = 0; r < 40; r += 2) {
                for (const t of [0.5, 0.4, 0.6, 0.3, 0.7]) {
                    for (const [dx, dy] of [[0, 0], [r, 0], [-r, 0], [0, r], [0, -r]]) {
                        const p = {x: a.x + t * (b.x - a.x) + dx, y: a.y + t * (b.y - a.y) + dy};
                        if (network.getEdgeAt(p) === id && network.getNodeAt(p) === undefined) {
                            return [rect.left + p.x, rect.top + p.y];
                        }
                    }
                }
            }
            return null;
        }""",
        edge_id,
    )
    assert point, edge_id
    return point[0], point[1]


def test_hostile_titles_stay_text(browser: Browser, tmp_path: Path) -> None:
    graph = hostile_graph()
    opened = open_map(browser, tmp_path, graph, "hostile.html")
    page = opened.page
    scripts = page.evaluate("document.querySelectorAll('script').length")
    assert scripts == 7  # five JSON blocks, vis-network, the page's own
    page.evaluate("network.fit({animation: false})")
    points = node_points(page)
    assert set(points) == set(graph.nodes)
    details = page.locator("#kg-details")
    for node_id, (x, y) in sorted(points.items()):
        title = graph.nodes[node_id]["title"]
        assert hover_tooltip(page, x, y).startswith(title), node_id
        page.mouse.click(x, y)
        assert selected(page) == [node_id]
        assert details.locator(".kg-title").evaluate("e => e.textContent") == title
        page.mouse.move(5, 5)
    for edge_id in page.evaluate("edges.getIds()"):
        relation = page.evaluate("id => edges.get(id).relation", edge_id)
        assert hover_tooltip(page, *edge_point(page, edge_id)).startswith(relation)
        page.mouse.move(5, 5)
    search(page, "statement:h")  # cites an id that is no node of the map
    assert f"{HOSTILE[0]} (not in this map)" in details.inner_text()
    for mode in ("community", "year", "kind"):
        page.locator("#kg-color").select_option(mode)
    for layout in ("timeline", "force"):
        page.locator("#kg-layout").select_option(layout)
    page.locator("#kg-community").select_option("1")
    page.locator("#kg-community").select_option("")
    for box in page.locator("#kg-filters input[type=checkbox]").all():
        box.click()
        box.click()
    legend = page.locator("#kg-legend").inner_text() + page.locator("#kg-filters").inner_text()
    assert HOSTILE[2] in legend  # a relation, and a kind, shown as text
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert (
        page.evaluate("document.querySelectorAll('img, svg, b, iframe, object, embed').length") == 0
    )
    assert page.evaluate("document.querySelectorAll('script').length") == scripts
    handlers = page.evaluate(
        """() => [...document.querySelectorAll('*')].flatMap(e =>
            [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"""
    )
    assert handlers == []
    hrefs = page.evaluate("[...document.querySelectorAll('a')].map(a => a.href)")
    assert all(href.startswith("https://") for href in hrefs), hrefs
    assert_offline(opened)
    page.close()


def test_large_map_keeps_the_budget_and_is_interactive(browser: Browser, tmp_path: Path) -> None:
    graph = citation_graph(1500, 5000)
    opened = open_map(browser, tmp_path, graph, "large.html", max_nodes=500)
    page = opened.page
    assert opened.seconds < 15, opened.seconds
    note = page.locator("#kg-note")
    assert note.is_visible()
    assert note.inner_text().startswith("Showing 500 of 1,500 nodes (the papers with the highest")
    assert "kg html --projection citation --max-nodes 1500 -o map.html" in note.inner_text()
    assert page.evaluate("nodes.length") == 500
    assert len(visible(page)) == 500
    assert set(page.evaluate("nodes.getIds()")) == {f"pmid:{i}" for i in range(500)}
    assert page.evaluate("network.physics.physicsEnabled") is False
    arrows = "network.edgesHandler.options.arrows.to.enabled"
    assert page.evaluate("network.getScale()") < 0.6
    assert page.evaluate(arrows) is False  # zoomed out: arrows would be specks
    search(page, "Paper 7")
    assert selected(page) == ["pmid:7"]
    page.wait_for_function(f"() => {arrows}")  # zoomed in on it: arrows back
    page.locator("#kg-filter-rel-cites").uncheck()
    page.locator("#kg-hide-unconnected").check()
    assert visible(page) == []
    page.locator("#kg-hide-unconnected").uncheck()
    assert len(visible(page)) == 500
    assert_offline(opened)
    page.close()


def test_seeds_map(browser: Browser, seed_build: Path) -> None:
    opened = open_file(browser, seed_build / "graph.html")
    page = opened.page
    assert page.evaluate("network.body.nodeIndices.length") >= 12
    assert page.evaluate("nodes.length") >= 12
    search(page, "26488904")
    (node_id,) = selected(page)
    assert node_id.startswith("doi:")
    assert page.locator("#kg-details .kg-title").inner_text().startswith("Arresting HIV:")
    hrefs = page.evaluate("[...document.querySelectorAll('#kg-details a')].map(a => a.href)")
    assert "https://pubmed.ncbi.nlm.nih.gov/26488904/" in hrefs
    assert_offline(opened)
    page.close()


@pytest.mark.parametrize("shape", ["empty", "no links", "one node", "one link"])
def test_degenerate_maps_load(browser: Browser, tmp_path: Path, shape: str) -> None:
    graph = nx.MultiDiGraph()
    count = {"empty": 0, "no links": 5, "one node": 1, "one link": 2}[shape]
    for i in range(count):
        graph.add_node(f"pmid:{i}", kind="paper", title=f"Paper {i}", year=2000 + i)
    if shape == "one link":
        graph.add_edge("pmid:1", "pmid:0", relation="cites")
    opened = open_map(browser, tmp_path, graph, "degenerate.html")
    page = opened.page
    assert page.evaluate("nodes.length") == count
    assert len(visible(page)) == count
    positions = page.evaluate("Object.values(network.getPositions()).map(p => [p.x, p.y])")
    assert len({tuple(p) for p in positions}) == count  # nobody on top of anybody
    page.locator("#kg-color").select_option("community")
    legend = page.locator("#kg-legend").inner_text()
    assert (f"no community ({count})" in legend) is (count > 0)
    page.locator("#kg-layout").select_option("timeline")
    page.locator("#kg-color").select_option("year")
    page.locator("#kg-hide-unconnected").check()
    assert len(visible(page)) == (2 if shape == "one link" else 0)
    assert_offline(opened)
    page.close()


def test_map_built_from_a_hostile_source_runs_nothing(browser: Browser, tmp_path: Path) -> None:
    """The whole path a user takes: a MEDLINE file whose titles, authors and journal hold
    markup, built by kg build, opened, every node hovered and clicked."""
    records = []
    for index, text in enumerate(HOSTILE[:3]):
        records.append(
            f"PMID- {93000001 + index}\nTI  - {text}\nAU  - Pwn{index} {text}\n"
            f"JT  - {text}\nTA  - J{index}\nDP  - 202{index}\n"
        )
    source = tmp_path / "hostile.nbib"
    source.write_text("\n".join(records), encoding="utf-8")
    report = kg.build([source], tmp_path / "out")
    assert report.counts["papers"] == 3
    opened = open_file(browser, tmp_path / "out" / "graph.html")
    page = opened.page
    scripts = page.evaluate("document.querySelectorAll('script').length")
    page.evaluate("network.fit({animation: false})")
    points = node_points(page)
    assert len(points) >= 3 + 3  # papers, their authors (and journals)
    titles = []
    for node_id, (x, y) in sorted(points.items()):
        hover_tooltip(page, x, y)
        page.mouse.click(x, y)
        assert selected(page) == [node_id]
        if node_id.startswith("pmid:"):
            title = page.locator("#kg-details .kg-title").evaluate("e => e.textContent")
            titles.append(title)
        page.mouse.move(5, 5)
    assert sorted(titles) == sorted(HOSTILE[:3])  # shown as the text it is
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, svg, iframe').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == scripts
    assert_offline(opened)
    page.close()


def test_around_map_shows_its_centre(browser: Browser, seed_build: Path, tmp_path: Path) -> None:
    """kg html --around: the paper selected and its details shown when the page opens, its
    dark border kept in every colour mode, the derivative works listed and selectable."""
    from click.testing import CliRunner

    from kg.cli import cli

    centre = "doi:10.1186/s12939-015-0156-0"
    path = tmp_path / "around.html"
    args = ["html", "-g", str(seed_build), "--around", "25879639", "-o", str(path)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    opened = open_file(browser, path)
    page = opened.page
    assert selected(page) == [centre]
    assert page.title().startswith("kg map: around Reducing stigma in healthcare")
    details = page.locator("#kg-details")
    assert details.locator(".kg-title").inner_text().startswith("Reducing stigma in healthcare")
    assert "drawn around this paper" in details.inner_text()
    assert node_option(page, centre, "borderWidth") == 4
    assert node_option(page, centre, "size") == max(page.evaluate("nodes.get().map(n => n.size)"))
    for mode in ("community", "year", "kind"):
        page.locator("#kg-color").select_option(mode)
        assert node_option(page, centre, "color.border") == "#111111", mode
    panel = page.locator("#kg-around")
    assert panel.locator("h2").text_content() == "Around this paper"
    assert panel.inner_text().startswith("AROUND THIS PAPER\n\n11 papers within 1 step: citations")
    assert "None in the graph." in panel.inner_text()  # its citers cite nothing else here
    works = page.locator("#kg-derivative li")
    assert works.count() == 5
    works.nth(0).locator("button").click()
    (chosen,) = selected(page)
    assert chosen != centre and chosen in page.evaluate("kgVisibleNodeIds()")
    assert (
        page.locator("#kg-details .kg-title").inner_text()
        == works.nth(0).locator("button").inner_text().rsplit(" (", 1)[0]
    )
    assert_offline(opened)
    page.close()


def test_named_clusters_in_the_legend_and_on_the_map(browser: Browser, tmp_path: Path) -> None:
    """Colouring by community lists each community's name in the legend and draws it on the
    map at the middle of its visible papers; the other colour modes draw no names."""
    from kg.clusters import names

    graph = sample_graph()
    for index, text in enumerate(HOSTILE[:3]):  # a community of papers titled with markup
        graph.add_node(f"pmid:9{index}", kind="paper", title=text, community=3)
    named = names(graph)
    assert sorted(named) == [0, 1, 3]
    opened = open_map(browser, tmp_path, graph, "named.html", color="community")
    page = opened.page
    legend = page.locator("#kg-legend")
    shown = legend.locator(".kg-cluster-name").evaluate_all("es => es.map(e => e.textContent)")
    assert shown == [named[0], named[1], named[3]]
    assert "0 (8): Social determinants of health equity: a review" in legend.inner_text()
    page.wait_for_function("() => (window.kgClusterNames || []).length === 3")
    assert sorted(page.evaluate("kgClusterNames")) == sorted(named.values())
    page.locator("#kg-community").select_option("1")
    page.wait_for_function("() => window.kgClusterNames.length === 1")
    assert page.evaluate("kgClusterNames") == [named[1]]
    page.locator("#kg-community").select_option("")
    page.locator("#kg-color").select_option("kind")
    page.wait_for_function("() => window.kgClusterNames.length === 0")
    assert legend.locator(".kg-cluster-name").count() == 0
    page.locator("#kg-color").select_option("community")
    page.wait_for_function("() => window.kgClusterNames.length === 3")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, svg, b').length") == 0
    assert_offline(opened)
    page.close()
