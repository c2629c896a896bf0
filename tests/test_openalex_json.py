"""The OpenAlex work JSON extractor: hand-written fixtures and the real sample."""

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
    MeshHeading,
    Paper,
    PaperRef,
    Person,
    Problem,
    Record,
    Relation,
)

from .helpers import RECORD_TYPES, SAMPLES, counts, papers, problems, relations, text_of

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "openalex_json"


def read(name: str) -> list[Record]:
    return list(openalex_json.parse(text_of(FIXTURES / name)))


def listed(records: list[Record]) -> list[Paper]:
    return [r for r in records if isinstance(r, Paper) and not r.primary]


# ---------------------------------------------------------------------------- one work


@pytest.fixture(scope="module")
def records() -> list[Record]:
    found = read("work.json")
    assert problems(found) == []
    return found


@pytest.fixture(scope="module")
def work(records: list[Record]) -> Paper:
    (paper,) = papers(records)
    return paper


def test_work_identifiers_from_urls(work: Paper) -> None:
    assert work.loc == Loc(line=1)
    assert work.primary is True
    assert work.openalex == "W3100000001"
    assert work.doi == "10.1038/s41467-021-24000-1"
    assert work.pmid == "34244000"  # from ".../34244000/"
    assert work.pmcid == "PMC8270000"  # the PMC URL lacks the prefix


def test_work_title_type_dates(work: Paper) -> None:
    assert work.title == "Sleep spindles & memory: a review"  # <i> and &amp; cleaned
    assert work.types == ("Review",)
    assert (work.year, work.date) == (2021, "2021 Jul 09")
    assert work.language == "en"


def test_work_source_journal_issn_l_first_and_publisher(work: Paper) -> None:
    assert work.journal == Journal(title="Nature Communications", issns=("2041-1723", "1554-527X"))
    assert work.publisher == "Nature Portfolio"
    assert (work.volume, work.issue, work.pages) == ("12", "1", "4123-4135")


def test_work_authorships(work: Paper) -> None:
    assert work.authors == (
        Person(  # raw affiliation strings preferred to the institution
            name="Zoë van der Berg",
            family="van der Berg",
            given="Zoë",
            initials="Z",
            orcid="0000-0002-1825-0097",
            affiliations=(
                "Department of Psychology, Utrecht University, Utrecht, The Netherlands",
                "Sleep Lab, UMC Utrecht",
            ),
        ),
        Person(  # no raw strings: the institutions' names
            name="Kenji Sato",
            family="Sato",
            given="Kenji",
            initials="K",
            affiliations=("University of Tokyo", "RIKEN"),
        ),
        Person(
            name="Jevin D. West",
            family="West",
            given="Jevin D.",
            initials="JD",
            orcid="0000-0002-4118-0322",
        ),
    )


def test_work_abstract_rebuilt_from_inverted_index(work: Paper) -> None:
    assert work.abstract == "Sleep is vital. We review Sleep spindles and memory."


def test_work_mesh_grouped_per_descriptor(work: Paper) -> None:
    assert work.mesh == (
        MeshHeading("Sleep", major=True, qualifiers=(("physiology", False),), ui="D012890"),
        MeshHeading("Humans", major=False, ui="D006801"),
        MeshHeading(
            "Memory",
            major=False,
            qualifiers=(("drug effects", True), ("physiology", False)),
            ui="D008568",
        ),
    )


def test_work_keywords_grants_open_access(work: Paper) -> None:
    assert work.keywords == ("Sleep spindle", "Memory consolidation")
    assert work.grants == (
        Grant(identifier="R01 MH123456", agency="National Institutes of Health"),
        Grant(agency="Wellcome Trust"),
    )
    assert work.free_full_text is True


def test_work_extra_has_short_facts_and_no_noise(work: Paper) -> None:
    assert work.extra == (
        ("type", "review"),
        ("type_crossref", "journal-article"),
        ("mag", "3100000001"),
        ("oa_status", "gold"),
        ("license", "cc-by"),
    )


