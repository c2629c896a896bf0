"""``python -m bench``: the build benchmark (bench/build.py; bench/README.md)."""

from __future__ import annotations

from .build import main

raise SystemExit(main())
