"""``kg build``: files -> records -> merged records -> RDF -> graph.ttl and graph.html.

Each file is read on its own: a file that cannot be read or whose format is unknown is
reported with its path and skipped, and the rest of the build goes on. Every output is made
beside the old one and they are all moved into place together (kg.fsio.Staging).
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import gc
import itertools
import json
import multiprocessing
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import __version__, extract
from .cache import CACHE, Cache, fingerprint, last_build, remember_build, signing_key
from .errors import InputError, NothingBuilt, OutputError, StrictFailure
from .fsio import Staging, fsync, locked
from .iris import DEFAULT_BASE, Minter
from .rdf import RELATION_PROPERTIES, nquads, source_iri, view_key
from .reading import FETCH_HIDDEN, Result, display_path, extract_file, sha256_of
from .records import Extraction, Loc, Problem, Source
from .resolve import View, resolve_lazily
from .sorted_trig import Copied, SortedTrig
from .store import (
    STORE,
    UNMADE,
    Chunk,
    Digests,
    Prepared,
    Unmade,
    chunked,
    new_store,
    prepared_store,
    reloading,
)
from .text import counted
from .vocab import PREFIX_IRIS, PREFIXES

EXIT_SKIPPED = 3  # the exit code of a build that skipped files or records
# named graph IRI -> (key of the view its lines were made of: kg.rdf.view_key; offset and
# length of its block in graph.trig)
Blocks = dict[str, tuple[str, int, int]]
PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """A folder that ships inside the installed package (``kg/<name>``) and lives at the top
    of a source checkout (``<name>/``): ``ontology``, ``seeds``."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise InputError(f"kg is installed without its {name}/ folder")


def default_inputs() -> list[Path]:
    """``seeds/`` in the current folder, else the seeds that ship with kg."""
    here = Path("seeds")
    return [here if here.is_dir() else resource_dir("seeds")]


@dataclass(frozen=True)
class FileReport:
    path: str
    format: str | None  # None: the file was skipped
    records: int
    sha256: str | None = None
    problems: int = 0  # problems reported in this file (records or the whole file skipped)


@dataclass(frozen=True)
class BuildReport:
    output: Path
    files: tuple[FileReport, ...]
    problems: tuple[Problem, ...]
    counts: dict[str, int] = field(default_factory=dict)
    outputs: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()  # facts kg kept but that disagree (identifier conflicts)
    up_to_date: bool = False  # nothing changed since the last build: nothing was done
    reused: int = 0  # files whose records came from the cache
    graphs_kept: int = 0  # sources' named graphs kept as they were in the last build's store

    @property
    def complete(self) -> bool:
        """True when every file and record was read."""
        return not self.problems

    def summary(self) -> list[str]:
        """What ``kg build`` prints of a build: its counts, then what it reused and wrote."""
        c, read = self.counts, sum(1 for f in self.files if f.format)
        lines = [
            f"{counted(c['papers'], 'paper')}, {counted(c['people'], 'person', 'people')}, "
            f"{counted(c['journals'], 'journal')}, {counted(c['relations'], 'relation')}, "
            f"{counted(c['statements'], 'citation statement')} "
            f"({counted(c['triples'], 'triple')}) from {read} of "
            f"{counted(len(self.files), 'file')}; {counted(len(self.problems), 'problem')}"
        ]
        if self.up_to_date:
            return [*lines, f"{self.output.as_posix()} is up to date: no input or option changed"]
        if self.reused:
            lines.append(f"{counted(self.reused, 'unchanged file')} read from the cache")
        if self.graphs_kept:
            lines.append(f"{counted(self.graphs_kept, 'unchanged source graph')} kept in the store")
        return lines + [f"wrote {path.as_posix()}" for path in self.outputs]


REPORT = "report.json"
OUTPUTS = ("graph.ttl", "graph.trig", "graph.html", STORE, REPORT)  # in report.json's order


