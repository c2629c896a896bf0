"""The PubMed XML extractor: fixtures, security, streaming, robustness, real samples."""

from __future__ import annotations

import gc
import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract import detect, pubmed_article, pubmed_xml
from kg.records import (
    Grant,
    Journal,
    Loc,
    MeshHeading,
    Paper,
    Person,
    Problem,
    Relation,
)

from .helpers import RECORD_TYPES, SAMPLES

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pubmed_xml"
ROOT = Path(__file__).resolve().parents[1]


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def records(name: str) -> list:
    return list(pubmed_xml.parse(fixture(name)))


def primaries(items: list) -> list[Paper]:
    return [r for r in items if isinstance(r, Paper) and r.primary]


def article(pmid: str, title: str = "A title.", body: str = "") -> str:
    return (
        "<PubmedArticle>\n<MedlineCitation>\n"
        f"<PMID Version='1'>{pmid}</PMID>\n"
        f"<Article><ArticleTitle>{title}</ArticleTitle>{body}</Article>\n"
        "</MedlineCitation>\n</PubmedArticle>\n"
    )


def document(*articles: str) -> str:
    return (
        '<?xml version="1.0"?>\n<PubmedArticleSet>\n' + "".join(articles) + "</PubmedArticleSet>\n"
    )


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the extractor tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# ---------------------------------------------------------------------------- full article


def test_full_article_paper_fields() -> None:
    [paper] = primaries(records("full_article.xml"))
    assert paper.loc == Loc(line=5)
    assert paper.pmid == "31234567"
    assert paper.pmcid == "PMC6950000"
    assert paper.doi == "10.1186/s13063-019-3950-x"
    assert paper.title == (
        "Effect of Lactobacillus on CD4+ counts in café workers & their families: "
        "a randomised trial."
    )
    assert paper.journal == Journal(
        title="Trials", abbreviation="Trials", issns=("1745-6215", "1745-215X")
    )
    assert (paper.year, paper.date, paper.epub_date) == (2020, "2020 Jan 07", "2019 Dec 30")
    assert (paper.volume, paper.issue, paper.pages) == ("21", "1", "45")
    assert paper.language == "eng"
    assert paper.types == ("Journal Article", "Randomized Controlled Trial")
    assert paper.keywords == ("CD4 lymphocyte count", "Lactobacillus")
    assert paper.grants == (
        Grant("R01 AI123456", "AI", "NIAID NIH HHS", "United States"),
        Grant(None, None, "Wellcome Trust", "United Kingdom"),
    )
    assert paper.mesh == (
        MeshHeading("Humans", False, (), ui="D006801"),
        MeshHeading(
            "Probiotics",
            True,
            (("administration & dosage", False), ("therapeutic use", True)),
            ui="D019936",
        ),
    )


def test_structured_abstract_with_markup_and_mathml() -> None:
    [paper] = primaries(records("full_article.xml"))
    assert paper.abstract == (
        "BACKGROUND: Probiotics may raise CD4+ counts.\n"
        "METHODS: We measured H2O intake and x2 scores in 120 adults.\n"
        "RESULTS: Counts rose by 12% (p < 0.05)."
    )


def test_full_article_extra() -> None:
    [paper] = primaries(records("full_article.xml"))
    assert paper.extra == (
        ("pii", "10.1186/s13063-019-3950-x"),
        ("mid", "NIHMS1500000"),
        ("pii", "45"),
        ("ISOAbbreviation", "Trials."),
        ("invalid_author", "John Smyth"),
        ("Language", "vie"),
        ("VernacularTitle", "Tác dụng của Lactobacillus."),
        ("CopyrightInformation", "© The Author(s). 2020"),
        ("Country", "England"),
        ("NlmUniqueID", "101263253"),
        ("CitationSubset", "IM"),
        ("PublicationStatus", "epublish"),
        (
            "conflict_of_interest",
            "JS has received fees from Probiotix Ltd. The other authors declare none.",
        ),
        ("OtherAbstract", "Tóm tắt bằng tiếng Việt."),
        ("Chemical", "059QF0KO0R (Water)"),
        ("PubMedPubDate", "2019 Jun 11 [received]"),
        ("ReprintOf", "Trials. 2015;16:9 PMID: 26000009"),
    )


def test_authors_orcid_suffix_initials_collective_equal_contribution() -> None:
    [paper] = primaries(records("full_article.xml"))
    assert paper.authors == (
        Person(
            name="Thị Lan Nguyễn",
            family="Nguyễn",
            given="Thị Lan",
            initials="TL",
            orcid="0000-0002-1825-0097",
            affiliations=(
                "Department of Nutrition, University of Hanoi, Hanoi, Vietnam.",
                "Oxford University Clinical Research Unit, Hanoi, Vietnam.",
            ),
            equal_contribution=True,
        ),
        Person(
            name="John Smith Jr",
            family="Smith",
            given="John",
            initials="J",
            orcid="0000-0001-5109-3700",
            affiliations=("School of Public Health, Boston, USA.",),
            equal_contribution=True,
        ),
        Person(name="AK van der Berg", family="van der Berg", initials="AK"),
        Person(name="PROBIO Trial Group", collective=True),
    )