def test_work_referenced_and_related_works(records: list[Record], work: Paper) -> None:
    loc = Loc(line=1)
    assert listed(records) == [
        Paper(loc=loc, openalex=w)
        for w in ("W2000000001", "W2000000002", "W123", "W2900000009", "W2900000008")
    ]
    assert relations(records, "cites") == [
        Relation("cites", work.ref, PaperRef(openalex=w), loc=loc)
        for w in ("W2000000001", "W2000000002", "W123")
    ]
    assert relations(records, "similar") == [
        Relation("similar", work.ref, PaperRef(openalex="W2900000009"), loc=loc, rank=1),
        Relation("similar", work.ref, PaperRef(openalex="W2900000008"), loc=loc, rank=2),
    ]


def test_work_citation_counts(records: list[Record], work: Paper) -> None:
    assert counts(records) == [
        CitationCounts(
            paper=work.ref,
            source_name="openalex",
            loc=Loc(line=1),
            cited_by=17,
            references=3,
            date="2024-03-02",
        )
    ]


# ---------------------------------------------------------------------------- other shapes


def test_results_page_with_null_locations() -> None:
    found = read("results_page.json")
    letter, erratum, preprint = papers(found)
    assert [p.loc.line for p in (letter, erratum, preprint)] == [4, 21, 38]
    # primary_location null; a single page; null abstract; not open access
    assert (letter.openalex, letter.doi, letter.journal, letter.types) == (
        "W4200000001",
        None,
        None,
        ("Letter",),
    )
    assert (letter.volume, letter.issue, letter.pages, letter.abstract) == (
        "400",
        None,
        "e101",
        None,
    )
    assert letter.free_full_text is False
    assert letter.extra == (("type", "letter"), ("oa_status", "closed"))
    # source null; title null so display_name; the raw author name "Lind, Anna"
    assert (erratum.title, erratum.journal, erratum.types) == (
        "Correction to: Sleep and mood",
        None,
        ("Published Erratum",),
    )
    assert erratum.authors == (
        Person(
            name="Lind, Anna",
            family="Lind",
            given="Anna",
            initials="A",
            affiliations=("Karolinska Institutet",),
        ),
    )
    assert (erratum.date, erratum.pages) == ("2023 Jan 15", None)
    # a repository source: journal title, no ISSN, and its host is no publisher
    assert preprint.journal == Journal(title="bioRxiv (Cold Spring Harbor Laboratory)")
    assert (preprint.year, preprint.date, preprint.publisher) == (2024, None, None)
    assert preprint.types == ("Preprint",)
    # an author ID in referenced_works is a Problem; a bare W ID is fine
    assert problems(found) == [
        Problem(
            "not an OpenAlex work ID in the cites list: 'https://openalex.org/A5000000001'",
            Loc(line=38),
        )
    ]
    assert [(r.kind, r.object.openalex, r.rank) for r in relations(found)] == [
        ("cites", "W2000000001", None),
        ("similar", "W2900000009", 1),
    ]
    assert [(c.paper.openalex, c.cited_by, c.references, c.date) for c in counts(found)] == [
        ("W4200000001", 0, None, None),
        ("W4200000002", 1, None, None),
    ]


def test_json_lines_with_crlf_and_a_broken_line() -> None:
    found = read("works.jsonl")
    assert [
        (type(r).__name__, r.loc.line, r.title if isinstance(r, Paper) else r.message)
        for r in found
        if not isinstance(r, CitationCounts)
    ] == [
        ("Paper", 1, "First line work"),
        ("Paper", 2, "Second line work"),
        ("Problem", 3, "JSON syntax error: expected a property name"),  # trailing comma
        ("Paper", 4, "Fourth line work"),
    ]
    assert [p.types for p in papers(found)] == [("Book",), ("Thesis",), ("Report",)]


def test_list_with_broken_works_between_good_ones() -> None:
    found = read("works_list.json")
    assert [
        (type(r).__name__, r.loc.line, r.title if isinstance(r, Paper) else r.message)
        for r in found
    ] == [
        ("Paper", 2, "Good one"),
        ("Problem", 3, "JSON syntax error: Expecting ',' delimiter"),
        ("Paper", 4, "Good two"),
        ("Problem", 5, "cannot read the OpenAlex work: expected an array, found dict"),
        ("Problem", 6, "OpenAlex work without an ID, a DOI or a title"),
        ("Paper", 7, "Good three"),
    ]
    assert [p.types for p in papers(found)] == [
        ("Journal Article",),
        ("Book Chapter",),
        ("Editorial",),
    ]