def discover(inputs: Iterable[Path], exclude: Iterable[str] = ()) -> list[Path]:
    """The files under ``inputs`` (folders walked recursively, hidden entries and a fetch's
    own report.json skipped), each once, sorted by path: the order inputs are given in changes
    nothing. A file is left out when an ``exclude`` glob matches its name or its path under
    the folder given (``README*``, ``notes/*``, ``*.pdf``); a file given by name is kept."""
    patterns = tuple(exclude)
    found: set[Path] = set()
    for item in inputs:
        if item.is_dir():
            for root, dirs, files in os.walk(item):
                fetched = FETCH_HIDDEN in dirs  # kg fetch's folder: its report is no input
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                under = Path(root).relative_to(item)
                found.update(
                    Path(root) / name
                    for name in files
                    if not name.startswith(".")
                    and not (fetched and name == REPORT)
                    and not excluded(under / name, patterns)
                )
        elif item.is_file():
            found.add(item)
        else:
            raise InputError(f"no such file or folder: {item}")
    return sorted(found, key=lambda p: p.as_posix())


def excluded(relative: Path, patterns: tuple[str, ...]) -> bool:
    """Whether a glob of ``patterns`` matches the file's name or its path under its input
    folder (``/``-separated; ``*`` crosses ``/`` as in fnmatch)."""
    path = relative.as_posix()
    return any(
        fnmatch.fnmatchcase(relative.name, g) or fnmatch.fnmatchcase(path, g) for g in patterns
    )


Job = tuple[Path, str | None, str | None]  # (path, forced format, sha256)


def _extract_one(job: Job, cache: Cache | None = None) -> Result:
    """One file's extraction, kept in ``cache`` (by the worker that made it, so that the
    build's own process does not pickle every file's records once more)."""
    result = extract_file(*job)
    path, forced, digest = job
    if cache is not None and digest is not None:
        with contextlib.suppress(OSError):  # a cache entry saves time; it is never needed
            cache.put(display_path(path), digest, forced, result)
    return result


@contextlib.contextmanager
def extracting(
    jobs: list[Job], workers: int, cache: Cache | None = None, *, apart: bool = False
) -> Iterator[Iterator[Result]]:
    """Each file's extraction, in the order of ``jobs`` whatever the number of workers; each
    kept in ``cache`` too. The worker processes start (fork) when the block starts; one job
    is read by this process, unless ``apart`` (this one has something else to do)."""
    work = functools.partial(_extract_one, cache=cache)
    if not jobs or workers <= 1 or (len(jobs) <= 1 and not apart):
        yield map(work, jobs)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=context) as pool:
        yield pool.map(work, jobs)  # every job submitted: the workers are started


@dataclass(frozen=True)
class Progress:
    """Where a build is, for a progress bar: ``stage`` is "reading" (files and records so far,
    bytes of input read), then "merging", then "loading" (``quads`` in the store so far), then
    "writing" (graph.ttl, graph.trig, the map and the store's compaction)."""

    stage: str
    files: int = 0
    files_total: int = 0
    records: int = 0
    done_bytes: int = 0
    total_bytes: int = 0
    quads: int = 0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _digest(path: Path) -> str | None:
    try:
        return sha256_of(path)
    except OSError:
        return None  # extract_file reports it


