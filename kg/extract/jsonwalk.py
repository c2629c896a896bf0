"""What the JSON extractors (Crossref, OpenAlex) share: a walk over a JSON text that finds
each work with the line where it starts and survives syntax errors, and small readers for
the loosely typed values of API responses (dates, ISSNs, markup, lists that may be null)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..ids import normalize_issn
from ..records import Loc, Problem, Record
from .common import READ_ERRORS

_WS = re.compile(r"[ \t\n\r]*")

# A ``\u`` escape of a UTF-16 surrogate. json decodes a lone one ("\ud83d" with no partner)
# into a str that no UTF-8 output can hold, so such strings are repaired as they are read.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

_TOKEN = re.compile(r'["{}\[\],]')

_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.S)

_MARKUP = re.compile(
    r"</?(?:(?:jats|mml|xhtml|ali|html):[\w.-]+|i|b|u|em|strong|sub|sup|sc|scp|tt|italic|bold|"
    r"span|p|br|a|font|small|strike|title|sec|list|list-item|label|abstract|math|mi|mo|mn|"
    r"msub|msup|mrow|mtext)\b[^<>]*>",
    re.I,
)


_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


SNIFF_HEAD = 20_000

# An OpenAlex work ID as the value of "id" (slashes may be escaped as "\/").
OPENALEX_WORK_ID = re.compile(r'"id"\s*:\s*"https?:(?:\\?/){2}openalex\.org(?:\\?/)W\d')

# ---------------------------------------------------------------------------- JSON walk


@dataclass(frozen=True)
class Located:
    """A record-sized JSON value and the 1-based line where it starts, or (``error`` set) the
    syntax error json reported at that line."""

    line: int
    value: Any = None
    error: str | None = None


def read_works(
    text: str,
    containers: Mapping[str, str],
    read: Callable[[Any, int], list[Record]],
    what: str,
) -> Iterator[Record]:
    """The records of every work in a JSON text: ``read(work, line)`` for each work found by
    :func:`walk_json`; a syntax error or a work ``read`` cannot handle is a Problem, and the
    walk goes on. Never raises."""
    try:
        for item in walk_json(text, containers):
            if item.error is not None:
                yield Problem(item.error, Loc(line=item.line))
                continue
            try:
                records = read(item.value, item.line)
            except READ_ERRORS as error:
                records = [Problem(f"cannot read the {what}: {error}", Loc(line=item.line))]
            yield from records
    except Exception as error:  # noqa: BLE001 - parse never raises on any text
        yield Problem(f"cannot read the JSON text: {error!r}", Loc(line=1))


def walk_json(text: str, containers: Mapping[str, str]) -> Iterator[Located]:
    """The records of a JSON text: the elements of a top-level array; in a top-level object
    the elements of a ``containers`` key marked ``"list"`` or the object under a key marked
    ``"object"`` (an envelope, itself searched for lists); else the object itself. A key marked
    ``"body"`` holds a whole response (object or array) walked as if it stood at the top (the
    ``response`` of a file ``kg fetch`` wrapped). Several top-level values may follow one
    another (JSON Lines)."""
    return _Walk(text, containers).values()


class _Walk:
    """State of one walk: the text (BOM dropped, line ends normalised) and a line counter."""

    def __init__(self, text: str, containers: Mapping[str, str]) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.containers = containers
        self._pos = 0
        self._line = 1
        self._decoder = json.JSONDecoder()

    def line(self, pos: int) -> int:
        """The 1-based line of ``pos`` (counted on from the last position asked)."""
        if pos < self._pos:
            return self.text.count("\n", 0, pos) + 1
        self._line += self.text.count("\n", self._pos, pos)
        self._pos = pos
        return self._line

    def ws(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def decode(self, pos: int) -> tuple[Any, int] | Located:
        """The value at ``pos`` and where it ends, or the error json reports."""
        try:
            value, end = self._decoder.raw_decode(self.text, pos)
            if _SURROGATE_ESCAPE.search(self.text, pos, end):
                value = _without_surrogates(value)
            return value, end
        except json.JSONDecodeError as error:
            return Located(error.lineno, error=f"JSON syntax error: {error.msg}")
        except RecursionError:
            return Located(self.line(pos), error="JSON nested too deeply")

    def values(self) -> Iterator[Located]:
        text = self.text
        pos = self.ws(0)
        if pos >= len(text):
            yield Located(1, error="no JSON value in the text")
            return
        while pos < len(text):
            line = self.line(pos)
            if text[pos] == "[":
                end = yield from self.array(pos)
            elif text[pos] == "{":
                end, value, found = yield from self.object(pos, 0)
                if not found and end is not None:
                    yield Located(line, value)
            else:
                yield Located(line, error="expected a JSON object or array")
                return
            if end is None:
                # a broken value: go on after its closing bracket (the next JSON line)
                end = skip_value(text, pos)
                if end is None or end <= pos:
                    return
            pos = self.ws(end)

    def array(self, pos: int) -> Generator[Located, None, int | None]:
        """Yield each element of the array at ``pos``; a broken element gives its error and is
        skipped by bracket matching. Returns the end of the array (None: cannot go on)."""
        text = self.text
        pos = self.ws(pos + 1)
        if text.startswith("]", pos):
            return pos + 1
        while True:
            start = pos
            decoded = self.decode(pos)
            if isinstance(decoded, Located):
                yield decoded
                skipped = skip_value(text, start)
                if skipped is None:
                    return None
                pos = skipped
            else:
                yield Located(self.line(start), decoded[0])
                pos = decoded[1]
            pos = self.ws(pos)
            char = text[pos : pos + 1]
            if char == ",":
                pos = self.ws(pos + 1)
                continue
            if char == "]":
                return pos + 1
            yield Located(self.line(pos), error="JSON syntax error: expected ',' or ']'")
            if not char or char not in "{[":
                return None

    def object(
        self, pos: int, depth: int
    ) -> Generator[Located, None, tuple[int | None, dict[str, Any], bool]]:
        """Walk the object at ``pos`` key by key, yielding container records. Returns (end or
        None on a syntax error, the object's other values, whether records were yielded)."""
        text = self.text
        value: dict[str, Any] = {}
        found = False
        pos = self.ws(pos + 1)
        if text.startswith("}", pos):
            return pos + 1, value, found
        while True:
            if not text.startswith('"', pos):
                yield Located(self.line(pos), error="JSON syntax error: expected a property name")
                return None, value, True
            decoded = self.decode(pos)
            if isinstance(decoded, Located):
                yield decoded
                return None, value, True
            key, pos = decoded
            pos = self.ws(pos)
            if not text.startswith(":", pos):
                yield Located(self.line(pos), error="JSON syntax error: expected ':'")
                return None, value, True
            pos = self.ws(pos + 1)
            role = self.containers.get(key) if depth < 2 else None
            if role == "body" and depth == 0 and text.startswith(("{", "["), pos):
                found = True
                line = self.line(pos)
                if text.startswith("[", pos):
                    end = yield from self.array(pos)
                else:  # one level up: the body's containers are found as at the top
                    end, inner, inner_found = yield from self.object(pos, depth - 1)
                    if not inner_found and end is not None:
                        yield Located(line, inner)
            elif role == "list" and text.startswith("[", pos):
                found = True
                end = yield from self.array(pos)
            elif role == "object" and text.startswith("{", pos):
                found = True
                line = self.line(pos)
                end, inner, inner_found = yield from self.object(pos, depth + 1)
                if not inner_found and end is not None:
                    yield Located(line, inner)
            else:
                decoded = self.decode(pos)
                if isinstance(decoded, Located):
                    yield decoded
                    return None, value, True
                value[key], end = decoded
            if end is None:
                return None, value, True
            pos = self.ws(end)
            char = text[pos : pos + 1]
            if char == ",":
                pos = self.ws(pos + 1)
                continue
            if char == "}":
                return pos + 1, value, found
            yield Located(self.line(pos), error="JSON syntax error: expected ',' or '}'")
            return None, value, True


def _without_surrogates(value: Any) -> Any:
    """``value`` with each lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value


def skip_value(text: str, start: int) -> int | None:
    """Where the (broken) JSON value at ``start`` ends, by matching brackets outside strings:
    after its closing bracket, or at the ``,``/``]``/``}`` that ends a scalar. None: never."""
    depth = 0
    pos = start
    while True:
        match = _TOKEN.search(text, pos)
        if match is None:
            return None
        char, pos = match.group(), match.end()
        if char == '"':
            rest = _STRING_REST.match(text, pos)
            if rest is None:
                return None
            pos = rest.end()
        elif char in "{[":
            depth += 1
        elif char in "}]":
            if depth == 0:
                return match.start()
            depth -= 1
            if depth == 0:
                return pos
        elif depth == 0:
            return match.start()


# ---------------------------------------------------------------------------- shared helpers


def text_of(value: Any) -> str | None:
    """A string or number as stripped text (None for empty, null, lists, objects)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return " ".join(value.split()) or None
    return None


def as_list(value: Any) -> list[Any]:
    """A JSON array, [] for null; anything else is an error of the record."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise TypeError(f"expected an array, found {type(value).__name__}")


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON object, {} for null; anything else is an error of the record."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise TypeError(f"expected an object, found {type(value).__name__}")


def plain_text(value: Any) -> str | None:
    """Markup (JATS, MathML, HTML inline tags) stripped, entities decoded, spaces collapsed."""
    text = value if isinstance(value, str) else text_of(value)
    if not text:
        return None
    return " ".join(html.unescape(_MARKUP.sub("", text)).split()) or None


def issn(value: Any) -> str | None:
    """A checksum-valid ISSN from a JSON value (``1554527x`` -> ``1554-527X``), or None."""
    return normalize_issn(text_of(value))


def year_in(text: str | None) -> int | None:
    """The first plausible year (1500-2099) in a free-text reference."""
    match = _YEAR.search(text or "")
    return int(match[1]) if match else None


def unique(values: Iterable[Any]) -> tuple[Any, ...]:
    """Values without repeats or Nones, in order."""
    return tuple(dict.fromkeys(v for v in values if v is not None))
