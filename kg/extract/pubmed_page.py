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
title line followed by ``- PMID:``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from itertools import pairwise
from typing import Any

from ..ids import normalize_doi, normalize_pmcid, normalize_pmid
from ..records import (
    Grant,
    Journal,
    Loc,
    MeshHeading,
    Paper,
    PaperRef,
    Person,
    Problem,
    Record,
    Relation,
)
from .common import READ_ERRORS
from .names import initials, split_full_name

FORMAT = "pubmed_page"
MEDIA_TYPE = "text/plain"

Line = tuple[int, str]  # (1-based line number, text without surrounding white space)
Fields = dict[str, Any]  # keyword arguments for Paper
Item = Paper | Problem  # what one entry of a list section gives

SKIP = "Skip to main page content"


# ---------------------------------------------------------------------------- data tables

# Publication types PubMed prints as flags after a listed PMID or in front of the journal.
PUBLICATION_TYPES = (
    "Review",
    "Systematic Review",
    "Meta-Analysis",
    "Clinical Trial",
    "Clinical Trial, Phase I",
    "Clinical Trial, Phase II",
    "Clinical Trial, Phase III",
    "Clinical Trial, Phase IV",
    "Clinical Trial Protocol",
    "Controlled Clinical Trial",
    "Randomized Controlled Trial",
    "Pragmatic Clinical Trial",
    "Multicenter Study",
    "Observational Study",
    "Comparative Study",
    "Validation Study",
    "Evaluation Study",
    "Case Reports",
    "Editorial",
    "Letter",
    "Comment",
    "News",
    "Guideline",
    "Practice Guideline",
    "Consensus Development Conference",
    "Published Erratum",
    "Retracted Publication",
    "Retraction of Publication",
    "Expression of Concern",
    "Historical Article",
    "Biography",
    "Interview",
    "Lecture",
    "Congress",
    "Preprint",
)

LANGUAGES = (
    "Afrikaans",
    "Arabic",
    "Chinese",
    "Croatian",
    "Czech",
    "Danish",
    "Dutch",
    "Finnish",
    "French",
    "German",
    "Greek",
    "Hebrew",
    "Hungarian",
    "Italian",
    "Japanese",
    "Korean",
    "Norwegian",
    "Persian",
    "Polish",
    "Portuguese",
    "Romanian",
    "Russian",
    "Serbian",
    "Slovak",
    "Slovenian",
    "Spanish",
    "Swedish",
    "Turkish",
    "Ukrainian",
)

# A flag printed after a listed PMID -> (Paper field, value); other flags go to ``extra``.
FLAGS: dict[str, tuple[str, Any]] = {
    "Free PMC article": ("free_full_text", True),
    "Free article": ("free_full_text", True),
    **{kind: ("types", kind) for kind in PUBLICATION_TYPES},
    **{language: ("language", language) for language in LANGUAGES},
}

# Identifier labels (``PMID: 1``, ``- DOI: 10.1/x``) -> (Paper field, normaliser).
IDENTIFIERS: dict[str, tuple[str, Callable[[str | None], str | None]]] = {
    "PMID": ("pmid", normalize_pmid),
    "PMCID": ("pmcid", normalize_pmcid),
    "DOI": ("doi", normalize_doi),
}

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

# Words that make an author a group ("HIV Prevention Trials Network Study Team").
GROUP_WORDS = frozenset(
    {
        "Alliance",
        "Association",
        "Board",
        "Center",
        "Centre",
        "Collaboration",
        "Collaborative",
        "Collaborators",
        "Committee",
        "Consortium",
        "Council",
        "Group",
        "Initiative",
        "Investigators",
        "Network",
        "Organization",
        "Organisation",
        "Panel",
        "Program",
        "Programme",
        "Society",
        "Study",
        "Team",
        "Trialists",
        "Working",
    }
)


MAX_JOURNAL = 200  # longest journal abbreviation looked for when splitting a glued entry

NO_ABSTRACT = frozenset({"No abstract available", "No abstract available."})

# Items of a citation after its "date;volume(issue):pages" part -> Paper field or extra key.
CITATION_ITEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^doi:\s*(\S+)$", re.I), "doi"),
    (re.compile(r"^Epub(?: ahead of print)?\s+(\d{4}.*)$"), "epub_date"),
    (re.compile(r"^eCollection\s+(\d{4}.*)$"), "ecollection"),
    (re.compile(r"^Print\s+(\d{4}.*)$"), "print_date"),
)
PAPER_CITATION_FIELDS = frozenset({"doi", "epub_date"})

