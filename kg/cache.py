"""The build's cache, ``DIR/.cache/``: what each input file gave, by content hash, so that a
rebuild reads only the files that changed, and the fingerprint of the last build, so that a
rebuild with nothing changed does nothing.

An entry is a pickle of one file's extraction. A pickle can run code when loaded, and a build
folder may come from anyone (a mailed zip), so every entry is signed with HMAC-SHA256 under a
key that never leaves this machine (``$XDG_CACHE_HOME/kg/cache.key``, created 0600); an entry
whose signature does not match is ignored and read again from its file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
from pathlib import Path
from typing import Any

from . import __version__
from .fsio import atomic_write
from .reading import Result

CACHE = ".cache"
_SIGNATURE = 32  # bytes of HMAC-SHA256 before each pickle
_FORMAT = 3  # bump when the records change shape: old entries are then never looked up


def _key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kg" / "cache.key"


def signing_key() -> bytes | None:
    """This machine's key for cache entries (made on first use); None when it cannot be kept,
    and then nothing is cached."""
    path = _key_file()
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(32))
        return path.read_bytes()
    except FileExistsError:  # another build made it meanwhile
        key = path.read_bytes()
        return key if len(key) == 32 else None
    except OSError:
        return None


class Cache:
    """Extractions by (file path, content hash, forced format, kg version)."""

    def __init__(self, output: Path, key: bytes | None) -> None:
        self.folder = output / CACHE / "files"
        self.key = key
        self.used: set[str] = set()

    def _name(self, path: str, sha256: str, forced: str | None) -> str:
        text = "\x1f".join((str(_FORMAT), __version__, path, sha256, forced or ""))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def _entry(self, path: str, sha256: str, forced: str | None) -> Path | None:
        """Where the entry of this file is (None: no cache), which ``prune`` then keeps."""
        if self.key is None:
            return None
        name = self._name(path, sha256, forced)
        self.used.add(name)
        return self.folder / name

    def has(self, path: str, sha256: str, forced: str | None) -> bool:
        """Whether there is an entry to ``get`` (which may yet turn out damaged)."""
        entry = self._entry(path, sha256, forced)
        return entry is not None and entry.is_file()

    def get(self, path: str, sha256: str, forced: str | None) -> Result | None:
        entry = self._entry(path, sha256, forced)
        if entry is None or self.key is None:
            return None
        try:
            data = entry.read_bytes()
        except OSError:
            return None
        signature, body = data[:_SIGNATURE], data[_SIGNATURE:]
        if not hmac.compare_digest(signature, hmac.digest(self.key, body, "sha256")):
            return None  # not written by this machine's kg: never unpickled
        try:
            result: Result = pickle.loads(body)
        except Exception:  # noqa: BLE001 - a signed entry of an older kg: read the file again
            return None
        return result

    def put(self, path: str, sha256: str, forced: str | None, result: Result) -> None:
        entry = self._entry(path, sha256, forced)
        if entry is None or self.key is None:
            return
        body = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
        # not flushed to disk: an entry a crash loses is a file read again, and one it tears
        # fails its signature, so waiting for the disk would buy nothing
        signed = hmac.digest(self.key, body, "sha256") + body
        atomic_write(entry, signed, durable=False)

    def __getstate__(self) -> dict[str, Any]:
        """What a worker process needs to write entries (not the names this build used)."""
        return {"folder": self.folder, "key": self.key, "used": set()}

    def prune(self) -> None:
        """Delete the entries this build did not use (files that changed or went away)."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.name not in self.used:
                entry.unlink(missing_ok=True)


def fingerprint(**parts: Any) -> str:
    """A hash of what a build depends on (inputs' paths and hashes, options, kg's version)."""
    text = json.dumps({"kg": __version__, **parts}, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def last_build(output: Path) -> dict[str, Any] | None:
    try:
        found = json.loads((output / CACHE / "last-build.json").read_bytes())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def remember_build(
    output: Path,
    fingerprint: str,
    outputs: dict[str, list[int]],
    store: list[int],
    graphs: dict[str, tuple[str, int]],
    blocks: dict[str, tuple[str, int, int]] | None = None,
) -> None:
    """What the next build needs to know of this one: its fingerprint, each output's stamp,
    the store's, the digest of each of the store's named graphs, and the view key and block
    in graph.trig of each (kg.pipeline.Blocks)."""
    data = {
        "fingerprint": fingerprint,
        "outputs": outputs,
        "store": store,
        "graphs": graphs,
        "blocks": blocks or {},
    }
    atomic_write(output / CACHE / "last-build.json", json.dumps(data, indent=1).encode())
