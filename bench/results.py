"""bench/RESULTS.md holds one section per benchmark, each between its own markers:

    <!-- bench:NAME -->
    …what that benchmark last wrote…
    <!-- /bench:NAME -->

A benchmark replaces its own section and leaves the others (and anything outside the markers)
as they are; a benchmark with no section yet gets one at the end.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
ROOT = RESULTS.parent.parent


def begin(name: str) -> str:
    return f"<!-- bench:{name} -->"


def end(name: str) -> str:
    return f"<!-- /bench:{name} -->"


def replace_section(text: str, name: str, section: str) -> str:
    """``text`` with the section ``name`` replaced by ``section`` (or added at the end)."""
    block = f"{begin(name)}\n{section.strip()}\n{end(name)}\n"
    pattern = re.compile(re.escape(begin(name)) + r".*?" + re.escape(end(name)) + r"\n?", re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text, count=1)
    return (text.rstrip() + "\n\n" if text.strip() else "") + block


def section(text: str, name: str) -> str | None:
    """The content of the section ``name`` (without its markers), None when there is none."""
    pattern = re.escape(begin(name)) + r"\n(.*?)\n?" + re.escape(end(name))
    found = re.search(pattern, text, re.S)
    return found.group(1) if found else None


def write_section(name: str, content: str, path: Path = RESULTS) -> None:
    """Replace the section ``name`` of ``path`` atomically (the other sections are kept)."""
    from kg.fsio import atomic_write

    old = path.read_text(encoding="utf-8") if path.exists() else ""
    atomic_write(path, replace_section(old, name, content).encode("utf-8"))


def md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """The lines of a Markdown table (a ``|`` in a cell escaped)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + [
        "| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows
    ]


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def kg_commit() -> str:
    """The commit kg was measured at, marked when kg/ has changes not committed."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(ROOT), "status", "--porcelain", "--", "kg"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head} (with uncommitted changes in kg/)" if dirty else head


def machine(*packages: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    """What a result was measured on: CPU, cores, memory, OS, Python, kg's commit, the
    ``packages`` given (name, version) and the load when the run started."""
    cpu = ram = "?"
    cpuinfo, meminfo = Path("/proc/cpuinfo"), Path("/proc/meminfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = found.group(1).strip() if found else cpu
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        ram = f"{int(found.group(1)) / 1024**2:.1f} GiB" if found else ram
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        ("CPU", cpu),
        ("cores", str(os.cpu_count())),
        ("RAM", ram),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("kg", f"{package_version('kg')}, commit {kg_commit()}"),
        *packages,
        ("load average at the start", load),
    )


def say(text: str) -> None:
    """A line of a benchmark's progress, shown at once."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def fmt(value: float | None, digits: int = 2) -> str:
    """A figure for a table: ``—`` when it was not measured."""
    return "—" if value is None else f"{value:.{digits}f}"


@contextmanager
def work_folder(keep: Path | None, prefix: str) -> Iterator[Path]:
    """``keep`` (made if need be and left in place), else a temporary folder removed after."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield Path(tmp)
