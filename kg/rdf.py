"""Resolved records -> RDF, exactly as the RDF contract (vocabulary.md) says.

The mapping knows the vocabulary and nothing about formats. Tables, not if-chains, say which
publication type is which FaBiO class, which statement type which CiTO characterization, and
which section which DEO class.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from . import __version__
from .iris import Minter, fold, mesh_iri, slug
from .records import CitationStatement, Grant, Journal, MeshHeading, Paper, Person, Source
from .resolve import (
    MergedPaper,
    Resolved,
    ResolvedCounts,
    ResolvedRelation,
    ResolvedStatement,
    value_digest,
)
from .text import clean_text
from .vocab import (
    C4O,
    CHARACTERIZATIONS,
    CITO,
    DEO,
    FABIO,
    KGO,
    PRISM,
    RELATION_PROPERTIES,
    bind_prefixes,
)

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

# Semantic Scholar intents -> CiTO characterizations. A statement with intents is
# characterized by theirs; one without (or with none listed here) by its type's.
INTENT_CHARACTERIZATIONS: dict[str, URIRef] = {
    "background": CITO.obtainsBackgroundFrom,
    "methodology": CITO.usesMethodIn,
    "result": CITO.citesForInformation,
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

# Who counted, for c4o:hasGlobalCountSource.
COUNT_SOURCES: dict[str, tuple[URIRef, str]] = {
    "scite": (URIRef("https://scite.ai/"), "scite"),
    "crossref": (URIRef("https://www.crossref.org/"), "Crossref"),
    "openalex": (URIRef("https://openalex.org/"), "OpenAlex"),
    "semanticscholar": (URIRef("https://www.semanticscholar.org/"), "Semantic Scholar"),
    "europepmc": (URIRef("https://europepmc.org/"), "Europe PMC"),
    "opencitations": (URIRef("https://opencitations.net/"), "OpenCitations"),
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


def plain(value: str) -> Literal:
    """A plain string literal of text read from a source."""
    return Literal(clean_text(value))


# ---- the mapping, written as N-Triples text -------------------------------------------------
#
# Making rdflib terms for every triple would cost more than everything else a build does in
# Python (Literal() above all), so the mapping writes each term as N-Triples text at once: an
# IRI as ``<…>``, a literal as ``"…"`` with its datatype. ``to_graph`` reads that text back
# with rdflib for those who want rdflib terms.

Triple = tuple[str, str, str]  # subject, predicate, object as N-Triples terms


class _Terms:
    """A vocabulary's terms as N-Triples text (``_Terms(DCTERMS).title`` is
    ``<http://purl.org/dc/terms/title>``); a term the vocabulary lacks raises, as it does.
    Each term is looked up in the vocabulary once, then it is a plain attribute."""

    def __init__(self, namespace: object) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        text = f"<{getattr(self._namespace, name)}>"
        setattr(self, name, text)
        return text


c4o, cito, dct, deo, fabio = _Terms(C4O), _Terms(CITO), _Terms(DCTERMS), _Terms(DEO), _Terms(FABIO)
foaf, kgo, prism, prov = _Terms(FOAF), _Terms(KGO), _Terms(PRISM), _Terms(PROV)
rdf, rdfs, xsd = _Terms(RDF), _Terms(RDFS), _Terms(XSD)
A = rdf.type
TRUE, FALSE = f'"true"^^{xsd.boolean}', f'"false"^^{xsd.boolean}'

# What a literal's text escapes (N-Triples ECHAR), and what makes it need cleaning or escaping.
_ECHAR = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_SPECIAL = re.compile('[\x00-\x1f\x7f-\x9f\ud800-\udfff"\\\\]')


def iri(term: str) -> str:
    """An IRI (a URIRef or its text) as N-Triples writes it."""
    return f"<{term}>"


def text(value: str) -> str:
    """A plain string literal of text read from a source, as N-Triples writes it."""
    if _SPECIAL.search(value):
        value = clean_text(value).translate(_ECHAR)
    return f'"{value}"'


def typed(lexical: str, datatype: str) -> str:
    """A literal of ``datatype`` (N-Triples text, e.g. ``xsd.date``) with a lexical form that
    needs no escaping (digits, dates)."""
    return f'"{lexical}"^^{datatype}'


def integer(value: int) -> str:
    # xsd:integer, not xsd:nonNegativeInteger: Oxigraph stores derived numeric types as their
    # primitive type, and the files must say what the store says. SHACL checks the sign.
    return f'"{value}"^^{xsd.integer}'


def decimal(value: Decimal) -> str:
    """The canonical lexical form of an xsd:decimal, the one Oxigraph keeps: ``0.900`` ->
    ``0.9``, ``1.0`` -> ``1``, ``1E-7`` -> ``0.0000001``, ``-0`` -> ``0``. graph.trig is
    written from these lines, and must say what the store says."""
    digits = format(value, "f")  # every digit, no exponent (normalize() would round to 28)
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return "0" if digits in ("", "-0") else digits


def to_graph(resolved: Resolved, minter: Minter) -> Graph:
    """The merged graph of a build as an rdflib graph, every prefix of the contract bound."""
    graph = bind_prefixes(Graph())
    graph.parse(data="".join(nquads(resolved, minter)), format="nt")
    return graph


def triples(resolved: Resolved, minter: Minter) -> Iterator[Triple]:
    """The triples of ``resolved``. What describes a node many papers share (a person, a
    journal, an organization, a MeSH term) is written once, not once per paper: fewer lines
    to write and for the store to read."""
    seen: set[Triple] = set()
    for source in resolved.sources:
        yield from _source(source, minter)
    for merged in resolved.papers:
        yield from _paper(merged, resolved, minter, seen)
    for relation in resolved.relations:
        yield from _relation(relation, minter)
    for statement in resolved.statements:
        yield from _statement(statement, minter)
    for counts in resolved.counts:
        yield from _counts(counts, minter, seen)


def _once(seen: set[Triple], triples: Iterable[Triple]) -> Iterator[Triple]:
    """``triples`` less those already written (``seen``)."""
    for triple in triples:
        if triple not in seen:
            seen.add(triple)
            yield triple


def source_iri(source: Source, minter: Minter) -> URIRef:
    return minter("source", source.sha256)


def _source(source: Source, minter: Minter) -> Iterator[Triple]:
    s = iri(source_iri(source, minter))
    yield s, A, prov.Entity
    yield s, kgo.path, text(source.path)
    yield s, kgo.sha256, text(source.sha256)
    yield s, kgo.sourceFormat, text(source.format)
    yield s, dct.format, text(source.media_type)


# paper field -> property; a value is written when it holds more than control characters.
_PAPER_TEXTS = (
    ("doi", prism.doi),
    ("pmid", fabio.hasPubMedId),
    ("pmcid", fabio.hasPubMedCentralId),
    ("openalex", kgo.openAlexId),
    ("title", dct.title),
    ("abstract", dct.abstract),
    ("volume", prism.volume),
    ("issue", prism.issueIdentifier),
    ("language", dct.language),
    ("citation_text", dct.bibliographicCitation),
)
_TYPE_CLASSES = {name: iri(cls) for name, cls in TYPE_CLASSES.items()}


def _paper(
    merged: MergedPaper, resolved: Resolved, minter: Minter, seen: set[Triple]
) -> Iterator[Triple]:
    paper = merged.paper
    p = iri(merged.iri)
    yield p, A, kgo.Paper
    for kind in paper.types:
        yield p, kgo.publicationType, text(kind)
        if cls := _TYPE_CLASSES.get(fold(kind)):
            yield p, A, cls
    for name, prop in _PAPER_TEXTS:
        value = getattr(paper, name)
        if value and clean_text(value):  # a title of control characters is none
            yield p, prop, text(value)
    if paper.year and 0 < paper.year < 10000:
        yield p, fabio.hasPublicationYear, typed(f"{paper.year:04d}", xsd.gYear)
    if paper.date:
        yield p, prism.publicationDate, _date(paper.date)
    if paper.epub_date:
        yield p, kgo.electronicPublicationDate, _date(paper.epub_date)
    if paper.pages:
        yield from _pages(p, paper.pages)
    if paper.free_full_text:
        yield p, kgo.freeFullText, TRUE
    if paper.journal and (journal := resolved.journals.get(paper.journal)):
        j = iri(journal.iri)
        yield p, dct.isPartOf, j
        yield from _once(seen, _journal(j, journal.journal))
    if paper.book_title and fold(paper.book_title) != fold(paper.title or ""):
        yield from _once(seen, _book(p, paper, minter))
    if paper.publisher:
        yield from _once(seen, _organization(p, dct.publisher, paper.publisher, minter))
    for position, person in enumerate(paper.authors, 1):
        yield from _author(p, merged.iri, position, person, resolved, minter, seen)
    for person in paper.editors:
        editor = resolved.person(person)
        e = iri(editor.iri)
        yield p, kgo.editor, e
        yield from _once(seen, _agent(e, editor.person))
    for heading in paper.mesh:
        yield from _mesh(p, merged.iri, heading, minter, seen)
    for keyword in paper.keywords:
        yield p, dct.subject, text(keyword)
    for grant in paper.grants:
        yield from _grant(p, grant, minter, seen)
    for key, value in paper.extra:
        if prop := EXTRA_PROPERTIES.get(key):
            yield p, iri(prop), text(value)
        else:
            yield p, kgo.sourceField, text(f"{key}: {value}")
    for source in merged.sources:
        yield p, prov.wasDerivedFrom, iri(source_iri(source, minter))


def _date_form(text: str) -> tuple[str, URIRef] | None:
    """A real calendar date's lexical form and datatype: ``2015 Oct 21`` -> xsd:date,
    ``2024 Sep`` -> xsd:gYearMonth, ``2021`` -> xsd:gYear; None for seasons, ranges,
    impossible dates (``2023 Feb 30``) and digits other than ASCII ones."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    year, month_name, day = m.groups()
    if year == "0000":  # no year zero in the calendar sources date by
        return None
    if month_name is None:
        return year, XSD.gYear
    month = _month(month_name)
    if month is None:
        return None
    if day is None:
        return f"{year}-{month:02d}", XSD.gYearMonth
    try:
        return date(int(year), month, int(day)).isoformat(), XSD.date
    except ValueError:
        return None


