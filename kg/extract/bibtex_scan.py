"""BibTeX syntax: the entries of a text, with their fields as raw (still LaTeX) values.

:class:`Scanner` reads ``@type{key, field = value, …}`` entries (or with round brackets):
values in ``{…}`` with nested braces, ``"…"``, numbers or ``@string`` macros joined by ``#``.
``@comment`` and ``@preamble`` are read past. A broken entry is reported as a Problem with its
line and skipped; reading goes on at the next line that starts with ``@``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..records import Loc, Problem
from .common import MAX_TEXT, MONTHS

# The month macros BibTeX predefines.
MONTH_MACROS: dict[str, str] = {
    m.lower(): full
    for m, full in zip(
        MONTHS,
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        strict=True,
    )
}

# ---------------------------------------------------------------------------- patterns

_ENTRY_LINE = re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(]", re.M)
_NEXT_ENTRY = re.compile(r"[ \t]*@[A-Za-z]+[ \t]*[{(]")
_SPACE = re.compile(r"\s*")
_TYPE_NAME = re.compile(r"[A-Za-z][\w-]*")
_KEY = re.compile(r"[^\s,{}()]*")
_FIELD_NAME = re.compile(r"[A-Za-z0-9_][\w.:+/-]*")
_NUMBER = re.compile(r"\d+")
_BRACE_EVENTS = re.compile(r"[{}\n]")
_PAREN_EVENTS = re.compile(r"[()\n]")
_QUOTE_EVENTS = re.compile(r'[{}"\n]')
_FIELD_LIKE = re.compile(r"^[A-Za-z0-9_][\w.:+/-]*\s*=")


# ---------------------------------------------------------------------------- scanning


class _BibError(ValueError):
    """A syntax error at offset ``pos`` of the text."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


@dataclass
class Entry:
    """One entry as read: its type, citation key, line and fields with their raw values."""

    kind: str  # lower case
    key: str
    line: int
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, raw value)


