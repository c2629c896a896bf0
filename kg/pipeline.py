"""``kg build``: files -> records -> merged records -> RDF -> graph.ttl and graph.html.

Each file is read on its own: a file that cannot be read or whose format is unknown is
reported with its path and skipped, and the rest of the build goes on. Nothing is written
until everything is made in memory, and every output is replaced atomically.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.namespace import FOAF, RDF

from . import extract
from .errors import InputError, NothingBuilt
from .fsio import atomic_write
from .iris import DEFAULT_BASE, Minter
from .rdf import RELATION_PROPERTIES, source_iri, to_graph
from .reading import extract_file
from .records import Problem, Source
from .resolve import Resolved, resolve_sources
from .store import write_store
from .vocab import CITO, FABIO, KGO, bind_prefixes

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
    format: str | None
    records: int


@dataclass(frozen=True)
class BuildReport:
    output: Path
    files: tuple[FileReport, ...]
    problems: tuple[Problem, ...]
    counts: dict[str, int] = field(default_factory=dict)
    outputs: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()  # facts kg kept but that disagree (identifier conflicts)

    @property
    def complete(self) -> bool:
        """True when every file and record was read."""
        return not self.problems


def discover(inputs: Iterable[Path]) -> list[Path]:
    """The files under ``inputs`` (folders walked recursively, hidden entries skipped), each
    once, in a stable order."""
    found: dict[Path, None] = {}
    for item in inputs:
        if item.is_dir():
            for root, dirs, files in os.walk(item):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        found.setdefault(Path(root) / name)
        elif item.is_file():
            found.setdefault(item)
        else:
            raise InputError(f"no such file or folder: {item}")
    return list(found)


def build(
    inputs: Iterable[str | os.PathLike[str]] | None = None,
    output: str | os.PathLike[str] = "output",
    *,
    base_iri: str = DEFAULT_BASE,
    forced: str | None = None,
) -> BuildReport:
    """Build the graph of ``inputs`` (default: the seeds) into ``output``.

    Raises NothingBuilt when no file gave anything; otherwise writes ``graph.ttl`` (the merged
    graph), ``graph.trig`` (the merged graph as the default graph, and what each source said in
    a named graph of its own), ``graph.html`` and ``store/``, and returns what was read, what
    was skipped, what disagreed, and the counts.
    """
    inputs = [Path(p) for p in inputs] if inputs else default_inputs()
    output = Path(output)
    if forced:
        extract.extractor(forced)  # an unknown format fails before any file is read
    extractions, files, problems = [], [], []
    for path in discover(inputs):
        extraction, file_problems = extract_file(path, forced)
        problems.extend(file_problems)
        if extraction is None:
            files.append(FileReport(path.as_posix(), None, 0))
        else:
            extractions.append(extraction)
            records = len(extraction.records)
            files.append(FileReport(path.as_posix(), extraction.source.format, records))
    if not extractions:
        detail = f" ({len(problems)} problems)" if problems else ""
        raise NothingBuilt(
            f"nothing could be built from {len(files)} files{detail}",
            tuple(p.describe() for p in problems),
        )

    minter = Minter(base_iri)
    merged, each = resolve_sources(extractions, minter)
    graph = to_graph(merged, minter)
    dataset = to_dataset(graph, each, minter)
    graphs = list(_ntriples_by_graph(dataset))
    made = {
        "graph.ttl": serialize_turtle(graph),
        "graph.trig": serialize_trig(dataset),
        "graph.html": _map(dict(graphs)[None]),
    }
    store = write_store(output, graphs)
    for name, data in made.items():
        atomic_write(output / name, data)
    return BuildReport(
        output,
        tuple(files),
        tuple(problems),
        summarize(graph),
        (*(output / name for name in made), store),
        tuple(c.describe() for c in merged.conflicts),
    )


def to_dataset(merged: Graph, each: dict[Source, Resolved], minter: Minter) -> Dataset:
    """The merged graph as the default graph, and each source's own facts in a named graph
    whose name is the source's IRI."""
    dataset = Dataset()
    bind_prefixes(dataset)
    default = dataset.default_graph
    for triple in merged:
        default.add(triple)
    for source in sorted(each, key=lambda s: (s.sha256, s.path)):
        named = dataset.graph(source_iri(source, minter))
        for triple in to_graph(each[source], minter):
            named.add(triple)
    return dataset


def _ntriples_by_graph(dataset: Dataset) -> Iterator[tuple[str | None, bytes]]:
    default = dataset.default_graph.identifier
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        name = None if graph.identifier == default else str(graph.identifier)
        yield name, graph.serialize(format="nt", encoding="utf-8")


def _map(ntriples: bytes) -> bytes:
    """The map of the merged graph (given as N-Triples): every kind of node, with metrics."""
    # networkx and pyvis (which pulls in IPython) load in a third of a second: only the build
    # needs them, not every command that imports kg
    from . import html
    from .metrics import annotate
    from .projections import network

    view = ox.Store()
    view.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    return html.render(annotate(network(view, "full")), title="kg map").encode("utf-8")


def serialize_trig(dataset: Dataset) -> bytes:
    return dataset.serialize(format="trig", encoding="utf-8")


def serialize_turtle(graph: Graph) -> bytes:
    return graph.serialize(format="turtle", encoding="utf-8")


def summarize(graph: Graph) -> dict[str, int]:
    def count(cls: object) -> int:
        return len(set(graph.subjects(RDF.type, cls)))

    return {
        "papers": count(KGO.Paper),
        "people": count(FOAF.Person),
        "journals": count(FABIO.Journal),
        "relations": sum(
            len(list(graph.subject_objects(p)))
            for p in (f for f, _ in RELATION_PROPERTIES.values())
        ),
        "statements": count(CITO.Citation),
        "triples": len(graph),
    }
