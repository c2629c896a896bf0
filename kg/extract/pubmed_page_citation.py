"""How a PubMed page prints a paper: identifiers, the citation line, flags and author names.

Shared by the page headers (:mod:`kg.extract.pubmed_page`) and the list and reference entries
(:mod:`kg.extract.pubmed_page_sections`); each function gives Paper fields or people.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from ..ids import normalize_doi, normalize_pmcid, normalize_pmid
from ..records import Person
from .names import initials, split_full_name

Line = tuple[int, str]  # (1-based line number, text without surrounding white space)
Fields = dict[str, Any]  # keyword arguments for Paper


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

# Items of a citation after its "date;volume(issue):pages" part -> Paper field or extra key.
CITATION_ITEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^doi:\s*(\S+)$", re.I), "doi"),
    (re.compile(r"^Epub(?: ahead of print)?\s+(\d{4}.*)$"), "epub_date"),
    (re.compile(r"^eCollection\s+(\d{4}.*)$"), "ecollection"),
    (re.compile(r"^Print\s+(\d{4}.*)$"), "print_date"),
)
PAPER_CITATION_FIELDS = frozenset({"doi", "epub_date"})

# ---------------------------------------------------------------------------- patterns

_IDENTIFIER = re.compile(r"\b(PMID|PMCID|DOI):\s*(\S+)")
_SOURCE = re.compile(
    r"^(?P<date>(?P<year>\d{4})\b[^;:]*?)\s*"
    r"(?:;\s*(?P<volume>[^():;]*?)\s*(?:\((?P<issue>[^)]*)\))?)?"
    r"(?::\s*(?P<pages>.+?))?\.?$"
)
_SENTENCE_BREAK = re.compile(r"\.\s+")
_FLAG_BREAK = re.compile(r"\.\s*")
_SHORT_NAME = re.compile(
    r"^(?P<family>\S.*?)\s+(?P<initials>[A-Z]{1,4})"
    r"(?:\s+(?P<suffix>Jr|Sr|II|III|IV|2nd|3rd))?\.?(?P<numbers>\d+(?:,\d+)*)?$"
)


# ---------------------------------------------------------------------------- fields


def merge_fields(fields: Fields, new: Fields) -> None:
    """Add a section's fields: tuples are extended (without repeats), other values set."""
    for key, value in new.items():
        if isinstance(value, tuple):
            fields[key] = tuple(dict.fromkeys((*fields.get(key, ()), *value)))
        elif value is not None:
            fields[key] = value


def set_identifier(fields: Fields, label: str, value: str) -> None:
    """A PMID, PMCID or DOI to its field when valid; another labelled value to extra."""
    if label.upper() in IDENTIFIERS:
        name, normalize = IDENTIFIERS[label.upper()]
        if (normalized := normalize(value)) is not None:
            fields[name] = normalized
    else:
        fields["extra"] = (*fields.get("extra", ()), (label.lower(), value.strip()))


def set_identifiers(fields: Fields, text: str) -> None:
    """Every ``PMID: …``, ``PMCID: …`` and ``DOI: …`` in ``text``, as fields."""
    for match in _IDENTIFIER.finditer(text):
        set_identifier(fields, match[1], match[2])


# ---------------------------------------------------------------------------- citations


def clean_title(text: str) -> str | None:
    """The title without the full stop PubMed ends it with (an ellipsis is kept)."""
    text = text.strip()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    return text or None


def citation_fields(text: str) -> Fields:
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


def flag_fields(text: str) -> Fields:
    """``Free PMC article.Review.`` / `` French. No abstract available.`` as Paper fields."""
    fields: Fields = {}
    for flag in (f.strip() for f in _FLAG_BREAK.split(text)):
        if not flag:
            continue
        if match := _IDENTIFIER.match(flag):
            set_identifier(fields, match[1], match[2])
            continue
        name, value = FLAGS.get(flag, ("extra", ("flag", flag)))
        if name in ("types", "extra"):
            fields[name] = (*fields.get(name, ()), value)
        else:
            fields[name] = value
    return fields


def reference_source(sentence: str) -> Fields:
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


def looks_like_authors(text: str) -> bool:
    pieces = _author_pieces(text)
    return bool(pieces) and all(_SHORT_NAME.match(p) or _is_group(p) for p, _ in pieces)


def parse_authors(text: str, affiliations: dict[str, str] | None = None) -> tuple[Person, ...]:
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
