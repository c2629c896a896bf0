"""Never lose data: outputs replaced together, a killed build leaves whole outputs, the next build
cleans up; the same bytes whatever the input order, hash seed or number of workers;
report.json, exit 3 and --strict."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

import kg
from kg import fsio
from kg.errors import OutputError
from kg.fsio import JOURNAL, Staging, recover

from . import corpus
from .conftest import ROOT, SEEDS
from .test_cli import run_kg

FIXTURES = ROOT / "tests" / "fixtures"
OUTPUTS = [".cache", "graph.html", "graph.trig", "graph.ttl", "report.json", "store"]
FILES = ("graph.ttl", "graph.trig", "graph.html", "report.json")


def _two_folders(root: Path) -> None:
    """The seeds and four exports of overlapping papers, split over two folders."""
    (root / "a").mkdir()
    (root / "b").mkdir()
    seeds = sorted(SEEDS.iterdir())
    shutil.copy(seeds[0], root / "a")
    shutil.copy(seeds[1], root / "b")
    for name, folder in (
        ("outreach.nbib", "a"),
        ("outreach.ris", "b"),
        ("night.bib", "b"),
        ("citing.jsonl", "a"),
    ):
        shutil.copy(FIXTURES / "queries" / name, root / folder)


def _quads(folder: Path) -> list[str]:
    store = ox.Store.read_only(str(folder / "store"))
    return sorted(str(q) for q in store)


def test_same_bytes_whatever_the_input_order_hash_seed_and_workers(tmp_path: Path) -> None:
    _two_folders(tmp_path)
    runs = [
        (["a", "b"], "1", "1"),
        (["b", "a"], "2", "2"),
        (["b/", "a/", "b"], "3", "4"),  # a folder given twice is read once
    ]
    for n, (inputs, seed, workers) in enumerate(runs):
        result = run_kg(
            "build", *inputs, "-o", f"out{n}", "-j", workers, cwd=tmp_path,
            env={"PYTHONHASHSEED": seed},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    first = tmp_path / "out0"
    assert json.loads((first / "report.json").read_text())["read"]["files"] == 6
    for n in range(1, len(runs)):
        other = tmp_path / f"out{n}"
        for name in FILES:
            assert (first / name).read_bytes() == (other / name).read_bytes(), (n, name)
        assert _quads(first) == _quads(other)


def _hostile_folder(root: Path) -> Path:
    folder = root / "in"
    folder.mkdir()
    for seed in SEEDS.iterdir():
        shutil.copy(seed, folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4\n\x00\x01\x02\xff" * 40)
    # a good record, then one with no identifier or title (line 4), then a good one
    (folder / "mixed.nbib").write_text(
        "PMID- 90000011\nTI  - A good record.\n\nAB  - An abstract and nothing else.\n\n"
        "PMID- 90000012\nTI  - Another good record.\n",
        encoding="utf-8",
    )
    return folder


def test_report_json_names_every_skip_with_path_and_line_and_exit_3(tmp_path: Path) -> None:
    _hostile_folder(tmp_path)
    result = run_kg("build", "in", "-o", "out", cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["complete"] is False and report["exit_code"] == 3
    assert report["read"] == {
        "files": 5,
        "files_read": 3,
        "files_skipped": 2,
        "records": sum(f["records"] for f in report["files"]),
        "problems": 3,
    }
    by_path = {f["path"]: f for f in report["files"]}
    assert by_path["in/empty.txt"]["format"] is None
    assert by_path["in/scan.pdf"]["format"] is None
    assert by_path["in/mixed.nbib"] | {"sha256": None} == {
        "path": "in/mixed.nbib",
        "format": "medline",
        "records": 2,
        "problems": 1,
        "sha256": None,
    }
    assert (
        by_path["in/mixed.nbib"]["sha256"]
        == hashlib.sha256((tmp_path / "in" / "mixed.nbib").read_bytes()).hexdigest()
    )
    problems = {(p["path"], p["line"]) for p in report["problems"]}
    assert problems == {("in/empty.txt", None), ("in/scan.pdf", None), ("in/mixed.nbib", 4)}
    for p in report["problems"]:  # each one is on stderr too, with its path and line
        where = p["path"] + (f":{p['line']}" if p["line"] else "")
        assert f"skipped {where}: {p['message']}" in result.stderr.splitlines()
    assert report["graph"]["papers"] == 14
    assert report["outputs"] == ["graph.ttl", "graph.trig", "graph.html", "store", "report.json"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == OUTPUTS


def test_a_complete_build_reports_exit_0(seed_build: Path) -> None:
    report = json.loads((seed_build / "report.json").read_text(encoding="utf-8"))
    assert (report["complete"], report["exit_code"], report["problems"]) == (True, 0, [])
    assert [f["format"] for f in report["files"]] == ["scite_page", "pubmed_page"]


def test_strict_turns_a_skip_into_a_failure_that_writes_nothing(tmp_path: Path) -> None:
    _hostile_folder(tmp_path)
    result = run_kg("build", "in", "-o", "out", "--strict", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1] == "Error: 3 problems in 3 files and --strict: nothing written"
    assert "skipped in/mixed.nbib:4: MEDLINE record without a PMID, DOI, PMC id or title" in lines
    assert not (tmp_path / "out").exists()
    # over an earlier build: its outputs stay as they were
    assert run_kg("build", str(SEEDS), "-o", "out", cwd=tmp_path).returncode == 0
    before = {name: (tmp_path / "out" / name).read_bytes() for name in FILES}
    assert run_kg("build", "in", "-o", "out", "--strict", cwd=tmp_path).returncode == 1
    assert {name: (tmp_path / "out" / name).read_bytes() for name in FILES} == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == OUTPUTS
    # --strict on clean inputs is a normal build
    assert run_kg("build", str(SEEDS), "-o", "out", "--strict", cwd=tmp_path).returncode == 0


# ---- a commit interrupted at each step ------------------------------------------------------


def _state(folder: Path) -> dict[str, bytes]:
    """The outputs of a folder: files by name, and the store folder's one file."""
    found = {}
    for entry in folder.iterdir():
        if entry.name.startswith("."):  # what a build leaves while writing
            found[entry.name] = b"leftover"
        elif entry.is_dir():
            found[entry.name] = b"dir:" + (entry / "data").read_bytes()
        else:
            found[entry.name] = entry.read_bytes()
    return found


