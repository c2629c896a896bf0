"""The rendered map in a real Chromium, opened from file:// with no network."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.html import render

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
HOSTILE = [
    '<img src=x onerror="window.__pwned=1">',
    "</script><script>window.__pwned=1</script>",
    '<svg onload="window.__pwned=1">',
    "\"quotes' \\ back\\slash \U0001f9ea emoji \u2028 line separator & <b>bold</b>",
]


def sample_graph() -> nx.MultiDiGraph:
    """12 nodes of every kind, several relations."""
    graph = nx.MultiDiGraph()
    papers = [
        ("pmid:26488904", "Social determinants of health equity: a review", 2015, 6, "26488904"),
        ("pmid:31000001", "Machine learning for citation screening", 2019, 3, "31000001"),
        ("pmid:31000002", "Knowledge graphs in biomedicine", 2020, 2, "31000002"),
        ("pmid:31000003", "Mental health in rural communities", 2018, 1, "31000003"),
        ("doi:10.1000/kg.5", "Open bibliographic metadata at scale", 2021, 1, None),
        ("work:ab12cd34", "An unpublished working paper", None, 0, None),
        ("pmid:31000007", "Deep learning for literature mining", 2022, 0, "31000007"),
    ]
    for node_id, title, year, cited_by, pmid in papers:
        attrs: dict[str, Any] = {
            "kind": "paper",
            "label": title.split(":")[0][:28],
            "title": title,
            "authors": ("Grace Hopper", "Katherine Johnson", "Ada Lovelace", "Alan Turing"),
            "journal": "Int J Equity Health",
            "cited_by": cited_by,
        }
        if year:
            attrs["year"] = year
        if pmid:
            attrs["pmid"] = pmid
        if node_id == "pmid:26488904":
            attrs["doi"] = "10.1186/s12939-015-0156-0"
        if node_id.startswith("doi:"):
            attrs["doi"] = node_id[4:]
        graph.add_node(node_id, **attrs)
    graph.add_node("person:hopper", kind="person", label="Grace Hopper", title="Grace Hopper")
    graph.add_node("person:turing", kind="person", label="Alan Turing", title="Alan Turing")
    graph.add_node("journal:ijeh", kind="journal", label="Int J Equity Health", title="IJEH")
    graph.add_node("statement:1", kind="statement", label="Equity matters", title="Equity matters")
    graph.add_node("statement:2", kind="statement", label="ML helps", title="ML helps screening")
    edges = [
        ("pmid:31000001", "pmid:26488904", "cites"),
        ("pmid:31000002", "pmid:26488904", "cites"),
        ("pmid:31000003", "pmid:26488904", "cites"),
        ("doi:10.1000/kg.5", "pmid:26488904", "cites"),
        ("pmid:31000007", "pmid:31000001", "cites"),
        ("pmid:31000002", "pmid:31000001", "cites"),
        ("work:ab12cd34", "pmid:26488904", "cites"),
        ("doi:10.1000/kg.5", "pmid:31000002", "cites"),
        ("pmid:31000007", "pmid:31000002", "cites"),
        ("pmid:31000001", "pmid:31000007", "similar"),
        ("person:hopper", "pmid:31000001", "authored"),
        ("person:turing", "pmid:31000007", "authored"),
        ("pmid:26488904", "journal:ijeh", "published_in"),
        ("statement:1", "pmid:26488904", "discusses"),
        ("statement:2", "pmid:31000001", "discusses"),
    ]
    for source, target, relation in edges:
        graph.add_edge(source, target, relation=relation)
    return graph


def hostile_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for index, text in enumerate(HOSTILE, start=1):
        graph.add_node(
            f"pmid:{index}",
            kind="paper",
            label=text,
            title=text,
            authors=(text,),
            journal=text,
            pmid=str(index),
            doi=f"10.1/{text}",
        )
    graph.add_edge("pmid:1", "pmid:2", relation=HOSTILE[2])
    graph.add_edge("pmid:3", "pmid:4", relation="cites")
    return graph


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


def open_map(browser: Browser, tmp_path: Path, graph: nx.Graph, name: str) -> Opened:
    path = tmp_path / name
    path.write_text(render(graph, title="kg test map"), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    opened = Opened(page)
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on(
        "console",
        lambda message: opened.errors.append(message.text) if message.type == "error" else None,
    )
    page.goto(path.as_uri())
    page.wait_for_function(
        "() => typeof network !== 'undefined' && network !== null", timeout=10_000
    )
    page.wait_for_function("() => window.kgStabilized === true", timeout=20_000)
    return opened


def assert_offline(opened: Opened) -> None:
    assert opened.requests, "the page itself should have been requested"
    for url in opened.requests:
        assert url.startswith(("file:", "data:")), url
    assert opened.errors == []


def search(page: Page, text: str) -> None:
    box = page.locator("#kg-search")
    box.fill(text)
    box.press("Enter")


def node_points(page: Page) -> dict[str, tuple[float, float]]:
    """Page coordinates of every node's centre."""
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