def build(
    inputs: Iterable[str | os.PathLike[str]] | None = None,
    output: str | os.PathLike[str] = "output",
    *,
    base_iri: str = DEFAULT_BASE,
    forced: str | None = None,
    strict: bool = False,
    workers: int | None = None,
    cache: bool = True,
    progress: Callable[[Progress], None] | None = None,
    exclude: Iterable[str] = (),
) -> BuildReport:
    """Build the graph of ``inputs`` (default: the seeds) into ``output``.

    Raises NothingBuilt when no file gave anything, and StrictFailure when ``strict`` and
    anything was skipped; then nothing is written. Otherwise writes ``graph.ttl`` (the merged
    graph), ``graph.trig`` (the merged graph as the default graph, and what each source said in
    a named graph of its own), ``graph.html``, ``store/`` and ``report.json`` (what was read and
    skipped), all replaced together, and returns what was read, what was skipped, what
    disagreed, and the counts. ``workers`` processes (default: one per core) read the files;
    the outputs are the same bytes for any number of workers and any order of ``inputs``.
    ``progress`` is called as the build goes on (see Progress), from the build's own threads
    too (the store's loader tells how far it got). Files under a folder that an ``exclude``
    glob matches (by name or by path under the folder) are not read (see discover).

    With ``cache``, ``output/.cache/`` keeps what each file gave (by content hash): a rebuild
    reads only the files that changed, and does nothing at all when no input, option or
    output changed since the last build (``BuildReport.up_to_date``).
    """
    inputs = [Path(p) for p in inputs] if inputs else default_inputs()
    output = Path(output)
    if forced:
        extract.extractor(forced)  # an unknown format fails before any file is read
    paths = discover(inputs, exclude)
    digests = [_digest(path) for path in paths]
    names = [display_path(path) for path in paths]
    state = fingerprint(
        base_iri=base_iri, forced=forced, files=list(zip(names, digests, strict=True))
    )
    if cache and (previous := _unchanged(output, state)) is not None:
        _check(previous.files, list(previous.problems), strict)
        return previous
    cached = Cache(output, signing_key() if cache else None)
    with collector_paused():
        tell = progress or (lambda _: None)
        # the workers keep what each file gave in the cache as they read it, but for --strict,
        # which must create nothing when it fails: then it is kept once the files pass
        early = cache and not strict
        found, missing, records = _read(paths, names, digests, forced, cached, early, workers, tell)
        extractions, files, problems = _gather(names, found)
        _check(files, problems, strict)

        tell(Progress("merging", len(paths), len(paths), records))
        try:
            if cache:  # what each file gave is kept even if writing the outputs fails below
                if not early:
                    for n in missing:
                        if digests[n] is not None:
                            cached.put(names[n], digests[n], forced, found[n])
                cached.prune()
            found.clear()  # the records live on in extractions, until resolved
            minter = Minter(base_iri)
            with (
                locked(output),
                Staging(output) as staging,
                _started(output, staging, files, minter, cache) as start,
            ):
                # the last store's copy is cleared meanwhile, on the other core (Prepared)
                views = list(resolve_lazily(extractions, minter))  # _write_outputs empties it
                del extractions
                report, digests, blocks = _write_outputs(
                    output,
                    staging,
                    start,
                    views,
                    minter,
                    files,
                    problems,
                    lambda stage, quads: tell(
                        Progress(stage, len(paths), len(paths), records, quads=quads)
                    ),
                )
            if cache:
                stamps = _output_stamps(output)
                remember_build(output, state, stamps, _store_stamp(output), digests, blocks)
        except OSError as error:  # a full disk, a folder kg may not write to: the old ones stay
            where = error.filename or output
            raise OutputError.writing(where, error) from None
        return replace(report, reused=len(paths) - len(missing))


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused (and in the processes forked meanwhile): a build makes
    millions of objects that live to its end and hold no cycles, and the collector would walk
    them all again and again for nothing, freeing no memory.
    What is left when the build ends is collected then."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


