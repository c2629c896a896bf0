"""The named queries (kg/queries/*.rq), each run on one small graph built once from
tests/fixtures/queries/, with the rows worked out from the fixtures by hand.

The fixture graph (20 papers):

- the two seeds: a scite report on S2 (10.1186/s12939-017-0655-2: 4 mentioning statements,
  "Cited by 43") and the PubMed page of S (10.1186/s12939-015-0156-0, PMID 25879639: 5 similar
  articles with ranks, 5 citing papers);
- outreach.nbib (MEDLINE): A (DOI and PMID 90000001; Doe JA with an ORCID, Roe R) and B (PMID
  90000002 only; Roe R, Poe S), both in "Harm Reduct Test";
- outreach.ris: A again (same DOI), so A comes from two sources;
- night.bib: Y (Poe, Doe, Roe; "Journal of Urban Testing", 2016);
- citing.jsonl (Crossref): C1 (Doe with the ORCID, Poe; 2021; "is-referenced-by-count": 3)
  cites X, Y and U1 (a reference known by its text only); C2 (Doe, Roe; 2022) cites X, Y and
  U2 (a reference with a title and no identifier, first author Lee M);
- outreach_vans_scite.txt (scite): X (2019, "Cited by 7"), 2 contrasting, 1 supporting and
  1 mentioning statement.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import shlex
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli
from kg.errors import QueryError
from kg.extract import detect
from kg.iris import slug, work_key
from kg.query import ParameterError, named, parse_params, run, run_named
from kg.store import open_graph
from kg.vocab import PREFIXES

from .conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "queries"
BASE = "https://w3id.org/kg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {XSD + t for t in ("integer", "nonNegativeInteger", "positiveInteger", "int", "long")}

QUERIES = {
    "papers",
    "top-cited",
    "cited-by",
    "cites",
    "similar",
    "co-cited",
    "coupled",
    "prolific-authors",
    "coauthors",
    "statements",
    "disputed",
    "per-year",
    "per-journal",
    "unresolved",
    "sources",
}
PAPER_QUERIES = {"cited-by", "cites", "co-cited", "coupled", "similar", "statements", "sources"}
# The queries that keep the papers published from and to some years (-p from=… -p to=…).
YEAR_QUERIES = {"papers", "per-year", "per-journal", "prolific-authors", "top-cited"}


def doi(value: str) -> str:
    return "https://doi.org/" + value


# The seeds' papers: IRI -> (title, year, NLM journal, DOI, PMID).
S = doi("10.1186/s12939-015-0156-0")  # the PubMed page (no year on the page copy)
S2 = doi("10.1186/s12939-017-0655-2")  # the scite report
SEED_CITERS = {  # S's "Cited by"
    doi("10.1371/journal.pmed.1002442"): (
        "HIV self-testing among female sex workers in Zambia: A cluster randomized controlled trial",
        "2017",
        "PLoS Med",
        "29161260",
    ),
    doi("10.1080/00224499.2020.1755821"): (
        "Confirmatory Factor Analysis and Construct Validity of the Internalized Sex Work Stigma "
        "Scale among a Cohort of Cisgender Female Sex Workers in Baltimore, Maryland, United States",
        "2021",
        "J Sex Res",
        "32401075",
    ),
    doi("10.1353/hpu.2021.0151"): (
        "Characterizing Health Care Access among Cisgender Female Sex Workers with Substance Use "
        "Histories in Baltimore, Maryland",
        "2021",
        "J Health Care Poor Underserved",
        "34421050",
    ),
    doi("10.1007/s13178-018-0339-8"): (
        "Canadian Sex Workers Weigh the Costs and Benefits of Disclosing Their Occupational Status "
        "to Health Providers",
        "2019",
        "Sex Res Social Policy",
        "31423291",
    ),
    doi("10.1016/j.drugalcdep.2022.109506"): (
        "Violence, policing, and systemic racism as structural barriers to substance use treatment "
        "amongst women sex workers who use drugs: Findings of a community-based cohort in "
        "Vancouver, Canada (2010-2019)",
        "2022",
        "Drug Alcohol Depend",
        "35753282",
    ),
}
SEED_SIMILAR = {  # S's "Similar articles", in the page's order (rank 1..5)
    doi("10.3310/gfvc7006"): (
        "East London Project: a participatory mixed-method evaluation on how removing enforcement "
        "could affect sex workers' safety, health and access to services in East London",
        "2024",
        "Public Health Res (Southampt)",
        "39711037",
    ),
    doi("10.1136/bmjopen-2014-005191"): (
        "Criminalisation of clients: reproducing vulnerabilities for violence and poor health "
        "among street-based sex workers in Canada-a qualitative study",
        "2014",
        "BMJ Open",
        "24889853",
    ),
    doi("10.1111/1467-9566.12436"): (
        "'They won't change it back in their heads that we're trash': the intersection of sex "
        "work-related stigma and evolving policing strategies",
        "2016",
        "Sociol Health Illn",
        "27113456",
    ),
    doi("10.1371/journal.pone.0134900"): (
        "Arresting HIV: Fostering Partnerships between Sex Workers and Police to Reduce HIV Risk "
        "and Promote Professionalization within Policing Institutions: A Realist Review",
        "2015",
        "PLoS One",
        "26488904",
    ),
    doi("10.1037/ser0000803"): (
        "Law enforcement mental health: A systematic review of qualitative research",
        "2024",
        "Psychol Serv",
        "37747513",
    ),
}
S_TITLE = (
    "Reducing stigma in healthcare and law enforcement: a novel approach to service provision "
    "for street level sex workers"
)
S2_TITLE = (
    "Sex workers as peer health advocates: community empowerment and transformative learning "
    "through a Canadian pilot program"
)

# The hand-written fixtures' papers.
A = doi("10.5555/kgq.outreach")
A_TITLE = "Peer outreach and clinic attendance among street-based sex workers: a cohort study."
B = "https://pubmed.ncbi.nlm.nih.gov/90000002"
B_TITLE = "Police contact and health care avoidance in street-based sex work."
C1 = doi("10.5555/kgq.c1")
C1_TITLE = "Community-led health services for sex workers: a mixed-methods evaluation"
C2 = doi("10.5555/kgq.c2")
C2_TITLE = "Testing on wheels: five years of a mobile clinic"
X = doi("10.5555/kgq.x")
X_TITLE = "Outreach vans and HIV testing uptake among sex workers: a randomized trial"
Y = doi("10.5555/kgq.y")
Y_TITLE = "Night-time outreach and violence against sex workers"
# References with no identifier: keyed on title (else the printed text) + year + first author.
U1_TEXT = "Smith K. Outreach vans in three cities. Unpublished report; 2015."
U1 = BASE + "work/" + work_key(U1_TEXT, 2015, None)
U2_TITLE = "Night outreach programmes: a descriptive study"
U2 = BASE + "work/" + work_key(U2_TITLE, 2012, "Lee")

DOE = "https://orcid.org/0000-0002-1825-0097"  # Doe JA: the ORCID in MEDLINE and Crossref
ROE = BASE + "person/roe-r"
POE = BASE + "person/poe-s"
LEE = BASE + "person/lee-m"

URBAN = BASE + "journal/journal-of-urban-testing"
HARM = BASE + "journal/harm-reduct-test"


def plain(value: Any) -> Any:
    """An RDF term as a plain Python value: integers as int, decimals as Decimal, the rest as
    their lexical form or IRI, None for an unbound variable."""
    if value is None:
        return None
    if isinstance(value, ox.Literal):
        if value.datatype.value in INTEGERS:
            return int(value.value)
        if value.datatype.value == XSD + "decimal":
            return Decimal(value.value)
    return value.value


# ---------------------------------------------------------------------------- the graph


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("queries") / "out"
    report = kg.build([FIXTURES], out)
    assert report.complete, report.problems
    assert not report.warnings, report.warnings
    assert report.counts["papers"] == 20
    return out


@pytest.fixture(scope="module")
def store(build: Path) -> ox.Store:
    return open_graph(build)


def rows(store: ox.Store, query: str, /, **params: str) -> list[tuple[Any, ...]]:
    """The rows of a named query as plain values (``name`` is a parameter of coauthors)."""
    return [tuple(plain(v) for v in row) for row in run_named(store, query, params).rows]


def variables(store: ox.Store, query: str, /, **params: str) -> list[str]:
    return run_named(store, query, params).variables


def test_fixture_formats() -> None:
    """Each fixture file is read as the format it was written in."""
    formats = {
        path.name: detect(path.read_text(encoding="utf-8")) for path in sorted(FIXTURES.iterdir())
    }
    assert formats == {
        "000_18ca61cfa3613128.txt": ["scite_page"],
        "004_306def990ca61d5f.txt": ["pubmed_page"],
        "citing.jsonl": ["crossref_json"],
        "night.bib": ["bibtex"],
        "outreach.nbib": ["medline"],
        "outreach.ris": ["ris"],
        "outreach_vans_scite.txt": ["scite_page"],
    }
    for seed in ("000_18ca61cfa3613128.txt", "004_306def990ca61d5f.txt"):
        assert (FIXTURES / seed).read_bytes() == (ROOT / "seeds" / seed).read_bytes()


# ---------------------------------------------------------------------------- the catalogue


def test_every_query_is_described() -> None:
    queries = named()
    assert set(queries) == QUERIES
    for name, query in queries.items():
        assert query.summary, name
        header = query.text.split("SELECT", 1)[0]
        assert re.search(r"^# Parameters: \S", header, re.M), name
        assert query.example.startswith(f"kg query --name {name}"), name
        assert "ORDER BY" in query.text, name
        assert "PREFIX" not in query.text, name
    assert all(queries[n].parameters == ("paper",) for n in PAPER_QUERIES)
    assert queries["coauthors"].parameters == ("person", "name")
    assert all(queries[n].parameters == ("from", "to") for n in YEAR_QUERIES)
    others = QUERIES - PAPER_QUERIES - YEAR_QUERIES - {"coauthors"}
    assert all(queries[n].parameters == () for n in others)


def example_params(example: str) -> dict[str, str]:
    words = shlex.split(example)
    pairs = [value for flag, value in itertools.pairwise(words) if flag in ("-p", "--param")]
    return parse_params(pairs)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_example_runs(store: ox.Store, build: Path, name: str) -> None:
    """The example in the header runs, through the API and as a user types it."""
    query = named()[name]
    result = run_named(store, name, example_params(query.example))
    assert result.kind == "select"
    if name in PAPER_QUERIES:
        assert result.variables[0] == "paper"
    words = shlex.split(query.example)
    assert words[:2] == ["kg", "query"]
    outcome = CliRunner().invoke(cli, ["query", "-g", str(build), *words[2:]])
    assert outcome.exit_code == 0, outcome.output
    assert outcome.output.endswith(f"({len(result.rows)} row{'s' * (len(result.rows) != 1)})\n")


@pytest.mark.parametrize("name", sorted(PAPER_QUERIES))
def test_paper_not_in_graph(store: ox.Store, name: str) -> None:
    assert rows(store, name, doi="10.5555/no.such.paper") == []
    assert rows(store, name, pmid="99999999") == []


# ---------------------------------------------------------------------------- each query


def test_papers(store: ox.Store) -> None:
    def seed(iri: str) -> tuple[Any, ...]:
        title, year, journal, pmid = {**SEED_CITERS, **SEED_SIMILAR}[iri]
        return (iri, title, year, journal, iri.removeprefix("https://doi.org/"), pmid)

    # every paper with a title (U1 has only its printed text), by title
    assert rows(store, "papers") == [
        seed(doi("10.1111/1467-9566.12436")),  # "'They …": the quote sorts first
        seed(doi("10.1371/journal.pone.0134900")),
        seed(doi("10.1007/s13178-018-0339-8")),
        seed(doi("10.1353/hpu.2021.0151")),
        (C1, C1_TITLE, "2021", "Journal of Urban Testing", "10.5555/kgq.c1", None),
        seed(doi("10.1080/00224499.2020.1755821")),
        seed(doi("10.1136/bmjopen-2014-005191")),
        seed(doi("10.3310/gfvc7006")),
        seed(doi("10.1371/journal.pmed.1002442")),
        seed(doi("10.1037/ser0000803")),
        (U2, U2_TITLE, "2012", None, None, None),  # "Night " before "Night-"
        (Y, Y_TITLE, "2016", "Journal of Urban Testing", "10.5555/kgq.y", None),
        (X, X_TITLE, "2019", None, "10.5555/kgq.x", None),
        # MEDLINE's title (the best source) with its period; its NLM abbreviation, not JT
        (A, A_TITLE, "2020", "Harm Reduct Test", "10.5555/kgq.outreach", "90000001"),
        (B, B_TITLE, "2018", "Harm Reduct Test", None, "90000002"),
        (S, S_TITLE, None, None, "10.1186/s12939-015-0156-0", "25879639"),
        (S2, S2_TITLE, "2017", None, "10.1186/s12939-017-0655-2", None),
        (C2, C2_TITLE, "2022", "Journal of Urban Testing", "10.5555/kgq.c2", None),
        seed(doi("10.1016/j.drugalcdep.2022.109506")),
    ]


def test_top_cited(store: ox.Store) -> None:
    # in-graph citations first, then the largest global count; one row per global count
    assert rows(store, "top-cited") == [
        (S, S_TITLE, None, 5, None, None),  # the 5 papers of its "Cited by"
        (X, X_TITLE, "2019", 2, "scite", 7),  # C1 and C2; scite: "Cited by 7"
        (Y, Y_TITLE, "2016", 2, None, None),  # C1 and C2
        (U1, None, "2015", 1, None, None),  # C1; U1 before U2 by IRI
        (U2, U2_TITLE, "2012", 1, None, None),  # C2
        (S2, S2_TITLE, "2017", 0, "scite", 43),  # counted by scite only
        (C1, C1_TITLE, "2021", 0, "Crossref", 3),  # counted by Crossref only
    ]


def test_cited_by(store: ox.Store) -> None:
    assert rows(store, "cited-by", doi="10.5555/kgq.x") == [
        (X, C2, "2022", C2_TITLE, "10.5555/kgq.c2", None),
        (X, C1, "2021", C1_TITLE, "10.5555/kgq.c1", None),
    ]
    assert rows(store, "cited-by", doi="10.5555/kgq.c1") == []


def test_cites(store: ox.Store) -> None:
    assert variables(store, "cites", doi="10.5555/kgq.c1") == [
        "paper",
        "cited",
        "year",
        "title",
        "citation",
        "doi",
        "pmid",
    ]
    assert rows(store, "cites", doi="10.5555/KGQ.C1") == [  # the DOI is matched lowercase
        (C1, X, "2019", X_TITLE, None, "10.5555/kgq.x", None),
        (C1, Y, "2016", Y_TITLE, None, "10.5555/kgq.y", None),
        (C1, U1, "2015", None, U1_TEXT, None, None),  # the year read from the text
    ]
    assert rows(store, "cites", doi="10.5555/kgq.c2") == [
        (C2, X, "2019", X_TITLE, None, "10.5555/kgq.x", None),
        (C2, Y, "2016", Y_TITLE, None, "10.5555/kgq.y", None),
        (C2, U2, "2012", U2_TITLE, None, None, None),
    ]
    citer = doi("10.1371/journal.pmed.1002442")
    assert rows(store, "cites", doi="10.1371/journal.pmed.1002442") == [
        (citer, S, None, S_TITLE, None, "10.1186/s12939-015-0156-0", "25879639")
    ]


def test_similar(store: ox.Store) -> None:
    expected = [
        (S, rank, iri, year, title, iri.removeprefix("https://doi.org/"), pmid)
        for rank, (iri, (title, year, _, pmid)) in enumerate(SEED_SIMILAR.items(), 1)
    ]
    assert rows(store, "similar", pmid="25879639") == expected
    assert rows(store, "similar", pmcid="pmc4404612") == expected
    assert rows(store, "similar", doi="10.5555/kgq.x") == []


def test_co_cited(store: ox.Store) -> None:
    # C1 cites X, Y, U1; C2 cites X, Y, U2; the seeds' citers cite S alone (no pairs)
    x = (X_TITLE, None, "10.5555/kgq.x", None)
    y = (Y_TITLE, None, "10.5555/kgq.y", None)
    assert [r[1:3] for r in rows(store, "co-cited", doi="10.5555/kgq.x")] == [
        (Y, 2),
        (U1, 1),  # doi.org IRIs sort before w3id.org ones
        (U2, 1),
    ]
    found = rows(store, "co-cited", doi="10.5555/kgq.y")
    assert [r[:3] for r in found] == [(Y, X, 2), (Y, U1, 1), (Y, U2, 1)]
    assert (found[0][4], found[0][6]) == (x[0], x[2])
    u1 = rows(store, "co-cited", paper=f"<{U1}>")
    assert [r[1:3] for r in u1] == [(X, 1), (Y, 1)]
    assert (u1[1][4], u1[1][5], u1[1][6]) == (y[0], None, y[2])
    assert rows(store, "co-cited", doi="10.1186/s12939-015-0156-0") == []


def test_co_cited_labels_a_reference_known_by_its_text(store: ox.Store) -> None:
    found = {r[1]: r for r in rows(store, "co-cited", doi="10.5555/kgq.x")}
    assert (found[U1][4], found[U1][5]) == (None, U1_TEXT)  # printed text, no title
    assert (found[U2][4], found[U2][3]) == (U2_TITLE, "2012")


def test_coupled(store: ox.Store) -> None:
    # C1 and C2 share X and Y; the five papers citing S share S
    assert rows(store, "coupled", doi="10.5555/kgq.c1") == [
        (C1, C2, 2, "2022", C2_TITLE, "10.5555/kgq.c2", None)
    ]
    citer = doi("10.1371/journal.pmed.1002442")
    found = rows(store, "coupled", pmid="29161260")
    others = sorted(set(SEED_CITERS) - {citer})
    assert [r[:3] for r in found] == [(citer, other, 1) for other in others]
    assert [r[3:] for r in found] == [
        (year, title, other.removeprefix("https://doi.org/"), pmid)
        for other in others
        for title, year, _, pmid in [SEED_CITERS[other]]
    ]
    assert rows(store, "coupled", doi="10.5555/kgq.x") == []  # X cites nothing


def test_prolific_authors(store: ox.Store) -> None:
    # Doe: A, C1, C2, Y; Roe: A, B, C2, Y; Poe: B, C1, Y; Lee: U2 (from C2's reference).
    # A person's name is the fullest form met (Crossref's "Jane A.", ties by the longer string).
    assert rows(store, "prolific-authors") == [
        (DOE, "Jane A. Doe", DOE, 4),  # ORCID from MEDLINE and Crossref, taken everywhere
        (ROE, "Richard Roe", None, 4),
        (POE, "Sam Poe", None, 3),
        (LEE, "M. Lee", None, 1),
    ]


def test_coauthors(store: ox.Store) -> None:
    assert rows(store, "coauthors", person=f"<{DOE}>") == [
        (DOE, "Jane A. Doe", ROE, "Richard Roe", 3),  # A, C2, Y
        (DOE, "Jane A. Doe", POE, "Sam Poe", 2),  # C1, Y
    ]
    assert rows(store, "coauthors", name="Sam Poe") == [
        (POE, "Sam Poe", DOE, "Jane A. Doe", 2),  # C1, Y
        (POE, "Sam Poe", ROE, "Richard Roe", 2),  # B, Y
    ]
    assert rows(store, "coauthors", person=f"<{LEE}>") == []
    assert rows(store, "coauthors", name="Nobody") == []


def test_statements(store: ox.Store) -> None:
    # by type, then section
    assert rows(store, "statements", doi="10.5555/kgq.x") == [
        (
            X,
            "contrasting",
            "Discussion",
            Decimal("0.91"),
            "In contrast to the van-based trial [12], we found no increase in testing uptake "
            "when outreach was offered at night.",
            None,
        ),
        (
            X,
            "contrasting",
            "Results",
            Decimal("0.85"),
            "Unlike earlier reports of higher uptake with mobile vans [7], uptake in our cohort "
            "was unchanged.",
            None,
        ),
        (
            X,
            "mentioning",
            "Methods",
            Decimal("0.99"),
            "Outreach schedules followed the protocol described previously [5].",
            None,
        ),
        (
            X,
            "supporting",
            "Introduction",
            Decimal("0.97"),
            "Mobile outreach has been shown to increase HIV testing among sex workers [3].",
            None,
        ),
    ]
    # the seed report: 5 statements printed, two identical, all mentioning
    seed = rows(store, "statements", doi="10.1186/s12939-017-0655-2")
    assert [(r[1], r[2], r[3]) for r in seed] == [
        ("mentioning", "Discussion", Decimal("0.99")),
        ("mentioning", "Discussion", Decimal("0.99")),
        ("mentioning", "Discussion", Decimal("0.99")),
        ("mentioning", "Impact Of Peer-to-peer Interventions", Decimal("0.99")),
    ]
    assert [r[4][:20] for r in seed[:3]] == [  # same type and section: by text
        "Participants experie",
        "The constant state o",
        "Women asked question",
    ]


def test_disputed(store: ox.Store) -> None:
    # X: 2 contrasting statements, and the report's tally says 2; S2's are all mentioning
    assert rows(store, "disputed") == [(X, X_TITLE, 2, 2)]


def test_per_year(store: ox.Store) -> None:
    # 20 papers, S has no year
    assert rows(store, "per-year") == [
        ("2012", 1),  # U2
        ("2014", 1),  # bmjopen
        ("2015", 2),  # pone, U1
        ("2016", 2),  # Sociol Health Illn, Y
        ("2017", 2),  # S2, PLoS Med
        ("2018", 1),  # B
        ("2019", 2),  # Sex Res Social Policy, X
        ("2020", 1),  # A
        ("2021", 3),  # J Sex Res, J Health Care Poor Underserved, C1
        ("2022", 2),  # Drug Alcohol Depend, C2
        ("2024", 2),  # Public Health Res, Psychol Serv
    ]


def test_per_journal(store: ox.Store) -> None:
    seed_journals = sorted(journal for _, _, journal, _ in {**SEED_CITERS, **SEED_SIMILAR}.values())
    assert rows(store, "per-journal") == [
        (URBAN, "Journal of Urban Testing", 3),  # C1, C2 (Crossref) and Y (BibTeX) by title
        (HARM, "Harm Reduct Test", 2),  # A, B; the NLM abbreviation, not JT
        *[(BASE + "journal/" + slug(name), name, 1) for name in seed_journals],  # no ISSN
    ]


def test_unresolved(store: ox.Store) -> None:
    # the printed text, else the title; by that text
    assert rows(store, "unresolved") == [
        (U2, U2_TITLE, "2012", C2, C2_TITLE),
        (U1, U1_TEXT, "2015", C1, C1_TITLE),
    ]


def test_sources(store: ox.Store) -> None:
    def source(name: str, fmt: str) -> tuple[str, str, str, str]:
        sha = hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest()
        return (BASE + "source/" + sha, (FIXTURES / name).as_posix(), fmt, sha)

    nbib, ris = source("outreach.nbib", "medline"), source("outreach.ris", "ris")
    assert rows(store, "sources", doi="10.5555/kgq.outreach") == [(A, *nbib), (A, *ris)]
    assert rows(store, "sources", pmid="90000001") == [(A, *nbib), (A, *ris)]
    assert rows(store, "sources", pmid="90000002") == [(B, *nbib)]
    # X: its scite report, and the Crossref records that cite it
    assert rows(store, "sources", doi="10.5555/kgq.x") == [
        (X, *source("citing.jsonl", "crossref_json")),
        (X, *source("outreach_vans_scite.txt", "scite_page")),
    ]


# ---------------------------------------------------------------------------- years


def test_papers_from_and_to(store: ox.Store) -> None:
    every = rows(store, "papers")
    for bounds in ({"from": "2019"}, {"to": "2016"}, {"from": "2016", "to": "2017"}):
        low, high = int(bounds.get("from", 0)), int(bounds.get("to", 9999))
        kept = [r for r in every if r[2] is not None and low <= int(r[2]) <= high]
        assert rows(store, "papers", **bounds) == kept, bounds  # same order, no yearless S
        assert kept
    assert len(rows(store, "papers", **{"from": "2019"})) == 10
    assert rows(store, "papers", **{"from": "2020", "to": "2020"}) == [
        (A, A_TITLE, "2020", "Harm Reduct Test", "10.5555/kgq.outreach", "90000001")
    ]
    assert rows(store, "papers", **{"from": "2030"}) == []
    assert variables(store, "papers", **{"from": "2019"}) == [
        "paper",
        "title",
        "year",
        "journal",
        "doi",
        "pmid",
    ]


def test_per_year_from_and_to(store: ox.Store) -> None:
    assert rows(store, "per-year", **{"from": "2019", "to": "2021"}) == [
        ("2019", 2),
        ("2020", 1),
        ("2021", 3),
    ]
    assert rows(store, "per-year", to="2014") == [("2012", 1), ("2014", 1)]
    assert variables(store, "per-year", to="2014") == ["year", "papers"]


def test_per_journal_from_and_to(store: ox.Store) -> None:
    # since 2020: C1 (2021) and C2 (2022), not Y (2016); A (2020), not B (2018)
    found = rows(store, "per-journal", **{"from": "2020"})
    seed_journals = [
        (BASE + "journal/" + slug(journal), journal, 1)
        for _, year, journal, _ in {**SEED_CITERS, **SEED_SIMILAR}.values()
        if int(year) >= 2020
    ]
    ones = sorted([(HARM, "Harm Reduct Test", 1), *seed_journals], key=lambda r: r[1])
    assert found == [(URBAN, "Journal of Urban Testing", 2), *ones]  # ties by name


def test_prolific_authors_from_and_to(store: ox.Store) -> None:
    # since 2021: Doe wrote C1 and C2, Roe C2, Poe C1; Lee's U2 is of 2012
    found = rows(store, "prolific-authors", **{"from": "2021"})
    assert {r[0]: r[3] for r in found} == {DOE: 2, ROE: 1, POE: 1}
    assert found[0][0] == DOE
    assert {r[0]: r[3] for r in rows(store, "prolific-authors", to="2012")} == {LEE: 1}


def test_top_cited_from_and_to(store: ox.Store) -> None:
    # S has no year; U1 (2015) and U2 (2012) are too old: picked before the 50 are
    assert rows(store, "top-cited", **{"from": "2016"}) == [
        (X, X_TITLE, "2019", 2, "scite", 7),
        (Y, Y_TITLE, "2016", 2, None, None),
        (S2, S2_TITLE, "2017", 0, "scite", 43),
        (C1, C1_TITLE, "2021", 0, "Crossref", 3),
    ]
    assert rows(store, "top-cited", **{"from": "2012", "to": "2015"}) == [
        (U1, None, "2015", 1, None, None),
        (U2, U2_TITLE, "2012", 1, None, None),
    ]


@pytest.mark.parametrize("name", sorted(YEAR_QUERIES))
def test_years_are_checked(store: ox.Store, name: str) -> None:
    for bounds, message in [
        ({"from": "MMXIX"}, r"^parameter from: 'MMXIX' is not a year \(such as 2019\)$"),
        ({"to": "202"}, r"^parameter to: '202' is not a year"),
        ({"from": "2022", "to": "2021"}, r"^from=2022 is after to=2021$"),
    ]:
        with pytest.raises(ParameterError, match=message):
            run_named(store, name, bounds)
    with pytest.raises(QueryError, match=r"takes from \| to, not year"):
        run_named(store, name, {"year": "2019"})


# ---------------------------------------------------------------------------- the seeds


def test_cited_by_on_the_seeds(seed_build: Path) -> None:
    seeds = open_graph(seed_build)
    expected = [
        (S, iri, year, title, iri.removeprefix("https://doi.org/"), pmid)
        for iri, (title, year, _, pmid) in SEED_CITERS.items()
    ]
    expected.sort(key=lambda row: (-int(row[2]), row[3]))  # newest first, then by title
    assert rows(seeds, "cited-by", doi="10.1186/s12939-015-0156-0") == expected
    assert rows(seeds, "cited-by", doi="https://doi.org/10.1186/S12939-015-0156-0") == expected
    assert rows(seeds, "cited-by", pmid="25879639") == expected
    assert rows(seeds, "cited-by", pmcid="PMC4404612") == expected
    assert rows(seeds, "cited-by", paper=f"<{S}>") == expected


def test_injection_is_a_string(seed_build: Path) -> None:
    seeds = open_graph(seed_build)
    attack = 'x" } UNION { ?s ?p ?o } #'
    assert rows(seeds, "cited-by", doi=attack) == []
    assert rows(seeds, "cited-by", pmid=attack) == []
    assert rows(seeds, "cited-by", paper=attack) == []
    assert rows(seeds, "coauthors", name=attack) == []


# ---------------------------------------------------------------------------- the rewrites

# The plain forms of the queries that kg/queries/ writes another way to be fast on Oxigraph
# (each .rq says how). The named query must give these rows, in this order, on any graph.
PLAIN = {
    "top-cited": """