def test_reference_list_gives_cited_papers_and_cites_relations() -> None:
    items = records("full_article.xml")
    [paper] = primaries(items)
    cited = [r for r in items if isinstance(r, Paper) and not r.primary][:4]
    assert cited == [
        Paper(
            loc=Loc(line=201),
            pmid="25500001",
            doi="10.3390/nu7010001",
            pmcid="PMC4300000",
            citation_text="Smith J, Doe A. Probiotics and immunity. Nutrients. 2015;7:1-10.",
        ),
        Paper(
            loc=Loc(line=209),
            citation_text="World Health Organization. Guideline on probiotics. Geneva: WHO; 2018.",
        ),
        Paper(loc=Loc(line=212), pmid="19000003"),
        Paper(
            loc=Loc(line=219),
            pmid="22000004",
            citation_text="Lee K. Gut flora. Cell. 2012;148:1-2.",
        ),
    ]
    cites = [r for r in items if isinstance(r, Relation)][:4]
    assert cites == [Relation("cites", paper.ref, c.ref, loc=c.loc) for c in cited]


def test_comments_corrections_relations_and_directions() -> None:
    items = records("full_article.xml")
    found = [
        (r.kind, r.subject.pmid, r.object.pmid, r.loc.line)
        for r in items
        if isinstance(r, Relation) and r.loc.line < 200
    ]
    this = "31234567"
    assert found == [
        ("discusses", "32000001", this, 118),  # CommentIn
        ("discusses", this, "31000002", 122),  # CommentOn
        ("corrects", "32000003", this, 126),  # ErratumIn
        ("corrects", this, "29000004", 130),  # ErratumFor
        ("retracts", "33000005", this, 134),  # RetractionIn
        ("retracts", this, "28000006", 138),  # RetractionOf
        ("updates", "34000007", this, 142),  # UpdateIn
        ("updates", this, None, 146),  # UpdateOf, no PMID given
        ("cites", this, "20332509", 149),  # Cites
    ]
    others = {r.pmid: r for r in items if isinstance(r, Paper) and not r.primary}
    assert others["32000001"] == Paper(
        loc=Loc(line=118), pmid="32000001", citation_text="Trials. 2020 Feb 1;21(1):120"
    )
    assert "26000009" not in others  # ReprintOf: kept in extra, no relation


# ---------------------------------------------------------------------------- dates, books


def test_medline_date_range_startpage_and_elocation_doi() -> None:
    first, second = primaries(records("dates.xml"))
    assert (first.date, first.year) == ("2019 Dec-2020 Jan", 2019)
    assert first.pages == "101-109"
    assert first.doi == "10.5555/jws.2019.12.4.101"
    assert first.journal == Journal("Journal of winter studies", "J Winter Stud", ("0028-0836",))
    assert first.abstract == "A plain abstract without labels."
    assert (second.date, second.year, second.pages, second.doi) == (
        "2020 Spring",
        2020,
        "1-9",
        None,
    )
    assert [p.loc.line for p in (first, second)] == [4, 49]


def test_book_chapter() -> None:
    chapter, _ = primaries(records("book.xml"))
    assert chapter.loc == Loc(line=4)
    assert chapter.pmid == "20301700"
    assert chapter.title == "Example Syndrome"
    assert chapter.book_title == "GeneReviews®"
    assert chapter.publisher == "University of Washington, Seattle"
    assert chapter.types == ("Review", "Book Chapter")
    assert chapter.authors == (
        Person(name="Carlo Marcelis", family="Marcelis", given="Carlo", initials="C"),
    )
    assert chapter.editors == (
        Person(name="Margaret P Adam", family="Adam", given="Margaret P", initials="MP"),
        Person(name="Jerry Feldman", family="Feldman", given="Jerry", initials="J"),
    )
    assert (chapter.year, chapter.date, chapter.language) == (1993, "1993", "eng")
    assert chapter.abstract == (
        "CLINICAL CHARACTERISTICS: A rare condition.\nDIAGNOSIS/TESTING: Molecular testing."
    )
    assert ("bookaccession", "NBK1100") in chapter.extra
    assert ("LocationLabel", "Example Syndrome") in chapter.extra


def test_whole_book() -> None:
    _, book = primaries(records("book.xml"))
    assert book.loc == Loc(line=62)
    assert (book.title, book.book_title) == ("Dietary Reference Intakes for Calcium", None)
    assert book.types == ("Book",)
    assert book.doi == "10.17226/12345"
    assert book.publisher == "National Academies Press (US)"
    assert book.authors == (Person(name="Institute of Medicine (US) Committee", collective=True),)
    assert book.editors == (
        Person(name="A Catharine Ross", family="Ross", given="A Catharine", initials="AC"),
    )
    assert ("Isbn", "9780309163941") in book.extra


