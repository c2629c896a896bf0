"""graph.trig from kg's own lines (kg.sorted_trig): each graph's lines sorted, each once, in
runs merged back, written by Oxigraph's serializer in a process of its own."""

from __future__ import annotations

import errno
import fcntl
import io
import os
import random
import signal
import subprocess
import sys
import termios
import time
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg import sorted_trig
from kg.rdf import decimal, text
from kg.sorted_trig import SortedTrig
from kg.vocab import PREFIX_IRIS

PREFIX_MAP = PREFIX_IRIS
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
Graphs = list[tuple[str | None, list[str]]]  # (graph, its N-Quads lines), the default first


def expected_trig(graphs: Graphs) -> bytes:
    """What the writer must give: each graph's distinct lines in code-point order of their
    UTF-8 bytes, the graphs in the order given, through Oxigraph's TriG serializer."""
    lines = [
        line
        for _, graph_lines in graphs
        for line in sorted({line.encode("utf-8") for line in graph_lines})
    ]
    quads = ox.parse(b"".join(lines), format=ox.RdfFormat.N_QUADS)
    return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIX_MAP)


def messages(graphs: Graphs, rng: random.Random) -> bytes:
    """What the build sends: each graph's lines, shuffled, some twice, in pieces of any size."""
    out = io.BytesIO()
    for name, lines in graphs:
        label = (name or "").encode("utf-8")
        out.write(sorted_trig._HEADER.pack(b"G", len(label)) + label)
        sent = lines + rng.sample(lines, len(lines) // 3)
        rng.shuffle(sent)
        while sent:
            cut = rng.randint(1, 5)
            piece, sent = sent[:cut], sent[cut:]
            data = "".join(piece).encode("utf-8")
            out.write(sorted_trig._HEADER.pack(b"L", len(data)) + data)
    out.write(sorted_trig._HEADER.pack(b"E", 0))
    return out.getvalue()


def in_process(data: bytes, scratch: Path) -> bytes:
    """The child's work, run here (where its run, block and batch sizes can be made small)."""
    with (scratch / "spill").open("w+b") as file:
        spill = sorted_trig.Spill(file)
        graphs = sorted_trig.receive(io.BytesIO(data), spill)
        trig, turtle = scratch / "g.trig", scratch / "g.ttl"
        sorted_trig.write(graphs, spill, trig, turtle, PREFIX_MAP)
        return trig.read_bytes()


def iri(n: int) -> str:
    # IRIs that are prefixes of one another: "<…/a>" sorts after "<…/a/…>" as lines
    return f"<http://e.org/{'a/' * (n % 4)}{n}>"


def line(s: int, p: int, o: str, graph: str | None) -> str:
    return f"{iri(s)} {iri(p)} {o}{f' {graph}' if graph else ''} .\n"


@st.composite
def datasets(draw: st.DrawFn) -> Graphs:
    objects = st.one_of(
        st.integers(0, 30).map(iri),
        st.text(max_size=12).map(text),  # kg's own escaping: quotes, line ends, controls
        st.sampled_from(["{", "x\\n} {", "}", "\u00e9t\u00e9", "\U0001f600"]).map(text),
        st.decimals(0, 1, places=3).map(lambda d: f'"{decimal(d)}"^^<{XSD_DECIMAL}>'),
    )
    triples = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 3), objects), max_size=40)
    graphs: Graphs = []
    if draw(st.booleans()):
        graphs.append((None, [line(s, p, o, None) for s, p, o in draw(triples)]))
    for g in range(draw(st.integers(0, 3))):
        name = f"<http://e.org/graph/{g}>"
        graphs.append((name[1:-1], [line(s, p, o, name) for s, p, o in draw(triples)]))
    return graphs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    graphs=datasets(),
    seed=st.integers(0, 2**32),
    sizes=st.sampled_from([(2, 5, 2), (3, 64, 1), (10**6,) * 3]),
)
def test_each_graphs_lines_come_out_sorted_once_whatever_the_order_and_the_runs(
    graphs: Graphs, seed: int, sizes: tuple[int, int, int], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Runs of 2 or 3 lines (merged), blocks cut inside lines, batches of 1 or 2 lines, or
    one run for all: always the same bytes."""
    data = messages(graphs, random.Random(seed))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sorted_trig, "RUN", sizes[0])
        patch.setattr(sorted_trig, "BLOCK", sizes[1])
        patch.setattr(sorted_trig, "BATCH", sizes[2])
        written = in_process(data, tmp_path_factory.mktemp("spill"))
    assert written == expected_trig(graphs)


MIXES = [(default, named) for default in (0, 2) for named in (0, 1, 3)]


def mixed(default: int, named: int) -> Graphs:
    """Literals holding "{" and "} {" across lines: graph.ttl's copy must not stop there."""
    graphs: Graphs = []
    if default:
        graphs.append((None, [line(n, 0, text("{"), None) for n in range(default)]))
    for g in range(named):
        name = f"http://e.org/graph/{g}"
        graphs.append((name, [line(100 + g, 0, text("x\n} {"), f"<{name}>")]))
    return graphs


def write(graphs: Graphs, trig: Path, turtle: Path) -> dict[str, tuple[int, int]]:
    """Send ``graphs`` to a writer; the blocks it gives."""
    with SortedTrig(trig, turtle, PREFIX_MAP, trig.parent) as writer:
        for name, lines in graphs:
            writer.graph(name)
            writer.lines("".join(reversed(lines)).encode("utf-8"))
        writer.close()
    return writer.blocks


@pytest.mark.parametrize(("default", "named"), MIXES)
def test_the_child_writes_the_turtle_and_the_trig_that_starts_with_it(
    tmp_path: Path, default: int, named: int
) -> None:
    """graph.ttl is Oxigraph's Turtle of the default graph, and graph.trig that Turtle then the
    named graphs: byte for byte what one TriG serialization of everything gives."""
    graphs = mixed(default, named)
    trig, turtle = tmp_path / "g.trig", tmp_path / "g.ttl"
    write(graphs, trig, turtle)
    assert trig.read_bytes() == expected_trig(graphs)
    head = expected_trig(graphs[:1] if default else [])
    triples = [q.triple for q in ox.parse(head, format=ox.RdfFormat.TRIG)]
    want = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIX_MAP)
    assert turtle.read_bytes() == want
    assert trig.read_bytes().startswith(want)


