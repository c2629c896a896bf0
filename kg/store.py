"""The store: the built graph in Oxigraph, on disk, and how every command finds a graph.

``kg build`` writes ``DIR/store/``: the merged graph as the default graph and each source's
facts in a named graph (the source's IRI). The new store is loaded beside the old one and
swapped in (kg.fsio.Staging), so a failed build never leaves a half store. ``open_graph``
turns what a user gives with ``-g`` (a build folder or one RDF file) into a pyoxigraph
store; ``load`` gives rdflib users a ``Dataset`` whose queries run in Oxigraph.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import queue
import shutil
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset

from .errors import GraphError, QueryError

STORE = "store"

# File suffix -> how to read a single RDF file given with -g.
FILE_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}


CHUNK = 1 << 17  # N-Quads lines bulk-loaded at a time (Oxigraph's loader holds what it is given)


Chunk = tuple[bytes, int]  # N-Quads lines, UTF-8, and how many there are
# A named graph of at most this many lines is held back in memory until it can be compared
# with the last build's (about 125 MB of kg's lines; a PubMed XML file of 1,000 articles gives
# 90-143k); a larger one is dropped and loaded again, which costs about 17 µs a quad it held.
HOLD = 4 * CHUNK


@dataclass(frozen=True)
class Drop:
    """Among the chunks to load: a named graph whose quads go before the chunks that follow."""

    graph: str


@dataclass(frozen=True)
class Patch:
    """Among the chunks to load: all the N-Quads lines of a named graph, which the store's
    copy of it is made to hold by removing the quads it has and they lack, and loading those
    it lacks (a quad removed costs four times one loaded)."""

    graph: str
    lines: bytes


# named graph IRI -> (SHA-256 of its N-Quads lines, how many lines)
Digests = dict[str, tuple[str, int]]


class Unmade:
    """In place of a named graph's chunks: its lines, not made, are those of the graph the
    copied store holds (the build knows they are the same without making them)."""


UNMADE = Unmade()


def chunked(lines: Iterable[str], size: int = CHUNK) -> Iterator[Chunk]:
    """``lines`` encoded ``size`` at a time."""
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= size:
            yield _encoded(chunk)
    if chunk:
        yield _encoded(chunk)


def _encoded(chunk: list[str]) -> Chunk:
    """``chunk``'s lines as one UTF-8 text, and their number; ``chunk`` emptied, so that the
    lines are let go of while the chunk waits for the loader (at 128k lines, 25 MB)."""
    count = len(chunk)
    text = "".join(chunk)
    chunk.clear()
    return text.encode("utf-8"), count


Item = Chunk | Drop | Patch


def coalesced(chunks: Iterable[Item], size: int = CHUNK) -> Iterator[Item]:
    """``chunks`` (of at most ``size`` lines each) joined into chunks of at most ``size``
    lines, never across a Drop or Patch: each bulk load has a cost of its own, and small
    graphs come in small chunks, but the loader's memory grows with the lines it is given at
    once."""
    held: list[bytes] = []
    count = 0
    for item in chunks:
        if not isinstance(item, tuple) or (held and count + item[1] > size):
            if held:
                yield b"".join(held), count
            held.clear()
            count = 0
        if not isinstance(item, tuple):
            yield item
            continue
        held.append(item[0])
        count += item[1]
    if held:
        yield b"".join(held), count


def patch(store: ox.Store, item: Patch) -> int:
    """Make ``store``'s named graph ``item.graph`` hold the quads of ``item.lines`` and no
    other; return how many lines were loaded. Oxigraph writes a graph's triples as kg writes
    them, so the lines both have are left alone."""
    graph = ox.NamedNode(item.graph)
    cut = len(f" <{item.graph}> .\n".encode())  # every line ends so (kg.rdf.nquads)
    had = set(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph).splitlines(True))
    lines = item.lines.splitlines(True)
    triples = [line[:-cut] + b" .\n" for line in lines]
    gone = had.difference(triples)
    if gone:
        for triple in ox.parse(b"".join(gone), format=ox.RdfFormat.N_TRIPLES):
            store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
    new = [line for line, triple in zip(lines, triples, strict=True) if triple not in had]
    if new:
        store.bulk_load(b"".join(new), format=ox.RdfFormat.N_QUADS)
    return len(new)


def load_chunks(
    store: ox.Store, chunks: Iterable[Item], loaded: Callable[[int], None] | None = None
) -> None:
    """Bulk-load chunks of N-Quads lines, one at a time: the memory this takes is bounded by
    the chunk, not by the graph (one bulk load of 2.6 M quads peaks at about 2 GB). Oxigraph
    loads a chunk in a thread of its own, without Python's lock, while the next one is made:
    at a million triples the lines are made in the time Oxigraph takes to load them (13.8 s
    for M's 2.44 M quads), which then bounds this stage. ``loaded`` is told the number of
    lines loaded so far after each chunk. A Drop or a Patch is applied in its turn."""
    queued: queue.Queue[Item | None] = queue.Queue(maxsize=2)  # 3 chunks held
    failed: list[BaseException] = []

    def loader() -> None:
        done = 0
        while (item := queued.get()) is not None:
            if not failed:
                try:
                    if isinstance(item, Drop):
                        store.remove_graph(ox.NamedNode(item.graph))
                        continue
                    if isinstance(item, Patch):
                        done += patch(store, item)
                        if loaded is not None:
                            loaded(done)
                        continue
                    store.bulk_load(item[0], format=ox.RdfFormat.N_QUADS)
                    done += item[1]
                    if loaded is not None:
                        loaded(done)
                except BaseException as error:  # noqa: BLE001 - raised again in the caller
                    failed.append(error)

    thread = threading.Thread(target=loader, name="kg-bulk-load", daemon=True)
    thread.start()
    try:
        for chunk in coalesced(chunks):
            queued.put(chunk)
            if failed:
                break
    finally:
        queued.put(None)
        thread.join()
    if failed:
        raise failed[0]


def reloading(
    graphs: Iterable[tuple[str | None, Iterable[Chunk] | Unmade]],
    held: Mapping[str, tuple[str, int]],
    digests: Digests,
) -> Iterator[Item]:
    """What to load into a copy of a store whose named graphs are ``held`` (with the digest
    and number of their lines; an empty store holds none) to make it hold ``graphs`` ((IRI or
    None for the default graph, the chunks of its N-Quads lines)), once its default graph is
    cleared: the default graph, each new named graph, a Patch for each named graph whose lines
    changed, and a Drop for each one no longer given; a named graph with the same lines is
    left as it is. ``digests`` is given each named graph's digest (SHA-256 of its lines in the
    order given: the same lines give the same digest) and number of lines.

    A graph of more than HOLD lines is not held back in memory to be compared: it is dropped
    and loaded again. A graph given as UNMADE is one ``held`` has (and nothing is loaded).
    Each named graph is given once (kg.resolve: two copies of one file are one source)."""
    dropped: set[str] = set()

    def drop(graph: str) -> Iterator[Drop]:
        if graph in held and graph not in dropped:
            dropped.add(graph)
            yield Drop(graph)

    for graph, chunks in graphs:
        if isinstance(chunks, Unmade):
            if graph is None or graph not in held:
                raise ValueError(f"graph {graph} is not one the store holds")
            digests[graph] = held[graph]
            continue
        if graph is None:
            yield from chunks
            continue
        hasher = hashlib.sha256()
        waiting: list[Chunk] | None = None
        if graph in held:
            waiting = []  # compared with the copy's once all its lines are there
        else:
            yield from drop(graph)
        lines = 0
        for chunk in chunks:
            hasher.update(chunk[0])
            lines += chunk[1]
            if waiting is None:
                yield chunk
                continue
            waiting.append(chunk)
            if lines > HOLD:
                yield from drop(graph)
                yield from waiting
                waiting = None
        digest = hasher.hexdigest()
        digests[graph] = (digest, lines)
        if waiting is not None and digest != held[graph][0]:
            yield Patch(graph, b"".join(data for data, _ in waiting))
    for graph in held:
        if graph not in digests:
            yield from drop(graph)


def copy_store(previous: Path, folder: Path, graphs: Collection[str]) -> bool:
    """Copy the store in ``previous`` to ``folder`` (a new empty folder, which stays) when
    its named graphs are ``graphs``; False, and nothing copied, otherwise. The copy shares the
    store's immutable files through hard links (RocksDB's checkpoint): it takes no time and
    changes nothing of the original."""
    mode = folder.stat().st_mode
    try:
        store = ox.Store.read_only(str(previous))
    except OSError:
        return False
    try:
        if {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)} != set(graphs):
            return False
        folder.rmdir()  # the copy makes its own folder
        store.backup(str(folder))
        return True
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return False
    finally:
        folder.mkdir(exist_ok=True)
        folder.chmod(mode)
        del store
        gc.collect()  # the store's files are closed only when the object is gone


class Prepared:
    """The store a build loads into, in ``folder``: a new empty one, or a copy of the last
    build's (kg.store.copy_store) whose named graphs ``kept`` stay (with their digests), and
    from which a thread of its own is clearing the default graph and removing the graphs that
    went away. Oxigraph removes a quad at a time (about 19 µs each: a file of 1,000 PubMed
    articles gives a graph of 100-140k quads), without Python's lock: the removal runs on the
    other core while the build resolves who is who, which takes one. ``ready()`` waits for it;
    ``close()`` closes the store."""

    def __init__(self, folder: Path, copied: bool, kept: Digests, gone: Collection[str]) -> None:
        self.copied = copied
        self.kept = kept
        self.store: ox.Store | None = ox.Store(str(folder))
        self.failed: list[BaseException] = []
        self.thread: threading.Thread | None = None
        if copied:
            self.thread = threading.Thread(
                target=self._clear, args=(self.store, sorted(gone)), name="kg-store-clear"
            )
            self.thread.start()

    def _clear(self, store: ox.Store, gone: list[str]) -> None:
        try:
            store.clear_graph(ox.DefaultGraph())  # a range of keys: no time at all
            for graph in gone:
                store.remove_graph(ox.NamedNode(graph))
        except BaseException as error:  # noqa: BLE001 - raised again by ready()
            self.failed.append(error)

    def _wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None

    def ready(self) -> ox.Store:
        """The store, once what went away is out of it."""
        self._wait()
        if self.failed:
            raise self.failed[0]
        assert self.store is not None, "the store is closed"
        return self.store

    def close(self) -> None:
        self._wait()
        if self.store is not None:
            self.store = None
            gc.collect()  # the store's files are closed only when the object is gone


@contextlib.contextmanager
def prepared_store(
    folder: Path, previous: Path | None, held: Digests, given: Collection[str]
) -> Iterator[Prepared]:
    """The store of a build (Prepared) in ``folder`` (a new empty folder): a copy of the store
    in ``previous``, when there is one and its named graphs are ``held``, keeping those still
    ``given``; else a new one. Closed when the block ends."""
    if previous is not None and copy_store(previous, folder, held):
        kept = {graph: found for graph, found in held.items() if graph in given}
        prepared = Prepared(folder, True, kept, [graph for graph in held if graph not in given])
    else:
        prepared = Prepared(folder, False, {}, ())
    try:
        yield prepared
    finally:
        prepared.close()


@contextlib.contextmanager
def new_store(
    prepared: Prepared,
    chunks: Iterable[Item],
    loaded: Callable[[int], None] | None = None,
) -> Iterator[ox.Store]:
    """The ``prepared`` store with the ``chunks`` of N-Quads lines bulk-loaded (``loaded`` told
    how many so far); it is flushed and closed when the block ends. Compacting the files each
    chunk made (``Store.optimize``) is left to the caller, which can do it while it reads the
    store."""
    store = prepared.ready()
    try:
        load_chunks(store, chunks, loaded)
        yield store
        store.flush()
    finally:
        del store
        prepared.close()


def store_location(path: Path) -> Path | None:
    """The store folder of ``path`` when it is a folder (a build folder's ``store/``, or a
    store folder itself); None when ``path`` is a file. Raises GraphError when there is no
    store there."""
    if not path.is_dir():
        return None
    location = path / STORE if (path / STORE).is_dir() else path
    if not (location / "CURRENT").exists():
        raise GraphError(f"no graph in {path}: run `kg build -o {path}` first")
    return location


def load_file(path: Path, store: ox.Store) -> ox.Store:
    """Load one RDF file into ``store``, its format from its suffix; GraphError when it is
    missing, of an unknown kind, or not valid RDF."""
    if not path.exists():
        raise GraphError(f"no such graph: {path} (a build folder or an RDF file)")
    fmt = FILE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FILE_FORMATS))
        raise GraphError(f"cannot read {path}: unknown RDF file suffix (known: {known})")
    try:
        store.bulk_load(path=str(path), format=fmt)
    except (SyntaxError, ValueError, OSError) as error:
        raise GraphError(f"cannot read {path}: {error}") from None
    return store


def open_graph(path: Path) -> ox.Store:
    """The graph at ``path``: a build folder (its ``store/``, read-only), a store folder, or
    one RDF file (``.ttl``, ``.trig``, ``.nq``, ``.nt``, ``.jsonld``) read into memory."""
    location = store_location(path)
    if location is None:
        return load_file(path, ox.Store())
    try:
        return ox.Store.read_only(str(location))
    except OSError as error:
        raise GraphError(f"cannot open the store in {location}: {error}") from None


def unprojected(error: RuntimeError) -> bool:
    """Whether Oxigraph refused to bind a variable because the SELECT does not project it."""
    return "SELECT projection" in str(error)


class KgDataset(Dataset):
    """kg's graph as an rdflib Dataset (see ``load``): kg's prefixes are bound, so every query
    may use them undeclared (``initNs`` adds to them); SERVICE, LOAD and updates are refused
    (kg.query.check); a query Oxigraph cannot parse is a kg.query.QuerySyntaxError at the line
    and column of the text given."""

    def query(  # type: ignore[override]
        self,
        query_object: Any,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Mapping[str, Any] | None = None,
        initBindings: Mapping[str, Any] | None = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        from .query import check, syntax_error  # kg.query imports this module

        if isinstance(query_object, str):
            check(query_object)  # SERVICE, LOAD and updates are refused, as by kg query
        prefixes = {prefix: str(iri) for prefix, iri in self.namespaces()}
        prefixes.update({k: str(v) for k, v in (initNs or {}).items()})
        try:
            return super().query(
                query_object,
                processor,
                result,
                prefixes,
                initBindings,
                use_store_provided,
                **kwargs,
            )
        except SyntaxError as error:
            if isinstance(error, QueryError) or not isinstance(query_object, str):
                raise
            raise syntax_error(query_object, str(error), known=prefixes) from None


def load(path: str | os.PathLike[str] = "output") -> Dataset:
    """The graph of a build folder (or an RDF file) as an rdflib Dataset backed by Oxigraph:
    ``kg.load("output").query(...)`` runs in Oxigraph, ``initBindings`` included, with kg's
    prefixes (kg.vocab.PREFIXES) predeclared."""
    from .rdflib_store import KgOxigraphStore  # rdflib's SPARQL parser: only when asked for
    from .vocab import bind_prefixes

    dataset = KgDataset(store=KgOxigraphStore(store=open_graph(Path(path))))
    bind_prefixes(dataset)
    return dataset