# ---------------------------------------------------------------------------- text quirks


def test_crlf_cr_and_bom_keep_lines() -> None:
    text = fixture("full_article.xml")
    expected = list(pubmed_xml.parse(text))
    assert list(pubmed_xml.parse("\ufeff" + text.replace("\n", "\r\n"))) == expected
    assert list(pubmed_xml.parse(text.replace("\n", "\r"))) == expected


@pytest.mark.parametrize("size", [1, 7, 64])
def test_chunk_boundaries_anywhere_change_nothing(
    monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """Slices may split a CRLF pair, a tag or a multi-byte character's neighbourhood."""
    text = fixture("full_article.xml").replace("\n", "\r\n")
    expected = list(pubmed_xml.parse(text))
    monkeypatch.setattr(pubmed_xml, "CHUNK", size)
    assert list(pubmed_xml.parse(text)) == expected


def test_registry_detects_pubmed_xml() -> None:
    assert detect(fixture("full_article.xml")) == ["pubmed_xml"]
    assert detect(fixture("book.xml")) == ["pubmed_xml"]


def test_character_references_and_predefined_entities(no_network: None) -> None:
    [paper] = primaries(records("external_dtd.xml"))
    assert paper.title == "Café & <bar> \"quoted\" 'single'"


def test_mathml_prescripts_and_indented_subscripts() -> None:
    math = (
        '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML">\n <mml:mrow>\n'
        "  <mml:mmultiscripts>\n   <mml:mi>He</mml:mi>\n   <mml:mprescripts/>\n"
        "   <mml:none/>\n   <mml:mn>3</mml:mn>\n  </mml:mmultiscripts>\n"
        "  <mml:mtext> </mml:mtext>\n  <mml:mi>MRI</mml:mi>\n </mml:mrow>\n</mml:math>"
    )
    abstract = f"<Abstract><AbstractText>Inhaled {math} and a &#946;\n\t\t<sub>2</sub>-agonist.</AbstractText></Abstract>"
    [paper] = list(pubmed_xml.parse(document(article("1", body=abstract))))
    assert paper.abstract == "Inhaled 3He MRI and a β2-agonist."


def test_empty_set_and_delete_citations_give_nothing() -> None:
    text = "<PubmedArticleSet><DeleteCitation><PMID Version='1'>1</PMID></DeleteCitation></PubmedArticleSet>"
    assert list(pubmed_xml.parse(text)) == []


# ---------------------------------------------------------------------------- security


def test_external_file_entity_is_refused_and_never_read() -> None:
    items = records("xxe_file.xml")
    assert items == [
        Problem(
            "entity declaration in the document: refused (entities are never expanded)",
            Loc(line=3),
        )
    ]
    assert "root:" not in repr(items)


def test_external_http_entity_is_refused(no_network: None) -> None:
    started = time.perf_counter()
    items = records("xxe_http.xml")
    assert time.perf_counter() - started < 1
    assert [type(r) for r in items] == [Problem]
    assert items[0].loc == Loc(line=3)


def test_external_parameter_entity_is_refused(no_network: None) -> None:
    items = records("xxe_parameter.xml")
    assert [(type(r), r.loc.line) for r in items] == [(Problem, 3)]


def test_billion_laughs_fails_fast() -> None:
    text = fixture("billion_laughs.xml")
    started = time.perf_counter()
    items = list(pubmed_xml.parse(text))
    assert time.perf_counter() - started < 0.5
    assert [(type(r), r.loc.line) for r in items] == [(Problem, 3)]


def test_external_dtd_is_not_fetched(no_network: None) -> None:
    started = time.perf_counter()
    [paper] = records("external_dtd.xml")
    assert time.perf_counter() - started < 1
    assert paper.pmid == "33000001"


def test_undefined_entity_is_a_problem_not_a_lookup() -> None:
    text = document(article("1"), article("2", "Caf&eacute;"), article("3"))
    items = list(pubmed_xml.parse(text))
    assert [type(r) for r in items] == [Paper, Problem, Paper]
    assert items[1].message == "malformed XML: undefined entity"
    assert items[1].loc == Loc(line=12)  # the ArticleTitle line of the second article


# ---------------------------------------------------------------------------- robustness


def test_malformed_article_between_two_good_ones() -> None:
    items = records("broken_middle.xml")
    assert [(type(r), r.loc.line) for r in items] == [(Paper, 3), (Problem, 19), (Paper, 23)]
    assert items[1].message == "malformed XML: mismatched tag"
    assert [r.pmid for r in primaries(items)] == ["33000001", "33000003"]


def test_article_without_pmid_between_two_good_ones() -> None:
    items = records("missing_pmid.xml")
    assert [(type(r), r.loc.line) for r in items] == [(Paper, 3), (Problem, 15), (Paper, 22)]


def test_truncated_file_keeps_completed_articles() -> None:
    items = records("truncated.xml")
    assert [(type(r), r.loc.line) for r in items] == [(Paper, 3), (Problem, 21)]
    assert items[1].message == "malformed XML: no element found"


def test_broken_articles_on_one_line_are_skipped_once() -> None:
    text = "<PubmedArticleSet>" + article("1") + "<PubmedArticle><x></y></PubmedArticle>"
    text += article("3").replace("\n", "") + "</PubmedArticleSet>"
    items = list(pubmed_xml.parse(text))
    assert [(type(r), getattr(r, "pmid", None)) for r in items] == [
        (Paper, "1"),
        (Problem, None),
        (Paper, "3"),
    ]


def test_streaming_reads_one_chunk_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first article comes out before the text beyond the first chunks was looked at."""
    monkeypatch.setattr(pubmed_xml, "CHUNK", 1000)
    seen: list[int] = []

    class Spy(str):
        __slots__ = ()

        def __getitem__(self, key: object) -> str:
            if isinstance(key, slice):
                seen.append(key.stop or 0)
            return str.__getitem__(self, key)  # type: ignore[index]

    text = Spy(document(*(article(str(n), "x" * 400) for n in range(1, 200))))
    items = pubmed_xml.parse(text)
    first = next(items)
    assert isinstance(first, Paper)
    assert first.pmid == "1"
    assert max(seen) <= 1000
    assert len(list(items)) == 198


def test_articles_are_dropped_once_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the articles of the current chunk are alive, however long the file is."""
    monkeypatch.setattr(pubmed_xml, "CHUNK", 5000)
    text = document(*(article(str(n), "y" * 800) for n in range(1, 400)))
    alive = []
    for number, _record in enumerate(pubmed_xml.parse(text)):
        if number in (50, 300):
            alive.append(sum(isinstance(o, pubmed_article.Element) for o in gc.get_objects()))
    assert number == 398
    assert max(alive) < 40  # 5 elements an article, about 6 articles a chunk


SAFE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
XML_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
# Real element paths (below PubmedArticle / PubmedBookArticle), so generated documents are
# well-formed and reach every field reader.
PATHS = (
    "MedlineCitation/PMID",
    "MedlineCitation/Article/ArticleTitle",
    "MedlineCitation/Article/ArticleTitle/i",
    "MedlineCitation/Article/Abstract/AbstractText",
    "MedlineCitation/Article/Abstract/AbstractText/mml:math/mml:mmultiscripts/mml:mi",
    "MedlineCitation/Article/Abstract/AbstractText/mml:math/mml:mmultiscripts/mml:mprescripts",
    "MedlineCitation/Article/Abstract/AbstractText/sub",
    "MedlineCitation/Article/AuthorList/Author/LastName",
    "MedlineCitation/Article/AuthorList/Author/ForeName",
    "MedlineCitation/Article/AuthorList/Author/Initials",
    "MedlineCitation/Article/AuthorList/Author/CollectiveName",
    "MedlineCitation/Article/AuthorList/Author/Identifier",
    "MedlineCitation/Article/AuthorList/Author/AffiliationInfo/Affiliation",
    "MedlineCitation/Article/Journal/ISSN",
    "MedlineCitation/Article/Journal/JournalIssue/PubDate/Year",
    "MedlineCitation/Article/Journal/JournalIssue/PubDate/Month",
    "MedlineCitation/Article/Journal/JournalIssue/PubDate/MedlineDate",
    "MedlineCitation/Article/Pagination/StartPage",
    "MedlineCitation/Article/ELocationID",
    "MedlineCitation/Article/ArticleDate/Day",
    "MedlineCitation/Article/GrantList/Grant/GrantID",
    "MedlineCitation/Article/Language",
    "MedlineCitation/MedlineJournalInfo/ISSNLinking",
    "MedlineCitation/MeshHeadingList/MeshHeading/DescriptorName",
    "MedlineCitation/MeshHeadingList/MeshHeading/QualifierName",
    "MedlineCitation/CommentsCorrectionsList/CommentsCorrections/PMID",
    "MedlineCitation/CommentsCorrectionsList/CommentsCorrections/RefSource",
    "MedlineCitation/OtherAbstract/AbstractText",
    "MedlineCitation/ChemicalList/Chemical/NameOfSubstance",
    "MedlineCitation/InvestigatorList/Investigator/LastName",
    "PubmedData/ArticleIdList/ArticleId",
    "PubmedData/History/PubMedPubDate/Year",
    "PubmedData/ReferenceList/Reference/Citation",
    "PubmedData/ReferenceList/Reference/ArticleIdList/ArticleId",
    "PubmedData/ReferenceList/ReferenceList/Reference/Citation",
    "BookDocument/PMID",
    "BookDocument/ArticleTitle",
    "BookDocument/LocationLabel",
    "BookDocument/Book/BookTitle",
    "BookDocument/Book/AuthorList/Author/LastName",
    "BookDocument/Book/Publisher/PublisherName",
    "BookDocument/Book/PubDate/Season",
    "BookDocument/PublicationType",
    "BookDocument/ReferenceList/Reference/Citation",
)
ATTRIBUTES = st.dictionaries(
    st.sampled_from(
        (
            "Label",
            "IdType",
            "RefType",
            "Source",
            "Type",
            "MajorTopicYN",
            "UI",
            "EIdType",
            "PubStatus",
        )
    ),
    st.sampled_from(
        ("pubmed", "doi", "pmc", "Cites", "CommentIn", "ORCID", "editors", "Y", "received", "")
    ),
    max_size=2,
)
TEXTS = st.sampled_from(
    ("12345", "10.1000/x", "PMC99", "0000-0002-1825-0097", "2020", "05", "2019 Dec-2020 Jan", "")
) | XML_TEXT.map(escape)


Part = tuple[str, dict[str, str], str]  # (path, attributes of its last element, text)


def _tree(kind: str, parts: list[Part]) -> str:
    """One article whose elements are the parts' paths merged into a tree (shared prefixes)."""
    root: dict = {}
    for path, attrs, text in parts:
        node = root
        for tag in path.split("/"):
            node = node.setdefault(tag, {"": ({}, [])})
        node[""][0].update(attrs)
        node[""][1].append(text)

    def show(tag: str, node: dict) -> str:
        attrs, texts = node[""]
        shown = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
        inner = "".join(texts) + "".join(show(t, n) for t, n in node.items() if t)
        return f"<{tag}{shown}>{inner}</{tag}>\n"

    body = "".join(show(tag, node) for tag, node in root.items())
    return f"<PubmedArticleSet>\n<{kind}>\n{body}</{kind}>\n</PubmedArticleSet>\n"


PMID_PART = {
    "PubmedArticle": ("MedlineCitation/PMID", {}, "31234567"),
    "PubmedBookArticle": ("BookDocument/PMID", {}, "20301700"),
}
WELL_FORMED = st.sampled_from(("PubmedArticle", "PubmedBookArticle")).flatmap(
    lambda kind: st.lists(st.tuples(st.sampled_from(PATHS), ATTRIBUTES, TEXTS), max_size=14).map(
        lambda parts: _tree(kind, [PMID_PART[kind], *parts])
    )
)
FRAGMENTS = st.lists(
    st.sampled_from(
        (
            "<PubmedArticleSet>",
            "</PubmedArticleSet>",
            "<PubmedArticle>",
            "</PubmedArticle>",
            "<PubmedBookArticle>",
            "<MedlineCitation>",
            "<PMID>12</PMID>",
            "<ArticleTitle>",
            "</ArticleTitle>",
            '<!DOCTYPE PubmedArticleSet [<!ENTITY a "b">]>',
            "&a;",
            "&amp;",
            "&#0;",
            "<![CDATA[x]]>",
            "<?xml version='1.0'?>",
            "\r\n",
            "<",
            ">",
        )
    )
    | SAFE_TEXT,
    max_size=20,
).map("".join)


def _check(text: str) -> None:
    for record in pubmed_xml.parse(text):
        assert isinstance(record, RECORD_TYPES)


@settings(max_examples=150, deadline=None)
@given(WELL_FORMED)
def test_parse_never_raises_on_pubmed_shaped_trees(text: str) -> None:
    _check(text)


@settings(max_examples=150, deadline=None)
@given(FRAGMENTS)
def test_parse_never_raises_on_fragment_soup(text: str) -> None:
    _check(text)


def test_deep_nesting_does_not_recurse() -> None:
    depth = 2000  # beyond the interpreter recursion limit
    title = "<i>" * depth + "deep" + "</i>" * depth
    [paper] = list(pubmed_xml.parse(document(article("7", title))))
    assert paper.title == "deep"


# ---------------------------------------------------------------------------- chunked input

FIXTURE_NAMES = sorted(path.name for path in FIXTURES.glob("*.xml"))
VARIANTS = {
    "as is": lambda text: text,
    "crlf": lambda text: text.replace("\n", "\r\n"),
    "cr": lambda text: text.replace("\n", "\r"),
    "bom": lambda text: "\ufeff" + text,
    "bom crlf": lambda text: "\ufeff" + text.replace("\n", "\r\n"),
}
# Chunk sizes taken in turn; 0 is an empty chunk.
SIZES = st.lists(
    st.integers(0, 3) | st.integers(1, 40) | st.integers(40, 4000), min_size=1, max_size=6
).filter(any)
FEEDS = st.sampled_from((1, 2, 7, 64, 4096, None))  # CHUNK, the slices fed to pyexpat


def cut(text: str, sizes: list[int]) -> list[str]:
    """``text`` in chunks of ``sizes`` (cycled): cuts fall anywhere, in CRLF, tags or names."""
    chunks, at = [], 0
    for size in itertools.cycle(sizes):
        if at >= len(text):
            return chunks
        chunks.append(text[at : at + size])
        at += size
    raise AssertionError  # unreachable: cycle never ends


def chunked(text: str, sizes: list[int], feed: int | None = None) -> list:
    with pytest.MonkeyPatch.context() as patch:
        if feed is not None:
            patch.setattr(pubmed_xml, "CHUNK", feed)
        return list(pubmed_xml.parse_chunks(cut(text, sizes)))


def broken_document(parts: list[tuple[int, str]]) -> str:
    """Articles 1, 2 … each good (0) or broken in one of three ways, and a separator."""
    broken = (
        "",
        "<PubmedArticle><x></y></PubmedArticle>",
        "<PubmedArticle>\n<MedlineCitation><PMID>9</PMID>Caf&eacute;</MedlineCitation>\n",
        "<PubmedArticle>\r\n<<PubmedArticleSet>\r\n<PubmedArticles>\n",
    )
    body = "".join(
        (broken[kind] if kind else article(str(n))) + separator
        for n, (kind, separator) in enumerate(parts, 1)
    )
    return '<?xml version="1.0"?>\r\n<PubmedArticleSet>\r\n' + body + "</PubmedArticleSet>\n"


BROKEN_DOCUMENTS = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from(("", "\n", "\r\n", "\r", "\r\n\r\n  \n"))),
    min_size=1,
    max_size=6,
).map(broken_document)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FIXTURE_NAMES), st.sampled_from(sorted(VARIANTS)), SIZES, FEEDS)
def test_any_chunking_of_a_fixture_gives_the_records_of_parse(
    name: str, variant: str, sizes: list[int], feed: int | None
) -> None:
    text = VARIANTS[variant](fixture(name))
    assert chunked(text, sizes, feed) == list(pubmed_xml.parse(text))


