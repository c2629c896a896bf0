"""PubMed article pages saved as text, in either of two layouts.

* The compact layout: the title, ``- PMID:`` / ``- PMCID:`` / ``- DOI:`` lines, the title
  again, ``Abstract`` and labelled paragraphs, then "Similar articles" and "Cited by" lists
  whose entries are ``-`` and one line with title and journal glued together
  (``Title.PLoS One. 2015 Oct 21;10(10):e0134900. doi: …. PLoS One. 2015. PMID: 26488904``).
* A browser's select-all copy of the full page: site chrome, the journal line split in two,
  title, authors with affiliation numbers, affiliations, ``PMID: … PMCID: … DOI: …``, the
  abstract, four-line list entries (title / authors / citation / ``PMID:`` and flags),
  free-text references, publication types, MeSH terms, grants, and the site footer.

Several pages may follow one another in one file: a full page starts at
``Skip to main page content`` (possibly glued to the previous footer), a compact page at a
title line followed by ``- PMID:``. This module splits the pages and reads their headers;
the sections below a header are read by :mod:`kg.extract.pubmed_page_sections`, citation
lines and author names by :mod:`kg.extract.pubmed_page_citation`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import pairwise

from ..records import Journal, Loc, Paper, PaperRef, Problem, Record, Relation
from .common import READ_ERRORS
from .pubmed_page_citation import (
    PUBLICATION_TYPES,
    Fields,
    Line,
    citation_fields,
    clean_title,
    merge_fields,
    parse_authors,
    set_identifier,
    set_identifiers,
)
from .pubmed_page_sections import FIELD_READERS, Item, read_list

FORMAT = "pubmed_page"
MEDIA_TYPE = "text/plain"

SKIP = "Skip to main page content"


# ---------------------------------------------------------------------------- data tables

# List sections -> (relation kind, the page's paper is the subject, ranked by position).
LIST_RELATIONS: dict[str, tuple[str, bool, bool]] = {
    "Similar articles": ("similar", True, True),
    "Cited by": ("cites", False, False),
    "References": ("cites", True, False),
    "Comment in": ("discusses", False, False),
    "Comment on": ("discusses", True, False),
    "Erratum in": ("corrects", False, False),
    "Erratum for": ("corrects", True, False),
    "Retraction in": ("retracts", False, False),
    "Retraction of": ("retracts", True, False),
    "Update in": ("updates", False, False),
    "Update of": ("updates", True, False),
}

# Sections whose text is site furniture or links: read past, nothing kept.
IGNORED_SECTIONS = frozenset(
    {
        "PubMed Disclaimer",
        "Figures",
        "Supplementary info",
        "Associated data",
        "Full text links",
        "Related information",
        "LinkOut - more resources",
        "Full Text Sources",
        "Other Literature Sources",
        "Medical",
        "Miscellaneous",
        "Research Materials",
        "Molecular Biology Databases",
        "Full Text Sources and Linkout",
    }
)

# Headings that, with a ``PMID:`` line or the site's chrome, make a text a PubMed page.
SNIFF_HEADINGS = frozenset(
    {"Abstract", "Similar articles", "Cited by", "MeSH terms", "Publication types", "References"}
)

# The first lines of the site footer: the page's content ends there.
FOOTER = frozenset(
    {
        "NCBI Literature Resources",
        "Follow NCBI",
        "Connect with NLM",
        "MeSH PMC Bookshelf Disclaimer",
    }
)

AFFILIATION_HEADINGS = frozenset(
    {
        "Affiliation",
        "Affiliations",
        "Affiliation Expand",
        "Affiliation Collapse",
        "Affiliations Expand",
        "Affiliations Collapse",
    }
)

# Every heading that starts a section.
HEADINGS = frozenset(LIST_RELATIONS) | frozenset(FIELD_READERS) | IGNORED_SECTIONS

# ---------------------------------------------------------------------------- patterns

_COMPACT_ID = re.compile(r"^- PMID:\s*\d+\s*$", re.M)
_PAGE_PMID = re.compile(r"^PMID:\s*\d+", re.M)
_META = re.compile(r"^- (?P<key>[A-Za-z]+):\s*(?P<value>.*)$")
_SOURCE_LINE = re.compile(r"^\.\s*\d{4}\b")
_SOURCE_MORE = re.compile(r"^(?:doi:|Epub\b|eCollection\b|Print\b|Online ahead of print)")
_AFFILIATION = re.compile(r"^(?P<number>\d+)\s*(?P<text>\D.*)$")

# ---------------------------------------------------------------------------- interface


def sniff(text: str) -> bool:
    """True for a PubMed article page copied as text, in either layout."""
    if not text:
        return False
    head = "\n".join(text.splitlines()[:40])
    if _COMPACT_ID.search(head):
        return True
    site_copy = SKIP in text and "PubMed" in text
    if not site_copy and not _PAGE_PMID.search(text):
        return False
    return any(line.strip() in SNIFF_HEADINGS for line in text.splitlines())


def parse(text: str) -> Iterator[Record]:
    """Papers and relations of every page in ``text``; Problems for what cannot be read."""
    try:
        pages = _pages(_lines(text))
    except Exception as error:  # noqa: BLE001 - parse never raises on any text
        yield Problem(f"cannot split the text into pages: {error}", Loc(line=1))
        return
    for page in pages:
        try:
            records = _page(page)
        except Exception as error:  # noqa: BLE001 - one bad page never stops the others
            records = [Problem(f"cannot read the page: {error}", Loc(line=page[0][0]))]
        yield from records


# ---------------------------------------------------------------------------- pages


def _lines(text: str) -> list[Line]:
    """Numbered, stripped lines; a page start glued to a footer becomes a line of its own."""
    lines: list[Line] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.replace("\xa0", " ").strip()
        cut = line.find(SKIP)
        if cut > 0:
            lines.append((number, line[:cut].strip()))
            line = line[cut:]
        lines.append((number, line))
    return lines


def _is_compact_start(lines: Sequence[Line], i: int) -> bool:
    text = lines[i][1]
    return (
        bool(text)
        and not text.startswith("-")
        and i + 1 < len(lines)
        and lines[i + 1][1].startswith("- PMID:")
    )


def _pages(lines: list[Line]) -> list[list[Line]]:
    starts = [i for i, (_, text) in enumerate(lines) if text == SKIP or _is_compact_start(lines, i)]
    if not starts or starts[0] != 0:
        prefix = lines[: starts[0]] if starts else lines
        if any(_PAGE_PMID.match(text) for _, text in prefix):
            starts.insert(0, 0)
    bounds = [*starts, len(lines)]
    return [lines[a:b] for a, b in pairwise(bounds) if b > a]


def _page(lines: list[Line]) -> list[Record]:
    header = _compact_header(lines) if _is_compact_start(lines, 0) else _full_header(lines)
    if header is None:
        return [Problem("no PubMed article found on the page", Loc(line=lines[0][0]))]
    fields, line, body = header
    problems: list[Record] = []
    lists: list[tuple[str, list[Item]]] = []
    for heading, start, section in _sections(body):
        try:
            if heading in LIST_RELATIONS:
                lists.append((heading, read_list(heading, section)))
            elif heading in FIELD_READERS:
                merge_fields(fields, FIELD_READERS[heading](section))
        except READ_ERRORS as error:
            problems.append(Problem(f"cannot read {heading!r}: {error}", Loc(line=start)))
    paper = Paper(loc=Loc(line=line), primary=True, **fields)
    records: list[Record] = [paper, *problems]
    for heading, items in lists:
        records.extend(_relate(paper.ref, heading, items))
    return records


def _sections(lines: Sequence[Line]) -> list[tuple[str, int, list[Line]]]:
    """(heading, its line, the lines under it) up to the site footer."""
    sections: list[tuple[str, int, list[Line]]] = []
    for number, text in lines:
        if text in FOOTER:
            break
        if text in HEADINGS:
            sections.append((text, number, []))
        elif sections:
            sections[-1][2].append((number, text))
    return sections


def _relate(page: PaperRef, heading: str, items: list[Item]) -> Iterator[Record]:
    kind, page_is_subject, ranked = LIST_RELATIONS[heading]
    for position, item in enumerate(items, 1):
        yield item
        if isinstance(item, Paper):
            subject, object_ = (page, item.ref) if page_is_subject else (item.ref, page)
            rank = position if ranked else None
            yield Relation(kind, subject, object_, loc=item.loc, rank=rank)


# ---------------------------------------------------------------------------- headers


def _compact_header(lines: list[Line]) -> tuple[Fields, int, list[Line]]:
    """Title, then ``- PMID: …`` style lines; the rest is the body."""
    fields: Fields = {"title": clean_title(lines[0][1])}
    i = 1
    while i < len(lines) and (match := _META.match(lines[i][1])):
        set_identifier(fields, match["key"], match["value"])
        i += 1
    return fields, lines[0][0], lines[i:]


def _full_header(lines: list[Line]) -> tuple[Fields, int, list[Line]] | None:
    """Journal lines, title, authors, affiliations and the ``PMID:`` line of a full page."""
    start = _after_navigation(lines)
    pmid_at = _header_pmid(lines, start)
    if pmid_at is None:
        return None
    fields: Fields = {}
    set_identifiers(fields, lines[pmid_at][1])
    source_at = next(
        (i for i in range(pmid_at - 1, start - 1, -1) if _SOURCE_LINE.match(lines[i][1])), None
    )
    if source_at is None:
        return fields, lines[pmid_at][0], lines[pmid_at + 1 :]
    if source_at > start:
        merge_fields(fields, _journal_line(lines[source_at - 1][1]))
    after = source_at + 1
    source = lines[source_at][1][1:].strip()
    while after < pmid_at and _SOURCE_MORE.match(lines[after][1]):
        source += " " + lines[after][1]
        after += 1
    merge_fields(fields, citation_fields(source))
    region = [(n, t) for n, t in lines[after:pmid_at] if t]
    line = _merge_people(fields, region) or lines[pmid_at][0]
    return fields, line, lines[pmid_at + 1 :]


def _after_navigation(lines: list[Line]) -> int:
    """The index after the "Page navigation" list of section names (0 without one)."""
    for i, (_, text) in enumerate(lines):
        if text == "Page navigation":
            j = i + 1
            while j < len(lines) and (lines[j][1] in HEADINGS or lines[j][1] == "Title & authors"):
                j += 1
            return j
    return 0


def _header_pmid(lines: list[Line], start: int) -> int | None:
    """The index of the article's own ``PMID:`` line, if it comes before any list section."""
    for i in range(start, len(lines)):
        text = lines[i][1]
        if text in LIST_RELATIONS or text in FOOTER:
            return None
        if _PAGE_PMID.match(text):
            return i
    return None