def _read(
    paths: list[Path],
    names: list[str],
    digests: list[str | None],
    forced: str | None,
    cache: Cache,
    keep: bool,
    workers: int | None,
    tell: Callable[[Progress], None],
) -> tuple[dict[int, Result], list[int], int]:
    """Every file's result (by index: from ``cache``, else read by ``workers`` processes, which
    put what they read in ``cache`` when ``keep``), the indexes of the files read, and the
    number of records. The files not in the cache are read by the workers while this thread
    loads the cache's entries (the workers are started before the thread that takes their
    results: forking a process with threads can leave it a lock held)."""
    found: dict[int, Result] = {}
    hits = [
        n
        for n, (name, digest) in enumerate(zip(names, digests, strict=True))
        if digest is not None and cache.has(name, digest, forced)
    ]
    missing = sorted(set(range(len(paths))).difference(hits))
    sizes = [_size(path) for path in paths]
    done = Progress("reading", files_total=len(paths), total_bytes=sum(sizes))

    def count(n: int) -> None:
        nonlocal done
        extraction = found[n][0]
        done = replace(
            done,
            files=done.files + 1,
            records=done.records + (len(extraction.records) if extraction else 0),
            done_bytes=done.done_bytes + sizes[n],
        )
        tell(done)

    def take(indexes: list[int], results: Iterator[Result]) -> None:
        for n, result in zip(indexes, results, strict=True):
            found[n] = result
            count(n)

    workers = workers or os.cpu_count() or 1
    writer = cache if keep else None
    jobs = [(paths[n], forced, digests[n]) for n in missing]
    with extracting(jobs, workers, writer, apart=bool(hits)) as results:
        if not hits:
            take(missing, results)
        else:
            # the workers' results are taken by a thread while this one loads the entries (it
            # holds their records: memory freed in another thread's malloc arena stays there,
            # unused, so loaded this way round they leave the map's peak lower)
            with ThreadPoolExecutor(1, thread_name_prefix="kg-read") as taker:
                taken = taker.submit(take, missing, results)
                entries = {n: cache.get(names[n], digests[n] or "", forced) for n in hits}
                taken.result()
            for n, hit in entries.items():
                if hit is not None:
                    found[n] = hit
                    count(n)
    if unread := [n for n in hits if n not in found]:  # damaged, or of another kg: read them
        jobs = [(paths[n], forced, digests[n]) for n in unread]
        with extracting(jobs, workers, writer) as results:
            take(unread, results)
        missing = sorted(missing + unread)
    return found, missing, done.records


def _gather(
    names: list[str], found: dict[int, Result]
) -> tuple[list[Extraction], list[FileReport], list[Problem]]:
    """The extractions, a report of each file and every problem, in path order."""
    extractions, files, problems = [], [], []
    for n, name in enumerate(names):
        extraction, file_problems = found[n]
        problems.extend(file_problems)
        if extraction is None:
            files.append(FileReport(name, None, 0, problems=len(file_problems)))
        else:
            extractions.append(extraction)
            source = extraction.source
            files.append(
                FileReport(
                    source.path,
                    source.format,
                    len(extraction.records),
                    source.sha256,
                    len(file_problems),
                )
            )
    return extractions, files, problems


def _check(files: Sequence[FileReport], problems: list[Problem], strict: bool) -> None:
    """NothingBuilt when no file gave anything; StrictFailure when ``strict`` and anything was
    skipped."""
    described = tuple(p.describe() for p in problems)
    if not any(f.format for f in files):
        detail = f" ({counted(len(problems), 'problem')})" if problems else ""
        raise NothingBuilt(
            f"nothing could be built from {counted(len(files), 'file')}{detail}", described
        )
    if strict and problems:
        in_files = counted(sum(1 for f in files if f.problems), "file")
        raise StrictFailure(
            f"{counted(len(problems), 'problem')} in {in_files} and --strict: nothing written",
            described,
        )


def _output_stamps(output: Path) -> dict[str, list[int]]:
    """Each output file's (inode, size, modification time): any replacement or edit changes
    one, and nothing has to be read (graph.trig can be large). The store is left out:
    reading it may touch its folder."""
    stamps = {}
    for name in OUTPUTS:
        if name == STORE:
            continue
        found = (output / name).stat()
        stamps[name] = [found.st_ino, found.st_size, found.st_mtime_ns]
    return stamps


def _store_stamp(output: Path) -> list[int]:
    """The store folder's (inode, modification time): the store is a copy of another, or was
    opened for writing (which makes files in it), once either changes."""
    found = (output / STORE).stat()
    return [found.st_ino, found.st_mtime_ns]


def _last_intact(output: Path) -> dict[str, Any] | None:
    """What the last build remembered (kg.cache.remember_build), when its outputs are as it
    left them; else None."""
    last = last_build(output)
    try:
        if last and _output_stamps(output) == last.get("outputs"):
            return last
    except OSError:
        pass
    return None