def date_literal(value: str) -> Literal:
    """A date as a typed literal when it is a real calendar date (see ``_date_form``), else
    a plain string."""
    form = _date_form(value)
    return plain(value) if form is None else Literal(form[0], datatype=form[1])


def _date(value: str) -> str:
    """``date_literal`` as N-Triples text."""
    form = _date_form(value)
    return text(value) if form is None else typed(form[0], iri(form[1]))


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


def _pages(p: str, pages: str) -> Iterator[Triple]:
    """``1137-50`` -> range, start 1137, end 1150 (the abbreviated end page expanded)."""
    yield p, prism.pageRange, text(pages)
    m = _RANGE.match(pages)
    if m and m.group(1) == (m.group(3) or m.group(1)):
        prefix, start, _, end = m.groups()
        if len(end) < len(start):
            end = start[: len(start) - len(end)] + end
        if int(end) >= int(start):
            yield p, prism.startingPage, text(prefix + start)
            yield p, prism.endingPage, text(prefix + end)


def _journal(j: str, journal: Journal) -> Iterator[Triple]:
    yield j, A, fabio.Journal
    if journal.title:
        yield j, dct.title, text(journal.title)
    if journal.abbreviation:
        yield j, fabio.hasNLMJournalTitleAbbreviation, text(journal.abbreviation)
    for issn in journal.issns:
        yield j, prism.issn, text(issn)


