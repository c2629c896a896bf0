"""Crossref REST API work JSON (``api.crossref.org/works``).

Accepted shapes: a ``work`` message (``{"status": "ok", "message-type": "work", "message":
{…}}``), a ``work-list`` page (``{"message": {"items": […]}}``), a bare work object, a list of
works, and several of these one after another (JSON Lines). Quirks handled:

* ``title``, ``container-title`` and ``short-container-title`` are lists (first one used); for
  chapters and proceedings papers the container is the book (``book_title``), for books it is
  the series.
* Dates are ``{"date-parts": [[2012, 3, 21]]}`` with month and day optional (or null);
  ``issued`` gives ``year`` and ``date`` ("2012 Mar 21"), ``published-online`` the epub date.
* ``abstract`` is JATS XML (``<jats:title>Abstract</jats:title><jats:p>…``): tags are stripped
  with a regular expression (no XML parser, so no entity expansion), entities decoded, a leading
  "Abstract" title dropped, section titles kept as ``Title: text`` paragraphs.
* An ``author`` with only ``name`` is a collective author; ``ORCID`` is a URL.
* ``reference`` entries have a ``DOI`` and/or loose parts (``author`` as ``AF Arnsten`` or
  ``Booth FW``, ``year``, ``article-title``, ``volume-title``, ``journal-title``) and/or an
  ``unstructured`` string; each becomes a non-primary Paper and a ``cites`` Relation.
* ``updated-by`` / ``update-to`` (corrections, retractions) become relations.
* Counts: ``is-referenced-by-count`` and ``reference-count`` as of ``indexed``.

JSON has no record lines: each work gets the line where its object starts (found by walking
the text with :meth:`json.JSONDecoder.raw_decode`); a syntax error gives a Problem at the line
json reports and, inside a list, the walk goes on with the next element. The walker and the
small helpers (dates, ISSNs, markup) are shared with :mod:`kg.extract.openalex_json`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..ids import normalize_doi
from ..records import (
    CitationCounts,
    Grant,
    Journal,
    Loc,
    Paper,
    Person,
    Problem,
    Record,
    Relation,
)
from .common import READ_ERRORS, month_date, number
from .envelope import BODY, read_head, service
from .jsonwalk import (
    OPENALEX_WORK_ID,
    SNIFF_HEAD,
    as_list,
    issn,
    plain_text,
    read_works,
    text_of,
    unique,
    year_in,
)
from .names import parse_name, person

FORMAT = "crossref_json"
MEDIA_TYPE = "application/json"

Fields = dict[str, Any]  # keyword arguments for Paper


# ---------------------------------------------------------------------------- data tables

# Crossref ``type`` -> publication type label (the native value is also kept in extra).
TYPES: dict[str, str] = {
    "journal-article": "Journal Article",
    "book-chapter": "Book Chapter",
    "book-section": "Book Chapter",
    "book-part": "Book Chapter",
    "proceedings-article": "Conference Paper",
    "book": "Book",
    "monograph": "Book",
    "edited-book": "Book",
    "reference-book": "Book",
    "dataset": "Dataset",
    "dissertation": "Thesis",
    "report": "Report",
}
# (type, subtype) pairs whose label depends on the subtype.
SUBTYPES: dict[tuple[str, str], str] = {("posted-content", "preprint"): "Preprint"}

# Types whose ``container-title`` is the book they are part of (else it is a journal/series).
IN_BOOK = frozenset(
    {
        "book-chapter",
        "book-section",
        "book-part",
        "book-track",
        "reference-entry",
        "proceedings-article",
    }
)

# Dates that give ``year`` and ``date``, first found wins (``issued`` is Crossref's own pick:
# the earlier of print and online; ``posted``/``approved`` date preprints and theses).
DATE_FIELDS = ("issued", "published-print", "published", "published-online", "posted", "approved")

# Plain string fields -> Paper field.
SCALARS: dict[str, str] = {
    "volume": "volume",
    "issue": "issue",
    "page": "pages",
    "publisher": "publisher",
    "language": "language",
}

# ``updated-by`` / ``update-to`` type -> relation kind (subject = the correcting work).
UPDATES: dict[str, str] = {
    "correction": "corrects",
    "corrigendum": "corrects",
    "erratum": "corrects",
    "retraction": "retracts",
    "partial_retraction": "retracts",
    "withdrawal": "retracts",
    "removal": "retracts",
    "new_version": "updates",
    "new_edition": "updates",
    "addendum": "updates",
    "clarification": "updates",
}

# Titles of an abstract's first block that only say "this is the abstract".
ABSTRACT_TITLES = frozenset({"abstract", "summary"})

# Technical fields that say nothing about the paper (or are read elsewhere): not kept.
SKIPPED = frozenset(
    {
        "indexed",
        "reference-count",
        "references-count",
        "content-domain",
        "created",
        "deposited",
        "prefix",
        "member",
        "score",
        "resource",
        "source",
        "link",
        "journal-issue",
        "update-policy",
        "published",
        "published-print",
        "published-online",
        "issued",
        "issn-type",
        "ISSN",
        "short-container-title",
        "container-title",
        "title",
        "DOI",
        "status",
        "message-type",
        "message-version",
    }
)


# ---------------------------------------------------------------------------- patterns

_START = re.compile(r"^[\ufeff \t\r\n]*[\[{]")
_MESSAGE_TYPE = re.compile(r'"message-type"\s*:\s*"work(?:-list)?"')
_DOI_KEY = re.compile(r'"DOI"\s*:\s*"10\.')
_WORK_KEY = re.compile(r'"(?:container-title|is-referenced-by-count)"\s*:')


_BLOCK = re.compile(r"<((?:jats:)?(?:title|p))\b[^<>]*>(.*?)</\1\s*>", re.S | re.I)

# ---------------------------------------------------------------------------- interface


def sniff(text: str) -> bool:
    """True for Crossref work JSON: a ``work``/``work-list`` message, or bare work objects
    (``"DOI"`` with ``"container-title"`` or ``"is-referenced-by-count"``) near the head; or
    kg fetch's envelope of a Crossref match."""
    enveloped = service(text)
    if enveloped is not None:
        return enveloped == "crossref"
    head = text[:SNIFF_HEAD]
    if not _START.match(head) or OPENALEX_WORK_ID.search(head):
        return False
    return bool(_MESSAGE_TYPE.search(head) or (_DOI_KEY.search(head) and _WORK_KEY.search(head)))