def stamp(path: Path) -> list[int]:
    found = path.stat()
    return [found.st_ino, found.st_size, found.st_mtime_ns]


def test_a_rebuild_copies_a_graphs_block_from_the_last_trig(tmp_path: Path) -> None:
    """The blocks ``close`` gives, copied into the next graph.trig in place of their lines,
    make the same bytes; a last graph.trig that is not the one stamped is an error."""
    graphs = mixed(2, 3)
    first = tmp_path / "first.trig"
    blocks = write(graphs, first, tmp_path / "first.ttl")
    written = first.read_bytes()
    assert written == expected_trig(graphs)
    named = [name for name, _ in graphs if name]
    assert list(blocks) == named
    for name in named:
        offset, length = blocks[name]
        assert written[offset : offset + length].startswith(f"<{name}> {{".encode())

    def again(previous: tuple[Path, list[int]], trig: Path) -> SortedTrig:
        writer = SortedTrig(trig, trig.with_suffix(".ttl"), PREFIX_MAP, tmp_path, None, previous)
        for name, lines in graphs:
            if name and name != named[-1]:
                writer.copy(name, *blocks[name])
            else:
                writer.graph(name)
                writer.lines("".join(lines).encode("utf-8"))
        return writer

    with again((first, stamp(first)), tmp_path / "second.trig") as writer:
        writer.close()
    assert (tmp_path / "second.trig").read_bytes() == written
    assert writer.blocks == blocks

    moved = stamp(first)
    moved[2] += 1  # what the build was told is not this file
    with (
        again((first, moved), tmp_path / "third.trig") as writer,
        pytest.raises(OSError, match="changed while the build was copying"),
    ):
        writer.close()

    # a block holds no prefixes: with no default graph to declare them, none is copied
    fourth = tmp_path / "fourth.trig"
    with (
        SortedTrig(
            fourth, tmp_path / "4.ttl", PREFIX_MAP, tmp_path, None, (first, stamp(first))
        ) as writer,
        pytest.raises(OSError, match="before the prefixes were declared"),
    ):
        writer.graph(None)
        writer.copy(named[0], *blocks[named[0]])
        writer.close()


def test_a_graph_given_again_at_once_is_one_graph(tmp_path: Path) -> None:
    """Two copies of one file are one source, whose lines come twice: one block, each line
    once."""
    name = "http://e.org/graph/0"
    a = [line(1, 0, text("a"), f"<{name}>"), line(2, 0, text("b"), f"<{name}>")]
    b = [line(2, 0, text("b"), f"<{name}>"), line(3, 0, text("c"), f"<{name}>")]
    graphs: Graphs = [(None, [line(0, 0, text("d"), None)]), (name, a), (name, b)]
    trig = tmp_path / "g.trig"
    blocks = write(graphs, trig, tmp_path / "g.ttl")
    assert trig.read_bytes() == expected_trig([graphs[0], (name, a + b)])
    assert list(blocks) == [name]


