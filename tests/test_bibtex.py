"""The BibTeX extractor: hand-written fixtures (one quirk each or a few) and the real samples."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract import bibtex, latex
from kg.records import Journal, Loc, Paper, Person, Problem, Record

from .helpers import SAMPLES, papers, problems

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "bibtex"
RECORD_TYPES = (Paper, Problem)
CROSSREF_SAMPLE = "test_content_negotiation_with_unicode_doi__10.1126_science.169.3946.635.bib"


def read(name: str) -> list[Record]:
    return list(bibtex.parse((FIXTURES / name).read_text(encoding="utf-8")))


def person(name: str, family: str, given: str, initials: str) -> Person:
    return Person(name, family, given, initials)


def strings(value: object) -> Iterator[str]:
    """Every string inside a record, however deep."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from strings(getattr(value, f.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from strings(item)


def no_latex(paper: Paper) -> bool:
    return not any(c in s for s in strings(paper) for c in "\\{}$")


# ---------------------------------------------------------------------------- LaTeX


def test_accents_escapes_and_people_exact() -> None:
    [paper] = read("accents.bib")
    assert paper == Paper(
        loc=Loc(line=1),
        primary=True,
        title="Gut microbiota and Škoda's hypothesis: a β-lactam story — revisited",
        doi="10.1080/19490976.2020.1234567",
        journal=Journal(title="Gut Microbes & Health"),
        year=2020,
        date="2020",
        volume="12",
        issue="3",
        pages="101-115",
        authors=(
            person("Novák, Jiří", "Novák", "Jiří", "J"),
            person("Müller, Jörg", "Müller", "Jörg", "J"),
            person("Saïd, Naïma", "Saïd", "Naïma", "N"),
            person("François Dupont", "Dupont", "François", "F"),
            person("Groß, Bjørn", "Groß", "Bjørn", "B"),
            person("Åström, Lars", "Åström", "Lars", "L"),
            person("Peña, José", "Peña", "José", "J"),
            Person(name="World Gastroenterology Organisation", collective=True),
        ),
        types=("Journal Article",),
        extra=(
            ("type", "article"),
            ("citation_key", "novak2020gut"),
            ("note", "Costs fell by 50% in 2019–2020; see Table 2; file_name kept"),
            ("et_al", "true"),  # "and others" dropped
        ),
    )
    assert no_latex(paper)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (r"{\v{S}}eva", "Ševa"),
        (r"G{\"o}tze", "Götze"),
        (r"Sa{\"\i}d", "Saïd"),
        (r"\'e \`a \^o \~n \c{c} \c c", "é à ô ñ ç ç"),
        (r"\ss{} \o{} \aa{} \O{} \AA", "ß ø å Ø Å"),
        (r"\O \AA", "ØÅ"),  # TeX: a control word eats the space after it
        (r"Stra\ss e", "Straße"),
        (r"\L{}\'od\'z", "Łódź"),
        (r"R\&D, 50\%, a\_b, \#1, \$5", "R&D, 50%, a_b, #1, $5"),
        ("1990--2000 --- yes", "1990–2000 — yes"),
        ("Dr.~Who", "Dr. Who"),
        ("{SmartPub}: {The Web Conference}", "SmartPub: The Web Conference"),
        (r"\emph{E. coli} and \textbf{\textit{bold}}", "E. coli and bold"),
        (r"$\alpha$-helix, CO$_2$, $x^{2}$, $\geq 5$", "α-helix, CO₂, x², ≥5"),
        ("``quoted''", "“quoted”"),
        (r"\url{http://x.org/~a--b}", "http://x.org/~a--b"),
        (r"\href{http://x.org}{the text}", "the text"),
        (r"{\noopsort{a}}Zed \relax end", "Zed end"),
        (r"\'{\i} \^{\i} \H{o} \k{a} \r{u} \u{g} \={a} \.{z}", "í î ő ą ů ğ ā ż"),
        (r"\~{} \'{}", "~ ´"),
        (r"\MakeUppercase{abc}", "ABC"),
        ("a  \n  b\\", "a b"),
    ],
)
def test_latex_to_text(raw: str, text: str) -> None:
    assert latex.latex_to_text(raw) == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Smith, John", person("Smith, John", "Smith", "John", "J")),
        ("John Smith", person("John Smith", "Smith", "John", "J")),
        ("van der Berg, Jan", person("van der Berg, Jan", "van der Berg", "Jan", "J")),
        ("Smith, Jr, John", person("Smith, Jr, John", "Smith", "John", "J")),
        ("Ludwig {van Beethoven}", person("Ludwig van Beethoven", "van Beethoven", "Ludwig", "L")),
        ("Rakhi, NK", person("Rakhi, NK", "Rakhi", "NK", "NK")),
        ("Lopez MK", Person("Lopez MK", "Lopez", None, "MK")),
        ("{Barnes and Noble}", Person("Barnes and Noble", collective=True)),
    ],
)
def test_bib_person(raw: str, expected: Person) -> None:
    assert bibtex.bib_person(raw) == expected


