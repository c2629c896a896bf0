"""One PubMed XML article as records: a ``PubmedArticle`` or ``PubmedBookArticle`` element.

:mod:`kg.extract.pubmed_xml` streams the file and hands over each article as a small tree of
:class:`Element`; :func:`article_records` turns it into a Paper, its references and relations.
Quirks handled:

* Inline markup (``<i>``, ``<sup>`` …) and MathML (``mml:math``) in titles and abstracts are
  flattened to text; MathML layout white space is dropped and prescripts (``³He``) come first.
* Structured abstracts: ``Label="METHODS"`` becomes a ``METHODS: …`` paragraph.
* ``MedlineTA`` is preferred to ``ISOAbbreviation``; ``ISSNLinking`` comes first in issns.
* ``MedlineDate`` ranges (``2019 Dec-2020 Jan``) stay as printed, the year is their first.
* References come from ``ReferenceList`` (free-text ``Citation`` plus ids) and from the older
  ``CommentsCorrections RefType="Cites"``; the other RefTypes become relations or extra.
* ``PubmedBookArticle``: chapter or whole book, with editors, publisher and book title.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from ..ids import normalize_doi, normalize_pmcid, normalize_pmid
from ..records import (
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
from .common import MONTHS, READ_ERRORS
from .names import person

Fields = dict[str, Any]  # keyword arguments for Paper
Extra = list[tuple[str, str]]

# ---------------------------------------------------------------------------- data tables

# ArticleId IdType -> (Paper field, normaliser); other IdTypes (pii, mid, …) go to extra.
ARTICLE_IDS: dict[str, tuple[str, Callable[[str | None], str | None]]] = {
    "pubmed": ("pmid", normalize_pmid),
    "doi": ("doi", normalize_doi),
    "pmc": ("pmcid", normalize_pmcid),
}

# CommentsCorrections RefType -> (relation kind, this article is the subject).
COMMENTS_CORRECTIONS: dict[str, tuple[str, bool]] = {
    "Cites": ("cites", True),
    "CommentOn": ("discusses", True),
    "CommentIn": ("discusses", False),
    "ErratumFor": ("corrects", True),
    "ErratumIn": ("corrects", False),
    "RetractionOf": ("retracts", True),
    "RetractionIn": ("retracts", False),
    "UpdateOf": ("updates", True),
    "UpdateIn": ("updates", False),
}

# Elements (path from PubmedArticle) kept in extra under their tag, text as printed.
ARTICLE_EXTRA: tuple[str, ...] = (
    "MedlineCitation/Article/VernacularTitle",
    "MedlineCitation/Article/Abstract/CopyrightInformation",
    "MedlineCitation/MedlineJournalInfo/Country",
    "MedlineCitation/MedlineJournalInfo/NlmUniqueID",
    "MedlineCitation/CitationSubset",
    "MedlineCitation/NumberOfReferences",
    "MedlineCitation/OtherID",
    "MedlineCitation/GeneralNote",
    "MedlineCitation/SpaceFlightMission",
    "MedlineCitation/SupplMeshList/SupplMeshName",
    "MedlineCitation/GeneSymbolList/GeneSymbol",
    "PubmedData/PublicationStatus",
)

# The same for PubmedBookArticle.
BOOK_EXTRA: tuple[str, ...] = (
    "BookDocument/LocationLabel",
    "BookDocument/VernacularTitle",
    "BookDocument/Abstract/CopyrightInformation",
    "BookDocument/Book/Publisher/PublisherLocation",
    "BookDocument/Book/Edition",
    "BookDocument/Book/VolumeTitle",
    "BookDocument/Book/CollectionTitle",
    "BookDocument/Book/Isbn",
    "BookDocument/Book/Medium",
    "BookDocument/Book/ReportNumber",
    "BookDocument/Isbn",
    "PubmedBookData/PublicationStatus",
)

# Dates in PubmedData/History kept in extra; entrez/pubmed/medline are indexing timestamps.
HISTORY_KEPT = frozenset(
    {"received", "revised", "accepted", "pmc-release", "retracted", "ecollection"}
)

MONTH_NAMES: dict[str, str] = {
    **{str(n): m for n, m in enumerate(MONTHS, 1)},
    **{f"{n:02d}": m for n, m in enumerate(MONTHS, 1)},
    **{m.lower(): m for m in MONTHS},
}

# MathML token elements: their white space is content; elsewhere in MathML it is layout.
MATH_TOKENS = frozenset({"mi", "mn", "mo", "mtext", "ms"})
SCRIPTS = frozenset({"sub", "sup"})  # inline markup glued to the text before it

# ---------------------------------------------------------------------------- patterns

_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_ISSN = re.compile(r"^(\d{4})-?(\d{3}[\dX])$")


# ---------------------------------------------------------------------------- tree


class Element:
    """One element of the article being read: tag, attributes, children, start line."""

    __slots__ = ("attrs", "children", "line", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], line: int) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Element | str] = []
        self.line = line


def _find(element: Element | None, path: str) -> Element | None:
    """The first element at ``path`` ("A/B/C") below ``element``."""
    found = _findall(element, path)
    return found[0] if found else None


def _findall(element: Element | None, path: str) -> list[Element]:
    """All elements at ``path`` below ``element``, in document order."""
    level = [element] if element is not None else []
    for tag in path.split("/"):
        level = [c for e in level for c in e.children if isinstance(c, Element) and c.tag == tag]
    return level


def _text(element: Element | None) -> str | None:
    """The element's text with markup flattened and white space collapsed; None if empty."""
    if element is None:
        return None
    text = " ".join(_flatten(element).split())
    return text or None