@settings(max_examples=300, deadline=None)
@given(BROKEN_DOCUMENTS, SIZES, FEEDS)
def test_any_chunking_of_broken_articles_gives_the_records_of_parse(
    text: str, sizes: list[int], feed: int | None
) -> None:
    expected = list(pubmed_xml.parse(text))
    assert chunked(text, sizes, feed) == expected
    good = {
        str(n)
        for n, line in enumerate(text.split("<PubmedArticle>")[1:], 1)
        if "PMID Version" in line
    }
    assert {paper.pmid for paper in primaries(expected)} == good  # resumed after every error


@settings(max_examples=300, deadline=None)
@given(FRAGMENTS, SIZES, FEEDS)
def test_any_chunking_of_fragment_soup_gives_the_records_of_parse(
    text: str, sizes: list[int], feed: int | None
) -> None:
    # The same slices for both: pyexpat counts a CRLF cut after the document element twice.
    with pytest.MonkeyPatch.context() as patch:
        if feed is not None:
            patch.setattr(pubmed_xml, "CHUNK", feed)
        assert list(pubmed_xml.parse_chunks(cut(text, sizes))) == list(pubmed_xml.parse(text))


def test_resume_after_an_error_across_chunk_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every cut between the error, the look-alikes after it and the next article start."""
    broken = "<PubmedArticle>\n<MedlineCitation><PMID>2</PMID><x></y>\n</PubmedArticle>\n"
    lookalikes = "<PubmedArticleSet>\n<PubmedArticles>\n<PubmedBookArticleSet>\n\n"
    text = document(article("1"), broken, lookalikes, article("3")).replace("\n", "\r\n")
    text = text.replace("<PubmedArticles>\r\n", "<PubmedArticles>\r")  # a lone CR ends a line too
    third = len(text[: text.rindex("<PubmedArticle>")].splitlines()) + 1
    assert third == 16
    expected = list(pubmed_xml.parse(text))
    assert [(type(r), r.loc.line) for r in expected] == [(Paper, 3), (Problem, 10), (Paper, third)]
    for feed in (5, 64, pubmed_xml.CHUNK):
        monkeypatch.setattr(pubmed_xml, "CHUNK", feed)
        assert list(pubmed_xml.parse_chunks(iter(text))) == expected  # one character a chunk
        for at in range(len(text) + 1):
            assert list(pubmed_xml.parse_chunks([text[:at], text[at:]])) == expected, (feed, at)


def test_resume_searches_the_chunks_after_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next article is many chunks after the error: only a short tail is carried over."""
    monkeypatch.setattr(pubmed_xml, "CHUNK", 64)
    junk = "junk <PubmedArticleSet> &amp; line\r\n" * 500 + "\r" * 7
    text = document(article("1"), "<PubmedArticle><x></y>", junk, article("3"))
    items = list(pubmed_xml.parse_chunks(cut(text, [100, 3, 1])))
    assert items == list(pubmed_xml.parse(text))
    assert [(type(r), r.loc.line) for r in items] == [(Paper, 3), (Problem, 9), (Paper, 516)]