SELECT ?paper ?title ?year ?citations ?source ?globalCount WHERE {
  {
    SELECT ?paper (COUNT(DISTINCT ?citing) AS ?citations) (MAX(?value) AS ?mostGlobal) WHERE {
      ?paper a kgo:Paper .
      OPTIONAL { ?citing cito:cites ?paper }
      OPTIONAL { ?paper c4o:hasGlobalCitationFrequency/c4o:hasGlobalCountValue ?value }
      FILTER(BOUND(?citing) || BOUND(?value))
    }
    GROUP BY ?paper
    ORDER BY DESC(?citations) DESC(?mostGlobal) STR(?paper)
    LIMIT 50
  }
  OPTIONAL { ?paper dcterms:title ?title }
  OPTIONAL { ?paper fabio:hasPublicationYear ?year }
  OPTIONAL {
    ?paper c4o:hasGlobalCitationFrequency ?count .
    ?count c4o:hasGlobalCountValue ?globalCount .
    OPTIONAL { ?count c4o:hasGlobalCountSource/foaf:name ?source }
  }
}
ORDER BY DESC(?citations) DESC(?mostGlobal) STR(?paper) DESC(?globalCount) ?source STR(?count)
""",
    "unresolved": """
SELECT ?paper ?reference ?year ?citing ?citingTitle WHERE {
  ?citing cito:cites ?paper .
  FILTER NOT EXISTS { ?paper prism:doi ?doi }
  FILTER NOT EXISTS { ?paper fabio:hasPubMedId ?pmid }
  FILTER NOT EXISTS { ?paper fabio:hasPubMedCentralId ?pmcid }
  FILTER NOT EXISTS { ?paper kgo:openAlexId ?openalex }
  OPTIONAL { ?paper dcterms:bibliographicCitation ?citation }
  OPTIONAL { ?paper dcterms:title ?title }
  BIND(COALESCE(?citation, ?title) AS ?reference)
  OPTIONAL { ?paper fabio:hasPublicationYear ?year }
  OPTIONAL { ?citing dcterms:title ?citingTitle }
}
ORDER BY ?reference STR(?paper) STR(?citing)
""",
}

# IRIs that an order by slices of 15 characters could get wrong: equal up to a slice's edge
# (15, 30, 45 characters) and different just after it, one a prefix of another, longer than
# three slices and different only past them, and with a character of two bytes.
TRICKY = (
    "https://doi.org/10.5555/t.1",
    "https://doi.org/10.5555/t.10",  # the one above plus a character
    "https://doi.org/10.5555/t.2",
    "https://doi.org.example/t",  # differs from the doi.org ones at character 16
    "https://doi.org/10.5555/abcd.1",  # character 30 is the last of the second slice
    "https://doi.org/10.5555/abcde1",  # ... and differs from the one above at 29
    "https://w3id.org/kg/id/work/0123456789abcdefx",  # 45 characters: three slices
    "https://w3id.org/kg/id/work/0123456789abcdefxa",  # the same and a fourth, at 46
    "https://w3id.org/kg/id/work/0123456789abcdefxb",
    "https://w3id.org/kg/id/work/0123456789abcdefx-a-much-longer-tail-than-three-slices",
    "https://example.org/é",  # é (U+00E9) sorts after z
    "https://example.org/z",
)


def tricky_citations() -> list[tuple[str, str]]:
    """Who cites whom among TRICKY: enough overlap for pairs with equal counts."""
    return [
        (citing, cited)
        for i, citing in enumerate(TRICKY)
        for j, cited in enumerate(TRICKY)
        if i != j and (3 * i + 5 * j) % 4 != 0
    ]


@pytest.fixture(scope="module")
def tricky() -> ox.Store:
    """A graph made by hand around TRICKY: titles on some papers, only the printed text on
    others, neither on the rest; identifiers on some; global counts on three; one paper (5)
    not a kgo:Paper."""
    lines = [f"PREFIX {prefix}: <{iri}>" for prefix, iri in PREFIXES.items()]
    for citing, cited in tricky_citations():
        lines.append(f"<{citing}> cito:cites <{cited}> .")
    for i, iri in enumerate(TRICKY):
        if i != 5:
            lines.append(f"<{iri}> a kgo:Paper .")
        if i % 3 == 0:
            lines.append(f'<{iri}> dcterms:title "Paper {i % 5}" .')  # equal titles too
        if i % 3 == 1:
            lines.append(f'<{iri}> dcterms:bibliographicCitation "Ref {i % 4}. 2015." .')
        if i % 4 == 0:
            lines.append(f'<{iri}> fabio:hasPublicationYear "{2000 + i}"^^xsd:gYear .')
        identifier = ("prism:doi", "fabio:hasPubMedId", "fabio:hasPubMedCentralId")[i % 3]
        if i % 2 == 0:
            lines.append(f'<{iri}> {identifier} "id{i}" .')
        if i in (3, 7):
            lines.append(f'<{iri}> kgo:openAlexId "W{i}" .')
        if i in (2, 4, 6):  # scite counts 40 for each (a tie), Crossref 40 + i
            for who, value in (("scite", 40), ("crossref", 40 + i)):
                count = f"<urn:kg:test:count-{i}-{who}>"
                lines.append(f"<{iri}> c4o:hasGlobalCitationFrequency {count} .")
                lines.append(f"{count} c4o:hasGlobalCountValue {value} .")
                lines.append(f'{count} c4o:hasGlobalCountSource [ foaf:name "{who}" ] .')
    store = ox.Store()
    store.load("\n".join(lines).encode(), format=ox.RdfFormat.TURTLE)
    return store


def labels(store: ox.Store, iris: tuple[str, ...], predicate: str) -> dict[str, Any]:
    """Each paper's value of ``predicate``, else None (one at most per paper here)."""
    found: dict[str, Any] = {}
    for iri in iris:
        values = run(store, f"SELECT ?v {{ <{iri}> {predicate} ?v }}").rows
        found[iri] = plain((values or [(None,)])[0][0])
    return found


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_rewrites_give_the_plain_rows_on_the_fixtures(store: ox.Store, name: str) -> None:
    assert run_named(store, name).rows == run(store, PLAIN[name]).rows


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_rewrites_give_the_plain_rows_on_tricky_iris(tricky: ox.Store, name: str) -> None:
    expected = run(tricky, PLAIN[name]).rows
    assert len(expected) > 3
    assert run_named(tricky, name).rows == expected


