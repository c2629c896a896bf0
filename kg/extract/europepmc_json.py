"""Europe PMC REST JSON (``www.ebi.ac.uk/europepmc/webservices/rest``), bare or in the envelope
``kg fetch`` saves (:mod:`kg.extract.envelope`).

Accepted shapes:

* ``/search?format=json``: ``{"hitCount", "request", "resultList": {"result": […]}}``, any
  ``resultType``: ``core`` (``authorList``, ``journalInfo``, ``abstractText``, ``pubTypeList``,
  ``meshHeadingList``, ``keywordList``, ``grantsList``), ``lite`` (``authorString``,
  ``journalTitle``, ``journalIssn`` "0140-6736; 1474-547x; ", ``journalVolume``, ``pubType``
  "journal article; review") or ``idlist`` (ids only). Each result is the paper's own record,
  with its ``citedByCount`` as of the envelope's day.
* ``/{source}/{id}/references``: ``{"hitCount", "request": {"id", "source"}, "referenceList":
  {"reference": […]}}``: each reference (``id``/``source`` when Europe PMC matched it, ``doi``,
  ``title``, ``authorString``, ``journalAbbreviation``, ``pubYear``, ``volume``, ``issue``,
  ``pageInfo``, ``publicationTitle`` of a book, ``unstructuredInformation``) is a listed paper
  cited by the paper of ``request`` (else of the envelope's ``id``, ``MED:123``/``PMC:PMC1``).
* ``/{source}/{id}/citations``: the same with ``citationList.citation``: each citation is a
  listed paper citing that paper.

``id`` is a PMID when ``source`` is ``MED`` and a PMCID when it is ``PMC``; other sources'
ids (``PPR``, ``AGR`` …) are kept in extra. Titles may hold HTML markup (stripped). A
references or citations page whose paper is unknown gives its papers and one Problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..ids import normalize_doi, normalize_pmcid, normalize_pmid
from ..records import (
    CitationCounts,
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
from .common import identifiable, month_date, number
from .envelope import BODY, Head, read_head, service
from .jsonwalk import (
    SNIFF_HEAD,
    as_dict,
    as_list,
    issn,
    plain_text,
    read_works,
    text_of,
    unique,
    year_in,
)
from .names import parse_name, person

FORMAT = "europepmc_json"
MEDIA_TYPE = "application/json"
SERVICE = "europepmc"

# The body's list -> the endpoint it answers.
LISTS = {"resultList": "search", "referenceList": "references", "citationList": "citations"}
CONTAINERS = {
    BODY: "body",
    "resultList": "object",
    "result": "list",
    "referenceList": "object",
    "reference": "list",
    "citationList": "object",
    "citation": "list",
}

_START = re.compile(r"^[\ufeff \t\r\n]*\{")
_LIST = re.compile(r'"(?:resultList|referenceList|citationList)"\s*:')
_MARKER = re.compile(r'"(?:hitCount|request)"\s*:')
_PREFIXED = re.compile(r"^([A-Za-z]+):(.+)$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FLAG_YES = "Y"

# ---------------------------------------------------------------------------- interface


def sniff(text: str) -> bool:
    """True for a ``kg fetch`` envelope of Europe PMC, or a bare Europe PMC response: a
    ``resultList``/``referenceList``/``citationList`` with ``hitCount`` or ``request`` near the
    head of an object."""
    found = service(text)
    if found is not None:
        return found == SERVICE
    head = text[:SNIFF_HEAD]
    return bool(_START.match(head) and _LIST.search(head) and _MARKER.search(head))


def parse(text: str) -> Iterator[Record]:
    """Papers and counts of search results; papers and relations of references and
    citations."""
    reader = _Reader(read_head(text, frozenset({"request"})))
    return read_works(text, CONTAINERS, reader.item, "Europe PMC record")


# ---------------------------------------------------------------------------- items


class _Reader:
    """What one text's items share: the endpoint, the envelope's day, the page's paper."""

    def __init__(self, head: Head) -> None:
        self.date = head.date
        self.endpoint = next((e for key, e in LISTS.items() if key in head.keys), None)
        request = head.values.get("request")
        request = request if isinstance(request, dict) else {}
        source, found = text_of(request.get("source")), text_of(request.get("id"))
        self.asked = f"{source}:{found}" if source and found else text_of(head.fetch.get("id"))
        self.subject = subject_ref(self.asked)
        self.told = False  # whether the Problem of an unknown subject was given

    def item(self, value: Any, line: int) -> list[Record]:
        loc = Loc(line=line)
        if not isinstance(value, dict):
            kind = type(value).__name__
            return [Problem(f"a Europe PMC record must be an object, found {kind}", loc)]
        if self.endpoint is None:  # no list: an error, or a response kg does not read
            message = text_of(value.get("errMsg")) or text_of(value.get("error"))
            what = f"Europe PMC error: {message}" if message else "no Europe PMC result list"
            return [Problem(what, loc)]
        paper = _paper(value, loc, primary=self.endpoint == "search")
        if not (identifiable(paper) or paper.citation_text):
            return [Problem("a Europe PMC record without an id, a DOI, a title or a text", loc)]
        records: list[Record] = [paper]
        cited_by = number(value.get("citedByCount"))
        if cited_by is not None:
            records.append(
                CitationCounts(
                    paper=paper.ref,
                    source_name="europepmc",
                    loc=loc,
                    date=self.date,
                    cited_by=cited_by,
                )
            )
        if self.endpoint == "search":
            return records
        if self.subject is None:
            if not self.told:
                self.told = True
                asked = f" ({self.asked})" if self.asked else ""
                whose = "citing" if self.endpoint == "references" else "cited"
                records.append(
                    Problem(
                        f"the {whose} paper{asked} is not identified by a PMID or PMCID: the "
                        "listed papers are read, their citations are not",
                        loc,
                    )
                )
            return records
        if self.endpoint == "references":
            records.append(Relation("cites", self.subject, paper.ref, loc=loc))
        else:
            records.append(Relation("cites", paper.ref, self.subject, loc=loc))
        return records