def test_leading_bom_only_is_dropped_wherever_the_chunks_begin() -> None:
    text = fixture("full_article.xml")
    expected = list(pubmed_xml.parse(text))
    assert list(pubmed_xml.parse_chunks(["", "\ufeff", "", text])) == expected
    assert list(pubmed_xml.parse_chunks(["\ufeff" + text[:3], text[3:]])) == expected
    assert list(pubmed_xml.parse_chunks([])) == list(pubmed_xml.parse(""))
    inner = text[:60] + "\ufeff" + text[60:]
    assert list(pubmed_xml.parse_chunks([text[:60], "\ufeff", text[60:]])) == list(
        pubmed_xml.parse(inner)
    )


def test_hostile_entity_stops_reading_the_chunks_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pubmed_xml, "CHUNK", 64)
    text = fixture("billion_laughs.xml")
    pulled = 0

    def chunks() -> Iterator[str]:
        nonlocal pulled
        yield from text  # one character a chunk
        for _ in range(100_000):
            pulled += 1
            yield "<PubmedArticle/>"

    assert list(pubmed_xml.parse_chunks(chunks())) == records("billion_laughs.xml")
    assert pulled == 0  # stopped at the declaration, in the first lines


def test_parse_chunks_reads_the_chunks_as_the_records_are_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pubmed_xml, "CHUNK", 1000)
    pulled = 0

    def chunks() -> Iterator[str]:
        nonlocal pulled
        for chunk in cut(document(*(article(str(n), "x" * 400) for n in range(1, 200))), [1000]):
            pulled += 1
            yield chunk

    items = pubmed_xml.parse_chunks(chunks())
    assert next(items).pmid == "1"
    assert pulled == 1
    assert len(list(items)) == 198