def test_map_loads_offline_with_all_nodes_and_edges(browser: Browser, tmp_path: Path) -> None:
    graph = sample_graph()
    opened = open_map(browser, tmp_path, graph, "map.html")
    page = opened.page
    assert page.evaluate("nodes.length") == graph.number_of_nodes() == 12
    assert page.evaluate("edges.length") == graph.number_of_edges()
    assert page.evaluate("network.physics.physicsEnabled") is False  # stopped after stabilising
    assert sorted(page.evaluate("nodes.getIds()")) == sorted(graph.nodes)
    legend = page.locator("#kg-legend").inner_text()
    for word in ("paper", "person", "journal", "statement", "cites", "similar", "discusses"):
        assert word in legend
    # Nodes are spread out, not stacked on one point.
    points = node_points(page)
    xs = sorted(x for x, _ in points.values())
    ys = sorted(y for _, y in points.values())
    assert xs[-1] - xs[0] > 200 and ys[-1] - ys[0] > 150
    assert len({(round(x), round(y)) for x, y in points.values()}) == 12
    assert_offline(opened)
    page.close()


def test_search_selects_and_shows_details(browser: Browser, tmp_path: Path) -> None:
    opened = open_map(browser, tmp_path, sample_graph(), "search.html")
    page = opened.page
    search(page, "26488904")
    assert page.evaluate("network.getSelectedNodes()") == ["pmid:26488904"]
    details = page.locator("#kg-details")
    text = details.inner_text()
    assert "Social determinants of health equity: a review" in text
    assert "Grace Hopper, Katherine Johnson, Ada Lovelace, Alan Turing" in text
    assert "2015" in text and "Int J Equity Health" in text
    links = details.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [
        "https://doi.org/10.1186/s12939-015-0156-0",
        "https://pubmed.ncbi.nlm.nih.gov/26488904/",
    ]

    search(page, "https://doi.org/10.1000/KG.5")
    assert page.evaluate("network.getSelectedNodes()") == ["doi:10.1000/kg.5"]
    assert details.locator("a").count() == 1  # a DOI but no PMID

    search(page, "KNOWLEDGE GRAPHS")
    assert page.evaluate("network.getSelectedNodes()") == ["pmid:31000002"]
    assert "Knowledge graphs in biomedicine" in details.inner_text()

    search(page, "work:ab12cd34")
    assert page.evaluate("network.getSelectedNodes()") == ["work:ab12cd34"]
    assert details.locator("a").count() == 0

    search(page, "Hopper")  # no title holds it: the person node is found by its label/author
    assert page.evaluate("network.getSelectedNodes()") != []

    search(page, "no such thing at all")
    assert page.locator("#kg-search-status").inner_text() == "No match"

    ARTIFACTS.mkdir(exist_ok=True)
    search(page, "26488904")
    page.wait_for_timeout(500)  # let the focus animation finish before fitting the whole map
    page.evaluate("network.fit({animation: false})")
    page.screenshot(path=str(ARTIFACTS / "map.png"))
    assert_offline(opened)
    page.close()


def test_hostile_titles_stay_text(browser: Browser, tmp_path: Path) -> None:
    opened = open_map(browser, tmp_path, hostile_graph(), "hostile.html")
    page = opened.page
    page.evaluate("network.fit({animation: false})")
    points = node_points(page)
    assert len(points) == len(HOSTILE)
    tooltip = page.locator("div.vis-tooltip")
    details = page.locator("#kg-details")
    for index, (node_id, (x, y)) in enumerate(sorted(points.items())):
        text = HOSTILE[int(node_id.split(":")[1]) - 1]
        page.mouse.move(x, y)
        page.wait_for_function(
            "() => { const t = document.querySelector('div.vis-tooltip');"
            " return t && t.style.visibility === 'visible'; }",
            timeout=5_000,
        )
        assert tooltip.evaluate("e => e.textContent").startswith(text)
        page.mouse.click(x, y)
        assert page.evaluate("network.getSelectedNodes()") == [node_id], index
        assert details.locator(".kg-title").evaluate("e => e.textContent") == text
        page.mouse.move(5, 5)
    for node_id in points:
        page.evaluate("id => network.selectNodes([id])", node_id)
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, svg, b, iframe, object').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 6  # ours, no more
    assert "[onerror]" not in page.content()
    assert_offline(opened)
    page.close()
