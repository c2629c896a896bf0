"""What the JSON responses ``kg fetch`` saves share: the envelope that says what was asked and
on which day, and the few top-level values of a response that say what the rest of it is.

An envelope is ``{"kg_fetch": {"service": …, "endpoint": …, "id": …, "date": …},
"response": <the body, verbatim>}``, the header first. A bare body (a response saved as it
came) has no header. The records of the body are found by :func:`kg.extract.jsonwalk.walk_json`
with ``"response"`` marked ``"body"``; :func:`read_head` reads the rest without decoding the
lists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .jsonwalk import SNIFF_HEAD, skip_value

BODY = "response"  # the envelope's key of the body
HEADER = "kg_fetch"  # the envelope's key of the header

_ENVELOPE = re.compile(r'^[\ufeff \t\r\n]*\{\s*"kg_fetch"\s*:\s*\{')
_SERVICE = re.compile(r'"service"\s*:\s*"([^"\\]*)"')
_HEADER_SPAN = 2000  # characters of the header searched for its service
_WS = re.compile(r"[ \t\n\r]*")


@dataclass(frozen=True)
class Head:
    """The envelope's header (empty for a bare body), the top-level keys of the body (of an
    object body) and the values of the keys asked for."""

    fetch: Mapping[str, str] = field(default_factory=dict)
    keys: frozenset[str] = frozenset()
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def date(self) -> str | None:
        """The day of the response (ISO 8601) the header gives, when it is a real date."""
        day = self.fetch.get("date", "")
        try:
            date.fromisoformat(day)
        except ValueError:
            return None
        return day if len(day) == 10 else None


def service(text: str) -> str | None:
    """The service an envelope's header names (``semanticscholar``); None for a text that
    does not start with an envelope."""
    head = text[:SNIFF_HEAD]
    start = _ENVELOPE.match(head)
    if start is None:
        return None
    end = head.find("}", start.end(), start.end() + _HEADER_SPAN)
    found = _SERVICE.search(head, start.end(), end if end >= 0 else start.end() + _HEADER_SPAN)
    return found[1] if found else None


def read_head(text: str, wanted: frozenset[str] = frozenset()) -> Head:
    """The envelope's header and what the body's top level holds: its keys and the values of
    ``wanted`` (a list's elements are skipped, not decoded). What cannot be read is left out;
    never raises."""
    fetch: dict[str, str] = {}
    keys: set[str] = set()
    values: dict[str, Any] = {}
    text = text[1:] if text.startswith("\ufeff") else text
    start = _ws(text, 0)
    if not text.startswith("{", start):
        return Head()
    decoder = json.JSONDecoder()
    try:
        body: int | None = start
        if _ENVELOPE.match(text):
            body = None
            for key, pos in _members(text, start, decoder):
                if key == HEADER:
                    header, _ = decoder.raw_decode(text, pos)
                    if isinstance(header, dict):
                        fetch = {k: v for k, v in header.items() if isinstance(v, str)}
                elif key == BODY and text.startswith("{", pos):
                    body = pos
        if body is not None:
            for key, pos in _members(text, body, decoder):
                keys.add(key)
                if key in wanted:
                    values[key], _ = decoder.raw_decode(text, pos)
    except (ValueError, RecursionError):
        pass
    return Head(fetch, frozenset(keys), values)


def _ws(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _members(text: str, pos: int, decoder: json.JSONDecoder) -> Iterator[tuple[str, int]]:
    """(key, where its value starts) of each member of the object at ``pos``, in order; stops
    at the object's end or at what it cannot read (raises ValueError on a broken key)."""
    pos = _ws(text, pos + 1)
    while text.startswith('"', pos):
        key, pos = decoder.raw_decode(text, pos)
        pos = _ws(text, pos)
        if not text.startswith(":", pos):
            return
        pos = _ws(text, pos + 1)
        yield str(key), pos
        end = skip_value(text, pos)
        if end is None:
            return
        pos = _ws(text, end)
        if not text.startswith(",", pos):
            return
        pos = _ws(text, pos + 1)
