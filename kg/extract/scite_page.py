"""A scite report page copied as text.

The page starts with the year and ``DOI: …``, then the title, ``Abstract: `` with the first
section label glued to its text (``BackgroundSocial …``) and ``… Show more`` cut off by the
page, the filter side bar (with the citation-type tallies), ``Cited by N publications``,
``(M citation statements)``, ``References N publications``, the tallies again, and the
citation statements: ``“…text…”`` then ``Section: Discussionmentioning`` (section and type
glued) and ``confidence: 99%``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from ..ids import normalize_doi
from ..records import (
    STATEMENT_TYPES,
    CitationCounts,
    CitationStatement,
    Loc,
    Paper,
    Problem,
    Record,
)

FORMAT = "scite_page"
MEDIA_TYPE = "text/plain"

_DOI_LINE = re.compile(r"^DOI:\s*(\S+)\s*$")
_YEAR_LINE = re.compile(r"^(1[5-9]\d\d|20\d\d)$")
_SECTION_LINE = re.compile(r"^Section:\s*(.*?)(" + "|".join(STATEMENT_TYPES) + r")\s*$")
_CONFIDENCE_LINE = re.compile(r"^confidence:\s*(\d+(?:\.\d+)?)\s*%\s*$")
_CITED_BY = re.compile(r"^Cited by (\d[\d,]*) publications?$")
_STATEMENTS = re.compile(r"^\((\d[\d,]*) citation statements?\)$")
_REFERENCES = re.compile(r"^References (\d[\d,]*) publications?$")
_ABSTRACT = re.compile(r"^Abstract:\s*(.*)$")
_SHOW_MORE = re.compile(r"\s*(?:…|\.\.\.)?\s*Show more\s*$")
_NUMBER = re.compile(r"^\d+$")
# Abstract labels that scite glues to the first word ("BackgroundSocial marginalization …").
_LABELS = (
    "Background",
    "Introduction",
    "Objective",
    "Objectives",
    "Aims",
    "Aim",
    "Purpose",
    "Context",
    "Methods",
    "Method",
    "Results",
    "Conclusions",
    "Conclusion",
)
_GLUED_LABEL = re.compile(r"^(" + "|".join(sorted(_LABELS, key=len, reverse=True)) + r")(?=[A-Z])")
# Lines of page chrome before the title.
_CHROME = {"|View full text |Cite", "|", "Sign up to set email alerts"}
_OPEN, _CLOSE = "\u201c", "\u201d"


def sniff(text: str) -> bool:
    head = text[:4000]
    return bool(
        (
            re.search(r"^DOI:\s*10\.", head, re.M)
            and re.search(r"^Section:.*(?:mentioning|supporting|contrasting)\s*$", text, re.M)
        )
        or (
            re.search(r"^Cited by \d[\d,]* publications?$", head, re.M)
            and re.search(r"^\(\d[\d,]* citation statements?\)$", head, re.M)
        )
    )


def parse(text: str) -> Iterator[Record]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paper = _paper(lines)
    if paper is None:
        yield Problem("scite page without a DOI line: nothing to attach it to", Loc(line=1))
        return
    yield paper
    counts = _counts(lines, paper)
    if counts is not None:
        yield counts
    yield from _statements(lines, paper)


def _paper(lines: list[str]) -> Paper | None:
    doi = year = title = abstract = None
    doi_line = 0
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if doi is None:
            if _YEAR_LINE.match(line):
                year = int(line)
            elif m := _DOI_LINE.match(line):
                doi, doi_line = normalize_doi(m.group(1)), number
            continue
        if title is None:
            if line and line not in _CHROME:
                title = line
            continue
        if not line:
            continue
        if m := _ABSTRACT.match(line):
            abstract = _abstract(m.group(1))
        break
    if doi is None:
        return None
    return Paper(
        loc=Loc(line=doi_line),
        primary=True,
        doi=doi,
        year=year,
        title=title,
        abstract=abstract,
    )


def _abstract(text: str) -> str | None:
    """``BackgroundSocial …… Show more`` -> ``Background: Social ……`` (page chrome cut)."""
    text = _SHOW_MORE.sub("", text).strip()
    text = _GLUED_LABEL.sub(r"\1: ", text, count=1)
    return text or None


def _counts(lines: list[str], paper: Paper) -> CitationCounts | None:
    found: dict[str, int] = {}
    line_no = 0
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        for key, pattern in (
            ("cited_by", _CITED_BY),
            ("statements", _STATEMENTS),
            ("references", _REFERENCES),
        ):
            if key not in found and (m := pattern.match(line)):
                found[key] = int(m.group(1).replace(",", ""))
                line_no = line_no or number
        if "references" in found:
            # the tallies follow: supporting, mentioning, contrasting
            tallies = _three_numbers(lines, number)
            if tallies:
                found.update(zip(("supporting", "mentioning", "contrasting"), tallies, strict=True))
            break
    if not found:
        return None
    return CitationCounts(paper=paper.ref, source_name="scite", loc=Loc(line=line_no), **found)


def _three_numbers(lines: list[str], after: int) -> tuple[int, int, int] | None:
    values = [line.strip() for line in lines[after : after + 3]]
    if len(values) == 3 and all(_NUMBER.match(v) for v in values):
        return int(values[0]), int(values[1]), int(values[2])
    return None


def _statements(lines: list[str], paper: Paper) -> Iterator[Record]:
    seen: set[tuple[str, str | None, str]] = set()
    start = None  # line index where the current statement's text starts
    for index, raw in enumerate(lines):
        line = raw.strip()
        if start is None and line.startswith(_OPEN):
            start = index
        if start is None or not (m := _SECTION_LINE.match(line)):
            continue
        body = " ".join(part.strip() for part in lines[start:index]).strip()
        statement_line, start = start + 1, None
        text = _statement_text(body)
        if not text:
            yield Problem("citation statement without text", Loc(line=statement_line))
            continue
        section = m.group(1).strip() or None
        kind = m.group(2)
        confidence = None
        if index + 1 < len(lines) and (c := _CONFIDENCE_LINE.match(lines[index + 1].strip())):
            confidence = _confidence(c.group(1))
            if confidence is None:
                yield Problem(f"confidence out of range: {c.group(1)}%", Loc(line=index + 2))
        key = (text, section, kind)
        if key in seen:
            continue
        seen.add(key)
        yield CitationStatement(
            cited=paper.ref,
            text=text,
            type=kind,
            section=section,
            confidence=confidence,
            loc=Loc(line=statement_line),
        )


def _statement_text(body: str) -> str:
    """The text between ``“…`` and ``…”``; the ellipses are scite's, not the author's."""
    text = body
    if text.startswith(_OPEN):
        text = text[1:]
    if text.endswith(_CLOSE):
        text = text[:-1]
    text = text.strip()
    if text.startswith("…"):
        text = text[1:]
    if text.endswith("…"):
        text = text[:-1]
    return text.strip()


def _confidence(percent: str) -> Decimal | None:
    try:
        value = Decimal(percent) / 100
    except InvalidOperation:
        return None
    return value if 0 <= value <= 1 else None
