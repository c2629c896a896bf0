"""IRI minting: every IRI is a pure function of the input (see the identity table of the RDF
contract). Readable keys where they are safe (people, journals), hashes elsewhere."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from urllib.parse import quote

from rdflib import URIRef

DEFAULT_BASE = "https://w3id.org/kg/id/"

# Characters an IRI path segment may hold as they are (RFC 3987 ipchar less "%", plus "/").
_IRI_SAFE = "/:@!$&'()*+,;=-._~"


def digest(*parts: object, size: int = 16) -> str:
    """A short stable hash of ``parts`` (hex); ``None`` and "" hash alike."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:size]


@functools.lru_cache(maxsize=1 << 16)  # names, journals and affiliations recur many times
def fold(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces collapsed: the key of a name or title."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", bare.casefold()).split())


@functools.lru_cache(maxsize=1 << 16)
def slug(text: str, limit: int = 80) -> str:
    """``fold`` as an IRI-safe ASCII key (``[a-z0-9-]``, at most ``limit`` characters): the
    folded words joined by ``-``. When folding leaves characters that are not ASCII (``ø``,
    ``ł``, CJK, Cyrillic …) or the key is too long, the ASCII part (maybe empty) is followed by
    a hash of the folded text, so that texts whose folds differ never share a slug
    (``x 日本`` and ``x 中国`` are ``x-<hash>`` and ``x-<other hash>``, not both ``x``)."""
    folded = fold(text)
    ascii_key = "-".join(folded.encode("ascii", "ignore").decode().split())
    if ascii_key and len(ascii_key) <= limit and folded.isascii():
        return ascii_key
    head = ascii_key[: limit - 17].rstrip("-")
    return (head + "-" if head else "") + digest(folded)


def doi_iri(doi: str) -> URIRef:
    return URIRef("https://doi.org/" + quote(doi, safe=_IRI_SAFE))


def pmid_iri(pmid: str) -> URIRef:
    return URIRef("https://pubmed.ncbi.nlm.nih.gov/" + pmid)


def pmcid_iri(pmcid: str) -> URIRef:
    return URIRef("https://www.ncbi.nlm.nih.gov/pmc/articles/" + pmcid)


def openalex_iri(work_id: str) -> URIRef:
    return URIRef("https://openalex.org/" + work_id)


def work_key(title: str | None, year: int | None, first_author: str | None) -> str:
    return digest(fold(title or ""), year, fold(first_author or ""))


def orcid_iri(orcid: str) -> URIRef:
    return URIRef("https://orcid.org/" + orcid)


def mesh_iri(ui: str) -> URIRef:
    return URIRef("http://id.nlm.nih.gov/mesh/" + quote(ui, safe=""))


def person_key(family: str, initials: str | None) -> str:
    """``smith-j``, ``van-der-berg-ab``: the family name's slug, then the initials' slug. Slugs
    never hold ``--``, so the keys that could be read two ways take it as their separator: a
    family name of several words without initials ends in ``--`` (``garcia-lopez--``, not
    ``garcia-lopez`` as Garcia L would be), and initials of several words follow ``--``."""
    family_key = slug(family)
    if not initials:
        return family_key + ("--" if "-" in family_key else "")
    initials_key = slug(initials)
    return family_key + ("--" if "-" in initials_key else "-") + initials_key


class Minter:
    """Mints the project's own IRIs under one base."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = base

    def __call__(self, kind: str, key: str) -> URIRef:
        return URIRef(f"{self.base}{kind}/{key}")

    def work(self, title: str | None, year: int | None, first_author: str | None) -> URIRef:
        return self("work", work_key(title, year, first_author))

    def hashed(self, kind: str, *parts: object) -> URIRef:
        return self(kind, digest(*parts))