# A long structured abstract: most of the bytes go through pyexpat, few per-article costs.
BIG_STREAM = r'''
import resource, sys, time
from kg.extract import pubmed_xml

SECTION = "Probiotic supplementation raised CD4 counts in a trial of adults. " * 100
SECTION += "Counts &amp; CD4<sup>+</sup> T cells."
ARTICLE = (
    "<PubmedArticle>\n  <MedlineCitation Status='MEDLINE' Owner='NLM'>\n"
    "    <PMID Version='1'>{pmid}</PMID>\n    <Article PubModel='Print'>\n"
    "      <Journal><ISSN IssnType='Electronic'>1745-6215</ISSN><JournalIssue>"
    "<Volume>21</Volume><PubDate><Year>2020</Year><Month>Jan</Month></PubDate>"
    "</JournalIssue><Title>Trials</Title></Journal>\n"
    "      <ArticleTitle>Effect {pmid} of a probiotic.</ArticleTitle>\n      <Abstract>\n"
    + "".join(
        f"        <AbstractText Label='{label}'>{SECTION}</AbstractText>\n"
        for label in ("BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS")
    )
    + "      </Abstract>\n      <AuthorList><Author><LastName>Smith</LastName>"
    "<ForeName>Jane</ForeName></Author></AuthorList>\n    </Article>\n"
    "  </MedlineCitation>\n</PubmedArticle>\n"
)
TOTAL = int(sys.argv[1]) << 20


def chunks(size=1 << 20):
    """About TOTAL characters of XML in chunks of about ``size``, never one string."""
    yield "<?xml version='1.0'?>\n<PubmedArticleSet>\n"
    pmid = made = 0
    while made < TOTAL:
        part = []
        while sum(map(len, part)) < size:
            pmid += 1
            part.append(ARTICLE.format(pmid=10_000_000 + pmid))
        chunk = "".join(part)
        made += len(chunk)
        yield chunk
    yield "</PubmedArticleSet>\n"
    print(pmid, made, end=" ")


def rss():
    """The resident memory now (Linux), else the peak so far, in bytes."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak * (1 if sys.platform == "darwin" else 1024)


before = peak = rss()
started = time.perf_counter()
papers = last = 0
for record in pubmed_xml.parse_chunks(chunks()):
    papers += 1
    last = record.pmid
    if papers % 64 == 0:
        peak = max(peak, rss())
seconds = time.perf_counter() - started
print(papers, last, max(peak, rss()) - before, seconds)
'''


