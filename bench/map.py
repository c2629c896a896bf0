"""Map benchmark (issue 5): how soon kg's page becomes interactive next to pyvis's defaults.

One run builds a deterministic citation-like projection, writes two pages of the same graph
(pyvis's default page and kg's page), opens each in Chromium and measures the time from
``page.goto`` to the moment vis-network has drawn the map and its physics has stopped. The
figure that matters is the ratio kg / pyvis, both measured in the same run on the same machine.

    python -m bench.map [--nodes 5000] [--edges 20000] [--seed 1] [--repeat 3] [--skip-pyvis]
                        [--pyvis-repeat 1] [--timeout 1800] [--keep DIR] [--write-results]

See bench/README.md for what is measured and why.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import inspect
import os
import platform
import re
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from .results import fmt, package_version, say

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
VIEWPORT = {"width": 1280, "height": 800}
POLL_MS = 100
TARGET_RATIO = 0.10
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
VIS_NETWORK_JS = ("lib", "vis-9.1.2", "vis-network.min.js")

# ---------------------------------------------------------------------------------------------
# The graph: a deterministic, citation-like "citation" projection (see the projection contract)
# ---------------------------------------------------------------------------------------------

_TOPICS = (
    "social determinants of health",
    "citation screening",
    "knowledge graphs",
    "rural mental health",
    "health equity",
    "antimicrobial resistance",
    "childhood obesity",
    "diabetes self-management",
    "telemedicine",
    "vaccine hesitancy",
    "air pollution",
    "cancer screening",
    "maternal health",
    "opioid use disorder",
    "cardiovascular risk",
    "dementia care",
    "health literacy",
    "physical activity",
    "food insecurity",
    "primary care access",
    "tuberculosis control",
    "HIV prevention",
    "sleep quality",
    "workplace stress",
    "digital health records",
    "malaria transmission",
    "hospital readmission",
    "adolescent depression",
    "stroke rehabilitation",
    "smoking cessation",
    "chronic kidney disease",
)
_DESIGNS = (
    "A systematic review",
    "A cohort study",
    "A randomised controlled trial",
    "A cross-sectional survey",
    "A qualitative study",
    "A meta-analysis",
    "Evidence from routine data",
    "A modelling study",
)
_FRAMES = (
    "{Adj} {topic} in {setting}",
    "The role of {topic} in {setting}",
    "{Adj} approaches to {topic}",
    "Measuring {topic} among {setting}",
    "{topic}: {adj} outcomes in {setting}",
)
_ADJECTIVES = (
    "longitudinal",
    "comparative",
    "community-based",
    "population-level",
    "multilevel",
    "early",
    "integrated",
    "scalable",
    "targeted",
    "national",
)
_SETTINGS = (
    "rural communities",
    "older adults",
    "low-income countries",
    "primary care",
    "urban neighbourhoods",
    "school children",
    "migrant workers",
    "hospital patients",
    "Indigenous populations",
    "veterans",
)
_JOURNALS = (
    "Int J Equity Health",
    "BMC Public Health",
    "Lancet Public Health",
    "PLoS One",
    "BMJ Open",
    "J Epidemiol Community Health",
    "Soc Sci Med",
    "Am J Public Health",
    "Health Aff (Millwood)",
    "J Med Internet Res",
    "Prev Med",
    "Eur J Public Health",
    "Health Policy",
    "Glob Health Action",
    "J Clin Epidemiol",
    "Syst Rev",
    "Res Synth Methods",
    "J Biomed Inform",
    "Sci Rep",
    "Nat Med",
    "JAMA Netw Open",
    "BMC Med",
    "Epidemiol Rev",
    "Popul Health Metr",
)
_GIVEN = (
    "Ada", "Alan", "Grace", "Katherine", "Maria", "Wei", "Amara", "Lars", "Priya", "Kenji",
    "Fatima", "Diego", "Olga", "Samuel", "Ines", "Tomasz", "Aisha", "Hannah", "Rafael", "Mei",
    "Jonas", "Chloe", "Emeka", "Sofia", "Arjun", "Elena", "Kofi", "Yuki", "Noah", "Leila",
)  # fmt: skip
_FAMILY = (
    "Lovelace", "Turing", "Hopper", "Johnson", "Garcia", "Zhang", "Okafor", "Nielsen", "Sharma",
    "Tanaka", "Haddad", "Fernandez", "Ivanova", "Mensah", "Silva", "Kowalski", "Bello", "Weber",
    "Moreau", "Chen", "Schmidt", "Dubois", "Eze", "Rossi", "Patel", "Popescu", "Asante", "Sato",
    "Cohen", "Karimi", "Novak", "Lindqvist", "Murphy", "Santos", "Nakamura", "Abebe", "Kim",
    "Walsh", "Ortiz", "Virtanen",
)  # fmt: skip
_CROSS_COMMUNITY = 0.01  # weight of a paper in another community, relative to one's own


def _community_labels(rng: np.random.Generator, nodes: int) -> np.ndarray:
    """A planted partition: up to 31 communities of Zipf-like sizes, 0 the largest."""
    count = max(1, min(len(_TOPICS), nodes // 60))
    weights = 1.0 / np.arange(1, count + 1) ** 0.8
    raw = rng.choice(count, size=nodes, p=weights / weights.sum())
    sizes = np.bincount(raw, minlength=count)
    present = sorted((c for c in range(count) if sizes[c]), key=lambda c: (-sizes[c], c))
    remap = np.zeros(count, dtype=np.int64)
    for rank, label in enumerate(present):
        remap[label] = rank
    return remap[raw]


def _out_degrees(rng: np.random.Generator, nodes: int, edges: int) -> np.ndarray:
    """References per paper, summing to exactly ``edges``; paper i cites at most i papers."""
    caps = np.arange(nodes, dtype=np.int64)
    mean = edges / (nodes - 1)
    quota = np.minimum(caps, np.rint(rng.gamma(2.0, mean / 2.0, nodes)).astype(np.int64))
    quota[0] = 0
    missing = edges - int(quota.sum())
    while missing:
        step = 1 if missing > 0 else -1
        open_ = np.flatnonzero(quota < caps) if step > 0 else np.flatnonzero(quota > 0)
        picked = rng.choice(open_, size=min(abs(missing), open_.size), replace=False)
        quota[picked] += step
        missing -= step * picked.size
    return quota


def citation_graph(nodes: int = 5000, edges: int = 20000, seed: int = 1) -> nx.DiGraph:
    """A citation projection of ``nodes`` papers and exactly ``edges`` distinct "cites" edges.

    Papers are numbered in publication order; each cites earlier papers only (no self-loops,
    no cycles), chosen by preferential attachment (weight in-degree + 1, so older papers
    collect more citations and the in-degree is heavy-tailed) and mostly within its planted
    community. The same arguments always give the same graph.
    """
    if nodes < 2:
        raise ValueError("the benchmark graph needs at least 2 nodes")
    if not 0 <= edges <= nodes * (nodes - 1) // 2:
        raise ValueError(f"{edges} edges cannot fit {nodes} papers citing only older papers")
    rng = np.random.default_rng(seed)
    community = _community_labels(rng, nodes)
    quota = _out_degrees(rng, nodes, edges)

    indegree = np.zeros(nodes, dtype=np.float64)
    pairs: list[tuple[int, int]] = []
    for i in range(1, nodes):
        wanted = int(quota[i])
        if wanted == 0:
            continue
        if wanted >= i:
            targets = np.arange(i)
        else:
            weight = (indegree[:i] + 1.0) * np.where(
                community[:i] == community[i], 1.0, _CROSS_COMMUNITY
            )
            targets = rng.choice(i, size=wanted, replace=False, p=weight / weight.sum())
        indegree[targets] += 1.0
        pairs.extend((i, int(t)) for t in targets)

    pmids = [str(1_000_000 + i * 5000 + int(rng.integers(0, 5000))) for i in range(nodes)]
    ids = [f"pmid:{pmid}" for pmid in pmids]
    graph = nx.DiGraph(projection="citation")
    for i, pmid in enumerate(pmids):
        group = int(community[i])
        year = 1990 + (i * 35) // nodes
        authors = tuple(
            f"{_GIVEN[int(rng.integers(len(_GIVEN)))]} {_FAMILY[int(rng.integers(len(_FAMILY)))]}"
            for _ in range(1 + min(11, int(rng.poisson(3.5))))
        )
        adjective = _ADJECTIVES[int(rng.integers(len(_ADJECTIVES)))]
        frame = _FRAMES[int(rng.integers(len(_FRAMES)))]
        title = frame.format(
            Adj=adjective.capitalize(),
            adj=adjective,
            topic=_TOPICS[group % len(_TOPICS)],
            setting=_SETTINGS[int(rng.integers(len(_SETTINGS)))],
        )
        title = f"{title[0].upper()}{title[1:]}. {_DESIGNS[int(rng.integers(len(_DESIGNS)))]}"
        home = group % len(_JOURNALS)
        journal_index = home if rng.random() < 0.6 else int(rng.integers(len(_JOURNALS)))
        attrs: dict[str, Any] = {
            "kind": "paper",
            "label": f"{authors[0].rsplit(' ', 1)[-1]} {year}",
            "title": title,
            "iri": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}",
            "year": year,
            "journal": _JOURNALS[journal_index],
            "authors": authors,
            "pmid": pmid,
            "type": "journal-article",
            "community": group,
        }
        if rng.random() < 0.75:
            attrs["doi"] = f"10.{1000 + journal_index}/bench.{pmid}"
        graph.add_node(ids[i], **attrs)
    graph.add_edges_from((ids[s], ids[t], {"relation": "cites", "weight": 1}) for s, t in pairs)

    extra = rng.integers(0, 40, nodes)
    for i, node in enumerate(ids):
        data = graph.nodes[node]
        data["cited_by"] = graph.in_degree(node)
        data["references"] = graph.out_degree(node)
        data["global_citations"] = data["cited_by"] + int(extra[i])
    for node, rank in nx.pagerank(graph).items():
        graph.nodes[node]["pagerank"] = float(rank)
    parts = sorted(nx.weakly_connected_components(graph), key=lambda c: (-len(c), min(c)))
    for index, part in enumerate(parts):
        for node in part:
            graph.nodes[node]["component"] = index
    return graph


# ---------------------------------------------------------------------------------------------
# The two pages
# ---------------------------------------------------------------------------------------------


def _plain_tooltip(data: dict[str, Any]) -> str:
    authors = ", ".join(data.get("authors", ())[:3])
    where = " ".join(str(x) for x in (data.get("journal"), data.get("year")) if x is not None)
    return "\n".join(part for part in (data.get("title", ""), authors, where) if part)


def pyvis_page(graph: nx.Graph) -> str:
    """pyvis's default page: default options and template, vis-network inlined.

    ``cdn_resources="in_line"`` inlines the same vis-network 9.1.2 that "local" copies to a
    ``lib/`` folder; the template still links Bootstrap from a CDN, which the timing blocks.
    """
    from pyvis.network import Network

    net = Network(directed=True)
    for node, data in graph.nodes(data=True):
        net.add_node(node, label=data.get("label"), title=_plain_tooltip(data))
    for source, target in graph.edges():
        net.add_edge(source, target)
    net.cdn_resources = "in_line"
    return net.generate_html()


def kg_page(graph: nx.Graph, title: str = "kg benchmark map") -> str:
    """kg's page, asked to draw the whole graph when ``render`` has a size cap."""
    from kg.html import render

    params = inspect.signature(render).parameters
    kwargs: dict[str, Any] = {"title": title}
    caps = {"max_nodes": graph.number_of_nodes(), "max_edges": graph.number_of_edges()}
    kwargs.update({name: value for name, value in caps.items() if name in params})
    return render(graph, **kwargs)


