"""Identity: one node per real paper and per person, whatever the order of the inputs."""

from __future__ import annotations

import itertools
import weakref
from dataclasses import replace

from kg.iris import Minter
from kg.rdf import to_graph
from kg.records import Extraction, Journal, Loc, Paper, PaperRef, Person, Relation, Source
from kg.resolve import resolve, resolve_lazily

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


def fmt_source(name: str, fmt: str) -> Source:
    return Source(f"in/{name}", name * 64, fmt)


def test_identity_is_transitive_across_doi_pmid_pmcid_and_openalex() -> None:
    # A has DOI+PMID, B has PMID only, C has DOI only, D has OpenAlex+PMCID, E OpenAlex+DOI.
    a = Extraction(fmt_source("a", "medline"), (Paper(primary=True, doi="10.1/x", pmid="7"),))
    b = Extraction(fmt_source("b", "ris"), (Paper(primary=True, pmid="7", title="B"),))
    c = Extraction(fmt_source("c", "bibtex"), (Paper(primary=True, doi="10.1/x"),))
    d = Extraction(
        fmt_source("d", "openalex_json"), (Paper(primary=True, openalex="W9", pmcid="PMC3"),)
    )
    e = Extraction(
        fmt_source("e", "crossref_json"), (Paper(primary=True, openalex="W9", doi="10.1/x"),)
    )
    for order in itertools.permutations([a, b, c, d, e], 5):
        [paper] = resolve(order, MINTER).papers
        assert str(paper.iri) == "https://doi.org/10.1/x"
        assert (paper.paper.pmid, paper.paper.pmcid, paper.paper.openalex) == ("7", "PMC3", "W9")
        assert len(paper.sources) == 5


def test_openalex_only_paper_gets_the_openalex_iri() -> None:
    resolved = resolve(
        [Extraction(fmt_source("a", "openalex_json"), (Paper(primary=True, openalex="W42"),))],
        MINTER,
    )
    assert [str(p.iri) for p in resolved.papers] == ["https://openalex.org/W42"]


def test_source_priority_decides_title_year_and_journal() -> None:
    """MEDLINE beats Crossref beats OpenAlex beats a page copy beats RIS/BibTeX, whatever the
    hashes; a paper's own record beats a list entry, which beats a free-text reference."""
    records = {
        "bibtex": Paper(primary=True, pmid="5", title="bibtex", year=2001),
        "ris": Paper(primary=True, pmid="5", title="ris", year=2002),
        "pubmed_page": Paper(primary=True, pmid="5", title="page", year=2003),
        "openalex_json": Paper(primary=True, pmid="5", title="openalex", year=2004),
        "crossref_json": Paper(primary=True, pmid="5", title="crossref", year=2005),
        "medline": Paper(primary=True, pmid="5", title="medline", journal=Journal("J M")),
    }
    names = iter("zyxwvu")  # the best source gets the highest hash
    extractions = [
        Extraction(fmt_source(next(names), fmt), (paper,)) for fmt, paper in records.items()
    ]
    [paper] = resolve(extractions, MINTER).papers
    assert (paper.paper.title, paper.paper.year) == ("medline", 2005)
    assert paper.paper.journal == Journal("J M")
    listed = Extraction(fmt_source("t", "pubmed_xml"), (Paper(pmid="5", title="list entry"),))
    cited = Extraction(
        fmt_source("s", "pubmed_xml"), (Paper(pmid="5", title="ref", citation_text="ref. 2001"),)
    )
    [paper] = resolve([*extractions[:1], listed, cited], MINTER).papers
    assert paper.paper.title == "bibtex"
    [paper] = resolve([listed, cited], MINTER).papers
    assert paper.paper.title == "list entry"


def test_an_unidentified_reference_joins_the_identified_paper_with_its_title_and_year() -> None:
    smith = (Person("Smith J", family="Smith", initials="J"),)
    known = Paper(primary=True, doi="10.5/k", title="A Long Enough Title About Things", year=2010)
    ref = Paper(title="A long enough title about things.", year=2010, authors=smith)
    wrong_year = Paper(title="A long enough title about things", year=2011)
    short = Paper(primary=True, pmid="9", title="Editorial", year=2010)
    short_ref = Paper(title="Editorial", year=2010)
    resolved = resolve(
        [
            Extraction(source("a"), (known, short)),
            Extraction(source("b"), (ref, wrong_year, short_ref)),
        ],
        MINTER,
    )
    iris = sorted(str(p.iri) for p in resolved.papers)
    assert iris[:2] == ["https://doi.org/10.5/k", "https://pubmed.ncbi.nlm.nih.gov/9"]
    assert len(iris) == 4  # the 2011 reference and the short "Editorial" stay apart
    [merged] = [p for p in resolved.papers if p.paper.doi == "10.5/k"]
    assert merged.paper.authors == smith


