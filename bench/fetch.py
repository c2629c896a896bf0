"""Fetch benchmark: ``kg fetch`` against a local stand-in for PubMed E-utilities, OpenAlex and
Crossref that answers after a fixed latency and refuses (429) what exceeds each service's
documented rate.

One run makes a seeded corpus (seed PMIDs, the papers they cite and the papers citing them,
drawn from a pool), serves it from a child process (tests/fetch_server.py's FakeWeb, threaded,
with latency and rate limits), fetches the metadata, references and citing papers of the
seeds at depth 1 with ``kg.fetch.fetch``, then fetches again into the same folder. Three
figures, each against a reference taken from the same run:

1. requests over the minimum: for each level and endpoint, the distinct papers kg asked about
   over the endpoint's batch size;
2. wall time over the rate-limit floor: in each phase of the fetch (a level's metadata from
   PubMed and OpenAlex, then from Crossref, then its links) the slowest service's requests
   over its allowed rate, summed over the phases;
3. the repeated run: its wall time and the requests it sent (none should be).

    python -m bench.fetch [--seeds 200] [--depth 1] [--max-papers 5000] [--latency-ms 50]
                          [--repeat 1] [--keep DIR] [--json FILE] [--write-results]

See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import logging
import math
import multiprocessing
import os
import re
import shlex
import statistics
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from itertools import accumulate, pairwise
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from tests.fetch_server import FakeWeb, Paper

from .results import RESULTS, fmt, md_table, package_version, say, work_folder, write_section
from .results import machine as results_machine

SECTION = "fetch"  # this benchmark's section of bench/RESULTS.md
SOURCES = ("pubmed", "openalex", "crossref")
RELATIONS = frozenset({"refs", "cited-by"})
RATES = {"pubmed": 3.0, "openalex": 10.0, "crossref": 5.0}  # documented, no key or mailto
CONCURRENCY = {"crossref": 1}  # Crossref's public pool: one request at a time
WINDOW = 1.0  # seconds of the sliding window the rates are enforced over
SEED_START = 30_000_000
POOL_START = 31_000_000
FIRST_YEAR, LAST_YEAR = 1980, 2024
POPULARITY_TAIL = 2.0  # Pareto shape of the pool papers' popularity: seeds share some neighbours
BATCH = {  # ids a request of each endpoint may hold (the services' documented limits)
    "pubmed efetch": 200,
    "pubmed elink": 100,
    "openalex works": 100,  # values OR-ed in one filter
    "openalex cites": 100,
    "crossref works": 50,
}
CITES_PAGE = 100  # OpenAlex's largest per_page (developers.openalex.org, basic paging)
SECRETS_ENV = ("NCBI_API_KEY", "OPENALEX_API_KEY", "KG_MAILTO", "SEMANTIC_SCHOLAR_API_KEY")
PHASE_SERVICES = {
    "metadata 1": "pubmed, openalex",
    "metadata 2": "crossref; pubmed for PMIDs found in phase 1",
    "links": "all",
}


@dataclass(frozen=True)
class Target:
    """A target of the issue: the figure ``key`` ``op`` ``limit``."""

    key: str
    label: str
    op: str  # "<=" or "=="
    limit: float
    unit: str = ""

    def describe(self) -> str:
        return f"{'≤' if self.op == '<=' else '='} {self.limit:g}{self.unit}"

    def met(self, value: float) -> bool:
        return value <= self.limit if self.op == "<=" else value == self.limit


TARGETS = (
    Target("requests_ratio", "requests / minimum", "<=", 1.2),
    Target("wall_ratio", "wall time / rate-limit floor", "<=", 1.3),
    Target("repeat_wall", "repeated run, wall time", "<=", 2.0, " s"),
    Target("repeat_requests", "repeated run, requests sent", "==", 0),
)


# ---------------------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class Corpus:
    """Seed PMIDs and every paper the server knows, by PMID."""

    seeds: tuple[str, ...]
    papers: dict[str, Paper]

    def neighbours(self) -> set[str]:
        """The papers the seeds cite or are cited by (the seeds left out)."""
        found = {n for s in self.seeds for n in (*self.papers[s].refs, *self.papers[s].cited_by)}
        return found - set(self.seeds)

    def describe(self) -> str:
        seeds = [self.papers[s] for s in self.seeds]
        refs = sum(len(p.refs) for p in seeds) / max(len(seeds), 1)
        citing = sum(len(p.cited_by) for p in seeds) / max(len(seeds), 1)
        return (
            f"{len(self.seeds)} seed PMIDs citing {refs:.1f} and cited by {citing:.1f} papers "
            f"on average, {len(self.neighbours())} distinct neighbours, "
            f"{len(self.papers)} papers in all"
        )


def make_corpus(
    seeds: int = 200,
    pool: int = 20_000,
    refs: int = 20,
    citing: int = 20,
    pool_refs: int = 10,
    seed: int = 0,
) -> Corpus:
    """A seeded corpus: ``pool`` papers with years rising with their index, each citing
    about ``pool_refs`` older ones; ``seeds`` seed papers, each citing about ``refs`` older pool
    papers and cited by about ``citing`` newer ones, picked in proportion to a heavy-tailed
    popularity so that seeds share some neighbours. Every paper has a DOI and a year."""
    import random

    rng = random.Random(seed)
    journals = [f"Journal of Bench Studies {n}" for n in range(1, 21)]
    papers: dict[str, Paper] = {}
    pool_ids = [str(POOL_START + j) for j in range(pool)]
    span = LAST_YEAR - FIRST_YEAR + 1
    for j, pmid in enumerate(pool_ids):
        papers[pmid] = Paper(
            pmid,
            f"10.5555/fetch.{pmid}",
            f"Pooled paper {pmid} on topic {rng.randrange(100)}",
            FIRST_YEAR + span * j // pool,
            rng.choice(journals),
        )
    cumulative = list(accumulate(rng.paretovariate(POPULARITY_TAIL) for _ in range(pool)))

    def draw(low: int, high: int, count: int) -> list[str]:
        """``count`` distinct pool papers of index low..high-1, picked by popularity."""
        count = min(count, high - low)
        base = cumulative[low - 1] if low else 0.0
        picked: dict[int, None] = {}
        while len(picked) < count:
            u = base + rng.random() * (cumulative[high - 1] - base)
            picked.setdefault(min(bisect.bisect_left(cumulative, u, low, high), high - 1))
        return [pool_ids[j] for j in picked]

    def cite(citer: Paper, cited: str) -> None:
        citer.refs.append(cited)
        papers[cited].cited_by.append(citer.pmid)

    for j in range(1, pool):
        for cited in draw(0, j, rng.randint(0, 2 * pool_refs)):
            cite(papers[pool_ids[j]], cited)
    seed_ids = []
    for i in range(seeds):
        year = rng.randint(2000, 2014)
        paper = Paper(
            str(SEED_START + i),
            f"10.5555/seed.{SEED_START + i}",
            f"Seed paper {i}",
            year,
            rng.choice(journals),
        )
        papers[paper.pmid] = paper
        seed_ids.append(paper.pmid)
        older = pool * (year - FIRST_YEAR) // span  # pool papers of earlier years
        newer = pool * (year + 1 - FIRST_YEAR) // span
        for cited in draw(0, older, rng.randint(refs // 2, refs + refs // 2)):
            cite(paper, cited)
        for citer in draw(newer, pool, rng.randint(citing // 2, citing + citing // 2)):
            cite(papers[citer], paper.pmid)
    return Corpus(tuple(seed_ids), papers)


# ---------------------------------------------------------------------------- the server


class Window:
    """Admits at most ``rate`` requests in any ``span`` seconds (a sliding window) and at most
    ``concurrency`` at once; refused requests do not count."""

    def __init__(self, rate: float, span: float = WINDOW, concurrency: int | None = None):
        self.rate = rate
        self.span = span
        self.concurrency = concurrency
        self.times: deque[float] = deque()
        self.running = 0
        self.lock = threading.Lock()

    def admit(self, now: float) -> bool:
        """Whether a request arriving at ``now`` is within the limits (it then counts)."""
        with self.lock:
            while self.times and self.times[0] <= now - self.span:
                self.times.popleft()
            if len(self.times) >= self.rate:
                return False
            if self.concurrency is not None and self.running >= self.concurrency:
                return False
            self.times.append(now)
            self.running += 1
            return True

    def done(self) -> None:
        with self.lock:
            self.running -= 1


@dataclass(frozen=True)
class Hit:
    """A request as the server saw it: when it arrived and was answered (monotonic clock),
    its status, service, path and query."""

    arrived: float
    answered: float
    status: int
    service: str
    path: str
    query: str


class BenchWeb(FakeWeb):
    """FakeWeb served by a threaded server, answering after ``latency`` seconds, refusing
    with 429 (Retry-After: 1) what exceeds each service's rate, finding OpenAlex's citing
    works through an index, and logging every request."""

    def __init__(
        self,
        papers: dict[str, Paper],
        latency: float,
        rates: dict[str, float],
        concurrency: dict[str, int] | None = None,
    ) -> None:
        from pytest_httpserver import HTTPServer

        super().__init__(papers)
        # FakeWeb's server handles one request at a time: latency on one service would hold
        # up the others, which kg asks in parallel
        self.server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        self.server.expect_request(re.compile(".*")).respond_with_handler(self.handle)
        self.latency = latency
        self.windows = {
            s: Window(rate, concurrency=(concurrency or {}).get(s)) for s, rate in rates.items()
        }
        self.log: list[Hit] = []

    def handle(self, request: Any) -> Any:
        from werkzeug import Response

        arrived = time.monotonic()
        service = request.path.strip("/").partition("/")[0]
        window = self.windows.get(service)
        admitted = window is None or window.admit(arrived)
        try:
            time.sleep(self.latency)
            if admitted:
                response = super().handle(request)
            else:
                response = Response(
                    b"rate limit exceeded", status=429, headers={"Retry-After": "1"}
                )
            if service == "crossref" and service in self.windows:
                response.headers["x-rate-limit-limit"] = f"{self.windows[service].rate:g}"
                response.headers["x-rate-limit-interval"] = f"{WINDOW:g}s"
        finally:
            if admitted and window is not None:
                window.done()
        hit = Hit(
            arrived,
            time.monotonic(),
            response.status_code,
            service,
            request.path,
            request.query_string.decode(),
        )
        with self.lock:
            self.log.append(hit)
        return response

    def _openalex(self, endpoint: str, params: list[tuple[str, str]], request: Any) -> Any:
        """FakeWeb's answer, with the citing works of ``cites:`` found through an index
        rather than a scan of every paper, paged by ``page`` and ``per_page`` as FakeWeb
        does."""
        query = dict(params)
        name, _, values = query.get("filter", "").partition(":")
        if name != "cites":
            return super()._openalex(endpoint, params, request)
        cited = [self.by_openalex[w] for w in values.split("|") if w in self.by_openalex]
        citing = sorted({c for p in cited for c in p.cited_by}, key=int)
        size = int(query.get("per_page") or 25)
        number = int(query.get("page") or 1)
        shown = citing[(number - 1) * size : number * size]
        page = {
            "meta": {"count": len(citing), "page": number, "per_page": size},
            "results": [self.openalex_work(self.papers[c]) for c in shown],
        }
        return json.dumps(page), "application/json"

    def take_log(self) -> list[Hit]:
        with self.lock:
            log, self.log = self.log, []
        return log


def _serve(
    connection: Connection, papers: dict[str, Paper], latency: float, rates: dict[str, float]
) -> None:
    """The server's process: start, send the environment, then answer commands ("log",
    "stop") on ``connection``."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    web = BenchWeb(papers, latency, rates, CONCURRENCY).start()
    connection.send(web.environ())
    while True:
        command = connection.recv()
        if command == "log":
            connection.send(web.take_log())
        elif command == "stop":
            web.stop()
            connection.send(None)
            return


