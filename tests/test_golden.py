"""Golden cases: tests/cases/<name>/ holds input files and expected.ttl; the built graph must be
isomorphic to it. KG_UPDATE_GOLDEN=1 rewrites expected.ttl (review the diff before committing)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic

import kg

CASES = Path(__file__).parent / "cases"


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "input").is_dir())


def readable_diff(got: Graph, expected: Graph) -> str:
    _, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
    lines = [f"+ {' '.join(t.n3() for t in triple)}" for triple in sorted(only_got)]
    lines += [f"- {' '.join(t.n3() for t in triple)}" for triple in sorted(only_expected)]
    return "\n".join(lines[:80]) + ("\n…" if len(lines) > 80 else "")


@pytest.mark.parametrize("name", case_names())
def test_case(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES / name
    shutil.copytree(case / "input", tmp_path / "input")
    monkeypatch.chdir(tmp_path)  # so kgo:path reads "input/…" whatever the checkout
    kg.build([Path("input")], Path("out"))
    got = Graph().parse(tmp_path / "out" / "graph.ttl")
    expected_file = case / "expected.ttl"
    if os.environ.get("KG_UPDATE_GOLDEN"):
        shutil.copyfile(tmp_path / "out" / "graph.ttl", expected_file)
    expected = Graph().parse(expected_file)
    assert to_isomorphic(got) == to_isomorphic(expected), (
        "graph differs (+ built, - expected):\n" + readable_diff(got, expected)
    )
