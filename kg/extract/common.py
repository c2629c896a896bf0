"""What every extractor shares besides names (names.py): the errors a reader guards against
and PubMed's way of printing a date."""

from __future__ import annotations

import re
from typing import Any

from ..records import Paper
from ..text import clean_text

# What reading an odd record can raise; parse turns these into Problems instead of raising.
READ_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    ArithmeticError,
    RecursionError,
)

# The longest text one field of a record may hold, in characters. The build leaves a longer one
# out and reports it (a 50 MB line is no title: it would cost ten times its size on the way to
# the outputs); an extractor that makes text (BibTeX macros) stops before making more.
MAX_TEXT = 4 << 20

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def identifiable(paper: Paper) -> bool:
    """Whether ``paper`` has a DOI, a PMID, a PMCID or a title the graph keeps (one of control
    characters only is dropped, kg.text.clean_text): a record with none of them is no paper."""
    return bool(paper.doi or paper.pmid or paper.pmcid or clean_text(paper.title or ""))


def number(value: Any) -> int | None:
    """An int from a number or a digit string; None for anything else (bools included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def month_date(year: Any, month: Any = None, day: Any = None) -> str | None:
    """``2012, 3, 21`` -> ``2012 Mar 21`` (``2019 Oct``, ``2019``); None without a year."""
    y = number(year)
    if y is None or not 0 < y < 10000:
        return None
    m = number(month)
    if m is None or not 1 <= m <= 12:
        return str(y)
    d = number(day)
    if d is None or not 1 <= d <= 31:
        return f"{y} {MONTHS[m - 1]}"
    return f"{y} {MONTHS[m - 1]} {d:02d}"


class XmlRoot:
    """Whether a text's document element (after its declaration, DOCTYPE and comments) is one
    of ``names``; or its DOCTYPE names one and the internal subset runs past the text sniffed
    (an entity bomb), which the format claims in order to refuse it, not leave it unknown."""

    _SUBSET_END = re.compile(r"\]\s*>")

    def __init__(self, *names: str) -> None:
        alternatives = "|".join(names)
        self.root = re.compile(
            r"\A\s*(?:<\?xml\b[^>]*\?>\s*)?"
            r"(?:(?:<!--.*?-->|<\?.*?\?>|<!DOCTYPE\b[^\[>]*(?:\[.*?\]\s*)?>)\s*)*"
            rf"<(?:{alternatives})[\s/>]",
            re.S,
        )
        self.subset = re.compile(
            r"\A\s*(?:<\?xml\b[^>]*\?>\s*)?(?:(?:<!--.*?-->|<\?.*?\?>)\s*)*"
            rf"<!DOCTYPE\s+(?:{alternatives})\b[^\[>]*\[",
            re.S,
        )

    def claims(self, head: str) -> bool:
        if self.root.match(head):
            return True
        subset = self.subset.match(head)
        return bool(subset) and not self._SUBSET_END.search(head, subset.end())
