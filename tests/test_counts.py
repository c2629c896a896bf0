"""One count and one name for each thing: the build's summary, report.json, `kg stats`, the
named queries and the map agree on the real exports of tests/fixtures/samples."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.records import Person

from .conftest import SEEDS
from .test_html import json_block
from .test_samples import SAMPLES

SUMMARY = re.compile(
    r"^(?P<papers>[\d,]+) papers?, (?P<people>[\d,]+) (?:person|people), "
    r"(?P<journals>[\d,]+) journals?, [\d,]+ relations?, (?P<statements>[\d,]+) citation "
    r"statements? \([\d,]+ triples?\) from \d+ of \d+ files?; (?P<problems>\d+) problems?$",
    re.MULTILINE,
)
KINDS = ("papers", "people", "journals", "statements")


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    work = tmp_path_factory.mktemp("counts")
    shutil.copytree(SAMPLES, work / "in")  # with its SOURCES.md, which --exclude leaves out
    shutil.copytree(SEEDS, work / "in" / "seeds")
    result = CliRunner().invoke(
        cli, ["build", str(work / "in"), "-o", str(work / "out"), "--exclude", "*.md"]
    )
    assert result.exit_code == 0, result.output
    match = SUMMARY.search(result.stdout)
    assert match, result.stdout
    said = {kind: int(match[kind].replace(",", "")) for kind in (*KINDS, "problems")}
    assert said["problems"] == 0
    return work / "out", said


def query(out: Path, *args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["query", "-g", str(out), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return [
        {k: v["value"] for k, v in row.items()}
        for row in json.loads(result.stdout)["results"]["bindings"]
    ]


def test_the_summary_report_stats_and_map_count_alike(build) -> None:
    out, said = build
    assert said["papers"] > 300 and said["people"] > 300 and said["journals"] > 80
    report = json.loads((out / "report.json").read_text())
    stats = CliRunner().invoke(cli, ["stats", "-g", str(out), "--json"])
    assert stats.exit_code == 0, stats.output
    counts = json.loads(stats.stdout)["counts"]
    nodes = json_block((out / "graph.html").read_text(), "kg-nodes")
    on_map = {
        "papers": sum(n["kg"]["kind"] == "paper" for n in nodes),
        "people": sum(n["kg"]["kind"] == "person" for n in nodes),
        "journals": sum(n["kg"]["kind"] == "journal" for n in nodes),
    }
    for kind in KINDS:
        assert report["graph"][kind] == said[kind] == counts[kind], kind
    for kind, n in on_map.items():
        assert n == said[kind], kind  # the whole graph fits the map's budget
    assert len(query(out, "-n", "prolific-authors")) == said["people"]


def test_a_journal_has_one_name_in_stats_queries_and_the_map(build) -> None:
    out, _ = build
    stats = json.loads(CliRunner().invoke(cli, ["stats", "-g", str(out), "--json"]).stdout)
    nodes = json_block((out / "graph.html").read_text(), "kg-nodes")
    on_map = {n["id"]: n["kg"]["label"] for n in nodes if n["kg"]["kind"] == "journal"}
    named = {row["journal"]: row["name"] for row in query(out, "-n", "per-journal")}
    assert len(named) == len(on_map)
    assert sorted(named.values()) == sorted(on_map.values())
    shown = {j["label"] for j in stats["top_journals"]}
    assert shown <= set(named.values())
    # PubMed calls it "PloS one"; its NLM abbreviation, the one name kg shows, is "PLoS One"
    assert "PLoS One" in named.values() and "PloS one" not in named.values()


def test_people_are_named_in_one_form(build) -> None:
    out, _ = build
    rows = query(
        out,
        "SELECT ?name ?family { ?a a foaf:Person ; foaf:name ?name ; foaf:familyName ?family }",
    )
    assert len(rows) > 300
    for row in rows:
        assert row["name"].endswith(row["family"]), row  # given names first
        assert "," not in row["name"], row
        assert not re.search(r"\b[A-Z]{2,3}\b", row["name"][: -len(row["family"])]), row
    names = {row["name"] for row in rows}
    # printed "Abdeddaïm, Saïd" (BibTeX) and "Choi HJ" (PubMed)
    assert {"Saïd Abdeddaïm", "H. J. Choi"} <= names


@pytest.mark.parametrize(
    ("person", "shown"),
    [
        (Person("Choi HJ", "Choi", None, "HJ"), "H. J. Choi"),
        (Person("Lopez, Maria K", "Lopez", "Maria K", "MK"), "Maria K. Lopez"),
        (Person("O. O. Abiodun", "Abiodun", "O. O.", "OO"), "O. O. Abiodun"),
        (
            Person("van der Berg, Jean-Paul", "van der Berg", "Jean-Paul", "JP"),
            "Jean-Paul van der Berg",
        ),
        (Person("Plato", "Plato"), "Plato"),
        (Person("The ABC Study Group", collective=True), "The ABC Study Group"),
    ],
)
def test_the_display_form_of_a_name(person: Person, shown: str) -> None:
    assert person.display == shown


def test_counts_are_written_with_their_noun_in_the_right_number(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / next(p.name for p in SEEDS.iterdir() if p.suffix == ".txt"), folder)
    (folder / "README.md").write_text("my notes\n")
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out")])
    assert result.exit_code == 3
    assert result.stdout.splitlines()[0].endswith("from 1 of 2 files; 1 problem")
    assert "--exclude GLOB" in result.stderr