@dataclass(frozen=True)
class _Held:
    """What a rebuild can take from the last build: the named graphs of its store, with the
    digest of each one's lines (kg.store.reloading), and the block of each in its graph.trig,
    which has the stamp ``trig``."""

    graphs: Digests
    blocks: Blocks
    trig: list[int]


def _held_graphs(output: Path) -> _Held | None:
    """What the last build left (_Held), when the outputs and the store are as it left them;
    else None."""
    last = _last_intact(output)
    try:
        if not last or _store_stamp(output) != last.get("store"):
            return None
    except OSError:
        return None
    graphs = last.get("graphs")
    if not isinstance(graphs, dict):
        return None
    held: Digests = {}
    for graph, found in graphs.items():
        match found:
            case [str() as digest, int() as lines]:
                held[graph] = (digest, lines)
            case _:
                return None
    blocks: Blocks = {}
    for graph, found in (last.get("blocks") or {}).items():
        match found:
            case [str() as key, int() as offset, int() as length]:
                blocks[graph] = (key, offset, length)
            case _:
                blocks = {}
                break
    return _Held(held, blocks, last["outputs"]["graph.trig"])


def _unchanged(output: Path, state: str) -> BuildReport | None:
    """The last build's report when it was made from the same inputs and options and its
    outputs are as it left them; else None."""
    last = _last_intact(output)
    if not last or last.get("fingerprint") != state or not (output / STORE).is_dir():
        return None
    try:
        data = json.loads((output / REPORT).read_bytes())
        return BuildReport(
            output,
            tuple(FileReport(**f) for f in data["files"]),
            tuple(Problem(p["message"], Loc(p["path"], p["line"] or 0)) for p in data["problems"]),
            dict(data["graph"]),
            tuple(output / name for name in data["outputs"]),
            tuple(data["conflicts"]),
            up_to_date=True,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True)
class _Start:
    """What a build starts its outputs from: its store (Prepared: a copy of the last one's
    when it is worth copying, else a new one), and, with the copy, the last graph.trig with
    its stamp and the blocks of it that hold the graphs the copy kept; whether the cache is
    on (``reuse``: the view keys and the map's metrics are kept for the next build)."""

    store: Prepared
    blocks: Blocks
    previous: tuple[Path, list[int]] | None
    reuse: bool


@contextlib.contextmanager
def _started(
    output: Path, staging: Staging, files: list[FileReport], minter: Minter, reuse: bool
) -> Iterator[_Start]:
    """The build's start (_Start), made under its lock. With ``reuse``, when the last build's
    outputs and store are as it left them and the store is worth copying, its copy is the
    new store, and the graphs of sources no longer given are being removed from it."""
    # each source's named graph (kg.rdf.source_iri: by content, so two copies of a file are one)
    given = {str(minter("source", f.sha256)) for f in files if f.format}
    held = _held_graphs(output) if reuse else None
    last = held if held and _worth_copying(held.graphs, given) else None
    folder = staging.folder_for(STORE)
    previous = output / STORE if last else None
    with prepared_store(folder, previous, last.graphs if last else {}, given) as store:
        copied = last if store.copied else None
        yield _Start(
            store,
            copied.blocks if copied else {},
            (output / "graph.trig", copied.trig) if copied else None,
            reuse,
        )