@pytest.mark.parametrize(("name", "side"), [("co-cited", 1), ("coupled", 0)])
def test_each_papers_pairs_by_count_then_iri(tricky: ox.Store, name: str, side: int) -> None:
    """Worked out in Python for every paper: the papers cited together with it (co-cited) or
    citing the same papers (coupled), with the number of papers citing both or of references
    both cite, most first, ties by IRI (code points), labelled with title, text and year."""
    by_key: dict[str, set[str]] = {}
    for citation in tricky_citations():
        by_key.setdefault(citation[1 - side], set()).add(citation[side])
    counts: dict[tuple[str, str], int] = {}
    for members in by_key.values():
        for a, b in itertools.permutations(members, 2):
            counts[a, b] = counts.get((a, b), 0) + 1
    title = labels(tricky, TRICKY, "dcterms:title")
    text = labels(tricky, TRICKY, "dcterms:bibliographicCitation")
    ties = 0
    for paper in TRICKY:
        mine = sorted(
            ((b, n) for (a, b), n in counts.items() if a == paper), key=lambda i: (-i[1], i[0])
        )
        found = rows(tricky, name, paper=f"<{paper}>")
        assert [r[:3] for r in found] == [(paper, b, n) for b, n in mine], paper
        assert [r[4] for r in found] == [title[b] for b, _ in mine]
        if name == "co-cited":
            assert [r[5] for r in found] == [text[b] for b, _ in mine]
        ties += len(mine) - len({n for _, n in mine})
    assert ties > 10