# ---------------------------------------------------------------------------- patterns

_COMPACT_ID = re.compile(r"^- PMID:\s*\d+\s*$", re.M)
_PAGE_PMID = re.compile(r"^PMID:\s*\d+", re.M)
_META = re.compile(r"^- (?P<key>[A-Za-z]+):\s*(?P<value>.*)$")
_IDENTIFIER = re.compile(r"\b(PMID|PMCID|DOI):\s*(\S+)")
_SOURCE_LINE = re.compile(r"^\.\s*\d{4}\b")
_SOURCE_MORE = re.compile(r"^(?:doi:|Epub\b|eCollection\b|Print\b|Online ahead of print)")
_SOURCE = re.compile(
    r"^(?P<date>(?P<year>\d{4})\b[^;:]*?)\s*"
    r"(?:;\s*(?P<volume>[^():;]*?)\s*(?:\((?P<issue>[^)]*)\))?)?"
    r"(?::\s*(?P<pages>.+?))?\.?$"
)
_SENTENCE_BREAK = re.compile(r"\.\s+")
_ENTRY_PMID = re.compile(r"^PMID:\s*(?P<pmid>\d+)(?P<flags>.*)$")
_HAS_PMID = re.compile(r"(?:^|\s)PMID:\s*\d")
_CITATION_LINE = re.compile(r"^(?P<journal>[^.].*?)\.\s+(?P<rest>\d{4}\b.*)$")
_COMPACT_ENTRY = re.compile(
    r"^(?P<head>.+)\.\s+(?P<year>\d{4})\.\s+PMID:\s*(?P<pmid>\d+)(?P<flags>.*)$"
)
_COMPACT_FALLBACK = re.compile(
    r"^(?P<title>.*?[.?!\]])(?P<journal>[A-Z][^.]*?)\.\s+(?P<rest>\d{4}.*)$"
)
_FLAG_BREAK = re.compile(r"\.\s*")
_SHORT_NAME = re.compile(
    r"^(?P<family>\S.*?)\s+(?P<initials>[A-Z]{1,4})"
    r"(?:\s+(?P<suffix>Jr|Sr|II|III|IV|2nd|3rd))?\.?(?P<numbers>\d+(?:,\d+)*)?$"
)
_AFFILIATION = re.compile(r"^(?P<number>\d+)\s*(?P<text>\D.*)$")
_LINK_WORDS = r"(?:DOI|PMC|PubMed|Free PMC article|Google Scholar|Article)"
_LINKS_ONLY = re.compile(rf"^(?:-\s*{_LINK_WORDS}\s*)+$")
_TRAILING_LINKS = re.compile(rf"(?:\s*-\s*{_LINK_WORDS})+\s*$")
_SHOW_ALL = re.compile(
    r"^(?:Show all \d+ references|Show less|See all similar articles|See all \".+\" articles)$"
)
_DOI_IN_TEXT = re.compile(r"\bdoi:\s*(\S+)", re.I)
_ENUMERATOR = re.compile(r"^\d{1,4}\.\s+(?=\D)")
_SENTENCE = re.compile(r"(?<=[.?!])\s+")
_REF_SOURCE = re.compile(r"^\d{4}\b")
_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")
_KEYWORDS = re.compile(r"^Keywords:\s*(?P<words>.*)$", re.I)
_COPYRIGHT = re.compile(r"^(?:Copyright\b|©|\(c\)\s)", re.I)

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
                lists.append((heading, _read_list(heading, section)))
            elif heading in FIELD_READERS:
                _merge(fields, FIELD_READERS[heading](section))
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


def _merge(fields: Fields, new: Fields) -> None:
    """Add a section's fields: tuples are extended (without repeats), other values set."""
    for key, value in new.items():
        if isinstance(value, tuple):
            fields[key] = tuple(dict.fromkeys((*fields.get(key, ()), *value)))
        elif value is not None:
            fields[key] = value


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
    fields: Fields = {"title": _title(lines[0][1])}
    i = 1
    while i < len(lines) and (match := _META.match(lines[i][1])):
        _set_identifier(fields, match["key"], match["value"])
        i += 1
    return fields, lines[0][0], lines[i:]


