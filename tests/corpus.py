"""The synthetic PubMed XML corpus used by the tests: a re-export of bench/corpus.py, the one
generator kg has (the benchmarks write the same papers as MEDLINE records and page copies too).

    python -m tests.corpus DIR --articles 2000 --per-file 1000     (PubMed XML only)
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bench.corpus import FIRST_PMID, Article, plan, write, xml_article
from bench.corpus import main as _main

__all__ = ["FIRST_PMID", "Article", "main", "plan", "write", "xml_article"]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.corpus … --xml-only``: PubMed XML files, every reference by identifier."""
    return _main([*(sys.argv[1:] if argv is None else argv), "--xml-only"])


if __name__ == "__main__":
    raise SystemExit(main())