@pytest.mark.slow
def test_a_300_mb_stream_is_read_in_constant_memory() -> None:
    """300 MB of XML in 1 MB chunks: the peak memory of the process grows by a few MB."""
    result = subprocess.run(
        [sys.executable, "-c", BIG_STREAM, "300"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    made_pmids, made, papers, last, grown, _seconds = result.stdout.split()
    assert int(made) >= 300 << 20
    assert int(papers) == int(made_pmids)
    assert last == str(10_000_000 + int(made_pmids))
    assert int(grown) < 50 << 20, f"peak memory grew by {int(grown) >> 20} MB"


# ---------------------------------------------------------------------------- sniff


def test_sniff_accepts_bare_and_book_sets() -> None:
    assert pubmed_xml.sniff("<PubmedArticleSet/>")
    assert pubmed_xml.sniff("\ufeff<!-- saved -->\n<?pi x?>\n<PubmedBookArticleSet>\n")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "PMID- 12345\nTI  - A MEDLINE record\n",
        '{"PubmedArticleSet": []}',
        '<?xml version="1.0"?>\n<pmc-articleset><article/></pmc-articleset>',
        '<?xml version="1.0"?>\n<eSearchResult><Count>1</Count></eSearchResult>',
        "<!-- <PubmedArticleSet> -->\n<other/>",
        '<!DOCTYPE PubmedArticleSet SYSTEM "pubmed.dtd">\n<html/>',
        "Text mentioning <PubmedArticleSet> in a sentence.",
        "<PubmedArticleSetX>",
        "TY  - JOUR\nN1  - <PubmedArticleSet>\nER  -\n",
    ],
)
def test_sniff_rejects_near_misses(text: str) -> None:
    assert not pubmed_xml.sniff(text)