def _set_identifier(fields: Fields, label: str, value: str) -> None:
    if label.upper() in IDENTIFIERS:
        name, normalize = IDENTIFIERS[label.upper()]
        if (normalized := normalize(value)) is not None:
            fields[name] = normalized
    else:
        fields["extra"] = (*fields.get("extra", ()), (label.lower(), value.strip()))


def _full_header(lines: list[Line]) -> tuple[Fields, int, list[Line]] | None:
    """Journal lines, title, authors, affiliations and the ``PMID:`` line of a full page."""
    start = _after_navigation(lines)
    pmid_at = _header_pmid(lines, start)
    if pmid_at is None:
        return None
    fields: Fields = {}
    for match in _IDENTIFIER.finditer(lines[pmid_at][1]):
        _set_identifier(fields, match[1], match[2])
    source_at = next(
        (i for i in range(pmid_at - 1, start - 1, -1) if _SOURCE_LINE.match(lines[i][1])), None
    )
    if source_at is None:
        return fields, lines[pmid_at][0], lines[pmid_at + 1 :]
    if source_at > start:
        _merge(fields, _journal_line(lines[source_at - 1][1]))
    after = source_at + 1
    source = lines[source_at][1][1:].strip()
    while after < pmid_at and _SOURCE_MORE.match(lines[after][1]):
        source += " " + lines[after][1]
        after += 1
    _merge(fields, _citation(source))
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
    fields["title"] = _title(before[0][1])
    if len(before) > 1:
        fields["authors"] = _authors(before[1][1], _affiliations(affiliation_lines))
    return before[0][0]


def _affiliations(lines: list[Line]) -> dict[str, str]:
    """``1Division of …`` lines -> {"1": "Division of …"}."""
    found: dict[str, str] = {}
    for _, text in lines:
        match = _AFFILIATION.match(text)
        number, value = (match["number"], match["text"]) if match else (str(len(found) + 1), text)
        found[number] = value.strip()
    return found


# ---------------------------------------------------------------------------- citations


def _title(text: str) -> str | None:
    text = text.strip()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    return text or None


def _citation(text: str) -> Fields:
    """``2019 Mar 2;393(10174):857-66. doi: 10.1016/…. Epub 2019 Jan 5.`` as Paper fields."""
    parts = [p.strip() for p in _SENTENCE_BREAK.split(text.strip().rstrip(".")) if p.strip()]
    fields: Fields = {}
    extra: list[tuple[str, str]] = []
    if parts and (match := _SOURCE.match(parts[0])):
        parts = parts[1:]
        fields.update(
            date=match["date"].strip(),
            year=int(match["year"]),
            volume=match["volume"] or None,
            issue=match["issue"] or None,
            pages=match["pages"] or None,
        )
    for part in parts:
        key, value = _citation_item(part)
        if key == "doi":
            fields["doi"] = normalize_doi(value)
        elif key in PAPER_CITATION_FIELDS:
            fields[key] = value
        else:
            extra.append((key, value))
    fields["extra"] = tuple(extra)
    return fields


def _citation_item(part: str) -> tuple[str, str]:
    for pattern, key in CITATION_ITEMS:
        if match := pattern.match(part):
            return key, match[1].rstrip(".")
    return "note", part


def _flags(text: str) -> Fields:
    """``Free PMC article.Review.`` / `` French. No abstract available.`` as Paper fields."""
    fields: Fields = {}
    for flag in (f.strip() for f in _FLAG_BREAK.split(text)):
        if not flag:
            continue
        if match := _IDENTIFIER.match(flag):
            _set_identifier(fields, match[1], match[2])
            continue
        name, value = FLAGS.get(flag, ("extra", ("flag", flag)))
        if name in ("types", "extra"):
            fields[name] = (*fields.get(name, ()), value)
        else:
            fields[name] = value
    return fields


# ---------------------------------------------------------------------------- list sections


def _read_list(heading: str, lines: list[Line]) -> list[Item]:
    if heading == "References":
        return [_guard(_reference, entry) for entry in _reference_entries(lines)]
    return [_guard(_listed_paper, entry) for entry in _list_entries(lines)]


def _guard(read: Callable[[list[Line]], Item], entry: list[Line]) -> Item:
    try:
        return read(entry)
    except READ_ERRORS as error:
        return Problem(f"cannot read a list entry: {error}", Loc(line=entry[0][0]))