def parse(text: str) -> Iterator[Record]:
    """Papers, references, relations and counts of every work in ``text``. In kg fetch's
    envelope of a match (``query.bibliographic``), the matched work is also the reference
    printed as the header's ``text``."""
    containers = {"message": "object", "items": "list", BODY: "body"}
    records = read_works(text, containers, _work, "Crossref work")
    if service(text) != "crossref":
        return records
    return _matched(read_head(text).fetch, records)


def _matched(header: Mapping[str, str], records: Iterator[Record]) -> Iterator[Record]:
    """``records`` and, for the first work, a reference with the header's ``text`` (and
    ``year``) and the work's DOI: the build joins it to the reference printed so."""
    cited = text_of(header.get("text"))
    year = number(header.get("year"))
    found = False
    for record in records:
        yield record
        if not found and isinstance(record, Paper) and record.primary and record.doi and cited:
            found = True
            yield Paper(loc=record.loc, doi=record.doi, citation_text=cited, year=year)


# ---------------------------------------------------------------------------- works


def _work(work: Any, line: int) -> list[Record]:
    """The records of one work: its Paper, its references and relations, its counts."""
    loc = Loc(line=line)
    if not isinstance(work, dict):
        return [Problem(f"a Crossref work must be an object, found {type(work).__name__}", loc)]
    fields: Fields = {"loc": loc, "primary": True}
    extra: list[tuple[str, str]] = []
    raw_doi = text_of(work.get("DOI"))
    fields["doi"] = normalize_doi(raw_doi)
    if raw_doi and not fields["doi"]:
        extra.append(("DOI", raw_doi))
    titles = [plain_text(t) for t in as_list(work.get("title"))]
    titles = [t for t in titles if t]
    if titles:
        fields["title"] = titles[0]
        extra.extend(("title", t) for t in titles[1:])
    if not (fields["doi"] or titles):
        return [Problem("Crossref work without a DOI or a title", loc)]
    kind = text_of(work.get("type"))
    _type(kind, text_of(work.get("subtype")), fields, extra)
    _container(work, kind, fields)
    _dates(work, fields)
    for key, name in SCALARS.items():
        if (value := text_of(work.get(key))) is not None:
            fields[name] = value
    if not fields.get("pages") and (number := text_of(work.get("article-number"))):
        fields["pages"] = number
    fields["authors"] = _people(work.get("author"))
    fields["editors"] = _people(work.get("editor"))
    if isinstance(work.get("abstract"), str):
        fields["abstract"] = jats_abstract(work["abstract"])
    fields["keywords"] = unique(plain_text(s) for s in as_list(work.get("subject")))
    fields["grants"] = _grants(work.get("funder"))
    for key, value in work.items():
        if key not in HANDLERS and key not in SCALARS and key not in SKIPPED:
            extra.extend(_kept(key, value))
    for key in EXTRA_HANDLERS:
        extra.extend(EXTRA_HANDLERS[key](work.get(key), fields))
    fields["extra"] = unique(extra)
    paper = Paper(**fields)
    records: list[Record] = [paper]
    records.extend(_references(work.get("reference"), paper, loc))
    records.extend(_updates(work, paper, loc))
    counts = _counts(work, paper, loc)
    if counts is not None:
        records.append(counts)
    return records


