"""The PubMed page extractor: the seed's compact layout and hand-written full-page fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import pubmed_page, pubmed_page_sections
from kg.records import Grant, Journal, Loc, MeshHeading, Paper, Person, Problem, Record, Relation

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "cases" / "pubmed_pages" / "input"
SEED = ROOT / "seeds" / "004_306def990ca61d5f.txt"
SCITE_SEED = ROOT / "seeds" / "000_18ca61cfa3613128.txt"
FIXTURE_FILES = sorted(FIXTURES.glob("*.txt"))


def read(path: Path) -> list[Record]:
    return list(pubmed_page.parse(path.read_text(encoding="utf-8")))


def primaries(records: list[Record]) -> list[Paper]:
    return [r for r in records if isinstance(r, Paper) and r.primary]


def listed(records: list[Record]) -> dict[str, Paper]:
    """Listed papers by PMID (references without one by their first 20 characters)."""
    found: dict[str, Paper] = {}
    for r in records:
        if isinstance(r, Paper) and not r.primary:
            found[r.pmid or (r.citation_text or "")[:20]] = r
    return found


def relations(records: list[Record]) -> list[Relation]:
    return [r for r in records if isinstance(r, Relation)]


def short(name: str) -> Person:
    """A short-form author as PubMed lists it: ``Lopez MK`` or ``van der Berg AB``."""
    family, initials = name.rsplit(" ", 1)
    return Person(name=name, family=family, initials=initials)


def entry(
    line: int,
    pmid: str | None,
    title: str,
    journal: str,
    date: str,
    volume: str | None,
    issue: str | None,
    pages: str,
    doi: str | None,
    *,
    epub: str | None = None,
    free: bool = False,
    types: tuple[str, ...] = (),
    extra: tuple[tuple[str, str], ...] = (),
    authors: tuple[str | Person, ...] = (),
    language: str | None = None,
) -> Paper:
    return Paper(
        loc=Loc(line=line),
        title=title,
        pmid=pmid,
        doi=doi,
        journal=Journal(abbreviation=journal),
        date=date,
        year=int(date[:4]),
        volume=volume,
        issue=issue,
        pages=pages,
        epub_date=epub,
        free_full_text=free,
        types=types,
        extra=extra,
        authors=tuple(short(a) if isinstance(a, str) else a for a in authors),
        language=language,
    )


# ---------------------------------------------------------------------------- the seed

SEED_TITLE = (
    "Reducing stigma in healthcare and law enforcement: a novel approach to service provision "
    "for street level sex workers"
)

SEED_SIMILAR = [
    entry(13, "39711037", "East London Project: a participatory mixed-method evaluation on how removing enforcement could affect sex workers' safety, health and access to services in East London", "Public Health Res (Southampt)", "2024 Sep", "12", "10", "1-59", "10.3310/gfvc7006"),
    entry(15, "24889853", "Criminalisation of clients: reproducing vulnerabilities for violence and poor health among street-based sex workers in Canada-a qualitative study", "BMJ Open", "2014 Jun 2", "4", "6", "e005191", "10.1136/bmjopen-2014-005191", free=True),
    entry(17, "27113456", "'They won't change it back in their heads that we're trash': the intersection of sex work-related stigma and evolving policing strategies", "Sociol Health Illn", "2016 Sep", "38", "7", "1137-50", "10.1111/1467-9566.12436", epub="2016 Apr 26", free=True),
    entry(19, "26488904", "Arresting HIV: Fostering Partnerships between Sex Workers and Police to Reduce HIV Risk and Promote Professionalization within Policing Institutions: A Realist Review", "PLoS One", "2015 Oct 21", "10", "10", "e0134900", "10.1371/journal.pone.0134900", free=True, types=("Review",), extra=(("ecollection", "2015"),)),
    entry(21, "37747513", "Law enforcement mental health: A systematic review of qualitative research", "Psychol Serv", "2024 Nov", "21", "4", "938-946", "10.1037/ser0000803", epub="2023 Sep 25"),
]  # fmt: skip

SEED_CITED_BY = [
    entry(24, "29161260", "HIV self-testing among female sex workers in Zambia: A cluster randomized controlled trial", "PLoS Med", "2017 Nov 21", "14", "11", "e1002442", "10.1371/journal.pmed.1002442", free=True, types=("Clinical Trial",), extra=(("ecollection", "2017 Nov"),)),
    entry(26, "32401075", "Confirmatory Factor Analysis and Construct Validity of the Internalized Sex Work Stigma Scale among a Cohort of Cisgender Female Sex Workers in Baltimore, Maryland, United States", "J Sex Res", "2021 Jul", "58", "6", "713-723", "10.1080/00224499.2020.1755821", epub="2020 May 13", free=True),
    entry(28, "34421050", "Characterizing Health Care Access among Cisgender Female Sex Workers with Substance Use Histories in Baltimore, Maryland", "J Health Care Poor Underserved", "2021", "32", "3", "1584-1603", "10.1353/hpu.2021.0151", free=True),
    entry(30, "31423291", "Canadian Sex Workers Weigh the Costs and Benefits of Disclosing Their Occupational Status to Health Providers", "Sex Res Social Policy", "2019", "16", "3", "329-341", "10.1007/s13178-018-0339-8", epub="2018 May 21", free=True),
    entry(32, "35753282", "Violence, policing, and systemic racism as structural barriers to substance use treatment amongst women sex workers who use drugs: Findings of a community-based cohort in Vancouver, Canada (2010-2019)", "Drug Alcohol Depend", "2022 Aug 1", "237", None, "109506", "10.1016/j.drugalcdep.2022.109506", epub="2022 May 27", free=True),
]  # fmt: skip


def test_seed_primary_paper() -> None:
    [paper] = primaries(read(SEED))
    assert (paper.loc, paper.pmid, paper.pmcid, paper.doi, paper.title) == (
        Loc(line=1),
        "25879639",
        "PMC4404612",
        "10.1186/s12939-015-0156-0",
        SEED_TITLE,
    )
    paragraphs = paper.abstract.split("\n") if paper.abstract else []
    assert [p.split(": ", 1)[0] for p in paragraphs] == [
        "Introduction",
        "Methods",
        "Results",
        "Conclusions",
    ]
    assert paragraphs[0].startswith("Introduction: Providing services for street level sex")
    assert paragraphs[3].endswith("applicable to many cities across Canada.")


@pytest.mark.parametrize("expected", SEED_SIMILAR + SEED_CITED_BY, ids=lambda p: p.pmid)
def test_seed_listed_paper(expected: Paper) -> None:
    assert listed(read(SEED))[expected.pmid or ""] == expected


def test_seed_relations_and_nothing_else() -> None:
    records = read(SEED)
    [page] = primaries(records)
    similar = [(r.kind, r.subject, r.object, r.rank, r.loc) for r in relations(records)[:5]]
    assert similar == [
        ("similar", page.ref, p.ref, i, p.loc) for i, p in enumerate(SEED_SIMILAR, 1)
    ]
    cited = [(r.kind, r.subject, r.object, r.rank) for r in relations(records)[5:]]
    assert cited == [("cites", p.ref, page.ref, None) for p in SEED_CITED_BY]
    assert len(records) == 21  # 1 page, 10 listed papers, 10 relations: no Problem
    assert len({p.journal for p in SEED_SIMILAR + SEED_CITED_BY}) == 10


# ---------------------------------------------------------------------------- full page

FULL = FIXTURES / "full_page.txt"
AFFILIATIONS = {
    1: "Division of Infectious Diseases, Department of Medicine, University of Toronto, Toronto, ON, Canada. maria.lopez@utoronto.example.ca.",
    2: "Centre for Global Health Research, University of Lagos, Lagos, Nigeria.",
    3: "Department of Endocrinology, Amsterdam University Medical Centre, Amsterdam, Netherlands.",
    4: "Department of Microbiology, Singapore General Hospital, Singapore. Electronic address: karrie.ko@sgh.example.sg.",
    5: "Duke-NUS Medical School, Singapore.",
}  # fmt: skip


def person(
    name: str, family: str, given: str, initials: str, *numbers: int, eq: bool = False
) -> Person:
    affiliations = tuple(AFFILIATIONS[n] for n in numbers)
    return Person(name, family, given, initials, None, affiliations, equal_contribution=eq)


TEAM = Person("HIV Prevention Trials Network Study Team", collective=True)
FULL_AUTHORS = (
    person("Maria K Lopez", "Lopez", "Maria K", "MK", 1),
    person("Tom B Chen", "Chen", "Tom B", "TB", 1, 2),
    person("Karrie Kwan Ki Ko", "Ko", "Karrie Kwan Ki", "KKK", 3, 4, 5),
    person("Kern Rei Chng", "Chng", "Kern Rei", "KR", 1, eq=True),
    person("Jean-Paul Okafor", "Okafor", "Jean-Paul", "JP", 2, eq=True),
    person("Anne van der Berg", "van der Berg", "Anne", "A", 3),
    person("Ann Smith", "Smith", "Ann", "A", 2),
    TEAM,
    person("Bob Jones", "Jones", "Bob", "B", 3),
)


def test_full_page_primary_paper() -> None:
    [paper] = primaries(read(FULL))
    assert paper.loc == Loc(line=65)
    assert (paper.pmid, paper.pmcid, paper.doi) == (
        "30812345",
        "PMC6501234",
        "10.1016/s0140-6736(19)30012-4",
    )
    assert paper.title == (
        "Once-weekly extended-release metformin versus standard care in adults with HIV and "
        "type 2 diabetes: a randomised, open-label, multicentre trial"
    )
    assert (paper.journal, paper.date, paper.year, paper.volume, paper.issue, paper.pages) == (
        Journal(abbreviation="Lancet"),
        "2019 Mar 2",
        2019,
        "393",
        "10174",
        "857-66",
    )
    assert paper.epub_date == "2019 Jan 5"
    assert paper.authors == FULL_AUTHORS
    assert [p.split(":")[0] for p in (paper.abstract or "").split("\n")] == [
        "Background",
        "Methods",
        "Findings",
        "Interpretation",
        "Funding",
    ]
    assert paper.keywords == ("HIV", "metformin", "type 2 diabetes", "adherence")
    assert paper.types == (
        "Randomized Controlled Trial",
        "Multicenter Study",
        "Research Support, N.I.H., Extramural",
        "Research Support, Non-U.S. Gov't",
    )
    assert paper.extra == (
        ("copyright", "Copyright © 2019 Elsevier Ltd. All rights reserved."),
        (
            "conflict_of_interest",
            "MKL reports grants from the US National Institutes of Health during the conduct "
            "of the study. All other authors declare no competing interests.",
        ),
        ("substance", "Anti-HIV Agents"),
        ("substance", "Hypoglycemic Agents"),
        ("substance", "Metformin"),
    )


def test_full_page_mesh_and_grants() -> None:
    [paper] = primaries(read(FULL))
    assert paper.mesh == (
        MeshHeading("Adult"),
        MeshHeading("Anti-HIV Agents", qualifiers=(("therapeutic use", False),)),
        MeshHeading("Diabetes Mellitus, Type 2", qualifiers=(("complications", False),)),
        MeshHeading("Diabetes Mellitus, Type 2", qualifiers=(("drug therapy", True),)),
        MeshHeading("Drug Administration Schedule"),
        MeshHeading("Female"),
        MeshHeading("HIV Infections", major=True, qualifiers=(("complications", False),)),
        MeshHeading("Humans"),
        MeshHeading(
            "Hypoglycemic Agents",
            qualifiers=(("administration & dosage", False), ("therapeutic use", True)),
        ),
        MeshHeading("Male"),
        MeshHeading("Metformin", qualifiers=(("therapeutic use", True),)),
        MeshHeading("Middle Aged"),
    )
    assert paper.grants == (
        Grant("R01 AI123456", "AI", "NIAID NIH HHS", "United States"),
        Grant("UM1 AI068619", "AI", "NIAID NIH HHS", "United States"),
        Grant("MR/K006584/1", "MRC_", "Medical Research Council", "United Kingdom"),
    )


FULL_LISTED = [
    entry(91, "30812399", "Weekly metformin: one step closer for people with HIV?", "Lancet", "2019 Mar 2", "393", "10174", "830-831", "10.1016/s0140-6736(19)30101-4", epub="2019 Jan 5", authors=("Adeyemi OT",), extra=(("flag", "No abstract available"),)),
    entry(96, "29876543", "Metformin in adults with HIV and prediabetes: a pilot randomised trial", "Lancet", "2018 May 5", "391", "10132", "1813-1822", "10.1016/s0140-6736(18)30480-1", epub="2018 Apr 20", free=True, authors=("Lopez MK", "Chen TB", "Okafor N")),
    entry(100, "28765432", "Metabolic complications of antiretroviral therapy: a narrative review", "Microbiol Mol Biol Rev", "2017 Jun", "81", "2", "e00012-17", "10.1128/mmbr.00012-17", types=("Review",), authors=("van der Berg AB", "Ko KKK")),
    entry(104, "27654321", "Glucose-lowering drugs in people living with HIV: a systematic review and meta-analysis", "Diabetes Care", "2016", "39", "8", "1421-1430", "10.2337/dc16-0101", epub="2016 Jun 2", free=True, types=("Review",), authors=("Chng KR",)),
    entry(108, "4512345", "[Diabetes in patients infected with HIV]", "Rev Prat", "1987 Sep 21", "37", "41", "2451-4", None, language="French", extra=(("flag", "No abstract available"),), authors=("Dupont J", "Martin C")),
    entry(114, "33456789", "Long-term outcomes of once-weekly metformin in HIV: the extension cohort", "Clin Infect Dis", "2021 Feb 16", "72", "4", "e1-e9", "10.1093/cid/ciaa1234", free=True, types=("Clinical Trial",), authors=("Okafor JP", "Lopez MK", "Smith A", TEAM)),
    entry(118, "32987654", "Adherence to once-weekly oral regimens: a meta-analysis", "AIDS", "2020 Nov 1", "34", "13", "1901-1910", "10.1097/qad.0000000000002650", types=("Meta-Analysis",), authors=("Ko KKK", "Chng KR")),
]  # fmt: skip


def test_full_page_listed_papers_and_relations() -> None:
    records = read(FULL)
    [page] = primaries(records)
    found = listed(records)
    for expected in FULL_LISTED:
        assert found[expected.pmid or ""] == expected
    got = [(r.kind, r.subject, r.object, r.rank, r.loc.line) for r in relations(records)[:7]]
    assert got == [
        ("discusses", found["30812399"].ref, page.ref, None, 91),
        ("similar", page.ref, found["29876543"].ref, 1, 96),
        ("similar", page.ref, found["28765432"].ref, 2, 100),
        ("similar", page.ref, found["27654321"].ref, 3, 104),
        ("similar", page.ref, found["4512345"].ref, 4, 108),
        ("cites", found["33456789"].ref, page.ref, None, 114),
        ("cites", found["32987654"].ref, page.ref, None, 118),
    ]


FULL_REFERENCES = [
    # line, citation text, title, authors, journal, year, doi, pmid
    (125, "Lopez MK, Chen TB. Metformin pharmacokinetics during dolutegravir therapy. N Engl J Med. 2016;375(9):830-9. doi: 10.1056/NEJMoa1600693.", "Metformin pharmacokinetics during dolutegravir therapy", ("Lopez MK", "Chen TB"), "N Engl J Med", 2016, "10.1056/nejmoa1600693", None),
    (127, "Ko KKK, Okafor JP, Jones B. Weight gain and insulin resistance after switching to integrase inhibitors. J Acquir Immune Defic Syndr. 2018 Aug 1;78(4):e21-e29. PMID: 29601405", "Weight gain and insulin resistance after switching to integrase inhibitors", ("Ko KKK", "Okafor JP", "Jones B"), "J Acquir Immune Defic Syndr", 2018, None, "29601405"),
    (129, "Chen TB, Lopez MK. Hepatic steatosis in treated HIV infection. Lancet HIV. 2017 Dec;4(12):e556-e563. doi: 10.1016/S2352-3018(17)30155-0.", "Hepatic steatosis in treated HIV infection", ("Chen TB", "Lopez MK"), "Lancet HIV", 2017, "10.1016/s2352-3018(17)30155-0", None),
]  # fmt: skip


def test_full_page_references() -> None:
    records = read(FULL)
    [page] = primaries(records)
    refs = [r for r in records if isinstance(r, Paper) and r.citation_text]
    got = [
        (
            r.loc.line,
            r.citation_text,
            r.title,
            tuple(a.name for a in r.authors),
            r.journal.abbreviation if r.journal else None,
            r.year,
            r.doi,
            r.pmid,
        )
        for r in refs[:3]
    ]
    assert got == FULL_REFERENCES
    assert (refs[1].date, refs[1].volume, refs[1].issue, refs[1].pages) == (
        "2018 Aug 1",
        "78",
        "4",
        "e21-e29",
    )
    who = refs[3]
    assert (who.loc.line, who.title, who.doi, who.pmid, who.year, who.journal) == (
        131,
        None,
        None,
        None,
        2021,
        None,
    )
    assert who.citation_text == (
        "World Health Organization. Consolidated guidelines on HIV prevention, testing, "
        "treatment, service delivery and monitoring. Geneva: World Health Organization; 2021."
    )
    assert who.authors == (Person("World Health Organization", collective=True),)
    cites = [(r.subject, r.object) for r in relations(records)[7:]]
    assert cites == [(page.ref, ref.ref) for ref in refs]
    assert not any(isinstance(r, Problem) for r in records)


def test_same_person_in_full_and_short_form_gives_the_same_key() -> None:
    records = read(FULL)
    [page] = primaries(records)
    full = page.authors[0]
    listed_lopez = listed(records)["29876543"].authors[0]
    assert (full.name, listed_lopez.name) == ("Maria K Lopez", "Lopez MK")
    assert (full.family, full.initials) == (listed_lopez.family, listed_lopez.initials)
    okafor = listed(records)["33456789"].authors[0]
    assert (okafor.family, okafor.initials) == (page.authors[4].family, page.authors[4].initials)


# ---------------------------------------------------------------------------- two pages


def test_two_glued_pages_each_with_own_paper_and_lists() -> None:
    records = read(FIXTURES / "two_pages.txt")
    review, old = primaries(records)
    assert (review.loc.line, review.pmid, review.pmcid, review.doi) == (
        33,
        "31848249",
        "PMC6912345",
        "10.1128/mmbr.00031-19",
    )
    assert review.journal == Journal(abbreviation="Microbiol Mol Biol Rev")
    assert review.types == ("Review", "Research Support, Non-U.S. Gov't")
    assert review.extra == (("print_date", "2020 Feb 19"),)
    assert review.authors == (  # "Affiliations Expand": numbers but no affiliation text
        Person("Heike R Brandt", "Brandt", "Heike R", "HR"),
        Person("Lucas M Ferreira", "Ferreira", "Lucas M", "LM"),
        Person("Yuki Tanaka", "Tanaka", "Yuki", "Y"),
    )
    assert review.grants == (Grant(None, "WT_", "Wellcome Trust", "United Kingdom"),)
    assert review.mesh[3:] == (
        MeshHeading("Gastrointestinal Microbiome", major=True),
        MeshHeading("Humans"),
        MeshHeading("Plasmids", major=True, qualifiers=(("genetics", False),)),
    )
    soil = "Biologische Bundesanstalt für Land- und Forstwirtschaft, Braunschweig, Germany. ksmalla@bba.example.de"  # fmt: skip
    ghent = "Laboratory of Microbial Ecology, Ghent University, Ghent, Belgium."
    assert (old.loc.line, old.pmid, old.pmcid, old.doi, old.abstract) == (
        103,
        "9812345",
        None,
        "10.1111/j.1574-6941.1998.tb00537.x",
        None,
    )
    assert old.title == (
        "Transferable antibiotic resistance plasmids in soil bacteria: exogenous isolation "
        "revisited"
    )
    assert (old.date, old.year, old.volume, old.issue, old.pages) == (
        "1998 Oct",
        1998,
        "27",
        "2",
        "133-46",
    )
    assert old.authors == (
        Person("Smalla K", "Smalla", None, "K", None, (soil,)),
        Person("Top EM", "Top", None, "EM", None, (ghent,)),
        Person("van Elsas JD", "van Elsas", None, "JD", None, (soil, ghent)),
    )
    got = [(r.kind, r.subject.pmid, r.object.pmid, r.rank) for r in relations(records)]
    assert got == [
        ("similar", "31848249", "25764525", 1),
        ("cites", "33658276", "31848249", None),
        ("similar", "9812345", "9023921", 1),
    ]
    assert listed(records)["25764525"].types == ("Review",)
    assert listed(records)["25764525"].free_full_text is True


def test_compact_pages_one_after_another() -> None:
    records = read(FIXTURES / "compact_two.txt")
    first, second = primaries(records)
    assert (first.loc.line, first.pmid, first.doi, first.pmcid) == (
        1,
        "35123456",
        "10.1093/cid/ciab0789",
        None,
    )
    assert (second.loc.line, second.pmid, second.pmcid, second.abstract) == (
        17,
        "34567890",
        "PMC8456789",
        None,
    )
    found = listed(records)
    assert found["38123456"] == Paper(
        loc=Loc(line=10),
        title="Weight gain after antiretroviral therapy initiation: a pooled analysis",
        pmid="38123456",
        doi="10.1016/s0140-6736(23)02345-6",
        journal=Journal(abbreviation="Lancet"),
        date="2024 Jan 5",
        year=2024,
        pages="S0140-6736(23)02345-6",
        extra=(("note", "Online ahead of print"),),
    )
    assert found["33012345"].title == "Sex differences in antiretroviral toxicity?"
    assert found["33012345"].journal == Journal(abbreviation="J Int AIDS Soc")
    assert found["36456789"].types == ("Systematic Review",)
    got = [(r.kind, r.subject.pmid, r.object.pmid, r.rank) for r in relations(records)]
    assert got == [
        ("similar", "35123456", "38123456", 1),
        ("similar", "35123456", "33012345", 2),
        ("cites", "36456789", "34567890", None),
    ]


# ---------------------------------------------------------------------------- sniff

NOT_PAGES = {
    "empty": "",
    "pmid only": "PMID: 30812345\nA note about this paper.\n",
    "random": "The quick brown fox jumps over the lazy dog.\nAbstract\nPMID 12\n",
    "medline": "PMID- 30812345\nOWN - NLM\nTI  - A title.\nAB  - Abstract text.\nFAU - Lopez, Maria K\n",
    "ris": "TY  - JOUR\nTI  - A title\nAU  - Lopez, Maria K\nAN  - 30812345\nER  - \n",
    "bibtex": "@article{lopez2019,\n  title={A title},\n  pmid={30812345},\n  year={2019}\n}\n",
    "xml": '<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation>'
    '<PMID Version="1">30812345</PMID></MedlineCitation></PubmedArticle></PubmedArticleSet>',
    "json": '{"pmid": "30812345", "title": "A title", "abstract": "Abstract"}',
    "scite": SCITE_SEED.read_text(encoding="utf-8"),
}


@pytest.mark.parametrize("path", [SEED, *FIXTURE_FILES], ids=lambda p: p.name)
def test_sniff_accepts_pages(path: Path) -> None:
    assert pubmed_page.sniff(path.read_text(encoding="utf-8")) is True


@pytest.mark.parametrize("name", NOT_PAGES)
def test_sniff_rejects_other_text(name: str) -> None:
    assert pubmed_page.sniff(NOT_PAGES[name]) is False


# ---------------------------------------------------------------------------- robustness


@pytest.mark.parametrize("path", [SEED, *FIXTURE_FILES], ids=lambda p: p.name)
def test_parse_never_raises_on_truncated_text(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    for cut in range(len(lines) + 1):
        records = list(pubmed_page.parse("\n".join(lines[:cut])))
        for record in records:
            assert isinstance(record, (Paper, Relation, Problem))
            assert record.loc.path == ""
            assert record.loc.line >= 1


GARBAGE = [
    "Skip to main page content",
    "Skip to main page content\nPage navigation\nAbstract\nPMID: 0\n",
    "x\n- PMID: abc\n- DOI: nonsense\nSimilar articles\n-\nbroken.J. 2020. PMID: 1\n",
    "Lancet\n. 2019\n\nPMID: 1\nCited by\nPMID: 99999999999\n" + "; ," * 500,
    "\x00\ufeff" + "." * 5000 + "\nReferences\n" + "a. " * 3000,
    "A\n- PMID: 1\nSimilar articles\n-\n" + "T.J. " * 2000 + "J. 2020. PMID: 2\n",
]


@pytest.mark.parametrize("text", GARBAGE)
def test_parse_never_raises_on_garbage(text: str) -> None:
    for record in pubmed_page.parse(text):
        assert isinstance(record, (Paper, Relation, Problem))


def test_unreadable_parts_become_problems_with_lines() -> None:
    text = FULL.read_text(encoding="utf-8").split("\n")
    cut = "\n".join(text[:97])  # the first similar article loses its citation and PMID lines
    records = list(pubmed_page.parse(cut))
    assert isinstance(records[-1], Problem)
    assert records[-1].loc == Loc(line=96)
    assert list(pubmed_page.parse("Skip to main page content\nnothing here")) == [
        Problem("no PubMed article found on the page", Loc(line=1))
    ]


def test_a_failing_section_reader_gives_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> MeshHeading:
        raise ValueError("boom")

    monkeypatch.setattr(pubmed_page_sections, "_mesh_heading", broken)
    records = read(FULL)
    problems = [r for r in records if isinstance(r, Problem)]
    assert problems == [Problem("cannot read 'MeSH terms': boom", Loc(line=139))]
    [page] = primaries(records)
    assert (page.mesh, page.pmid, len(page.grants)) == ((), "30812345", 3)
