"""Every example in the docs runs, and prints what the docs show.

The convention (docs/development.md, "Examples in the docs"):

- A ```console block is a terminal session: each line starting with ``$ `` is a command (the
  lines starting with ``> `` that follow it continue it, as a shell shows them; so does a line
  after one ending with ``\\``), the lines after it up to the next command are what it prints (stdout and stderr, as a terminal shows them). A line that is only ``…``
  stands for any number of lines. A command must exit 0, unless the next command is
  ``echo $?``, whose line of output is then the exit code the first one must give.
- A ```sh block is commands without their output; it runs as one bash script that stops at
  the first command that fails (``set -e``).
- A ```python block is run with this Python; it must not raise.
- Each page's examples run in order, in one fresh folder of their own, which holds the
  bundled seeds (``seeds/``) and a few real exports (see SANDBOX); ``kg fetch`` talks to
  the local stand-in for the scholarly web (tests/fetch_server.py) through the ``KG_*_URL``
  variables, never to the internet.
- A block that cannot run here (it installs software, serves until Ctrl-C, runs for an hour)
  has ``<!-- norun: the reason -->`` on the line before it (a blank line between them).
  Other blocks (```text, ```turtle, untagged: synopses, file trees, output) are not run.

docs/cookbook.md is left to the cookbook's own test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT, SEEDS

DOCS = ROOT / "docs"
SAMPLES = FIXTURES / "samples"
TESTED_ELSEWHERE = {"docs/cookbook.md"}  # the cookbook has a test of its own
PAGES = ["README.md"] + [
    f"docs/{p.name}" for p in sorted(DOCS.glob("*.md")) if f"docs/{p.name}" not in TESTED_ELSEWHERE
]
RUN = {"console", "sh", "python"}
# What each page's folder holds besides seeds/: name there -> the file it is a copy of.
SANDBOX = {
    "my-zotero.ris": SAMPLES / "ris" / "pubmed_zotero.ris",
    "my-endnote.ris": SAMPLES / "ris" / "pubmed_endnote.txt",
    "my-library.bib": SAMPLES / "bibtex" / "paper.bib",
    "pubmed-search.nbib": SAMPLES / "medline" / "demo_pubmed_202101.nbib",
    "pubmed-search.xml": SAMPLES / "pubmed_xml" / "pubmed7.xml",
    "my-exports/zotero.ris": SAMPLES / "ris" / "pubmed_zotero.ris",
    "my-exports/crossref.json": SAMPLES
    / "crossref_json"
    / "test_works_with_one_id__10.1371_journal.pone.0033693.json",
    "my-exports/openalex.json": SAMPLES / "openalex_json" / "W2741809807.json",
}
MY_DOIS = "# papers to start from\n10.1186/s12939-015-0156-0\n10.1186/s12939-017-0655-2\n"
SECRETS = ("NCBI_API_KEY", "OPENALEX_API_KEY", "S2_API_KEY", "KG_MAILTO")
NORUN = re.compile(r"<!--\s*norun:\s*(.*?)\s*-->")
FENCE = re.compile(r"^(\s*)(```+)\s*([\w+-]*)\s*$")


@dataclass
class Block:
    page: str
    line: int  # of the opening fence, 1-based
    lang: str
    text: str
    norun: str | None  # the reason given, when the block is marked not to run

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def blocks(page: str) -> list[Block]:
    """The fenced code blocks of ``page`` (a path from the repository's root), with the
    marker before each."""
    lines = (ROOT / page).read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence, lang = opening.groups()
        end = i + 1
        while end < len(lines) and lines[end].strip() != fence:
            end += 1
        body = [line.removeprefix(indent) for line in lines[i + 1 : end]]
        before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = NORUN.search(before)
        found.append(
            Block(page, i + 1, lang, "\n".join(body) + "\n", marker.group(1) if marker else None)
        )
        i = end + 1
    return found


# ------------------------------------------------------------------------------ the runner


@dataclass
class Command:
    text: str
    line: int
    expected: list[str]  # the lines shown after it


def session(block: Block) -> list[Command]:
    """The commands of a console block and the output shown for each."""
    commands: list[Command] = []
    lines = block.text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            text, start = line[2:], i
            while i + 1 < len(lines) and (lines[i + 1].startswith("> ") or text.endswith("\\")):
                i += 1
                more = lines[i].removeprefix("> ")
                text = text[:-1] + more if text.endswith("\\") else text + "\n" + more
            commands.append(Command(text, block.line + 1 + start, []))
        elif commands:
            commands[-1].expected.append(line)
        else:
            pytest.fail(f"{block.where}: a console block starts with a command ($ …)")
        i += 1
    return commands


def matches(expected: list[str], actual: str) -> bool:
    """``actual`` is what ``expected`` shows: line by line, trailing spaces aside, a line that
    is only ``…`` standing for any number of lines."""
    while expected and not expected[-1].strip():
        expected = expected[:-1]
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line.strip() == "…" else re.escape(line.rstrip()) + r"[ \t]*\n"
        for line in expected
    )
    text = "\n".join(line.rstrip() for line in actual.rstrip("\n").splitlines()) + "\n"
    return re.fullmatch(pattern, text) is not None


class Folder:
    """One page's folder, and how to run things in it."""

    def __init__(self, path: Path, env: dict[str, str]) -> None:
        self.path = path
        self.env = env

    def shell(self, script: str, *, stop: bool = False) -> subprocess.CompletedProcess[str]:
        options = ["-e", "-o", "pipefail"] if stop else []
        return subprocess.run(
            ["bash", "--noprofile", "--norc", *options, "-c", script],
            cwd=self.path,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
        )

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-"],
            input=code,
            cwd=self.path,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
        )


