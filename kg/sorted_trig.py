"""graph.ttl and graph.trig written from kg's own N-Quads lines, sorted, by a process of its
own.

Reading the quads back out of the store is what made dumping graph.trig slow (at a million
triples, 10 of the dump's 11 s of CPU). A build already has every line it loads, so a child
process is given them, graph by graph, while the store loads them. It keeps them in an unnamed
temporary file as they come (the load keeps both cores busy), and once they are all there,
while the build draws the map, it sorts each graph's lines (a large graph in runs of bounded
size, merged), drops repeats, and has Oxigraph's serializer write the default graph as
Turtle (graph.ttl), then graph.trig as that file followed by each named graph in the order it
was given: each subject's triples together, subjects in code-point order. The same lines give
the same bytes, whatever order they came in.

This module is run by file path in the child (``python -c`` loading it without the kg
package), so it imports nothing but the standard library and pyoxigraph.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
import operator
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

RUN = 1 << 17  # lines sorted in memory at a time: about 23 MB of kg's lines
BLOCK = 1 << 17  # bytes read back from a run at a time (each run of a merge holds one)
BATCH = 1 << 16  # merged lines parsed at a time

_RUST_ERRNO = re.compile(r" \(os error (\d+)\)$")  # how Oxigraph's errors give an errno
_HEADER = struct.Struct(">cQ")  # message kind, length of what follows
_GRAPH, _LINES, _END = b"G", b"L", b"E"

# The child: load this file as a module of its own (not kg's package, whose __init__ would
# import all of kg), then run main. The current folder is taken off the path first.
_CHILD = (
    "import sys; del sys.path[0]; import importlib.util as u; "
    "s = u.spec_from_file_location('kg_sorted_trig', sys.argv[1]); m = u.module_from_spec(s); "
    "s.loader.exec_module(m); raise SystemExit(m.main(sys.argv[2:]))"
)


class SortedTrig:
    """The parent's end: a child process that writes ``turtle`` (the default graph) and ``trig``
    (the default graph, then the named graphs) from the lines it is sent.

    Use as a context manager: ``graph(iri)`` starts a graph (None: the default graph, which
    must come first), ``lines(data)`` sends some of its N-Quads lines (whole lines, UTF-8),
    ``close()`` waits for the files to be written and raises OSError if they could not be.
    Leaving the block without ``close()`` stops the child. The lines are kept in an unnamed
    file in ``scratch``; errors name a file as ``names`` says (the targets of staged files)."""

    def __init__(
        self,
        trig: Path,
        turtle: Path,
        prefixes: dict[str, str],
        scratch: Path,
        names: dict[Path, Path] | None = None,
    ) -> None:
        self.names = {str(k): str(v) for k, v in (names or {}).items()}
        self.name = self.names.get(str(trig), str(trig))  # what an error about no file names
        files = [str(trig), str(turtle), str(scratch)]
        self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-c", _CHILD, __file__, *files, json.dumps(prefixes)],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def graph(self, name: str | None) -> None:
        self._send(_GRAPH, (name or "").encode("utf-8"))

    def lines(self, data: bytes) -> None:
        if data:
            self._send(_LINES, data)

    def _send(self, kind: bytes, data: bytes) -> None:
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write(_HEADER.pack(kind, len(data)))
            self.process.stdin.write(data)
        except BrokenPipeError:  # the child stopped: say why
            self.close()
            raise

    def close(self) -> None:
        """Wait for the child to write the files; OSError (with the child's errno, about the
        file it could not write) if it could not."""
        process, self.process = self.process, None
        if process is None:
            return
        assert process.stdin is not None and process.stderr is not None
        with contextlib.suppress(BrokenPipeError):
            process.stdin.write(_HEADER.pack(_END, 0))
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
        said = process.stderr.read()
        process.stderr.close()
        if process.wait() != 0:
            raise _failure(said, self.names, self.name)

    def abort(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait()
            for stream in (process.stdin, process.stderr):
                with contextlib.suppress(OSError):
                    stream.close()  # type: ignore[union-attr]

    def __enter__(self) -> SortedTrig:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abort()


def _failure(said: bytes, names: dict[str, str], name: str) -> OSError:
    """The child's error, from the JSON it wrote last to stderr, about the file it names (as
    ``names`` maps it), else ``name``."""
    lines = said.decode("utf-8", "replace").strip().splitlines()
    try:
        error = json.loads(lines[-1])
        about = names.get(error.get("filename") or "", name)
        return OSError(error["errno"], error["message"], about)
    except (IndexError, ValueError, KeyError, TypeError, AttributeError):
        text = " ".join(lines[-3:]) or "the process writing it stopped"
        return OSError(0, text, name)


# ---- the child ------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    """Read the parent's messages from stdin and write the Turtle and the TriG; the exit code.
    On failure, the last line on stderr is a JSON object with its errno, message and file
    name, and the code is 1."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    trig, turtle, scratch, prefixes = argv[0], argv[1], argv[2], json.loads(argv[3])
    try:
        with tempfile.TemporaryFile(dir=scratch) as spill:
            kept = Spill(spill)
            graphs = receive(sys.stdin.buffer, kept)
            write(graphs, kept, Path(trig), Path(turtle), prefixes)
    except Exception as error:  # noqa: BLE001 - every failure is told to the parent
        code = error.errno if isinstance(error, OSError) and error.errno else 0
        message = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        if not code and (found := _RUST_ERRNO.search(message)):  # Oxigraph's own I/O errors
            code, message = int(found.group(1)), message[: found.start()]
        name = error.filename if isinstance(error, OSError) else None
        detail = {"errno": code, "message": message or type(error).__name__, "filename": name}
        with contextlib.suppress(OSError):  # the parent may be gone
            sys.stderr.write(json.dumps(detail) + "\n")
            sys.stderr.flush()
        return 1
    return 0


