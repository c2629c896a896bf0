"""A deterministic synthetic corpus of the literature kg reads, for tests and benchmarks.

One plan of ``articles`` papers (PMIDs from 30,000,000) is drawn from a seeded generator:
authors who write many papers and authors who write one (preferential attachment), ORCIDs for
some, affiliations, journals with Zipf-like popularity and valid ISSNs, MeSH headings,
keywords, grants, publication types, DOIs and PMCIDs for most, and reference lists whose
citations follow a heavy-tailed law (a paper is cited in proportion to the citations it already
has, as real citation counts are), plus a few references to grey literature known by their
text only. The same seed always gives the same bytes.

The plan is then written in the formats kg reads:

* PubMed XML files of 1,000 articles (``pubmed0000.xml`` …), every paper but the MEDLINE-only
  ones, with its ``ReferenceList``;
* MEDLINE files of 1,000 records (``medline0000.nbib`` …): about 10 % of the papers again (the
  same paper in two formats: identity resolution merges them) and 3 % found nowhere else (cited
  from the XML by PMID or DOI);
* PubMed page copies (``pubmed-page-<pmid>.txt``) for 2 % of the papers, alternately a
  browser's select-all of the full page (authors, affiliations, similar articles, cited by,
  references, MeSH, grants) and the compact layout; their list entries name papers of the
  corpus by PMID and DOI;
* scite report pages (``scite-<pmid>.txt``) for 2 % of the papers with a DOI: counts, tallies
  and citation statements.

Sizes: ``S``, ``M`` and ``L`` are article counts that give about 0.1 M, 1 M and 5 M triples in
kg's merged graph (see ``SIZES``).

    python -m bench.corpus DIR --size S
    python -m bench.corpus DIR --articles 2000 [--seed 0] [--per-file 1000]

``write(folder, articles, per_file, seed)`` writes the PubMed XML files only (every reference
by identifier, so the graph has exactly ``articles`` papers): tests/test_outputs.py uses it.
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import sys
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

FIRST_PMID = 30_000_000
PER_FILE = 1000

# Article counts of the benchmark sizes: about 0.1 M, 1 M and 5 M triples in kg's merged graph
# (a paper of the corpus gives about a hundred merged triples).
SIZES = {"S": 1_000, "M": 10_000, "L": 48_000}

# Shares of the papers (of ``articles``) written in the other formats; at least ``MIN_EXTRA`` of
# each kind, so that a tiny corpus still has them all.
MEDLINE_ALSO = 0.10  # papers written as MEDLINE records as well as in the XML
MEDLINE_ONLY = 0.03  # papers written as MEDLINE records only
PAGE_SHARE = 0.02  # papers with a PubMed page copy
SCITE_SHARE = 0.02  # papers with a scite page (among those with a DOI)
MIN_EXTRA = 2
GREY_SHARE = 0.03  # references to grey literature (text only, no identifier)
UNIFORM_CITATION = 0.3  # a citation picks any older paper; else one already cited (rich-get-richer)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_FAMILIES = (
    "Smith",
    "Nguyen",
    "Garcia",
    "Müller",
    "Rossi",
    "Kim",
    "Okafor",
    "Silva",
    "Cohen",
    "Tanaka",
    "Ivanova",
    "Dubois",
    "Patel",
    "Andersen",
    "Kowalski",
    "Haddad",
    "Mensah",
    "O'Brien",
    "Novak",
    "Fernández",
    "Chen",
    "Li",
    "Wang",
    "Schmidt",
)
_SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ran",
    "to",
    "vel",
    "sa",
    "ber",
    "ni",
    "do",
    "ma",
    "rek",
    "al",
    "ti",
    "gu",
    "sen",
    "or",
    "wa",
    "hel",
    "mu",
    "da",
    "ko",
    "ri",
    "ne",
)
_GIVEN = (
    "Anna",
    "Ben",
    "Chloé",
    "Dmitri",
    "Emeka",
    "Fatima",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sami",
    "Tomás",
    "Ulla",
    "Viktor",
    "Wen",
    "Yara",
    "Zeynep",
)
_WORDS = (
    "peer",
    "outreach",
    "stigma",
    "health",
    "care",
    "sex",
    "workers",
    "HIV",
    "prevention",
    "community",
    "trial",
    "cohort",
    "intervention",
    "access",
    "clinic",
    "barriers",
    "mortality",
    "adherence",
    "screening",
    "randomised",
    "survey",
    "qualitative",
    "policy",
    "urban",
    "rural",
    "risk",
    "network",
    "support",
    "testing",
    "treatment",
    "women",
    "youth",
)
_TOPICS = (
    "Public Health",
    "Infectious Diseases",
    "Epidemiology",
    "HIV Medicine",
    "Health Services",
    "Global Health",
    "Nursing",
    "Clinical Microbiology",
    "Health Policy",
    "Social Medicine",
    "Preventive Medicine",
    "Community Health",
    "Sexual Health",
    "Substance Use",
    "Health Equity",
    "Primary Care",
    "Tropical Medicine",
    "Womens Health",
    "Adolescent Health",
    "Medical Sociology",
)
_JOURNAL_FORMS = (
    "Journal of {}",
    "International Journal of {}",
    "Annals of {}",
    "BMC {}",
    "{} Research",
    "{} Reports",
)
_ABBREVIATIONS = {
    "Journal": "J",
    "International": "Int",
    "of": "",
    "Annals": "Ann",
    "Research": "Res",
    "Reports": "Rep",
    "Infectious": "Infect",
    "Diseases": "Dis",
    "Epidemiology": "Epidemiol",
    "Medicine": "Med",
    "Services": "Serv",
    "Clinical": "Clin",
    "Microbiology": "Microbiol",
    "Preventive": "Prev",
    "Community": "Community",
    "Sexual": "Sex",
    "Tropical": "Trop",
    "Womens": "Womens",
    "Adolescent": "Adolesc",
    "Medical": "Med",
    "Sociology": "Sociol",
    "Social": "Soc",
    "Nursing": "Nurs",
    "Primary": "Prim",
}
_MESH = (
    ("D006801", "Humans"),
    ("D005260", "Female"),
    ("D008297", "Male"),
    ("D000328", "Adult"),
    ("D008875", "Middle Aged"),
    ("D000293", "Adolescent"),
    ("D015658", "HIV Infections"),
    ("D012747", "Sex Workers"),
    ("D006293", "Health Promotion"),
    ("D011634", "Public Health"),
    ("D015995", "Prevalence"),
    ("D012307", "Risk Factors"),
    ("D003430", "Cross-Sectional Studies"),
    ("D015331", "Cohort Studies"),
    ("D011795", "Surveys and Questionnaires"),
    ("D036301", "Qualitative Research"),
    ("D006297", "Health Services Accessibility"),
    ("D012931", "Social Stigma"),
    ("D012720", "Severity of Illness Index"),
    ("D016032", "Randomized Controlled Trials as Topic"),
    ("D003140", "Communicable Diseases"),
    ("D012816", "Signs and Symptoms"),
    ("D005500", "Follow-Up Studies"),
    ("D011446", "Prospective Studies"),
    ("D012189", "Retrospective Studies"),
    ("D016896", "Treatment Outcome"),
    ("D008403", "Mass Screening"),
    ("D015233", "Models, Statistical"),
    ("D019468", "Disease Management"),
    ("D003695", "Delivery of Health Care"),
)
_SECTIONS = ("Introduction", "Methods", "Results", "Discussion", "Background", "Conclusion")
_STATEMENT_TYPES = ("mentioning", "mentioning", "mentioning", "supporting", "contrasting")
_TALLIES = ("supporting", "mentioning", "contrasting")  # the order scite prints them in
_AGENCIES = (
    ("AI", "NIAID NIH HHS", "United States"),
    ("MH", "NIMH NIH HHS", "United States"),
    ("DA", "NIDA NIH HHS", "United States"),
    ("WT_", "Wellcome Trust", "United Kingdom"),
    ("MRC_", "Medical Research Council", "United Kingdom"),
)
_CITIES = (
    ("Toronto", "Canada"),
    ("Lagos", "Nigeria"),
    ("Amsterdam", "Netherlands"),
    ("Singapore", "Singapore"),
    ("Baltimore", "United States"),
    ("Lusaka", "Zambia"),
    ("Vancouver", "Canada"),
    ("London", "United Kingdom"),
    ("Bangkok", "Thailand"),
    ("Cape Town", "South Africa"),
    ("Lima", "Peru"),
    ("Hanoi", "Vietnam"),
)
_GREY = (
    "World Health Organization. Consolidated guidelines on {} and {}. Geneva: WHO; {}.",
    "UNAIDS. Global report on {} among {}. Geneva: UNAIDS; {}.",
    "National Institute for Health and Care Excellence. {} and {}: guidance. London: NICE; {}.",
)

# The chrome of a browser's select-all copy of a PubMed page, before and after the article.
_PAGE_HEAD = (
    "Skip to main page content",
    "An official website of the United States government",
    "Here's how you know",
    "Log in",
    "Show account info",
    "Access keys NCBI Homepage MyNCBI Homepage Main Content Main Navigation",
    "Search:",
    "Search",
    "Advanced Clipboard",
    "User Guide",
    "Save",
    "Email",
    "Send to",
    "Display options",
    "Full text links",
    "Free PMC article",
    "Actions",
    "Cite",
    "Permalink",
    "Copy",
    "Page navigation",
    "Title & authors",
    "Abstract",
    "Similar articles",
    "Cited by",
    "References",
    "Publication types",
    "MeSH terms",
    "Grants and funding",
    "LinkOut - more resources",
)
_PAGE_FOOT = (
    "LinkOut - more resources",
    "Full Text Sources",
    "Europe PubMed Central",
    "NCBI Literature Resources",
    "MeSH PMC Bookshelf Disclaimer",
    "The PubMed wordmark and PubMed logo are registered trademarks of the U.S. Department of "
    "Health and Human Services (HHS). Unauthorized use of these marks is strictly prohibited.",
    "Follow NCBI",
    "Connect with NLM",
    "National Library of Medicine 8600 Rockville Pike Bethesda, MD 20894",
    "Web Policies FOIA HHS Vulnerability Disclosure",
    "Help Accessibility Careers",
)
_SCITE_SIDEBAR = (
    "|View full text |Cite",
    "|",
    "Sign up to set email alerts",
    "|",
)


# ---------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Author:
    family: str
    given: str
    initials: str
    affiliation: str
    orcid: str | None = None


@dataclass(frozen=True)
class Journal:
    title: str
    abbreviation: str
    issn: str


@dataclass(frozen=True)
class Reference:
    """A reference: to a paper of the corpus (``pmid``; ``by`` says which identifiers the
    reference prints: "pmid", "doi" or "both") or to grey literature (``text`` only)."""

    pmid: int | None = None
    by: str = "pmid"
    text: str | None = None


@dataclass(frozen=True)
class Article:
    pmid: int
    doi: str | None
    pmcid: str | None
    title: str
    abstract: tuple[tuple[str, str], ...]  # (label, text)
    year: int
    month: int
    day: int
    journal: Journal
    volume: int
    issue: int
    pages: str
    authors: tuple[Author, ...]
    mesh: tuple[tuple[str, str, bool], ...]  # (UI, descriptor, major topic)
    keywords: tuple[str, ...]
    types: tuple[str, ...]
    grants: tuple[tuple[str, str, str, str], ...]  # (identifier, acronym, agency, country)
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class Corpus:
    """What ``write_corpus`` wrote: the files of each kind and the papers each holds."""

    folder: Path
    articles: int
    seed: int
    xml_files: tuple[Path, ...]
    medline_files: tuple[Path, ...]
    page_files: tuple[Path, ...]
    scite_files: tuple[Path, ...]
    xml_pmids: tuple[int, ...]
    medline_pmids: tuple[int, ...]  # in MEDLINE files (also in the XML or not)
    medline_only_pmids: tuple[int, ...]
    page_pmids: tuple[int, ...]
    scite_pmids: tuple[int, ...]
    references: int  # reference-list entries in the XML
    grey_references: int  # of which to grey literature (text only)
    bytes: int

    @property
    def files(self) -> tuple[Path, ...]:
        return self.xml_files + self.medline_files + self.page_files + self.scite_files


def _check_digit_issn(digits: str) -> str:
    total = sum(int(d) * (8 - i) for i, d in enumerate(digits))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _check_digit_orcid(digits: str) -> str:
    total = 0
    for d in digits:
        total = (total + int(d)) * 2
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _abbreviate(title: str) -> str:
    words = (_ABBREVIATIONS.get(word, word) for word in title.split())
    return " ".join(word for word in words if word)


def _journals(rng: random.Random) -> tuple[Journal, ...]:
    forms = [(form, topic) for topic in _TOPICS for form in _JOURNAL_FORMS]
    journals = []
    for form, topic in rng.sample(forms, 80):
        title = form.format(topic)
        digits = f"{rng.randrange(1000, 10_000)}{rng.randrange(1000):03d}"
        issn = f"{digits[:4]}-{digits[4:]}{_check_digit_issn(digits)}"
        journals.append(Journal(title, _abbreviate(title), issn))
    return tuple(journals)


class _Zipf:
    """Picks index ``r`` of ``n`` with weight 1 / (r + 1)."""

    def __init__(self, n: int) -> None:
        self.cumulative: list[float] = []
        total = 0.0
        for rank in range(n):
            total += 1 / (rank + 1)
            self.cumulative.append(total)

    def pick(self, rng: random.Random) -> int:
        return bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])


class _People:
    """Authors: each slot of a paper is, with ``reuse`` probability, someone who already wrote
    (chosen in proportion to the papers they wrote), else a new person."""

    def __init__(self, rng: random.Random, reuse: float = 0.55) -> None:
        self.rng = rng
        self.reuse = reuse
        self.slots: list[Author] = []
        self.institutions = [
            f"{kind} {city}" for city, _ in _CITIES for kind in ("University of", "Hospital of")
        ]

    def new(self) -> Author:
        rng = self.rng
        if rng.random() < 0.4:
            family = rng.choice(_FAMILIES)
        else:
            family = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).title()
        given = rng.choice(_GIVEN)
        initials = given[0]
        if rng.random() < 0.3:
            middle = rng.choice("ABCDEFGHJKLMNPRST")
            given, initials = f"{given} {middle}", initials + middle
        city_index = rng.randrange(len(_CITIES))
        city, country = _CITIES[city_index]
        institution = self.institutions[2 * city_index + rng.randrange(2)]
        department = rng.choice(_TOPICS)
        affiliation = f"Department of {department}, {institution}, {city}, {country}."
        orcid = None
        if rng.random() < 0.25:
            digits = f"00000002{rng.randrange(10_000_000):07d}"
            whole = digits + _check_digit_orcid(digits)
            orcid = "-".join(whole[i : i + 4] for i in range(0, 16, 4))
        return Author(family, given, initials, affiliation, orcid)

    def authors(self, count: int) -> tuple[Author, ...]:
        chosen: list[Author] = []
        for _ in range(count * 3):
            if len(chosen) == count:
                break
            if self.slots and self.rng.random() < self.reuse:
                author = self.rng.choice(self.slots)
            else:
                author = self.new()
            if all((a.family, a.initials) != (author.family, author.initials) for a in chosen):
                chosen.append(author)
        self.slots.extend(chosen)
        return tuple(chosen)


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize()


def _reference_mode(rng: random.Random, has_doi: bool) -> str:
    if not has_doi:
        return "pmid"
    draw = rng.random()
    return "pmid" if draw < 0.7 else "both" if draw < 0.9 else "doi"


def plan(articles: int, seed: int = 0, grey: float = GREY_SHARE) -> tuple[Article, ...]:
    """``articles`` papers (PMIDs ``FIRST_PMID``…), each citing older ones: citations go to a
    uniformly drawn older paper with probability ``UNIFORM_CITATION``, else to a paper drawn
    from all citations made so far (preferential attachment), so citation counts are
    heavy-tailed. ``grey`` is the share of references to grey literature (no identifier)."""
    rng = random.Random(f"kg-corpus-{seed}")
    journals = _journals(rng)
    journal_pick, mesh_pick = _Zipf(len(journals)), _Zipf(len(_MESH))
    people = _People(rng)
    grey_texts = [
        rng.choice(_GREY).format(rng.choice(_WORDS), rng.choice(_WORDS), rng.randint(2000, 2023))
        for _ in range(max(5, articles // 40))
    ]
    grey_pick = _Zipf(len(grey_texts))
    cited_so_far: list[int] = []  # one entry per citation made: preferential attachment
    has_doi: list[bool] = []
    out: list[Article] = []
    for index in range(articles):
        pmid = FIRST_PMID + index
        year = min(2024, 1990 + 35 * index // max(articles, 1) + rng.randint(0, 1))
        journal = journals[journal_pick.pick(rng)]
        doi = None
        if rng.random() < 0.85:
            slug = "".join(word[0] for word in journal.abbreviation.split()).lower()
            doi = f"10.5555/{slug}.{year}.{pmid}"
        pmcid = f"PMC{pmid - FIRST_PMID + 5_000_000}" if rng.random() < 0.3 else None
        title = _sentence(rng, 6, 14)
        labels = ("Background", "Methods", "Results", "Conclusions")
        abstract = tuple(
            (label, ". ".join(_sentence(rng, 6, 14) for _ in range(rng.randint(1, 3))) + ".")
            for label in labels
        )
        count = (
            0 if index == 0 or rng.random() < 0.25 else min(80, int(rng.lognormvariate(2.6, 0.6)))
        )
        targets: list[int] = []
        for _ in range(count):
            if not cited_so_far or rng.random() < UNIFORM_CITATION:
                target = rng.randrange(index)
            else:
                target = rng.choice(cited_so_far)
            if target not in targets:
                targets.append(target)
        references: list[Reference] = []
        for target in sorted(targets):
            mode = _reference_mode(rng, has_doi[target])
            references.append(Reference(pmid=FIRST_PMID + target, by=mode))
        if grey and count and rng.random() < grey * 10:
            for _ in range(rng.randint(1, 2)):
                text = grey_texts[grey_pick.pick(rng)]
                if all(r.text != text for r in references):
                    references.append(Reference(text=text))
        cited_so_far.extend(targets)
        mesh_indices = sorted({mesh_pick.pick(rng) for _ in range(rng.randint(2, 8))})
        mesh = tuple((*_MESH[i], rng.random() < 0.25) for i in mesh_indices)
        keywords = (
            tuple(sorted({rng.choice(_WORDS) for _ in range(rng.randint(3, 5))}))
            if rng.random() < 0.4
            else ()
        )
        types = ["Journal Article"]
        draw = rng.random()
        if draw < 0.08:
            types.append("Review")
        elif draw < 0.13:
            types.append("Randomized Controlled Trial")
        grants = tuple(
            (f"R01 {acronym}{rng.randrange(100_000, 1_000_000)}", acronym, agency, country)
            for acronym, agency, country in rng.sample(_AGENCIES, rng.randint(1, 2))
            if rng.random() < 0.2
        )
        start = rng.randint(1, 900)
        out.append(
            Article(
                pmid=pmid,
                doi=doi,
                pmcid=pmcid,
                title=title,
                abstract=abstract,
                year=year,
                month=rng.randint(1, 12),
                day=rng.randint(1, 28),
                journal=journal,
                volume=rng.randint(1, 40),
                issue=rng.randint(1, 12),
                pages=f"{start}-{start + rng.randint(3, 15)}",
                authors=people.authors(1 + min(14, int(rng.lognormvariate(1.1, 0.7)))),
                mesh=mesh,
                keywords=keywords,
                types=tuple(types),
                grants=grants,
                references=tuple(references),
            )
        )
        has_doi.append(doi is not None)
    return tuple(out)


# ---------------------------------------------------------------------------- PubMed XML


def _short_authors(article: Article, most: int = 6) -> str:
    names = [f"{a.family} {a.initials}" for a in article.authors[:most]]
    if len(article.authors) > most:
        names.append("et al")
    return ", ".join(names)


def _citation_text(article: Article) -> str:
    """How a reference list prints the article (the same text wherever it is cited)."""
    return (
        f"{_short_authors(article, 3)}. {article.title}. {article.journal.abbreviation}. "
        f"{article.year};{article.volume}({article.issue}):{article.pages}."
    )


def _xml_reference(reference: Reference, by_pmid: dict[int, Article]) -> str:
    if reference.pmid is None:
        return f"<Reference><Citation>{escape(reference.text or '')}</Citation></Reference>"
    cited = by_pmid[reference.pmid]
    ids = []
    if reference.by in ("pmid", "both"):
        ids.append(f'<ArticleId IdType="pubmed">{cited.pmid}</ArticleId>')
    if reference.by in ("doi", "both") and cited.doi:
        ids.append(f'<ArticleId IdType="doi">{cited.doi}</ArticleId>')
    return (
        f"<Reference><Citation>{escape(_citation_text(cited))}</Citation>"
        f"<ArticleIdList>{''.join(ids)}</ArticleIdList></Reference>"
    )


def xml_article(article: Article, by_pmid: dict[int, Article]) -> str:
    """One ``<PubmedArticle>``."""
    authors = []
    for author in article.authors:
        orcid = f'<Identifier Source="ORCID">{author.orcid}</Identifier>' if author.orcid else ""
        authors.append(
            f'<Author ValidYN="Y"><LastName>{escape(author.family)}</LastName>'
            f"<ForeName>{escape(author.given)}</ForeName><Initials>{author.initials}</Initials>"
            f"{orcid}<AffiliationInfo><Affiliation>{escape(author.affiliation)}</Affiliation>"
            "</AffiliationInfo></Author>"
        )
    abstract = "".join(
        f'<AbstractText Label="{label.upper()}" NlmCategory="{label.upper()}">'
        f"{escape(text)}</AbstractText>"
        for label, text in article.abstract
    )
    grants = "".join(
        f"<Grant><GrantID>{g}</GrantID><Acronym>{a}</Acronym><Agency>{escape(agency)}</Agency>"
        f"<Country>{country}</Country></Grant>"
        for g, a, agency, country in article.grants
    )
    grant_list = f'<GrantList CompleteYN="Y">{grants}</GrantList>' if grants else ""
    types = "".join(f"<PublicationType>{t}</PublicationType>" for t in article.types)
    mesh = "".join(
        f'<MeshHeading><DescriptorName UI="{ui}" MajorTopicYN="{"Y" if major else "N"}">'
        f"{escape(name)}</DescriptorName></MeshHeading>"
        for ui, name, major in article.mesh
    )
    keywords = "".join(f'<Keyword MajorTopicYN="N">{escape(k)}</Keyword>' for k in article.keywords)
    keyword_list = f'<KeywordList Owner="NOTNLM">{keywords}</KeywordList>' if keywords else ""
    elocation = (
        f'<ELocationID EIdType="doi" ValidYN="Y">{article.doi}</ELocationID>' if article.doi else ""
    )
    ids = [f'<ArticleId IdType="pubmed">{article.pmid}</ArticleId>']
    if article.doi:
        ids.append(f'<ArticleId IdType="doi">{article.doi}</ArticleId>')
    if article.pmcid:
        ids.append(f'<ArticleId IdType="pmc">{article.pmcid}</ArticleId>')
    references = "".join(_xml_reference(r, by_pmid) for r in article.references)
    reference_list = f"<ReferenceList>{references}</ReferenceList>" if references else ""
    journal = article.journal
    return (
        '<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
        f'<PMID Version="1">{article.pmid}</PMID><Article PubModel="Print"><Journal>'
        f'<ISSN IssnType="Electronic">{journal.issn}</ISSN><JournalIssue CitedMedium="Internet">'
        f"<Volume>{article.volume}</Volume><Issue>{article.issue}</Issue><PubDate>"
        f"<Year>{article.year}</Year><Month>{MONTHS[article.month - 1]}</Month>"
        f"<Day>{article.day:02d}</Day></PubDate></JournalIssue><Title>{escape(journal.title)}"
        f"</Title><ISOAbbreviation>{escape(journal.abbreviation)}</ISOAbbreviation></Journal>"
        f"<ArticleTitle>{escape(article.title)}.</ArticleTitle><Pagination><MedlinePgn>"
        f"{article.pages}</MedlinePgn></Pagination>{elocation}<Abstract>{abstract}</Abstract>"
        f'<AuthorList CompleteYN="Y">{"".join(authors)}</AuthorList><Language>eng</Language>'
        f"{grant_list}<PublicationTypeList>{types}</PublicationTypeList></Article>"
        f"<MedlineJournalInfo><Country>United States</Country><MedlineTA>"
        f"{escape(journal.abbreviation)}</MedlineTA><ISSNLinking>{journal.issn}</ISSNLinking>"
        f"</MedlineJournalInfo><MeshHeadingList>{mesh}</MeshHeadingList>{keyword_list}"
        "</MedlineCitation><PubmedData>"
        f"<ArticleIdList>{''.join(ids)}</ArticleIdList>{reference_list}</PubmedData>"
        "</PubmedArticle>"
    )


def _xml_file(path: Path, items: Iterable[str]) -> int:
    body = "\n".join(items)
    data = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n{body}\n</PubmedArticleSet>\n'
    ).encode()
    path.write_bytes(data)
    return len(data)


def _chunks(items: Sequence[Article], size: int) -> Iterable[Sequence[Article]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write(folder: Path, articles: int, per_file: int = PER_FILE, seed: int = 0) -> list[Path]:
    """The papers of ``plan(articles, seed)`` as PubMed XML files of ``per_file`` articles in
    ``folder`` (``pubmed0000.xml`` …), every reference by identifier: a build of them has
    exactly ``articles`` papers."""
    folder.mkdir(parents=True, exist_ok=True)
    papers = plan(articles, seed, grey=0.0)
    by_pmid = {a.pmid: a for a in papers}
    paths = []
    for n, chunk in enumerate(_chunks(papers, per_file)):
        path = folder / f"pubmed{n:04d}.xml"
        _xml_file(path, (xml_article(a, by_pmid) for a in chunk))
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------- MEDLINE


def _tag(tag: str, value: str) -> list[str]:
    """``TAG - value`` wrapped at 80 columns with six-space continuation lines."""
    lines = textwrap.wrap(value, 74, break_long_words=False, break_on_hyphens=False) or [""]
    return [f"{tag:<4}- {lines[0]}", *(f"      {line}" for line in lines[1:])]


def medline_record(article: Article) -> str:
    """One MEDLINE (PubMed format) record."""
    journal = article.journal
    lines = [
        *_tag("PMID", str(article.pmid)),
        *_tag("OWN", "NLM"),
        *_tag("STAT", "MEDLINE"),
        *_tag("IS", f"{journal.issn} (Linking)"),
        *_tag("VI", str(article.volume)),
        *_tag("IP", str(article.issue)),
        *_tag("DP", f"{article.year} {MONTHS[article.month - 1]} {article.day}"),
        *_tag("TI", article.title + "."),
        *_tag("PG", article.pages),
    ]
    if article.doi:
        lines += _tag("LID", f"{article.doi} [doi]")
    abstract = " ".join(f"{label.upper()}: {text}" for label, text in article.abstract)
    lines += _tag("AB", abstract)
    for author in article.authors:
        lines += _tag("FAU", f"{author.family}, {author.given}")
        lines += _tag("AU", f"{author.family} {author.initials}")
        if author.orcid:
            lines += _tag("AUID", f"ORCID: {author.orcid}")
        lines += _tag("AD", author.affiliation)
    lines += _tag("LA", "eng")
    for identifier, acronym, agency, country in article.grants:
        lines += _tag("GR", f"{identifier}/{acronym}/{agency}/{country}")
    for kind in article.types:
        lines += _tag("PT", kind)
    lines += _tag("TA", journal.abbreviation)
    lines += _tag("JT", journal.title)
    for _ui, name, major in article.mesh:
        lines += _tag("MH", ("*" if major else "") + name)
    for keyword in article.keywords:
        lines += _tag("OT", keyword)
    if article.pmcid:
        lines += _tag("PMC", article.pmcid)
    if article.doi:
        lines += _tag("AID", f"{article.doi} [doi]")
    source = (
        f"{journal.abbreviation}. {article.year} {MONTHS[article.month - 1]} {article.day};"
        f"{article.volume}({article.issue}):{article.pages}."
    )
    lines += _tag("SO", source)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- PubMed pages


def _page_source(article: Article) -> str:
    """``2019 Mar 2;393(10174):857-66. doi: 10.1016/…`` (the citation part of a page)."""
    text = (
        f"{article.year} {MONTHS[article.month - 1]} {article.day};{article.volume}"
        f"({article.issue}):{article.pages}."
    )
    return text + (f" doi: {article.doi}." if article.doi else "")


def _flag(article: Article) -> str:
    flags = ["Free PMC article."] if article.pmcid else []
    flags += [f"{t}." for t in article.types if t != "Journal Article"]
    return " ".join(flags)


def _full_entry(article: Article) -> list[str]:
    """A list entry of a full page: title / short authors / citation / PMID and flags."""
    return [
        f"{article.title}.",
        f"{_short_authors(article)}.",
        f"{article.journal.abbreviation}. {_page_source(article)}",
        f"PMID: {article.pmid} {_flag(article)}".rstrip(),
    ]


def _compact_entry(article: Article) -> str:
    """``Title.Journal. DATE;VOL(ISSUE):PAGES. doi: …. Journal. YEAR. PMID: N flags``."""
    abbreviation = article.journal.abbreviation
    return (
        f"{article.title}.{abbreviation}. {_page_source(article)} {abbreviation}. "
        f"{article.year}. PMID: {article.pmid} {_flag(article)}"
    ).rstrip()


def _page_reference(reference: Reference, by_pmid: dict[int, Article]) -> str:
    if reference.pmid is None:
        return reference.text or ""
    cited = by_pmid[reference.pmid]
    text = _citation_text(cited)
    if cited.doi and reference.by != "pmid":
        return f"{text} doi: {cited.doi}. - DOI - PubMed"
    return f"{text} PMID: {cited.pmid} - PubMed"


def full_page(
    article: Article,
    similar: Sequence[Article],
    cited_by: Sequence[Article],
    by_pmid: dict[int, Article],
) -> str:
    """A browser's select-all copy of the article's PubMed page."""
    affiliations = list(dict.fromkeys(a.affiliation for a in article.authors))
    names = ", ".join(
        f"{a.given} {a.family} {affiliations.index(a.affiliation) + 1}" for a in article.authors
    )
    ids = f"PMID: {article.pmid}"
    if article.pmcid:
        ids += f" PMCID: {article.pmcid}"
    if article.doi:
        ids += f" DOI: {article.doi}"
    lines = [
        *_PAGE_HEAD,
        article.journal.abbreviation,
        f". {_page_source(article)}",
        article.title,
        names,
        "Affiliations Collapse",
        *(f"{n}{text}" for n, text in enumerate(affiliations, 1)),
        ids,
        "Abstract",
        *(f"{label}: {text}" for label, text in article.abstract),
    ]
    if article.keywords:
        lines.append("Keywords: " + "; ".join(article.keywords) + ".")
    lines += ["PubMed Disclaimer", "Similar articles"]
    for entry in similar:
        lines += _full_entry(entry)
    lines += ["See all similar articles", "Cited by"]
    for entry in cited_by:
        lines += _full_entry(entry)
    lines += ['See all "Cited by" articles', "References"]
    for reference in article.references:
        lines += [" ", _page_reference(reference, by_pmid)]
    if article.references:
        lines += [" ", f"Show all {len(article.references)} references"]
    lines += ["Publication types", *article.types, "MeSH terms"]
    lines += [name + ("*" if major else "") for _ui, name, major in article.mesh]
    if article.grants:
        lines.append("Grants and funding")
        lines += [f"{g}/{a}/{agency}/{country}" for g, a, agency, country in article.grants]
    lines += _PAGE_FOOT
    return "\n".join(lines) + "\n"


def compact_page(article: Article, similar: Sequence[Article], cited_by: Sequence[Article]) -> str:
    """The compact layout: title, ``- PMID:`` lines, abstract, one-line list entries."""
    lines = [article.title, f"- PMID: {article.pmid}"]
    if article.pmcid:
        lines.append(f"- PMCID: {article.pmcid}")
    if article.doi:
        lines.append(f"- DOI: {article.doi}")
    lines += [article.title, "Abstract"]
    lines += [f"{label}: {text}" for label, text in article.abstract]
    lines.append("Similar articles")
    for entry in similar:
        lines += ["-", _compact_entry(entry)]
    lines.append("Cited by")
    for entry in cited_by:
        lines += ["-", _compact_entry(entry)]
    lines += ["References", "Publication types", "MeSH terms"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- scite pages


def scite_page(article: Article, cited_by: int, rng: random.Random) -> str:
    """A scite report page of the article: counts, tallies and citation statements."""
    statements = []
    for _ in range(rng.randint(3, 12)):
        kind = rng.choice(_STATEMENT_TYPES)
        text = ". ".join(_sentence(rng, 8, 20) for _ in range(rng.randint(1, 3)))
        number = rng.randint(1, 60)
        statements.append((text + f" [{number}].", rng.choice(_SECTIONS), kind))
    tallies = [sum(1 for s in statements if s[2] == k) for k in _TALLIES]
    shown_abstract = article.abstract[0][1][:200].rstrip(".")
    lines = [
        str(article.year),
        f"DOI: {article.doi}",
        *_SCITE_SIDEBAR,
        "",
        article.title,
        "",
        f"Abstract: {article.abstract[0][0]}{shown_abstract}… Show more",
        "",
        "Help me understand this report",
        "",
        "Search citation statements",
        "",
        "Order By: Relevance",
        "",
        "Paper Sections",
        "",
        "Citation Types",
        "",
        *(str(t) for t in tallies),
        "",
        "Authors",
        "",
        "Journals",
        "",
        "citations",
        f"Cited by {max(cited_by, len(statements))} publications",
        f"({len(statements)} citation statements)",
        "references",
        f"References {len(article.references)} publications",
        *(str(t) for t in tallies),
        "Order By: Relevance",
    ]
    for text, section, kind in statements:
        lines += [f"\u201c…{text}…\u201d", f"Section: {section}{kind}"]
        lines.append(f"confidence: {rng.randint(60, 99)}%")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- the corpus


def _share(articles: int, share: float) -> int:
    return min(articles, max(MIN_EXTRA, math.ceil(articles * share)))


def write_corpus(folder: Path, articles: int, seed: int = 0, per_file: int = PER_FILE) -> Corpus:
    """The whole corpus in ``folder``: PubMed XML, MEDLINE, PubMed pages and scite pages."""
    folder.mkdir(parents=True, exist_ok=True)
    papers = plan(articles, seed)
    by_pmid = {a.pmid: a for a in papers}
    rng = random.Random(f"kg-corpus-files-{seed}")
    order = list(range(articles))
    rng.shuffle(order)
    only_count = _share(articles, MEDLINE_ONLY) if articles > 2 * MIN_EXTRA else 0
    also_count = _share(articles, MEDLINE_ALSO)
    medline_only = sorted(order[:only_count])
    medline_also = sorted(order[only_count : only_count + also_count])
    only_set = set(medline_only)
    in_xml = [a for i, a in enumerate(papers) if i not in only_set]
    total = 0
    xml_files = []
    for n, chunk in enumerate(_chunks(in_xml, per_file)):
        path = folder / f"pubmed{n:04d}.xml"
        total += _xml_file(path, (xml_article(a, by_pmid) for a in chunk))
        xml_files.append(path)
    in_medline = [papers[i] for i in sorted(medline_only + medline_also)]
    medline_files = []
    for n, chunk in enumerate(_chunks(in_medline, per_file)):
        path = folder / f"medline{n:04d}.nbib"
        data = "\n".join(medline_record(a) for a in chunk).encode()
        path.write_bytes(data)
        total += len(data)
        medline_files.append(path)
    # who cites whom, for the pages' "Cited by" lists and scite's counts
    citing: dict[int, list[Article]] = {}
    for article in papers:
        for reference in article.references:
            if reference.pmid is not None:
                citing.setdefault(reference.pmid, []).append(article)
    page_pmids = sorted(
        papers[i].pmid for i in rng.sample(range(articles), _share(articles, PAGE_SHARE))
    )
    page_files = []
    for n, pmid in enumerate(page_pmids):
        article = by_pmid[pmid]
        others = [p for p in rng.sample(papers, min(6, articles)) if p.pmid != pmid][:5]
        cited_by = citing.get(pmid, [])[-5:][::-1]
        if n % 2 == 0:
            text = full_page(article, others, cited_by, by_pmid)
        else:
            text = compact_page(article, others, cited_by)
        path = folder / f"pubmed-page-{pmid}.txt"
        data = text.encode()
        path.write_bytes(data)
        total += len(data)
        page_files.append(path)
    with_doi = [a for a in papers if a.doi]
    scite_pmids = sorted(
        a.pmid for a in rng.sample(with_doi, min(len(with_doi), _share(articles, SCITE_SHARE)))
    )
    scite_files = []
    for pmid in scite_pmids:
        article = by_pmid[pmid]
        data = scite_page(article, len(citing.get(pmid, ())) * 3, rng).encode()
        path = folder / f"scite-{pmid}.txt"
        path.write_bytes(data)
        total += len(data)
        scite_files.append(path)
    references = sum(len(a.references) for a in in_xml)
    grey = sum(1 for a in in_xml for r in a.references if r.pmid is None)
    return Corpus(
        folder=folder,
        articles=articles,
        seed=seed,
        xml_files=tuple(xml_files),
        medline_files=tuple(medline_files),
        page_files=tuple(page_files),
        scite_files=tuple(scite_files),
        xml_pmids=tuple(a.pmid for a in in_xml),
        medline_pmids=tuple(a.pmid for a in in_medline),
        medline_only_pmids=tuple(papers[i].pmid for i in medline_only),
        page_pmids=tuple(page_pmids),
        scite_pmids=tuple(scite_pmids),
        references=references,
        grey_references=grey,
        bytes=total,
    )


def describe(corpus: Corpus) -> str:
    """One line: what the corpus holds."""
    return (
        f"{corpus.articles} papers: {len(corpus.xml_files)} PubMed XML files "
        f"({len(corpus.xml_pmids)} articles, {corpus.references} references, "
        f"{corpus.grey_references} to grey literature), {len(corpus.medline_files)} MEDLINE "
        f"files ({len(corpus.medline_pmids)} records, {len(corpus.medline_only_pmids)} of papers "
        f"found nowhere else), {len(corpus.page_files)} PubMed pages, "
        f"{len(corpus.scite_files)} scite pages; {corpus.bytes / 1e6:.1f} MB"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.corpus", description=__doc__.splitlines()[0]
    )
    parser.add_argument("folder", type=Path)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--size", choices=sorted(SIZES), help="S, M or L (default S)")
    size.add_argument("--articles", type=int, help="number of papers")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-file", type=int, default=PER_FILE)
    parser.add_argument(
        "--xml-only",
        action="store_true",
        help="PubMed XML files only, every reference by identifier (what tests use)",
    )
    options = parser.parse_args(argv)
    articles = options.articles or SIZES[options.size or "S"]
    if articles < 1 or options.per_file < 1:
        parser.error("--articles and --per-file must be at least 1")
    if options.xml_only:
        paths = write(options.folder, articles, options.per_file, options.seed)
        sys.stdout.write(f"{articles} papers in {len(paths)} PubMed XML files\n")
        return 0
    corpus = write_corpus(options.folder, articles, options.seed, options.per_file)
    sys.stdout.write(describe(corpus) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
