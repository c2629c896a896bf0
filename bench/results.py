"""bench/RESULTS.md holds one section per benchmark, each between its own markers:

    <!-- bench:NAME -->
    …what that benchmark last wrote…
    <!-- /bench:NAME -->

A benchmark replaces its own section and leaves the others (and anything outside the markers)
as they are; a benchmark with no section yet gets one at the end.
"""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


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