def _path_text(element: Element | None, path: str) -> str | None:
    return _text(_find(element, path))


def _local(tag: str) -> str:
    return tag.rpartition(":")[2]


def _flatten(element: Element) -> str:
    """All text below ``element`` (iteratively: nesting depth is not bounded by the input).

    Inside MathML, white space between elements is layout and dropped, and ``mmultiscripts``
    prescripts are moved before their base (``<mprescripts/>…3`` + ``He`` -> ``3He``)."""
    if all(isinstance(child, str) for child in element.children):  # the common, plain case
        return "".join(element.children)  # type: ignore[arg-type]
    out: list[str] = []
    stack: list[tuple[Element | str, bool, bool]] = [(element, False, True)]
    while stack:
        node, math, keep_space = stack.pop()
        if isinstance(node, str):
            if keep_space or node.strip():
                out.append(node)
            continue
        inner_math = math or _local(node.tag) == "math"
        children = node.children
        if inner_math and _local(node.tag) == "mmultiscripts":
            children = _prescripts_first(children)
        elif not inner_math:
            children = _unindent_scripts(children)
        keep = not inner_math or _local(node.tag) in MATH_TOKENS
        stack.extend((child, inner_math, keep) for child in reversed(children))
    return "".join(out)


def _unindent_scripts(children: list[Element | str]) -> list[Element | str]:
    """Pretty-printed text puts a line break before ``<sub>``/``<sup>`` (``β\n\t<sub>2``):
    that indentation is not a space of the text (``β2``), so it is dropped."""
    fixed = list(children)
    for i, child in enumerate(children[:-1]):
        after = children[i + 1]
        if (
            isinstance(child, str)
            and isinstance(after, Element)
            and after.tag in SCRIPTS
            and "\n" in child[len(child.rstrip()) :]
        ):
            fixed[i] = child.rstrip()
    return fixed


def _prescripts_first(children: list[Element | str]) -> list[Element | str]:
    elements = [c for c in children if isinstance(c, Element)]
    marks = [i for i, c in enumerate(elements) if _local(c.tag) == "mprescripts"]
    if not marks:
        return elements
    return [*elements[marks[0] + 1 :], *elements[: marks[0]]]


# ---------------------------------------------------------------------------- articles


def article_records(article: Element) -> Iterator[Record]:
    """The records of one article; a Problem at its line when it cannot be read."""
    try:
        records = _pubmed_article(article) if article.tag == "PubmedArticle" else _book(article)
    except READ_ERRORS as error:
        records = [Problem(f"cannot read {article.tag}: {error!r}", Loc(line=article.line))]
    yield from records


