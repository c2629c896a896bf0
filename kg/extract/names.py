"""People's names, shared by the extractors: split, initials, and a Person from parts.

Every format prints names its own way (``Lopez MK``, ``Lopez, Maria K``, ``Maria K Lopez``,
``{\\"O}zt{\\"u}rk, Ay\\c{s}e``); identity resolution only needs the family name and the
initials to agree, so every extractor builds its :class:`~kg.records.Person` here.
"""

from __future__ import annotations

import re

from ..ids import normalize_orcid
from ..records import Person

NAME_SUFFIXES = frozenset({"Jr", "Sr", "II", "III", "IV", "2nd", "3rd"})
_SHORT = re.compile(r"^(?P<family>\S.*?)\s+(?P<initials>[A-Z]{1,4})$")


def initials(given: str | None) -> str | None:
    """``Maria K`` -> ``MK``; ``Jean-Paul`` -> ``JP``; ``JR`` stays ``JR``; ``J.-P.`` -> ``JP``."""
    if not given:
        return None
    letters: list[str] = []
    for word in given.replace(".", " ").split():
        if word.isupper() and word.isalpha() and len(word) <= 3:
            letters.extend(word)
            continue
        for part in word.split("-"):
            first = next((c for c in part if c.isalpha()), "")
            letters.append(first.upper())
    return "".join(letters) or None


def split_full_name(tokens: list[str]) -> tuple[str | None, str | None]:
    """(family, given) of a name in reading order: the last word, with lower-case particles
    before it (``van der``); suffixes (``Jr``) are not the family name."""
    words = [t for t in tokens if t.rstrip(".") not in NAME_SUFFIXES] or tokens
    if not words:
        return None, None
    cut = len(words) - 1
    while cut > 1 and words[cut - 1][:1].islower():
        cut -= 1
    return " ".join(words[cut:]), " ".join(words[:cut]) or None


def person(
    family: str | None,
    given: str | None = None,
    *,
    name: str | None = None,
    orcid: str | None = None,
    affiliations: tuple[str, ...] = (),
    initials_: str | None = None,
) -> Person | None:
    """A person from its parts; ``name`` defaults to ``given family``. ``orcid`` may be a URL
    or bare; an invalid one is dropped. None when there is no name at all."""
    family = " ".join(family.split()) if family else None
    given = " ".join(given.split()) if given else None
    shown = name or " ".join(p for p in (given, family) if p)
    if not shown:
        return None
    if not family:
        return Person(name=shown, orcid=normalize_orcid(orcid), affiliations=affiliations)
    return Person(
        name=shown,
        family=family,
        given=given,
        initials=initials_ or initials(given),
        orcid=normalize_orcid(orcid),
        affiliations=affiliations,
    )


def parse_name(text: str, **kwargs: object) -> Person | None:
    """A name as bibliographies print it: ``Public, Jane Q.``, ``Public JQ`` or
    ``Jane Q. Public``; extra keyword arguments go to :func:`person`."""
    text = " ".join(text.split()).strip(" ,;")
    if not text:
        return None
    if "," in text:
        # "Last, First", "Last, First, Jr" or BibTeX's "Last, Jr, First": suffixes are dropped
        family, *rest = (part.strip() for part in text.split(","))
        given = " ".join(p for p in rest if p and p.rstrip(".") not in NAME_SUFFIXES)
        return person(family, given or None, name=text, **kwargs)  # type: ignore[arg-type]
    short = _SHORT.match(text)
    if short:
        return person(short["family"], None, name=text, initials_=short["initials"], **kwargs)  # type: ignore[arg-type]
    family, given = split_full_name(text.split())
    return person(family, given, name=text, **kwargs)  # type: ignore[arg-type]
