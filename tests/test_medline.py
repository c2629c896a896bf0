"""The MEDLINE ("PubMed format", .nbib) extractor: hand-written fixtures and the real samples."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract import medline
from kg.records import (
    Grant,
    Journal,
    Loc,
    MeshHeading,
    Paper,
    Person,
    Record,
    Relation,
)

from .helpers import RECORD_TYPES, SAMPLES, papers, problems, text_of

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "medline"


def read(name: str) -> list[Record]:
    return list(medline.parse(text_of(FIXTURES / name)))


def extra(paper: Paper, key: str) -> list[str]:
    return [value for k, value in paper.extra if k == key]


# ---------------------------------------------------------------------------- full record


@pytest.fixture(scope="module")
def full() -> Paper:
    records = read("full_record.txt")
    assert problems(records) == []
    (paper,) = papers(records)
    return paper


def test_full_record_identifiers_and_location(full: Paper) -> None:
    assert full.loc == Loc(line=3)  # the file starts with two empty lines
    assert full.primary is True
    assert full.pmid == "31234567"
    assert full.doi == "10.1371/journal.pone.0218123"
    assert full.pmcid == "PMC6588123"
    assert extra(full, "pii") == ["PONE-D-19-01234"]  # LID and AID repeat it: kept once


def test_full_record_title_joins_continuation_lines(full: Paper) -> None:
    assert full.title == (
        "Metformin and the gut microbiome in type 2 diabetes: a cohort study in rural clinics."
    )
    assert extra(full, "TT") == ["Metformina y el microbioma intestinal en la diabetes tipo 2."]
    assert extra(full, "SO") == [
        "PLoS One. 2019 Jun 21;14(6):e0218123. doi: 10.1371/journal.pone.0218123. eCollection 2019."
    ]


def test_full_record_journal_linking_issn_first(full: Paper) -> None:
    assert full.journal == Journal(
        title="PloS one", abbreviation="PLoS One", issns=("1932-6203", "0000-000X")
    )


def test_full_record_dates_and_pages(full: Paper) -> None:
    assert (full.date, full.year, full.epub_date) == ("2019 Jun 21", 2019, "2019 Jun 21")
    assert (full.volume, full.issue, full.pages) == ("14", "6", "e0218123")
    assert full.language == "eng"


def test_full_record_authors_in_order_with_orcid_and_affiliations(full: Paper) -> None:
    assert full.authors == (
        Person(
            name="Maria K Lopez",
            family="Lopez",
            given="Maria K",
            initials="MK",
            orcid="0000-0002-1825-0097",
            affiliations=(
                "Department of Medicine, University of Somewhere, Springfield, USA.",
                "Center for Microbiome Research, Springfield, USA.",
            ),
        ),
        Person(
            name="Anna B van der Berg",
            family="van der Berg",
            given="Anna B",
            initials="AB",
            affiliations=("Institute of Microbiology, Utrecht, The Netherlands.",),
        ),
        Person(
            name="Chidi Okafor",
            family="Okafor",
            given="Chidi",
            initials="C",
            orcid="0000-0001-5109-3700",
            affiliations=(
                "Faculty of Medicine, University of Lagos, Lagos, Nigeria. chidi@example.org.",
            ),
        ),
        Person(
            name="Rural Diabetes Microbiome Study Group of the Springfield Clinics Consortium",
            collective=True,
        ),
        Person(name="John R Smith Jr", family="Smith", given="John R", initials="JR"),
    )


def test_full_record_types_mesh_keywords_grants(full: Paper) -> None:
    assert full.types == (
        "Journal Article",
        "Randomized Controlled Trial",
        "Research Support, N.I.H., Extramural",
    )
    assert full.mesh == (
        MeshHeading(
            "Diabetes Mellitus, Type 2",
            major=False,
            qualifiers=(("drug therapy", True), ("metabolism", False)),
        ),
        MeshHeading("Gastrointestinal Microbiome", major=True),
        MeshHeading("Genome, Bacterial", major=True),
        MeshHeading("Humans"),
        MeshHeading("Metformin", qualifiers=(("pharmacology", True), ("therapeutic use", False))),
    )
    assert full.keywords == ("metformin", "gut microbiome", "type 2 diabetes")
    assert full.grants == (
        Grant("P41 GM103484", "GM", "NIGMS NIH HHS", "United States"),
        Grant("MR/K006584/1", "MRC_", "Medical Research Council", "United Kingdom"),
    )


def test_full_record_keeps_unknown_tags_and_conflict_of_interest(full: Paper) -> None:
    assert extra(full, "conflict_of_interest") == [
        "The authors have declared that no competing interests exist."
    ]
    assert extra(full, "RN") == ["9100L32L2N (Metformin)"]
    assert extra(full, "CI") == ["(c) 2019 Lopez et al."]
    assert extra(full, "PHST") == ["2019/01/15 00:00 [received]", "2019/05/28 00:00 [accepted]"]
    assert extra(full, "OWN") == ["NLM"]
    assert full.abstract == (
        "Metformin changes the gut microbiome. We followed 212 adults for two years."
    )


# ---------------------------------------------------------------------------- record splitting


def test_pmid_line_starts_a_record_without_blank_line() -> None:
    records = read("no_blank_lines.txt")
    assert problems(records) == []
    found = papers(records)
    assert [(p.pmid, p.loc.line, p.date) for p in found] == [
        ("30000001", 1, "2018 Feb"),
        ("30000002", 6, "2018 Mar"),
        ("30000003", 11, "2018 Apr"),
    ]
    assert [p.authors for p in found[:2]] == [
        (Person(name="Sara Ahmed", family="Ahmed", given="Sara", initials="S"),),
        (Person(name="Tom Berg", family="Berg", given="Tom", initials="T"),),
    ]


def test_crlf_bom_and_trailing_spaces() -> None:
    records = read("crlf_bom.nbib")
    assert problems(records) == []
    first, second = papers(records)
    assert first.loc == Loc(line=2)
    assert first.title == "Café workers and sleep: a survey of night shifts in São Paulo."
    assert first.authors == (
        Person(
            name="João Gonçalves",
            family="Gonçalves",
            given="João",
            initials="J",
            affiliations=("Universidade de São Paulo, São Paulo, Brazil.",),
        ),
    )
    assert (first.date, first.year, first.language) == ("2016 Spring", 2016, "por")
    assert first.journal == Journal(abbreviation="Rev Saude Publica")
    assert (second.loc.line, second.pmid) == (15, "27000002")
    assert (second.date, second.year, second.epub_date) == ("2016 Dec-2017 Jan", 2016, "2016 Nov")


def test_cr_only_line_endings() -> None:
    text = "PMID- 1\rTI  - Old Mac file.\r\rPMID- 2\rTI  - Second\r      part."
    found = papers(list(medline.parse(text)))
    assert [(p.pmid, p.title, p.loc.line) for p in found] == [
        ("1", "Old Mac file.", 1),
        ("2", "Second part.", 4),
    ]


# ---------------------------------------------------------------------------- old-style records


def test_old_style_affiliation_before_authors_goes_to_first_author() -> None:
    records = read("old_style.txt")
    assert problems(records) == []
    (paper,) = papers(records)
    assert paper.authors == (
        Person(
            name="Jones PQ",
            family="Jones",
            initials="PQ",
            affiliations=("Department of Geriatrics, General Hospital, Boston, MA 02114, USA.",),
        ),
        Person(name="Miller A", family="Miller", initials="A"),
        Person(name="de la Cruz JM", family="de la Cruz", initials="JM"),
    )
    assert paper.doi == "10.1056/nejm199612123352401"
    assert paper.journal == Journal(
        title="The New England journal of medicine",
        abbreviation="N Engl J Med",
        issns=("0028-4793",),
    )
    assert paper.types == ("Clinical Trial", "Journal Article")


def test_inline_abstract_labels_become_paragraphs() -> None:
    (paper,) = papers(read("old_style.txt"))
    assert paper.abstract == (
        "BACKGROUND: Little is known about insulin in the elderly.\n"
        "METHODS: We studied 300 patients (OR: 1.2, 95% CI: 0.9-1.6) in three centres.\n"
        "RESULTS: 120 patients improved; P: 0.03 for the trend.\n"
        "MATERIALS AND METHODS: repeated for clarity.\n"
        "CONCLUSIONS: Insulin is safe."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No labels here. Just text.", "No labels here. Just text."),
        ("Intro text. AVAILABILITY: at x.", "Intro text.\nAVAILABILITY: at x."),
        ("Risk (HR: 1.2). Then P: 0.05 held.", "Risk (HR: 1.2). Then P: 0.05 held."),
        ("DIAGNOSIS/TESTING:  A test.", "DIAGNOSIS/TESTING: A test."),
        ("", None),
    ],
)
def test_structured_abstract(text: str, expected: str | None) -> None:
    assert medline.structured_abstract(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20201005", "2020 Oct 05"), ("20191200", "2019 Dec"), ("20191301", None), ("2019", None)],
)
def test_compact_date(text: str, expected: str | None) -> None:
    assert medline.compact_date(text) == expected


# ---------------------------------------------------------------------------- books


def test_book_chapter_and_whole_book() -> None:
    records = read("book.txt")
    assert problems(records) == []
    chapter, book = papers(records)
    assert chapter.title == "Rare Syndrome 2."
    assert chapter.types == ("Review", "Book Chapter")
    assert chapter.book_title == "GeneNotes(R)"
    assert chapter.publisher == "University of Somewhere Press, Springfield"
    assert chapter.journal is None
    assert (chapter.date, chapter.year) == ("2010", 2010)
    assert chapter.editors == (
        Person(name="Margaret P Adam", family="Adam", given="Margaret P", initials="MP"),
        Person(name="Lora JH Bean", family="Bean", given="Lora JH", initials="LJH"),
    )
    assert chapter.authors == (
        Person(
            name="Carla LM Marcel",
            family="Marcel",
            given="Carla LM",
            initials="CLM",
            affiliations=(
                "Department of Genetics, University Hospital, Nijmegen, The Netherlands",
            ),
        ),
    )
    assert chapter.keywords == ("Rare Syndrome 2",)
    assert (
        chapter.abstract
        == "SUMMARY: Rare syndrome 2 is rare.\nDIAGNOSIS/TESTING: A gene test confirms it."
    )
    assert extra(chapter, "CTI") == ["GeneNotes Collection"]
    assert extra(chapter, "ISBN") == ["978-0-00-000000-2"]
    assert extra(chapter, "bookaccession") == ["NBK9999"]
    assert chapter.doi is None
    # A whole book: its BTI is its title.
    assert (book.title, book.book_title, book.types) == ("Guidelines for Things", None, ("Book",))
    assert book.doi == "10.17226/99999"
    assert book.editors == (Person(name="Smith JA", family="Smith", initials="JA"),)


# ---------------------------------------------------------------------------- links


def test_comment_and_correction_links_become_relations() -> None:
    records = read("links.txt")
    assert problems(records) == []
    trial, notice = papers(records)
    rels = [r for r in records if isinstance(r, Relation)]
    listed = {p.loc.line: p for p in records if isinstance(p, Paper) and not p.primary}
    assert listed[5] == Paper(
        loc=Loc(line=5),
        pmid="32000002",
        citation_text="Lancet. 2020 Feb 1;395(10221):333-4.",
        journal=Journal(abbreviation="Lancet"),
        year=2020,
    )
    assert listed[6] == Paper(
        loc=Loc(line=6), citation_text="Editorial comment in a local newsletter."
    )
    assert [(r.kind, r.subject, r.object, r.loc.line) for r in rels] == [
        ("discusses", listed[5].ref, trial.ref, 5),
        ("discusses", listed[6].ref, trial.ref, 6),
        ("corrects", listed[7].ref, trial.ref, 7),
        ("updates", trial.ref, listed[8].ref, 8),
        ("retracts", notice.ref, listed[14].ref, 14),
        ("discusses", notice.ref, listed[15].ref, 15),
    ]
    assert extra(trial, "CRI") == ["Lancet. 2021 Jan 1;397(1):10. PMID: 33000005"]


# ---------------------------------------------------------------------------- problems


def test_broken_record_between_good_ones() -> None:
    records = read("broken.txt")
    assert [type(r).__name__ for r in records] == [
        "Paper",
        "Problem",
        "Paper",
        "Problem",
        "Problem",
        "Paper",
    ]
    first, second, third = papers(records)
    assert (first.pmid, first.loc.line) == ("29000001", 1)
    assert (second.pmid, second.date, second.loc.line) == ("29000002", "2017 Dec", 8)
    assert [(p.loc.line, p.message) for p in problems(records)] == [
        (5, "text that is not a MEDLINE record (no TAG - lines)"),
        (10, "line is neither a MEDLINE field nor a continuation line"),
        (13, "MEDLINE record without a PMID, DOI, PMC id or title"),
    ]
    # Invalid values are dropped from the fields and kept as printed.
    assert third.pmid is None
    assert third.title == "A record whose PMID is garbage."
    assert third.epub_date is None
    assert third.journal is None
    assert third.doi is None
    assert third.extra == (
        ("PMID", "not-a-number"),
        ("DEP", "20171345"),
        ("IS", "not an issn"),
        ("AUID", "ORCID: 0000-0002-1825-0098"),
        ("LID", "10.1/too-short [doi]"),
    )


def test_au_pairs_with_its_fau_by_family_name() -> None:
    text = "\n".join(
        [
            "PMID- 5",
            "TI  - Grouped author lines.",
            "FAU - Alpha, Ann",
            "FAU - Beta, Ben",
            "AU  - Alpha A",
            "AU  - Beta B",
            "AU  - Gamma C",
            "AU  - Plato",
        ]
    )
    (paper,) = papers(list(medline.parse(text)))
    assert [(a.family, a.given, a.initials) for a in paper.authors] == [
        ("Alpha", "Ann", "A"),
        ("Beta", "Ben", "B"),
        ("Gamma", None, "C"),
        ("Plato", None, None),
    ]


def test_second_orcid_for_one_author_is_kept_in_extra() -> None:
    text = "PMID- 6\nTI  - T.\nFAU - Alpha, Ann\nAU  - Alpha A\n" + (
        "AUID- ORCID: 0000-0002-1825-0097\nAUID- ORCID: 0000-0001-5109-3700\nAUID- ISNI: 1234\n"
    )
    (paper,) = papers(list(medline.parse(text)))
    assert paper.authors[0].orcid == "0000-0002-1825-0097"
    assert extra(paper, "AUID") == ["ORCID: 0000-0001-5109-3700", "ISNI: 1234"]


def test_empty_text() -> None:
    assert list(medline.parse("")) == []
    assert list(medline.parse("\ufeff\n\n  \n")) == []


TAGS = ["PMID", "TI", "AB", "FAU", "AU", "AD", "AUID", "CN", "LID", "AID", "IS", "DP", "DEP"]
TAGS += ["MH", "OT", "GR", "PT", "ED", "FED", "BTI", "CIN", "ROF", "PMC", "LA", "TA", "XYZ"]
FRAGMENTS = [
    "ORCID: 0000-0002-1825-0097",
    "10.1/x [doi]",
    "[pii]",
    "*",
    "/",
    "/*a/b",
    "PMID: 12",
    "1234-567X (Linking)",
    "20201301",
    "Lopez, Maria K",
    "Lopez MK",
    ",",
    "BACKGROUND: x. RESULTS: y",
    "",
]


@st.composite
def medline_texts(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["tag", "tag", "tag", "continuation", "blank", "noise"]))
        if kind == "tag":
            tag = draw(st.sampled_from(TAGS))
            value = draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=15)))
            lines.append(f"{tag:<4}- {value}")
        elif kind == "continuation":
            lines.append(
                "      " + draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=10)))
            )
        elif kind == "blank":
            lines.append("")
        else:
            lines.append(draw(st.text(max_size=20)))
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


def check_records(text: str) -> None:
    for record in medline.parse(text):
        assert isinstance(record, RECORD_TYPES)
        assert record.loc.line >= 1
    medline.sniff(text)


@settings(max_examples=200, deadline=None)
@given(medline_texts())
def test_parse_never_raises_on_medline_like_text(text: str) -> None:
    check_records(text)


# ---------------------------------------------------------------------------- sniff


@pytest.mark.parametrize(
    "text",
    [
        "TY  - JOUR\nAN  - 31234567\nTI  - A RIS record\nAU  - Lopez, Maria\nER  - \n",
        "TY  - JOUR\nTI  - RIS with a note\nN1  - PMID- 31234567\nER  - \n",
        "Some title\n- PMID: 31234567\n- DOI: 10.1/x\n",
        "PMID: 31234567\nTI  - looks close\n",
        "PMID- 31234567\n",
        "Notes from the meeting\nPMID- 31234567\nTI  - pasted below prose\n",
        "PMID- abc\nTI  - not a number\n",
        '{"PMID- 1": "TI  - x"}',
        "",
    ],
)
def test_sniff_rejects_near_misses(text: str) -> None:
    assert not medline.sniff(text)


# ---------------------------------------------------------------------------- real samples


class TestSamples:
    def read(self, name: str) -> list[Record]:
        text = text_of(SAMPLES / "medline" / name)
        assert medline.sniff(text)
        records = list(medline.parse(text))
        assert problems(records) == []
        return records

    def test_pubmed_result2(self) -> None:
        found = papers(self.read("pubmed_result2.txt"))
        assert [p.pmid for p in found] == ["16403221", "16377612", "14871861", "14630660"]
        assert [p.doi for p in found] == [
            "10.1186/1471-2105-7-10",
            "10.1093/bioinformatics/btk021",
            "10.1093/bioinformatics/bth078",
            None,
        ]
        assert [p.pmcid for p in found] == ["PMC1373603", None, None, None]
        assert sum(len(p.authors) for p in found) == 13
        assert sum(len(p.mesh) for p in found) == 34
        # the one old-style AD of each record is its first author's
        assert [[len(a.affiliations) for a in p.authors] for p in found] == [
            [1, 0, 0],
            [1, 0, 0, 0],
            [1, 0, 0, 0],
            [1, 0],
        ]
        hoon = found[2].authors[0]
        assert (hoon.name, hoon.family, hoon.given, hoon.initials) == (
            "M J L de Hoon",
            "de Hoon",
            "M J L",
            "MJ",
        )
        assert found[0].abstract is not None
        assert [line.split(":")[0] for line in found[0].abstract.split("\n")] == [
            "BACKGROUND",
            "RESULTS",
            "CONCLUSION",
        ]
        assert found[3].mesh[3] == MeshHeading(
            "Information Storage and Retrieval",
            qualifiers=(("methods", True), ("standards", True)),
        )
        assert (found[1].date, found[1].epub_date, found[1].pages) == (
            "2006 Mar 1",
            "2005 Dec 23",
            "616-7",
        )
        assert extra(found[3], "RN") == ["0 (Macromolecular Substances)"]

    def test_marcelis_book_chapter(self) -> None:
        (paper,) = papers(self.read("marcelis-20301770.nbib"))
        assert paper.pmid == "20301770"
        assert paper.types == ("Review", "Book Chapter")
        assert paper.title == "Feingold Syndrome 1."
        assert paper.book_title == "GeneReviews(®)"
        assert paper.publisher == "University of Washington, Seattle"
        assert (paper.doi, paper.journal, paper.mesh) == (None, None, ())
        assert len(paper.editors) == 8
        assert paper.editors[4] == Person(
            name="Lora JH Bean", family="Bean", given="Lora JH", initials="LJH"
        )
        assert [(a.family, a.initials) for a in paper.authors] == [
            ("Marcelis", "CLM"),
            ("de Brouwer", "APM"),
        ]
        assert paper.authors[1].affiliations == (
            "Assistant Professor, Department of Human Genetics, Radboud University Nijmegen "
            "Medical Center, Nijmegen, The Netherlands",
        )
        assert paper.keywords == (
            "Oculodigitoesophagoduodenal Syndrome",
            "ODED Syndrome",
            "N-myc proto-oncogene protein",
            "MYCN",
            "Feingold Syndrome 1",
        )
        assert extra(paper, "bookaccession") == ["NBK7050"]
        assert paper.abstract is not None
        assert paper.abstract.split("\n")[1].startswith("DIAGNOSIS/TESTING: The diagnosis")

    def test_demo_pubmed_202101(self) -> None:
        records = self.read("demo_pubmed_202101.nbib")
        found = papers(records)
        assert len(found) == 10
        assert (found[0].pmid, found[-1].pmid) == ("33465792", "33464845")
        people = [a for p in found for a in p.authors]
        assert len(people) == 75  # 74 FAU/AU pairs and one CN
        assert sum(len(a.affiliations) for a in people) == 86
        assert sum(1 for a in people if a.orcid) == 14
        assert sum(len(p.keywords) for p in found) == 33
        assert all(p.mesh == () for p in found)
        assert all(p.doi for p in found)
        assert sum(1 for p in found if extra(p, "conflict_of_interest")) == 5
        letter = next(p for p in found if p.pmid == "33465338")
        assert letter.types == ("Letter",)
        assert letter.abstract is None
        assert letter.authors[-1] == Person(
            name="COVID-19 Working Group of The Cancer Institute Hospital of Japanese "
            "Foundation for Cancer Research",
            collective=True,
        )
        first = found[0]
        assert extra(first, "TT") == [
            "Avaliação da mudança do esquema hormonioterápico em mulheres com câncer de mama."
        ]
        assert first.journal is not None
        assert first.journal.issns == ("0100-7203", "1806-9339")
        assert first.abstract is not None
        assert first.abstract.split("\n")[1].startswith(
            "METHODS: This was a retrospective cross-sectional study"
        )
        assert first.authors[0] == Person(
            name="Luana Moreira de Medeiros",
            family="de Medeiros",
            given="Luana Moreira",
            initials="LM",
            orcid="0000-0002-3770-1404",
            affiliations=(
                "Faculty of Pharmaceutical Sciences, Universidade de Campinas (Unicamp), "
                "Campinas, SP, Brazil.",
            ),
        )
        second = found[1]
        assert extra(second, "pii") == ["S1120-1797(20)30326-4"]
        assert second.doi == "10.1016/j.ejmp.2020.12.011"

    def test_kolmogorov2020(self) -> None:
        (paper,) = papers(self.read("pubmed_Kolmogorov2020.txt"))
        assert paper.loc == Loc(line=2)
        assert paper.pmid == "33020656"
        assert paper.doi == "10.1038/s41592-020-00971-x"
        assert paper.journal == Journal(
            title="Nature methods", abbreviation="Nat Methods", issns=("1548-7091", "1548-7105")
        )
        assert [a.family for a in paper.authors] == [
            "Kolmogorov",
            "Bickhart",
            "Behsaz",
            "Gurevich",
            "Rayko",
            "Shin",
            "Kuhn",
            "Yuan",
            "Polevikov",
            "Smith",
            "Pevzner",
        ]
        assert [a.orcid for a in paper.authors if a.orcid] == [
            "0000-0002-5489-9045",
            "0000-0002-3737-1521",
            "0000-0003-3855-1994",
            "0000-0003-1611-6828",
            "0000-0002-0418-165X",
        ]
        assert sum(len(a.affiliations) for a in paper.authors) == 13
        assert paper.authors[-1].affiliations == (
            "Department of Computer Science and Engineering, University of California, San "
            "Diego, CA, USA. ppevzner@ucsd.edu.",
            "Center for Microbiome Innovation, University of California, San Diego, CA, USA. "
            "ppevzner@ucsd.edu.",
        )
        assert len(paper.mesh) == 14
        assert paper.mesh[4] == MeshHeading("Genome, Bacterial", qualifiers=(("genetics", True),))
        assert paper.grants == (Grant("P41 GM103484", "GM", "NIGMS NIH HHS", "United States"),)
        assert len(paper.types) == 4
        assert (paper.date, paper.year, paper.epub_date) == ("2020 Nov", 2020, "2020 Oct 05")
        assert (paper.volume, paper.issue, paper.pages) == ("17", "11", "1103-1110")
        assert extra(paper, "SO") == [
            "Nat Methods. 2020 Nov;17(11):1103-1110. doi: 10.1038/s41592-020-00971-x. Epub "
            "2020 Oct 5."
        ]