def _pubmed_article(article: Element) -> list[Record]:
    """A ``PubmedArticle``: MedlineCitation (the article) and PubmedData (ids, references)."""
    citation = _find(article, "MedlineCitation")
    art = _find(citation, "Article")
    data = _find(article, "PubmedData")
    extra: Extra = []
    fields: Fields = {"pmid": normalize_pmid(_path_text(citation, "PMID"))}
    _article_ids(_findall(data, "ArticleIdList/ArticleId"), fields, extra)
    eloc_doi = _elocation_doi(_findall(art, "ELocationID"), extra)
    fields["doi"] = fields.get("doi") or eloc_doi
    issue = _find(art, "Journal/JournalIssue")
    date = _date(_find(issue, "PubDate"))
    fields.update(
        title=_path_text(art, "ArticleTitle"),
        journal=_journal(_find(art, "Journal"), _find(citation, "MedlineJournalInfo"), extra),
        year=_year(date),
        date=date,
        volume=_path_text(issue, "Volume"),
        issue=_path_text(issue, "Issue"),
        pages=_pages(_find(art, "Pagination")),
        abstract=_abstract(_find(art, "Abstract")),
        epub_date=_epub_date(_findall(art, "ArticleDate")),
        types=_texts(_findall(art, "PublicationTypeList/PublicationType")),
        mesh=tuple(_mesh(h) for h in _findall(citation, "MeshHeadingList/MeshHeading")),
        keywords=_texts(_findall(citation, "KeywordList/Keyword")),
        grants=tuple(_grant(g) for g in _findall(art, "GrantList/Grant")),
    )
    fields["authors"] = _people(_findall(art, "AuthorList"), "authors", extra)
    _languages(_findall(art, "Language"), fields, extra)
    _extra_paths(article, ARTICLE_EXTRA, extra)
    _extra_article(citation, art, data, extra)
    comments = _findall(citation, "CommentsCorrectionsList/CommentsCorrections")
    _other_comments(comments, extra)
    if fields["pmid"] is None:
        return [Problem("PubmedArticle without a valid PMID: skipped", Loc(line=article.line))]
    paper = Paper(loc=Loc(line=article.line), primary=True, extra=tuple(extra), **fields)
    return [
        paper,
        *_references(paper.ref, _findall(data, "ReferenceList")),
        *_comments_corrections(paper.ref, comments),
    ]


def _book(article: Element) -> list[Record]:
    """A ``PubmedBookArticle``: a chapter (ArticleTitle / LocationLabel) or a whole book."""
    document = _find(article, "BookDocument")
    book = _find(document, "Book")
    extra: Extra = []
    fields: Fields = {"pmid": normalize_pmid(_path_text(document, "PMID"))}
    ids = [*_findall(document, "ArticleIdList/ArticleId")]
    ids += _findall(article, "PubmedBookData/ArticleIdList/ArticleId")
    _article_ids(ids, fields, extra)
    eloc = [*_findall(document, "ELocationID"), *_findall(book, "ELocationID")]
    eloc_doi = _elocation_doi(eloc, extra)
    fields["doi"] = fields.get("doi") or eloc_doi
    chapter_title = _path_text(document, "ArticleTitle")
    book_title = _path_text(book, "BookTitle")
    chapter = chapter_title is not None or _find(document, "LocationLabel") is not None
    date = _date(_find(book, "PubDate"))
    types = _texts(
        [
            *_findall(document, "PublicationType"),
            *_findall(document, "PublicationTypeList/PublicationType"),
        ]
    )
    kind = "Book Chapter" if chapter else "Book"
    lists = [*_findall(document, "AuthorList"), *_findall(book, "AuthorList")]
    authors = _people(_findall(document, "AuthorList"), "authors", extra)
    fields.update(
        title=chapter_title if chapter else book_title,
        book_title=book_title if chapter else None,
        publisher=_path_text(book, "Publisher/PublisherName"),
        editors=_people(lists, "editors", extra),
        authors=authors or _people(_findall(book, "AuthorList"), "authors", extra),
        year=_year(date),
        date=date,
        volume=_path_text(book, "Volume"),
        pages=_pages(_find(document, "Pagination")),
        abstract=_abstract(_find(document, "Abstract")),
        types=types if kind in types else (*types, kind),
        keywords=_texts(_findall(document, "KeywordList/Keyword")),
        grants=tuple(_grant(g) for g in _findall(document, "GrantList/Grant")),
    )
    _languages(_findall(document, "Language"), fields, extra)
    _extra_paths(article, BOOK_EXTRA, extra)
    _history(_findall(article, "PubmedBookData/History/PubMedPubDate"), extra)
    if fields["pmid"] is None:
        return [Problem("PubmedBookArticle without a valid PMID: skipped", Loc(line=article.line))]
    paper = Paper(loc=Loc(line=article.line), primary=True, extra=tuple(extra), **fields)
    return [paper, *_references(paper.ref, _findall(document, "ReferenceList"))]