def _stage(folder: Path, version: bytes) -> Staging:
    staging = Staging(folder)
    for name in ("graph.ttl", "graph.trig", "report.json"):
        staging.file(name, version + name.encode())
    store = staging.folder_for("store")
    (store / "data").write_bytes(version)
    return staging


OLD = {"graph.ttl": b"oldgraph.ttl", "graph.trig": b"oldgraph.trig"}
OLD |= {"report.json": b"oldreport.json", "store": b"dir:old"}
NEW = {name: data.replace(b"old", b"new", 1) for name, data in OLD.items()}


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
@pytest.mark.parametrize("crash_at", range(9))
def test_a_commit_killed_at_any_step_is_finished_or_undone_by_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash_at: int, exchange: bool
) -> None:
    """Every rename of a commit may be the last one made: the folder then holds whole files,
    and recover() (run by the next build) makes it all old or all new, with no leftovers."""
    staging = _stage(tmp_path, b"old")
    staging.commit()
    assert _state(tmp_path) == OLD
    if not exchange:
        monkeypatch.setattr(fsio, "_exchange", lambda a, b: False)
    calls = {"n": 0}
    real_replace, real_exchange = os.replace, fsio._exchange

    class Killed(BaseException):
        pass

    def counted(function):  # type: ignore[no-untyped-def]
        def step(*args, **kwargs):  # type: ignore[no-untyped-def]
            if calls["n"] == crash_at:
                raise Killed
            calls["n"] += 1
            return function(*args, **kwargs)

        return step

    monkeypatch.setattr(os, "replace", counted(real_replace))
    monkeypatch.setattr(fsio, "_exchange", counted(real_exchange))
    monkeypatch.setattr(fsio.shutil, "rmtree", counted(fsio.shutil.rmtree))
    staging = _stage(tmp_path, b"new")
    try:
        staging.commit()
        finished = True
    except Killed:
        finished = False  # like kill -9: no clean-up runs
    monkeypatch.undo()
    outputs = {k: v for k, v in _state(tmp_path).items() if not k.startswith(".")}
    for name, data in outputs.items():
        assert data in (OLD[name], NEW[name]), name  # whole files, old or new
    journal = (tmp_path / JOURNAL).exists()
    recover(tmp_path)
    assert _state(tmp_path) == (NEW if finished or journal else OLD)


