"""Semantic Scholar Graph API JSON (``api.semanticscholar.org/graph/v1``), bare or in the
envelope ``kg fetch`` saves (:mod:`kg.extract.envelope`).

Accepted shapes: a paper (``/paper/{id}``), a list of papers (``POST /paper/batch``: ``null``
for an id not found, skipped), and a page of references or citations (``/paper/{id}/
references`` or ``/citations``: ``{"offset", "next", "data": [{"contexts", "intents",
"contextsWithIntent", "isInfluential", "citedPaper" | "citingPaper"}]}``). Quirks handled:

* ``externalIds``: ``DOI`` (publisher's case), ``PubMed``, ``PubMedCentral`` (digits only:
  made ``PMC…``); ``CorpusId``, ``MAG``, ``ArXiv``, ``DBLP``, ``ACL`` and ``paperId`` are kept in
  extra (they identify nothing kg resolves on). A paper with no DOI, PMID, PMCID or title (a
  batch asked for ``fields=authors``) is a Problem.
* ``journal`` is ``{name, volume, pages}`` (any may be missing); ``venue`` names the journal
  or conference when ``journal`` has no name; ``publicationVenue.issn`` gives the ISSN.
* ``citationCount`` and ``referenceCount`` are counts as of the envelope's day.
* A page's items are the listed papers (primary=False). The paper the page is about is the
  envelope's ``id`` (``DOI:…``, ``PMID:…``, ``PMCID:…``; a ``CorpusId:`` or a 40-hex paperId
  identifies nothing kg knows, and neither does a bare page): without it the listed papers are
  read and one Problem says the relations were not. With it, each item is a ``cites``
  relation and each context sentence a CitationStatement, its intents those S2 gives for that
  sentence (``contextsWithIntent``), else the item's.
* A paper's embedded ``references`` and ``citations`` lists (``fields=references``) are
  relations too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..ids import normalize_doi, normalize_pmcid, normalize_pmid
from ..records import (
    CitationCounts,
    CitationStatement,
    Journal,
    Loc,
    Paper,
    PaperRef,
    Person,
    Problem,
    Record,
    Relation,
)
from .common import identifiable, month_date, number
from .envelope import BODY, Head, read_head, service
from .jsonwalk import SNIFF_HEAD, as_dict, as_list, issn, plain_text, read_works, text_of, unique
from .names import parse_name

FORMAT = "semanticscholar_json"
MEDIA_TYPE = "application/json"
SERVICE = "semanticscholar"

# publicationTypes -> publication type label (the native value is also kept in extra).
TYPES: dict[str, str] = {
    "JournalArticle": "Journal Article",
    "Review": "Review",
    "Conference": "Conference Paper",
    "CaseReport": "Case Reports",
    "ClinicalTrial": "Clinical Trial",
    "Dataset": "Dataset",
    "Editorial": "Editorial",
    "MetaAnalysis": "Meta-Analysis",
    "Book": "Book",
    "BookSection": "Book Chapter",
}

# externalIds kept in extra under their name (DOI, PubMed and PubMedCentral are ids of kg's).
KEPT_IDS = ("CorpusId", "MAG", "ArXiv", "DBLP", "ACL")

# Envelope id prefixes (case-insensitive) -> PaperRef field and normaliser.
SUBJECT_IDS = {
    "doi": ("doi", normalize_doi),
    "pmid": ("pmid", normalize_pmid),
    "pmcid": ("pmcid", normalize_pmcid),
}

_START = re.compile(r"^[\ufeff \t\r\n]*[\[{]")
_PAPER_ID = re.compile(r'"paperId"\s*:')
_EDGE = re.compile(r'"(?:citedPaper|citingPaper)"\s*:')
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_PREFIXED = re.compile(r"^([A-Za-z]+):(.+)$")

# ---------------------------------------------------------------------------- interface


def sniff(text: str) -> bool:
    """True for a ``kg fetch`` envelope of Semantic Scholar, or bare Semantic Scholar JSON: a
    ``"paperId"`` key, or items with ``citedPaper``/``citingPaper``, near the head."""
    found = service(text)
    if found is not None:
        return found == SERVICE
    head = text[:SNIFF_HEAD]
    return bool(_START.match(head) and (_PAPER_ID.search(head) or _EDGE.search(head)))


def parse(text: str) -> Iterator[Record]:
    """Papers, counts, relations and citation statements of every paper and item in ``text``."""
    reader = _Reader(read_head(text))
    return read_works(text, {BODY: "body", "data": "list"}, reader.item, "Semantic Scholar item")


# ---------------------------------------------------------------------------- items


class _Reader:
    """What one text's items share: the envelope's day and the paper a page is about."""

    def __init__(self, head: Head) -> None:
        self.date = head.date
        self.asked = text_of(head.fetch.get("id"))
        self.subject = subject_ref(self.asked)
        self.told = False  # whether the Problem of an unknown subject was given

    def item(self, value: Any, line: int) -> list[Record]:
        loc = Loc(line=line)
        if value is None:
            return []  # a batch's paper not found
        if not isinstance(value, dict):
            kind = type(value).__name__
            return [Problem(f"a Semantic Scholar item must be an object, found {kind}", loc)]
        if "citedPaper" in value or "citingPaper" in value:
            return self.edge(value, loc)
        if "paperId" not in value and (error := text_of(value.get("error"))):
            return [Problem(f"Semantic Scholar error: {error}", loc)]
        return self.paper(value, loc, primary=True)

    def paper(self, value: dict[str, Any], loc: Loc, *, primary: bool) -> list[Record]:
        """A paper object: its Paper and counts, and its embedded reference/citation lists."""
        paper = _paper(value, loc, primary)
        if not identifiable(paper):
            paper_id = text_of(value.get("paperId")) or "?"
            return [Problem(f"paper {paper_id}: no DOI, PMID, PMCID or title", loc)]
        records: list[Record] = [paper]
        cited_by = number(value.get("citationCount"))
        if cited_by is not None:
            references = number(value.get("referenceCount"))
            records.append(
                CitationCounts(
                    paper=paper.ref,
                    source_name="semanticscholar",
                    loc=loc,
                    date=self.date,
                    cited_by=cited_by,
                    references=references,
                )
            )
        for key, outgoing in (("references", True), ("citations", False)):
            for entry in as_list(value.get(key)):
                other = _paper(as_dict(entry), loc, primary=False)
                if not identifiable(other):
                    continue
                subject, obj = (paper.ref, other.ref) if outgoing else (other.ref, paper.ref)
                records.extend((other, Relation("cites", subject, obj, loc=loc)))
        return records

    def edge(self, value: dict[str, Any], loc: Loc) -> list[Record]:
        """A references/citations item: the listed paper, and (when the page's paper is
        known) the citation and its statements."""
        outgoing = "citedPaper" in value
        listed = as_dict(value.get("citedPaper" if outgoing else "citingPaper"))
        records = self.paper(listed, loc, primary=False)
        if not records or not isinstance(records[0], Paper):
            return records
        if self.subject is None:
            if not self.told:
                self.told = True
                asked = f" ({self.asked})" if self.asked else ""
                whose = "citing" if outgoing else "cited"
                records.append(
                    Problem(
                        f"the {whose} paper{asked} is not identified by a DOI, PMID or PMCID: "
                        "the listed papers are read, their citations are not",
                        loc,
                    )
                )
            return records
        other = records[0].ref
        citing, cited = (self.subject, other) if outgoing else (other, self.subject)
        records.append(Relation("cites", citing, cited, loc=loc))
        influential = value.get("isInfluential")
        flag = influential if isinstance(influential, bool) else None
        for text, intents in _contexts(value):
            records.append(
                CitationStatement(
                    cited=cited,
                    text=text,
                    type="mentioning",
                    loc=loc,
                    citing=citing,
                    intents=intents,
                    influential=flag,
                )
            )
        return records


def subject_ref(asked: str | None) -> PaperRef | None:
    """The paper an envelope's ``id`` names (``DOI:10.1/x``, ``PMID:123``, ``PMCID:PMC1``, a
    bare DOI), or None when it names none kg can identify (``CorpusId:1``, a paperId)."""
    if not asked:
        return None
    match = _PREFIXED.match(asked)
    if match is not None and match[1].lower() in SUBJECT_IDS:
        name, normalize = SUBJECT_IDS[match[1].lower()]
        found = normalize(match[2].strip())
        return PaperRef(**{name: found}) if found else None
    doi = normalize_doi(asked)
    return PaperRef(doi=doi) if doi else None


def _contexts(value: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """(sentence, intents) of each context: the sentence's own intents when
    ``contextsWithIntent`` gives them, else the item's."""
    intents = _intents(value.get("intents"))
    found: dict[str, tuple[str, ...]] = {}
    for entry in as_list(value.get("contextsWithIntent")):
        entry = as_dict(entry)
        if text := text_of(entry.get("context")):
            found[text] = _intents(entry.get("intents"))
    for context in as_list(value.get("contexts")):
        if (text := text_of(context)) and text not in found:
            found[text] = intents
    return list(found.items())