# ---------------------------------------------------------------------------- fields


def _texts(elements: list[Element]) -> tuple[str, ...]:
    """The non-empty texts of ``elements``, without repeats, in order."""
    return tuple(dict.fromkeys(t for t in map(_text, elements) if t))


def _article_ids(ids: list[Element], fields: Fields, extra: Extra) -> None:
    """``ArticleId`` elements: pubmed/doi/pmc to fields (first valid wins), others to extra."""
    for element in ids:
        value = _text(element)
        id_type = element.attrs.get("IdType", "")
        if not value:
            continue
        if id_type in ARTICLE_IDS:
            name, normalise = ARTICLE_IDS[id_type]
            normal = normalise(value)
            if normal is None:
                extra.append((id_type, value))
            elif fields.get(name) is None:
                fields[name] = normal
        else:
            extra.append((id_type or "ArticleId", value))


def _elocation_doi(elements: list[Element], extra: Extra) -> str | None:
    """``ELocationID EIdType="doi"`` as the DOI; other electronic locations to extra."""
    doi = None
    for element in elements:
        value = _text(element)
        if not value:
            continue
        if element.attrs.get("EIdType") == "doi" and doi is None:
            doi = normalize_doi(value)
            if doi is None:
                extra.append(("doi", value))
        elif element.attrs.get("EIdType") != "doi":
            extra.append((element.attrs.get("EIdType") or "ELocationID", value))
    return doi


def _issn(value: str | None) -> str | None:
    match = _ISSN.match((value or "").strip().upper())
    return f"{match[1]}-{match[2]}" if match else None


def _journal(journal: Element | None, info: Element | None, extra: Extra) -> Journal | None:
    """Journal title, the NLM abbreviation (MedlineTA, else ISOAbbreviation), linking ISSN first."""
    title = _path_text(journal, "Title")
    iso = _path_text(journal, "ISOAbbreviation")
    medline_ta = _path_text(info, "MedlineTA")
    if iso and medline_ta and iso != medline_ta:
        extra.append(("ISOAbbreviation", iso))
    raw = [_text(e) for e in [*_findall(info, "ISSNLinking"), *_findall(journal, "ISSN")]]
    issns = tuple(dict.fromkeys(i for i in map(_issn, raw) if i))
    if not (title or iso or medline_ta or issns):
        return None
    return Journal(title=title, abbreviation=medline_ta or iso, issns=issns)


def _date(element: Element | None) -> str | None:
    """``PubDate``: MedlineDate as printed, else ``Year [Season | Month [Day]]``."""
    if element is None:
        return None
    medline = _path_text(element, "MedlineDate")
    if medline:
        return medline
    year = _path_text(element, "Year")
    month = _path_text(element, "Month")
    if month:
        month = MONTH_NAMES.get(month.lower(), month)
    day = _path_text(element, "Day") if month else None
    parts = (year, month or _path_text(element, "Season"), day)
    return " ".join(p for p in parts if p) or None


def _year(date: str | None) -> int | None:
    match = _YEAR.search(date or "")
    return int(match[1]) if match else None