def _write_outputs(
    output: Path,
    staging: Staging,
    start: _Start,
    views: list[Any],
    minter: Minter,
    files: list[FileReport],
    problems: list[Problem],
    tell: Callable[[str, int], None] = lambda stage, quads: None,
) -> tuple[BuildReport, Digests, Blocks]:
    """Make every output in ``staging``, then move them all into place; return the report,
    the digest of each named graph's lines and the block of each in graph.trig. ``views``
    holds the merged view and the iterator of each source's view (resolve_lazily); they are
    taken out of it, and each view is let go of once its lines are made, so that the load
    and the map reuse their memory (the records and views are much of what a build holds).
    In a copy of the last build's store (``start``), only the merged graph and the named
    graphs whose lines changed are loaded (kg.store.reloading); a source whose view is the one
    the last build made lines of (kg.rdf.view_key) has no lines made: the copy holds its
    graph, and graph.trig is given the last one's block of it; and the map's metrics are
    taken from the last build's when the papers' network is the same (kg.metrics.annotate).
    ``tell`` is told the stage ("loading", then "writing") and the quads loaded so far."""
    tell("loading", 0)  # from here the lines are made, and loaded as they come
    merged, each = views
    views.clear()
    conflicts = tuple(c.describe() for c in merged.conflicts)
    keys: dict[str, str] = {}  # each source graph's view key, when kept for the next build
    graphs = itertools.chain(
        [(None, nquads(merged, minter))],
        _source_lines(each, minter, keys if start.reuse else None, start.blocks),
    )
    # from here the lines hold the views: the merged view is let go of once its lines are
    # made, and each source's records once its view is (kg.resolve.resolve_lazily)
    del merged, each
    digests: Digests = {}
    loaded = 0

    def loading(quads: int) -> None:
        nonlocal loaded
        loaded = quads
        tell("loading", quads)

    trig, turtle = staging.path("graph.trig"), staging.path("graph.ttl")
    names = {trig: output / "graph.trig", turtle: output / "graph.ttl"}
    kept = start.store.kept  # the named graphs of the last store, when it is copied
    with (
        SortedTrig(trig, turtle, PREFIX_IRIS, output, names, start.previous) as writer,
        new_store(start.store, reloading(_sent(graphs, writer), kept, digests), loading) as store,
    ):
        tell("writing", loaded)
        # graph.ttl and graph.trig are written by a process of its own from the lines it
        # was sent (see kg.sorted_trig) while this one draws the map, a thread compacts the
        # store's files and another counts what it holds (both without Python's lock)
        with ThreadPoolExecutor(3) as pool:
            written = pool.submit(writer.close)
            optimized = pool.submit(store.optimize)
            counted = pool.submit(summarize, store)
            page = _map(store, output / CACHE / "metrics.json" if start.reuse else None)
            counts = counted.result()
            written.result()
            optimized.result()
        fsync(trig)
        fsync(turtle)
        staging.file("graph.html", page)
        report = BuildReport(
            output,
            tuple(files),
            tuple(problems),
            counts,
            tuple(output / name for name in OUTPUTS),
            conflicts,
            graphs_kept=sum(1 for g, d in digests.items() if kept.get(g) == d),
        )
    staging.file(REPORT, report_json(report))
    staging.commit()
    blocks = {
        graph: (keys[graph], *block) for graph, block in writer.blocks.items() if graph in keys
    }
    return report, digests, blocks


def _worth_copying(held: Digests, given: Collection[str]) -> bool:
    """Whether the last build's store is worth copying, given the named graphs of this one: a
    quad removed costs Oxigraph about four times one loaded, so the graphs that are gone
    (files changed or taken away) must hold at most a quarter of its lines."""
    gone = sum(lines for graph, (_, lines) in held.items() if graph not in given)
    return 4 * gone <= sum(lines for _, lines in held.values())


def _source_lines(
    each: Iterable[tuple[Source, View]],
    minter: Minter,
    keys: dict[str, str] | None,
    reusable: Blocks,
) -> Iterator[tuple[str, Iterable[str] | Copied]]:
    """Each source's graph IRI and the lines of its view, one view at a time. With ``keys``,
    each view's key (kg.rdf.view_key) goes into it, and a view whose key is that of a block
    in ``reusable`` is given as that block (Copied): it is not resolved, its lines not
    made."""
    for source, view in each:
        graph = source_iri(source, minter)
        name = str(graph)
        if keys is not None:
            key = keys[name] = view_key(view.sources, view.outside(), minter, graph)
            block = reusable.get(name)
            if block is not None and block[0] == key:
                yield name, Copied(block[1], block[2])
                continue
        yield name, nquads(view.resolve(), minter, graph)