def _type(
    kind: str | None, subtype: str | None, fields: Fields, extra: list[tuple[str, str]]
) -> None:
    """The native type mapped to a label with TYPES/SUBTYPES, and kept as ("type", v)."""
    if not kind:
        return
    label = SUBTYPES.get((kind, subtype or "")) or TYPES.get(kind)
    if label:
        fields["types"] = (label,)
    extra.append(("type", kind))


def _container(work: dict[str, Any], kind: str | None, fields: Fields) -> None:
    """``container-title``: the journal (or a book's series), or the book of a chapter."""
    titles = [t for t in (plain_text(v) for v in as_list(work.get("container-title"))) if t]
    shorts = [t for t in (plain_text(v) for v in as_list(work.get("short-container-title"))) if t]
    issns = _issns(work)
    if kind in IN_BOOK:
        if titles:
            fields["book_title"] = titles[0]
        titles = titles[1:]  # a further container title is the series
        shorts = []
    if titles or shorts or issns:
        fields["journal"] = Journal(
            title=titles[0] if titles else None,
            abbreviation=shorts[0] if shorts else None,
            issns=issns,
        )


def _issns(work: dict[str, Any]) -> tuple[str, ...]:
    """The print ISSN, then the electronic one (``issn-type``), then any other ``ISSN``."""
    typed = {
        text_of(entry.get("type")): issn(entry.get("value"))
        for entry in as_list(work.get("issn-type"))
        if isinstance(entry, dict)
    }
    ordered = [typed.get("print"), typed.get("electronic"), *typed.values()]
    ordered += [issn(v) for v in as_list(work.get("ISSN"))]
    return unique(ordered)


def date_parts(value: Any) -> tuple[int | None, str | None]:
    """(year, "YYYY Mon DD") of a ``{"date-parts": [[y, m, d]]}`` object."""
    if not isinstance(value, dict):
        return None, None
    parts = value.get("date-parts")
    if not (isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]):
        return None, None
    first = [*parts[0], None, None][:3]
    date = month_date(*first)
    return (number(first[0]) if date else None), date


def _dates(work: dict[str, Any], fields: Fields) -> None:
    """Year and date from the first of DATE_FIELDS given; the epub date from the online one."""
    for key in DATE_FIELDS:
        year, date = date_parts(work.get(key))
        if date:
            fields["year"], fields["date"] = year, date
            break
    fields["epub_date"] = date_parts(work.get("published-online"))[1]


def _people(value: Any) -> tuple[Person, ...]:
    """Authors or editors in order; a ``name``-only entry is a collective author."""
    people = []
    for entry in as_list(value):
        if not isinstance(entry, dict):
            raise TypeError("an author must be an object")
        found = _person(entry)
        if found is not None:
            people.append(found)
    return tuple(people)


