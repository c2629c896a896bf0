"""The sections of a PubMed page below its header: list sections and field sections.

A list section ("Similar articles", "Cited by", "References", …) gives one Paper (or a
Problem) per entry, in the compact one-line form, the full page's four-line form or as a
free-text reference; a field section (Abstract, MeSH terms, Grants and funding, …) gives
fields of the page's own paper, through :data:`FIELD_READERS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..ids import normalize_pmid
from ..records import Grant, Journal, Loc, MeshHeading, Paper, Problem
from .common import READ_ERRORS
from .pubmed_page_citation import (
    Fields,
    Line,
    citation_fields,
    clean_title,
    flag_fields,
    looks_like_authors,
    merge_fields,
    parse_authors,
    reference_source,
    set_identifier,
    set_identifiers,
)

Item = Paper | Problem  # what one entry of a list section gives

# ---------------------------------------------------------------------------- data tables

MAX_JOURNAL = 200  # longest journal abbreviation looked for when splitting a glued entry

NO_ABSTRACT = frozenset({"No abstract available", "No abstract available."})

# ---------------------------------------------------------------------------- patterns

_ENTRY_PMID = re.compile(r"^PMID:\s*(?P<pmid>\d+)(?P<flags>.*)$")
_HAS_PMID = re.compile(r"(?:^|\s)PMID:\s*\d")
_CITATION_LINE = re.compile(r"^(?P<journal>[^.].*?)\.\s+(?P<rest>\d{4}\b.*)$")
_COMPACT_ENTRY = re.compile(
    r"^(?P<head>.+)\.\s+(?P<year>\d{4})\.\s+PMID:\s*(?P<pmid>\d+)(?P<flags>.*)$"
)
_COMPACT_FALLBACK = re.compile(
    r"^(?P<title>.*?[.?!\]])(?P<journal>[A-Z][^.]*?)\.\s+(?P<rest>\d{4}.*)$"
)
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


# ---------------------------------------------------------------------------- list sections


def read_list(heading: str, lines: list[Line]) -> list[Item]:
    """A Paper or a Problem for each entry of a list section (free text under References)."""
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
        fields.update(title=clean_title(title), journal=Journal(abbreviation=journal))
        merge_fields(fields, citation_fields(citation))
    merge_fields(fields, flag_fields(match["flags"]))
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
        merge_fields(fields, citation_fields(citation["rest"]))
        rest = rest[:cited]
    if rest:
        fields["title"] = clean_title(" ".join(rest[:-1] if len(rest) > 1 else rest))
    if len(rest) > 1:
        fields["authors"] = parse_authors(rest[-1])
    if pmid:
        merge_fields(fields, flag_fields(pmid["flags"]))
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
    set_identifiers(fields, text)
    if "doi" not in fields and (doi := _DOI_IN_TEXT.search(text)):
        set_identifier(fields, "DOI", doi[1])
    sentences = _SENTENCE.split(text)
    source = next((i for i, s in enumerate(sentences) if i and _REF_SOURCE.match(s)), None)
    if source is not None:
        fields["journal"] = Journal(abbreviation=sentences[source - 1].rstrip(". "))
        merge_fields(fields, reference_source(sentences[source]))
        before = sentences[: source - 1]
    else:
        year = _YEAR.search(text)
        fields["year"] = int(year[1]) if year else None
        before = sentences[:1]
    if before and looks_like_authors(before[0]):
        fields["authors"] = parse_authors(before[0])
        before = before[1:]
    if source is not None and before:
        fields["title"] = clean_title(" ".join(before))
    return Paper(loc=Loc(line=entry[0][0]), **fields)


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
