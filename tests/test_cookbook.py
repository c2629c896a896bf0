"""docs/cookbook.md: every query in it runs, as a user types it (kg query) and through the
Python API (kg.load), on two fixture graphs, and gives the answer the fixtures make known.

The graphs: tests/fixtures/queries (20 papers, described in tests/test_queries.py) and the
format samples of tests/fixtures/samples (MeSH headings, an erratum)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli
from kg.vocab import PREFIXES

from .conftest import FIXTURES, ROOT
from .test_queries import (
    C1,
    C2,
    DOE,
    HARM,
    LEE,
    POE,
    ROE,
    SEED_CITERS,
    SEED_SIMILAR,
    U1,
    U2,
    URBAN,
    B,
    S,
    X,
    Y,
)

COOKBOOK = (ROOT / "docs" / "cookbook.md").read_text(encoding="utf-8")
# A question: its heading, one paragraph (a sentence or two), one ```sparql block.
SECTION = re.compile(
    r"^## (?P<question>[^\n]+)\n\n(?P<text>(?:(?!```)[^\n]+\n)+)\n```sparql\n(?P<query>.*?)```",
    re.M | re.S,
)
QUESTIONS = {m["question"]: m["query"] for m in SECTION.finditer(COOKBOOK)}

Rows = list[tuple[str | None, ...]]


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The two fixture graphs, built once: name -> build folder."""
    work = tmp_path_factory.mktemp("cookbook")
    samples = FIXTURES / "samples"  # its format folders; SOURCES.md is not an input
    inputs = {
        "queries": [FIXTURES / "queries"],
        "samples": sorted(p for p in samples.iterdir() if p.is_dir()),
    }
    built = {}
    for name, paths in inputs.items():
        report = kg.build(paths, work / name)
        assert report.complete, report.problems
        built[name] = work / name
    return built