def _person(entry: dict[str, Any]) -> Person | None:
    affiliations = unique(
        plain_text(a.get("name")) for a in as_list(entry.get("affiliation")) if isinstance(a, dict)
    )
    family, given = text_of(entry.get("family")), text_of(entry.get("given"))
    orcid = text_of(entry.get("ORCID"))
    if family:
        suffix = text_of(entry.get("suffix"))
        name = " ".join(p for p in (given, family, suffix) if p) if suffix else None
        return person(family, given, name=name, orcid=orcid, affiliations=affiliations)
    name = text_of(entry.get("name"))
    if name:
        return Person(name=name, collective=True, affiliations=affiliations)
    return person(None, given, orcid=orcid, affiliations=affiliations)


def jats_abstract(raw: str) -> str | None:
    """A JATS abstract as plain text: paragraphs joined with "\\n", a section title kept as
    ``Title: text``, a leading "Abstract" title dropped. Text without blocks: tags stripped."""
    blocks = [(m[1].lower().endswith("title"), plain_text(m[2])) for m in _BLOCK.finditer(raw)]
    if not blocks:
        return plain_text(raw)
    paragraphs: list[str] = []
    label: str | None = None
    for is_title, text in blocks:
        if not text:
            continue
        if is_title:
            leading = not paragraphs and label is None
            if not (leading and text.rstrip(".:").lower() in ABSTRACT_TITLES):
                label = text.rstrip(":").strip()
        else:
            paragraphs.append(f"{label}: {text}" if label else text)
            label = None
    return "\n".join(paragraphs) or None


def _grants(value: Any) -> tuple[Grant, ...]:
    """``funder``: one Grant per award (identifier=award, agency=funder name)."""
    grants = []
    for funder in as_list(value):
        if not isinstance(funder, dict):
            continue
        agency = text_of(funder.get("name"))
        awards = [text_of(a) for a in as_list(funder.get("award"))]
        awards = [a for a in awards if a] or [None]
        grants.extend(Grant(identifier=a, agency=agency) for a in awards if a or agency)
    return unique(grants)


def _kept(key: str, value: Any) -> list[tuple[str, str]]:
    """An unmapped field for extra: strings, numbers and lists of them (objects are noise)."""
    if isinstance(value, bool):
        return [(key, "true" if value else "false")]
    if (text := text_of(value)) is not None:
        return [(key, text)]
    if isinstance(value, list):
        return [(key, t) for t in (text_of(v) for v in value) if t is not None]
    return []


def _extra_url(value: Any, fields: Fields) -> list[tuple[str, str]]:
    """``URL`` kept unless it is only the DOI's doi.org link."""
    url = text_of(value)
    if not url or (fields.get("doi") and normalize_doi(url) == fields["doi"]):
        return []
    return [("URL", url)]


def _extra_license(value: Any, _fields: Fields) -> list[tuple[str, str]]:
    """``license``: the licence URLs."""
    return [
        ("license", url)
        for url in (text_of(e.get("URL")) for e in as_list(value) if isinstance(e, dict))
        if url
    ]


def _extra_assertion(value: Any, _fields: Fields) -> list[tuple[str, str]]:
    """``assertion``: the publication history dates (received, accepted, …)."""
    found = []
    for entry in as_list(value):
        if not isinstance(entry, dict):
            continue
        group = entry.get("group")
        group_name = group.get("name") if isinstance(group, dict) else None
        name, text = text_of(entry.get("name")), text_of(entry.get("value"))
        if group_name == "publication_history" and name and text:
            found.append((name, text))
    return found


def _extra_relation(value: Any, _fields: Fields) -> list[tuple[str, str]]:
    """``relation``: {"is-preprint-of": [{"id": …}]} -> ("is-preprint-of", id)."""
    if not isinstance(value, dict):
        return []
    found = []
    for kind, entries in value.items():
        entries = entries if isinstance(entries, list) else [entries]
        for entry in entries:
            if isinstance(entry, dict) and (ident := text_of(entry.get("id"))):
                found.append((kind, ident))
    return found


def _extra_subtitle(value: Any, _fields: Fields) -> list[tuple[str, str]]:
    """``subtitle``: a list of strings, kept as ("subtitle", text)."""
    return [("subtitle", t) for t in (plain_text(v) for v in as_list(value)) if t]