def test_authors_split_at_depth_zero_only() -> None:
    people, et_al = bibtex.people_in("Doe, J and {Smith and Sons} AND Roe, R and others")
    assert [p.name for p in people] == ["Doe, J", "Smith and Sons", "Roe, R"]
    assert people[1].collective and et_al


# ---------------------------------------------------------------------------- syntax


def test_strings_macros_concatenation_comments_and_delimiters() -> None:
    records = read("syntax.bib")
    assert not problems(records)
    first, second = papers(records)
    assert first == Paper(
        loc=Loc(line=11),  # @ARTICLE( … ) with round brackets
        primary=True,
        title="Quoted values with nested braces and a ö umlaut",
        journal=Journal(title="Gut Microbes and Health (Online)"),  # macro # {…}
        year=2018,  # a bare number
        date="2018 Mar",  # month = mar (macro)
        volume="7",
        pages="12-19",
        authors=(
            person("Lee, Min-Jun", "Lee", "Min-Jun", "MJ"),
            person("Park, Soo", "Park", "Soo", "S"),
        ),
        types=("Journal Article",),
        publisher="Taylor & Francis",  # @STRING( … ) with {\&}
        extra=(("type", "article"), ("citation_key", "lee2018quoted")),
    )
    assert (second.loc.line, second.title) == (22, "Concatenated title parts")
    assert second.journal == Journal(title="Gut Microbes and Health")
    assert (second.date, second.year) == ("2019 Oct 5", 2019)  # month = {October}, day = {5}
    assert second.keywords == ("colitis", "diet", "microbiome")  # split on , and ;, deduplicated


def test_crossref_one_line_entry() -> None:
    [paper] = read("crossref.bib")
    assert paper == Paper(
        loc=Loc(line=1),
        primary=True,
        title="Heat capacity of water near its freezing point",
        doi="10.1126/science.228.4700.612",
        journal=Journal(title="Science", issns=("0036-8075",)),
        year=1985,
        date="1985 May",  # month=May, unquoted
        volume="228",
        issue="4700",
        pages="612-614",  # en dash
        authors=(
            person("Smith, Jane K.", "Smith", "Jane K.", "JK"),
            person("Doe, R.", "Doe", "R.", "R"),
        ),
        types=("Journal Article",),
        publisher="American Association for the Advancement of Science (AAAS)",
        extra=(
            ("type", "article"),
            ("citation_key", "Smith_1985"),
            ("url", "http://dx.doi.org/10.1126/science.228.4700.612"),
        ),
    )


# ---------------------------------------------------------------------------- types and fields


