"""bench/profile.py: py-spy's raw profiles read, and a build's time told by stage (never a
duration asserted)."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from bench import corpus as gen
from bench import profile

pytestmark = pytest.mark.slow  # runs the benchmark's runners end to end

BUILD = 'process 10:"python -m bench.profile --timed-build c o 2 t.json"'
WORKER = 'process 11:"python -m bench.profile --timed-build c o 2 t.json"'
TRIG = 'process 12:"python -c import sys; from kg.sorted_trig import main"'
TOP = (
    "<module> (bench/profile.py:360);main (bench/profile.py:300);timed_build (bench/profile.py:220)"
)
BUILD_FN = TOP + ";build (kg/pipeline.py:224)"
RAW = f"""\
{BUILD};thread (10): MainThread;{BUILD_FN};_read (kg/pipeline.py:327);take (kg/pipeline.py:320) 4
{BUILD};thread (10): MainThread;{BUILD_FN};resolve_lazily (kg/resolve.py:507);identify (kg/resolve.py:309) 30
{BUILD};thread (10): MainThread;{BUILD_FN};_write_outputs (kg/pipeline.py:564);load_chunks (kg/store.py:170);text (kg/rdf.py:192) 50
{BUILD};thread (10): MainThread;{BUILD_FN};_write_outputs (kg/pipeline.py:576);_map (kg/pipeline.py:697);rows (kg/projections.py:90) 20
{BUILD};thread (10): MainThread;{BUILD_FN};_write_outputs (kg/pipeline.py:590);fsync (kg/fsio.py:40) 1
{BUILD};thread (10);<module> (bench/profile.py:360);_find_and_load (<frozen importlib._bootstrap>:1176) 3
{BUILD};thread (13): kg-bulk-load;_bootstrap (threading.py:1002);loader (kg/store.py:160) 25
{BUILD};thread (14): ThreadPoolExecutor-0_1;_bootstrap (threading.py:1002);run (concurrent/futures/thread.py:58);summarize (kg/pipeline.py:720) 6
{BUILD};thread (15): ThreadPoolExecutor-0_2;_bootstrap (threading.py:1002);run (concurrent/futures/thread.py:58) 2
{BUILD};thread (16): Thread-1;_bootstrap (threading.py:1002);_ExecutorManagerThread.run (concurrent/futures/process.py:344) 5
{BUILD};{WORKER};thread (11): MainThread;{BUILD_FN};_process_worker (concurrent/futures/process.py:246);_extract_one (kg/pipeline.py:125);run (kg/extract/pubmed_xml.py:80) 40
{BUILD};{TRIG};thread (12): MainThread;<module> (<string>:1);main (kg/sorted_trig.py:400);write (kg/sorted_trig.py:300) 15
"""
TIMINGS = {
    "wall": 2.0,
    "stages": [
        ["reading", 0.0, 0.5],
        ["merging", 0.5, 0.3],
        ["loading", 0.8, 0.7],
        ["writing", 1.5, 0.5],
    ],
    "facts": {"files": 3, "files read again": 3},
}


def test_raw_stacks_are_read_with_their_process_and_thread() -> None:
    samples = profile.parse_raw(RAW.splitlines())
    assert len(samples) == 12
    first = samples[0]
    assert (first.process, first.depth, first.thread, first.count) == (BUILD, 1, "MainThread", 4)
    assert first.frames[-1] == "take (kg/pipeline.py:320)"
    assert first.frames[0].startswith("<module>")
    worker = samples[10]
    assert (worker.process, worker.depth, worker.thread) == (WORKER, 2, "MainThread")
    assert samples[5].thread == ""  # sampled before its name could be read
    assert profile.function_of("write (kg/sorted_trig.py:300)") == "write (kg/sorted_trig.py)"


def test_a_build_is_told_by_process_thread_stage_and_function() -> None:
    found = profile.summarize("Cold build", profile.parse_raw(RAW.splitlines()), 100, TIMINGS)
    active = dict(found.active)
    assert active == {
        "build: MainThread": 1.08,  # the unnamed thread running <module> included
        "reading workers": 0.40,
        "build: kg-bulk-load": 0.25,
        "TriG writer": 0.15,
        "build: counts (Oxigraph)": 0.06,
        "build: worker pool's results (unpickled)": 0.05,
        "build: store compaction (Oxigraph)": 0.02,
    }
    assert dict(found.main_by_stage) == {
        "loading": 0.50,
        "merging: identities": 0.30,
        "writing: map": 0.20,
        "reading": 0.04,
        "start and end": 0.03,
        "writing: files": 0.01,
    }
    assert found.hot_self[0] == ("text (kg/rdf.py)", 0.50)
    hot_kg = dict(found.hot_kg)
    assert hot_kg["build (kg/pipeline.py)"] == pytest.approx(1.45)  # the worker forked in it
    assert hot_kg["load_chunks (kg/store.py)"] == 0.50
    assert "<module> (bench/profile.py)" not in hot_kg
    assert found.stages[1] == ("merging", 0.5, 0.3)

    text = profile.markdown([found], "python -m bench.profile", "a corpus", 2)
    assert "## Cold build: 2.00 s" in text
    assert "| merging | 0.50 | 0.30 | 0.30 |" in text
    assert "| writing | 1.50 | 0.50 | 0.21 |" in text
    assert "2.01 s in all, 1.00 of 2 cores on average" in text
    assert "| `text (kg/rdf.py)` | 0.50 |" in text


def test_the_timed_build_tells_each_stage_from_start_to_end(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    gen.write_corpus(corpus, 60, 0)
    timings = tmp_path / "t.json"
    profile.timed_build(str(corpus), str(tmp_path / "out"), 1, str(timings))
    told = json.loads(timings.read_text(encoding="utf-8"))
    stages = told["stages"]
    assert [s[0] for s in stages] == ["reading", "merging", "loading", "writing"]
    assert stages[0][1] == 0.0
    for (_, start, wall), (_, following, _) in pairwise(stages):
        assert wall >= 0 and start + wall == pytest.approx(following)
    assert stages[-1][1] + stages[-1][2] == pytest.approx(told["wall"])
    assert told["facts"]["files read again"] == told["facts"]["files"] > 0
    assert told["facts"]["triples"] > 0