def _list_entries(lines: list[Line]) -> list[list[Line]]:
    """Entries of a list section, each ending with the line that holds its PMID."""
    entries: list[list[Line]] = []
    entry: list[Line] = []
    for number, text in lines:
        if not text or text == "-" or _SHOW_ALL.match(text):
            continue
        entry.append((number, text[2:] if text.startswith("- ") else text))
        if _HAS_PMID.search(text):
            entries.append(entry)
            entry = []
    if entry:
        entries.append(entry)
    return entries


def _listed_paper(entry: list[Line]) -> Item:
    texts = [text for _, text in entry]
    loc = Loc(line=entry[0][0])
    if not _HAS_PMID.search(texts[-1]):
        return Problem("list entry without a PMID: " + " / ".join(texts)[:200], loc)
    if len(texts) == 1 and not texts[0].startswith("PMID:"):
        return Paper(loc=loc, **_compact_entry(texts[0]))
    return Paper(loc=loc, **_full_entry(texts))


def _compact_entry(text: str) -> Fields:
    """``Title.Journal. DATE;VOL(ISSUE):PAGES. doi: …. Journal. YEAR. PMID: N flags``."""
    match = _COMPACT_ENTRY.match(text)
    if match is None:
        raise ValueError(f"unreadable entry {text[:80]!r}")
    head = match["head"]
    fields: Fields = {"year": int(match["year"]), "pmid": normalize_pmid(match["pmid"])}
    split = _split_glued(head)
    if split is not None:
        title, journal, citation = split
        fields.update(title=_title(title), journal=Journal(abbreviation=journal))
        _merge(fields, _citation(citation))
    _merge(fields, _flags(match["flags"]))
    return fields


def _split_glued(head: str) -> tuple[str, str, str] | None:
    """(title, journal, citation) from ``Title.Journal. citation. Journal``.

    The journal is the text after one of the last ``. ``; its first occurrence followed by a
    year is where the title ends.
    """
    for cut in reversed([m.start() for m in re.finditer(r"\.\s", head)]):
        journal = head[cut + 1 :].strip()
        if len(journal) > MAX_JOURNAL:
            break
        found = re.search(re.escape(journal) + r"\.\s+\d{4}", head[:cut])
        if journal and found:
            citation = head[found.start() + len(journal) + 1 : cut]
            return head[: found.start()], journal, citation
    fallback = _COMPACT_FALLBACK.match(head)
    if fallback:
        return fallback["title"], fallback["journal"], fallback["rest"]
    return None


def _full_entry(texts: list[str]) -> Fields:
    """Title / short authors / ``Journal. citation`` / ``PMID: N`` with flags."""
    pmid = _ENTRY_PMID.match(texts[-1])
    fields: Fields = {"pmid": normalize_pmid(pmid["pmid"]) if pmid else None}
    rest = texts[:-1]
    found = _last_citation_line(rest)
    if found is not None:
        cited, citation = found
        fields["journal"] = Journal(abbreviation=citation["journal"].strip())
        _merge(fields, _citation(citation["rest"]))
        rest = rest[:cited]
    if rest:
        fields["title"] = _title(" ".join(rest[:-1] if len(rest) > 1 else rest))
    if len(rest) > 1:
        fields["authors"] = _authors(rest[-1])
    if pmid:
        _merge(fields, _flags(pmid["flags"]))
    return fields


def _last_citation_line(texts: list[str]) -> tuple[int, re.Match[str]] | None:
    """The last ``Journal. 2018 May 5;…`` line of an entry, with its index."""
    for i in range(len(texts) - 1, -1, -1):
        if match := _CITATION_LINE.match(texts[i]):
            return i, match
    return None


def _reference_entries(lines: list[Line]) -> list[list[Line]]:
    """References, separated by blank lines or ``-`` or ending with link words."""
    entries: list[list[Line]] = []
    entry: list[Line] = []

    def close() -> None:
        nonlocal entry
        if any(not _LINKS_ONLY.match(text) for _, text in entry):
            entries.append(entry)
        entry = []

    for number, text in lines:
        if not text or text == "-" or _SHOW_ALL.match(text):
            close()
        elif _LINKS_ONLY.match(text):
            entry.append((number, text))
            close()
        else:
            if text.startswith("- "):
                close()
                text = text[2:]
            entry.append((number, text))
            if _TRAILING_LINKS.search(text):
                close()
    close()
    return entries