class Server:
    """The BenchWeb in a process of its own, so that serving takes no time from the fetch."""

    def __init__(self, corpus: Corpus, latency: float, rates: dict[str, float]) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, corpus.papers, latency, rates), daemon=True
        )
        self.process.start()
        self.environ: dict[str, str] = self._receive()

    def _receive(self) -> Any:
        """The server's next message; RuntimeError when its process has ended instead."""
        while not self.connection.poll(0.2):
            if not self.process.is_alive():
                raise RuntimeError(f"the server's process ended (exit {self.process.exitcode})")
        return self.connection.recv()

    def take_log(self) -> list[Hit]:
        """The requests served since the last call."""
        self.connection.send("log")
        return self._receive()

    def stop(self) -> None:
        if self.process.is_alive():
            self.connection.send("stop")
            self._receive()
        self.process.join(10)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


# ---------------------------------------------------------------------------- the fetch


@dataclass(frozen=True)
class Phase:
    """One phase of a fetch as kg ran it: a level's metadata (1: PubMed and OpenAlex; 2:
    Crossref, which needs their DOIs) or its links; start and end on the monotonic clock."""

    level: int
    name: str  # "metadata 1", "metadata 2" or "links"
    start: float
    end: float


@contextmanager
def phases_recorded() -> Iterator[list[Phase]]:
    """The phases of the fetches run inside, timed by wrapping kg.fetch's per-level steps."""
    from kg.fetch import _Run

    found: list[Phase] = []
    metadata, links = _Run._level_metadata, _Run._level_links

    def timed(step: Callable[..., None], name: Callable[[tuple[Any, ...]], str]) -> Callable:
        def wrapper(run: Any, *args: Any) -> None:
            start = time.monotonic()
            try:
                step(run, *args)
            finally:
                found.append(Phase(args[-1], name(args), start, time.monotonic()))

        return wrapper

    _Run._level_metadata = timed(metadata, lambda a: f"metadata {a[1]}")  # type: ignore[method-assign]
    _Run._level_links = timed(links, lambda a: "links")  # type: ignore[method-assign]
    try:
        yield found
    finally:
        _Run._level_metadata = metadata  # type: ignore[method-assign]
        _Run._level_links = links  # type: ignore[method-assign]


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` set in os.environ, and no key or mailto (the public rates apply)."""
    saved = {k: os.environ.get(k) for k in (*values, *SECRETS_ENV)}
    for key in SECRETS_ENV:
        os.environ.pop(key, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass(frozen=True)
class Endpoint:
    """One endpoint at one level: requests answered and refused, ids sent, the distinct
    papers they name, the batch size, the fewest requests that could have asked them, and
    the papers of the level (those any endpoint was asked about) it was not asked about."""

    level: int
    endpoint: str
    requests: int
    refused: int
    ids: int
    distinct: int
    batch: int
    minimum: int
    missed: int = 0


@dataclass(frozen=True)
class PhaseFigure:
    """One phase: wall time, requests answered by service, the rate-limit floor (the slowest
    service's requests over its rate), which service sets it, and how long after the phase
    began its last answer left the server."""

    level: int
    name: str
    wall: float
    requests: tuple[tuple[str, int], ...]
    floor: float
    bound: str
    answering: float = 0.0

    @property
    def after(self) -> float:
        """Seconds of the phase after its last answer (kg taking in what it was sent)."""
        return self.wall - self.answering

    @property
    def ratio(self) -> float | None:
        return self.wall / self.floor if self.floor else None


@dataclass(frozen=True)
class FetchRun:
    """One fetch, as kg reported it and as the server saw it."""

    wall: float
    served: int  # requests the server answered (429s included)
    refused: int  # 429s
    by_service: tuple[tuple[str, int], ...]
    client_requests: int  # FetchReport.requests (retries included)
    from_folder: int
    from_cache: int
    papers: int
    levels: tuple[int, ...]
    saved: int
    failed: int
    not_found: int
    outside: int  # requests that arrived outside every phase
    endpoints: tuple[Endpoint, ...] = ()
    phases: tuple[PhaseFigure, ...] = ()
    looked_up: tuple[int, ...] = ()  # distinct corpus papers asked about, by level
    refusals: tuple[str, ...] = ()  # each 429: when, and the arrivals before it

    @property
    def requests(self) -> int:
        return sum(e.requests for e in self.endpoints)

    @property
    def minimum(self) -> int:
        return sum(e.minimum for e in self.endpoints)

    @property
    def requests_ratio(self) -> float | None:
        return self.requests / self.minimum if self.minimum else None

    @property
    def floor(self) -> float:
        return sum(p.floor for p in self.phases)

    @property
    def wall_ratio(self) -> float | None:
        return self.wall / self.floor if self.floor else None


def endpoint_of(hit: Hit) -> tuple[str, list[tuple[str, str]]]:
    """The endpoint a request asked (``"openalex cites"``…) and the ids it named, each as
    (kind, value)."""
    params = parse_qsl(hit.query, keep_blank_values=True)
    query = dict(params)
    tail = hit.path.strip("/").partition("/")[2]
    if hit.service == "pubmed" and tail in ("efetch.fcgi", "elink.fcgi"):
        ids = [i for k, v in params if k == "id" for i in v.split(",") if i]
        return f"pubmed {tail.removesuffix('.fcgi')}", [("pmid", i) for i in ids]
    if hit.service == "openalex" and tail == "works":
        name, _, values = query.get("filter", "").partition(":")
        kind = {"ids.pmid": "pmid", "ids.openalex": "openalex", "cites": "openalex"}.get(name, name)
        ids = [(kind, v) for v in values.split("|") if v]
        return ("openalex cites" if name == "cites" else "openalex works"), ids
    if hit.service == "crossref" and tail == "works" and "filter" in query:
        dois = [d.removeprefix("doi:") for d in query["filter"].split(",") if d]
        return "crossref works", [("doi", d) for d in dois]
    return f"{hit.service} {tail}", []


class Resolver:
    """The corpus paper (its PMID) an identifier names, else the identifier itself."""

    def __init__(self, corpus: Corpus) -> None:
        self.papers = corpus.papers
        self.by_doi = {p.doi.lower(): p.pmid for p in corpus.papers.values()}
        self.by_openalex = {p.openalex: p.pmid for p in corpus.papers.values()}

    def __call__(self, kind: str, value: str) -> str:
        if kind == "pmid" and value in self.papers:
            return value
        if kind == "doi":
            return self.by_doi.get(value.lower(), f"doi:{value}")
        if kind == "openalex":
            return self.by_openalex.get(value, f"openalex:{value}")
        return f"{kind}:{value}"


def minimum(endpoint: str, papers: set[str], corpus: Corpus) -> int:
    """The fewest requests of ``endpoint`` that could ask about ``papers``: their number over
    the batch size, and for citing works also their distinct citing works over a page."""
    if not papers:
        return 0
    fewest = math.ceil(len(papers) / BATCH.get(endpoint, 1))
    if endpoint == "openalex cites":
        citing = {c for p in papers if p in corpus.papers for c in corpus.papers[p].cited_by}
        fewest = max(fewest, math.ceil(len(citing) / CITES_PAGE))
    return fewest


def level_of(arrived: float, phases: Sequence[Phase]) -> Phase | None:
    for phase in phases:
        if phase.start <= arrived <= phase.end:
            return phase
    return None


def analyse(
    hits: Sequence[Hit], phases: Sequence[Phase], corpus: Corpus
) -> tuple[tuple[Endpoint, ...], tuple[PhaseFigure, ...], tuple[int, ...], int]:
    """Requests by level and endpoint with their minimum, the phases with their floors, the
    distinct papers looked up by level, and the requests outside every phase."""
    resolve = Resolver(corpus)
    groups: dict[tuple[int, str], list[Hit]] = {}
    by_phase: dict[int, list[Hit]] = {}
    outside = 0
    for hit in hits:
        phase = level_of(hit.arrived, phases)
        if phase is None:
            outside += 1
            continue
        by_phase.setdefault(id(phase), []).append(hit)
        groups.setdefault((phase.level, endpoint_of(hit)[0]), []).append(hit)
    endpoints = []
    named_by: dict[tuple[int, str], list[str]] = {}
    looked_up: dict[int, set[str]] = {}
    for (level, endpoint), group in sorted(groups.items()):
        answered = [h for h in group if h.status != 429]
        named_by[level, endpoint] = [resolve(*i) for h in answered for i in endpoint_of(h)[1]]
        looked_up.setdefault(level, set()).update(named_by[level, endpoint])
    for (level, endpoint), group in sorted(groups.items()):
        answered = [h for h in group if h.status != 429]
        named = named_by[level, endpoint]
        distinct = set(named)
        fewest = minimum(endpoint, distinct, corpus) if endpoint in BATCH else len(answered)
        endpoints.append(
            Endpoint(
                level,
                endpoint,
                len(answered),
                len(group) - len(answered),
                len(named),
                len(distinct),
                BATCH.get(endpoint, 1),
                fewest,
                len(looked_up[level] - distinct),
            )
        )
    figures = []
    for phase in phases:
        mine = by_phase.get(id(phase), [])
        counts = Counter(h.service for h in mine if h.status != 429)
        floors = {s: n / RATES[s] for s, n in counts.items() if s in RATES}
        bound = max(floors, key=lambda s: floors[s]) if floors else ""
        figures.append(
            PhaseFigure(
                phase.level,
                phase.name,
                phase.end - phase.start,
                tuple(sorted(counts.items())),
                floors.get(bound, 0.0),
                bound,
                max((h.answered for h in mine), default=phase.start) - phase.start,
            )
        )
    levels = max(looked_up, default=-1) + 1
    return (
        tuple(endpoints),
        tuple(figures),
        tuple(len(looked_up.get(d, ())) for d in range(levels)),
        outside,
    )


def fetch_once(corpus: Corpus, server: Server, output: Path, options: Options) -> FetchRun:
    """One ``kg.fetch.fetch`` of the seeds into ``output``, timed, with the server's log."""
    from kg.fetch import FetchOptions, fetch

    fetch_options = FetchOptions(
        ids=corpus.seeds,
        relations=RELATIONS,
        depth=options.depth,
        max_papers=options.max_papers,
        sources=SOURCES,
        output=output,
    )
    server.take_log()
    with environment(server.environ), phases_recorded() as phases:
        started = time.monotonic()
        report = fetch(fetch_options)
        wall = time.monotonic() - started
    hits = server.take_log()
    endpoints, figures, looked_up, outside = analyse(hits, phases, corpus)
    refused = sum(1 for h in hits if h.status == 429)
    started_at = phases[0].start if phases else 0.0
    return FetchRun(
        wall=wall,
        served=len(hits),
        refused=refused,
        by_service=tuple(sorted(Counter(h.service for h in hits).items())),
        client_requests=report.requests,
        from_folder=report.from_folder,
        from_cache=report.from_cache,
        papers=report.papers,
        levels=tuple(report.levels),
        saved=report.saved,
        failed=len(report.failed),
        not_found=len(report.not_found),
        outside=outside,
        endpoints=endpoints,
        phases=figures,
        looked_up=looked_up,
        refusals=tuple(refusal(h, hits, phases, started_at) for h in hits if h.status == 429),
    )


def refusal(hit: Hit, hits: Sequence[Hit], phases: Sequence[Phase], started: float) -> str:
    """A 429 told: its service, when it arrived, its phase, the requests of its service
    admitted in the window before it and the gaps between the last arrivals."""
    same = sorted(h.arrived for h in hits if h.service == hit.service and h.arrived <= hit.arrived)
    admitted = [
        h
        for h in hits
        if h.service == hit.service
        and h.status != 429
        and hit.arrived - WINDOW < h.arrived <= hit.arrived
    ]
    gaps = [b - a for a, b in pairwise(same)][-6:]
    phase = level_of(hit.arrived, phases)
    where = f"level {phase.level}: {phase.name}" if phase else "outside the phases"
    return (
        f"{hit.service} at {hit.arrived - started:.2f} s ({where}): {len(admitted)} admitted in "
        f"the {WINDOW:g} s before it; gaps between its service's last arrivals "
        + ", ".join(f"{g:.3f}" for g in gaps)
        + " s"
    )


# ---------------------------------------------------------------------------- the results


@dataclass(frozen=True)
class Check:
    """A target checked against the figure measured (None: not measured)."""

    key: str
    label: str
    target: str
    value: float | None
    met: bool | None
    shown: str


@dataclass(frozen=True)
class Results:
    date: str
    command: str
    machine: tuple[tuple[str, str], ...]
    corpus: str
    neighbours: int
    seeds: int
    depth: int
    max_papers: int
    latency: float
    kg_rates: tuple[tuple[str, float], ...]  # the rates kg paces itself at
    cold: tuple[FetchRun, ...]
    again: tuple[FetchRun, ...]  # the repeated fetches into the last cold run's folder
    checks: tuple[Check, ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def median(self) -> FetchRun:
        """The cold run of median wall time (the first of two middle ones)."""
        ordered = sorted(self.cold, key=lambda r: r.wall)
        return ordered[(len(ordered) - 1) // 2]


def _median(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def checks(results: Results) -> tuple[Check, ...]:
    values = {
        "requests_ratio": _median([r.requests_ratio for r in results.cold]),
        "wall_ratio": _median([r.wall_ratio for r in results.cold]),
        "repeat_wall": statistics.median(r.wall for r in results.again),
        "repeat_requests": float(max(r.served for r in results.again)),
    }
    shown = {
        "requests_ratio": fmt(values["requests_ratio"]),
        "wall_ratio": fmt(values["wall_ratio"]),
        "repeat_wall": f"{statistics.median(r.wall for r in results.again):.2f} s",
        "repeat_requests": str(max(r.served for r in results.again)),
    }
    found = []
    for target in TARGETS:
        value = values[target.key]
        met = None if value is None else target.met(value)
        found.append(
            Check(target.key, target.label, target.describe(), value, met, shown[target.key])
        )
    return tuple(found)


def _verdict(check: Check) -> str:
    return {True: "met", False: "not met", None: "not measured"}[check.met]


def _phase_label(phase: PhaseFigure) -> str:
    return f"level {phase.level}: {phase.name} ({PHASE_SERVICES.get(phase.name, '')})"


def endpoint_rows(run: FetchRun) -> list[tuple[str, ...]]:
    rows = [
        (
            str(e.level),
            e.endpoint,
            str(e.requests),
            str(e.refused),
            str(e.ids),
            str(e.distinct),
            str(e.missed),
            str(e.batch),
            str(e.minimum),
            fmt(e.requests / e.minimum if e.minimum else None),
        )
        for e in run.endpoints
    ]
    rows.append(
        (
            "all",
            "",
            str(run.requests),
            str(run.refused),
            str(sum(e.ids for e in run.endpoints)),
            "",
            "",
            "",
            str(run.minimum),
            fmt(run.requests_ratio),
        )
    )
    return rows


ENDPOINT_HEADER = (
    "level",
    "endpoint",
    "requests",
    "429s",
    "ids sent",
    "distinct papers",
    "papers of the level not asked",
    "batch",
    "minimum",
    "requests / minimum",
)
PHASE_HEADER = (
    "phase",
    "wall (s)",
    "after the last answer (s)",
    "requests answered",
    "floor (s)",
    "set by",
    "wall / floor",
)


def phase_rows(run: FetchRun) -> list[tuple[str, ...]]:
    rows = [
        (
            _phase_label(p),
            f"{p.wall:.2f}",
            f"{p.after:.2f}",
            ", ".join(f"{s} {n}" for s, n in p.requests) or "none",
            f"{p.floor:.2f}",
            p.bound or "—",
            fmt(p.ratio),
        )
        for p in run.phases
    ]
    between = run.wall - sum(p.wall for p in run.phases)
    rows.append(
        ("outside the phases (start, selection, finish)", f"{between:.2f}", "", "", "", "", "")
    )
    rows.append(
        (
            "the fetch",
            f"{run.wall:.2f}",
            "",
            str(run.requests),
            f"{run.floor:.2f}",
            "",
            fmt(run.wall_ratio),
        )
    )
    return rows


def run_lines(name: str, run: FetchRun) -> list[str]:
    services = ", ".join(f"{s} {n}" for s, n in run.by_service) or "none"
    return [
        f"- {name}: {run.wall:.2f} s; {run.served} requests served ({services}), "
        f"{run.refused} refused with 429; kg counted {run.client_requests} sent, "
        f"{run.from_cache} from its cache, {run.from_folder} answered by files already there; "
        f"{run.papers} papers (by level: {', '.join(map(str, run.levels))}; distinct papers "
        f"looked up: {', '.join(map(str, run.looked_up)) or 'none'}), {run.saved} files "
        f"saved, {run.failed} failed, {run.not_found} not found"
        + (f"; {run.outside} requests outside the phases" if run.outside else ""),
        *(f"  - 429: {text}" for text in run.refusals),
    ]


def results_markdown(results: Results) -> str:
    """The fetch benchmark's section of bench/RESULTS.md."""
    run = results.median
    rates = ", ".join(f"{s} {r:g}/s" for s, r in RATES.items())
    kg_rates = ", ".join(f"{s} {r:g}/s" for s, r in results.kg_rates)
    lines = [
        "# Fetch benchmark results",
        "",
        "`kg fetch` of the metadata, references and citing papers of "
        f"{results.seeds} PMIDs at depth {results.depth} (cap {results.max_papers:,} papers) "
        "from a local stand-in for PubMed, OpenAlex and Crossref that answers after "
        f"{results.latency * 1000:g} ms and refuses (429) requests beyond each service's "
        "rate. How the figures are taken: bench/README.md.",
        "",
        f"- Date: {results.date}",
        f"- Command: `{results.command}`",
        f"- Corpus: {results.corpus}",
        f"- Rates enforced (any {WINDOW:g} s window; Crossref one request at a time): {rates}; "
        f"kg paces itself at {kg_rates}",
        f"- Runs: {len(results.cold)} cold (each into a new folder; the tables show the median "
        f"one), then {len(results.again)} repeated into the last one's folder (median)",
        "",
        "## Targets",
        "",
        *md_table(
            ("target", "value", "limit", "verdict"),
            [(c.label, c.shown, c.target, f"**{_verdict(c)}**") for c in results.checks],
        ),
        "",
        "## Runs",
        "",
        *[line for n, r in enumerate(results.cold, 1) for line in run_lines(f"cold run {n}", r)],
        *[
            line
            for n, r in enumerate(results.again, 1)
            for line in run_lines(f"repeated run {n} (the last cold run's folder)", r)
        ],
        "",
        "## Requests by level and endpoint",
        "",
        *md_table(ENDPOINT_HEADER, endpoint_rows(run)),
        "",
        "Ids sent counts every identifier the requests named; distinct papers counts the corpus "
        "papers they stand for (a paper named by its PMID in one request and by its DOI or "
        "OpenAlex id in another counts once); papers of the level not asked are the papers "
        "some endpoint was asked about at that level and this one was not. The minimum is the "
        "distinct papers over the "
        "batch size (for citing works, at least their distinct citing works over 100 a page).",
        "",
        "## Time by phase",
        "",
        *md_table(PHASE_HEADER, phase_rows(run)),
        "",
        "The floor of a phase is the largest, over the services it asks, of the requests "
        "answered over the service's documented rate; the fetch's floor is their sum. After "
        "the last answer is the part of a phase after the server sent its last answer: kg "
        "taking in (reading, merging) what it was sent.",
        "",
    ]
    if results.notes:
        lines += ["## Notes", "", *(f"- {note}" for note in results.notes), ""]
    lines += ["## Machine", "", *(f"- {k}: {v}" for k, v in results.machine)]
    return "\n".join(lines) + "\n"


def table(results: Results) -> str:
    """The results as plain text for the terminal."""
    lines = [f"{c.label}: {c.shown} (target {c.target}): {_verdict(c)}" for c in results.checks]
    for n, run in enumerate(results.cold, 1):
        lines += run_lines(f"cold run {n}", run)
    for n, run in enumerate(results.again, 1):
        lines += run_lines(f"repeated run {n}", run)
    lines.append("")
    for row in endpoint_rows(results.median):
        lines.append("  ".join(f"{c:>8}" for c in row))
    lines.append("")
    for row in phase_rows(results.median):
        lines.append("  ".join(row))
    return "\n".join(lines)


# ---------------------------------------------------------------------------- the machine


def machine() -> tuple[tuple[str, str], ...]:
    return results_machine(
        *((name, package_version(name)) for name in ("httpx", "hishel", "werkzeug")),
        ("pytest-httpserver", package_version("pytest-httpserver")),
    )


# ---------------------------------------------------------------------------- the run


@dataclass
class Options:
    seeds: int = 200
    pool: int = 20_000
    refs: int = 20
    citing: int = 20
    pool_refs: int = 10
    seed: int = 0
    depth: int = 1
    max_papers: int = 5000
    latency: float = 0.05  # seconds
    repeat: int = 1
    keep: Path | None = None
    json: Path | None = None
    write_results: bool = False
    say: Callable[[str], None] = field(default=lambda text: None, repr=False)


def run(options: Options, command: str, work: Path) -> Results:
    """The corpus served, the cold fetches (each into a new folder), as many repeated
    fetches into the last one; the results with their checks."""
    import shutil

    from kg.fetch import SERVICES

    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    the_machine = machine()
    corpus = make_corpus(
        options.seeds, options.pool, options.refs, options.citing, options.pool_refs, options.seed
    )
    options.say(f"corpus: {corpus.describe()}")
    cold = []
    output = work / "fetched-1"
    with Server(corpus, options.latency, RATES) as server:
        for index in range(1, options.repeat + 1):
            output = work / f"fetched-{index}"
            shutil.rmtree(output, ignore_errors=True)
            done = fetch_once(corpus, server, output, options)
            cold.append(done)
            options.say(
                f"cold fetch {index}/{options.repeat}: {done.wall:.2f} s, {done.served} "
                f"requests, {done.refused} refused, floor {done.floor:.2f} s"
            )
            if index < options.repeat:
                shutil.rmtree(output, ignore_errors=True)
        again = []
        for index in range(1, options.repeat + 1):
            done = fetch_once(corpus, server, output, options)
            again.append(done)
            options.say(
                f"repeated fetch {index}/{options.repeat}: {done.wall:.2f} s, "
                f"{done.served} requests"
            )
    notes = []
    if len({(r.requests, r.minimum) for r in cold}) > 1:
        notes.append(
            "the cold runs did not send the same requests: "
            + ", ".join(f"{r.requests} (minimum {r.minimum})" for r in cold)
        )
    results = Results(
        date=when,
        command=command,
        machine=the_machine,
        corpus=corpus.describe(),
        neighbours=len(corpus.neighbours()),
        seeds=options.seeds,
        depth=options.depth,
        max_papers=options.max_papers,
        latency=options.latency,
        kg_rates=tuple((s, SERVICES[s].host(None, None).rate) for s in SOURCES),
        cold=tuple(cold),
        again=tuple(again),
        notes=tuple(notes),
    )
    return replace(results, checks=checks(results))


def parse_args(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fetch", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--seeds", type=int, default=200, help="seed PMIDs (200)")
    parser.add_argument("--pool", type=int, default=20_000, help="papers they link to (20000)")
    parser.add_argument("--refs", type=int, default=20, help="references per seed, mean (20)")
    parser.add_argument("--citing", type=int, default=20, help="citing papers per seed, mean (20)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (0)")
    parser.add_argument("--depth", type=int, default=1, help="kg fetch --depth (1)")
    parser.add_argument("--max-papers", type=int, default=5000, help="kg fetch --max-papers (5000)")
    parser.add_argument(
        "--latency-ms", type=float, default=50.0, help="the server's latency per request (50)"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="cold fetches, and repeated ones (median) (1)"
    )
    parser.add_argument("--keep", type=Path, help="fetch into DIR and keep the folders")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to FILE")
    parser.add_argument(
        "--write-results", action="store_true", help="write the results into bench/RESULTS.md"
    )
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.pool < 10 or args.repeat < 1 or args.max_papers < 1:
        parser.error("--seeds, --repeat and --max-papers must be at least 1, --pool 10")
    if args.depth < 0 or args.latency_ms < 0 or args.refs < 0 or args.citing < 0:
        parser.error("--depth, --latency-ms, --refs and --citing cannot be negative")
    return Options(
        seeds=args.seeds,
        pool=args.pool,
        refs=args.refs,
        citing=args.citing,
        seed=args.seed,
        depth=args.depth,
        max_papers=args.max_papers,
        latency=args.latency_ms / 1000,
        repeat=args.repeat,
        keep=args.keep,
        json=args.json,
        write_results=args.write_results,
        say=say,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    command = "python -m bench.fetch " + shlex.join(sys.argv[1:] if argv is None else argv)
    with work_folder(options.keep, "kg-bench-fetch-") as work:
        results = run(options, command.strip(), work)
    say("")
    say(table(results))
    if options.json:
        options.json.write_text(json.dumps(results.to_dict(), indent=1) + "\n", encoding="utf-8")
        say(f"\nwrote {options.json}")
    if options.write_results:
        write_section(SECTION, results_markdown(results))
        say(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    # run from the module bench.fetch, not __main__, so that what the server's process sends
    # back (Hit) unpickles in this one
    from bench.fetch import main as _main

    raise SystemExit(_main())