@pytest.mark.slow
def test_a_build_interrupted_by_ctrl_c_leaves_the_old_outputs_and_nothing_else(
    tmp_path: Path,
) -> None:
    corpus.write(tmp_path / "in", 400, per_file=100)
    assert run_kg("build", str(SEEDS), "-o", "out", cwd=tmp_path).returncode == 0
    before = {name: (tmp_path / "out" / name).read_bytes() for name in FILES}
    child = subprocess.Popen(
        [sys.executable, "-c", "from kg.cli import main; main()", "build", "in", "-o", "out"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".kg-new-") for p in (tmp_path / "out").iterdir()):
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.005)
    child.send_signal(signal.SIGINT)  # while its outputs are being written
    _, err = child.communicate(timeout=120)
    assert child.returncode == 1 and "Aborted!" in err and "Traceback" not in err
    after = {name: (tmp_path / "out" / name).read_bytes() for name in FILES}
    # the old outputs, or (when Ctrl-C came while they were being moved into place, which it
    # waits for) all the new ones
    same = [after[name] == before[name] for name in FILES]
    assert all(same) or not any(same), same
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == OUTPUTS, err


# ---- a 2,000-article build killed at twelve random moments ----------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_a_2000_article_build_killed_at_12_random_moments_never_loses_the_outputs(
    tmp_path: Path,
) -> None:
    corpus.write(tmp_path / "old", 200, per_file=100, seed=1)
    corpus.write(tmp_path / "new", 2000, per_file=500, seed=2)
    command = [sys.executable, "-c", "from kg.cli import main; main()", "build", "new", "-o"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    subprocess.run([*command, "ref"], cwd=tmp_path, env=env, check=True, capture_output=True)
    duration = time.monotonic() - started  # of a whole build: the kills fall inside it
    new = {name: _digest(tmp_path / "ref" / name) for name in FILES}
    new_quads = len(ox.Store.read_only(str(tmp_path / "ref" / "store")))
    assert run_kg("build", "old", "-o", "out", cwd=tmp_path).returncode == 0
    old = {name: _digest(tmp_path / "out" / name) for name in FILES}
    old_quads = len(ox.Store.read_only(str(tmp_path / "out" / "store")))
    assert new != old and new_quads > old_quads
    rng = random.Random(6)
    out = tmp_path / "out"
    for moment in sorted(rng.uniform(0.02, 0.98) * duration for _ in range(12)):
        child = subprocess.Popen([*command, "out"], cwd=tmp_path, env=env)
        try:
            child.wait(timeout=moment)
        except subprocess.TimeoutExpired:
            child.kill()  # SIGKILL: nothing of kg runs after it
            child.wait()
        for name in FILES:
            assert _digest(out / name) in (old[name], new[name]), (moment, name)
        assert len(ox.Store.read_only(str(out / "store"))) in (old_quads, new_quads), moment
    subprocess.run([*command, "out"], cwd=tmp_path, env=env, check=True, capture_output=True)
    assert {name: _digest(out / name) for name in FILES} == new
    assert sorted(p.name for p in out.iterdir()) == OUTPUTS  # no leftovers
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["graph"]["papers"] == 2000


def test_a_full_disk_is_one_error_and_leaves_the_old_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kg.build([SEEDS], tmp_path / "out")
    before = {name: (tmp_path / "out" / name).read_bytes() for name in FILES}

    def full(fd: int, data: bytes, *args: Any) -> None:
        staged = Path(os.readlink(f"/proc/self/fd/{fd}"))  # .kg-new-<output>-<random>.tmp
        if staged.name.startswith(".kg-new-report.json-"):  # the last output: the rest is made
            os.close(fd)
            raise OSError(28, "No space left on device", str(staged.parent / "report.json"))
        real(fd, data, *args)

    real = fsio._write
    monkeypatch.setattr(fsio, "_write", full)
    with pytest.raises(OutputError, match=r"cannot write .*/report\.json: No space left"):
        kg.build([SEEDS, FIXTURES / "queries" / "night.bib"], tmp_path / "out")
    monkeypatch.undo()
    assert {name: (tmp_path / "out" / name).read_bytes() for name in FILES} == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == OUTPUTS
