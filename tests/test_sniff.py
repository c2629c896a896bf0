"""Content sniffing as a truth table: every fixture is claimed by exactly one extractor, its
own; no extractor claims another's files. (The real samples: tests/test_samples.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import EXTRACTORS, detect
from kg.reading import decode

from .conftest import ROOT, SEEDS

FIXTURES = ROOT / "tests" / "fixtures"
CASES = ROOT / "tests" / "cases"


def text_of(path: Path) -> str:
    return decode(path.read_bytes())[0]


MIXED = FIXTURES / "queries"  # the named queries' graph: several formats in one folder
FETCH = FIXTURES / "fetch"  # the test server's table of papers (tests/fetch_server.py): no input
ONTOLOGIES = FIXTURES / "ontologies"  # SPAR's published ontologies: no input
# recorded API responses, a folder per service (their origins: api/SOURCES.md)
API_FORMATS = {
    "ncbi_eutils": "pubmed_elink",
    "opencitations": "opencitations_json",
    "semanticscholar": "semanticscholar_json",
    "europepmc": "europepmc_json",
}
OWN = sorted(
    p
    for p in FIXTURES.rglob("*")
    if p.is_file() and not {MIXED, FETCH, ONTOLOGIES} & set(p.parents) and p.name != "SOURCES.md"
)
OTHERS = sorted([p for p in CASES.rglob("input/*") if p.is_file()] + [p for p in SEEDS.iterdir()])


def own_format(path: Path) -> str:
    """A fixture's format: its folder's name (under samples/ too), or its service's format
    under api/."""
    parts = path.relative_to(FIXTURES).parts
    if parts[0] == "api":
        return API_FORMATS[parts[1]]
    return parts[1] if parts[0] == "samples" else parts[0]


def test_every_format_has_fixtures() -> None:
    assert {own_format(p) for p in OWN} == set(EXTRACTORS) - {
        "pubmed_page",
        "scite_page",
    }  # the page formats' fixtures are golden cases and seeds, below


@pytest.mark.parametrize("path", OWN, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_a_fixture_is_claimed_by_its_own_extractor_alone(path: Path) -> None:
    assert detect(text_of(path)) == [own_format(path)]


def expected_format(path: Path) -> str:
    """The page copies are PubMed pages, except the scite seed; the .nbib is MEDLINE."""
    by_suffix = {".nbib": "medline", ".ris": "ris", ".bib": "bibtex", ".jsonl": "crossref_json"}
    if path.suffix in by_suffix:
        return by_suffix[path.suffix]
    if "scite" in path.name:
        return "scite_page"
    return "scite_page" if path.name == "000_18ca61cfa3613128.txt" else "pubmed_page"


@pytest.mark.parametrize("path", OTHERS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_case_input_or_seed_is_claimed_by_its_own_extractor_alone(path: Path) -> None:
    assert detect(text_of(path)) == [expected_format(path)]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{}",
        '{"a": 1}',
        "[1, 2, 3]",
        "<?xml version='1.0'?><html/>",
        "@ not bibtex",
        "TY is a word\nER",
        "PMID: 123\n",
        "Just a line of prose mentioning PMID- 12 and TY  - JOUR in passing.",
    ],
)
def test_near_misses_are_claimed_by_nobody(text: str) -> None:
    assert detect(text) == []


def test_each_format_is_the_module_of_its_name() -> None:
    for name, module in EXTRACTORS.items():
        assert name == module.FORMAT and module.__name__ == f"kg.extract.{name}"
        assert callable(module.sniff) and callable(module.parse)
