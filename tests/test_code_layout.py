"""The shape of the code base: no module of the package grows past what one can read."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kg"
MAX_LINES = 800


def test_no_module_is_over_800_lines() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert modules, f"no Python modules found under {PACKAGE}"
    too_long: dict[str, int] = {}
    for path in modules:
        with path.open(encoding="utf-8") as text:
            lines = sum(1 for _ in text)
        if lines > MAX_LINES:
            too_long[path.relative_to(ROOT).as_posix()] = lines
    assert not too_long, f"modules over {MAX_LINES} lines (split them along a seam): " + ", ".join(
        f"{name} ({lines})" for name, lines in too_long.items()
    )