PAGES: dict[str, Callable[[nx.Graph], str]] = {"pyvis": pyvis_page, "kg": kg_page}

# ---------------------------------------------------------------------------------------------
# Timing in Chromium
# ---------------------------------------------------------------------------------------------

# Installed before any page script runs. The pages assign their vis.Network to a global
# ``network`` (``var network`` at top level); this accessor sees the assignment and listens to
# vis-network's own events from then on. It changes nothing on the page.
_INSTRUMENT = """
(() => {
  const bench = { net: null, networkAt: null, firstDrawAt: null, draws: 0,
                  iterationsDoneAt: null, iterations: null, interactiveAt: null };
  Object.defineProperty(window, "__mapBench", { value: bench });
  Object.defineProperty(window, "network", {
    configurable: true,
    enumerable: true,
    get() { return bench.net; },
    set(value) {
      bench.net = value;
      if (!value || typeof value.on !== "function" || bench.networkAt !== null) { return; }
      bench.networkAt = performance.now();
      value.on("afterDrawing", () => {
        bench.draws += 1;
        if (bench.firstDrawAt === null) { bench.firstDrawAt = performance.now(); }
      });
      value.on("stabilizationProgress", (p) => { bench.iterations = p.iterations; });
      value.on("stabilizationIterationsDone", () => {
        if (bench.iterationsDoneAt === null) { bench.iterationsDoneAt = performance.now(); }
      });
    },
  });
})();
"""