def _author(
    p: str,
    paper: URIRef,
    position: int,
    person: Person,
    resolved: Resolved,
    minter: Minter,
    seen: set[Triple],
) -> Iterator[Triple]:
    merged = resolved.person(person)
    a = iri(merged.iri)
    yield p, dct.creator, a
    yield from _once(seen, _agent(a, merged.person))
    role = iri(minter.hashed("authorship", paper, position))
    yield p, kgo.hasAuthorship, role
    yield role, A, kgo.Authorship
    yield role, kgo.author, a
    yield role, kgo.position, integer(position)
    if person.equal_contribution:
        yield role, kgo.equalContribution, TRUE
    for affiliation in person.affiliations:
        yield from _once(seen, _affiliation(role, affiliation, minter))


def _agent(a: str, who: Person) -> Iterator[Triple]:
    yield a, A, foaf.Organization if who.collective else foaf.Person
    yield a, foaf.name, text(who.display)
    if who.family and not who.collective:
        yield a, foaf.familyName, text(who.family)
    if who.given and not who.collective:
        yield a, foaf.givenName, text(who.given)


def _book(p: str, paper: Paper, minter: Minter) -> Iterator[Triple]:
    """The book (or proceedings) a chapter (or conference paper) is part of."""
    title = paper.book_title or ""
    proceedings = any(fold(t) == "conference paper" for t in paper.types)
    b = iri(minter("book", slug(title)))
    yield p, dct.isPartOf, b
    yield b, A, fabio.AcademicProceedings if proceedings else fabio.Book
    yield b, dct.title, text(title)


