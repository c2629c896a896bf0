"""`pip install .` (not editable) into a fresh venv gives a kg that works from any folder."""

from __future__ import annotations

import shutil
import subprocess
import venv
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import to_isomorphic

from .conftest import ROOT, SEEDS

pytestmark = pytest.mark.slow  # pip installs the package into a new venv


def test_pip_install_then_build_in_a_folder_holding_only_seeds(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "output", "build", "*.egg-info", "__pycache__", ".*cache*", "artifacts"
        ),
    )
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    pip = env_dir / "bin" / "pip"
    install = subprocess.run(
        [str(pip), "install", "-q", str(source)], capture_output=True, text=True, timeout=900
    )
    assert install.returncode == 0, install.stderr[-3000:]
    shutil.rmtree(source)  # the installed kg must not need the source tree
    work = tmp_path / "work"
    shutil.copytree(SEEDS, work / "seeds")
    kg_exe = env_dir / "bin" / "kg"
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [str(kg_exe), "build"], cwd=work, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        runs.append(
            (work / "output" / "graph.ttl").read_bytes()
            + (work / "output" / "graph.html").read_bytes()
        )
    assert runs[0] == runs[1]
    assert len(Graph().parse(work / "output" / "graph.ttl")) > 200
    # anywhere else, with no seeds/ folder, kg builds the seeds it ships with
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        [str(kg_exe), "build", "-q"], cwd=elsewhere, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert to_isomorphic(without_paths(elsewhere / "output" / "graph.ttl")) == to_isomorphic(
        without_paths(work / "output" / "graph.ttl")
    )


def without_paths(path: Path) -> Graph:
    graph = Graph().parse(path)
    graph.remove((None, URIRef("https://w3id.org/kg/ontology#path"), None))
    return graph
