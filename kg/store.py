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
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from .errors import GraphError

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


def coalesced(chunks: Iterable[Chunk], size: int = CHUNK) -> Iterator[Chunk]:
    """``chunks`` (of at most ``size`` lines each) joined into chunks of at most ``size``
    lines: each bulk load has a cost of its own, and small graphs come in small chunks, but
    the loader's memory grows with the lines it is given at once."""
    held: list[bytes] = []
    count = 0
    for data, lines in chunks:
        if held and count + lines > size:
            yield b"".join(held), count
            held.clear()
            count = 0
        held.append(data)
        count += lines
    if held:
        yield b"".join(held), count


def load_chunks(
    store: ox.Store, chunks: Iterable[Chunk], loaded: Callable[[int], None] | None = None
) -> None:
    """Bulk-load chunks of N-Quads lines, one at a time: the memory this takes is bounded by
    the chunk, not by the graph (one bulk load of 2.6 M quads peaks at about 2 GB). Oxigraph
    loads a chunk in a thread of its own, without Python's lock, while the next one is made:
    at a million triples the lines are made in the time Oxigraph takes to load them (13.8 s
    for M's 2.44 M quads), which then bounds this stage. ``loaded`` is told the number of
    lines in the store after each chunk."""
    queued: queue.Queue[Chunk | None] = queue.Queue(maxsize=2)  # 3 chunks held
    failed: list[BaseException] = []

    def loader() -> None:
        done = 0
        while (item := queued.get()) is not None:
            data, size = item
            if not failed:
                try:
                    store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
                    done += size
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


@contextlib.contextmanager
def new_store(
    folder: Path, chunks: Iterable[Chunk], loaded: Callable[[int], None] | None = None
) -> Iterator[ox.Store]:
    """A new store in the empty ``folder`` with the ``chunks`` of N-Quads lines bulk-loaded
    (``loaded`` told how many so far); it is flushed and closed when the block ends.
    Compacting the files each chunk made (``Store.optimize``) is left to the caller, which can
    do it while it reads the store."""
    store = ox.Store(str(folder))
    try:
        load_chunks(store, chunks, loaded)
        yield store
        store.flush()
    finally:
        del store
        gc.collect()  # the store's files are closed only when the object is gone


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


def load(path: str | os.PathLike[str] = "output") -> Dataset:
    """The graph of a build folder (or an RDF file) as an rdflib Dataset backed by Oxigraph:
    ``kg.load("output").query(...)`` runs in Oxigraph, ``initBindings`` included."""
    from .rdflib_store import KgOxigraphStore  # rdflib's SPARQL parser: only when asked for

    return Dataset(store=KgOxigraphStore(store=open_graph(Path(path))))
