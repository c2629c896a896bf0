"""Exports of a built graph, written by Oxigraph's serializers and replaced atomically."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from .errors import OutputError
from .fsio import atomic_file, atomic_write

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
        from rdflib import Dataset

        from .vocab import PREFIX_IRIS

        dataset = Dataset()
        dataset.parse(data=store.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
        return dataset.serialize(format="json-ld", context=PREFIX_IRIS, auto_compact=True).encode(
            "utf-8"
        )
    out = io.BytesIO()
    dump(store, fmt, out)
    return out.getvalue()


def dump(store: ox.Store, fmt: str, output: BinaryIO | Path) -> None:
    """Write the store as ``fmt`` (not JSON-LD) into ``output``, streaming. Given a path,
    Oxigraph writes without holding Python's lock, so other threads go on meanwhile."""
    from .vocab import PREFIX_IRIS  # rdflib's namespaces: loaded when a graph is written

    rdf_format, with_graphs = EXPORT_FORMATS[fmt]
    store.dump(
        str(output) if isinstance(output, Path) else output,
        format=rdf_format,
        from_graph=None if with_graphs else ox.DefaultGraph(),
        prefixes=PREFIX_IRIS if fmt in ("turtle", "trig") else None,
    )


def export(store: ox.Store, fmt: str, output: Path) -> None:
    """Replace ``output`` with the store as ``fmt``. Oxigraph writes it into a new file beside
    ``output``, streaming, so a large graph is never held in memory as text; JSON-LD is made
    in memory (rdflib compacts it). OutputError when it cannot be written: then ``output`` is
    left as it was."""
    try:
        if fmt == "jsonld":
            atomic_write(output, serialize(store, fmt))
            return
        with atomic_file(output) as staged:
            dump(store, fmt, staged)
    except OSError as error:
        raise OutputError.writing(output, error) from None