def _organization(subject: str, prop: str, name: str, minter: Minter) -> Iterator[Triple]:
    org = iri(minter("organization", slug(name)))
    yield subject, prop, org
    yield org, A, foaf.Organization
    yield org, foaf.name, text(name)


def _affiliation(role: str, affiliation: str, minter: Minter) -> Iterator[Triple]:
    if "@" in affiliation:  # (every address holds one: most affiliations need no search)
        emails = [m.group(1) for m in _EMAIL.finditer(affiliation)]
        name = _EMAIL.sub("", affiliation).strip().rstrip(" ;,.")
    else:
        emails, name = [], affiliation.strip().rstrip(" ;,.")
    if not name:
        return
    org = iri(minter("organization", slug(name)))
    yield role, kgo.affiliation, org
    yield org, A, foaf.Organization
    yield org, foaf.name, text(name)
    for email in emails:
        yield org, kgo.contactEmail, text(email)


def _mesh(
    p: str, paper: URIRef, heading: MeshHeading, minter: Minter, seen: set[Triple]
) -> Iterator[Triple]:
    d = iri(mesh_iri(heading.ui) if heading.ui else minter("subject", slug(heading.descriptor)))
    yield p, dct.subject, d
    yield from _once(seen, ((d, rdfs.label, text(heading.descriptor)),))
    h = iri(minter.hashed("heading", paper, heading.descriptor))
    yield p, kgo.meshHeading, h
    yield h, A, kgo.MeshHeading
    yield h, kgo.descriptor, d
    yield h, kgo.majorTopic, TRUE if heading.major else FALSE
    for qualifier, major in heading.qualifiers:
        q = iri(minter("qualifier", slug(qualifier)))
        yield from _once(seen, ((q, rdfs.label, text(qualifier)),))
        yield h, kgo.qualifier, q
        if major:
            yield h, kgo.majorQualifier, q


def _grant(p: str, grant: Grant, minter: Minter, seen: set[Triple]) -> Iterator[Triple]:
    g = iri(minter.hashed("grant", grant.identifier, grant.agency))
    yield p, kgo.fundedBy, g
    yield g, A, kgo.Grant
    if grant.identifier:
        yield g, dct.identifier, text(grant.identifier)
    if grant.acronym:
        yield g, kgo.agencyAcronym, text(grant.acronym)
    if grant.country:
        yield g, kgo.country, text(grant.country)
    if grant.agency:
        yield from _once(seen, _organization(g, kgo.fundingAgency, grant.agency, minter))


_TYPE_TERMS = {name: iri(term) for name, term in CHARACTERIZATIONS.items()}
_INTENT_TERMS = {name: iri(term) for name, term in INTENT_CHARACTERIZATIONS.items()}

_RELATION_TERMS = {
    kind: (iri(forward), None if inverse is None else iri(inverse))
    for kind, (forward, inverse) in RELATION_PROPERTIES.items()
}


def _relation(relation: ResolvedRelation, minter: Minter) -> Iterator[Triple]:
    forward, inverse = _RELATION_TERMS[relation.kind]
    s, o = iri(relation.subject), iri(relation.object)
    yield s, forward, o
    if inverse is not None:
        yield o, inverse, s
    if relation.rank is not None or relation.score is not None:
        link = iri(minter.hashed("similarity", relation.subject, relation.object))
        yield link, A, kgo.Similarity
        yield link, kgo.fromPaper, s
        yield link, kgo.toPaper, o
        if relation.rank is not None:
            yield link, kgo.rank, integer(relation.rank)
        if relation.score is not None:
            yield link, kgo.score, typed(decimal(relation.score), xsd.decimal)