# ---------------------------------------------------------------------------- real samples


class TestRealSamples:
    def read(self, name: str) -> list:
        text = (SAMPLES / "pubmed_xml" / name).read_text(encoding="utf-8")
        assert pubmed_xml.sniff(text)
        items = list(pubmed_xml.parse(text))
        assert not [r for r in items if isinstance(r, Problem)]
        return items

    def test_pubmed7(self) -> None:
        items = self.read("pubmed7.xml")
        [paper] = primaries(items)
        assert (paper.pmid, paper.pmcid, paper.doi) == (
            "29963580",
            "PMC6022861",
            "10.1117/1.jmi.5.2.026002",
        )
        assert paper.loc == Loc(line=4)
        assert len(paper.authors) == 9
        assert paper.authors[-1] == Person(
            name="Canadian Respiratory Research Network", collective=True
        )
        assert [a.orcid for a in paper.authors if a.orcid] == [
            "0000-0002-4590-7461",
            "0000-0003-3525-2788",
        ]
        assert len(paper.keywords) == 5
        assert paper.mesh == ()
        assert paper.journal == Journal(
            "Journal of medical imaging (Bellingham, Wash.)",
            "J Med Imaging (Bellingham)",
            ("2329-4302",),
        )
        assert (paper.date, paper.epub_date, paper.pages) == ("2018 Apr", "2018 Jun 28", "026002")
        assert "inhaled 3He/129Xe MRI ventilation" in (paper.abstract or "")
        assert "mml" not in (paper.abstract or "")
        cited = [r for r in items if isinstance(r, Paper) and not r.primary]
        assert len(cited) == 49
        assert all(c.pmid for c in cited)
        assert cited[0].citation_text == "Radiology. 2015 Jan;274(1):250-9"
        cites = [r for r in items if isinstance(r, Relation)]
        assert len(cites) == 49
        assert {r.kind for r in cites} == {"cites"}
        assert all(r.subject == paper.ref for r in cites)

    def test_pubmed4(self) -> None:
        items = self.read("pubmed4.xml")
        [paper] = primaries(items)
        assert (paper.pmid, paper.pmcid) == ("27797938", "PMC5442267")
        assert paper.doi == "10.1136/gutjnl-2016-312510"
        assert len(paper.authors) == 22
        assert len(paper.mesh) == 21
        assert all(m.ui and m.ui.startswith("D") for m in paper.mesh)
        assert len(paper.grants) == 35
        assert len(paper.types) == 5
        assert paper.journal == Journal("Gut", "Gut", ("0017-5749", "1468-3288"))
        assert paper.abstract is not None
        assert paper.abstract.startswith("OBJECTIVE: Telomere shortening")
        assert [line.split(":")[0] for line in paper.abstract.split("\n")] == [
            "OBJECTIVE",
            "DESIGN",
            "RESULTS",
            "CONCLUSIONS",
        ]
        assert ("conflict_of_interest", "Competing interests: None declared.") in paper.extra
        assert ("pii", "gutjnl-2016-312510") in paper.extra
        assert ("mid", "NIHMS857349") in paper.extra
        relations = [r for r in items if isinstance(r, Relation)]
        cites = [r for r in relations if r.kind == "cites"]
        assert len(cites) == 48
        assert all(r.subject == paper.ref and r.object.pmid for r in cites)
        [comment] = [r for r in relations if r.kind == "discusses"]
        assert (comment.subject.pmid, comment.object) == ("27920200", paper.ref)

    def test_nejm(self) -> None:
        items = self.read("pubmed-29768149.xml")
        [paper] = primaries(items)
        assert (paper.pmid, paper.pmcid, paper.doi) == ("29768149", None, "10.1056/nejmoa1715274")
        assert len(paper.authors) == 10
        assert paper.authors[0].family == "O'Byrne"
        assert len(paper.mesh) == 23
        assert len(paper.types) == 6
        assert paper.date == "2018 May 17"
        assert paper.abstract is not None
        assert "fast-acting β2-agonist" in paper.abstract
        comments = [r for r in items if isinstance(r, Relation)]
        assert [(r.kind, r.subject.pmid) for r in comments] == [
            ("discusses", "29768146"),
            ("discusses", "30242404"),
        ]
