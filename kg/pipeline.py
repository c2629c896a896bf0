"""``kg build``: files -> records -> merged records -> RDF -> graph.ttl and graph.html.

Each file is read on its own: a file that cannot be read or whose format is unknown is
reported with its path and skipped, and the rest of the build goes on. Nothing is written
until everything is made in memory, and every output is replaced atomically.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import os
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.namespace import FOAF, RDF

from . import extract, html
from .errors import InputError, KgError, NothingBuilt
from .fsio import atomic_write
from .iris import DEFAULT_BASE, Minter
from .network import EDGE_PROPERTIES, citation_network
from .rdf import source_iri, to_graph
from .records import Extraction, Loc, Problem, Source, at
from .resolve import Resolved, resolve_sources
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


def decode(data: bytes) -> tuple[str, list[Problem]]:
    """Text from bytes: UTF-8 (BOM or not) or UTF-16 with a BOM. Invalid UTF-8 is replaced and
    reported; a binary file raises KgError."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as error:
            raise KgError(f"invalid UTF-16 at byte {error.start}") from None
    if b"\x00" in data[:65536]:
        raise KgError("binary file, not text")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problem = Problem(f"invalid UTF-8 at byte {error.start}; replaced", Loc(line=line))
        return data.decode("utf-8-sig", errors="replace"), [problem]


# A compressed input may expand to at most this many bytes (a gzip bomb is reported, not read).
MAX_EXPANDED = 4 << 30
_GZIP_MAGIC = b"\x1f\x8b"


def gunzip(data: bytes, limit: int = MAX_EXPANDED) -> bytes:
    """The content of gzip ``data`` (several members allowed), refusing more than ``limit``
    bytes. Raises KgError for a damaged or oversized file."""
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while chunk := stream.read(1 << 20):
                out += chunk
                if len(out) > limit:
                    raise KgError(f"compressed file expands beyond {limit >> 20} MiB")
    except (OSError, EOFError, zlib.error) as error:
        raise KgError(f"damaged gzip file: {error}") from None
    return bytes(out)


def extract_file(path: Path, forced: str | None = None) -> tuple[Extraction | None, list[Problem]]:
    """Read one file into records; never raises for a bad file, reports it instead.
    A gzip file (found by its magic bytes, whatever its name) is read decompressed."""
    name = path.as_posix()
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, [Problem(f"cannot read: {error.strerror}", Loc(name))]
    if not data.strip():
        return None, [Problem("empty file", Loc(name))]
    try:
        content = gunzip(data) if data.startswith(_GZIP_MAGIC) else data
        if not content.strip():
            return None, [Problem("empty file", Loc(name))]
        text, problems = decode(content)
        module = extract.choose(text, forced)
    except KgError as error:
        return None, [Problem(str(error), Loc(name))]
    records, problems = [], [at(p, name) for p in problems]
    for record in module.parse(text):
        (problems if isinstance(record, Problem) else records).append(at(record, name))
    if not records:
        problems.append(Problem(f"nothing could be read as {module.FORMAT}", Loc(name)))
        return None, problems
    source = Source(name, hashlib.sha256(data).hexdigest(), module.FORMAT, module.MEDIA_TYPE)
    return Extraction(source, tuple(records)), problems


def build(
    inputs: Iterable[Path] | None = None,
    output: Path = Path("output"),
    *,
    base_iri: str = DEFAULT_BASE,
    forced: str | None = None,
) -> BuildReport:
    """Build the graph of ``inputs`` (default: the seeds) into ``output``.

    Raises NothingBuilt when no file gave anything; otherwise writes ``graph.ttl`` (the merged
    graph), ``graph.trig`` (the merged graph as the default graph, and what each source said in
    a named graph of its own) and ``graph.html``, and returns what was read, what was skipped,
    what disagreed, and the counts.
    """
    inputs = list(inputs) if inputs else default_inputs()
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
    made = {
        "graph.ttl": serialize_turtle(graph),
        "graph.trig": serialize_trig(to_dataset(graph, each, minter)),
        "graph.html": html.render(citation_network(graph), title="kg map").encode("utf-8"),
    }
    for name, data in made.items():
        atomic_write(output / name, data)
    return BuildReport(
        output,
        tuple(files),
        tuple(problems),
        summarize(graph),
        tuple(output / name for name in made),
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
        "relations": sum(len(list(graph.subject_objects(p))) for p in EDGE_PROPERTIES),
        "statements": count(CITO.Citation),
        "triples": len(graph),
    }