def _epub_date(dates: list[Element]) -> str | None:
    electronic = [d for d in dates if d.attrs.get("DateType", "Electronic") == "Electronic"]
    return _date(electronic[0]) if electronic else None


def _pages(pagination: Element | None) -> str | None:
    """``MedlinePgn``, else ``StartPage-EndPage``."""
    pages = _path_text(pagination, "MedlinePgn")
    if pages:
        return pages
    first, last = _path_text(pagination, "StartPage"), _path_text(pagination, "EndPage")
    return "-".join(p for p in (first, last) if p) or None


def _abstract(abstract: Element | None) -> str | None:
    """``AbstractText`` paragraphs, a ``Label`` kept as ``LABEL: text``, joined by newlines."""
    paragraphs = []
    for part in _findall(abstract, "AbstractText"):
        text = _text(part)
        label = " ".join(part.attrs.get("Label", "").split())
        if text:
            paragraphs.append(f"{label}: {text}" if label else text)
        elif label:
            paragraphs.append(f"{label}:")
    return "\n".join(paragraphs) or None


def _languages(languages: list[Element], fields: Fields, extra: Extra) -> None:
    found = _texts(languages)
    fields["language"] = found[0] if found else None
    extra.extend(("Language", language) for language in found[1:])


def _mesh(heading: Element) -> MeshHeading:
    descriptor = _find(heading, "DescriptorName")
    qualifiers = tuple(
        (text, q.attrs.get("MajorTopicYN") == "Y")
        for q in _findall(heading, "QualifierName")
        if (text := _text(q))
    )
    return MeshHeading(
        descriptor=_text(descriptor) or "",
        major=descriptor is not None and descriptor.attrs.get("MajorTopicYN") == "Y",
        qualifiers=qualifiers,
        ui=(descriptor.attrs.get("UI") or None) if descriptor is not None else None,
    )


def _grant(grant: Element) -> Grant:
    return Grant(
        identifier=_path_text(grant, "GrantID"),
        acronym=_path_text(grant, "Acronym"),
        agency=_path_text(grant, "Agency"),
        country=_path_text(grant, "Country"),
    )


def _people(lists: list[Element], role: str, extra: Extra) -> tuple[Person, ...]:
    """The people of the ``AuthorList``s of ``Type`` role (no Type means authors).

    An author marked ``ValidYN="N"`` (a misspelling PubMed keeps next to the correction) is
    not an author; it is kept in extra."""
    people: list[Person] = []
    for author_list in lists:
        if author_list.attrs.get("Type", "authors") != role:
            continue
        for author in _findall(author_list, "Author"):
            one = _person(author)
            if one is None:
                continue
            if author.attrs.get("ValidYN") == "N":
                extra.append(("invalid_author", one.name))
            else:
                people.append(one)
    return tuple(people)


def _person(author: Element) -> Person | None:
    """An ``Author``: name parts, ORCID (bare or URL), affiliations; or a collective name."""
    affiliations = _texts(_findall(author, "AffiliationInfo/Affiliation"))
    collective = _path_text(author, "CollectiveName")
    if collective:
        return Person(name=collective, affiliations=affiliations, collective=True)
    family = _path_text(author, "LastName")
    given = _path_text(author, "ForeName")
    initials = _path_text(author, "Initials")
    suffix = _path_text(author, "Suffix")
    orcid = next(
        (
            _text(i)
            for i in _findall(author, "Identifier")
            if i.attrs.get("Source", "").upper() == "ORCID"
        ),
        None,
    )
    name = " ".join(p for p in (given or initials, family, suffix) if p)
    found = person(
        family,
        given,
        name=name or None,
        orcid=orcid,
        affiliations=affiliations,
        initials_=None if given else initials,
    )
    if found is not None and author.attrs.get("EqualContrib") == "Y":
        found = replace(found, equal_contribution=True)
    return found


def _extra_paths(article: Element, paths: tuple[str, ...], extra: Extra) -> None:
    for path in paths:
        key = path.rpartition("/")[2]
        extra.extend((key, text) for text in _texts(_findall(article, path)))