# Interactive = drawn at least once, the initial layout/stabilisation has finished
# (physics.ready), no physics simulation loop is running (physics.viewFunction is what
# vis-network's startSimulation installs and stopSimulation removes) and the renderer has no
# running animation loop (renderingActive). Checked in the page every POLL_MS milliseconds.
_INTERACTIVE = """
() => {
  const b = window.__mapBench;
  const net = b && b.net;
  if (!net || !net.physics || !net.renderer || b.firstDrawAt === null) { return false; }
  const physics = net.physics;
  if (physics.ready !== true || physics.viewFunction !== undefined) { return false; }
  if (net.renderer.renderingActive !== false) { return false; }
  if (b.interactiveAt === null) { b.interactiveAt = performance.now(); }
  return true;
}
"""

_STATE = """
() => {
  const b = window.__mapBench;
  const net = b.net;
  return {
    networkAt: b.networkAt, firstDrawAt: b.firstDrawAt, draws: b.draws,
    iterationsDoneAt: b.iterationsDoneAt, interactiveAt: b.interactiveAt,
    iterations: b.iterations,
    nodes: net.body.nodeIndices.length, edges: net.body.edgeIndices.length,
    simulating: net.physics.viewFunction !== undefined,
  };
}
"""


@dataclass(frozen=True)
class Timing:
    """One page load. Seconds from ``page.goto``; ``interactive`` is None after a timeout."""

    interactive: float | None
    timeout: float
    constructed: float | None = None  # in-page: vis.Network built (improvedLayout included)
    first_draw: float | None = None  # in-page, from navigation start
    stabilization_done: float | None = None  # in-page: stabilizationIterationsDone
    interactive_in_page: float | None = None  # in-page clock at detection
    iterations: int | None = None  # stabilisation iterations reported by vis-network
    simulating: bool | None = None  # physics simulation loop still running at the end
    nodes_drawn: int | None = None
    edges_drawn: int | None = None
    draws: int | None = None
    blocked: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def timed_out(self) -> bool:
        return self.interactive is None


