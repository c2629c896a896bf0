"""Text every stage shares: what a literal may hold, and counts in words."""

from __future__ import annotations

import re

# What a text literal never holds. Control characters (C0 and C1, but tab, line feed and
# carriage return) are legal in Turtle and N-Triples but not in XML 1.0 (GraphML, GEXF) and
# drive terminals: the ones that space words (vertical tab, form feed, the separators, NEL)
# become a space, the others are dropped. A lone surrogate (only a JSON escape can make one)
# is not a character UTF-8 can write: it becomes U+FFFD.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_REPLACEMENTS = {
    **dict.fromkeys(map(chr, (*range(0x00, 0x20), *range(0x7F, 0xA0))), ""),
    **dict.fromkeys(map(chr, (0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F, 0x85)), " "),
    **dict.fromkeys(map(chr, range(0xD800, 0xE000)), "\ufffd"),
}


def clean_text(value: str) -> str:
    """``value`` as a literal holds it: see ``_CONTROLS``."""
    if not _CONTROLS.search(value):
        return value
    return _CONTROLS.sub(lambda m: _REPLACEMENTS[m.group()], value)


def counted(n: int, one: str, many: str | None = None) -> str:
    """``1 paper``, ``2,045 papers``, ``1 person``/``3 people``: a count and its noun."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"
