"""Rebuilds: the cache reads only changed files, a rebuild with nothing changed does nothing,
a cache entry this machine did not sign is never unpickled; the progress bar."""

from __future__ import annotations

import io
import os
import pickle
import shutil
import time
from pathlib import Path

import pytest

import kg
import kg.cache
import kg.pipeline
from kg.cache import CACHE
from kg.console import ProgressBar, describe
from kg.errors import StrictFailure
from kg.pipeline import Progress

from .conftest import ROOT, SEEDS
from .test_cli import run_kg

FIXTURES = ROOT / "tests" / "fixtures"
FILES = ("graph.ttl", "graph.trig", "graph.html", "report.json")


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder)
    for name in ("outreach.nbib", "outreach.ris", "night.bib"):
        shutil.copy(FIXTURES / "queries" / name, folder)
    return folder


def outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def test_nothing_changed_means_nothing_done(inputs: Path, tmp_path: Path) -> None:
    first = kg.build([inputs], tmp_path / "out")
    assert not first.up_to_date and first.reused == 0
    stamps = {name: (tmp_path / "out" / name).stat().st_mtime_ns for name in FILES}
    again = kg.build([inputs], tmp_path / "out")
    assert again.up_to_date
    assert (again.files, again.problems, again.counts) == (
        first.files,
        first.problems,
        first.counts,
    )
    assert {name: (tmp_path / "out" / name).stat().st_mtime_ns for name in FILES} == stamps
    # the paths a build reads are in its outputs (kgo:path): "in" is not the same input as
    # the absolute path above
    assert "wrote out/graph.ttl" in run_kg("build", "in", "-o", "out", cwd=tmp_path).stdout
    result = run_kg("build", "in", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "out is up to date: no input or option changed" in result.stdout
    assert "wrote" not in result.stdout


def test_one_changed_file_is_the_only_one_read_and_the_outputs_equal_a_cold_build(
    inputs: Path, tmp_path: Path
) -> None:
    kg.build([inputs], tmp_path / "out")
    bib = inputs / "night.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("2016", "2017"), encoding="utf-8")
    rebuilt = kg.build([inputs], tmp_path / "out")
    assert not rebuilt.up_to_date and rebuilt.reused == 4
    cold = kg.build([inputs], tmp_path / "cold", cache=False)
    assert cold.reused == 0 and not (tmp_path / "cold" / CACHE).exists()
    assert outputs(tmp_path / "out") == outputs(tmp_path / "cold")
    year = "SELECT ?y { <https://doi.org/10.5555/kgq.y> <http://purl.org/spar/fabio/hasPublicationYear> ?y }"
    assert [str(r[0]) for r in kg.load(tmp_path / "out").query(year)] == ["2017"]
    # the entry of the old night.bib is gone; one entry per input remains
    assert len(list((tmp_path / "out" / CACHE / "files").iterdir())) == 5


def test_the_changed_file_is_read_by_a_worker_while_the_entries_load(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kg.build([inputs], tmp_path / "out")
    bib = inputs / "night.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("2016", "2017"), encoding="utf-8")
    started = tmp_path / "reading"  # made by the process that reads the changed file
    real_read, real_get = kg.pipeline.extract_file, kg.cache.Cache.get
    waited: list[bool] = []

    def read(*args: object) -> object:
        started.write_text(str(os.getpid()))
        return real_read(*args)  # type: ignore[arg-type]

    def get(self: kg.cache.Cache, *args: object) -> object:
        if not waited:  # the first entry waits until the file is being read
            deadline = time.monotonic() + 10
            while not started.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            waited.append(started.exists())
        return real_get(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(kg.pipeline, "extract_file", read)
    monkeypatch.setattr(kg.cache.Cache, "get", get)
    rebuilt = kg.build([inputs], tmp_path / "out", workers=2)
    assert rebuilt.reused == 4 and waited == [True]
    assert int(started.read_text()) != os.getpid()  # a worker's
    kg.build([inputs], tmp_path / "cold", cache=False)
    assert outputs(tmp_path / "out") == outputs(tmp_path / "cold")


def test_a_changed_option_or_a_touched_output_rebuilds(inputs: Path, tmp_path: Path) -> None:
    kg.build([inputs], tmp_path / "out")
    other = kg.build([inputs], tmp_path / "out", base_iri="https://example.org/kg/")
    assert not other.up_to_date and other.reused == 5
    assert b"https://example.org/kg/" in (tmp_path / "out" / "graph.ttl").read_bytes()
    (tmp_path / "out" / "graph.ttl").write_bytes(b"# edited by hand\n")
    again = kg.build([inputs], tmp_path / "out", base_iri="https://example.org/kg/")
    assert not again.up_to_date
    assert b"https://example.org/kg/" in (tmp_path / "out" / "graph.ttl").read_bytes()
    shutil.rmtree(tmp_path / "out" / "store")
    assert not kg.build([inputs], tmp_path / "out", base_iri="https://example.org/kg/").up_to_date


def test_an_up_to_date_build_reports_its_problems_again_and_strict_still_fails(
    inputs: Path, tmp_path: Path
) -> None:
    (inputs / "empty.txt").write_bytes(b"")
    first = run_kg("build", "in", "-o", "out", cwd=tmp_path)
    again = run_kg("build", "in", "-o", "out", cwd=tmp_path)
    assert first.returncode == again.returncode == 3
    assert "is up to date" in again.stdout
    assert first.stderr == again.stderr == "skipped in/empty.txt: empty file\n"
    with pytest.raises(StrictFailure):
        kg.build([inputs], tmp_path / "out", strict=True)


class _Payload:
    """A pickle that runs code when loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_cache_entry_not_signed_here_is_never_unpickled(inputs: Path, tmp_path: Path) -> None:
    kg.build([inputs], tmp_path / "out")
    expected = outputs(tmp_path / "out")
    marker = tmp_path / "pwned"
    entries = list((tmp_path / "out" / CACHE / "files").iterdir())
    assert len(entries) == 5
    for entry in entries:  # a hostile folder: every entry replaced, with a made-up signature
        entry.write_bytes(b"\0" * 32 + pickle.dumps(_Payload(marker)))
    (tmp_path / "out" / "graph.ttl").write_bytes(b"")  # so that the build runs
    report = kg.build([inputs], tmp_path / "out")
    assert not marker.exists()
    assert report.reused == 0  # every file read again
    assert outputs(tmp_path / "out") == expected


def test_progress_reports_files_records_and_stages(inputs: Path, tmp_path: Path) -> None:
    seen: list[Progress] = []
    report = kg.build([inputs], tmp_path / "out", progress=seen.append, workers=2)
    reading = [p for p in seen if p.stage == "reading"]
    assert [p.files for p in reading] == [1, 2, 3, 4, 5]
    assert all(p.files_total == 5 for p in reading)
    assert reading[-1].records == sum(f.records for f in report.files)
    assert (
        reading[-1].done_bytes
        == reading[-1].total_bytes
        == sum(p.stat().st_size for p in inputs.iterdir())
    )
    later = seen[len(reading) :]
    assert [p.stage for p in later][:2] == ["merging", "loading"]
    assert later[-1].stage == "writing"
    loading = [p.quads for p in later if p.stage == "loading"]
    assert loading == sorted(loading) and loading[0] == 0 < loading[1]  # told as it begins
    assert later[-1].quads == loading[-1] >= report.counts["triples"]  # and the named graphs'
    assert {p.stage for p in later} == {"merging", "loading", "writing"}


def test_the_progress_line() -> None:
    state = Progress("reading", 3, 12, 45_000, 250, 1000)
    assert describe(state, 10.0) == (
        "[######..................] 3/12 files, 45,000 records, 4,500 records/s, about 0:30 left"
    )
    assert describe(Progress("merging", 12, 12, 90_000), 20.0) == (
        "merging 90,000 records from 12 files… 0:20"
    )
    assert describe(Progress("loading", 12, 12, 90_000, quads=262_144), 2.0) == (
        "loading the store: 262,144 quads, 131,072 quads/s… 0:02"
    )
    assert describe(Progress("writing", 12, 12, 90_000, quads=300_000), 75.0) == (
        "writing graph.ttl, graph.trig and the map (300,000 quads)… 1:15"
    )
    stream = io.StringIO()
    bar = ProgressBar(stream, tick=3600)
    bar(state)
    bar(Progress("reading", 4, 12, 46_000, 300, 1000))  # within 0.1 s: not drawn
    bar(Progress("writing", 12, 12, 90_000, quads=5))
    bar.close()
    frames = [f.strip() for f in stream.getvalue().split("\r")]
    assert frames == [
        "",
        "[######..................] 3/12 files, 45,000 records",  # under a second: no rate
        "writing graph.ttl, graph.trig and the map (5 quads)… 0:00",
        "",
        "",
    ]


def test_the_progress_clock_moves_while_a_stage_gives_no_news() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, tick=0.05)
    bar(Progress("reading", 1, 2, 10, 5, 10))
    time.sleep(0.3)  # reading: the bar moves with the files, not the clock
    assert stream.getvalue().count("\r") == 1
    bar(Progress("writing", 2, 2, 20, quads=7))
    time.sleep(0.5)
    bar.close()
    writing = [f for f in stream.getvalue().split("\r") if f.startswith("writing")]
    assert len(writing) >= 4  # drawn once, then on each tick
    assert not bar.ticker.is_alive()


def test_no_progress_bar_when_stderr_is_not_a_terminal(inputs: Path, tmp_path: Path) -> None:
    result = run_kg("build", "in", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0 and "\r" not in result.stderr and result.stderr == ""
