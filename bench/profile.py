"""``python -m bench.profile``: where the time of a cold build and of a rebuild goes.

The build benchmark (bench/build.py) says how fast; this says why. It builds a generated
corpus (bench/corpus.py) cold, then again after changing one article's title in one PubMed XML
file (bench.build.change_one_file, as the benchmark's rebuild does), each under py-spy
(``py-spy record --subprocesses --threads --format raw``), and reports for each build:

- the wall time of each stage, as the build tells it (kg.pipeline.Progress: reading, merging,
  loading, writing);
- the time each process and thread was active (samples / rate; py-spy counts a thread that
  runs or waits for a core, not one that waits for a lock, a pipe or the disk), the build's
  own threads by what they run;
- the build's main thread's active time by stage (which of kg's stage functions is on the
  stack), against the stage's wall time: where they are close, that thread is what bounds
  the stage;
- the functions active the longest, in all processes together ("self": the function running
  at the time of the sample) and in kg's code (inclusive: on the stack).

py-spy must be installed (``pip install py-spy``) and allowed to read other processes' memory
(ptrace: root, or ``kernel.yama.ptrace_scope = 0``). The raw profiles are kept with ``--keep``
(speedscope.app or inferno's flamegraph read them).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .build import change_one_file
from .corpus import SIZES, describe, write_corpus
from .results import kg_commit

# the stage a sample of the build's main thread is in, by the first of these kg functions found
# on its stack (the map runs inside _write_outputs, as the loading does)
STAGE_FUNCTIONS = (
    ("_map", "writing: map"),
    ("load_chunks", "loading"),
    ("_read", "reading"),
    ("_started", "merging: store copy"),
    ("resolve_lazily", "merging: identities"),
    ("_write_outputs", "writing: files"),
)
# a thread of the build's process by a function on its stack (the first found from this list);
# a thread with none of them runs native code only (Oxigraph's compaction: store.optimize)
THREAD_ROLES = (
    ("loader", "bulk load (Oxigraph)"),
    ("_clear", "store clearing (Oxigraph)"),
    ("take", "workers' results"),
    ("close", "TriG writer's feed"),
    ("summarize", "counts (Oxigraph)"),
)


@dataclass(frozen=True)
class Sample:
    process: str  # py-spy's process frame ("process 123:..."), "" without --subprocesses
    depth: int  # 1: the profiled process, 2: a process it started, ...
    thread: str  # the thread's name ("MainThread", "kg-bulk-load", ...), "" without --threads
    frames: tuple[str, ...]  # outermost first: "function (file:line)"
    count: int


def parse_raw(lines: Iterable[str]) -> list[Sample]:
    """py-spy's raw (collapsed) output: one stack per line, frames joined by ``;`` and the
    number of samples last. With ``--subprocesses`` a stack starts with the process and each
    of its parents (outermost first), with ``--threads`` then the thread ("thread (id):
    name")."""
    samples = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        processes = []
        while frames and frames[0].startswith("process "):
            processes.append(frames.pop(0))
        thread = ""
        if frames and frames[0].startswith("thread ("):
            thread = frames.pop(0).partition("): ")[2]
        process = processes[-1] if processes else ""
        samples.append(Sample(process, len(processes), thread, tuple(frames), int(count)))
    return samples


def function_of(frame: str) -> str:
    """``name (path:line)`` as ``name (file)``: the samples of one function whatever line."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rpartition(":")[0] or where.rstrip(")")
    return f"{name} ({path})" if path else name


def _name(frame: str) -> str:
    return frame.partition(" (")[0]


def _in_kg(frame: str) -> bool:
    where = frame.partition(" (")[2]
    return where.startswith(("kg/", "kg\\")) or "/kg/" in where


def stage_of(frames: Sequence[str]) -> str | None:
    """The build stage a stack of the build's main thread is in (STAGE_FUNCTIONS)."""
    names = {_name(f) for f in frames if _in_kg(f)}
    for function, stage in STAGE_FUNCTIONS:
        if function in names:
            return stage
    return None


def role_of(samples: Sequence[Sample]) -> str:
    """What a process is: the build's own (the profiled one), one of its reading workers, or
    the TriG writer (kg.sorted_trig)."""
    if any(s.depth <= 1 for s in samples):
        return "build"
    names = {_name(f) for s in samples for f in s.frames if _in_kg(f)}
    if "_extract_one" in names:
        return "reading workers"
    if any(f.partition(" (")[2].startswith("kg/sorted_trig") for s in samples for f in s.frames):
        return "TriG writer"
    return "other processes"


# a thread of the build's process by its name, or by a function on its stack (the first found
# from this list); a pool thread with none of them runs native code only (Oxigraph's compaction)
THREAD_ROLES = (
    ("_ExecutorManagerThread.run", "worker pool's results (unpickled)"),
    ("close", "TriG writer's feed"),
    ("summarize", "counts (Oxigraph)"),
    ("take", "workers' results"),
)


def thread_role(name: str, samples: Sequence[Sample]) -> str:
    """What a thread of the build's process runs: its name, or for a pool thread what it
    runs (THREAD_ROLES)."""
    names = {_name(f) for sample in samples for f in sample.frames}
    if name.startswith("kg-read"):
        return "kg-read"
    if not name.startswith(("ThreadPoolExecutor", "Thread-")) and name:
        return name
    if not name and names & {"<module>", "timed_build"}:
        return "MainThread"  # sampled before py-spy could read the thread's name
    for function, role in THREAD_ROLES:
        if function in names:
            return role
    return "store compaction (Oxigraph)" if name.startswith("ThreadPool") else "threads"


@dataclass(frozen=True)
class Profile:
    """One build's profile: wall time by stage, active time by process, thread and stage, the
    functions active the longest (every time in seconds)."""

    label: str
    rate: int
    wall: float
    stages: tuple[tuple[str, float, float], ...]  # (stage, start, wall)
    active: tuple[tuple[str, float], ...]  # (process or thread, active)
    main_by_stage: tuple[tuple[str, float], ...]  # (stage or "stage: part", active)
    hot_self: tuple[tuple[str, float], ...]
    hot_kg: tuple[tuple[str, float], ...]
    facts: tuple[tuple[str, object], ...]


def summarize(
    label: str, samples: Sequence[Sample], rate: int, timings: dict[str, Any], top: int = 15
) -> Profile:
    """The profile of one build from its samples and the timings its process wrote
    (timed_build)."""
    by_process: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_process[sample.process].append(sample)
    active: Counter[str] = Counter()
    main_by_stage: Counter[str] = Counter()
    for found in by_process.values():
        role = role_of(found)
        if role != "build":
            active[role] += sum(s.count for s in found)
            continue
        threads: dict[str, list[Sample]] = defaultdict(list)
        for sample in found:
            threads[sample.thread].append(sample)
        for name, thread in threads.items():
            who = thread_role(name, thread)
            active[f"build: {who}"] += sum(s.count for s in thread)
            if who == "MainThread":
                for sample in thread:
                    main_by_stage[stage_of(sample.frames) or "start and end"] += sample.count
    hot_self: Counter[str] = Counter()
    hot_kg: Counter[str] = Counter()
    for sample in samples:
        if sample.frames:
            hot_self[function_of(sample.frames[-1])] += sample.count
        for name in {function_of(f) for f in sample.frames if _in_kg(f)}:
            hot_kg[name] += sample.count

    def seconds(counts: Iterable[tuple[str, int]]) -> tuple[tuple[str, float], ...]:
        return tuple((name, n / rate) for name, n in counts)

    return Profile(
        label,
        rate,
        float(timings["wall"]),
        tuple((str(s), float(at), float(wall)) for s, at, wall in timings["stages"]),
        seconds(active.most_common()),
        seconds(main_by_stage.most_common()),
        seconds(hot_self.most_common(top)),
        seconds(hot_kg.most_common(top)),
        tuple(timings.get("facts", {}).items()),
    )


def timed_build(corpus: str, out: str, workers: int, timings: str) -> None:
    """Build ``corpus`` into ``out`` in this process, telling ``timings`` (JSON) when each
    stage began (kg.pipeline.Progress) and what the build reported."""
    from kg.pipeline import Progress, build

    started = time.perf_counter()
    seen: list[tuple[str, float]] = []

    def progress(where: Progress) -> None:
        if not seen or seen[-1][0] != where.stage:
            seen.append((where.stage, time.perf_counter() - started))

    report = build([corpus], out, workers=workers, progress=progress)
    wall = time.perf_counter() - started
    if seen:  # the first stage is told once its first file is read: it began with the build
        seen[0] = (seen[0][0], 0.0)
    ends = [at for _, at in seen[1:]] + [wall]
    Path(timings).write_text(
        json.dumps(
            {
                "wall": wall,
                "stages": [
                    (stage, at, end - at) for (stage, at), end in zip(seen, ends, strict=True)
                ],
                "facts": {
                    "files": len(report.files),
                    "files read again": len(report.files) - report.reused,
                    "named graphs kept": report.graphs_kept,
                    "triples": report.counts.get("triples", 0),
                    "up to date": report.up_to_date,
                },
            }
        ),
        encoding="utf-8",
    )


def profiled(
    corpus: Path, out: Path, raw: Path, workers: int, rate: int, py_spy: str, label: str
) -> Profile:
    """One build of ``corpus`` into ``out`` under py-spy; its profile."""
    timings = raw.with_suffix(".json")
    command = [
        py_spy, "record", "--rate", str(rate), "--format", "raw", "--subprocesses",
        "--threads", "--output", str(raw), "--",
        sys.executable, "-m", "bench.profile", "--timed-build",
        str(corpus), str(out), str(workers), str(timings),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not timings.exists():
        raise RuntimeError(f"the profiled build failed: {done.stderr.strip()[-2000:]}")
    samples = parse_raw(raw.read_text(encoding="utf-8").splitlines())
    return summarize(label, samples, rate, json.loads(timings.read_text(encoding="utf-8")))


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def markdown(profiles: Sequence[Profile], command: str, corpus: str, cores: int) -> str:
    """The profiles as the profile section of bench/RESULTS.md."""
    lines = [
        "# Build profiles",
        "",
        "Where the time of a cold build and of a rebuild after one changed file goes, sampled "
        "by py-spy. How it is taken and read: bench/README.md.",
        "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- Command: `{command}`",
        f"- Corpus: {corpus}",
        f"- Machine: {cores} cores; kg commit {kg_commit()}",
    ]
    for profile in profiles:
        main = dict(profile.main_by_stage)
        total = sum(s for _, s in profile.active)
        lines += [
            "",
            f"## {profile.label}: {profile.wall:.2f} s",
            "",
            ", ".join(f"{k} {v}" for k, v in profile.facts) + ".",
            "",
        ]
        lines += _table(
            ("stage", "starts at (s)", "wall (s)", "main thread active (s)"),
            [
                (
                    stage,
                    f"{start:.2f}",
                    f"{wall:.2f}",
                    f"{sum(v for k, v in main.items() if k.split(':')[0] == stage):.2f}",
                )
                for stage, start, wall in profile.stages
            ],
        )
        lines += [
            "",
            "The main thread by part: "
            + ", ".join(f"{part} {seconds:.2f} s" for part, seconds in profile.main_by_stage)
            + ".",
            "",
            f"Active time by process and thread (py-spy at {profile.rate} Hz): {total:.2f} s in "
            f"all, {total / profile.wall:.2f} of {cores} cores on average.",
            "",
        ]
        lines += _table(("who", "active (s)"), [(w, f"{s:.2f}") for w, s in profile.active])
        lines += ["", "Functions active the longest, all processes (self):", ""]
        lines += _table(
            ("function", "active (s)"), [(f"`{n}`", f"{s:.2f}") for n, s in profile.hot_self]
        )
        lines += ["", "kg's functions active the longest, all processes (inclusive):", ""]
        lines += _table(
            ("function", "active (s)"), [(f"`{n}`", f"{s:.2f}") for n, s in profile.hot_kg]
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--timed-build"]:
        corpus, out, workers, timings = argv[1:5]
        timed_build(corpus, out, int(workers), timings)
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="M")
    parser.add_argument("--articles", type=int, help="a corpus of N papers instead of a size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="kg build -j N (default 2)")
    parser.add_argument("--rate", type=int, default=100, help="samples a second (default 100)")
    parser.add_argument("--top", type=int, default=15, help="functions listed (default 15)")
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it (raw profiles too)")
    parser.add_argument("--py-spy", default=shutil.which("py-spy") or "py-spy")
    parser.add_argument(
        "--write-results", action="store_true", help="write the profile section of RESULTS.md"
    )
    options = parser.parse_args(argv)
    count = options.articles or SIZES[options.size]
    work = options.keep or Path(tempfile.mkdtemp(prefix="kg-profile-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        folder = work / "corpus"
        shutil.rmtree(folder, ignore_errors=True)
        corpus = write_corpus(folder, count, options.seed)
        out = work / "out"
        shutil.rmtree(out, ignore_errors=True)
        cold = profiled(
            folder, out, work / "cold.txt", options.workers, options.rate, options.py_spy,
            "Cold build",
        )  # fmt: skip
        target = corpus.xml_files[len(corpus.xml_files) // 2]
        change_one_file(target, 1)
        rebuild = profiled(
            folder, out, work / "rebuild.txt", options.workers, options.rate, options.py_spy,
            f"Rebuild after changing {target.name}",
        )  # fmt: skip
        command = "python -m bench.profile " + " ".join(argv)
        text = markdown([cold, rebuild], command.strip(), describe(corpus), os.cpu_count() or 1)
        sys.stdout.write(text)
        if options.write_results:
            from .results import write_section

            write_section("profile", text)
    finally:
        if options.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
