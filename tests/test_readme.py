"""The README's claims are true: its SPARQL example prints what it says, its test command is
what CI runs."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
QUERY_DOC = (ROOT / "docs" / "query.md").read_text(encoding="utf-8")
NETWORKS_DOC = (ROOT / "docs" / "networks.md").read_text(encoding="utf-8")


def test_readme_query_gives_the_documented_result(seed_build: Path) -> None:
    code = re.search(r"```python\nfrom rdflib import Graph\n(.*?)```", README, re.DOTALL).group(0)
    code = code.removeprefix("```python\n").removesuffix("```")
    documented = re.search(
        r"Its result on the seeds:\n\n```text\n(.*?)```", README, re.DOTALL
    ).group(1)
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(seed_build.parent)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert out.getvalue() == documented


def test_ci_runs_the_readme_test_command() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.DOTALL)
    assert "kg build" in blocks[0]
    assert "pytest" in blocks[1]
    assert blocks[1].strip() in (ROOT / ".ci" / "run").read_text()


def test_readme_python_api_example_runs(tmp_path: Path) -> None:
    import shutil

    from .conftest import SEEDS

    code = re.search(r"```python\nimport kg\n(.*?)```", README, re.DOTALL).group(0)
    code = code.removeprefix("```python\n").removesuffix("```")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    scope: dict[str, object] = {}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, "README.md", "exec"), scope)
    finally:
        os.chdir(cwd)
    assert len(list(scope["rows"])) == 5
    assert scope["most_central"][0][0] == "doi:10.1186/s12939-015-0156-0"  # cited 5 times


def test_every_named_query_is_documented() -> None:
    from kg.query import named

    table = QUERY_DOC.split("## Named queries", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `([\w-]+)` \|", table, re.M)
    assert sorted(rows) == sorted(named())


def test_every_export_format_and_projection_is_documented() -> None:
    from kg.export import EXPORT_FORMATS
    from kg.netexport import NETWORK_FORMATS
    from kg.projections import PROJECTIONS
    from kg.reflist import FORMATS as REFLIST_FORMATS

    exports = QUERY_DOC.split("## `kg export`", 1)[1].split("\n## ", 1)[0]
    assert sorted(re.findall(r"^\| `(\w+)` \|", exports, re.M)) == sorted(
        [*EXPORT_FORMATS, *NETWORK_FORMATS, *REFLIST_FORMATS]
    )
    table = NETWORKS_DOC.split("\n| projection |", 1)[1].split("\n\n", 1)[0]
    assert sorted(re.findall(r"^\| `(\w+)` \|", table, re.M)) == sorted(PROJECTIONS)


def test_the_readme_is_short_and_its_links_exist() -> None:
    assert len(README) <= 10_000
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README):
        if "://" not in target:
            assert (ROOT / target).exists(), target


def test_the_screenshot_is_shown_and_small() -> None:
    """docs/img/map.png (docs/screenshot.py takes it) is in the README, and light to load."""
    image = ROOT / "docs" / "img" / "map.png"
    assert "](docs/img/map.png)" in README
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.stat().st_size <= 300_000
