from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from rdflib import Graph

import kg

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ONTOLOGY = ROOT / "ontology"
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(autouse=True, scope="session")
def _private_cache_key(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The key that signs build caches lives in $XDG_CACHE_HOME/kg: a temporary one for the
    tests (and the kg processes they start), never the user's."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds built once into a temporary folder (output folder returned)."""
    work = tmp_path_factory.mktemp("seedbuild")
    shutil.copytree(SEEDS, work / "seeds")
    report = kg.build([work / "seeds"], work / "output")
    assert report.complete, report.problems
    return work / "output"


@pytest.fixture(scope="session")
def seed_graph(seed_build: Path) -> Graph:
    return Graph().parse(seed_build / "graph.ttl")