def cli_rows(build: Path, query: str) -> Rows:
    done = CliRunner().invoke(cli, ["query", "-g", str(build), query, "-f", "json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    names = data["head"]["vars"]
    return [tuple(b.get(n, {}).get("value") for n in names) for b in data["results"]["bindings"]]


def api_rows(build: Path, query: str) -> Rows:
    return [
        tuple(None if v is None else str(v) for v in row) for row in kg.load(build).query(query)
    ]


def doi(value: str) -> str:
    return "https://doi.org/" + value


def column(rows: Rows, index: int) -> list[str | None]:
    return [row[index] for row in rows]


def source_sha(name: str) -> str:
    return hashlib.sha256((FIXTURES / "queries" / name).read_bytes()).hexdigest()


# Each question: the graph that knows its answer, and what the answer must be. The fixture
# graphs and their papers are described in tests/test_queries.py.
EXPECTED: dict[str, tuple[str, Callable[[Rows], Any]]] = {
    "Which papers in my collection are cited most?": (
        "queries",
        lambda rows: (
            [(r[0], r[2]) for r in rows] == [(S, "5"), (X, "2"), (Y, "2"), (U1, "1"), (U2, "1")]
        ),
    ),
    "Which papers were published since 2019?": (
        "queries",
        lambda rows: (
            set(column(rows, 0))
            == {
                doi("10.1007/s13178-018-0339-8"),  # 2019
                X,  # 2019
                doi("10.5555/kgq.outreach"),  # A, 2020
                C1,  # 2021
                doi("10.1080/00224499.2020.1755821"),  # 2021
                doi("10.1353/hpu.2021.0151"),  # 2021
                C2,  # 2022
                doi("10.1016/j.drugalcdep.2022.109506"),  # 2022
                doi("10.3310/gfvc7006"),  # 2024
                doi("10.1037/ser0000803"),  # 2024
            }
            and column(rows, 1) == sorted(column(rows, 1))
            and min(column(rows, 1)) == "2019"
        ),
    ),
    "Which papers cite a given paper?": (
        "queries",
        lambda rows: (
            set(column(rows, 0)) == set(SEED_CITERS)
            and rows[0][0] == doi("10.1016/j.drugalcdep.2022.109506")
        ),  # the newest, 2022
    ),
    "Who wrote the most papers?": (
        "queries",
        lambda rows: (
            [(r[0], r[2]) for r in rows] == [(DOE, "4"), (ROE, "4"), (POE, "3"), (LEE, "1")]
        ),
    ),
    "Who are a person's co-authors?": (
        "queries",
        lambda rows: [(r[0], r[2]) for r in rows] == [(ROE, "3"), (POE, "2")],
    ),
    "How many papers did each journal publish?": (
        "queries",
        lambda rows: (
            [(r[0], r[1], r[2]) for r in rows[:2]]
            == [(URBAN, "Journal of Urban Testing", "3"), (HARM, "Harm Reduct Test", "2")]
            and len(rows) == 12  # and the ten journals of the seed's papers, one paper each
            and column(rows[2:], 2) == ["1"] * 10
        ),
    ),
    "How many papers were published each year?": (
        "queries",
        lambda rows: (
            [(r[0], int(r[1] or 0)) for r in rows]
            == [
                ("2012", 1),
                ("2014", 1),
                ("2015", 2),
                ("2016", 2),
                ("2017", 2),
                ("2018", 1),
                ("2019", 2),
                ("2020", 1),
                ("2021", 3),
                ("2022", 2),
                ("2024", 2),
            ]
        ),
    ),
    "Which pairs of papers share the most references?": (
        "queries",
        lambda rows: (
            rows[0] == (C1, C2, "2")  # both cite X and Y
            and all(r[2] == "1" for r in rows[1:])
        ),
    ),
    "Which papers are cited together most often?": (
        "queries",
        lambda rows: rows == [(X, Y, "2"), (X, U1, "1"), (X, U2, "1"), (Y, U1, "1"), (Y, U2, "1")],
    ),
    "Which papers have no DOI?": (
        "queries",
        lambda rows: (
            set(column(rows, 0)) == {B, U1, U2} and {r[0]: r[1] for r in rows}[B] == "90000002"
        ),
    ),
    "Which citation statements dispute a paper?": (
        "queries",
        lambda rows: (
            [(r[0], r[1]) for r in rows] == [(X, "Discussion"), (X, "Results")]
            and (rows[0][2] or "").startswith("In contrast to the van-based trial")
        ),
    ),
    "Which papers are about a MeSH topic?": (
        "samples",
        lambda rows: (
            set(column(rows, 0))
            == {
                doi("10.1136/gutjnl-2016-312510"),
                doi("10.1056/nejmoa1715274"),
                doi("10.1038/s41592-020-00971-x"),
            }
        ),
    ),
    "Which papers were retracted, corrected or updated?": (
        "samples",
        lambda rows: (
            [(r[0], r[1], r[2]) for r in rows]
            == [
                (
                    doi("10.1371/journal.pone.0033693"),
                    "corrected",
                    doi("10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda"),
                )
            ]
        ),
    ),
    "Which files was a paper read from?": (
        "queries",
        lambda rows: (
            rows
            == [
                (
                    (FIXTURES / "queries" / "004_306def990ca61d5f.txt").as_posix(),
                    "pubmed_page",
                    source_sha("004_306def990ca61d5f.txt"),
                )
            ]
        ),
    ),
    "Which works does a source list as similar to a paper?": (
        "queries",
        lambda rows: (
            [(r[0], r[1]) for r in rows]
            == [(str(rank), iri) for rank, iri in enumerate(SEED_SIMILAR, start=1)]
        ),
    ),
}


def test_the_cookbook_asks_fifteen_questions_each_with_one_query() -> None:
    assert len(QUESTIONS) >= 15
    assert len(QUESTIONS) == COOKBOOK.count("```sparql")  # every block is in a question
    assert set(QUESTIONS) == set(EXPECTED)  # and every question has a known answer
    for question, query in QUESTIONS.items():
        assert question.endswith("?"), question
        assert not re.search(r"^\s*PREFIX\b", query, re.I | re.M), question
    # the prefixes the introduction lists are kg's
    listed = re.search(r"prefixes \(`([a-z0-9 ]+)`", COOKBOOK)
    assert listed is not None and sorted(listed[1].split()) == sorted(PREFIXES)


@pytest.mark.parametrize("question", sorted(QUESTIONS))
def test_each_query_runs_both_ways_and_gives_the_known_answer(
    graphs: dict[str, Path], question: str
) -> None:
    query = QUESTIONS[question]
    answered = {}
    for name, build in graphs.items():
        rows = cli_rows(build, query)
        assert api_rows(build, query) == rows, (question, name)
        answered[name] = rows
    where, expected = EXPECTED[question]
    assert answered[where], f"{question!r} finds nothing in the {where} graph"
    assert expected(answered[where]), (question, answered[where])