def subject_ref(asked: str | None) -> PaperRef | None:
    """The paper ``MED:123`` or ``PMC:PMC1`` names; None for other sources and bad ids."""
    match = _PREFIXED.match(asked or "")
    if match is None:
        return None
    source, found = match[1].upper(), match[2].strip()
    if source == "MED" and (pmid := normalize_pmid(found)):
        return PaperRef(pmid=pmid)
    if source == "PMC" and (pmcid := normalize_pmcid(found)):
        return PaperRef(pmcid=pmcid)
    return None


# ---------------------------------------------------------------------------- papers


def _paper(value: dict[str, Any], loc: Loc, primary: bool) -> Paper:
    """A search result, reference or citation as a Paper (maybe with nothing to identify it
    by)."""
    source, found = text_of(value.get("source")), text_of(value.get("id"))
    extra: list[tuple[str, str]] = []
    pmid = normalize_pmid(text_of(value.get("pmid")))
    pmcid = normalize_pmcid(text_of(value.get("pmcid")))
    if source == "MED":
        pmid = pmid or normalize_pmid(found)
    elif source == "PMC":
        pmcid = pmcid or normalize_pmcid(found)
    elif source and found:
        extra.append(("europepmc_id", f"{source}:{found}"))
    info = as_dict(value.get("journalInfo"))
    title = plain_text(value.get("title"))
    book = plain_text(value.get("publicationTitle"))
    if title is None:
        title, book = book, None
    citation = plain_text(value.get("unstructuredInformation")) if title is None else None
    for key in ("citationType", "firstPublicationDate"):
        if (kept := text_of(value.get(key))) is not None:
            extra.append((key, kept))
    year = number(value.get("pubYear")) or number(info.get("yearOfPublication"))
    year = year or (year_in(citation) if citation else None)
    return Paper(
        loc=loc,
        primary=primary,
        pmid=pmid,
        pmcid=pmcid,
        doi=normalize_doi(text_of(value.get("doi"))),
        title=title,
        book_title=book,
        citation_text=citation,
        year=year,
        date=text_of(info.get("dateOfPublication")),
        epub_date=_iso_date(text_of(value.get("electronicPublicationDate"))),
        journal=_journal(value, info),
        volume=text_of(info.get("volume"))
        or text_of(value.get("journalVolume"))
        or text_of(value.get("volume")),
        issue=text_of(info.get("issue")) or text_of(value.get("issue")),
        pages=text_of(value.get("pageInfo")),
        authors=_authors(value),
        abstract=plain_text(value.get("abstractText")),
        types=_types(value),
        mesh=_mesh(value),
        keywords=unique(
            plain_text(k) for k in as_list(as_dict(value.get("keywordList")).get("keyword"))
        ),
        grants=_grants(value),
        language=text_of(value.get("language")),
        free_full_text=_FLAG_YES in (value.get("isOpenAccess"), value.get("inEPMC")),
        extra=unique(extra),
    )