def test_types_table() -> None:
    found = papers(read("types.bib"))
    assert [(p.loc.line, p.extra[0][1], p.types) for p in found] == [
        (1, "inproceedings", ("Conference Paper",)),
        (13, "conference", ("Conference Paper",)),
        (21, "book", ("Book",)),
        (30, "incollection", ("Book Chapter",)),
        (40, "inbook", ("Book Chapter",)),
        (47, "phdthesis", ("Thesis",)),
        (54, "mastersthesis", ("Thesis",)),
        (61, "techreport", ("Report",)),
        (69, "misc", ()),
        (76, "unpublished", ()),
        (83, "misc", ("Preprint",)),  # eprint with archivePrefix arXiv
        (92, "article", ("Preprint",)),  # journal = {arXiv preprint arXiv:…}
        (99, "article", ("Journal Article",)),
    ]


def test_book_fields_and_doi_from_url() -> None:
    found = papers(read("types.bib"))
    proceedings, conference, book, chapter = found[:4]
    assert proceedings.book_title == "Proceedings of the Workshop on Biomedical NLP"
    assert proceedings.publisher == "Association for Computational Linguistics"
    assert proceedings.editors == (
        person("Smith, John", "Smith", "John", "J"),
        person("Jones, Mary", "Jones", "Mary", "M"),
    )
    assert proceedings.doi == "10.18653/v1/w18-2301"  # a doi.org url
    assert proceedings.journal is None
    assert ("address", "Melbourne, Australia") in proceedings.extra
    assert conference.pmid == "28123456"
    assert book.extra[2:] == (("edition", "2"), ("isbn", "978-0-12-345678-9"))
    assert (chapter.book_title, chapter.pages, chapter.publisher) == (
        "Handbook of Trial Design",
        "101-130",
        "Springer",
    )
    report = found[7]
    assert report.authors == (
        Person(name="European Centre for Disease Prevention and Control", collective=True),
    )
    assert report.issue is None and ("number", "TR-2017-01") in report.extra
    web = found[8]
    assert ("howpublished", "https://example.org/guide~line") in web.extra


def test_preprints_have_no_journal_and_keep_the_arxiv_id() -> None:
    found = papers(read("types.bib"))
    eprint, typed_article = found[10], found[11]
    assert eprint.journal is None and typed_article.journal is None
    assert eprint.extra[2:] == (
        ("eprint", "2101.01234"),
        ("archiveprefix", "arXiv"),
        ("primaryclass", "cs.CL"),
        ("arxiv", "2101.01234"),
    )
    assert typed_article.extra[2:] == (
        ("arxiv", "2005.04321"),
        ("journal", "arXiv preprint arXiv:2005.04321"),
    )


def test_article_with_every_field() -> None:
    paper = papers(read("types.bib"))[12]
    assert paper == Paper(
        loc=Loc(line=99),
        primary=True,
        title="An article with everything",
        doi="10.1016/j.jclinepi.2019.01.001",
        pmid="30712345",
        journal=Journal(title="Journal of Clinical Epidemiology", issns=("0895-4356",)),
        year=2019,
        date="2019 Aug",  # month = {8}
        volume="110",
        issue="2",
        pages="e1-e9",
        authors=(person("Ahmed, Sara", "Ahmed", "Sara", "S"),),
        abstract="Background: Bias is common.\nMethods: We looked at 100 trials.",
        types=("Journal Article",),
        keywords=("epidemiology", "bias"),
        language="english",
        extra=(("type", "article"), ("citation_key", "ahmed2019full"), ("annote", "read twice")),
    )