class Scanner:
    """Reads the entries of a text; a broken one raises :class:`_BibError` and is skipped."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.macros: dict[str, str] = dict(MONTH_MACROS)
        # Macros can double a text at every @string (a macro bomb): what they expand to is
        # bounded, in one value and in all (generously: abbreviations expand a few times).
        self.expansion_left = 8 * len(text) + MAX_TEXT
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(self, pos: int) -> int:
        return bisect.bisect_right(self.line_starts, pos)

    def entries(self) -> Iterator[Entry | Problem]:
        pos = 0
        while (start := self._next_entry(pos)) is not None:
            line = self.line_of(start)
            try:
                entry, end = self._entry(start)
                following = self._next_entry(end)
                junk = self.text[end : len(self.text) if following is None else following]
                junk = junk.strip()
                if junk and (junk[0] in ",}" or _FIELD_LIKE.match(junk)):
                    where = self.text.index(junk[0], end)
                    raise _BibError("text after the end of the entry (a '}' too many?)", where)
            except _BibError as error:
                yield Problem(
                    f"broken BibTeX entry: {error.message} (line {self.line_of(error.pos)})",
                    Loc(line=line),
                )
                pos = self._resync(start)
                continue
            pos = end
            if entry is not None:
                yield entry

    def _next_entry(self, pos: int) -> int | None:
        """The ``@`` of the next entry: right after the previous one, or at a line start."""
        here = self._skip(pos)
        if here < len(self.text) and self.text[here] == "@":
            return here
        m = _ENTRY_LINE.search(self.text, pos)
        return self.text.index("@", m.start()) if m else None

    def _resync(self, start: int) -> int:
        """After a broken entry: the start of the line after the one where it began."""
        newline = self.text.find("\n", start)
        return len(self.text) if newline < 0 else newline + 1

    def _skip(self, pos: int) -> int:
        """The first offset at or after ``pos`` that is not white space."""
        m = _SPACE.match(self.text, pos)
        return m.end() if m else pos

    def _expected(self, pos: int, what: str) -> _BibError:
        if self.text.startswith("@", pos):
            return _BibError(
                f"expected {what}: the entry runs into the next one (unbalanced?)", pos
            )
        found = repr(self.text[pos]) if pos < len(self.text) else "end of text"
        return _BibError(f"expected {what}, found {found}", pos)

    def _expect(self, pos: int, chars: str, what: str) -> str:
        """The character at ``pos``, which must be one of ``chars``."""
        if pos >= len(self.text) or self.text[pos] not in chars:
            raise self._expected(pos, what)
        return self.text[pos]

    def _entry(self, start: int) -> tuple[Entry | None, int]:
        text = self.text
        m = _TYPE_NAME.match(text, start + 1)
        if not m:
            raise _BibError("no entry type after '@'", start)
        kind = m.group(0).lower()
        pos = self._skip(m.end())
        if kind == "comment" and (pos >= len(text) or text[pos] not in "{("):
            end = text.find("\n", pos)
            return None, len(text) if end < 0 else end
        opener = self._expect(pos, "{(", f"'{{' or '(' after @{m.group(0)}")
        closer = "}" if opener == "{" else ")"
        if kind == "comment":
            _, end = self._group(pos, opener, closer)
            return None, end
        if kind == "preamble":
            _, pos = self._value(self._skip(pos + 1))
            self._expect(self._skip(pos), closer, f"'{closer}' closing @preamble")
            return None, self._skip(pos) + 1
        if kind == "string":
            return None, self._strings(pos + 1, closer)
        key_start = self._skip(pos + 1)
        key_match = _KEY.match(text, key_start)
        key_end = key_match.end() if key_match else key_start
        entry = Entry(kind, text[key_start:key_end], self.line_of(start))
        pos = self._skip(key_end)
        if self._expect(pos, "," + closer, "',' after the key") == closer:
            return entry, pos + 1
        pos += 1
        while True:
            pos = self._skip(pos)
            if pos < len(text) and text[pos] == closer:
                return entry, pos + 1
            name = _FIELD_NAME.match(text, pos)
            if not name:
                raise self._expected(pos, f"a field name or '{closer}'")
            pos = self._skip(name.end())
            self._expect(pos, "=", f"'=' after {name.group(0)}")
            value, pos = self._value(self._skip(pos + 1))
            entry.fields.append((name.group(0).lower(), value))
            pos = self._skip(pos)
            if self._expect(pos, "," + closer, f"',' or '{closer}' after a value") == closer:
                return entry, pos + 1
            pos += 1

    def _strings(self, pos: int, closer: str) -> int:
        """``@string{name = value}``: the macro is defined for the entries that follow."""
        while True:
            pos = self._skip(pos)
            if pos < len(self.text) and self.text[pos] == closer:
                return pos + 1
            name = _FIELD_NAME.match(self.text, pos)
            if not name:
                raise self._expected(pos, "a macro name")
            pos = self._skip(name.end())
            self._expect(pos, "=", "'=' in @string")
            value, pos = self._value(self._skip(pos + 1))
            self.macros[name.group(0).lower()] = value
            pos = self._skip(pos)
            if self._expect(pos, "," + closer, f"',' or '{closer}' in @string") == closer:
                return pos + 1
            pos += 1

    def _value(self, pos: int) -> tuple[str, int]:
        """``{…}``, ``"…"``, a number or a macro, and more of them after ``#``."""
        parts: list[str] = []
        text = self.text
        size = 0
        while True:
            char = text[pos] if pos < len(text) else ""
            if char == "{":
                part, pos = self._group(pos, "{", "}")
            elif char == '"':
                part, pos = self._quoted(pos)
            elif number := _NUMBER.match(text, pos):
                part, pos = number.group(0), number.end()
            elif macro := _FIELD_NAME.match(text, pos):
                name, pos = macro.group(0), macro.end()
                part = self.macros.get(name.lower())
                if part is None:  # an undefined macro is printed as its name
                    part = name
                else:
                    self.expansion_left -= len(part)
                    if self.expansion_left < 0 or size + len(part) > MAX_TEXT:
                        raise _BibError(f"macro {name!r} expands to too much text (a bomb?)", pos)
            else:
                raise self._expected(pos, "a value")
            if size + len(part) > MAX_TEXT:  # a value never outgrows MAX_TEXT (reading.py)
                raise _BibError("a value longer than kg keeps", pos)
            size += len(part)
            parts.append(part)
            after = self._skip(pos)
            if after < len(text) and text[after] == "#":
                pos = self._skip(after + 1)
                continue
            return "".join(parts), pos

    def _group(self, pos: int, opener: str, closer: str) -> tuple[str, int]:
        """The text inside balanced ``{…}`` (or ``(…)``) starting at ``pos``; a group that
        runs into the next entry (a line starting with ``@type{``) is unbalanced."""
        events = _BRACE_EVENTS if opener == "{" else _PAREN_EVENTS
        depth, i = 0, pos
        while m := events.search(self.text, i):
            char, i = m.group(0), m.end()
            if char == "\n":
                if _NEXT_ENTRY.match(self.text, i):
                    break
            elif char == opener:
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return self.text[pos + 1 : i - 1], i
        raise _BibError(
            f"unbalanced braces: '{opener}' at line {self.line_of(pos)} never closed", pos
        )

    def _quoted(self, pos: int) -> tuple[str, int]:
        depth, i = 0, pos + 1
        while m := _QUOTE_EVENTS.search(self.text, i):
            char, i = m.group(0), m.end()
            if char == "\n":
                if _NEXT_ENTRY.match(self.text, i):
                    break
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth < 0:
                    raise _BibError("unbalanced braces inside a quoted value", i - 1)
            elif depth == 0:
                return self.text[pos + 1 : i - 1], i
        raise _BibError(f"unbalanced quotes: '\"' at line {self.line_of(pos)} never closed", pos)
