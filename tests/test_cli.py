"""kg build as a user runs it: exit codes, messages, outputs, determinism."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import cli
from kg.extract import EXTRACTORS

from .conftest import ROOT, SEEDS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def run_kg(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """kg in a child process, as a shell would run it."""
    return subprocess.run(
        [sys.executable, "-c", "from kg.cli import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        timeout=300,
    )


@pytest.fixture
def seeds_here(tmp_path: Path) -> Path:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path


def test_build_without_arguments_reads_seeds_writes_output(seeds_here: Path) -> None:
    result = run_kg("build", cwd=seeds_here)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert re.search(
        r"^12 papers, \d+ people, 10 journals, 10 relations, 4 citation statements", result.stdout
    )
    assert "from 2 of 2 files; 0 problems" in result.stdout
    graph = Graph().parse(seeds_here / "output" / "graph.ttl")
    assert len(graph) > 200
    html = (seeds_here / "output" / "graph.html").read_text(encoding="utf-8")
    assert "pmid:26488904" in html or "doi:10.1371/journal.pone.0134900" in html
    assert sorted(p.name for p in (seeds_here / "output").iterdir()) == [
        ".cache",
        "graph.html",
        "graph.trig",
        "graph.ttl",
        "report.json",
        "store",
    ]


def test_two_builds_byte_identical_whatever_order_and_hash_seed(seeds_here: Path) -> None:
    first = run_kg("build", "seeds", "-o", "a", cwd=seeds_here, env={"PYTHONHASHSEED": "1"})
    files = sorted((f"seeds/{p.name}" for p in (seeds_here / "seeds").iterdir()), reverse=True)
    second = run_kg("build", *files, "-o", "b", cwd=seeds_here, env={"PYTHONHASHSEED": "4242"})
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    for name in ("graph.ttl", "graph.html"):
        assert (seeds_here / "a" / name).read_bytes() == (seeds_here / "b" / name).read_bytes()


def test_graph_parses_in_rdflib_and_oxigraph(seed_build: Path) -> None:
    pyoxigraph = pytest.importorskip("pyoxigraph")
    data = (seed_build / "graph.ttl").read_bytes()
    rdflib_count = len(Graph().parse(data=data, format="turtle"))
    store = pyoxigraph.Store()
    store.load(data, format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == rdflib_count


def test_bad_files_are_named_and_skipped(seeds_here: Path) -> None:
    bad = seeds_here / "seeds"
    (bad / "binary.pdf").write_bytes(b"%PDF-1.4\n\x00\x01\x02\xff\xfe" * 50)
    (bad / "empty.txt").write_bytes(b"")
    (bad / "notes.txt").write_text("Remember to buy milk.\nAnd call the library.\n")
    result = run_kg("build", cwd=seeds_here)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    for name in ("binary.pdf", "empty.txt", "notes.txt"):
        assert re.search(rf"^skipped seeds/{name}: ", result.stderr, re.MULTILINE), result.stderr
    assert "12 papers" in result.stdout and "from 2 of 5 files; 3 problems" in result.stdout
    ok = seeds_here / "ok"
    assert run_kg("build", "-o", "ok", str(SEEDS), cwd=seeds_here).returncode == 0
    assert (seeds_here / "output" / "graph.ttl").read_bytes() == (
        ok / "graph.ttl"
    ).read_bytes().replace(str(SEEDS).encode() + b"/", b"seeds/")


def test_nothing_to_build_is_exit_1_and_keeps_previous_outputs(seeds_here: Path) -> None:
    assert run_kg("build", cwd=seeds_here).returncode == 0
    before = (seeds_here / "output" / "graph.ttl").read_bytes()
    junk = seeds_here / "junk"
    junk.mkdir()
    (junk / "a.txt").write_text("nothing here")
    result = run_kg("build", "junk", cwd=seeds_here)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "Error: nothing could be built from 1 file (1 problem)"
    assert (seeds_here / "output" / "graph.ttl").read_bytes() == before
    assert sorted(p.name for p in (seeds_here / "output").iterdir()) == [
        ".cache",
        "graph.html",
        "graph.trig",
        "graph.ttl",
        "report.json",
        "store",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["build", "--format", "nope"],
        ["build", "--base-iri", "not an iri"],
        ["build", "--base-iri", "https://example.org/no-slash"],
        ["build", "--no-such-option"],
        ["no-such-command"],
    ],
)
def test_bad_usage_exits_2(args: list[str], seeds_here: Path) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output


def test_missing_input_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = run_kg("build", "does-not-exist", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: no such file or folder: does-not-exist"


def test_format_forces_the_extractor(seeds_here: Path) -> None:
    result = run_kg(
        "build", "seeds/000_18ca61cfa3613128.txt", "--format", "pubmed_page", cwd=seeds_here
    )
    assert result.returncode == 1  # a scite page read as a PubMed page gives nothing
    assert "seeds/000_18ca61cfa3613128.txt" in result.stderr
    ok = run_kg("build", "seeds/000_18ca61cfa3613128.txt", "--format", "scite_page", cwd=seeds_here)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("1 paper,")


def test_base_iri_changes_minted_iris(seeds_here: Path) -> None:
    result = run_kg("build", "--base-iri", "https://example.org/lab/", "-q", cwd=seeds_here)
    assert result.returncode == 0 and result.stdout == ""
    text = (seeds_here / "output" / "graph.ttl").read_text(encoding="utf-8")
    assert "https://example.org/lab/citation/" in text
    assert "https://w3id.org/kg/id/" not in text


def test_every_command_has_help_with_an_example_and_is_in_the_readme() -> None:
    for name in cli.commands:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output, name
        assert f"kg {name}" in README, name


def test_every_format_is_documented() -> None:
    """Each registered extractor has its own row in docs/formats.md's table, and the table
    lists nothing that is not registered."""
    table = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \|", table, re.M)
    assert sorted(rows) == sorted(EXTRACTORS)


def test_help_loads_none_of_the_work():
    """`kg --help` answers at once: the command line imports the tables its options list, and
    each command imports its work (the build, networkx, jinja2, httpx) when it runs."""
    heavy = ("networkx", "jinja2", "pyvis", "httpx", "hishel", "kg.pipeline", "kg.resolve")
    code = (
        "import sys; from click.testing import CliRunner; from kg.cli import cli; "
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0; "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == ""