def _journal_line(text: str) -> Fields:
    """``Lancet`` or ``Review Microbiol Mol Biol Rev`` (a publication type glued in front)."""
    for kind in sorted(PUBLICATION_TYPES, key=len, reverse=True):
        if text.startswith(kind + " "):
            return {"types": (kind,), "journal": Journal(abbreviation=text[len(kind) + 1 :])}
    return {"journal": Journal(abbreviation=text)} if text else {}


def _merge_people(fields: Fields, region: list[Line]) -> int | None:
    """Title, authors and affiliations from the lines between citation and PMID line."""
    cut = next((i for i, (_, t) in enumerate(region) if t in AFFILIATION_HEADINGS), len(region))
    before, affiliation_lines = region[:cut], region[cut + 1 :]
    if not before:
        return None
    fields["title"] = clean_title(before[0][1])
    if len(before) > 1:
        fields["authors"] = parse_authors(before[1][1], _affiliations(affiliation_lines))
    return before[0][0]


def _affiliations(lines: list[Line]) -> dict[str, str]:
    """``1Division of …`` lines -> {"1": "Division of …"}."""
    found: dict[str, str] = {}
    for _, text in lines:
        match = _AFFILIATION.match(text)
        number, value = (match["number"], match["text"]) if match else (str(len(found) + 1), text)
        found[number] = value.strip()
    return found