def _characterizations(statement: CitationStatement) -> tuple[str, ...]:
    """The CiTO characterizations of a statement: its intents', else its type's."""
    found = dict.fromkeys(_INTENT_TERMS[i] for i in statement.intents if i in _INTENT_TERMS)
    return tuple(found) or (_TYPE_TERMS[statement.type],)


def _statement(resolved: ResolvedStatement, minter: Minter) -> Iterator[Triple]:
    st = resolved.statement
    # the citing paper and intents tell statements apart when a source gives them; scite's,
    # which give neither, keep the IRI of cited paper, text, section and type
    parts: tuple[object, ...] = (resolved.cited, st.text, st.section, st.type)
    if resolved.citing is not None or st.intents:
        parts += (resolved.citing, *st.intents)
    c = iri(minter.hashed("citation", *parts))
    yield c, A, cito.Citation
    yield c, cito.hasCitedEntity, iri(resolved.cited)
    if resolved.citing is not None:
        yield c, cito.hasCitingEntity, iri(resolved.citing)
    for term in _characterizations(st):
        yield c, cito.hasCitationCharacterization, term
    for intent in st.intents:
        yield c, kgo.intent, text(intent)
    if st.influential is not None:
        yield c, kgo.influential, TRUE if st.influential else FALSE
    yield c, c4o.hasContent, text(st.text)
    if st.section:
        yield c, kgo.section, text(st.section)
        if cls := SECTION_CLASSES.get(fold(st.section)):
            yield c, kgo.sectionType, iri(cls)
    if st.confidence is not None:
        yield c, kgo.confidence, typed(decimal(st.confidence), xsd.decimal)
    for source in resolved.sources:
        yield c, prov.wasDerivedFrom, iri(source_iri(source, minter))


_COUNT_PROPERTIES = (
    ("statements", kgo.citationStatementCount),
    ("references", kgo.referenceCount),
    ("supporting", kgo.supportingCount),
    ("mentioning", kgo.mentioningCount),
    ("contrasting", kgo.contrastingCount),
)


def _counts(resolved: ResolvedCounts, minter: Minter, seen: set[Triple]) -> Iterator[Triple]:
    counts, p = resolved.counts, iri(resolved.paper)
    if counts.cited_by is not None:
        n = iri(minter.hashed("count", resolved.paper, counts.source_name, resolved.source.sha256))
        yield p, c4o.hasGlobalCitationFrequency, n
        yield n, A, c4o.GlobalCitationCount
        yield n, c4o.hasGlobalCountValue, integer(counts.cited_by)
        if counts.date and _is_iso_date(counts.date):
            yield n, c4o.hasGlobalCountDate, typed(counts.date, xsd.date)
        who, name = COUNT_SOURCES.get(
            counts.source_name, (minter("agent", slug(counts.source_name)), counts.source_name)
        )
        w = iri(who)
        yield n, c4o.hasGlobalCountSource, w
        yield from _once(
            seen, ((w, A, c4o.BibliographicInformationSource), (w, foaf.name, text(name)))
        )
    for field, prop in _COUNT_PROPERTIES:
        value = getattr(counts, field)
        if value is not None:
            yield p, prop, integer(value)


def nquads(resolved: Resolved, minter: Minter, graph: URIRef | None = None) -> Iterator[str]:
    """The lines of ``resolved``'s triples, in ``graph`` (None: the default graph)."""
    end = f" <{graph}> .\n" if graph is not None else " .\n"
    for s, p, o in triples(resolved, minter):
        yield f"{s} {p} {o}{end}"


def view_key(
    sources: tuple[Source, ...], outside: Iterable[str], minter: Minter, graph: URIRef
) -> str:
    """A digest of everything the lines of a source's view in ``graph`` are a function of
    (``nquads(view.resolve(), minter, graph)``): kg's version, the IRIs' base, the graph, the
    sources (each copy's path, content hash and format, which with the version fix the
    records a file gives, as the cache has it), and what the view takes from the rest of the build
    (``outside``: kg.resolve.View.outside, IRIs and digests, none of which holds a line
    end). Equal keys, equal lines: a rebuild neither resolves nor makes the lines of a
    source whose key is the last build's."""
    digest = hashlib.sha256(value_digest((__version__, minter.base, str(graph), sources)).encode())
    digest.update("\n".join(outside).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