def _iso_date(text: str | None) -> str | None:
    """``2015-04-11`` -> ``2015 Apr 11``."""
    match = _ISO_DATE.match(text or "")
    return month_date(*match.groups()) if match else None


def _journal(value: dict[str, Any], info: dict[str, Any]) -> Journal | None:
    """``journalInfo.journal`` (core), else ``journalTitle``/``journalIssn`` (lite: the title
    is the NLM abbreviation), else a reference's ``journalAbbreviation`` and ``issn``/``essn``."""
    journal = as_dict(info.get("journal"))
    title = plain_text(journal.get("title"))
    abbreviation = (
        text_of(journal.get("medlineAbbreviation"))
        or text_of(journal.get("isoabbreviation"))
        or text_of(value.get("journalTitle"))
        or text_of(value.get("journalAbbreviation"))
    )
    printed = (text_of(value.get("journalIssn")) or "").split(";")
    issns = unique(
        issn(v)
        for v in [
            journal.get("issn"),
            journal.get("essn"),
            *printed,
            value.get("issn"),
            value.get("essn"),
        ]
    )
    if not (title or abbreviation or issns):
        return None
    return Journal(title=title, abbreviation=abbreviation, issns=issns)


def _authors(value: dict[str, Any]) -> tuple[Person, ...]:
    """``authorList.author`` (core), else ``authorString`` ("Smith J, Doe JA.")."""
    people = []
    for entry in as_list(as_dict(value.get("authorList")).get("author")):
        entry = as_dict(entry)
        author_id = as_dict(entry.get("authorId"))
        orcid = text_of(author_id.get("value")) if author_id.get("type") == "ORCID" else None
        details = as_dict(entry.get("authorAffiliationDetailsList")).get("authorAffiliation")
        affiliations = unique(plain_text(as_dict(a).get("affiliation")) for a in as_list(details))
        if collective := text_of(entry.get("collectiveName")):
            people.append(Person(name=collective, collective=True, affiliations=affiliations))
            continue
        found = person(
            text_of(entry.get("lastName")),
            text_of(entry.get("firstName")),
            name=text_of(entry.get("fullName")),
            orcid=orcid,
            affiliations=affiliations,
            initials_=text_of(entry.get("initials")),
        )
        if found is not None:
            people.append(found)
    if people:
        return tuple(people)
    printed = (text_of(value.get("authorString")) or "").rstrip(".")
    return tuple(p for p in (parse_name(n) for n in printed.split(", ")) if p is not None)


def _types(value: dict[str, Any]) -> tuple[str, ...]:
    """``pubTypeList.pubType`` (core) or ``pubType`` (lite, "; "-separated), as printed."""
    listed = as_list(as_dict(value.get("pubTypeList")).get("pubType"))
    if not listed:
        listed = (text_of(value.get("pubType")) or "").split(";")
    return unique(text_of(t) for t in listed)


def _mesh(value: dict[str, Any]) -> tuple[MeshHeading, ...]:
    """``meshHeadingList.meshHeading``: descriptor, qualifiers, ``majorTopic_YN`` flags."""
    headings = []
    for entry in as_list(as_dict(value.get("meshHeadingList")).get("meshHeading")):
        entry = as_dict(entry)
        descriptor = text_of(entry.get("descriptorName"))
        if not descriptor:
            continue
        qualifiers = as_list(as_dict(entry.get("meshQualifierList")).get("meshQualifier"))
        headings.append(
            MeshHeading(
                descriptor=descriptor,
                major=entry.get("majorTopic_YN") == _FLAG_YES,
                qualifiers=tuple(
                    (name, as_dict(q).get("majorTopic_YN") == _FLAG_YES)
                    for q in qualifiers
                    if (name := text_of(as_dict(q).get("qualifierName")))
                ),
            )
        )
    return tuple(headings)


def _grants(value: dict[str, Any]) -> tuple[Grant, ...]:
    """``grantsList.grant``: grant id, agency, acronym."""
    grants = []
    for entry in as_list(as_dict(value.get("grantsList")).get("grant")):
        entry = as_dict(entry)
        identifier, agency = text_of(entry.get("grantId")), text_of(entry.get("agency"))
        if identifier or agency:
            grants.append(
                Grant(identifier=identifier, acronym=text_of(entry.get("acronym")), agency=agency)
            )
    return unique(grants)
