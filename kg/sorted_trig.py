"""graph.ttl and graph.trig written from kg's own N-Quads lines, sorted, by a process of its
own.

Reading the quads back out of the store is most of what dumping them costs, and a build
already has every line it loads, so a child process is given them, graph by graph, while the
store loads them. It keeps them in an unnamed temporary file as they come (the load keeps both
cores busy), and once they are all there, while the build draws the map, it sorts each graph's
lines (a large graph in runs of bounded size, merged), drops repeats, and has Oxigraph's
serializer write the default graph as Turtle (graph.ttl), then graph.trig as that file followed
by each named graph in the order it was given: each subject's triples together, subjects in
code-point order. The same lines give the same bytes, whatever order they came in.

A rebuild need not send a named graph whose lines are the last build's: ``copy`` names the
bytes of its block in the last graph.trig (``close`` gives each graph's block), which the
child copies in place of the TriG it would write (Oxigraph's TriG of the named graphs is the
TriG of each one after the other, less the prefixes each starts with).

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
from typing import BinaryIO, NamedTuple

import pyoxigraph as ox

RUN = 1 << 17  # lines sorted in memory at a time
BLOCK = 1 << 17  # bytes read back from a run at a time (each run of a merge holds one)
BATCH = 1 << 16  # merged lines parsed at a time

_RUST_ERRNO = re.compile(r" \(os error (\d+)\)$")  # how Oxigraph's errors give an errno
_HEADER = struct.Struct(">cQ")  # message kind, length of what follows
_GRAPH, _LINES, _COPY, _END = b"G", b"L", b"C", b"E"
_PLACE = struct.Struct(">QQ")  # a block's offset and length, before a copied graph's name

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
        previous: tuple[Path, list[int]] | None = None,
    ) -> None:
        """``previous``: the last graph.trig and its stamp (inode, size, modification time),
        which the blocks ``copy`` names are copied from; the child checks the stamp."""
        self.names = {str(k): str(v) for k, v in (names or {}).items()}
        self.name = self.names.get(str(trig), str(trig))  # what an error about no file names
        self.blocks: dict[str, tuple[int, int]] = {}  # filled by close()
        files = [str(trig), str(turtle), str(scratch)]
        last = None if previous is None else {"path": str(previous[0]), "stamp": previous[1]}
        self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _CHILD,
                __file__,
                *files,
                json.dumps(prefixes),
                json.dumps(last),
            ],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def graph(self, name: str | None) -> None:
        self._send(_GRAPH, (name or "").encode("utf-8"))

    def lines(self, data: bytes) -> None:
        if data:
            self._send(_LINES, data)

    def copy(self, name: str, offset: int, length: int) -> None:
        """A named graph whose TriG is the block of ``length`` bytes at ``offset`` of the
        previous graph.trig (its lines are not sent)."""
        self._send(_COPY, _PLACE.pack(offset, length) + name.encode("utf-8"))

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
        self.blocks = _blocks(said)

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


def _blocks(said: bytes) -> dict[str, tuple[int, int]]:
    """Where each named graph's block is in the graph.trig written: the last line the child
    wrote to stderr; {} when it is not there."""
    lines = said.decode("utf-8", "replace").strip().splitlines()
    try:
        found = json.loads(lines[-1])["blocks"]
        return {str(name): (int(offset), int(length)) for name, (offset, length) in found.items()}
    except (IndexError, ValueError, KeyError, TypeError, AttributeError):
        return {}


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
    last = json.loads(argv[4]) if len(argv) > 4 else None
    previous = None if last is None else (Path(last["path"]), list(last["stamp"]))
    try:
        with tempfile.TemporaryFile(dir=scratch) as spill:
            kept = Spill(spill)
            graphs = receive(sys.stdin.buffer, kept)
            blocks = write(graphs, kept, Path(trig), Path(turtle), prefixes, previous)
        tell(json.dumps({"blocks": blocks}))
    except Exception as error:  # noqa: BLE001 - every failure is told to the parent
        code = error.errno if isinstance(error, OSError) and error.errno else 0
        message = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        if not code and (found := _RUST_ERRNO.search(message)):  # Oxigraph's own I/O errors
            code, message = int(found.group(1)), message[: found.start()]
        name = error.filename if isinstance(error, OSError) else None
        detail = {"errno": code, "message": message or type(error).__name__, "filename": name}
        with contextlib.suppress(OSError):  # the parent may be gone
            tell(json.dumps(detail))
        return 1
    return 0


def tell(line: str, fd: int = 2) -> None:
    """Write ``line`` and a line end to ``fd`` (stderr), whole. The report of the blocks
    can be larger than a pipe holds, so the write waits for the parent to read and may be cut
    short there (a stop under ptrace, as py-spy's sampling does); ``sys.stderr`` would not
    resume it, and a report cut short gives the parent no blocks to copy next time."""
    sys.stderr.flush()
    data = memoryview((line + "\n").encode("utf-8"))
    while data:
        data = data[os.write(fd, data) :]


def write(
    graphs: list[tuple[str, Graph | Copied]],
    spill: Spill,
    trig: Path,
    turtle: Path,
    prefixes: dict[str, str],
    previous: tuple[Path, list[int]] | None = None,
) -> dict[str, tuple[int, int]]:
    """The default graph as Turtle into ``turtle``; then ``trig``: that Turtle (Oxigraph's TriG
    of a default graph is its Turtle, byte for byte), followed by each named graph, its TriG
    less the prefixes it starts with (the Turtle declared them), or the block of ``previous``
    (the last graph.trig, whose stamp must still be its own) it is to be copied from. Return
    where each named graph's block is, when the Turtle declared the prefixes (else {})."""
    default = [lines for name, lines in graphs if not name and not isinstance(lines, Copied)]
    with turtle.open("wb") as out:  # opened here: Python's errors carry their errno
        # (Oxigraph's Turtle takes quads of the default graph)
        ox.serialize(quads(default, spill), out, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    shutil.copyfile(turtle, trig)  # in the kernel (sendfile), not through this process
    blocks: dict[str, tuple[int, int]] = {}
    header = _header(prefixes)
    with trig.open("r+b") as out, contextlib.ExitStack() as stack:
        declared = prefixed = out.seek(0, os.SEEK_END) > 0
        old: BinaryIO | None = None
        seen: set[str] = set()
        apart: set[str] = set()
        for name, lines in graphs:
            if not name:
                continue
            start = out.tell()
            if isinstance(lines, Copied):
                if not declared:  # a block holds no prefixes: they must be there before it
                    raise ValueError("a graph's block copied before the prefixes were declared")
                if old is None:
                    old = stack.enter_context(_opened(previous))
                _copy(old, lines, out)
            else:
                skipped = header if declared else b""
                writer = _Skip(out, skipped)
                ox.serialize(
                    quads([lines], spill), writer, format=ox.RdfFormat.TRIG, prefixes=prefixes
                )
                declared = declared or out.tell() > start
            blocks[name] = (start, out.tell() - start)
            if name in seen:
                apart.add(name)
            seen.add(name)
    # a block holds no prefixes only when the Turtle declared them (it is never empty in a
    # build: every paper is in the default graph); a graph given apart twice has two blocks
    return {name: block for name, block in blocks.items() if name not in apart} if prefixed else {}


class Copied(NamedTuple):
    """In place of a named graph's lines: where its block is in the last graph.trig."""

    offset: int
    length: int


def _opened(previous: tuple[Path, list[int]] | None) -> BinaryIO:
    """The last graph.trig, opened, when it is still the file the build was told of."""
    if previous is None:
        raise ValueError("a graph to copy, but no graph.trig to copy it from")
    path, stamp = previous
    found = path.open("rb")
    seen = os.fstat(found.fileno())
    if [seen.st_ino, seen.st_size, seen.st_mtime_ns] != stamp:
        found.close()
        raise OSError(0, "it changed while the build was copying from it", str(path))
    return found


def _copy(old: BinaryIO, block: Copied, out: BinaryIO) -> None:
    """The ``block`` of ``old`` appended to ``out``."""
    done = 0
    while done < block.length:
        data = os.pread(old.fileno(), min(1 << 20, block.length - done), block.offset + done)
        if not data:
            raise OSError(0, "it is shorter than the build was told", old.name)
        out.write(data)
        done += len(data)


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


def receive(stream: BinaryIO, spill: Spill) -> list[tuple[str, Graph | Copied]]:
    """Read the messages from ``stream`` to the end, the lines kept in ``spill`` as they come
    (the build is loading the store meanwhile: the sorting waits until it is done); each
    graph's name ("" for the default graph) and where its lines are, or where its block is in
    the last graph.trig when it is to be copied (Copied), in the order given."""
    graphs: list[tuple[str, Graph | Copied]] = []
    while True:
        kind, size = _HEADER.unpack(_read(stream, _HEADER.size))
        data = _read(stream, size)
        if kind == _END:
            return graphs
        if kind == _GRAPH:
            if not data and graphs:
                raise ValueError("the default graph must come first")
            name = data.decode("utf-8")
            # a graph given again at once (two copies of one file are one source) is one graph
            if not graphs or graphs[-1][0] != name or isinstance(graphs[-1][1], Copied):
                graphs.append((name, []))
        elif kind == _COPY:
            offset, length = _PLACE.unpack(data[: _PLACE.size])
            name = data[_PLACE.size :].decode("utf-8")
            if not name or not graphs:
                raise ValueError("only a named graph is copied, after the default graph")
            graphs.append((name, Copied(offset, length)))
        elif kind == _LINES:
            if not graphs or isinstance(graphs[-1][1], Copied):
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
