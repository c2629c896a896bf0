"""Extractors: one module per input format, all with the same tiny interface.

Each module has ``FORMAT`` (its name), ``MEDIA_TYPE``, ``sniff(text) -> bool`` and
``parse(text) -> Iterator[Record]``. ``parse`` does no I/O, never raises on bad text, and
yields a :class:`~kg.records.Problem` with a line number for what it could not read.
A new format is one new module and one line in ``EXTRACTORS``.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

from ..errors import FormatError
from ..records import Record
from . import (
    bibtex,
    crossref_json,
    europepmc_json,
    medline,
    openalex_json,
    opencitations_json,
    pubmed_elink,
    pubmed_page,
    pubmed_xml,
    ris,
    scite_page,
    semanticscholar_json,
)

EXTRACTORS: dict[str, ModuleType] = {
    m.FORMAT: m
    for m in (
        pubmed_xml,
        medline,
        crossref_json,
        openalex_json,
        pubmed_page,
        scite_page,
        ris,
        bibtex,
        pubmed_elink,
        opencitations_json,
        semanticscholar_json,
        europepmc_json,
    )
}


def detect(text: str) -> list[str]:
    """The formats whose ``sniff`` accepts ``text`` (in table order)."""
    return [name for name, module in EXTRACTORS.items() if module.sniff(text)]


def extractor(name: str) -> ModuleType:
    try:
        return EXTRACTORS[name]
    except KeyError:
        known = ", ".join(sorted(EXTRACTORS))
        raise FormatError(f"unknown format {name!r} (known: {known})") from None


def choose(text: str, forced: str | None = None) -> ModuleType:
    """The extractor for ``text``: ``forced`` wins; otherwise exactly one must sniff it."""
    if forced:
        return extractor(forced)
    found = detect(text)
    if not found:
        raise FormatError("not a format kg reads (" + ", ".join(EXTRACTORS) + ")")
    if len(found) > 1:
        raise FormatError("ambiguous format: " + " or ".join(found) + "; use --format")
    return EXTRACTORS[found[0]]


def parse(text: str, forced: str | None = None) -> Iterator[Record]:
    return choose(text, forced).parse(text)
