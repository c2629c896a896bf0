"""Identifier normalisation: DOI, PMID, PMCID, ORCID. Bad ones are rejected, never repaired."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

_DOI_PREFIXES = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi\.org/|doi:\s*|info:doi/|urn:doi:)", re.IGNORECASE
)
# A prefix of ASCII digits and a suffix of printable characters: no space, control character,
# lone surrogate or U+FFFD (what a bad %-escape decodes to).
_DOI_SHAPE = re.compile("^10\\.[0-9]{4,9}/[^\\s\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffd]+$")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")
_TRAILING = ".,;:)]}>'\""


def normalize_doi(value: str | None) -> str | None:
    """The canonical DOI (lowercase, no prefix, URL-decoded, no trailing punctuation) or None.

    >>> normalize_doi("https://doi.org/10.1371/JOURNAL.PONE.0134900.")
    '10.1371/journal.pone.0134900'
    """
    if not value:
        return None
    doi = _visible(unicodedata.normalize("NFKC", value)).strip().translate(_DASHES)
    doi = _DOI_PREFIXES.sub("", doi)
    if "%" in doi:
        doi = _visible(unquote(doi))
    doi = doi.strip()
    while doi and doi[-1] in _TRAILING:
        # a closing bracket that the DOI itself opened is part of it: 10.1002/(sici)…
        if doi[-1] in ")]>" and doi.count({")": "(", "]": "[", ">": "<"}[doi[-1]]) >= doi.count(
            doi[-1]
        ):
            break
        doi = doi[:-1]
    doi = doi.lower()
    return doi if _DOI_SHAPE.match(doi) else None


def _visible(text: str) -> str:
    """``text`` without invisible format characters (zero-width space and joiners, soft hyphen,
    byte order mark, direction marks): what copying a DOI from a web page or PDF slips in."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


_PMID = re.compile(r"^[1-9]\d{0,7}$")


def normalize_pmid(value: str | None) -> str | None:
    """A PMID: 1 to 8 digits, no leading zero. Anything else is None."""
    if value is None:
        return None
    pmid = value.strip()
    return pmid if _PMID.match(pmid) else None


_PMCID = re.compile(r"^PMC\d{1,10}$")


def normalize_pmcid(value: str | None) -> str | None:
    if value is None:
        return None
    pmcid = value.strip().upper()
    if pmcid.isdigit():
        pmcid = "PMC" + pmcid
    return pmcid if _PMCID.match(pmcid) else None


_OPENALEX = re.compile(r"^(?:https?://(?:api\.)?openalex\.org/(?:works/)?)?([Ww]\d{1,12})$")


def normalize_openalex(value: str | None) -> str | None:
    """An OpenAlex work ID as ``W2741809807`` (from the bare ID or its URL), or None."""
    if not value:
        return None
    m = _OPENALEX.match(value.strip())
    return m.group(1).upper() if m else None


_ISSN = re.compile(r"^(\d{4})-?(\d{3}[\dX])$")


def normalize_issn(value: str | None) -> str | None:
    """A checksum-valid ISSN as ``1554-527X`` (from ``1554527x`` too), or None."""
    if not value:
        return None
    m = _ISSN.match(value.strip().upper())
    if not m:
        return None
    digits = m.group(1) + m.group(2)
    total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    return f"{m.group(1)}-{m.group(2)}" if digits[-1] == expected else None


_ORCID = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$")


def normalize_orcid(value: str | None) -> str | None:
    """A checksum-valid ORCID as ``0000-0002-1825-0097``, or None."""
    if not value:
        return None
    text = re.sub(r"^(?:https?://)?(?:www\.)?orcid\.org/", "", value.strip(), flags=re.I)
    m = _ORCID.match(text.upper())
    if not m:
        return None
    digits = "".join(m.groups())
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    return "-".join(m.groups()) if digits[-1] == expected else None
