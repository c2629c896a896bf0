"""Atomic output: write beside the target, flush to disk, then move into place."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def _mode(path: Path) -> int:
    """The mode the output should have: the old file's, else what the umask gives a new file
    (mkstemp's private 0600 would hide the outputs from everyone else)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a reader (or a crash) sees the old or the new file,
    never a part of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), _mode(path))
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def folder_mode() -> int:
    """The mode a new folder gets from the umask (mkdtemp's private 0700 would hide it)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask
