"""Take the screenshot of the map shown in the README and on the docs' home page.

Builds the seeds (seeds/) in a temporary folder, draws their map with ``kg html`` (the
defaults: the same map as the build's graph.html), opens it in headless Chromium (Debian's
/usr/bin/chromium, driven by Playwright; no browser is downloaded), waits until the page has
laid the map out, selects the most cited paper as a search would, so that its details show,
and saves ``docs/img/map.png``.

    python docs/screenshot.py                  # from the repository root
    python docs/screenshot.py --out /tmp/map.png --width 1600 --height 1000
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = (ROOT / "seeds",)  # a small map whose labels can be read
SELECTED = "doi:10.1186/s12939-015-0156-0"  # the seeds' paper, cited five times


def kg(*args: str, cwd: Path) -> None:
    """Run ``kg`` (the one installed with this Python) in ``cwd``."""
    command = [sys.executable, "-c", "from kg.cli import main; main()", *args]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "map.png")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=750)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        for source in INPUTS:
            shutil.copytree(source, folder / "inputs" / source.name)
        kg("build", "inputs", "-o", "output", "--quiet", cwd=folder)
        kg("html", "-g", "output", "-o", "map.html", cwd=folder)  # as graph.html
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto((folder / "map.html").as_uri())
            page.wait_for_function("() => window.kgStabilized === true", timeout=60_000)
            page.evaluate(f"() => kgSelectNode({SELECTED!r})")  # as a search would
            page.wait_for_timeout(1500)  # the zoom to the paper
            page.evaluate("() => network.fit({animation: false})")  # then the whole map
            page.wait_for_timeout(300)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    sys.stdout.write(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)\n")


if __name__ == "__main__":
    main()