def _intents(value: Any) -> tuple[str, ...]:
    return unique(text_of(i) for i in as_list(value))


# ---------------------------------------------------------------------------- papers


def _paper(value: dict[str, Any], loc: Loc, primary: bool) -> Paper:
    """A paper object as a Paper (maybe with nothing to identify it by)."""
    ids = as_dict(value.get("externalIds"))
    extra: list[tuple[str, str]] = []
    if paper_id := text_of(value.get("paperId")):
        extra.append(("paperId", paper_id))
    extra.extend((key, t) for key in KEPT_IDS if (t := text_of(ids.get(key))) is not None)
    kinds = [t for t in (text_of(k) for k in as_list(value.get("publicationTypes"))) if t]
    extra.extend(("publicationType", k) for k in kinds)
    extra.extend(
        ("fieldOfStudy", f) for f in (text_of(v) for v in as_list(value.get("fieldsOfStudy"))) if f
    )
    if (influential := number(value.get("influentialCitationCount"))) is not None:
        extra.append(("influentialCitationCount", str(influential)))
    if pdf := text_of(as_dict(value.get("openAccessPdf")).get("url")):
        extra.append(("openAccessPdf", pdf))
    journal = as_dict(value.get("journal"))
    year = number(value.get("year"))
    date = _ISO_DATE.match(text_of(value.get("publicationDate")) or "")
    return Paper(
        loc=loc,
        primary=primary,
        doi=normalize_doi(text_of(ids.get("DOI"))),
        pmid=normalize_pmid(text_of(ids.get("PubMed"))),
        pmcid=normalize_pmcid(text_of(ids.get("PubMedCentral"))),
        title=plain_text(value.get("title")),
        abstract=plain_text(value.get("abstract")),
        year=year if year is not None else (int(date[1]) if date else None),
        date=month_date(*date.groups()) if date else None,
        journal=_journal(value, journal),
        volume=text_of(journal.get("volume")),
        pages=(text_of(journal.get("pages")) or "").replace(" ", "") or None,
        authors=_authors(value.get("authors")),
        types=unique(TYPES.get(k) for k in kinds),
        free_full_text=value.get("isOpenAccess") is True,
        extra=unique(extra),
    )


def _journal(value: dict[str, Any], journal: dict[str, Any]) -> Journal | None:
    """The journal's name (else the venue's) and the venue's ISSNs."""
    venue = as_dict(value.get("publicationVenue"))
    title = plain_text(journal.get("name")) or plain_text(value.get("venue"))
    issns = unique(issn(v) for v in [venue.get("issn"), *as_list(venue.get("alternate_issns"))])
    return Journal(title=title, issns=issns) if title or issns else None


def _authors(value: Any) -> tuple[Person, ...]:
    """``[{"authorId", "name": "E. Duflo"}]`` in order."""
    people = []
    for entry in as_list(value):
        name = text_of(as_dict(entry).get("name"))
        person = parse_name(name) if name else None
        if person is not None:
            people.append(person)
    return tuple(people)