def run_console(folder: Folder, block: Block) -> None:
    commands = session(block)
    for n, command in enumerate(commands):
        if command.text == "echo $?":
            continue  # checked with the command before it
        done = folder.shell(command.text)
        shown = f"{block.page}:{command.line}: $ {command.text}"
        following = commands[n + 1] if n + 1 < len(commands) else None
        if following is not None and following.text == "echo $?":
            code = "\n".join(following.expected).strip()
            assert str(done.returncode) == code, (
                f"{shown}\nexited {done.returncode}, the docs show {code}\n{done.stdout}"
            )
        else:
            assert done.returncode == 0, f"{shown}\nexited {done.returncode}\n{done.stdout}"
        if any(line.strip() for line in command.expected):
            assert matches(command.expected, done.stdout), (
                f"{shown}\nprinted:\n{done.stdout}\nthe docs show:\n" + "\n".join(command.expected)
            )


def run_block(folder: Folder, block: Block) -> None:
    if block.lang == "console":
        run_console(folder, block)
    elif block.lang == "sh":
        done = folder.shell(block.text, stop=True)
        assert done.returncode == 0, (
            f"{block.where}: exited {done.returncode}\n{block.text}\n{done.stdout}"
        )
    elif block.lang == "python":
        done = folder.python(block.text)
        assert done.returncode == 0, f"{block.where}: failed\n{block.text}\n{done.stdout}"


# ---------------------------------------------------------------------------- the folders


@pytest.fixture(scope="module")
def web() -> Iterator[object]:
    """The local stand-in for the scholarly web that kg fetch's examples talk to."""
    from .fetch_server import FakeWeb

    server = FakeWeb().start()
    yield server
    server.stop()


@pytest.fixture
def folder(tmp_path: Path, web: object) -> Folder:
    here = tmp_path / "work"
    shutil.copytree(SEEDS, here / "seeds")
    for name, source in SANDBOX.items():
        (here / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, here / name)
    (here / "my-dois.txt").write_text(MY_DOIS)
    # `kg` on PATH is this checkout's, run by this Python, named kg in its messages
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "kg").write_text(f"#!{sys.executable}\nfrom kg.cli import main\n\nmain()\n")
    (tools / "kg").chmod(0o755)
    (tools / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')  # a venv's too
    (tools / "python").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in SECRETS and not k.startswith("KG_")}
    env.update(web.environ())  # type: ignore[attr-defined]
    env.update(
        PATH=f"{tools}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        COLUMNS="100",
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )
    return Folder(here, env)


