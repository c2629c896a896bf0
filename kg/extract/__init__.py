"""Extractors: one module per input format, all with the same tiny interface.

Each module has ``FORMAT`` (its name), ``MEDIA_TYPE``, ``sniff(text) -> bool`` and
``parse(text) -> Iterator[Record]``. ``parse`` does no I/O, never raises on bad text, and
yields a :class:`~kg.records.Problem` with a line number for what it could not read.
A new format is one new module and one line in ``FORMATS``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import TYPE_CHECKING

from ..errors import FormatError

if TYPE_CHECKING:
    from ..records import Record

# The formats, in the order they are sniffed; each is the module of this package of its name.
FORMATS = (
    "pubmed_xml",
    "medline",
    "crossref_json",
    "openalex_json",
    "pubmed_page",
    "scite_page",
    "ris",
    "bibtex",
    "pubmed_elink",
    "opencitations_json",
    "semanticscholar_json",
    "europepmc_json",
)


class _Extractors(Mapping[str, ModuleType]):
    """Each format's module, imported when first asked for: a command that reads no file
    (``kg --help``, ``kg query``) loads none of them."""

    def __getitem__(self, name: str) -> ModuleType:
        if name not in FORMATS:
            raise KeyError(name)
        return importlib.import_module(f"{__name__}.{name}")

    def __iter__(self) -> Iterator[str]:
        return iter(FORMATS)

    def __len__(self) -> int:
        return len(FORMATS)


EXTRACTORS: Mapping[str, ModuleType] = _Extractors()
NOT_A_FORMAT = "not a format kg reads"  # how a file no extractor claims is reported


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
        raise FormatError(f"{NOT_A_FORMAT} (" + ", ".join(EXTRACTORS) + ")")
    if len(found) > 1:
        raise FormatError("ambiguous format: " + " or ".join(found) + "; use --format")
    return EXTRACTORS[found[0]]


def parse(text: str, forced: str | None = None) -> Iterator[Record]:
    return choose(text, forced).parse(text)