def _reference(entry: list[Line]) -> Paper:
    """A free-text reference: ``Lopez MK, Chen TB. Title. N Engl J Med. 2016;375(9):830-9.``"""
    text = " ".join(t for _, t in entry if not _LINKS_ONLY.match(t))
    text = _ENUMERATOR.sub("", _TRAILING_LINKS.sub("", text)).strip()
    fields: Fields = {"citation_text": text}
    for match in _IDENTIFIER.finditer(text):
        _set_identifier(fields, match[1], match[2])
    if "doi" not in fields and (doi := _DOI_IN_TEXT.search(text)):
        _set_identifier(fields, "DOI", doi[1])
    sentences = _SENTENCE.split(text)
    source = next((i for i, s in enumerate(sentences) if i and _REF_SOURCE.match(s)), None)
    if source is not None:
        fields["journal"] = Journal(abbreviation=sentences[source - 1].rstrip(". "))
        _merge(fields, _reference_source(sentences[source]))
        before = sentences[: source - 1]
    else:
        year = _YEAR.search(text)
        fields["year"] = int(year[1]) if year else None
        before = sentences[:1]
    if before and _looks_like_authors(before[0]):
        fields["authors"] = _authors(before[0])
        before = before[1:]
    if source is not None and before:
        fields["title"] = _title(" ".join(before))
    return Paper(loc=Loc(line=entry[0][0]), **fields)


def _reference_source(sentence: str) -> Fields:
    match = _SOURCE.match(sentence.strip())
    if match is None:
        return {"year": int(sentence[:4])}
    return {
        "date": match["date"].strip(),
        "year": int(match["year"]),
        "volume": match["volume"] or None,
        "issue": match["issue"] or None,
        "pages": match["pages"] or None,
    }


# ---------------------------------------------------------------------------- people


def _author_pieces(text: str) -> list[tuple[str, bool]]:
    """(name, alone between ``;``) for each comma-separated name, without "et al"."""
    segments = text.strip().rstrip(".").split(";")
    pieces: list[tuple[str, bool]] = []
    for segment in segments:
        names = [n.strip() for n in segment.split(", ") if n.strip()]
        names = [n for n in names if n.rstrip(".") != "et al"]
        pieces.extend((name, len(segments) > 1 and len(names) == 1) for name in names)
    return pieces


def _looks_like_authors(text: str) -> bool:
    pieces = _author_pieces(text)
    return bool(pieces) and all(_SHORT_NAME.match(p) or _is_group(p) for p, _ in pieces)


def _authors(text: str, affiliations: dict[str, str] | None = None) -> tuple[Person, ...]:
    """An author line: short (``Lopez MK``, old ``Smalla K1``) or full (``Maria K Lopez 1``)."""
    affiliations = affiliations or {}
    people = [_person(piece, alone, affiliations) for piece, alone in _author_pieces(text)]
    if len(affiliations) == 1 and not any(p.affiliations for p in people):
        only = tuple(affiliations.values())
        people = [p if p.collective else replace(p, affiliations=only) for p in people]
    return tuple(people)


def _person(piece: str, alone: bool, affiliations: dict[str, str]) -> Person:
    match = _SHORT_NAME.match(piece)
    if match and not _is_group(piece):
        return _short_person(piece, match, affiliations)
    return _full_person(piece, alone, affiliations)


def _is_group(name: str, alone: bool = False, numbered: bool = False) -> bool:
    """A consortium: a group word, or a long name alone between ``;`` without numbers."""
    words = re.findall(r"[A-Za-z]+", name)
    if any(word in GROUP_WORDS for word in words):
        return True
    return alone and not numbered and len(words) >= 3


def _resolve(numbers: Sequence[str], affiliations: dict[str, str]) -> tuple[str, ...]:
    return tuple(affiliations[n] for n in numbers if n in affiliations)


def _short_person(piece: str, match: re.Match[str], affiliations: dict[str, str]) -> Person:
    """``Lopez MK``, ``van der Berg AB``, ``Smalla K1`` (old pages glue affiliation numbers)."""
    numbers = match["numbers"].split(",") if match["numbers"] else []
    name = piece[: match.start("numbers")] if numbers else piece
    return Person(
        name=name.strip(),
        family=match["family"],
        initials=match["initials"],
        affiliations=_resolve(numbers, affiliations),
    )