def _extra_article(
    citation: Element | None, art: Element | None, data: Element | None, extra: Extra
) -> None:
    """The PubmedArticle parts that have no Paper field but are worth keeping."""
    for coi in _texts(_findall(citation, "CoiStatement")):
        extra.append(("conflict_of_interest", coi))
    for other in _findall(citation, "OtherAbstract"):
        text = _abstract(other)
        if text:
            extra.append(("OtherAbstract", text))
    for chemical in _findall(citation, "ChemicalList/Chemical"):
        number = _path_text(chemical, "RegistryNumber") or "0"
        name = _path_text(chemical, "NameOfSubstance")
        if name:
            extra.append(("Chemical", f"{number} ({name})"))
    for bank in _findall(art, "DataBankList/DataBank"):
        bank_name = _path_text(bank, "DataBankName") or "DataBank"
        for number in _texts(_findall(bank, "AccessionNumberList/AccessionNumber")):
            extra.append(("DataBank", f"{bank_name}/{number}"))
    for subject in _findall(citation, "PersonalNameSubjectList/PersonalNameSubject"):
        parts = (_path_text(subject, "ForeName"), _path_text(subject, "LastName"))
        if any(parts):
            extra.append(("PersonalNameSubject", " ".join(p for p in parts if p)))
    for investigator in _findall(citation, "InvestigatorList/Investigator"):
        one = _person(investigator)
        if one is not None:
            extra.append(("Investigator", one.name))
    _history(_findall(data, "History/PubMedPubDate"), extra)


def _history(dates: list[Element], extra: Extra) -> None:
    for date in dates:
        status = date.attrs.get("PubStatus", "")
        text = _date(date)
        if status in HISTORY_KEPT and text:
            extra.append(("PubMedPubDate", f"{text} [{status}]"))


# ---------------------------------------------------------------------------- references


def _references(this: PaperRef, lists: list[Element]) -> list[Record]:
    """``ReferenceList/Reference`` (nested lists too): a cited Paper and a "cites" each."""
    records: list[Record] = []
    pending = list(reversed(lists))
    while pending:
        element = pending.pop()
        if element.tag == "ReferenceList":
            kids = [c for c in element.children if isinstance(c, Element)]
            pending.extend(reversed([k for k in kids if k.tag in ("Reference", "ReferenceList")]))
            continue
        extra: Extra = []
        fields: Fields = {}
        _article_ids(_findall(element, "ArticleIdList/ArticleId"), fields, extra)
        citation = _path_text(element, "Citation")
        if not (citation or fields):
            continue
        cited = Paper(
            loc=Loc(line=element.line), citation_text=citation, extra=tuple(extra), **fields
        )
        records += [cited, Relation("cites", this, cited.ref, loc=cited.loc)]
    return records


def _comments_corrections(this: PaperRef, items: list[Element]) -> list[Record]:
    """``CommentsCorrections``: Cites, comments, errata, retractions, updates as relations."""
    records: list[Record] = []
    for item in items:
        ref_type = item.attrs.get("RefType", "")
        source = _path_text(item, "RefSource")
        pmid = normalize_pmid(_path_text(item, "PMID"))
        if not (source or pmid):
            continue
        if ref_type not in COMMENTS_CORRECTIONS:
            continue
        kind, this_is_subject = COMMENTS_CORRECTIONS[ref_type]
        other = Paper(loc=Loc(line=item.line), pmid=pmid, citation_text=source)
        subject, object_ = (this, other.ref) if this_is_subject else (other.ref, this)
        records += [other, Relation(kind, subject, object_, loc=other.loc)]
    return records


def _other_comments(items: list[Element], extra: Extra) -> None:
    """The CommentsCorrections RefTypes that are no relation (ReprintOf, …) go to extra."""
    for item in items:
        ref_type = item.attrs.get("RefType") or item.tag
        if ref_type in COMMENTS_CORRECTIONS:
            continue
        source = _path_text(item, "RefSource")
        pmid = normalize_pmid(_path_text(item, "PMID"))
        shown = " ".join(p for p in (source, f"PMID: {pmid}" if pmid else None) if p)
        if shown:
            extra.append((ref_type, shown))