def test_biblatex_fields_comment_line_and_duplicates() -> None:
    text = (
        "@comment this whole line is a comment\n"
        "@online{w,\n"
        "  title = {First}, title = {Second},\n"
        "  journaltitle = {Gut}, shortjournal = {G},\n"
        "  date = {2019-10-02}, pmcid = {PMC123}, pmid = {0123},\n"
        "  eprinttype = {arxiv}, eprint = {hep-th/9901001}\n"
        "}\n"
    )
    [paper] = bibtex.parse(text)
    assert isinstance(paper, Paper)
    assert (paper.loc.line, paper.title, paper.date, paper.year) == (
        2,
        "First",
        "2019 Oct 02",
        2019,
    )
    assert paper.journal is None  # an arXiv eprint of an @online entry: a preprint
    assert (paper.pmcid, paper.pmid, paper.types) == ("PMC123", None, ("Preprint",))
    assert paper.extra == (
        ("type", "online"),
        ("citation_key", "w"),
        ("title", "Second"),
        ("pmid", "0123"),  # not a PMID: kept as printed
        ("eprinttype", "arxiv"),
        ("eprint", "hep-th/9901001"),
        ("arxiv", "hep-th/9901001"),
        ("journal", "Gut"),
        ("abbreviation", "G"),
    )


# ---------------------------------------------------------------------------- broken entries


def test_broken_entries_between_good_ones() -> None:
    records = read("broken.bib")
    assert [(type(r).__name__, r.loc.line) for r in records] == [
        ("Paper", 1),
        ("Problem", 7),  # a brace that never closes: runs into the next entry
        ("Paper", 12),
        ("Problem", 18),  # a closing brace too many
        ("Problem", 23),  # a missing comma
        ("Paper", 28),
    ]
    assert [p.title for p in papers(records)] == [
        "A good entry before",
        "A good entry after",
        "The last good entry",
    ]
    assert problems(records)[0].message.startswith("broken BibTeX entry: ")


def test_unbalanced_brace_at_the_end_of_the_text() -> None:
    records = list(bibtex.parse("@article{a, title={T}, year=2001}\n@article{b, title={Open\n"))
    assert [(type(r).__name__, r.loc.line) for r in records] == [("Paper", 1), ("Problem", 2)]


def test_entry_without_title_or_identifier_is_a_problem() -> None:
    [problem] = bibtex.parse("@misc{empty, year = {2001}}")
    assert isinstance(problem, Problem) and problem.loc == Loc(line=1)


BIB_FRAGMENTS = st.sampled_from(
    [
        "@article{k,",
        "@ARTICLE(",
        "@string{a = {x}}",
        "@comment{",
        "@preamble{",
        "@misc{k, title = {T}}",
        "title = {",
        'title = "',
        "author = {A and {B and C} and others},",
        "month = aug,",
        "year = 2020,",
        "pages = {1--2},",
        " # ",
        "}",
        ")",
        "{",
        "\\",
        '\\"',
        "\\v{",
        "$\\alpha_",
        "--",
        "~",
        "\n",
        ",",
        "=",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(BIB_FRAGMENTS, st.text(max_size=10)), max_size=40))
def test_parse_never_raises_on_bibtex_fragments(parts: list[str]) -> None:
    records = list(bibtex.parse("".join(parts)))
    assert all(isinstance(r, RECORD_TYPES) for r in records)
    assert all(r.loc.line >= 1 for r in records)


@settings(max_examples=100, deadline=None)
@given(st.lists(BIB_FRAGMENTS, max_size=30))
def test_latex_to_text_leaves_no_latex(parts: list[str]) -> None:
    raw = "".join(parts)
    text = latex.latex_to_text(raw)
    assert "\\" not in text
    # only an escaped brace or dollar (\{, \}, \$) prints one
    assert all(c not in text or "\\" + c in raw for c in "{}$")


def test_deep_nesting_does_not_recurse() -> None:
    text = "@article{k, title={" + "{" * 5000 + "x" + "}" * 5000 + "}}"
    [paper] = bibtex.parse(text)
    assert isinstance(paper, Paper) and paper.title == "x"


# ---------------------------------------------------------------------------- sniff