def write(
    graphs: list[tuple[str, Graph]],
    spill: Spill,
    trig: Path,
    turtle: Path,
    prefixes: dict[str, str],
) -> None:
    """The default graph as Turtle into ``turtle``; then ``trig``: that Turtle (Oxigraph's TriG
    of a default graph is its Turtle, byte for byte), followed by the named graphs, their TriG
    less the prefixes it starts with (the Turtle declared them)."""
    default = [lines for name, lines in graphs if not name]
    named = [lines for name, lines in graphs if name]
    with turtle.open("wb") as out:  # opened here: Python's errors carry their errno
        # (Oxigraph's Turtle takes quads of the default graph)
        ox.serialize(quads(default, spill), out, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    shutil.copyfile(turtle, trig)  # in the kernel (sendfile), not through this process
    with trig.open("ab") as out:
        declared = out.tell() > 0
        header = _header(prefixes) if declared else b""
        ox.serialize(
            quads(named, spill), _Skip(out, header), format=ox.RdfFormat.TRIG, prefixes=prefixes
        )


def _header(prefixes: dict[str, str]) -> bytes:
    """The prefix declarations Oxigraph's serializers start with."""
    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    text = ox.serialize(
        [ox.Triple(s, p, ox.Literal("o"))], format=ox.RdfFormat.TURTLE, prefixes=prefixes
    )
    return text[: text.index(b"<http://example.org/s>")]


class _Skip:
    """A file that drops the first bytes written to it, which must be ``skipped``."""

    def __init__(self, out: BinaryIO, skipped: bytes) -> None:
        self.out, self.skipped = out, skipped

    def write(self, data: bytes) -> int:
        given = len(data)
        if self.skipped:
            dropped = min(len(self.skipped), given)
            if bytes(data[:dropped]) != self.skipped[:dropped]:
                raise ValueError("the TriG does not start with the prefixes of the Turtle")
            self.skipped = self.skipped[dropped:]
            data = data[dropped:]
        self.out.write(data)
        return given

    def flush(self) -> None:
        self.out.flush()


class Spill:
    """What the child was sent and the sorted runs it makes, in one unnamed file."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.end = 0

    def write(self, data: bytes) -> tuple[int, int]:
        """Append ``data``; where it is."""
        self.file.write(data)
        start, self.end = self.end, self.end + len(data)
        return start, len(data)

    def read(self, start: int, size: int) -> bytes:
        self.file.flush()
        data = os.pread(self.file.fileno(), size, start)
        if len(data) != size:
            raise OSError(0, "the spilled lines were cut short")
        return data

    def blocks(self, start: int, size: int) -> Iterator[bytes]:
        """Whole lines from ``start``, a block of about BLOCK bytes at a time."""
        done, rest = 0, b""
        while done < size:
            data = rest + self.read(start + done, min(BLOCK, size - done))
            done += len(data) - len(rest)
            cut = data.rfind(b"\n") + 1
            rest = data[cut:]
            if cut:
                yield data[:cut]
        if rest:
            raise OSError(0, "the spilled lines were cut short")

    def lines(self, start: int, size: int) -> Iterator[bytes]:
        """The lines from ``start``, without their line ends."""
        for block in self.blocks(start, size):
            lines = block.split(b"\n")
            lines.pop()  # a block ends with a line end
            yield from lines


Graph = list[tuple[int, int]]  # where a graph's lines are in the spill, as they were sent


def receive(stream: BinaryIO, spill: Spill) -> list[tuple[str, Graph]]:
    """Read the messages from ``stream`` to the end, the lines kept in ``spill`` as they come
    (the build is loading the store meanwhile: the sorting waits until it is done); each
    graph's name ("" for the default graph) and where its lines are, in the order given."""
    graphs: list[tuple[str, Graph]] = []
    while True:
        kind, size = _HEADER.unpack(_read(stream, _HEADER.size))
        data = _read(stream, size)
        if kind == _END:
            return graphs
        if kind == _GRAPH:
            if not data and graphs:
                raise ValueError("the default graph must come first")
            graphs.append((data.decode("utf-8"), []))
        elif kind == _LINES:
            if not graphs:
                raise ValueError("lines sent before their graph")
            if not data.endswith(b"\n"):
                raise ValueError("lines sent without their line end")
            graphs[-1][1].append(spill.write(data))
        else:
            raise ValueError(f"unknown message {kind!r}")


def _read(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError("the build stopped before sending every line")
    return data


def quads(graphs: Iterable[Graph], spill: Spill) -> Iterator[ox.Quad]:
    """Each graph's quads in the order of their lines, each once. The parsers are chained in
    C, so that no Python code runs per quad."""
    return itertools.chain.from_iterable(map(_parse, _sorted_blocks(graphs, spill)))


def _sorted_blocks(graphs: Iterable[Graph], spill: Spill) -> Iterator[bytes]:
    """Each graph's lines, sorted, each once, in blocks of whole lines: a graph of up to RUN
    lines (or one message) is sorted in memory, a larger one in sorted runs of about RUN lines
    appended to the spill, then merged."""
    for graph in graphs:
        runs: Graph = []
        pending: list[bytes] = []
        for start, size in graph:  # one message at a time
            lines = spill.read(start, size).split(b"\n")
            lines.pop()  # a message ends with a line end
            pending.extend(lines)
            if len(pending) >= RUN:
                runs.append(spill.write(_sorted(pending)))
                pending.clear()
        if not runs:
            if pending:
                yield _sorted(pending)
            continue
        if pending:
            runs.append(spill.write(_sorted(pending)))
        unique = _unique(heapq.merge(*(spill.lines(*run) for run in runs)))
        while batch := list(itertools.islice(unique, BATCH)):
            yield b"\n".join(batch) + b"\n"


def _sorted(lines: list[bytes]) -> bytes:
    """``lines`` (without their line ends) sorted, each once, as whole lines."""
    lines.sort()
    return b"\n".join(_unique(lines)) + b"\n"


def _unique(ordered: Iterable[bytes]) -> Iterator[bytes]:
    """``ordered`` lines without repeats (equal lines are next to each other), in C."""
    return map(operator.itemgetter(0), itertools.groupby(ordered))


def _parse(block: bytes) -> Iterator[ox.Quad]:
    return ox.parse(block, format=ox.RdfFormat.N_QUADS)