def _seconds(ms: Any) -> float | None:
    return None if ms is None else round(float(ms) / 1000.0, 3)


def _state_if_responsive(page: Any) -> dict[str, Any] | None:
    """What the page reached, if its main thread answers within a few seconds."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        handle = page.wait_for_function(
            f"() => window.__mapBench && window.__mapBench.net && ({_STATE})()", timeout=5000
        )
        return handle.json_value()
    except PlaywrightError:
        return None


def time_page(path: Path, timeout: float = 1800.0, chromium: Path = CHROMIUM) -> Timing:
    """Open ``path`` in a fresh headless Chromium and time it until it is interactive.

    Requests other than file:/data: are aborted (and listed in ``blocked``): no page may wait on
    the network. The clock runs from ``page.goto(..., wait_until="commit")``.
    """
    from playwright.sync_api import Route, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    blocked: list[str] = []
    errors: list[str] = []

    def block(route: Route) -> None:
        blocked.append(route.request.url)
        route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.add_init_script(_INSTRUMENT)
            page.route(re.compile(r"^(?!file:|data:|blob:|about:)"), block)
            page.on("pageerror", lambda error: errors.append(str(error)))
            start = time.perf_counter()
            try:
                page.goto(path.resolve().as_uri(), wait_until="commit", timeout=timeout * 1000)
                left = max(1.0, timeout - (time.perf_counter() - start))
                page.wait_for_function(_INTERACTIVE, polling=POLL_MS, timeout=left * 1000)
            except PlaywrightTimeout:
                interactive = None
                state = _state_if_responsive(page)
            else:
                interactive = round(time.perf_counter() - start, 3)
                state = page.evaluate(_STATE)
        finally:
            browser.close()
    if state is None:
        return Timing(None, timeout, blocked=tuple(blocked), errors=tuple(errors))
    return Timing(
        interactive,
        timeout,
        constructed=_seconds(state["networkAt"]),
        first_draw=_seconds(state["firstDrawAt"]),
        stabilization_done=_seconds(state["iterationsDoneAt"]),
        interactive_in_page=_seconds(state["interactiveAt"]),
        iterations=state["iterations"],
        simulating=state["simulating"],
        nodes_drawn=state["nodes"],
        edges_drawn=state["edges"],
        draws=state["draws"],
        blocked=tuple(blocked),
        errors=tuple(errors),
    )


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------


@dataclass
class PageResult:
    name: str
    html_bytes: int
    build_seconds: float
    timings: list[Timing] = field(default_factory=list)
    sources: str = ""  # digests of the code that built the page, taken when it was built

    @property
    def median(self) -> float | None:
        """Median time to interactive; None when any run timed out (the figure is a bound)."""
        done = [t.interactive for t in self.timings if t.interactive is not None]
        if not done or len(done) < len(self.timings):
            return None
        return round(statistics.median(done), 3)

    @property
    def timed_out(self) -> bool:
        return any(t.timed_out for t in self.timings)

    def first_draw(self) -> float | None:
        values = [t.first_draw for t in self.timings if t.first_draw is not None]
        return round(statistics.median(values), 3) if values else None


def _vis_network_version() -> str:
    from importlib.resources import files

    path = files("pyvis")
    for part in VIS_NETWORK_JS:
        path = path.joinpath(part)
    match = re.search(r"@version\s+(\S+)", path.read_text(encoding="utf-8")[:2000])
    return match.group(1) if match else "?"


def _chromium_version(chromium: Path) -> str:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=LAUNCH_ARGS)
        try:
            return browser.version
        finally:
            browser.close()


def kg_sources() -> str:
    """Digests of the files that make kg's page, to tie figures to a version of them."""
    from importlib.resources import files

    root = files("kg")
    parts = []
    for name in ("html.py", "templates/map.html"):
        path = root.joinpath(*name.split("/"))
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        parts.append(f"kg/{name} sha256 {digest}")
    return ", ".join(parts)


