"""Build benchmark (issue 7): kg build against Oxigraph's bulk load and an rdflib round trip,
kg's named queries against rdflib's in-memory store, rebuilds, and (optionally) scaling.

Everything is measured in one run on one generated corpus (bench/corpus.py), each figure as
a whole process (Python start-up included) so that like is compared with like:

1. ``kg build`` cold (a fresh output folder), ``--repeat`` times: wall time, the peak resident
   memory of its largest process (``wait4``) and of its whole process tree (sampled);
2. ``kg export --format nquads`` of that build: the quads every other figure starts from;
3. ``oxigraph load`` of those quads into a fresh store: the floor;
4. an rdflib-only round trip of the same quads: parse them into a ``Dataset``, write the
   merged (default) graph as Turtle;
5. every named query (kg/queries) through kg against the built store, and the same query
   text with the same bindings on rdflib's in-memory ``Dataset`` of the same quads, each in
   its own process with a per-query deadline;
6. ``kg build`` again into the same folder with nothing changed, then after one article's
   title was changed in one PubMed XML file;
7. with ``--scaling``: cold builds of a corpus three times as large.

    python -m bench [--size S|M|L] [--articles N] [--repeat 3] [--workers N] [--scaling]
                    [--query-timeout 300] [--skip-rdflib] [--keep DIR] [--json FILE]
                    [--write-results]

See bench/README.md for what each figure means and the targets it is checked against.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import select
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .corpus import SIZES, Corpus, describe, write_corpus
from .results import RESULTS, fmt, md_table, package_version, say, work_folder, write_section
from .results import machine as results_machine

ROOT = Path(__file__).resolve().parent.parent
SECTION = "build"  # this benchmark's section of bench/RESULTS.md
GIB = 1024**3
SAMPLE_SECONDS = 0.2  # how often the process tree's memory is sampled
KG_MAIN = "from kg.cli import main; main()"


@dataclass(frozen=True)
class Target:
    """A target of issue 7: the ratio ``key`` (see ``checks``) ``op`` ``limit``, set by the
    issue for a corpus of size ``size``."""

    key: str
    label: str
    op: str  # "<=", ">=" or "<"
    limit: float
    size: str  # the corpus size the issue sets it for

    def describe(self) -> str:
        return f"{self.op} {self.limit:g}"


TARGETS = (
    Target("build_vs_oxigraph", "cold build / oxigraph load", "<=", 3.0, "M"),
    Target("build_vs_rdflib", "cold build / rdflib round trip", "<=", 0.25, "M"),
    Target("queries_speedup", "rdflib / kg, named queries (total)", ">=", 20.0, "M"),
    Target("rebuild_vs_cold", "rebuild after one changed file / cold build", "<=", 0.10, "M"),
    Target("scaling", "cold build of 3x the corpus / (3 x cold build)", "<=", 1.1, "M"),
    Target("peak_gib", "peak memory of a cold build (GiB)", "<", 1.5, "L"),
)


# ---------------------------------------------------------------------------- processes


@dataclass(frozen=True)
class Measured:
    """One process: wall time (s), peak RSS of its largest process (bytes, from wait4), peak of
    the sum over its process tree (bytes, sampled: PSS where the kernel gives it)."""

    wall: float
    peak_rss: int
    peak_tree: int
    exit_code: int
    stderr: str = ""

    @property
    def peak(self) -> int:
        return max(self.peak_rss, self.peak_tree)


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                data = stat.read()
        except OSError:
            continue
        fields = data[data.rfind(b")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _memory(pid: int) -> int:
    """PSS of ``pid`` in bytes (RSS where smaps_rollup is missing), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class _TreeSampler(threading.Thread):
    """Samples the memory of ``pid`` and all its descendants every ``SAMPLE_SECONDS``."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        if not Path("/proc/self/stat").exists():
            return  # not Linux: the wait4 figure stands alone
        while not self.done.is_set():
            children = _children_map()
            tree, pending = [], [self.pid]
            while pending:
                pid = pending.pop()
                tree.append(pid)
                pending.extend(children.get(pid, ()))
            self.peak = max(self.peak, sum(_memory(pid) for pid in tree))
            self.done.wait(SAMPLE_SECONDS)

    def stop(self) -> int:
        self.done.set()
        self.join()
        return self.peak


def _env() -> dict[str, str]:
    """The environment of the measured processes: ``bench`` importable, no colour, no
    progress bar (their output goes to files, not a terminal)."""
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{path}" if path else str(ROOT)}


def measure(argv: Sequence[str], cwd: Path | None = None) -> Measured:
    """Run ``argv`` to its end; its wall time and peak memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            list(argv), cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=_env()
        )
        sampler = _TreeSampler(child.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        except BaseException:
            child.kill()
            child.wait()
            sampler.stop()
            raise
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        tree = sampler.stop()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return Measured(wall, rss, tree, child.returncode, stderr[-4000:])


def kg_command(*args: str) -> list[str]:
    return [sys.executable, "-c", KG_MAIN, *args]


def oxigraph_cli() -> Path | None:
    """The ``oxigraph`` command installed next to this Python (else on PATH)."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return beside
    found = shutil.which("oxigraph")
    return Path(found) if found else None


# ---------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Runs:
    """Repeated runs of one command; ``median`` is what the tables report."""

    runs: tuple[Measured, ...] = ()
    note: str = ""

    @property
    def median(self) -> float | None:
        walls = [r.wall for r in self.runs if r.exit_code == 0]
        return statistics.median(walls) if walls else None

    @property
    def peak(self) -> int | None:
        return max((r.peak for r in self.runs), default=None)

    @property
    def failed(self) -> bool:
        return any(r.exit_code != 0 for r in self.runs)


@dataclass(frozen=True)
class QueryFigure:
    """One named query both ways: median seconds (None when it failed or timed out)."""

    name: str
    params: tuple[tuple[str, str], ...]
    kg_seconds: float | None
    kg_rows: int | None
    rdflib_seconds: float | None
    rdflib_rows: int | None
    kg_runs: int = 0
    rdflib_runs: int = 0
    kg_timed_out: bool = False
    rdflib_timed_out: bool = False
    kg_error: str = ""
    rdflib_error: str = ""

    @property
    def speedup(self) -> float | None:
        if self.kg_seconds and self.rdflib_seconds is not None:
            return self.rdflib_seconds / self.kg_seconds
        return None

    @property
    def rows_agree(self) -> bool | None:
        if self.kg_rows is None or self.rdflib_rows is None:
            return None
        return self.kg_rows == self.rdflib_rows


@dataclass(frozen=True)
class Check:
    """A target checked: ``value`` (a lower or upper bound when ``bound`` is ">" or "<")."""

    key: str
    label: str
    target: str
    value: float | None
    bound: str  # "", ">" (the true value is larger) or "<" (smaller)
    met: bool | None  # None: not measured, or the bound cannot decide
    note: str = ""


@dataclass(frozen=True)
class Results:
    date: str
    command: str
    machine: tuple[tuple[str, str], ...]
    size: str
    articles: int
    seed: int
    workers: int
    repeat: int
    query_timeout: float
    corpus: str  # what the corpus holds (bench.corpus.describe)
    corpus_files: int
    corpus_bytes: int
    graph: tuple[tuple[str, int], ...]  # report.json's graph counts of the cold build
    problems: int
    quads: int  # lines of the N-Quads export
    nquads_bytes: int
    cold: Runs
    export: Runs
    oxigraph: Runs
    rdflib: Runs
    rdflib_phases: tuple[tuple[str, float], ...]  # parse, turtle (s), from the rdflib process
    queries: tuple[QueryFigure, ...]
    kg_query_load: float | None  # seconds to open the store in the query process
    rdflib_query_load: float | None  # seconds to parse the quads in rdflib's query process
    rebuild_unchanged: Runs
    rebuild_changed: Runs
    changed_file: str
    scaling_articles: int | None
    scaling: Runs
    checks: tuple[Check, ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("cold", "export", "oxigraph", "rdflib", "rebuild_unchanged", "scaling"):
            data[name]["median"] = getattr(self, name).median
            data[name]["peak"] = getattr(self, name).peak
        data["rebuild_changed"]["median"] = self.rebuild_changed.median
        data["rebuild_changed"]["peak"] = self.rebuild_changed.peak
        return data


# ---------------------------------------------------------------------------- the steps


def _report(out: Path) -> dict[str, Any]:
    path = out / "report.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def cold_builds(
    corpus: Path, work: Path, name: str, repeat: int, workers: int
) -> tuple[Runs, Path]:
    """``repeat`` builds, each into a fresh folder (the earlier ones are removed); the last
    folder is kept and returned."""
    runs = []
    out = work / f"{name}-1"
    for index in range(1, repeat + 1):
        out = work / f"{name}-{index}"
        shutil.rmtree(out, ignore_errors=True)
        run = measure(kg_command("build", str(corpus), "-o", str(out), "-j", str(workers), "-q"))
        runs.append(run)
        say(f"{name}: cold build {index}/{repeat}: {_seconds(run)}, peak {_gib(run.peak)}")
        if index < repeat:
            shutil.rmtree(out, ignore_errors=True)
    return Runs(tuple(runs)), out


def change_one_file(path: Path, count: int) -> None:
    """Change the title of the first article of the PubMed XML file ``path``."""
    text = path.read_text(encoding="utf-8")
    changed, found = re.subn(
        r"<ArticleTitle>(?:Revised \d+: )?", f"<ArticleTitle>Revised {count}: ", text, count=1
    )
    if not found:
        raise ValueError(f"no ArticleTitle in {path}")
    path.write_text(changed, encoding="utf-8")


def rebuilds(corpus: Corpus, out: Path, repeat: int, workers: int) -> tuple[Runs, Runs, Path]:
    """Builds into ``out`` again: with nothing changed, then ``repeat`` times after changing
    one article's title in one XML file (the file is restored afterwards)."""
    command = kg_command("build", str(corpus.folder), "-o", str(out), "-j", str(workers), "-q")
    unchanged = measure(command)
    say(f"rebuild, nothing changed: {_seconds(unchanged)}")
    target = corpus.xml_files[len(corpus.xml_files) // 2]
    original = target.read_bytes()
    changed = []
    try:
        for index in range(1, repeat + 1):
            change_one_file(target, index)
            run = measure(command)
            changed.append(run)
            say(f"rebuild after changing {target.name}: {index}/{repeat}: {_seconds(run)}")
    finally:
        target.write_bytes(original)
    return Runs((unchanged,)), Runs(tuple(changed)), target


def rdflib_round_trip(nquads: Path, turtle: Path, phases: Path) -> None:
    """In the measured process: parse ``nquads`` into an rdflib Dataset, write its default
    (merged) graph as Turtle; the time of each phase goes to ``phases`` (JSON)."""
    from rdflib import Dataset

    started = time.perf_counter()
    dataset = Dataset()
    dataset.parse(str(nquads), format="nquads")
    parsed = time.perf_counter()
    dataset.default_graph.serialize(destination=str(turtle), format="turtle")
    written = time.perf_counter()
    timing = {"parse": parsed - started, "turtle": written - parsed}
    phases.write_text(json.dumps(timing), encoding="utf-8")


def _rdflib_round_trip_main() -> None:
    nquads, turtle, phases = (Path(a) for a in sys.argv[1:4])
    rdflib_round_trip(nquads, turtle, phases)


def rdflib_runs(nquads: Path, work: Path, repeat: int) -> tuple[Runs, dict[str, float]]:
    runs, phases = [], []
    for index in range(1, repeat + 1):
        turtle, timing = work / "rdflib.ttl", work / "rdflib-phases.json"
        code = "from bench.build import _rdflib_round_trip_main; _rdflib_round_trip_main()"
        run = measure([sys.executable, "-c", code, str(nquads), str(turtle), str(timing)])
        runs.append(run)
        if run.exit_code == 0:
            phases.append(json.loads(timing.read_text(encoding="utf-8")))
        turtle.unlink(missing_ok=True)
        say(f"rdflib round trip {index}/{repeat}: {_seconds(run)}, peak {_gib(run.peak)}")
    medians = {k: statistics.median(p[k] for p in phases) for k in ("parse", "turtle")}
    return Runs(tuple(runs)), (medians if phases else {})


# ---------------------------------------------------------------------------- queries


def pick_parameters(store_path: Path) -> dict[str, dict[str, str]]:
    """A parameter for every named query that takes one, picked from the built graph: the
    most cited paper, the paper citing most, the paper with most similar articles, statements
    or sources, the most prolific author."""
    import pyoxigraph as ox

    from kg.query import PAPER, named, run

    store = ox.Store.read_only(str(store_path))

    def first(text: str) -> Any:
        rows = run(store, text).rows
        return rows[0] if rows else None

    def paper(pattern: str) -> dict[str, str]:
        row = first(
            "SELECT ?p (SAMPLE(?doi) AS ?d) (SAMPLE(?pmid) AS ?m) (COUNT(*) AS ?n) WHERE { "
            f"{pattern} OPTIONAL {{ ?p prism:doi ?doi }} OPTIONAL {{ ?p fabio:hasPubMedId ?pmid }}"
            " } GROUP BY ?p ORDER BY DESC(?n) STR(?p) LIMIT 1"
        )
        if row is None:
            return {}
        if row[1] is not None:
            return {"doi": row[1].value}
        if row[2] is not None:
            return {"pmid": row[2].value}
        return {PAPER: f"<{row[0].value}>"}

    picks = {
        "cited-by": "?x cito:cites ?p .",
        "cites": "?p cito:cites ?x .",
        "coupled": "?p cito:cites ?x .",
        "similar": "?p kgo:similarTo ?x .",
        "statements": "?x cito:hasCitedEntity ?p .",
        "sources": "?p prov:wasDerivedFrom ?x .",
    }
    chosen: dict[str, dict[str, str]] = {}
    for name, query in named().items():
        if PAPER in query.parameters:
            chosen[name] = paper(picks.get(name, "?x cito:cites ?p ."))
        elif "person" in query.parameters:
            row = first(
                "SELECT ?a (COUNT(*) AS ?n) WHERE { ?p dcterms:creator ?a } "
                "GROUP BY ?a ORDER BY DESC(?n) STR(?a) LIMIT 1"
            )
            chosen[name] = {"person": f"<{row[0].value}>"} if row else {}
        else:
            chosen[name] = {}
    return chosen


def _rdflib_named(dataset: Any, name: str, params: dict[str, str]) -> list[Any]:
    """What ``kg.query.run_named`` does, on rdflib: the paper looked up by its identifier
    with a query, every parameter bound as an RDF term through ``initBindings``."""
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    from kg.query import _PAPER_IDS, NORMALIZERS, PAPER, PROLOGUE, named, term

    query = named()[name]
    params = dict(params)
    if PAPER in query.parameters and PAPER not in params:
        given = {k: params.pop(k) for k in list(params) if k in _PAPER_IDS}
        ((kind, value),) = given.items()
        value = NORMALIZERS[kind](value) or value
        lookup = f"SELECT ?p ?id {{ ?p {_PAPER_IDS[kind]} ?id }}"
        found = list(dataset.query(PROLOGUE + lookup, initBindings={"id": Literal(value)}))
        params[PAPER] = f"<{found[0][0]}>" if found else "<urn:kg:no-such-paper>"
    bindings: dict[str, Any] = {}
    for key, value in params.items():
        bound = term(key, value)
        bindings[key] = (
            URIRef(bound.value) if isinstance(bound, ox.NamedNode) else Literal(bound.value)
        )
    return list(dataset.query(PROLOGUE + query.text, initBindings=bindings))


def query_worker() -> None:
    """A query process: ``kg STORE`` or ``rdflib QUADS``; one JSON request a line on stdin
    (``{"name": …, "params": {…}}``), one JSON answer a line on stdout."""
    engine, source = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    ask: Callable[[str, dict[str, str]], Sequence[Any]]
    if engine == "kg":
        import pyoxigraph as ox

        from kg.query import run_named

        store = ox.Store.read_only(source)

        def ask(name: str, params: dict[str, str]) -> Sequence[Any]:
            return run_named(store, name, params).rows

    else:
        from rdflib import Dataset

        dataset = Dataset()
        dataset.parse(source, format="nquads")

        def ask(name: str, params: dict[str, str]) -> Sequence[Any]:
            return _rdflib_named(dataset, name, params)

    _answer({"ready": True, "load": time.perf_counter() - started})
    for line in sys.stdin:
        request = json.loads(line)
        began = time.perf_counter()
        try:
            rows = ask(request["name"], request["params"])
        except Exception as error:  # noqa: BLE001 - reported as the query's error
            _answer({"error": f"{type(error).__name__}: {error}"[:300]})
            continue
        _answer({"seconds": time.perf_counter() - began, "rows": len(rows)})


def _answer(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


class QueryProcess:
    """A ``query_worker`` process with deadlines: a query that overruns kills it (the next
    query starts a new one)."""

    def __init__(self, engine: str, source: Path, stderr: Path) -> None:
        self.engine, self.source, self.stderr_path = engine, source, stderr
        self.child: subprocess.Popen[bytes] | None = None
        self.buffer = b""
        self.load: float | None = None
        self.peak = 0

    def start(self) -> str:
        """Start the process; "" or why it could not start."""
        code = "from bench.build import query_worker; query_worker()"
        with self.stderr_path.open("ab") as err:
            self.child = subprocess.Popen(
                [sys.executable, "-c", code, self.engine, str(self.source)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                env=_env(),
                start_new_session=True,
            )
        hello = self._read(None)
        if not hello or "ready" not in hello:
            self.stop(kill=True)
            tail = self.stderr_path.read_text(encoding="utf-8", errors="replace")[-300:]
            return f"the {self.engine} query process did not start: {tail.strip()}"
        if self.load is None:
            self.load = float(hello["load"])
        return ""

    def ask(self, name: str, params: dict[str, str], timeout: float) -> dict[str, Any]:
        """``{"seconds", "rows"}``, ``{"error"}`` or ``{"timeout": True}``."""
        if self.child is None and (why := self.start()):
            return {"error": why}
        assert self.child is not None and self.child.stdin is not None
        try:
            self.child.stdin.write((json.dumps({"name": name, "params": params}) + "\n").encode())
            self.child.stdin.flush()
        except BrokenPipeError:
            self.stop(kill=True)
            return {"error": f"the {self.engine} query process ended"}
        answer = self._read(timeout)
        if answer is None:
            self.stop(kill=True)
            return {"timeout": True}
        return answer

    def _read(self, timeout: float | None) -> dict[str, Any] | None:
        assert self.child is not None and self.child.stdout is not None
        fd = self.child.stdout.fileno()
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def stop(self, kill: bool = False) -> None:
        """End the process: at once (``kill``), else when it has read the end of its input
        (killed after 10 s); its peak memory is kept."""
        if self.child is None:
            return
        child, self.child, self.buffer = self.child, None, b""
        if child.stdin:
            with suppress(BrokenPipeError):
                child.stdin.close()
        deadline = time.monotonic() + (0 if kill else 10)
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() >= deadline:
                os.killpg(child.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.05)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.stdout:
            child.stdout.close()
        self.peak = max(self.peak, usage.ru_maxrss * 1024)


def _median_answer(
    process: QueryProcess, name: str, params: dict[str, str], repeat: int, timeout: float
) -> tuple[float | None, int | None, int, bool, str]:
    """(median seconds, rows, runs, timed out, error) of ``repeat`` runs of one query."""
    seconds: list[float] = []
    rows = None
    for _ in range(repeat):
        answer = process.ask(name, params, timeout)
        if answer.get("timeout"):
            return None, rows, len(seconds), True, ""
        if "error" in answer:
            return None, rows, len(seconds), False, str(answer["error"])
        seconds.append(float(answer["seconds"]))
        rows = int(answer["rows"])
    return statistics.median(seconds), rows, len(seconds), False, ""


def run_queries(
    out: Path,
    nquads: Path,
    work: Path,
    repeat: tuple[int, int],
    timeout: float,
    skip_rdflib: bool = False,
) -> tuple[tuple[QueryFigure, ...], float | None, float | None]:
    """Every named query through kg (the built store) and through rdflib (the quads), each
    run ``repeat`` times: (kg's runs, rdflib's runs)."""
    from kg.query import named

    picks = pick_parameters(out / "store")
    kg_process = QueryProcess("kg", out / "store", work / "kg-queries.stderr")
    rdflib_process = QueryProcess("rdflib", nquads, work / "rdflib-queries.stderr")
    figures = []
    try:
        if not skip_rdflib:
            why = rdflib_process.start()
            say(why or f"rdflib: the quads parsed for the queries in {rdflib_process.load:.1f} s")
        for name in named():
            params = picks.get(name, {})
            kg_time, kg_rows, kg_runs, kg_out, kg_error = _median_answer(
                kg_process, name, params, repeat[0], timeout
            )
            if skip_rdflib:
                rdf_time, rdf_rows, rdf_runs, rdf_out, rdf_error = None, None, 0, False, "skipped"
            else:
                rdf_time, rdf_rows, rdf_runs, rdf_out, rdf_error = _median_answer(
                    rdflib_process, name, params, repeat[1], timeout
                )
            figure = QueryFigure(
                name=name,
                params=tuple(sorted(params.items())),
                kg_seconds=kg_time,
                kg_rows=kg_rows,
                rdflib_seconds=rdf_time,
                rdflib_rows=rdf_rows,
                kg_runs=kg_runs,
                rdflib_runs=rdf_runs,
                kg_timed_out=kg_out,
                rdflib_timed_out=rdf_out,
                kg_error=kg_error,
                rdflib_error=rdf_error,
            )
            figures.append(figure)
            kg_cell, rdflib_cell = _query_cell(figure, "kg"), _query_cell(figure, "rdflib")
            say(f"query {name}: kg {kg_cell}, rdflib {rdflib_cell}")
    finally:
        kg_process.stop()
        rdflib_process.stop()
    return tuple(figures), kg_process.load, rdflib_process.load


# ---------------------------------------------------------------------------- checks


def query_totals(figures: Sequence[QueryFigure], timeout: float) -> tuple[float, float, str]:
    """(kg total, rdflib total, bound) over the queries kg answered (a query kg did not answer
    leaves the ratio undecided: see checks); an rdflib query that timed out counts as
    ``timeout`` seconds, so the ratio is then a lower bound (">")."""
    kg_total = rdflib_total = 0.0
    bound = ""
    for figure in figures:
        if figure.kg_seconds is None:
            continue
        if figure.rdflib_seconds is not None:
            kg_total += figure.kg_seconds
            rdflib_total += figure.rdflib_seconds
        elif figure.rdflib_timed_out:
            kg_total += figure.kg_seconds
            rdflib_total += timeout
            bound = ">"
    return kg_total, rdflib_total, bound


def query_geomean(figures: Sequence[QueryFigure]) -> float | None:
    """The geometric mean of the per-query ratios rdflib / kg (queries both answered): each
    query weighs the same, whatever its size (reported; the target is on the totals)."""
    ratios = [f.speedup for f in figures if f.speedup]
    return statistics.geometric_mean(ratios) if ratios else None


def checks(results: Results) -> tuple[Check, ...]:
    """Each target of issue 7 against this run's figures."""
    found: list[Check] = []
    cold = results.cold.median
    for target in TARGETS:
        value: float | None = None
        bound, note = "", ""
        if target.key == "build_vs_oxigraph":
            floor = results.oxigraph.median
            value = cold / floor if cold and floor else None
        elif target.key == "build_vs_rdflib":
            reference = results.rdflib.median
            value = cold / reference if cold and reference else None
        elif target.key == "queries_speedup":
            kg_total, rdflib_total, bound = query_totals(results.queries, results.query_timeout)
            value = rdflib_total / kg_total if kg_total and rdflib_total else None
            notes = []
            if bound:
                notes.append("rdflib queries that timed out count at the timeout")
            if failed := [f.name for f in results.queries if f.rdflib_error not in ("", "skipped")]:
                notes.append(f"left out, rdflib failed: {', '.join(failed)}")
            if failed := [f.name for f in results.queries if f.kg_seconds is None]:
                value = None  # kg's total is unknown: no ratio can be claimed
                notes.append(f"undecided, kg failed or timed out: {', '.join(failed)}")
            note = "; ".join(notes)
        elif target.key == "rebuild_vs_cold":
            rebuild = results.rebuild_changed.median
            value = rebuild / cold if rebuild and cold else None
        elif target.key == "scaling":
            larger = results.scaling.median
            value = larger / (3 * cold) if larger and cold else None
            if not results.scaling.runs:
                note = "not measured (run with --scaling)"
        elif target.key == "peak_gib":
            peaks = [p for p in (results.cold.peak, results.scaling.peak) if p is not None]
            value = max(peaks) / GIB if peaks else None
        met: bool | None = None
        if value is not None:
            if target.op == "<=":
                met = value <= target.limit
            elif target.op == "<":
                met = value < target.limit
            else:
                met = value >= target.limit
            if bound == ">" and not met:
                met = None  # a lower bound below the target decides nothing
                note += "; the bound is below the target, so it is undecided"
        if results.size != target.size:
            size_note = f"the target is set for {target.size}; this run is {results.size}"
            note = f"{note}; {size_note}" if note else size_note
        found.append(Check(target.key, target.label, target.describe(), value, bound, met, note))
    return tuple(found)


# ---------------------------------------------------------------------------- reporting


def _seconds(run: Measured) -> str:
    text = f"{run.wall:.2f} s"
    return text if run.exit_code == 0 else f"{text} (exit {run.exit_code})"


def _gib(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{value / GIB:.2f} GiB" if value >= GIB / 4 else f"{value / 1024**2:.0f} MiB"


def _runs_cell(runs: Runs) -> str:
    if not runs.runs:
        return runs.note or "not measured"
    text = fmt(runs.median)
    if runs.failed:
        codes = sorted({r.exit_code for r in runs.runs if r.exit_code})
        text += f" (failed: exit {', '.join(map(str, codes))})"
    if len(runs.runs) > 1:
        text += (
            f" (median of {len(runs.runs)}: " + ", ".join(f"{r.wall:.2f}" for r in runs.runs) + ")"
        )
    return text


def _query_cell(figure: QueryFigure, engine: str) -> str:
    seconds = getattr(figure, f"{engine}_seconds")
    if getattr(figure, f"{engine}_timed_out"):
        return "> timeout"
    if error := getattr(figure, f"{engine}_error"):
        return "skipped" if error == "skipped" else f"error ({error})"
    return f"{seconds:.3f} s"


def _verdict(check: Check) -> str:
    if check.value is None:
        return "not measured"
    if check.met is None:
        return "undecided"
    return "met" if check.met else "not met"


def _value(check: Check) -> str:
    return "—" if check.value is None else f"{check.bound}{check.value:.3g}"


def figure_rows(results: Results) -> list[tuple[str, str, str]]:
    """(figure, value, what it is) for the table."""
    rdflib_phases = dict(results.rdflib_phases)
    rows = [
        ("kg build, cold (s)", _runs_cell(results.cold), f"-j {results.workers}"),
        ("kg build, peak memory", _gib(results.cold.peak), "largest process or sampled tree"),
        ("kg export nquads (s)", _runs_cell(results.export), ""),
        ("oxigraph load (s)", _runs_cell(results.oxigraph), "the floor"),
        ("rdflib round trip (s)", _runs_cell(results.rdflib), "parse N-Quads, write Turtle"),
        (
            "rdflib phases (s)",
            ", ".join(f"{k} {v:.2f}" for k, v in rdflib_phases.items()) or "—",
            f"peak {_gib(results.rdflib.peak)}",
        ),
        ("rebuild, nothing changed (s)", _runs_cell(results.rebuild_unchanged), ""),
        (
            "rebuild, one file changed (s)",
            _runs_cell(results.rebuild_changed),
            results.changed_file,
        ),
    ]
    if results.scaling.runs:
        rows.append(
            (
                f"kg build, cold, {results.scaling_articles} papers (s)",
                _runs_cell(results.scaling),
                f"peak {_gib(results.scaling.peak)}",
            )
        )
    kg_total, rdflib_total, bound = query_totals(results.queries, results.query_timeout)
    rows.append(
        (
            "named queries, total (s)",
            f"kg {kg_total:.3f}, rdflib {bound}{rdflib_total:.3f}",
            f"store opened in {fmt(results.kg_query_load)} s, "
            f"quads parsed by rdflib in {fmt(results.rdflib_query_load)} s (not counted)",
        )
    )
    rows.append(
        (
            "named queries, rdflib / kg per query",
            f"geometric mean {fmt(query_geomean(results.queries), 1)}",
            "over the queries both answered in time (the target is on the totals)",
        )
    )
    return rows


def summary_lines(results: Results) -> list[str]:
    """What was measured on: the corpus, the graph kg built from it, the quads."""
    graph = ", ".join(f"{k} {v:,}" for k, v in results.graph) or "no report.json"
    return [
        f"Corpus: size {results.size}, seed {results.seed}: {results.corpus}",
        f"Graph (kg build's report.json): {graph}; {results.problems} problems",
        f"N-Quads export: {results.quads:,} quads, {results.nquads_bytes / 1e6:.1f} MB",
    ]


def _text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def _query_rows(results: Results) -> list[tuple[str, ...]]:
    rows = []
    for f in results.queries:
        params = " ".join(f"{k}={v}" for k, v in f.params) or "—"
        agree = {True: "same", False: "DIFFERENT", None: "—"}[f.rows_agree]
        rows.append(
            (
                f.name,
                params,
                _query_cell(f, "kg"),
                _query_cell(f, "rdflib"),
                fmt(f.speedup, 1),
                f"{f.kg_rows if f.kg_rows is not None else '—'} / "
                f"{f.rdflib_rows if f.rdflib_rows is not None else '—'} ({agree})",
            )
        )
    return rows


FIGURE_HEADER = ("figure", "value", "note")
QUERY_HEADER = ("query", "parameter", "kg", "rdflib", "rdflib / kg", "rows kg / rdflib")
CHECK_HEADER = ("target", "value", "target", "verdict", "note")


def table(results: Results) -> str:
    """Every figure, every query, every target: plain text for the terminal."""
    parts = [
        *summary_lines(results),
        "",
        _text_table(FIGURE_HEADER, figure_rows(results)),
        "",
        _text_table(QUERY_HEADER, _query_rows(results)),
        "",
        _text_table(
            CHECK_HEADER,
            [(c.label, _value(c), c.target, _verdict(c), c.note) for c in results.checks],
        ),
    ]
    return "\n".join(parts)


def results_markdown(results: Results) -> str:
    """The build benchmark's section of bench/RESULTS.md."""
    lines = [
        "# Build benchmark results",
        "",
        "Issue 7: kg build against Oxigraph's bulk load and an rdflib round trip of the same "
        "quads, named queries against rdflib's in-memory store, rebuilds, scaling; every figure "
        "measured in one run on one generated corpus. How the figures are taken: "
        "bench/README.md.",
        "",
        f"- Date: {results.date}",
        f"- Command: `{results.command}`",
        *(f"- {line}" for line in summary_lines(results)),
        f"- kg build with `-j {results.workers}`; {results.repeat} run(s) of each command "
        "(median); "
        f"query timeout {results.query_timeout:g} s",
        "",
        "## Targets",
        "",
        *md_table(
            CHECK_HEADER,
            [(c.label, _value(c), c.target, f"**{_verdict(c)}**", c.note) for c in results.checks],
        ),
        "",
        "## Figures",
        "",
        *md_table(FIGURE_HEADER, figure_rows(results)),
        "",
        "Times are the wall clock of the whole process (Python start-up and imports included), "
        "in seconds. Peak memory is the larger of the peak RSS of the largest process "
        "(`wait4`) and the sampled sum over the process tree (PSS).",
        "",
        "## Named queries",
        "",
        *md_table(QUERY_HEADER, _query_rows(results)),
        "",
        "Each query runs in a warm process (kg: the store opened read-only; rdflib: a `Dataset` "
        "holding the N-Quads export); the time is the median of the runs, from the call to the "
        "last row, the paper's look-up by its identifier included.",
        "",
    ]
    if results.notes:
        lines += ["## Notes", "", *(f"- {note}" for note in results.notes), ""]
    lines += ["## Machine", "", *(f"- {k}: {v}" for k, v in results.machine)]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- the machine


def machine() -> tuple[tuple[str, str], ...]:
    oxigraph = oxigraph_cli()
    cli = "not found"
    if oxigraph:
        done = subprocess.run([str(oxigraph), "--version"], capture_output=True, text=True)
        cli = done.stdout.strip() or "?"
    return results_machine(
        ("pyoxigraph", package_version("pyoxigraph")),
        ("oxigraph CLI", cli),
        ("rdflib", package_version("rdflib")),
    )


# ---------------------------------------------------------------------------- the run


@dataclass
class Options:
    size: str = "M"
    articles: int | None = None
    seed: int = 0
    repeat: int = 3
    rdflib_repeat: int = 1
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    query_timeout: float = 300.0
    scaling: bool = False
    skip_rdflib: bool = False
    keep: Path | None = None
    json: Path | None = None
    write_results: bool = False

    @property
    def count(self) -> int:
        return self.articles or SIZES[self.size]

    @property
    def size_name(self) -> str:
        return self.size if self.articles is None else f"{self.articles} papers"


def run(options: Options, command: str, work: Path) -> Results:
    """Every step on one corpus in ``work``; the results with their checks."""
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    the_machine = machine()
    started = time.perf_counter()
    corpus_dir = work / "corpus"
    shutil.rmtree(corpus_dir, ignore_errors=True)
    corpus = write_corpus(corpus_dir, options.count, options.seed)
    say(f"corpus: {describe(corpus)} ({time.perf_counter() - started:.1f} s) -> {corpus_dir}")
    notes: list[str] = []

    cold, out = cold_builds(corpus_dir, work, "out", options.repeat, options.workers)
    report = _report(out)
    graph = tuple((k, int(v)) for k, v in report.get("graph", {}).items())
    problems = int(report.get("read", {}).get("problems", -1))
    if cold.median is None or not (out / "store").exists():
        raise RuntimeError("kg build failed: " + cold.runs[-1].stderr.strip()[-2000:])
    if cold.failed:
        notes.append("a cold build failed: " + cold.runs[-1].stderr.strip()[-300:])

    nquads = work / "graph.nq"
    export = Runs(
        (measure(kg_command("export", "-g", str(out), "--format", "nquads", "-o", str(nquads))),)
    )
    quads = 0
    if nquads.exists():
        with nquads.open("rb") as lines:
            quads = sum(1 for _ in lines)
    nquads_bytes = nquads.stat().st_size if nquads.exists() else 0
    say(f"export: {quads:,} quads in {_runs_cell(export)} s")

    oxigraph = oxigraph_cli()
    if oxigraph is None:
        floor = Runs(note="the oxigraph command was not found")
    else:
        loads = []
        for index in range(1, options.repeat + 1):
            location = work / "oxigraph-store"
            shutil.rmtree(location, ignore_errors=True)
            loaded = measure(
                [str(oxigraph), "load", "--location", str(location), "--file", str(nquads)]
            )
            loads.append(loaded)
            say(f"oxigraph load {index}/{options.repeat}: {_seconds(loaded)}")
            shutil.rmtree(location, ignore_errors=True)
        floor = Runs(tuple(loads))

    if options.skip_rdflib:
        rdflib, phases = Runs(note="skipped (--skip-rdflib)"), {}
    else:
        rdflib, phases = rdflib_runs(nquads, work, options.rdflib_repeat)

    queries, kg_load, rdflib_load = run_queries(
        out,
        nquads,
        work,
        (options.repeat, options.rdflib_repeat),
        options.query_timeout,
        options.skip_rdflib,
    )
    unchanged, changed, target = rebuilds(corpus, out, options.repeat, options.workers)

    scaling = Runs(note="not measured (run with --scaling)")
    scaling_articles = None
    if options.scaling:
        scaling_articles = 3 * options.count
        larger_dir = work / "corpus-3x"
        shutil.rmtree(larger_dir, ignore_errors=True)
        larger = write_corpus(larger_dir, scaling_articles, options.seed)
        say(f"corpus x3: {describe(larger)}")
        scaling, larger_out = cold_builds(
            larger_dir, work, "out-3x", options.repeat, options.workers
        )
        shutil.rmtree(larger_out, ignore_errors=True)
        shutil.rmtree(larger_dir, ignore_errors=True)

    results = Results(
        date=when,
        command=command,
        machine=the_machine,
        size=options.size if options.articles is None else "custom",
        articles=options.count,
        seed=options.seed,
        workers=options.workers,
        repeat=options.repeat,
        query_timeout=options.query_timeout,
        corpus=describe(corpus),
        corpus_files=len(corpus.files),
        corpus_bytes=corpus.bytes,
        graph=graph,
        problems=problems,
        quads=quads,
        nquads_bytes=nquads_bytes,
        cold=cold,
        export=export,
        oxigraph=floor,
        rdflib=rdflib,
        rdflib_phases=tuple(phases.items()),
        queries=queries,
        kg_query_load=kg_load,
        rdflib_query_load=rdflib_load,
        rebuild_unchanged=unchanged,
        rebuild_changed=changed,
        changed_file=target.name,
        scaling_articles=scaling_articles,
        scaling=scaling,
        notes=tuple(notes),
    )
    return replace(results, checks=checks(results))


def parse_args(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="M", help="corpus size (M)")
    parser.add_argument("--articles", type=int, help="corpus of this many papers (not a size)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (0)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (median)")
    parser.add_argument(
        "--rdflib-repeat",
        type=int,
        default=1,
        help="runs of the rdflib round trip and of each rdflib query (1)",
    )
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="kg build -j (the cores)"
    )
    parser.add_argument(
        "--query-timeout", type=float, default=300.0, help="seconds one query may take (300)"
    )
    parser.add_argument("--scaling", action="store_true", help="also build 3x the corpus")
    parser.add_argument(
        "--skip-rdflib", action="store_true", help="measure no rdflib figure (quick runs)"
    )
    parser.add_argument("--keep", type=Path, help="work in DIR and keep the corpus and outputs")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to FILE")
    parser.add_argument(
        "--write-results", action="store_true", help="write the results into bench/RESULTS.md"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.rdflib_repeat < 1 or args.workers < 1:
        parser.error("--repeat, --rdflib-repeat and --workers must be at least 1")
    if args.articles is not None and args.articles < 10:
        parser.error("--articles must be at least 10")
    if args.write_results and args.skip_rdflib:
        parser.error("--write-results needs the rdflib figures: drop --skip-rdflib")
    return Options(
        size=args.size,
        articles=args.articles,
        seed=args.seed,
        repeat=args.repeat,
        rdflib_repeat=args.rdflib_repeat,
        workers=args.workers,
        query_timeout=args.query_timeout,
        scaling=args.scaling,
        skip_rdflib=args.skip_rdflib,
        keep=args.keep,
        json=args.json,
        write_results=args.write_results,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    with work_folder(options.keep, "kg-bench-build-") as work:
        results = run(options, command, work)
    say("")
    say(table(results))
    if options.json:
        options.json.write_text(json.dumps(results.to_dict(), indent=1) + "\n", encoding="utf-8")
        say(f"\nwrote {options.json}")
    if options.write_results:
        write_section(SECTION, results_markdown(results))
        say(f"\nwrote {RESULTS}")
    return 0
