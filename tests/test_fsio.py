from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kg.fsio import atomic_file, atomic_write


def test_new_file_gets_the_umask_mode_and_no_temporary_is_left(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "out" / "graph.ttl", b"data")
    finally:
        os.umask(old)
    target = tmp_path / "out" / "graph.ttl"
    assert target.read_bytes() == b"data"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["graph.ttl"]


def test_replacing_keeps_the_old_mode(tmp_path: Path) -> None:
    target = tmp_path / "graph.ttl"
    target.write_bytes(b"old")
    target.chmod(0o640)
    atomic_write(target, b"new")
    assert (target.read_bytes(), stat.S_IMODE(target.stat().st_mode)) == (b"new", 0o640)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "graph.ttl"
    target.write_bytes(b"old")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]


@pytest.mark.parametrize("durable", [True, False])
def test_only_a_durable_write_is_flushed_to_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable: bool
) -> None:
    """A cache entry (durable=False) costs no fsync: a lost one is a file read again."""
    synced: list[int] = []
    real = os.fsync

    def counting(fd: int) -> None:
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", counting)
    atomic_write(tmp_path / "entry", b"data", durable=durable)
    assert (tmp_path / "entry").read_bytes() == b"data"
    assert len(synced) == (2 if durable else 0)  # the file, then its folder


def test_a_file_written_in_the_block_replaces_the_old_one_with_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "graph.nq"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with atomic_file(target) as staged:
        assert staged.parent == tmp_path and staged != target
        assert stat.S_IMODE(staged.stat().st_mode) == 0o640
        with staged.open("wb") as out:  # as another library writes it, bit by bit
            out.write(b"new ")
            out.write(b"content")
        assert target.read_bytes() == b"old"  # not before the block ends
    assert target.read_bytes() == b"new content"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.nq"]


def test_a_failed_block_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "graph.nq"
    target.write_bytes(b"old")
    with pytest.raises(OSError, match="disk full"), atomic_file(target) as staged:
        staged.write_bytes(b"half")
        raise OSError("disk full")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.nq"]