def machine(chromium: Path = CHROMIUM) -> dict[str, str]:
    cpu = "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = found.group(1).strip() if found else cpu
    ram = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        ram = f"{int(found.group(1)) / 1024**2:.1f} GiB" if found else ram
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": platform.platform(),
        "Chromium": _chromium_version(chromium),
        "Python": platform.python_version(),
        "pyvis": package_version("pyvis"),
        "vis-network": _vis_network_version(),
        "networkx": package_version("networkx"),
        "playwright": package_version("playwright"),
    }


def _at(seconds: float | None) -> str:
    return "never" if seconds is None else f"{seconds:.2f} s"


def _interactive_cell(result: PageResult) -> str:
    if result.timed_out:
        return f"> {result.timings[0].timeout:.0f} (timeout)"
    return fmt(result.median)


def ratio_text(kg: PageResult, pyvis: PageResult) -> str:
    """kg / pyvis; an upper bound ("< x") when pyvis's page never became interactive."""
    if kg.median is None:
        return "—"
    if pyvis.timed_out:
        return f"< {kg.median / pyvis.timings[0].timeout:.4f}"
    if not pyvis.median:
        return "—"
    return f"{kg.median / pyvis.median:.4f}"


def table(results: Sequence[PageResult], nodes: int, edges: int) -> str:
    head = (
        "| page | nodes | edges | runs | time to interactive (s, median) | first draw (s) "
        "| HTML size | build (s) |"
    )
    rows = [head, "|" + "---|" * 8]
    for r in results:
        rows.append(
            f"| {r.name} | {nodes} | {edges} | {len(r.timings)} | {_interactive_cell(r)} "
            f"| {fmt(r.first_draw())} | {r.html_bytes / 1e6:.1f} MB | {r.build_seconds:.1f} |"
        )
    return "\n".join(rows)