@pytest.mark.parametrize(
    ("index", "text"),
    [
        (None, None),
        ({}, None),
        ({"b": [1], "a": [0], "c": [3]}, "a b c"),  # position 2 missing: the gap is closed
        ({"x": "0", "y": [True, -1, 0]}, "y"),  # odd positions ignored
    ],
)
def test_inverted_abstract(index: object, text: str | None) -> None:
    assert openalex_json.inverted_abstract(index) == text


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "no JSON value in the text"),
        ('{"results": [\n{"id": "https://openalex.org/W1"\n', 3, "JSON syntax error: Expecting"),
        ('{"meta": {}, "results": [{"id": 5, "title": []}]}', 1, "OpenAlex work without"),
        ('\ufeff\r\n[{"title": "x", "authorships": 7}]', 2, "cannot read the OpenAlex work"),
    ],
)
def test_problems_carry_the_line_json_reports(text: str, line: int, message: str) -> None:
    found = list(openalex_json.parse(text))
    assert len(found) == 1
    (problem,) = found
    assert isinstance(problem, Problem)
    assert problem.loc.line == line
    assert problem.message.startswith(message)


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
    "\r",
    "\ufeff",
    '"',
    "null",
    "0",
    "false",
    '"id"',
    '"https://openalex.org/W1"',
    '"results"',
    '"meta"',
    '"title"',
    '"authorships"',
    '"abstract_inverted_index"',
    '{"a": [0, 2]}',
    '"referenced_works"',
    '["W1", "x"]',
]

KEYS = [
    "id",
    "doi",
    "ids",
    "pmid",
    "pmcid",
    "openalex",
    "title",
    "display_name",
    "publication_year",
    "publication_date",
    "type",
    "primary_location",
    "source",
    "issn_l",
    "issn",
    "host_organization",
    "biblio",
    "first_page",
    "last_page",
    "authorships",
    "author",
    "orcid",
    "institutions",
    "raw_affiliation_strings",
    "abstract_inverted_index",
    "referenced_works",
    "related_works",
    "cited_by_count",
    "updated_date",
    "mesh",
    "descriptor_name",
    "qualifier_name",
    "is_major_topic",
    "keywords",
    "grants",
    "open_access",
    "is_oa",
]

leaves = (
    st.none()
    | st.booleans()
    | st.integers(-5, 3000)
    | st.sampled_from(["https://openalex.org/W12", "W3", "2020-02-30", "x", ""])
    | st.sampled_from([["W1", 5], {"a": [0]}, []])
)
flat = (
    leaves
    | st.lists(leaves, max_size=3)
    | st.dictionaries(st.sampled_from(KEYS), leaves, max_size=4)
)
json_values = flat | st.lists(st.dictionaries(st.sampled_from(KEYS), flat, max_size=4), max_size=3)


def wrapped(work: object, shape: int) -> str:
    """The work as JSON in one of the shapes OpenAlex serves: work, list, page, JSON Lines."""
    if shape == 3:
        return json.dumps(work) + "\n" + json.dumps(work)
    return json.dumps([work, [work, work], {"meta": {}, "results": [work]}][shape])


def check(text: str) -> None:
    found = list(openalex_json.parse(text))
    assert all(isinstance(r, RECORD_TYPES) for r in found)
    assert not (crossref_json.sniff(text) and openalex_json.sniff(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_parse_never_raises_on_json_fragments(text: str) -> None:
    check(text)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8).map(
        lambda w: {"id": "https://openalex.org/W1", **w}
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
        '{"id": "https://openalex.org/A5023888391", "display_name": "Jason Priem"}',
        '{"meta": {"count": 0}, "results": []}',
        '{"id": "W2741809807", "title": "a bare ID is not enough"}',
        'see "id": "https://openalex.org/W2741809807" in this text',
        '<work id="https://openalex.org/W2741809807"/>',
    ],
)
def test_sniff_rejects_near_misses(text: str) -> None:
    assert openalex_json.sniff(text) is False