@pytest.mark.parametrize(
    "text",
    [
        "Write to me@example.org{soon}\n",  # an @ inside a line
        "email: @home{x}",
        '{"message": {"bib": "\\n@article{x, title={T}}"}}',  # JSON holding BibTeX
        "<xml>\n@article{x, title={T}}\n</xml>",
        "TY  - JOUR\nN1  - note\n@article{x, title={T}}\nER  - \n",  # RIS with BibTeX in a note
        "PMID- 1\nAB  - text\n@article{x, title={T}}\n",
        "@ article{x, title={T}}",
        "@handle on social media (not an entry)",
        "",
    ],
)
def test_sniff_rejects_near_misses(text: str) -> None:
    assert not bibtex.sniff(text)


def test_sniff_accepts_header_comment_and_uppercase_types() -> None:
    assert bibtex.sniff("% JabRef\n\n@ARTICLE(key,\n title = {T})\n")
    assert bibtex.sniff("\ufeff@Book{k, title={T}}")
    assert bibtex.sniff("  @customtype{somekey,\n title = {T}}")


# ---------------------------------------------------------------------------- real samples


class TestSamples:
    def read(self, name: str) -> list[Record]:
        return list(bibtex.parse((SAMPLES / "bibtex" / name).read_text(encoding="utf-8")))

    def test_paper_bib(self) -> None:
        records = self.read("paper.bib")
        assert not problems(records)
        found = papers(records)
        assert len(found) == 11
        assert [dict(p.extra)["type"] for p in found].count("article") == 8
        assert [dict(p.extra)["type"] for p in found].count("inproceedings") == 3
        assert all(no_latex(p) for p in found)
        assert [p.types[0] for p in found].count("Preprint") == 4
        first = found[0]
        assert [a.family for a in first.authors[:6]] == [
            "Ševa",
            "Wiegandt",
            "Götze",
            "Lamping",
            "Rieke",
            "Schäfer",
        ]
        assert len(first.authors) == 10 and ("et_al", "true") in first.extra
        assert first.doi == "10.1186/s12859-019-2958-3"
        assert [a.name for a in found[4].authors] == [
            "Abdeddaim, Saïd",
            "Vimard, Sylvestre",
            "Soualmia, Lina F",
        ]
        assert found[10].authors[0].family == "Abdeddaïm"
        smartpub = found[8]
        assert smartpub.title is not None and smartpub.title.startswith("SmartPub: a platform")
        assert smartpub.book_title == "Companion Proceedings of the The Web Conference 2018"
        assert (smartpub.pages, smartpub.year) == ("191-194", 2018)
        arxiv = found[1]
        assert (arxiv.doi, arxiv.journal, arxiv.types) == (None, None, ("Preprint",))
        assert ("arxiv", "1702.04615") in arxiv.extra
        assert found[2].journal is None  # neither journal nor booktitle
        assert [p.doi for p in found if p.doi] == [
            "10.1186/s12859-019-2958-3",
            "10.7287/peerj.preprints.27479v2",
            "10.18653/v1/w18-2307",
            "10.3233/shti190172",
            "10.1371/journal.pone.0198030",
            "10.1109/hpcc/smartcity/dss.2019.00217",
        ]

    def test_crossref_one_liner(self) -> None:
        records = self.read(CROSSREF_SAMPLE)
        assert not problems(records)
        [paper] = papers(records)
        assert (paper.doi, paper.year, paper.date, paper.pages) == (
            "10.1126/science.169.3946.635",
            1970,
            "1970 Aug",
            "635-641",
        )
        assert paper.journal == Journal(title="Science", issns=("1095-9203",))
        assert paper.authors == (person("Frank, Henry S.", "Frank", "Henry S.", "HS"),)
        assert paper.types == ("Journal Article",)
        assert no_latex(paper)


def test_braces_between_hyphens_or_quotes_keep_them_as_typed() -> None:
    assert latex.latex_to_text("A-{}-B, ''C'' and '{}'D'{}'") == "A--B, ”C” and ''D''"
    assert latex.latex_to_text("1990{--}2000 --- {``}x{''}") == "1990–2000 — “x”"