def _full_person(piece: str, alone: bool, affiliations: dict[str, str]) -> Person:
    """``Maria K Lopez 1``, ``Karrie Kwan Ki Ko 3 4 5``, ``Kern Rei Chng # 1``."""
    tokens = piece.split()
    marks: list[str] = []
    while tokens and (tokens[-1].isdigit() or tokens[-1] == "#"):
        marks.insert(0, tokens.pop())
    numbers = [m for m in marks if m.isdigit()]
    name = " ".join(tokens)
    if _is_group(name, alone, bool(numbers)):
        return Person(name=name, collective=True, affiliations=_resolve(numbers, affiliations))
    family, given = split_full_name(tokens)
    return Person(
        name=name,
        family=family,
        given=given,
        initials=initials(given),
        affiliations=_resolve(numbers, affiliations),
        equal_contribution="#" in marks,
    )


# ---------------------------------------------------------------------------- field sections


def _texts(lines: list[Line]) -> list[str]:
    """Non-empty lines, without a compact layout's ``- `` bullet."""
    texts = [t[2:] if t.startswith("- ") else t for _, t in lines]
    return [t.strip() for t in texts if t.strip() and t.strip() != "-"]


def _abstract(lines: list[Line]) -> Fields:
    """Labelled paragraphs (``Methods: …``), plus keywords and copyright when printed."""
    paragraphs: list[str] = []
    fields: Fields = {"extra": ()}
    for _, text in lines:
        if not text or text in NO_ABSTRACT:
            continue
        if match := _KEYWORDS.match(text):
            fields["keywords"] = _keywords_of(match["words"])
        elif _COPYRIGHT.match(text):
            fields["extra"] = (*fields["extra"], ("copyright", text))
        else:
            paragraphs.append(text)
    fields["abstract"] = "\n".join(paragraphs) or None
    return fields


def _keywords_of(text: str) -> tuple[str, ...]:
    return tuple(k.strip().rstrip(".") for k in text.split(";") if k.strip().rstrip("."))


def _keywords(lines: list[Line]) -> Fields:
    return {"keywords": tuple(k for t in _texts(lines) for k in _keywords_of(t))}


def _conflict(lines: list[Line]) -> Fields:
    text = "\n".join(_texts(lines))
    return {"extra": (("conflict_of_interest", text),)} if text else {}


def _types(lines: list[Line]) -> Fields:
    return {"types": tuple(_texts(lines))}


def _mesh(lines: list[Line]) -> Fields:
    return {"mesh": tuple(_mesh_heading(text) for text in _texts(lines))}


def _mesh_heading(text: str) -> MeshHeading:
    """``Diabetes Mellitus, Type 2 / drug therapy*``: ``*`` marks a major topic."""
    terms = [(t.strip().rstrip("*").strip(), t.strip().endswith("*")) for t in text.split(" / ")]
    (descriptor, major), qualifiers = terms[0], tuple(terms[1:])
    return MeshHeading(descriptor=descriptor, major=major, qualifiers=qualifiers)


def _grants(lines: list[Line]) -> Fields:
    return {"grants": tuple(_grant(text) for text in _texts(lines))}


def _grant(text: str) -> Grant:
    """``R01 AI123456/AI/NIAID NIH HHS/United States``, read from the right."""
    parts = [p.strip() or None for p in text.rsplit("/", 3)]
    padded = [None] * (4 - len(parts)) + parts
    identifier, acronym, agency, country = padded
    return Grant(identifier=identifier, acronym=acronym, agency=agency, country=country)


def _extra_lines(key: str) -> Callable[[list[Line]], Fields]:
    def read(lines: list[Line]) -> Fields:
        return {"extra": tuple((key, text) for text in _texts(lines))}

    return read


# Sections about the page's own paper -> reader giving Paper fields.
FIELD_READERS: dict[str, Callable[[list[Line]], Fields]] = {
    "Abstract": _abstract,
    "Keywords": _keywords,
    "Conflict of interest statement": _conflict,
    "Publication types": _types,
    "MeSH terms": _mesh,
    "Grants and funding": _grants,
    "Substances": _extra_lines("substance"),
    "Personal name as subject": _extra_lines("personal_name_as_subject"),
}

HEADINGS = frozenset(LIST_RELATIONS) | frozenset(FIELD_READERS) | IGNORED_SECTIONS
