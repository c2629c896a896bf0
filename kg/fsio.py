"""Atomic output: write beside the target, flush to disk, then move into place.

One file is replaced with :func:`atomic_write`. A build's outputs (files and the store folder)
are replaced together by :class:`Staging`: everything is written beside its target first, then
a journal naming every move is written, then the moves are made. A build killed before the
journal leaves the old outputs and some leftovers, which the next build deletes; a build
killed after it is finished by the next build (:func:`recover`), so a folder never keeps a mix
of two builds. Folders are swapped in one step where Linux allows it (``renameat2``
``RENAME_EXCHANGE``), so there is no moment without a store.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import json
import os
import shutil
import signal
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

JOURNAL = ".kg-commit.json"
# What kg leaves beside its outputs while writing them; anything of these names is its own.
_STAGED = ".kg-new-"  # a file or folder being made: .kg-new-<target>-<random>
_TRASH = ".kg-old-"  # a folder that was replaced and is being deleted
# (.store-new-/.store-old-: what kg before 0.1's journal left while swapping its store)
_LEFTOVER_PREFIXES = (_STAGED, _TRASH, ".store-new-", ".store-old-")


def _mode(path: Path) -> int:
    """The mode the output should have: the old file's, else what the umask gives a new file
    (mkstemp's private 0600 would hide the outputs from everyone else)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write(fd: int, data: bytes) -> None:
    """Write ``data`` to the new file ``fd``, and flush it to disk."""
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def atomic_write(path: Path, data: bytes, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` so that a reader sees the old or the new file, never a
    part of one; and, when ``durable``, so that a crash does not either (both are flushed to
    disk)."""
    with atomic_file(path, durable) as staged:
        staged.write_bytes(data)


@contextlib.contextmanager
def atomic_file(path: Path, durable: bool = True) -> Iterator[Path]:
    """A new file beside ``path`` (with the mode ``path`` has, or would get) for the block to
    write ``path``'s new content to, streaming; when the block ends, it replaces ``path`` as
    :func:`atomic_write` does, and when the block fails, it is deleted and ``path`` is left
    as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{_STAGED}{path.name}-", suffix=".tmp")
    staged = Path(tmp)
    try:
        try:
            os.fchmod(fd, _mode(path))
        finally:
            os.close(fd)
        yield staged
        if durable:
            fsync(staged)
        os.replace(staged, path)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    if durable:
        fsync(path.parent)


def folder_mode() -> int:
    """The mode a new folder gets from the umask (mkdtemp's private 0700 would hide it)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def fsync(path: Path) -> None:
    """Flush ``path`` to disk: a file's content, or a folder's renames."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2() -> Callable[..., int] | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name, use_errno=True).renameat2 if name else None
    except (OSError, AttributeError):
        return None


_RENAMEAT2 = _renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step; False where the system cannot."""
    if _RENAMEAT2 is None:
        return False
    done = _RENAMEAT2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    return done == 0


def _move_into_place(new: Path, target: Path) -> None:
    """Put ``new`` (a file or folder) at ``target``, replacing what is there."""
    if target.is_dir() and not target.is_symlink():
        if _exchange(new, target):  # new is now the old folder
            shutil.rmtree(new, ignore_errors=True)
            return
        trash = Path(tempfile.mkdtemp(prefix=f"{_TRASH}{target.name}-", dir=target.parent))
        os.replace(target, trash / target.name)
        os.replace(new, target)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(new, target)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM are delivered when the block ends, not inside it."""
    held = {signal.SIGINT, signal.SIGTERM}
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the output folder for one build at a time (other builds wait); the lock goes with
    the process, however it ends. Finishes or cleans up what a killed build left first."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        recover(folder)
        yield
    finally:
        os.close(fd)  # releases the lock


def recover(folder: Path) -> None:
    """Finish the moves of a build killed while committing (its journal lists them), then
    delete whatever a killed build left half made."""
    journal = folder / JOURNAL
    if journal.exists():
        try:
            moves = [(str(s), str(t), int(i)) for s, t, i in json.loads(journal.read_bytes())]
        except (ValueError, TypeError, OSError):
            moves = []  # a journal is written atomically; a broken one is not kg's: ignore it
        for staged, target, inode in moves:
            path = folder / staged
            if not path.exists():
                continue  # moved before the build was killed
            if path.stat().st_ino == inode:
                _move_into_place(path, folder / target)
            # else: a folder swap was made and this is the old folder, deleted below
        journal.unlink()
        fsync(folder)
    for entry in folder.iterdir():
        if entry.name.startswith(_LEFTOVER_PREFIXES):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


class Staging:
    """A build's outputs, written beside their targets in ``folder`` and moved into place
    together by :meth:`commit`. Use as a context manager: what was not committed is deleted."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.moves: list[tuple[Path, Path]] = []  # (staged, target)

    def _staged(self, name: str) -> tuple[int, Path]:
        """A new file beside ``name``, with the mode ``name`` should have, moved there on
        commit."""
        target = self.folder / name
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f"{_STAGED}{name}-", suffix=".tmp")
        os.fchmod(fd, _mode(target))
        self.moves.append((Path(tmp), target))
        return fd, Path(tmp)

    def file(self, name: str, data: bytes) -> None:
        fd, _ = self._staged(name)
        _write(fd, data)

    def path(self, name: str) -> Path:
        """A path for another library to write ``name``'s new content to; ``fsync`` it once
        written."""
        fd, path = self._staged(name)
        os.close(fd)
        return path

    def folder_for(self, name: str) -> Path:
        """A new empty folder to fill; it becomes ``name`` on commit."""
        fresh = Path(tempfile.mkdtemp(prefix=f"{_STAGED}{name}-", dir=self.folder))
        fresh.chmod(folder_mode())
        self.moves.append((fresh, self.folder / name))
        return fresh

    def commit(self) -> None:
        """Move everything into place. Ctrl-C (or SIGTERM) waits until this is done, so an
        interrupted build leaves all the old outputs or all the new ones."""
        # the inode tells a staged folder from the old one a swap has put in its place
        journal = [[s.name, t.name, s.stat().st_ino] for s, t in self.moves]
        with _signals_held():
            atomic_write(self.folder / JOURNAL, json.dumps(journal).encode("utf-8"))
            for staged, target in self.moves:
                _move_into_place(staged, target)
            self.moves = []
            (self.folder / JOURNAL).unlink()
            fsync(self.folder)

    def discard(self) -> None:
        for staged, _ in self.moves:
            if staged.is_dir():
                shutil.rmtree(staged, ignore_errors=True)
            else:
                staged.unlink(missing_ok=True)
        self.moves = []

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()