def test_title_match_needs_one_candidate_and_a_matching_first_author() -> None:
    title = "Two papers share this rather long title"
    a = Paper(primary=True, doi="10.5/a", title=title, year=2010)
    b = Paper(primary=True, doi="10.5/b", title=title, year=2010)
    ref = Paper(title=title, year=2010)
    resolved = resolve([Extraction(source("a"), (a, b, ref))], MINTER)
    assert len(resolved.papers) == 3  # ambiguous: not joined
    jones = (Person("Jones K", family="Jones", initials="K"),)
    lee = (Person("Lee K", family="Lee", initials="K"),)
    c = Paper(primary=True, doi="10.5/c", title=title, year=2012, authors=jones)
    other_author = Paper(title=title, year=2012, authors=lee)
    same_author = Paper(title=title, year=2012, authors=jones)
    resolved = resolve([Extraction(source("a"), (c, other_author, same_author))], MINTER)
    assert len(resolved.papers) == 2


def test_two_dois_for_one_pmid_is_a_reported_conflict() -> None:
    a = Extraction(
        fmt_source("a", "medline"), (Paper(Loc("in/a", 3), primary=True, pmid="8", doi="10.1/a"),)
    )
    b = Extraction(
        fmt_source("b", "ris"), (Paper(Loc("in/b", 7), primary=True, pmid="8", doi="10.1/b"),)
    )
    resolved = resolve([a, b], MINTER)
    [paper] = resolved.papers
    assert paper.paper.doi == "10.1/a"  # MEDLINE's word, and said so
    [conflict] = resolved.conflicts
    assert conflict.describe() == (
        "conflict: https://doi.org/10.1/a has 2 dois: 10.1/a (in/a:3), 10.1/b (in/b:7); kept 10.1/a"
    )


def test_journals_merge_on_issn_and_on_a_record_giving_both_names() -> None:
    medline = Journal(title="Nature Methods", abbreviation="Nat Methods", issns=("1548-7091",))
    crossref = Journal(title="Nature Methods", issns=("1548-7105",))
    page = Journal(abbreviation="Nat Methods")
    other = Journal(title="Nature")
    papers = (
        Paper(primary=True, pmid="1", journal=medline),
        Paper(primary=True, pmid="2", journal=crossref),
        Paper(primary=True, pmid="3", journal=page),
        Paper(primary=True, pmid="4", journal=other),
    )
    resolved = resolve([Extraction(fmt_source("a", "medline"), papers)], MINTER)
    one = {resolved.journal(j).iri for j in (medline, crossref, page)}
    assert [str(i) for i in one] == ["https://w3id.org/kg/id/journal/issn-1548-7091"]
    merged = resolved.journal(page).journal
    assert merged == Journal("Nature Methods", "Nat Methods", ("1548-7091", "1548-7105"))
    assert resolved.journal(other).iri != resolved.journal(page).iri


def test_each_source_keeps_what_it_said_under_the_merged_iris() -> None:
    from kg.resolve import resolve_sources

    a = Extraction(
        fmt_source("a", "medline"), (Paper(primary=True, pmid="7", title="MEDLINE title"),)
    )
    b = Extraction(
        fmt_source("b", "bibtex"),
        (Paper(primary=True, pmid="7", doi="10.1/x", title="BibTeX title"),),
    )
    merged, each = resolve_sources([a, b], MINTER)
    [paper] = merged.papers
    assert (str(paper.iri), paper.paper.title) == ("https://doi.org/10.1/x", "MEDLINE title")
    [only_a] = each[a.source].papers
    assert (str(only_a.iri), only_a.paper.title, only_a.paper.doi) == (
        "https://doi.org/10.1/x",
        "MEDLINE title",
        None,
    )
    [only_b] = each[b.source].papers
    assert (only_b.paper.title, only_b.paper.doi) == ("BibTeX title", "10.1/x")


def test_each_sources_records_are_let_go_of_once_the_next_view_is_made() -> None:
    """The build loads one source's view at a time: the records of a source whose view is
    made are not held by the views still to come."""
    extractions = [
        Extraction(source(name), (Paper(Loc(f"in/{name}", 1), doi=f"10.1/{name}"),))
        for name in "abc"
    ]
    gone = [weakref.ref(e) for e in sorted(extractions, key=lambda e: e.source.sha256)]
    merged, each = resolve_lazily(extractions, MINTER)
    del extractions
    assert [p.paper.doi for p in merged.papers] == ["10.1/a", "10.1/b", "10.1/c"]
    alive = []
    for source_, view in each:
        assert [p.paper.doi for p in view.resolve().papers] == ["10.1/" + source_.path[-1]]
        alive.append([ref() is not None for ref in gone])
    assert alive == [[True, True, True], [False, True, True], [False, False, True]]


def test_copies_of_one_file_are_one_source_with_one_view() -> None:
    """Two copies of a file (one content hash, two paths) give one view, of both, so that
    their named graph is written once; sources come in content-hash order, then path."""
    paper = Paper(Loc("", 1), doi="10.1/a", primary=True)
    first, again = (
        Extraction(Source(path, "ab" * 32, "medline"), (replace(paper, loc=Loc(path, 1)),))
        for path in ("in/a.txt", "in/copy.txt")
    )
    other = Extraction(source("b"), (Paper(Loc("in/b", 1), doi="10.1/b"),))
    _, each = resolve_lazily([again, other, first], MINTER)
    views = [(found, view.sources, view.resolve().sources) for found, view in each]
    both = (first.source, again.source)
    assert views == [(first.source, both, both), (other.source, (other.source,), (other.source,))]
