"""Exports of a built graph, written by Oxigraph's serializers and replaced atomically."""

from __future__ import annotations

import io
import mmap
import os
import re
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Dataset

from .fsio import atomic_write
from .vocab import PREFIXES

# name -> (Oxigraph format, whether it holds the named graphs)
EXPORT_FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "turtle": (ox.RdfFormat.TURTLE, False),
    "ntriples": (ox.RdfFormat.N_TRIPLES, False),
    "trig": (ox.RdfFormat.TRIG, True),
    "nquads": (ox.RdfFormat.N_QUADS, True),
    "jsonld": (ox.RdfFormat.JSON_LD, True),
}


def serialize(store: ox.Store, fmt: str) -> bytes:
    """The store as ``fmt``: the merged (default) graph, plus each source's named graph when
    the format can hold graphs. JSON-LD gets a compact context of the kg prefixes."""
    if fmt == "jsonld":  # rdflib compacts with the context; Oxigraph writes full IRIs
        prefixes = {k: str(v) for k, v in PREFIXES.items()}
        dataset = Dataset()
        dataset.parse(data=store.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
        return dataset.serialize(format="json-ld", context=prefixes, auto_compact=True).encode(
            "utf-8"
        )
    out = io.BytesIO()
    dump(store, fmt, out)
    return out.getvalue()


def dump(store: ox.Store, fmt: str, output: BinaryIO | Path) -> None:
    """Write the store as ``fmt`` (not JSON-LD) into ``output``, streaming. Given a path,
    Oxigraph writes without holding Python's lock, so other threads go on meanwhile."""
    rdf_format, with_graphs = EXPORT_FORMATS[fmt]
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    store.dump(
        str(output) if isinstance(output, Path) else output,
        format=rdf_format,
        from_graph=None if with_graphs else ox.DefaultGraph(),
        prefixes=prefixes if fmt in ("turtle", "trig") else None,
    )


# The first line of a named graph in Oxigraph's TriG: ``<graph> {``. No line of Turtle ends in
# " {" (literals are written on one line, their line breaks escaped).
_GRAPH_START = re.compile(rb"\n<[^>\s]+> \{\n")
# A line that does not declare a prefix.
_NOT_PREFIX = re.compile(rb"^(?!@prefix )(?=.)", re.MULTILINE)
# In the named graphs' part, a line that is not inside a graph (indented) nor opens or closes one.
_OUTSIDE_GRAPHS = re.compile(rb"\n(?!\t|\}\n|<[^>\s]+> \{\n)(?=.)", re.DOTALL)


def turtle_from_trig(trig: Path, turtle: Path) -> bool:
    """Copy the default graph's part of Oxigraph's ``trig`` into ``turtle``: Oxigraph's TriG is
    its Turtle of the default graph (the same prefixes, the same bytes) followed by the named
    graphs (at a million triples, a 0.1 s copy instead of a 4 s dump). False when ``trig`` is
    not the prefixes, the default graph's triples, then only named graphs (an in-memory
    store, for one, dumps the named graphs first)."""
    with trig.open("rb") as source:
        size = os.fstat(source.fileno()).st_size
        if size == 0:
            return False
        with mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as data:
            found = _GRAPH_START.search(data)
            end = found.start() + 1 if found else size
            if data[:7] != b"@prefix" or data.find(b"\n{", 0, end) >= 0:
                return False  # the default graph in braces, or not what this expects
            if found and _OUTSIDE_GRAPHS.search(data, found.start()):
                return False  # triples of the default graph after the named graphs
            if not _NOT_PREFIX.search(data, 0, end):
                end = 0  # an empty default graph: Oxigraph's Turtle of it is empty
            with turtle.open("wb") as target:
                _copy_head(data, source.fileno(), target.fileno(), end)
    return True


def _copy_head(data: mmap.mmap, source: int, target: int, size: int) -> None:
    """The first ``size`` bytes of ``source`` (mapped as ``data``) into ``target``: in the
    kernel where it can, else through the mapping."""
    done = 0
    try:
        while done < size:
            copied = os.copy_file_range(source, target, size - done, done)
            if copied == 0:
                break
            done += copied
    except OSError:  # a file system or kernel without copy_file_range: write what is left
        pass
    while done < size:
        done += os.write(target, data[done : min(size, done + (1 << 24))])


def export(store: ox.Store, fmt: str, output: Path) -> None:
    atomic_write(output, serialize(store, fmt))