def _reached(t: Timing) -> str:
    """What a timed-out page had reached, as far as it answered."""
    if t.draws is None:
        return "its main thread did not answer afterwards (still busy)"
    return (
        f"by then: network built {_at(t.constructed)}, first draw {_at(t.first_draw)}, "
        f"stabilisation iterations done {_at(t.stabilization_done)} "
        f"(last progress report: {t.iterations} iterations), "
        f"{t.draws} frames, physics simulation " + ("still running" if t.simulating else "stopped")
    )


def runs_detail(results: Sequence[PageResult]) -> str:
    lines = []
    for r in results:
        for index, t in enumerate(r.timings, start=1):
            if t.timed_out:
                lines.append(
                    f"- {r.name} run {index}: not interactive within {t.timeout:.0f} s; "
                    + _reached(t)
                )
            else:
                lines.append(
                    f"- {r.name} run {index}: interactive {fmt(t.interactive)} s (in-page clock "
                    f"{fmt(t.interactive_in_page)} s); in-page: network built "
                    f"{_at(t.constructed)}, stabilisation iterations done "
                    f"{_at(t.stabilization_done)}, first draw {_at(t.first_draw)}; "
                    f"{t.nodes_drawn} nodes / {t.edges_drawn} edges drawn, {t.draws} frames"
                )
            if t.blocked:
                lines.append(f"  - blocked requests: {', '.join(sorted(set(t.blocked)))}")
            if t.errors:
                lines.append(f"  - page errors: {'; '.join(t.errors)}")
    return "\n".join(lines)


def results_markdown(
    results: Sequence[PageResult],
    args: argparse.Namespace,
    info: dict[str, str],
    command: str,
    when: dt.datetime,
) -> str:
    by_name = {r.name: r for r in results}
    summary = [table(results, args.nodes, args.edges), ""]
    if "kg" in by_name and "pyvis" in by_name:
        ratio = ratio_text(by_name["kg"], by_name["pyvis"])
        verdict = _verdict(by_name["kg"], by_name["pyvis"])
        summary.append(f"**Ratio kg / pyvis: {ratio}** (target ≤ {TARGET_RATIO:.2f}): {verdict}")
    machine_lines = "\n".join(f"- {key}: {value}" for key, value in info.items())
    built_from = "\n".join(f"  - {r.name}'s page: {r.sources}" for r in results)
    return f"""# Map benchmark results

Issue 5: a 5,000-node, 20,000-edge map becomes interactive in Chromium (drawn, physics
stopped) in at most one tenth of the time pyvis's defaults take on the same graph, measured in
one run. How the figures are taken: bench/README.md.

- Date: {when.strftime("%Y-%m-%d %H:%M %Z").strip()}
- Command: `{command}`
- Graph: deterministic citation-like projection, {args.nodes:,} nodes, {args.edges:,} edges,
  seed {args.seed}
- Pages built from (digests taken when each page was built):
{built_from}

## Figures

{chr(10).join(summary)}

Time to interactive is the wall clock from `page.goto` to the first {POLL_MS} ms poll that finds
the map drawn and its physics stopped (kg: median of {args.repeat} run(s);
pyvis: {args.pyvis_repeat} run(s)). First draw is vis-network's first `afterDrawing` event on the
page's own clock (navigation start). Build is the Python time to produce the page's HTML.

### Each run

{runs_detail(results)}

## Machine

{machine_lines}
"""


