"""The RIS extractor: hand-written fixtures (one quirk each or a few) and the real samples."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract import ris
from kg.records import Journal, Loc, Paper, Person, Problem, Record

from .helpers import SAMPLES, papers, problems

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "ris"
RECORD_TYPES = (Paper, Problem)


def read(name: str) -> list[Record]:
    return list(ris.parse((FIXTURES / name).read_text(encoding="utf-8")))


def person(name: str, family: str, given: str, initials: str, *affiliations: str) -> Person:
    return Person(name, family, given, initials, affiliations=affiliations)


# ---------------------------------------------------------------------------- Zotero


def test_zotero_record_exact() -> None:
    records = read("zotero.ris")
    assert not problems(records)
    first = papers(records)[0]
    assert first == Paper(
        loc=Loc(line=1),
        primary=True,
        title="Fecal calprotectin as a marker of mucosal healing in pediatric Crohn disease: "
        "a prospective cohort.",
        doi="10.1097/mpg.0000000000002451",
        journal=Journal(
            title="Journal of pediatric gastroenterology and nutrition",
            abbreviation="J Pediatr Gastroenterol Nutr",
            issns=("1536-4801", "0277-2116"),  # two ISSNs in one SN field
        ),
        year=2019,
        date="2019 Oct",  # DA  - 2019/10//undefined
        volume="69",
        issue="4",
        pages="447-453",
        authors=(
            person("Marchetti, Laura B.", "Marchetti", "Laura B.", "LB"),
            person("O'Neill, Sean", "O'Neill", "Sean", "S"),
            person("Van den Berg, Anke", "Van den Berg", "Anke", "A"),
        ),
        # double spaces of the export collapsed
        abstract="BACKGROUND: Calprotectin is widely used. METHODS: We followed 84 children for "
        "two years. RESULTS: Levels fell. CONCLUSIONS: It helps.",
        types=("Journal Article",),
        # MeSH-like keywords kept as printed
        keywords=(
            "*Crohn Disease/diagnosis/drug therapy",
            "Feces/*chemistry",
            "Humans",
            "calprotectin",
        ),
        language="eng",
        extra=(("type", "JOUR"),),
    )


def test_zotero_dates_duplicate_issn_and_er_without_space() -> None:
    second, third = papers(read("zotero.ris"))[1:]
    assert (second.loc.line, second.date, second.year) == (24, "2020", 2020)  # DA  - 2020///
    assert second.journal == Journal("Nutrients", "Nutrients", ("2072-6643",))  # deduplicated
    assert second.extra == (("type", "JOUR"), ("UR", "https://doi.org/10.3390/nu12010123"))
    assert (third.loc.line, third.date, third.pages) == (40, "2021 Mar 05", "e041234")
    assert third.language is None


# ---------------------------------------------------------------------------- EndNote


def test_endnote_record_exact() -> None:
    records = read("endnote.txt")  # starts with an empty line
    assert not problems(records)
    first = papers(records)[0]
    assert first == Paper(
        loc=Loc(line=2),
        primary=True,
        title="Curcumin in ulcerative colitis: a review of the clinical trials",
        doi="10.1016/j.phrs.2019.104321",
        pmid="31234567",  # from AN
        journal=Journal(title="Pharmacol Res", issns=("1043-6618",)),
        year=2019,
        date="2019 Jun",  # DA  - Jun, year from PY
        volume="144",
        issue="6",
        pages="349-69",  # SP holds the whole range
        authors=(
            person("Rossi, M.", "Rossi", "M.", "M"),
            person("Bianchi, L.", "Bianchi", "L.", "L"),
        ),
        abstract="Curcumin has been tested in ulcerative colitis. We review the trials.",
        types=("Journal Article", "Review"),  # Review from the packed N1
        keywords=(
            "Animals",
            "Colitis, Ulcerative/*drug therapy",
            "Curcumin/*therapeutic use",
            "Humans",
            "curcumin",
        ),
        language="eng",
        epub_date="2019 May 11",  # ET
        extra=(
            ("type", "JOUR"),
            ("DP", "NLM"),
            (
                "N1",
                "1096-1186\nRossi, Marco\nBianchi, Laura\nJournal Article\nReview\nEngland\n"
                "Pharmacol Res. 2019 Jun;144:349-69. doi: 10.1016/j.phrs.2019.104321. "
                "Epub 2019 May 9.",
            ),
            ("ST", "Curcumin in ulcerative colitis"),
            ("ID", "512"),
            # two authors: the record's affiliations cannot be attached safely
            ("AD", "Department of Gastroenterology, Hospital A, Rome, Italy. m.rossi@example.org"),
            ("AD", "Department of Pharmacy, University B, Milan, Italy."),
        ),
    )


def test_endnote_single_author_gets_the_affiliations() -> None:
    second = papers(read("endnote.txt"))[1]
    assert second.authors == (
        person(
            "Tanaka, K.",
            "Tanaka",
            "K.",
            "K",
            "Division of Nutrition, Kobe Institute, Kobe, Japan.",
            "Graduate School of Health Sciences, Kobe, Japan.",
        ),
    )
    assert (second.pmid, second.date, second.epub_date) == ("29876543", "2018 Mar 1", "2018 Feb 21")
    assert second.extra == (("type", "JOUR"), ("DP", "NLM"), ("ID", "63"))


# ---------------------------------------------------------------------------- BOM, CRLF, TY


def test_bom_crlf_nonstandard_type_and_continued_abstract() -> None:
    records = read("bom_crlf.ris")
    assert records == [
        Paper(
            loc=Loc(line=1),
            primary=True,
            title="Рецепторы эндометрия при гиперплазии",  # no TI: the short title
            journal=Journal(title="Akusherstvo i Ginekologiya"),  # JO
            year=2012,
            date="2012",
            volume="5",  # VO
            issue="2",
            pages="31-36",
            authors=(
                person("Ivanova, Yu. A.", "Ivanova", "Yu. A.", "YA"),
                person("Petrov, S. N.", "Petrov", "S. N.", "SN"),
            ),
            abstract="Изучена экспрессия рецепторов в эндометрии. "
            "The expression of receptors in the endometrium was studied.",
            types=("Journal Article",),  # TY  - Journal Article
            extra=(
                ("type", "Journal Article"),
                ("N1", "Ä,Ö,Ü,ä,ö,ü,ß"),
                ("ST", "Рецепторы эндометрия при гиперплазии"),
            ),
        )
    ]


def test_cr_only_line_endings() -> None:
    text = "TY  - JOUR\rTI  - Old Mac\rexport\rPY  - 1999\rER  -\r"
    [paper] = ris.parse(text)
    assert isinstance(paper, Paper)
    assert (paper.title, paper.year) == ("Old Mac export", 1999)


# ---------------------------------------------------------------------------- types and tags


def test_types_table_and_book_fields() -> None:
    found = papers(read("types.ris"))
    assert [(p.loc.line, p.types, p.extra[0]) for p in found] == [
        (1, ("Book",), ("type", "BOOK")),
        (13, ("Book Chapter",), ("type", "CHAP")),
        (26, ("Conference Paper",), ("type", "CPAPER")),
        (38, ("Thesis",), ("type", "THES")),
        (46, ("Report",), ("type", "RPRT")),
        (52, ("Dataset",), ("type", "DATA")),
        (59, (), ("type", "ELEC")),
        (67, ("Book Chapter",), ("type", "Book Section")),
        (74, (), ("type", "UNPB")),
    ]
    book, chapter, paper, thesis, report, dataset, web, section, draft = found
    assert book.publisher == "Academic Press"
    assert book.editors == (person("Novak, Jana", "Novak", "Jana", "J"),)  # A2
    assert book.journal is None  # the ISBN is no ISSN
    assert book.extra[1:] == (
        ("CY", "London"),
        ("SN", "978-0-12-345678-9"),
        ("ET", "2nd"),  # an edition, not an Epub date
        ("L1", "file:///home/user/keller2015.pdf"),
    )
    assert (chapter.book_title, chapter.pages, chapter.publisher) == (
        "Handbook of Trial Design",
        "101-130",
        "Springer",
    )
    assert [e.family for e in chapter.editors] == ["Novak", "Schmidt"]
    assert chapter.journal is None  # a series ISSN alone makes no journal of a chapter
    assert chapter.extra == (("type", "CHAP"), ("SN", "0302-9743 (Print) 1611-3349 (Linking)"))
    assert paper.book_title == "Proceedings of the Workshop on Biomedical NLP"
    assert paper.authors[0] == Person(name="WHO Study Group on Text Mining", collective=True)
    assert paper.pmid is None
    assert paper.extra[1:] == (("AN", "WOS:000456789100007"), ("M3", "10.1145/1234567"))
    assert (thesis.date, thesis.year, thesis.publisher) == (
        "2018 May 03",
        2018,
        "University of Oslo",
    )
    assert thesis.authors[0].affiliations == (
        "Faculty of Medicine, University of Oslo, Oslo, Norway.",
    )
    assert report.authors == (
        Person(name="European Centre for Disease Prevention and Control", collective=True),
    )
    assert dataset.doi == "10.5281/zenodo.1234567"  # from a doi.org UR
    assert (web.doi, web.pmcid, web.date) == (None, "PMC6543210", "2021 Jun 30")
    assert section.book_title == "Gastroenterology Essentials"
    assert draft.abstract == "An abstract given as N2."


def test_linking_issn_goes_first() -> None:
    text = "TY  - JOUR\nTI  - T\nT2  - J\nSN  - 0302-9743 (Print) 1611-3349 (Linking)\nER  - \n"
    [paper] = ris.parse(text)
    assert isinstance(paper, Paper)
    assert paper.journal == Journal("J", None, ("1611-3349", "0302-9743"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019/10/02", (2019, "2019 Oct 02")),
        ("2019/10//undefined", (2019, "2019 Oct")),
        ("2019///", (2019, "2019")),
        ("2019/07/24/", (2019, "2019 Jul 24")),
        ("2019///Spring", (2019, "2019 Spring")),
        ("2019-10-02", (2019, "2019 Oct 02")),
        ("Jun", (None, "Jun")),
        ("Mar 1", (None, "Mar 1")),
        ("2019/13/01", (2019, "2019/13/01")),
        ("Summer", (None, "Summer")),
        ("", (None, None)),
    ],
)
def test_ris_date(value: str, expected: tuple[int | None, str | None]) -> None:
    assert ris.ris_date(value) == expected


def test_pages_and_dois_and_bad_ids_kept() -> None:
    text = (
        "TY  - JOUR\nTI  - Pages\nSP  - 12\u201319\nDO  - not a doi\nAN  - 000123\n"
        "UR  - https://dx.doi.org/10.1000/FROM.URL\nER  - \n"
        "TY  - JOUR\nTI  - End page only\nEP  - 99\nPY  - n.d.\nER  - \n"
    )
    first, second = ris.parse(text)
    assert isinstance(first, Paper) and isinstance(second, Paper)
    assert (first.pages, first.doi, first.pmid) == ("12-19", "10.1000/from.url", None)
    assert ("DO", "not a doi") in first.extra and ("AN", "000123") in first.extra
    assert (second.pages, second.year, second.date) == (None, None, None)
    assert second.extra[1:] == (("PY", "n.d."), ("EP", "99"))


# ---------------------------------------------------------------------------- records


def test_missing_er_closes_at_next_ty_and_at_end() -> None:
    records = read("no_er.ris")
    assert [(p.loc.line, p.title, p.doi) for p in papers(records)] == [
        (1, "First record, closed by the next TY", "10.1000/first.2010"),
        (6, "Second record, closed by the end of the file", "10.1000/second.2011"),
    ]
    assert not problems(records)


def test_broken_records_between_good_ones() -> None:
    records = read("broken.ris")
    assert [(type(r).__name__, r.loc.line) for r in records] == [
        ("Paper", 1),
        ("Problem", 7),  # tags with no TY before them
        ("Problem", 11),  # a record with neither title nor identifier
        ("Paper", 16),
    ]
    assert [p.title for p in papers(records)] == ["A good record before", "A good record after"]
    assert problems(records)[0].message == "RIS tag TI outside a record (no TY line before it)"


RIS_LINES = st.sampled_from(
    [
        "TY  - JOUR",
        "TY  - Journal Article",
        "TY  - ",
        "ER  -",
        "ER  - ",
        "TI  - A title",
        "AU  - Doe, J",
        "AU  - ",
        "AU  - WHO Group",
        "KW  - k",
        "AD  - Somewhere",
        "N1  - note",
        "DA  - 2019/10//undefined",
        "DA  - Jun",
        "DA  - 2019/99/99",
        "PY  - 20",
        "ET  - 2019/05/11",
        "SN  - 1128-045X 1123-6337",
        "SN  - 9999-9999",
        "SP  - 349-69",
        "EP  - 70",
        "DO  - 10.1000/x",
        "UR  - https://doi.org/10.1000/y",
        "AN  - 12345678",
        "C2  - PMC1",
        "T2  - Journal",
        "untagged continuation",
        "",
        "\ufeff",
        "\r",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(RIS_LINES, st.text(max_size=20)), max_size=30))
def test_parse_never_raises_on_ris_fragments(lines: list[str]) -> None:
    records = list(ris.parse("\n".join(lines)))
    assert all(isinstance(r, RECORD_TYPES) for r in records)
    assert all(r.loc.line >= 1 for r in records)


# ---------------------------------------------------------------------------- sniff


@pytest.mark.parametrize(
    "text",
    [
        "PMID- 123\nOWN - NLM\nTI  - A MEDLINE record\nAU  - Doe J\n",  # MEDLINE shares TI
        "TI  - No TY first\nTY  - JOUR\nER  - \n",
        "TY - JOUR\nTI - one space only\nER - \n",
        "Provider: Example\n\nTY  - JOUR\nTI  - a header and no ER\n",
        "TY  - JOUR\nPMID- 123\nER  - \n",
        "@article{x, title={TY  - JOUR}}\n",
        "",
    ],
)
def test_sniff_rejects_near_misses(text: str) -> None:
    assert not ris.sniff(text)


def test_sniff_accepts_a_provider_header_when_records_end_with_er() -> None:
    assert ris.sniff("Provider: Example\nDatabase: X\n\nTY  - JOUR\nTI  - T\nER  - \n")


# ---------------------------------------------------------------------------- real samples


class TestSamples:
    def read(self, name: str) -> list[Record]:
        return list(ris.parse((SAMPLES / "ris" / name).read_text(encoding="utf-8")))

    def test_zotero(self) -> None:
        records = self.read("pubmed_zotero.ris")
        assert not problems(records)
        found = papers(records)
        assert [p.doi for p in found] == [
            "10.5114/pg.2018.81081",
            "10.1007/s10151-019-02080-0",
            "10.1097/md.0000000000016881",
            "10.2196/14432",
            "10.1186/s12876-019-1034-9",
            "10.1097/md.0000000000016231",
        ]
        assert [p.date for p in found] == [
            "2019",
            "2019 Oct",
            "2019 Aug",
            "2019 Jul 24",
            "2019 Jul 02",
            "2019 Jun",
        ]
        assert {p.year for p in found} == {2019}
        assert sum(len(p.keywords) for p in found) == 37
        assert sum(len(p.authors) for p in found) == 26
        assert found[1].journal == Journal(
            "Techniques in coloproctology", "Tech Coloproctol", ("1128-045X", "1123-6337")
        )
        assert "Crohn Disease/*drug therapy" in found[5].keywords
        assert all("  " not in (p.abstract or "") for p in found)

    def test_endnote(self) -> None:
        records = self.read("pubmed_endnote.txt")
        assert not problems(records)
        found = papers(records)
        assert [(p.pmid, p.doi) for p in found] == [
            ("21553931", "10.2165/11586800-000000000-00000"),
            ("29459515", "10.5650/jos.ess17184"),
            ("27626602", "10.1055/s-0042-114572"),
            ("27452660", "10.1016/j.jep.2016.07.056"),
            ("24407360", "10.1097/meg.0000000000000040"),
            ("28482341", "10.1159/000471923"),
        ]
        assert sum(len(p.authors) for p in found) == 50
        assert sum(len(p.keywords) for p in found) == 129  # one per untagged line
        assert sum(1 for p in found for key, _ in p.extra if key == "AD") == 13
        first = found[0]
        assert (first.loc.line, first.date, first.pages, first.epub_date) == (
            2,
            "2011 Jun",
            "349-69",
            "2011 May 11",
        )
        assert first.types == ("Journal Article", "Review")
        assert found[4].journal == Journal("Eur J Gastroenterol Hepatol", None, ("0954-691X",))
        assert [p.date for p in found] == [
            "2011 Jun",
            "2018 Mar 1",
            "2017 Jan",
            "2016 Nov 4",
            "2014 Mar",
            "2017",
        ]

    def test_utf_chars(self) -> None:
        [paper] = self.read("example_utf_chars.ris")
        assert isinstance(paper, Paper)
        assert paper.title is not None and paper.title.startswith("Состояние рецепторного")
        assert paper.types == ("Journal Article",)
        assert ("N1", "Ä,Ö,Ü,ä,ö,ü,ß") in paper.extra
        assert (paper.volume, paper.issue, paper.pages, paper.year) == ("8", "3", "52-57", 2009)
        assert paper.journal == Journal("Gynecology, Obstetrics and Perinatology")
        assert [a.family for a in paper.authors] == [
            "Dobrokhotova",
            "Yusupova",
            "Ozerova",
            "Fayzullin",
            "Karnaukhov",
        ]
        assert paper.abstract is not None
        assert paper.abstract.endswith("hyperplasia in the late reproductive period")
