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