def test_a_writer_that_cannot_write_says_why_about_the_file_named(tmp_path: Path) -> None:
    trig, turtle = tmp_path / "g.trig", tmp_path / "missing" / "g.ttl"
    name = tmp_path / "out" / "graph.ttl"
    writer = SortedTrig(trig, turtle, PREFIX_MAP, tmp_path, {turtle: name, trig: tmp_path / "t"})
    with writer, pytest.raises(OSError) as raised:
        writer.graph(None)
        writer.lines(line(1, 1, text("x"), None).encode("utf-8"))
        writer.close()
    assert raised.value.errno == errno.ENOENT
    assert raised.value.filename == str(name)


def test_a_writer_whose_process_died_is_an_error_not_a_hang(tmp_path: Path) -> None:
    writer = SortedTrig(tmp_path / "g.trig", tmp_path / "g.ttl", PREFIX_MAP, tmp_path)
    with writer, pytest.raises(OSError) as raised:
        assert writer.process is not None
        writer.process.kill()
        writer.process.wait()
        for _ in range(1000):  # a pipe holds 64 KiB: it breaks within the first sends
            writer.lines(b"".join(line(n, 0, text("x" * 100), None).encode() for n in range(99)))
    assert raised.value.filename == str(tmp_path / "g.trig")
    assert not (tmp_path / "g.trig").exists()


def test_leaving_the_block_without_closing_stops_the_child_and_writes_nothing(
    tmp_path: Path,
) -> None:
    with SortedTrig(tmp_path / "g.trig", tmp_path / "g.ttl", PREFIX_MAP, tmp_path) as writer:
        writer.graph(None)
        writer.lines(line(1, 1, text("x"), None).encode("utf-8"))
        process = writer.process
    assert process is not None and process.returncode is not None
    assert not (tmp_path / "g.trig").exists()
    assert list(tmp_path.iterdir()) == []  # the spill had no name


@settings(max_examples=200, deadline=None)
@given(st.decimals(0, 1, allow_nan=False, allow_infinity=False))
@example(Decimal("0.900"))
@example(Decimal("1E-7"))
@example(Decimal("-0"))
def test_a_decimal_is_written_as_the_store_keeps_it(value: Decimal) -> None:
    """graph.trig is written from the lines, not read from the store: a confidence must be
    in the lexical form Oxigraph keeps (it keeps 0.9 for 0.900)."""
    lexical = decimal(value)
    store = ox.Store()
    datatype = ox.NamedNode(XSD_DECIMAL)
    subject, predicate = ox.NamedNode("http://e.org/s"), ox.NamedNode("http://e.org/p")
    store.add(ox.Quad(subject, predicate, ox.Literal(lexical, datatype=datatype)))
    (kept,) = list(store)
    assert kept.object.value == lexical
    assert Decimal(lexical) == value


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="POSIX job control")
def test_the_report_gets_through_whole_though_the_child_is_stopped_while_it_waits(
    tmp_path: Path,
) -> None:
    # The child's report of the blocks (140 KB for 1,234 graphs) is more than a pipe holds:
    # the child waits for the parent to read it. Stopped and continued meanwhile (Ctrl-Z and
    # fg, or py-spy's sampling), sys.stderr gave up after the first 64 KB, the parent found no
    # blocks, and the next rebuild made every source's lines again.
    report = "x" * 140_000
    child = subprocess.Popen(
        [sys.executable, "-c", "from kg.sorted_trig import tell; tell('x' * 140_000)"],
        stderr=subprocess.PIPE,
        cwd=Path(sorted_trig.__file__).parent.parent,
    )
    assert child.stderr is not None
    waiting = bytearray(4)
    deadline = time.monotonic() + 60
    while True:  # until the pipe is full: the child is waiting for this process to read
        fcntl.ioctl(child.stderr.fileno(), termios.FIONREAD, waiting)
        if int.from_bytes(waiting, sys.byteorder) >= 65_536 or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    for _ in range(20):
        os.kill(child.pid, signal.SIGSTOP)
        time.sleep(0.005)
        os.kill(child.pid, signal.SIGCONT)
        time.sleep(0.005)
    with child.stderr:
        said = child.stderr.read()
    assert child.wait() == 0
    assert said == (report + "\n").encode()


def test_the_report_is_written_whole_when_the_system_writes_part_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written: list[bytes] = []

    def write(fd: int, data: bytes) -> int:
        assert fd == 2
        written.append(bytes(data[:1000]))
        return len(written[-1])

    monkeypatch.setattr(os, "write", write)
    sorted_trig.tell("é" * 2500)
    assert b"".join(written) == ("é" * 2500 + "\n").encode()
    assert len(written) == 6
