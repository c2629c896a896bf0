"""Reading one input file: raw or gzipped, decoded, its format chosen, its records parsed.

A small file is read whole. A file larger than :data:`HEAD` bytes (after decompression)
whose extractor can read chunks (``parse_chunks``) is streamed: decompressed, decoded and
parsed a block at a time, so a large ``.xml.gz`` never sits in memory as one string.
Nothing here raises for a bad file: what cannot be read becomes a :class:`Problem`.
"""

from __future__ import annotations

import codecs
import dataclasses
import gzip
import hashlib
import itertools
import os
import pickle
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from . import extract
from .errors import KgError
from .extract.common import MAX_TEXT
from .records import Extraction, Loc, Problem, Record, Sharing, Source, at

# kg fetch's own folder in its output (HTTP cache, rejected answers): never an input
FETCH_HIDDEN = ".kg-fetch"

BLOCK = 1 << 20  # bytes read at a time
HEAD = 4 << 20  # a file up to this size (decompressed) is read whole
MAX_EXPANDED = 4 << 30  # a compressed input may expand to at most this (a gzip bomb is refused)
_GZIP_MAGIC = b"\x1f\x8b"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode(data: bytes) -> tuple[str, list[Problem]]:
    """Text from bytes: UTF-8 (BOM or not) or UTF-16 with a BOM. Invalid UTF-8 is replaced and
    reported; a binary file raises KgError."""
    decoder = Decoder(data)
    return decoder.decode(data, final=True), decoder.problems


class Decoder:
    """An incremental decoder that reports the first invalid byte (with its line) and then
    replaces what it cannot read. The encoding is chosen from the first bytes."""

    def __init__(self, first: bytes) -> None:
        self.encoding = "utf-16" if first.startswith(_UTF16_BOMS) else "utf-8-sig"
        if self.encoding != "utf-16" and b"\x00" in first[:65536]:
            raise KgError("binary file, not text")
        self.decoder = codecs.getincrementaldecoder(self.encoding)(errors="strict")
        self.offset = 0  # bytes decoded so far
        self.lines = 0  # newlines in them
        self.problems: list[Problem] = []

    def decode(self, data: bytes, final: bool = False) -> str:
        try:
            text = self.decoder.decode(data, final)
        except UnicodeDecodeError as error:
            if self.encoding == "utf-16":
                raise KgError(f"invalid UTF-16 at byte {self.offset + error.start}") from None
            at_byte = self.offset + max(error.start, 0)
            line = self.lines + data[: max(error.start, 0)].count(b"\n") + 1
            self.problems.append(
                Problem(f"invalid UTF-8 at byte {at_byte}; replaced", Loc(line=line))
            )
            self.decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
            text = self.decoder.decode(data, final)
        self.offset += len(data)
        self.lines += data.count(b"\n")
        return text


class _Content:
    """The bytes of a file, decompressed when it starts with gzip's magic bytes, refusing more
    than ``limit`` bytes. Damaged gzip data raises KgError."""

    def __init__(self, path: Path) -> None:
        self.raw: BinaryIO = path.open("rb")
        self.gzipped = self.raw.read(2) == _GZIP_MAGIC
        self.raw.seek(0)
        self.stream: BinaryIO = gzip.GzipFile(fileobj=self.raw) if self.gzipped else self.raw
        self.limit, self.total = MAX_EXPANDED, 0

    def read(self, size: int) -> bytes:
        try:
            data = self.stream.read(size)
        except (OSError, EOFError, zlib.error) as error:
            if not self.gzipped:
                raise
            raise KgError(f"damaged gzip file: {error}") from None
        self.total += len(data)
        if self.gzipped and self.total > self.limit:
            raise KgError(f"compressed file expands beyond {self.limit >> 20} MiB")
        return data

    def close(self) -> None:
        self.stream.close()
        self.raw.close()


def display_path(path: Path) -> str:
    """``path`` as text that any output can hold: the bytes of a name that is not UTF-8 (Python
    holds them as lone surrogates) are written as ``\\xe9``."""
    name = path.as_posix()
    return os.fsencode(name).decode("utf-8", "backslashreplace") if _has_surrogate(name) else name


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        while block := raw.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


Result = tuple[Extraction | None, list[Problem]]  # what one file gave