# Fields read into extra by a handler (objects that need picking apart).
EXTRA_HANDLERS: dict[str, Callable[[Any, Fields], list[tuple[str, str]]]] = {
    "subtitle": _extra_subtitle,
    "URL": _extra_url,
    "license": _extra_license,
    "assertion": _extra_assertion,
    "relation": _extra_relation,
}
# Fields mapped to Paper fields or other records by _work (never copied to extra).
HANDLERS = frozenset(
    {
        *EXTRA_HANDLERS,
        "type",
        "author",
        "editor",
        "abstract",
        "subject",
        "funder",
        "reference",
        "is-referenced-by-count",
        "updated-by",
        "update-to",
    }
)


# ---------------------------------------------------------------------------- references


def _references(value: Any, paper: Paper, loc: Loc) -> list[Record]:
    """Each ``reference`` entry: a non-primary Paper and Relation("cites"); a broken entry
    gives a Problem and the others are still read."""
    records: list[Record] = []
    for position, entry in enumerate(as_list(value), 1):
        try:
            cited = _reference(entry, loc)
        except READ_ERRORS as error:
            records.append(Problem(f"cannot read reference {position}: {error}", loc))
            continue
        if cited is not None:
            records.append(cited)
            records.append(Relation("cites", paper.ref, cited.ref, loc=loc))
    return records


def _reference(entry: Any, loc: Loc) -> Paper | None:
    """A reference with whatever it gives; None when it gives nothing to identify it by."""
    if not isinstance(entry, dict):
        raise TypeError(f"a reference must be an object, found {type(entry).__name__}")
    raw_doi = text_of(entry.get("DOI"))
    doi = normalize_doi(raw_doi)
    title = plain_text(entry.get("article-title"))
    book = plain_text(entry.get("volume-title"))
    if title is None:
        title, book = book, None
    citation = plain_text(entry.get("unstructured"))
    author = text_of(entry.get("author"))
    first = parse_name(author) if author else None
    journal = plain_text(entry.get("journal-title"))
    year = number((text_of(entry.get("year")) or "")[:4]) or year_in(citation)
    volume, page = text_of(entry.get("volume")), text_of(entry.get("first-page"))
    if not (doi or title or citation):
        # only loose parts: keep them as the printed reference
        citation = ". ".join(p for p in (author, str(year) if year else None, journal) if p)
        if not citation:
            return None
        citation = ". ".join(p for p in (citation, volume, page) if p)
    return Paper(
        loc=loc,
        doi=doi,
        title=title,
        book_title=book,
        year=year,
        journal=Journal(title=journal) if journal else None,
        volume=volume,
        pages=page,
        authors=(first,) if first else (),
        citation_text=citation,
        extra=(("DOI", raw_doi),) if raw_doi and not doi else (),
    )


def _updates(work: dict[str, Any], paper: Paper, loc: Loc) -> list[Record]:
    """``updated-by`` (X corrects this) and ``update-to`` (this corrects X) as relations."""
    records: list[Record] = []
    for key, incoming in (("updated-by", True), ("update-to", False)):
        for entry in as_list(work.get(key)):
            if not isinstance(entry, dict):
                continue
            kind = UPDATES.get(text_of(entry.get("type")) or "")
            doi = normalize_doi(text_of(entry.get("DOI")))
            if not (kind and doi) or doi == paper.doi:
                continue
            other = Paper(loc=loc, doi=doi)
            subject, obj = (other.ref, paper.ref) if incoming else (paper.ref, other.ref)
            records.extend((other, Relation(kind, subject, obj, loc=loc)))
    return records


def _counts(work: dict[str, Any], paper: Paper, loc: Loc) -> CitationCounts | None:
    """``is-referenced-by-count`` and ``reference-count`` as of ``indexed``."""
    cited = number(work.get("is-referenced-by-count"))
    if cited is None:
        return None
    references = number(work.get("reference-count"))
    if references is None:
        references = number(work.get("references-count"))
    indexed = work.get("indexed")
    stamp = text_of(indexed.get("date-time")) if isinstance(indexed, dict) else None
    return CitationCounts(
        paper=paper.ref,
        source_name="crossref",
        loc=loc,
        cited_by=cited,
        references=references,
        date=stamp[:10] if stamp else None,
    )