def test_top_cited_ties_and_papers_counted_only_by_a_source(tricky: ox.Store) -> None:
    found = rows(tricky, "top-cited")
    cited = {cited for _, cited in tricky_citations()}
    citations = {iri: sum(1 for _, c in tricky_citations() if c == iri) for iri in TRICKY}
    assert TRICKY[5] in cited and TRICKY[5] not in {r[0] for r in found}  # not a kgo:Paper
    papers = [paper for paper, _ in itertools.groupby(r[0] for r in found)]
    assert len(papers) == len(set(papers))  # a paper's rows are together
    assert [citations[p] for p in papers] == sorted((citations[p] for p in papers), reverse=True)
    # 2, 4 and 6 were counted by scite and Crossref: one row per count, the largest first
    assert [(r[4], r[5]) for r in found if r[0] == TRICKY[4]] == [("crossref", 44), ("scite", 40)]


def test_unresolved_keeps_only_papers_without_any_identifier(tricky: ox.Store) -> None:
    found = rows(tricky, "unresolved")
    # papers with an odd index have no DOI, PMID or PMCID; 3 and 7 have an OpenAlex ID
    assert {r[0] for r in found} == {TRICKY[i] for i in (1, 5, 9, 11)}
    assert len(found) == sum(1 for _, cited in tricky_citations() if cited in {r[0] for r in found})