# ------------------------------------------------------------------------------- the tests


def examples(page: str) -> list[Block]:
    return [b for b in blocks(page) if b.lang in RUN and b.norun is None]


# pages whose examples run the benchmarks' runners: slow, like the benchmarks' own smoke tests
SLOW = {"docs/performance.md"}


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(page, marks=[pytest.mark.slow] if page in SLOW else [])
        for page in PAGES
        if examples(page)
    ],
)
def test_the_examples_of_a_page_run(page: str, folder: Folder) -> None:
    for block in examples(page):
        run_block(folder, block)


def all_blocks() -> Iterator[Block]:
    for page in PAGES:
        yield from blocks(page)


def test_a_block_not_run_says_why() -> None:
    for block in all_blocks():
        if block.norun is not None:
            assert block.norun, f"{block.where}: <!-- norun: … --> gives no reason"
            assert block.lang in RUN, f"{block.where}: norun on a block that never runs"


SYNOPSIS = re.compile(r"[\[|]")  # kg build [INPUT …] [-o DIR]: a synopsis, not an example


def test_examples_are_tagged_so_that_they_run() -> None:
    """A command shown in an untagged block would never run: tag it console or sh (or norun)."""
    for block in all_blocks():
        if block.lang:
            continue
        lines = [line.strip() for line in block.text.splitlines() if line.strip()]
        first = lines[0] if lines else ""
        assert not first.startswith("$ "), f"{block.where}: a terminal session: tag it console"
        looks_like_example = first.startswith(("kg ", "python ")) and not any(
            SYNOPSIS.search(line) for line in lines
        )
        assert not looks_like_example, f"{block.where}: an example: tag it sh or console"


def test_the_parser_reads_sessions_and_output() -> None:
    text = "$ kg a \\\n  --b\nout 1\n…\nend\n$ echo $?\n0\n$ kg 'x\n> y'\n> z\n"
    first, second, third = session(Block("x.md", 1, "console", text, None))
    assert (first.text, first.expected) == ("kg a   --b", ["out 1", "…", "end"])
    assert (second.text, second.expected) == ("echo $?", ["0"])
    assert (third.text, third.expected) == ("kg 'x\ny'\nz", [])
    assert matches(["a", "…", "z"], "a\nb\nc\nz\n")
    assert matches(["a", "…", "z"], "a\nz")
    assert not matches(["a", "z"], "a\nb\nz\n")
    assert matches(["a  "], "a")


# ---------------------------------------------------------------------- the vocabulary page


@pytest.fixture(scope="module")
def built_graph(tmp_path_factory: pytest.TempPathFactory) -> object:
    """The seeds and the real exports of tests/fixtures/samples, built as the page says."""
    from rdflib import Graph

    import kg

    work = tmp_path_factory.mktemp("vocabulary")
    shutil.copytree(SEEDS, work / "seeds")
    for folder in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        shutil.copytree(folder, work / "samples" / folder.name)
    cwd = os.getcwd()
    os.chdir(work)  # the sources' paths are as given: seeds/…, samples/…
    try:
        report = kg.build(["seeds", "samples"], "output")
    finally:
        os.chdir(cwd)
    assert report.complete, report.problems
    return Graph().parse(work / "output" / "graph.ttl")


def test_the_vocabulary_examples_are_what_a_build_writes(built_graph: object) -> None:
    from rdflib import Graph

    from kg.vocab import PREFIXES

    prologue = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
    examples = [b for b in blocks("docs/vocabulary.md") if b.lang == "turtle"]
    assert len(examples) >= 8
    for block in examples:
        shown = Graph().parse(data=prologue + block.text, format="turtle")
        missing = [t for t in shown if t not in built_graph]  # type: ignore[operator]
        assert not missing, f"{block.where}: not in the build:\n" + "\n".join(
            " ".join(term.n3() for term in triple) for triple in missing
        )
