"""What the extractor tests share: where the real samples are (copies in tests/fixtures/samples,
their sources in its SOURCES.md), and how to pick records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.records import CitationCounts, CitationStatement, Paper, Problem, Record, Relation

from .conftest import FIXTURES

SAMPLES = FIXTURES / "samples"
RECORD_TYPES = (Paper, Relation, CitationStatement, CitationCounts, Problem)


def text_of(path: Path) -> str:
    """The file decoded as the build does it: line endings and BOM left as they are."""
    return path.read_bytes().decode("utf-8")


def papers(records: list[Record]) -> list[Paper]:
    """The papers a source is about (not the ones it lists or cites)."""
    return [r for r in records if isinstance(r, Paper) and r.primary]


def cited(records: list[Record]) -> list[Paper]:
    return [r for r in records if isinstance(r, Paper) and not r.primary]


def relations(records: list[Record], kind: str | None = None) -> list[Relation]:
    return [r for r in records if isinstance(r, Relation) and kind in (None, r.kind)]


def problems(records: list[Record]) -> list[Problem]:
    return [r for r in records if isinstance(r, Problem)]


def counts(records: list[Record]) -> list[CitationCounts]:
    return [r for r in records if isinstance(r, CitationCounts)]


def json_like(keys: list[str]) -> Any:
    """A Hypothesis strategy for JSON values made of ``keys`` and small scalars: answers of a
    service's shape, broken in every way."""
    from hypothesis import strategies as st

    names = st.sampled_from(keys)
    scalars = st.none() | st.booleans() | st.integers(-5, 10**9) | st.text(max_size=12) | names
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=5),
        max_leaves=30,
    )