def extract_file(path: Path, forced: str | None = None, sha256: str | None = None) -> Result:
    """Read one file into records; never raises for a bad file, reports it instead.
    A gzip file (found by its magic bytes, whatever its name) is read decompressed.
    ``sha256``: the file's hash when the caller has it already."""
    name = display_path(path)
    records: list[Record] = []
    problems: list[Problem] = []
    module = None
    try:
        content = _Content(path)
    except OSError as error:
        return None, [Problem(f"cannot read: {error.strerror}", Loc(name))]
    try:
        head = content.read(HEAD)
        if len(head) < HEAD:  # the whole file: read it as one text
            if not head.strip():
                return None, [Problem("empty file", Loc(name))]
            text, decode_problems = decode(head)
            module = extract.choose(text, forced)
            items: Iterator[Record] = module.parse(text)
        else:
            decoder = Decoder(head)
            first = decoder.decode(head)
            module = extract.choose(first, forced)
            if hasattr(module, "parse_chunks"):
                decode_problems = decoder.problems  # filled while the chunks are read
                items = module.parse_chunks(_chunks(first, content, decoder))
            else:  # an extractor that needs the whole text
                rest = bytearray(head)
                while block := content.read(BLOCK):
                    rest += block
                text, decode_problems = decode(bytes(rest))
                items = module.parse(text)  # its format is the one its first block has
        # a file read whole holds fewer characters than MAX_TEXT, and so does any text of it
        # (BibTeX macros expand to at most that): only a bigger file's records are measured
        if len(head) >= HEAD:
            items = _bounded(items)
        shared = Sharing()
        for record in items:
            if isinstance(record, Problem):
                problems.append(at(record, name))
            else:
                records.append(shared.record(record, name))
        problems[:0] = [at(p, name) for p in decode_problems]
    except KgError as error:
        problems.append(Problem(str(error), Loc(name)))
    except OSError as error:
        problems.append(Problem(f"cannot read: {error.strerror}", Loc(name)))
    finally:
        content.close()
    if module is None:
        return None, problems
    if not records:
        problems.append(Problem(f"nothing could be read as {module.FORMAT}", Loc(name)))
        return None, problems
    source = Source(name, sha256 or sha256_of(path), module.FORMAT, module.MEDIA_TYPE)
    return Extraction(source, tuple(records)), problems


MEASURED = 256  # records measured together, in one pickle


def _bounded(items: Iterable[Record]) -> Iterator[Record]:
    """``items`` with each record ``bounded``, its Problems given before it. Records are
    measured ``MEASURED`` at a time: a batch whose pickle is shorter than MAX_TEXT bytes holds
    no longer text, and one pickle of the batch costs less than one of each record."""
    items = iter(items)
    while batch := list(itertools.islice(items, MEASURED)):
        records = [item for item in batch if not isinstance(item, Problem)]
        if len(pickle.dumps(records, pickle.HIGHEST_PROTOCOL)) <= MAX_TEXT:
            yield from batch
            continue
        for item in batch:
            if isinstance(item, Problem):
                yield item
                continue
            kept, left_out = bounded(item)
            yield from left_out
            if kept is not None:
                yield kept


def bounded(record: Record) -> tuple[Record | None, list[Problem]]:
    """``record`` without the texts longer than ``MAX_TEXT``, and a Problem for each one
    left out. An optional field is emptied; a list loses the item; a text a record cannot do
    without (a name, a statement) takes the person, heading or whole record with it."""
    # a record whose pickle is shorter than MAX_TEXT bytes holds no longer text: the one test
    # most records need, made in C (walking every field in Python costs far more)
    if len(pickle.dumps(record, pickle.HIGHEST_PROTOCOL)) <= MAX_TEXT or not _has_long_text(record):
        return record, []
    left_out: list[str] = []
    kept = _without_long_texts(record, "", left_out)
    if kept is _LEFT_OUT:
        left_out[-1] += "; the record is skipped"
    line = record.loc.line
    return (None if kept is _LEFT_OUT else kept), [Problem(m, Loc(line=line)) for m in left_out]


_LEFT_OUT = object()


def _has_long_text(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) > MAX_TEXT
    if isinstance(value, tuple):
        return any(_has_long_text(item) for item in value)
    if dataclasses.is_dataclass(value):
        return any(_has_long_text(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False


def _without_long_texts(value: Any, where: str, left_out: list[str]) -> Any:
    """``value`` rebuilt without its long texts (``_LEFT_OUT`` when it cannot stay)."""
    if isinstance(value, str):
        left_out.append(_too_long(where, value))
        return _LEFT_OUT
    if isinstance(value, tuple):
        kept = []
        for item in value:
            if not _has_long_text(item):
                kept.append(item)
            elif dataclasses.is_dataclass(item):
                if (rebuilt := _without_long_texts(item, where, left_out)) is not _LEFT_OUT:
                    kept.append(rebuilt)
            else:  # a text, or a pair such as (tag, value): the whole item goes
                left_out.append(_too_long(where, max(_texts(item), key=len)))
        return tuple(kept)
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(value):
        if not field.init:  # made from the others (Paper.ref)
            continue
        item = getattr(value, field.name)
        if not _has_long_text(item):
            continue
        name = f"{where}.{field.name}" if where else field.name
        rebuilt = _without_long_texts(item, name, left_out)
        if rebuilt is not _LEFT_OUT:
            changes[field.name] = rebuilt
        elif field.default is None:
            changes[field.name] = None
        else:
            return _LEFT_OUT
    return dataclasses.replace(value, **changes)


def _too_long(where: str, text: str) -> str:
    size = f"{len(text):,} characters, more than kg keeps ({MAX_TEXT:,})"
    return f"{where or 'text'} left out: {size}"


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _texts(item)


def _chunks(first: str, content: _Content, decoder: Decoder) -> Iterator[str]:
    """The text: its decoded first block, then the rest a block at a time."""
    yield first
    while block := content.read(BLOCK):
        yield decoder.decode(block)
    yield decoder.decode(b"", final=True)
