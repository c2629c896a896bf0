"""Identity: one node per real paper and per person, whatever the order of the inputs."""

from __future__ import annotations

import itertools

from kg.iris import Minter
from kg.rdf import to_graph
from kg.records import Extraction, Journal, Loc, Paper, PaperRef, Person, Relation, Source
from kg.resolve import resolve

MINTER = Minter()


def source(name: str) -> Source:
    return Source(f"in/{name}", name * 64, "pubmed_page")


def test_identifiers_met_in_different_sources_make_one_paper() -> None:
    a = Extraction(
        source("a"), (Paper(Loc("in/a", 1), primary=True, doi="10.1/x.1", title="Own title"),)
    )
    b = Extraction(
        source("b"), (Paper(Loc("in/b", 3), pmid="123", pmcid="PMC9", title="Listed title"),)
    )
    c = Extraction(source("c"), (Paper(Loc("in/c", 5), doi="10.1/x.1", pmid="123", year=2020),))
    for order in itertools.permutations([a, b, c]):
        resolved = resolve(order, MINTER)
        [paper] = resolved.papers
        assert str(paper.iri) == "https://doi.org/10.1/x.1"
        assert (paper.paper.doi, paper.paper.pmid, paper.paper.pmcid) == ("10.1/x.1", "123", "PMC9")
        assert paper.paper.title == "Own title"  # the paper's own page wins
        assert paper.paper.year == 2020
        assert [s.path for s in paper.sources] == ["in/a", "in/b", "in/c"]


def test_pmid_only_and_pmcid_only_iris() -> None:
    resolved = resolve(
        [
            Extraction(
                source("a"),
                (Paper(pmid="42"), Paper(pmcid="PMC7"), Paper(title="No ids", year=1999)),
            )
        ],
        MINTER,
    )
    iris = sorted(str(p.iri) for p in resolved.papers)
    assert iris[0] == "https://pubmed.ncbi.nlm.nih.gov/42"
    assert iris[1].startswith("https://w3id.org/kg/id/work/")
    assert iris[2] == "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7"


def test_the_same_unidentified_reference_twice_is_one_node() -> None:
    ref = dict(
        title="A Study of Things.",
        year=2001,
        authors=(Person("Smith J", family="Smith", initials="J"),),
    )
    one = Paper(Loc(line=1), **ref)
    two = Paper(
        Loc(line=9),
        title="a study of things",
        year=2001,
        authors=(Person("John Smith", family="Smith", given="John", initials="J"),),
    )
    resolved = resolve([Extraction(source("a"), (one,)), Extraction(source("b"), (two,))], MINTER)
    assert len(resolved.papers) == 1


def test_people_merge_on_family_name_and_initials() -> None:
    full = Person(
        "Maria K Lopez", family="Lopez", given="Maria K", initials="MK", affiliations=("1Univ",)
    )
    short = Person("Lopez MK", family="Lopez", initials="MK")
    other = Person("Lopez M", family="Lopez", initials="M")
    papers = (
        Paper(Loc(line=1), primary=True, pmid="1", authors=(full,)),
        Paper(Loc(line=5), pmid="2", authors=(short, other)),
    )
    resolved = resolve([Extraction(source("a"), papers)], MINTER)
    assert resolved.person(full).iri == resolved.person(short).iri
    assert str(resolved.person(full).iri) == "https://w3id.org/kg/id/person/lopez-mk"
    assert resolved.person(short).person.name == "Maria K Lopez"
    assert resolved.person(other).iri != resolved.person(full).iri


def test_orcid_wins_and_absorbs_the_same_name() -> None:
    with_orcid = Person(
        "Ana Silva", family="Silva", given="Ana", initials="A", orcid="0000-0002-1825-0097"
    )
    without = Person("Silva A", family="Silva", initials="A")
    resolved = resolve(
        [
            Extraction(
                source("a"),
                (Paper(pmid="1", authors=(with_orcid,)), Paper(pmid="2", authors=(without,))),
            )
        ],
        MINTER,
    )
    assert str(resolved.person(without).iri) == "https://orcid.org/0000-0002-1825-0097"


def test_relations_keep_both_directions_and_the_best_rank() -> None:
    page = PaperRef(pmid="1")
    listed = PaperRef(pmid="2")
    records = (
        Paper(primary=True, pmid="1", journal=Journal(abbreviation="BMJ")),
        Paper(pmid="2"),
        Relation("similar", page, listed, rank=3),
        Relation("cites", listed, page),
    )
    again = (Relation("similar", page, listed, rank=2),)
    resolved = resolve([Extraction(source("a"), records), Extraction(source("b"), again)], MINTER)
    assert [(r.kind, r.rank, len(r.sources)) for r in resolved.relations] == [
        ("cites", None, 1),
        ("similar", 2, 2),
    ]
    text = to_graph(resolved, MINTER).serialize(format="nt")
    assert (
        "<https://pubmed.ncbi.nlm.nih.gov/2> <http://purl.org/spar/cito/cites> <https://pubmed.ncbi.nlm.nih.gov/1>"
        in text
    )
    assert (
        "<https://pubmed.ncbi.nlm.nih.gov/1> <http://purl.org/spar/cito/isCitedBy> <https://pubmed.ncbi.nlm.nih.gov/2>"
        in text
    )
