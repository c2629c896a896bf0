"""Resolved records -> RDF, exactly as the RDF contract (vocabulary.md) says.

The mapping knows the vocabulary and nothing about formats. Tables, not if-chains, say which
publication type is which FaBiO class, which statement type which CiTO characterization, and
which section which DEO class.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD
from rdflib.term import Node

from .iris import Minter, fold, mesh_iri, slug
from .records import Grant, Journal, MeshHeading, Paper, Person, Source
from .resolve import (
    MergedPaper,
    Resolved,
    ResolvedCounts,
    ResolvedRelation,
    ResolvedStatement,
)
from .vocab import C4O, CITO, DEO, FABIO, KGO, PRISM, bind_prefixes

Triple = tuple[Node, Node, Node]

# Publication types as PubMed prints them (folded) -> FaBiO classes.
TYPE_CLASSES: dict[str, URIRef] = {
    "journal article": FABIO.JournalArticle,
    "review": FABIO.ReviewArticle,
    "systematic review": FABIO.SystematicReview,
    "clinical trial": FABIO.ClinicalTrialReport,
    "clinical trial phase i": FABIO.ClinicalTrialReport,
    "clinical trial phase ii": FABIO.ClinicalTrialReport,
    "clinical trial phase iii": FABIO.ClinicalTrialReport,
    "clinical trial phase iv": FABIO.ClinicalTrialReport,
    "randomized controlled trial": FABIO.ClinicalTrialReport,
    "controlled clinical trial": FABIO.ClinicalTrialReport,
    "pragmatic clinical trial": FABIO.ClinicalTrialReport,
    "case reports": FABIO.CaseReport,
    "letter": FABIO.Letter,
    "editorial": FABIO.Editorial,
    "comment": FABIO.Comment,
    "published erratum": FABIO.Erratum,
    "retraction notice": FABIO.RetractionNotice,
    "retraction of publication": FABIO.RetractionNotice,
    "preprint": FABIO.Preprint,
    "book chapter": FABIO.BookChapter,
    "chapter": FABIO.BookChapter,
    "book": FABIO.Book,
    "conference paper": FABIO.ConferencePaper,
    "thesis": FABIO.Thesis,
    "report": FABIO.ReportDocument,
    "dataset": FABIO.Dataset,
}

# scite statement types -> CiTO characterizations.
CHARACTERIZATIONS: dict[str, URIRef] = {
    "mentioning": CITO.citesForInformation,
    "supporting": CITO.supports,
    "contrasting": CITO.disputes,
}

# Section names as printed (folded) -> DEO classes, when a section is a standard one.
SECTION_CLASSES: dict[str, URIRef] = {
    "introduction": DEO.Introduction,
    "background": DEO.Background,
    "methods": DEO.Methods,
    "method": DEO.Methods,
    "methodology": DEO.Methods,
    "materials and methods": DEO.Methods,
    "methods and materials": DEO.Methods,
    "materials": DEO.Materials,
    "results": DEO.Results,
    "discussion": DEO.Discussion,
    "conclusion": DEO.Conclusion,
    "conclusions": DEO.Conclusion,
    "related work": DEO.RelatedWork,
    "evaluation": DEO.Evaluation,
    "future work": DEO.FutureWork,
    "motivation": DEO.Motivation,
    "problem statement": DEO.ProblemStatement,
    "acknowledgements": DEO.Acknowledgements,
    "acknowledgments": DEO.Acknowledgements,
}

# relation kind -> (forward property, inverse property); both directions are always written.
RELATION_PROPERTIES: dict[str, tuple[URIRef, URIRef | None]] = {
    "cites": (CITO.cites, CITO.isCitedBy),
    "discusses": (CITO.discusses, CITO.isDiscussedBy),
    "corrects": (CITO.corrects, CITO.isCorrectedBy),
    "retracts": (CITO.retracts, CITO.isRetractedBy),
    "updates": (CITO.updates, CITO.isUpdatedBy),
    "similar": (KGO.similarTo, None),
}

# Who counted, for c4o:hasGlobalCountSource.
COUNT_SOURCES: dict[str, tuple[URIRef, str]] = {
    "scite": (URIRef("https://scite.ai/"), "scite"),
    "crossref": (URIRef("https://www.crossref.org/"), "Crossref"),
    "openalex": (URIRef("https://openalex.org/"), "OpenAlex"),
}

# extra fields with a property of their own; the others become kgo:sourceField "key: value".
EXTRA_PROPERTIES: dict[str, URIRef] = {"conflict_of_interest": KGO.conflictOfInterest}

# English month names, whatever the locale: a month is any prefix of three letters or more.
_MONTH_NAMES = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)
_DATE = re.compile(r"^(\d{4})(?: ([A-Za-z]{3,9})\.?(?: (\d{1,2}))?)?$", re.ASCII)
_EMAIL = re.compile(
    r"\s*(?:Electronic address:\s*)?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)\.?", re.IGNORECASE
)


# What a text literal never holds. Control characters (C0 and C1, but tab, line feed and
# carriage return) are legal in Turtle and N-Triples but not in XML 1.0 (GraphML, GEXF) and
# drive terminals: the ones that space words (vertical tab, form feed, the separators, NEL)
# become a space, the others are dropped. A lone surrogate (only a JSON escape can make one)
# is not a character UTF-8 can write: it becomes U+FFFD.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_REPLACEMENTS = {
    **dict.fromkeys(map(chr, (*range(0x00, 0x20), *range(0x7F, 0xA0))), ""),
    **dict.fromkeys(map(chr, (0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F, 0x85)), " "),
    **dict.fromkeys(map(chr, range(0xD800, 0xE000)), "\ufffd"),
}


def clean_text(value: str) -> str:
    """``value`` as a literal holds it: see ``_CONTROLS``."""
    if not _CONTROLS.search(value):
        return value
    return _CONTROLS.sub(lambda m: _REPLACEMENTS[m.group()], value)


def plain(value: str) -> Literal:
    """A plain string literal of text read from a source."""
    return Literal(clean_text(value))


def to_graph(resolved: Resolved, minter: Minter) -> Graph:
    """The merged graph of a build, every prefix of the contract bound."""
    graph = bind_prefixes(Graph())
    for triple in triples(resolved, minter):
        graph.add(triple)
    return graph


def triples(resolved: Resolved, minter: Minter) -> Iterator[Triple]:
    for source in resolved.sources:
        yield from _source(source, minter)
    for merged in resolved.papers:
        yield from _paper(merged, resolved, minter)
    for relation in resolved.relations:
        yield from _relation(relation, minter)
    for statement in resolved.statements:
        yield from _statement(statement, minter)
    for counts in resolved.counts:
        yield from _counts(counts, minter)


def source_iri(source: Source, minter: Minter) -> URIRef:
    return minter("source", source.sha256)


def _source(source: Source, minter: Minter) -> Iterator[Triple]:
    s = source_iri(source, minter)
    yield s, RDF.type, PROV.Entity
    yield s, KGO.path, plain(source.path)
    yield s, KGO.sha256, Literal(source.sha256)
    yield s, KGO.sourceFormat, Literal(source.format)
    yield s, DCTERMS.format, Literal(source.media_type)


def _paper(merged: MergedPaper, resolved: Resolved, minter: Minter) -> Iterator[Triple]:
    p, paper = merged.iri, merged.paper
    yield p, RDF.type, KGO.Paper
    for kind in paper.types:
        yield p, KGO.publicationType, plain(kind)
        if cls := TYPE_CLASSES.get(fold(kind)):
            yield p, RDF.type, cls
    for prop, value in (
        (PRISM.doi, paper.doi),
        (FABIO.hasPubMedId, paper.pmid),
        (FABIO.hasPubMedCentralId, paper.pmcid),
        (KGO.openAlexId, paper.openalex),
        (DCTERMS.title, paper.title),
        (DCTERMS.abstract, paper.abstract),
        (PRISM.volume, paper.volume),
        (PRISM.issueIdentifier, paper.issue),
        (DCTERMS.language, paper.language),
        (DCTERMS.bibliographicCitation, paper.citation_text),
    ):
        if value and (text := clean_text(value)):  # a title of control characters is none
            yield p, prop, Literal(text)
    if paper.year and 0 < paper.year < 10000:
        yield p, FABIO.hasPublicationYear, Literal(f"{paper.year:04d}", datatype=XSD.gYear)
    if paper.date:
        yield p, PRISM.publicationDate, date_literal(paper.date)
    if paper.epub_date:
        yield p, KGO.electronicPublicationDate, date_literal(paper.epub_date)
    if paper.pages:
        yield from _pages(p, paper.pages)
    if paper.free_full_text:
        yield p, KGO.freeFullText, Literal(True)
    if paper.journal and (journal := resolved.journals.get(paper.journal)):
        yield from _journal(p, journal.iri, journal.journal)
    if paper.book_title and fold(paper.book_title) != fold(paper.title or ""):
        yield from _book(p, paper, minter)
    if paper.publisher:
        yield from _organization(p, DCTERMS.publisher, paper.publisher, minter)
    for position, person in enumerate(paper.authors, 1):
        yield from _author(p, position, person, resolved, minter)
    for person in paper.editors:
        yield p, KGO.editor, resolved.person(person).iri
        yield from _agent(resolved.person(person).iri, resolved.person(person).person)
    for heading in paper.mesh:
        yield from _mesh(p, heading, minter)
    for keyword in paper.keywords:
        yield p, DCTERMS.subject, plain(keyword)
    for grant in paper.grants:
        yield from _grant(p, grant, minter)
    for key, value in paper.extra:
        if prop := EXTRA_PROPERTIES.get(key):
            yield p, prop, plain(value)
        else:
            yield p, KGO.sourceField, plain(f"{key}: {value}")
    for source in merged.sources:
        yield p, PROV.wasDerivedFrom, source_iri(source, minter)


def date_literal(text: str) -> Literal:
    """A typed date only for a real calendar date: ``2015 Oct 21`` -> xsd:date, ``2024 Sep`` ->
    xsd:gYearMonth, ``2021`` -> xsd:gYear; seasons, ranges, impossible dates (``2023 Feb 30``)
    and digits other than ASCII ones stay strings."""
    m = _DATE.match(text.strip())
    if not m:
        return plain(text)
    year, month_name, day = m.groups()
    if year == "0000":  # no year zero in the calendar sources date by
        return plain(text)
    if month_name is None:
        return Literal(year, datatype=XSD.gYear)
    month = _month(month_name)
    if month is None:
        return plain(text)
    if day is None:
        return Literal(f"{year}-{month:02d}", datatype=XSD.gYearMonth)
    try:
        return Literal(date(int(year), month, int(day)).isoformat(), datatype=XSD.date)
    except ValueError:
        return plain(text)


def _month(word: str) -> int | None:
    """``Feb``, ``Sept``, ``September`` -> its number; None for any other word."""
    word = word.lower()
    return next((i for i, name in enumerate(_MONTH_NAMES, 1) if name.startswith(word)), None)


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


# Page numbers of up to nine ASCII digits (int() refuses a number of 5,000 digits).
_RANGE = re.compile(r"^([A-Za-z]*)([0-9]{1,9})-([A-Za-z]*)([0-9]{1,9})$")


def _pages(p: URIRef, pages: str) -> Iterator[Triple]:
    """``1137-50`` -> range, start 1137, end 1150 (the abbreviated end page expanded)."""
    yield p, PRISM.pageRange, plain(pages)
    m = _RANGE.match(pages)
    if m and m.group(1) == (m.group(3) or m.group(1)):
        prefix, start, _, end = m.groups()
        if len(end) < len(start):
            end = start[: len(start) - len(end)] + end
        if int(end) >= int(start):
            yield p, PRISM.startingPage, plain(prefix + start)
            yield p, PRISM.endingPage, plain(prefix + end)


def _journal(p: URIRef, j: URIRef, journal: Journal) -> Iterator[Triple]:
    yield p, DCTERMS.isPartOf, j
    yield j, RDF.type, FABIO.Journal
    if journal.title:
        yield j, DCTERMS.title, plain(journal.title)
    if journal.abbreviation:
        yield j, FABIO.hasNLMJournalTitleAbbreviation, plain(journal.abbreviation)
    for issn in journal.issns:
        yield j, PRISM.issn, plain(issn)


def _author(
    p: URIRef, position: int, person: Person, resolved: Resolved, minter: Minter
) -> Iterator[Triple]:
    merged = resolved.person(person)
    a = merged.iri
    yield p, DCTERMS.creator, a
    yield from _agent(a, merged.person)
    role = minter.hashed("authorship", p, position)
    yield p, KGO.hasAuthorship, role
    yield role, RDF.type, KGO.Authorship
    yield role, KGO.author, a
    yield role, KGO.position, Literal(position)
    if person.equal_contribution:
        yield role, KGO.equalContribution, Literal(True)
    for text in person.affiliations:
        yield from _affiliation(role, text, minter)


def _agent(a: URIRef, who: Person) -> Iterator[Triple]:
    yield a, RDF.type, FOAF.Organization if who.collective else FOAF.Person
    yield a, FOAF.name, plain(who.name)
    if who.family and not who.collective:
        yield a, FOAF.familyName, plain(who.family)
    if who.given and not who.collective:
        yield a, FOAF.givenName, plain(who.given)


def _book(p: URIRef, paper: Paper, minter: Minter) -> Iterator[Triple]:
    """The book (or proceedings) a chapter (or conference paper) is part of."""
    title = paper.book_title or ""
    proceedings = any(fold(t) == "conference paper" for t in paper.types)
    b = minter("book", slug(title))
    yield p, DCTERMS.isPartOf, b
    yield b, RDF.type, FABIO.AcademicProceedings if proceedings else FABIO.Book
    yield b, DCTERMS.title, plain(title)


def _organization(subject: URIRef, prop: URIRef, name: str, minter: Minter) -> Iterator[Triple]:
    org = minter("organization", slug(name))
    yield subject, prop, org
    yield org, RDF.type, FOAF.Organization
    yield org, FOAF.name, plain(name)


def _affiliation(role: URIRef, text: str, minter: Minter) -> Iterator[Triple]:
    emails = [m.group(1) for m in _EMAIL.finditer(text)]
    name = _EMAIL.sub("", text).strip().rstrip(" ;,.")
    if not name:
        return
    org = minter("organization", slug(name))
    yield role, KGO.affiliation, org
    yield org, RDF.type, FOAF.Organization
    yield org, FOAF.name, plain(name)
    for email in emails:
        yield org, KGO.contactEmail, plain(email)


def _mesh(p: URIRef, heading: MeshHeading, minter: Minter) -> Iterator[Triple]:
    d = mesh_iri(heading.ui) if heading.ui else minter("subject", slug(heading.descriptor))
    yield p, DCTERMS.subject, d
    yield d, RDFS.label, plain(heading.descriptor)
    h = minter.hashed("heading", p, heading.descriptor)
    yield p, KGO.meshHeading, h
    yield h, RDF.type, KGO.MeshHeading
    yield h, KGO.descriptor, d
    yield h, KGO.majorTopic, Literal(heading.major)
    for qualifier, major in heading.qualifiers:
        q = minter("qualifier", slug(qualifier))
        yield q, RDFS.label, plain(qualifier)
        yield h, KGO.qualifier, q
        if major:
            yield h, KGO.majorQualifier, q


def _grant(p: URIRef, grant: Grant, minter: Minter) -> Iterator[Triple]:
    g = minter.hashed("grant", grant.identifier, grant.agency)
    yield p, KGO.fundedBy, g
    yield g, RDF.type, KGO.Grant
    if grant.identifier:
        yield g, DCTERMS.identifier, plain(grant.identifier)
    if grant.acronym:
        yield g, KGO.agencyAcronym, plain(grant.acronym)
    if grant.country:
        yield g, KGO.country, plain(grant.country)
    if grant.agency:
        yield from _organization(g, KGO.fundingAgency, grant.agency, minter)


def _relation(relation: ResolvedRelation, minter: Minter) -> Iterator[Triple]:
    forward, inverse = RELATION_PROPERTIES[relation.kind]
    yield relation.subject, forward, relation.object
    if inverse is not None:
        yield relation.object, inverse, relation.subject
    if relation.rank is not None:
        link = minter.hashed("similarity", relation.subject, relation.object)
        yield link, RDF.type, KGO.Similarity
        yield link, KGO.fromPaper, relation.subject
        yield link, KGO.toPaper, relation.object
        yield link, KGO.rank, Literal(relation.rank)


def _statement(resolved: ResolvedStatement, minter: Minter) -> Iterator[Triple]:
    st = resolved.statement
    c = minter.hashed("citation", resolved.cited, st.text, st.section, st.type)
    yield c, RDF.type, CITO.Citation
    yield c, CITO.hasCitedEntity, resolved.cited
    if resolved.citing is not None:
        yield c, CITO.hasCitingEntity, resolved.citing
    yield c, CITO.hasCitationCharacterization, CHARACTERIZATIONS[st.type]
    yield c, C4O.hasContent, plain(st.text)
    if st.section:
        yield c, KGO.section, plain(st.section)
        if cls := SECTION_CLASSES.get(fold(st.section)):
            yield c, KGO.sectionType, cls
    if st.confidence is not None:
        yield c, KGO.confidence, Literal(st.confidence, datatype=XSD.decimal)
    for source in resolved.sources:
        yield c, PROV.wasDerivedFrom, source_iri(source, minter)


_COUNT_PROPERTIES = (
    ("statements", KGO.citationStatementCount),
    ("references", KGO.referenceCount),
    ("supporting", KGO.supportingCount),
    ("mentioning", KGO.mentioningCount),
    ("contrasting", KGO.contrastingCount),
)


def _count(value: int) -> Literal:
    # xsd:integer, not xsd:nonNegativeInteger: Oxigraph stores derived numeric types as their
    # primitive type, and the files must say what the store says. SHACL checks the sign.
    return Literal(value, datatype=XSD.integer)


def _counts(resolved: ResolvedCounts, minter: Minter) -> Iterator[Triple]:
    counts, p = resolved.counts, resolved.paper
    if counts.cited_by is not None:
        n = minter.hashed("count", p, counts.source_name, resolved.source.sha256)
        yield p, C4O.hasGlobalCitationFrequency, n
        yield n, RDF.type, C4O.GlobalCitationCount
        yield n, C4O.hasGlobalCountValue, _count(counts.cited_by)
        if counts.date and _is_iso_date(counts.date):
            yield n, C4O.hasGlobalCountDate, Literal(counts.date, datatype=XSD.date)
        who, name = COUNT_SOURCES.get(
            counts.source_name, (minter("agent", slug(counts.source_name)), counts.source_name)
        )
        yield n, C4O.hasGlobalCountSource, who
        yield who, RDF.type, C4O.BibliographicInformationSource
        yield who, FOAF.name, plain(name)
    for field, prop in _COUNT_PROPERTIES:
        value = getattr(counts, field)
        if value is not None:
            yield p, prop, _count(value)


# ---- N-Triples / N-Quads text, made directly (no rdflib graph on the build's path) ----------

_ECHAR = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_XSD_STRING = str(XSD.string)


def nt_term(term: Node) -> str:
    """``term`` as N-Triples writes it."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = str(term).translate(_ECHAR)
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    return f"_:{term}"  # a blank node (the contract mints none)


def nquads(resolved: Resolved, minter: Minter, graph: URIRef | None = None) -> Iterator[str]:
    """The lines of ``resolved``'s triples, in ``graph`` (None: the default graph)."""
    end = f" <{graph}> .\n" if graph is not None else " .\n"
    iris: dict[URIRef, str] = {}  # IRIs recur (papers, properties): write each once
    for triple in triples(resolved, minter):
        line = []
        for term in triple:
            if isinstance(term, URIRef):  # (a literal is not looked up: hashing one costs more)
                text = iris.get(term)
                if text is None:
                    text = iris[term] = f"<{term}>"
            else:
                text = nt_term(term)
            line.append(text)
        yield " ".join(line) + end
