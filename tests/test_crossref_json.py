"""The Crossref work JSON extractor: hand-written fixtures and the real samples."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract import crossref_json, openalex_json
from kg.records import (
    CitationCounts,
    Grant,
    Journal,
    Loc,
    Paper,
    PaperRef,
    Person,
    Problem,
    Record,
    Relation,
)

from .helpers import RECORD_TYPES, SAMPLES, cited, counts, papers, problems, relations, text_of

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "crossref_json"


def read(name: str) -> list[Record]:
    return list(crossref_json.parse(text_of(FIXTURES / name)))


# ---------------------------------------------------------------------------- work message


@pytest.fixture(scope="module")
def message() -> list[Record]:
    records = read("work_message.json")
    assert problems(records) == []
    return records


@pytest.fixture(scope="module")
def work(message: list[Record]) -> Paper:
    (paper,) = papers(message)
    return paper


def test_message_work_is_read_at_the_line_of_its_object(work: Paper) -> None:
    assert work.loc == Loc(line=5)  # "message": { opens on line 5
    assert work.primary is True
    assert work.doi == "10.5555/kg.test.2020.001"  # "10.5555/KG.Test.2020.001" normalised


def test_message_title_markup_stripped_and_subtitle_kept(work: Paper) -> None:
    assert work.title == "Sleep and memory & mood in adolescents"
    assert ("subtitle", "A cohort study") in work.extra


def test_message_authors_orcid_affiliations_collective_suffix(work: Paper) -> None:
    assert work.authors == (
        Person(
            name="María José García-López",
            family="García-López",
            given="María José",
            initials="MJ",
            orcid="0000-0002-1825-0097",
            affiliations=("Department of Psychiatry, University of Somewhere", "Sleep Centre"),
        ),
        Person(name="The Adolescent Sleep Consortium", collective=True),
        # the ORCID checksum is wrong: dropped, never repaired
        Person(name="John Smith Jr.", family="Smith", given="John", initials="J"),
    )
    assert work.editors == (Person(name="Ann Editor", family="Editor", given="Ann", initials="A"),)


def test_message_journal_print_issn_first(work: Paper) -> None:
    assert work.journal == Journal(
        title="Journal of Sleep Studies",
        abbreviation="J Sleep Stud",
        issns=("0962-1105", "1365-2869"),  # issn-type says 0962-1105 is the print ISSN
    )


def test_message_dates_issued_and_online(work: Paper) -> None:
    assert (work.year, work.date, work.epub_date) == (2020, "2020 Mar", "2019 Nov 05")


def test_message_bibliographic_fields(work: Paper) -> None:
    assert (work.volume, work.issue, work.pages) == ("29", "2", "e12901")
    assert work.publisher == "Wiley"
    assert work.language == "en"
    assert work.types == ("Journal Article",)
    assert work.keywords == ("Neurology (clinical)", "Cognitive Neuroscience")


def test_message_jats_abstract_sections_and_entities(work: Paper) -> None:
    assert work.abstract == (
        "Background: Teens sleep <8 h on school nights; short\u2010term effects on memory & mood"
        " are unclear.\nMethods: We followed n = 120 pupils for 2 years."
    )


def test_message_funders_become_grants(work: Paper) -> None:
    assert work.grants == (
        Grant(identifier="R01 MH123456", agency="National Institutes of Health"),
        Grant(identifier="R21 MH000001", agency="National Institutes of Health"),
        Grant(agency="Wellcome Trust"),
    )


def test_message_extra_keeps_short_facts_and_skips_noise(work: Paper) -> None:
    assert work.extra == (
        ("type", "journal-article"),
        ("article-number", "e12901"),
        ("archive", "CLOCKSS"),
        ("subtitle", "A cohort study"),
        ("license", "https://creativecommons.org/licenses/by/4.0/"),  # twice in the source
        ("received", "2019-05-02"),
        ("accepted", "2019-10-20"),
        ("has-preprint", "10.31234/osf.io/abcde"),
    )
    keys = {key for key, _ in work.extra}
    assert not keys & {"link", "URL", "indexed", "score", "ISSN", "member", "note"}


def test_message_references(message: list[Record], work: Paper) -> None:
    loc = Loc(line=5)
    assert cited(message)[:5] == [
        Paper(
            loc=loc,
            doi="10.1000/abc.123",
            title="Sleep spindles and memory",
            year=2015,
            journal=Journal(title="Sleep"),
            volume="38",
            pages="100",
            authors=(Person(name="Walker MP", family="Walker", initials="MP"),),
        ),
        Paper(  # unstructured only: the text, markup stripped, and its year
            loc=loc,
            year=2012,
            citation_text="Jones A, Brown B. Sleep in teens. Sleep Med Rev. 2012;16:1-10.",
        ),
        Paper(  # a book: volume-title is its title
            loc=loc,
            title="Adolescent Sleep Patterns",
            year=2011,
            authors=(Person(name="Carskadon MA", family="Carskadon", initials="MA"),),
        ),
        # ref4 has only a key: nothing to cite
        Paper(  # the bad DOI is dropped (kept in extra), the text is what is left
            loc=loc,
            year=2018,
            citation_text="A reference with a broken DOI (2018).",
            extra=(("DOI", "not-a-doi"),),
        ),
        Paper(loc=loc, doi="10.1000/xyz.2"),
    ]
    cites = relations(message, "cites")
    assert [r.object for r in cites] == [p.ref for p in cited(message)[:5]]
    assert {(r.subject, r.loc) for r in cites} == {(work.ref, loc)}


def test_message_updated_by_correction(message: list[Record], work: Paper) -> None:
    correction = Paper(loc=Loc(line=5), doi="10.5555/kg.test.2020.099")
    assert correction in cited(message)
    assert relations(message, "corrects") == [
        Relation("corrects", correction.ref, work.ref, loc=Loc(line=5))
    ]


def test_message_citation_counts(message: list[Record], work: Paper) -> None:
    assert counts(message) == [
        CitationCounts(
            paper=work.ref,
            source_name="crossref",
            loc=Loc(line=5),
            cited_by=12,
            references=6,
            date="2024-05-01",
        )
    ]


# ---------------------------------------------------------------------------- other shapes


def test_work_list_page_items_with_their_lines_and_types() -> None:
    records = read("work_list.json")
    assert problems(records) == []
    found = papers(records)
    assert [(p.loc.line, p.doi, p.types) for p in found] == [
        (9, "10.1007/978-3-030-00001-1_7", ("Book Chapter",)),
        (25, "10.31234/osf.io/abcde", ("Preprint",)),
        (37, "10.1145/3300000.3300001", ("Conference Paper",)),
        (46, "10.5061/dryad.abc123", ("Dataset",)),
    ]
    chapter, preprint, proceedings, dataset = found
    assert chapter.book_title == "Handbook of Sleep Medicine"
    assert chapter.journal == Journal(title="Lecture Notes in Sleep", issns=("0302-9743",))
    assert chapter.editors == (
        Person(name="Peter Meyer", family="Meyer", given="Peter", initials="P"),
    )
    assert (chapter.year, chapter.date, chapter.pages) == (2018, "2018", "101-120")
    assert chapter.extra == (
        ("type", "book-chapter"),
        ("ISBN", "9783030000011"),
        ("ISBN", "9783030000028"),
    )
    assert preprint.extra == (
        ("type", "posted-content"),
        ("subtype", "preprint"),
        ("group-title", "Psychiatry"),
    )
    assert preprint.authors[0].affiliations == ("Peking University",)
    assert (preprint.date, preprint.journal) == ("2021 Jun 01", None)
    assert proceedings.book_title == "Proceedings of the 2019 Conference on Sleep Technology"
    assert proceedings.journal is None
    assert (dataset.date, dataset.publisher) == ("2022 Jan 10", "Dryad")  # parts as strings
    assert [(c.paper.doi, c.cited_by, c.references, c.loc.line) for c in counts(records)] == [
        ("10.1007/978-3-030-00001-1_7", 3, 0, 9),
        ("10.31234/osf.io/abcde", 0, None, 25),
    ]


def test_bare_work_with_bom_crlf_and_plain_paragraphs() -> None:
    records = read("bare_work.json")
    assert problems(records) == []
    (thesis,) = papers(records)
    assert thesis.loc == Loc(line=1)
    assert thesis.title == "Sleep loss in shift workers"
    assert thesis.types == ("Thesis",)
    # "Abstract" title dropped, two paragraphs, &amp; &lt; &gt; &#x2010; decoded
    assert thesis.abstract == "First paragraph & more.\nSecond\u2010paragraph: 5 < 6 and 7 > 6."
    # issued is [[null]]: the approval date is used
    assert (thesis.year, thesis.date) == (2017, "2017 Jun 30")
    assert thesis.authors == (
        Person(
            name="Maja Novak",
            family="Novak",
            given="Maja",
            initials="M",
            affiliations=("University of Ljubljana",),
        ),
        Person(name="Plato"),
    )
    assert thesis.extra == (("type", "dissertation"), ("degree", "PhD"))
    assert thesis.journal is None  # container-title is []


def test_json_lines_one_work_per_line() -> None:
    records = read("works.jsonl")
    assert problems(records) == []
    report, book = papers(records)
    assert (report.loc.line, report.types, report.date, report.publisher) == (
        1,
        ("Report",),
        "2020 Dec",
        "Sleep Foundation",
    )
    assert (book.loc.line, book.types, book.book_title) == (2, ("Book",), None)
    assert book.journal == Journal(title="Sleep Series", issns=("2190-5053",))  # the series


def test_broken_works_between_good_ones() -> None:
    records = read("works_array.json")
    assert [
        (type(r).__name__, r.loc.line, r.title if isinstance(r, Paper) else r.message)
        for r in records
        if not isinstance(r, Relation) and not (isinstance(r, Paper) and not r.primary)
    ] == [
        ("Paper", 2, "First good work"),
        ("Problem", 13, "JSON syntax error: Expecting value"),  # "volume": ,
        ("Paper", 16, "Third good work"),
        ("Problem", 23, "cannot read the Crossref work: expected an array, found str"),
        ("Problem", 30, "a Crossref work must be an object, found str"),
        ("Paper", 31, "Last good work"),
        ("Problem", 31, "cannot read reference 2: a reference must be an object, found int"),
    ]
    last = papers(records)[-1]
    assert [r.object for r in relations(records, "cites")] == [
        PaperRef(doi="10.5555/cited.1"),
        PaperRef(title="Kim J. Sleep. 2001.", year=2001),
    ]
    assert {r.subject for r in relations(records)} == {last.ref}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "no JSON value in the text"),
        ('{"DOI": "10.1/x",\n "title": ["A"\n', 3, "JSON syntax error: Expecting ',' delimiter"),
        ('{"DOI": "10.1/x", "title": ["bad\ttab"]}', 1, "JSON syntax error: Invalid control"),
        ("<xml/>", 1, "expected a JSON object or array"),
        ('{"a": 1}', 1, "Crossref work without a DOI or a title"),
        ("\r\r[\r1]", 4, "a Crossref work must be an object, found int"),
    ],
)
def test_problems_carry_the_line_json_reports(text: str, line: int, message: str) -> None:
    records = list(crossref_json.parse(text))
    assert len(records) == 1
    (problem,) = records
    assert isinstance(problem, Problem)
    assert problem.loc.line == line
    assert problem.message.startswith(message)


def test_jats_abstract_helper() -> None:
    assert crossref_json.jats_abstract("<p>Plain HTML &lt;p&gt; paragraph</p>") == (
        "Plain HTML <p> paragraph"  # an escaped tag is text, not markup
    )
    assert crossref_json.jats_abstract("No markup, x<y and z > 1.") == "No markup, x<y and z > 1."
    assert crossref_json.jats_abstract("<jats:title>Abstract</jats:title>") is None


# ---------------------------------------------------------------------------- never raises

FRAGMENTS = [
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\n",
    "\r\n",
    "\ufeff",
    '"',
    "null",
    "1",
    "true",
    '"x"',
    '"DOI"',
    '"10.1000/x"',
    '"message"',
    '"message-type"',
    '"work"',
    '"items"',
    '"title"',
    '["T"]',
    '"author"',
    '"reference"',
    '"date-parts"',
    "[[2020, 13, 40]]",
    '"abstract"',
    '"<jats:p>a &amp; b</jats:p>"',
]

KEYS = [
    "DOI",
    "title",
    "subtitle",
    "author",
    "editor",
    "container-title",
    "short-container-title",
    "ISSN",
    "issn-type",
    "issued",
    "published-online",
    "volume",
    "page",
    "type",
    "subtype",
    "abstract",
    "subject",
    "funder",
    "reference",
    "is-referenced-by-count",
    "reference-count",
    "indexed",
    "license",
    "assertion",
    "relation",
    "updated-by",
    "update-to",
    "URL",
    "given",
    "family",
    "name",
    "ORCID",
    "affiliation",
    "date-parts",
    "award",
    "unstructured",
    "year",
    "article-title",
    "value",
    "group",
]

leaves = (
    st.none()
    | st.booleans()
    | st.integers(-5, 3000)
    | st.sampled_from(["10.1000/x", "a", "<jats:p>x</jats:p>", "print", "correction", ""])
    | st.sampled_from([[[2020, 2, 30]], [[None]], [["1999", "x"]], []])
)
flat = (
    leaves
    | st.lists(leaves, max_size=3)
    | st.dictionaries(st.sampled_from(KEYS), leaves, max_size=4)
)
# two levels deep is enough to reach every field handler (lists of objects of lists)
json_values = flat | st.lists(st.dictionaries(st.sampled_from(KEYS), flat, max_size=4), max_size=3)


def wrapped(work: object, shape: int) -> str:
    """The work as JSON in one of the shapes Crossref serves: bare, list, message, page."""
    return json.dumps(
        [
            work,
            [work, work],
            {"status": "ok", "message-type": "work", "message": work},
            {"message": {"items": [work]}},
        ][shape]
    )


def check(text: str) -> None:
    records = list(crossref_json.parse(text))
    assert all(isinstance(r, RECORD_TYPES) for r in records)
    assert not (crossref_json.sniff(text) and openalex_json.sniff(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_parse_never_raises_on_json_fragments(text: str) -> None:
    check(text)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8).map(
        lambda w: {"DOI": "10.1000/x", **w}
    ),
    st.integers(0, 3),
)
def test_parse_never_raises_on_odd_works(work: dict[str, object], shape: int) -> None:
    check(wrapped(work, shape))


# ---------------------------------------------------------------------------- sniff


@pytest.mark.parametrize(
    "text",
    [
        "",
        '{"a": 1}',
        "[]",
        '{"DOI": "10.1000/x", "title": ["no container"]}',
        '{"message-type": "funder", "message": {"name": "NIH"}}',
        'Crossref said "message-type": "work" in this sentence.',
        '<?xml version="1.0"?><doi_batch>"DOI": "10.1/x" "container-title":</doi_batch>',
        '{"id": "https://openalex.org/W1", "DOI": "10.1/x", "container-title": []}',
    ],
)
def test_sniff_rejects_near_misses(text: str) -> None:
    assert crossref_json.sniff(text) is False


def test_sniff_is_cheap_on_a_huge_text() -> None:
    text = '{"DOI": "10.1000/x", "container-title": ["J"], "x": "' + "a" * 20_000_000 + '"}'
    start = time.perf_counter()
    assert crossref_json.sniff(text) is True
    assert time.perf_counter() - start < 0.05


# ---------------------------------------------------------------------------- real samples


class TestSamples:
    def read(self, name: str) -> list[Record]:
        return list(crossref_json.parse(text_of(SAMPLES / "crossref_json" / name)))

    def test_plos_one_work(self) -> None:
        records = self.read("test_works_with_one_id__10.1371_journal.pone.0033693.json")
        assert problems(records) == []
        (paper,) = papers(records)
        assert paper.loc == Loc(line=1)
        assert paper.doi == "10.1371/journal.pone.0033693"
        assert paper.title == (
            "Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia"
            " in the Basal Ganglia of Mice"
        )
        assert [a.family for a in paper.authors] == [
            "Sadasivan",
            "Pond",
            "Pani",
            "Qu",
            "Jiao",
            "Smeyne",
        ]
        assert paper.authors[1] == Person(
            name="Brooks B. Pond", family="Pond", given="Brooks B.", initials="BB"
        )
        assert all(a.orcid is None and a.affiliations == () for a in paper.authors)
        assert paper.editors == (
            Person(
                name="Cesario V. Borlongan", family="Borlongan", given="Cesario V.", initials="CV"
            ),
        )
        assert paper.journal == Journal(
            title="PLoS ONE", abbreviation="PLoS ONE", issns=("1932-6203",)
        )
        assert (paper.year, paper.date, paper.epub_date) == (2012, "2012 Mar 21", "2012 Mar 21")
        assert (paper.volume, paper.issue, paper.pages) == ("7", "3", "e33693")
        assert paper.types == ("Journal Article",)
        assert paper.publisher == "Public Library of Science (PLoS)"
        assert paper.abstract is None
        assert paper.pmid is None
        assert ("license", "http://creativecommons.org/licenses/by/4.0/") in paper.extra
        # 70 references, 65 with a DOI; the 5 others by author/year/title
        refs = [
            r
            for r in cited(records)
            if r.doi != "10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda"
        ]
        assert len(refs) == 70
        assert sum(1 for r in refs if r.doi) == 65
        assert all(r.title and r.year and r.authors for r in refs if not r.doi)
        assert len(relations(records, "cites")) == 70
        first = refs[0]
        assert (first.doi, first.title, first.year, first.journal, first.authors) == (
            "10.1038/sj.npp.1301164",
            "Stimulants: Therapeutic actions in ADHD.",
            2006,
            Journal(title="Neuropsychopharmacology"),
            (Person(name="AF Arnsten", family="Arnsten", given="AF", initials="AF"),),
        )
        # updated-by: a correction notice corrects this paper
        (correction,) = relations(records, "corrects")
        assert correction.subject == PaperRef(
            doi="10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda"
        )
        assert counts(records) == [
            CitationCounts(
                paper=paper.ref,
                source_name="crossref",
                loc=Loc(line=1),
                cited_by=72,
                references=70,
                date="2026-06-06",
            )
        ]

    def test_journal_of_orthopaedic_research_work(self) -> None:
        records = self.read("test_works_with_many_ids__10.1002_jor.1100150407.json")
        assert problems(records) == []
        (paper,) = papers(records)
        assert paper.doi == "10.1002/jor.1100150407"
        assert len(paper.authors) == 12
        assert paper.authors[8] == Person(
            name="Donald Hora Jr.", family="Hora", given="Donald", initials="D"
        )
        assert paper.journal == Journal(
            title="Journal of Orthopaedic Research",
            abbreviation="Journal Orthopaedic Research",
            issns=("0736-0266", "1554-527X"),
        )
        # issued/print 1997 Jul; the online date is the 2005 backfile
        assert (paper.year, paper.date, paper.epub_date) == (1997, "1997 Jul", "2005 Feb 18")
        assert (paper.volume, paper.issue, paper.pages) == ("15", "4", "519-527")
        abstract = paper.abstract or ""
        assert abstract.startswith("Twenty\u2010two beagles were divided")  # Unicode hyphen kept
        assert "jats" not in abstract
        assert "<jats" not in abstract and "</" not in abstract and "\n" not in abstract
        assert "(p < 0.001)" in abstract and "(p > 0.7)" in abstract  # &lt; &gt; decoded
        assert "105° of knee flexion" in abstract
        assert abstract.endswith("rehabilitation after prolonged inactivity.")
        assert ("received", "1996-11-25") in paper.extra
        refs = cited(records)
        assert len(refs) == 36
        assert sum(1 for r in refs if r.doi) == 28
        assert len(relations(records, "cites")) == 36
        biometry = next(r for r in refs if r.title == "Biometry")
        assert (biometry.year, biometry.authors, biometry.doi) == (
            1981,
            (Person(name="Sokal RR", family="Sokal", initials="RR"),),
            None,
        )
        assert [(c.cited_by, c.references, c.date) for c in counts(records)] == [
            (19, 36, "2026-01-06")
        ]