def test_sniff_accepts_escaped_slashes() -> None:
    assert openalex_json.sniff('{"id":"https:\\/\\/openalex.org\\/W2741809807"}') is True


def test_sniff_is_cheap_on_a_huge_text() -> None:
    text = '{"id": "https://openalex.org/W1", "x": "' + "a" * 20_000_000 + '"}'
    start = time.perf_counter()
    assert openalex_json.sniff(text) is True
    assert time.perf_counter() - start < 0.05


# ---------------------------------------------------------------------------- real sample


@pytest.fixture(scope="module")
def found() -> list[Record]:
    """The records of the real OpenAlex sample (read once)."""
    return list(openalex_json.parse(text_of(SAMPLES / "openalex_json" / "W2741809807.json")))


class TestSample:
    def test_no_problems_one_paper(self, found: list[Record]) -> None:
        assert problems(found) == []
        assert len(papers(found)) == 1

    def test_identifiers(self, found: list[Record]) -> None:
        (paper,) = papers(found)
        assert (paper.openalex, paper.pmid, paper.pmcid, paper.doi) == (
            "W2741809807",
            "29456894",
            "PMC5815332",
            "10.7717/peerj.4375",
        )
        assert paper.title == (
            "The state of OA: a large-scale analysis of the prevalence and impact of Open Access"
            " articles"
        )
        assert (paper.year, paper.date, paper.types) == (2018, "2018 Feb 13", ("Journal Article",))
        assert paper.journal == Journal(title="PeerJ", issns=("2167-8359",))
        assert (paper.volume, paper.issue, paper.pages) == ("6", None, "e4375")
        assert paper.publisher == "PeerJ, Inc."
        assert paper.free_full_text is True
        assert paper.mesh == () and paper.grants == ()
        assert paper.keywords == (
            "Scholarly Communication",
            "Web of science",
            "Open Science",
            "Citation analysis",
        )
        assert paper.extra == (
            ("type", "article"),
            ("type_crossref", "journal-article"),
            ("mag", "2741809807"),
            ("oa_status", "gold"),
            ("license", "cc-by"),
        )

    def test_authors(self, found: list[Record]) -> None:
        (paper,) = papers(found)
        assert len(paper.authors) == 9
        assert all(a.orcid for a in paper.authors)
        assert [a.family for a in paper.authors] == [
            "Piwowar",
            "Priem",
            "Larivière",
            "Alperín",
            "Matthias",
            "Norlander",
            "Farley",
            "West",
            "Haustein",
        ]
        assert paper.authors[3] == Person(
            name="Juan Pablo Alperín",
            family="Alperín",
            given="Juan Pablo",
            initials="JP",
            orcid="0000-0002-9344-7439",
            affiliations=(
                "Canadian Institute for Studies in Publishing, Simon Fraser University,"
                " Vancouver, BC, Canada",
                "Public Knowledge Project, Canada",
            ),
        )
        assert paper.authors[0].affiliations == ("Impactstory, Sanford, NC, USA",)

    def test_abstract(self, found: list[Record]) -> None:
        (paper,) = papers(found)
        abstract = paper.abstract or ""
        # 167 distinct words in the index, at 258 positions (0-257, no gaps)
        assert len(abstract.split(" ")) == 258
        assert len(set(abstract.split(" "))) == 167
        assert abstract.startswith("Despite growing interest in Open Access (OA) to scholarly")
        assert abstract.endswith("as a way to inform OA policy and practice.")

    def test_cited_and_similar(self, found: list[Record]) -> None:
        (paper,) = papers(found)
        cites = relations(found, "cites")
        similar = relations(found, "similar")
        assert len(cites) == 45
        assert len(similar) == 10
        assert cites[0].object == PaperRef(openalex="W1560783210")
        assert [r.rank for r in similar] == list(range(1, 11))
        assert similar[-1].object == PaperRef(openalex="W203102807")
        assert {r.subject for r in cites + similar} == {paper.ref}
        assert len(listed(found)) == 55

    def test_counts(self, found: list[Record]) -> None:
        (paper,) = papers(found)
        assert counts(found) == [
            CitationCounts(
                paper=paper.ref,
                source_name="openalex",
                loc=Loc(line=1),
                cited_by=962,
                references=45,
                date="2025-06-11",
            )
        ]