def _verdict(kg: PageResult, pyvis: PageResult) -> str:
    if kg.median is None:
        return "kg's page did not become interactive within the timeout."
    bound = pyvis.timings[0].timeout if pyvis.timed_out else pyvis.median
    if not bound:
        return "no pyvis figure."
    met = kg.median <= TARGET_RATIO * bound
    if pyvis.timed_out:
        return (
            "met (pyvis's page was not interactive within the timeout, so the true ratio is "
            "smaller still)."
            if met
            else "not shown: pyvis timed out and kg's time exceeds a tenth of the timeout."
        )
    return "met." if met else "NOT met."


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.map", description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--edges", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs of kg's page (median)")
    parser.add_argument("--pyvis-repeat", type=int, default=1, help="runs of pyvis's page")
    parser.add_argument("--skip-pyvis", action="store_true", help="measure kg's page only")
    parser.add_argument(
        "--timeout", type=float, default=1800.0, help="seconds a page may take (each run)"
    )
    parser.add_argument("--keep", type=Path, help="write the pages here and keep them")
    parser.add_argument("--write-results", action="store_true", help="write bench/RESULTS.md")
    parser.add_argument("--chromium", type=Path, default=CHROMIUM)
    args = parser.parse_args(argv)
    if args.write_results and args.skip_pyvis:
        parser.error("--write-results needs the pyvis reference: drop --skip-pyvis")
    if args.repeat < 1 or args.pyvis_repeat < 1:
        parser.error("--repeat and --pyvis-repeat must be at least 1")
    return args


def run(args: argparse.Namespace, folder: Path) -> list[PageResult]:
    started = time.perf_counter()
    graph = citation_graph(args.nodes, args.edges, args.seed)
    say(
        f"graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges "
        f"({time.perf_counter() - started:.1f} s)"
    )
    plan = [("kg", args.repeat)]
    if not args.skip_pyvis:
        plan.append(("pyvis", args.pyvis_repeat))
    results = []
    for name, repeat in plan:
        sources = kg_sources() if name == "kg" else f"pyvis {package_version('pyvis')}"
        started = time.perf_counter()
        html = PAGES[name](graph)
        built = time.perf_counter() - started
        if name == "kg" and kg_sources() != sources:
            sources += " (kg's page sources changed while it was being built)"
        path = folder / f"{name}.html"
        data = html.encode("utf-8")
        path.write_bytes(data)
        result = PageResult(name, len(data), built, sources=sources)
        say(f"{name}: page built in {built:.1f} s, {len(data) / 1e6:.1f} MB -> {path}")
        say(f"{name}: built from {sources}")
        for index in range(1, repeat + 1):
            timing = time_page(path, timeout=args.timeout, chromium=args.chromium)
            result.timings.append(timing)
            shown = "timeout" if timing.timed_out else f"{timing.interactive:.2f} s"
            say(f"{name}: run {index}/{repeat}: interactive {shown}")
        results.append(result)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    command = "python -m bench.map " + shlex.join(sys.argv[1:] if argv is None else argv)
    when = dt.datetime.now().astimezone()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        results = run(args, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
            results = run(args, Path(tmp))
    say("")
    say(table(results, args.nodes, args.edges))
    by_name = {r.name: r for r in results}
    if "pyvis" in by_name:
        ratio = ratio_text(by_name["kg"], by_name["pyvis"])
        say(
            f"\nratio kg / pyvis: {ratio} (target <= {TARGET_RATIO:.2f}): "
            f"{_verdict(by_name['kg'], by_name['pyvis'])}"
        )
    say("")
    say(runs_detail(results))
    if args.write_results:
        from .results import write_section  # its own section: the others are kept

        text = results_markdown(results, args, machine(args.chromium), command, when)
        write_section("map", text, RESULTS)
        say(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