def _sent(
    graphs: Iterable[tuple[str | None, Iterable[str] | Copied]], writer: SortedTrig
) -> Iterator[tuple[str | None, Iterator[Chunk] | Unmade]]:
    """Each (graph, lines) as (the graph's IRI, its lines in chunks), each chunk sent to
    ``writer`` too; a graph whose lines were not made (Copied) as UNMADE, and ``writer`` told
    where its block is."""
    for graph, lines in graphs:
        if isinstance(lines, Copied):
            assert graph is not None
            writer.copy(graph, lines.offset, lines.length)
            yield graph, UNMADE
            continue
        writer.graph(graph)
        yield graph, _written(chunked(lines), writer)


def _written(chunks: Iterable[Chunk], writer: SortedTrig) -> Iterator[Chunk]:
    for chunk in chunks:
        writer.lines(chunk[0])
        yield chunk


def report_json(report: BuildReport) -> bytes:
    """``report.json``: the counts of what was read, each file, and every skipped file or
    record with its path and line. The same bytes for the same inputs (no times, no absolute
    paths beyond those given)."""
    data = {
        "kg": __version__,
        "complete": report.complete,
        "exit_code": 0 if report.complete else EXIT_SKIPPED,
        "read": {
            "files": len(report.files),
            "files_read": sum(1 for f in report.files if f.format),
            "files_skipped": sum(1 for f in report.files if not f.format),
            "records": sum(f.records for f in report.files),
            "problems": len(report.problems),
        },
        "graph": report.counts,
        "files": [
            {
                "path": f.path,
                "format": f.format,
                "records": f.records,
                "problems": f.problems,
                "sha256": f.sha256,
            }
            for f in report.files
        ],
        "problems": [
            {"path": p.loc.path, "line": p.loc.line or None, "message": p.message}
            for p in report.problems
        ],
        "conflicts": list(report.warnings),
        "outputs": [path.name for path in report.outputs],
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _map(store: ox.Store, memo: Path | None = None) -> bytes:
    """The map of the merged graph: every kind of node, with metrics (kept in ``memo`` for
    the next build: kg.metrics.annotate)."""
    # networkx and pyvis (which pulls in IPython) are slow to import: only the build needs
    # them, not every command that imports kg
    from . import html
    from .metrics import annotate
    from .projections import network

    net = annotate(network(store, "full"), betweenness=False, memo=memo)  # no betweenness
    # the graphs networkx made on the way (Louvain's) are reference cycles, which the build
    # collects only now (see collector_paused), so that the page reuses their memory
    gc.collect()
    return html.render(net, title="kg map").encode("utf-8")


_COUNTS = """
SELECT ?name (COUNT(*) AS ?n) WHERE {
  { VALUES (?name ?class) { ("papers" kgo:Paper) ("journals" fabio:Journal)
      ("statements" cito:Citation) } ?s a ?class }
  UNION { VALUES ?p { %s } ?s ?p ?o BIND("relations" AS ?name) }
  UNION { ?s ?p ?o BIND("triples" AS ?name) }
} GROUP BY ?name
"""
# people are the authors of the papers, persons and groups alike, as kg stats and the map
# count them (an editor only is not one)
_PEOPLE = "SELECT (COUNT(DISTINCT ?a) AS ?n) { ?p a kgo:Paper ; kgo:hasAuthorship/kgo:author ?a }"


def summarize(store: ox.Store) -> dict[str, int]:
    """What the merged (default) graph holds, counted by Oxigraph."""
    prefixes = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    relations = " ".join(f"<{forward}>" for forward, _ in RELATION_PROPERTIES.values())
    found = {
        str(row["name"].value): int(row["n"].value)
        for row in store.query(prefixes + _COUNTS % relations)
    }
    found["people"] = next(int(row["n"].value) for row in store.query(prefixes + _PEOPLE))
    names = ("papers", "people", "journals", "relations", "statements", "triples")
    return {name: found.get(name, 0) for name in names}
