"""The Europe PMC extractor: recorded search results, search/references/citations in Europe
PMC's format, bare and in kg fetch's envelope, and the graph they give."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph

import kg
from kg.extract import detect, europepmc_json
from kg.records import Grant, Journal, MeshHeading, PaperRef, Record

from .helpers import RECORD_TYPES, cited, counts, json_like, papers, problems, relations, text_of

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "api" / "europepmc"
ALL = sorted(p.name for p in FIXTURES.iterdir())
DAY = "2026-12-06"


def body(name: str) -> str:
    return text_of(FIXTURES / name)


def envelope(response: str, endpoint: str, asked: str | None = None) -> str:
    """A file as kg fetch saves it: the header, then the body verbatim."""
    head = {"service": "europepmc", "endpoint": endpoint, "date": DAY}
    if asked is not None:
        head["id"] = asked
    return '{"kg_fetch": ' + json.dumps(head) + ', "response": ' + response.strip() + "}\n"


def parse(text: str) -> list[Record]:
    return list(europepmc_json.parse(text))


@pytest.mark.parametrize("name", ALL)
def test_every_body_is_europe_pmc_bare_and_in_its_envelope(name: str) -> None:
    text = body(name)
    for each in (text, envelope(text, "search")):
        assert detect(each) == ["europepmc_json"]
        lines = each.count("\n") + 1
        for record in parse(each):
            assert isinstance(record, RECORD_TYPES)
            assert 1 <= record.loc.line <= lines


def test_lite_search_results_are_papers_with_counts() -> None:
    records = parse(body("search_cancer.json"))
    assert problems(records) == []
    found = papers(records)
    assert len(found) == 25 and len(counts(records)) == 25
    first = found[0]
    assert (first.pmid, first.doi, first.pmcid) == (
        "39709209",
        "10.1016/s0140-6736(24)02600-x",
        None,
    )
    assert first.title.startswith("Abscopal response in a patient with fibrolamellar")
    assert first.journal == Journal(abbreviation="Lancet", issns=("0140-6736", "1474-547X"))
    assert (first.year, first.volume, first.issue, first.pages) == (
        2025,
        "404",
        "10471",
        "2603-2604",
    )
    assert [(a.family, a.initials) for a in first.authors] == [
        ("Schoenfeld", "JD"),
        ("Haas-Kogan", "DA"),
        ("O'Neill", "AF"),
    ]
    assert first.types == ("journal article",) and first.loc.line == 16
    second = found[1]
    assert second.pmcid == "PMC12124214" and second.free_full_text
    assert second.types == ("published erratum", "correction")
    count = counts(records)[0]
    assert (count.paper, count.source_name, count.cited_by) == (first.ref, "europepmc", 0)
    assert count.date is None
    dated = counts(parse(envelope(body("search_cancer.json"), "search")))
    assert {c.date for c in dated} == {DAY}
    assert max(c.cited_by for c in dated) > 0


def test_idlist_and_empty_searches() -> None:
    found = papers(parse(body("search_cancer_idlist.json")))
    assert len(found) == 25 and all(p.pmid for p in found)
    assert sum(1 for p in found if p.pmcid) == 9
    assert parse(body("search_no_results.json")) == []


def test_core_search_result() -> None:
    records = parse(body("search_core.json"))
    (paper,) = papers(records)
    assert (paper.pmid, paper.pmcid, paper.doi) == (
        "90000001",
        "PMC9000001",
        "10.5555/kg.example.1",
    )
    assert paper.title == "An illustrative record of Europe PMC core results."
    carberry, group = paper.authors
    assert (carberry.family, carberry.given, carberry.orcid) == (
        "Carberry",
        "Josiah",
        "0000-0002-1825-0097",
    )
    assert carberry.affiliations == (
        "Department of Psychoceramics, Brown University, Providence, RI, USA.",
    )
    assert group.collective and group.name == "The Example Study Group"
    assert paper.journal == Journal(
        title="Journal of illustrative examples",
        abbreviation="J Illus Ex",
        issns=("0317-8471", "1050-124X"),
    )
    assert (paper.year, paper.date, paper.epub_date) == (2015, "2015 Apr", "2015 Apr 11")
    assert (paper.volume, paper.issue, paper.pages, paper.language) == ("14", "1", "46", "eng")
    assert paper.types == ("research-article", "Journal Article")
    assert paper.mesh == (
        MeshHeading("Humans"),
        MeshHeading(
            "Health Services Accessibility",
            qualifiers=(("organization & administration", True),),
        ),
    )
    assert paper.keywords == ("Harm reduction", "Primary care")
    assert paper.grants == (
        Grant(identifier="EX-0001", acronym="ERC", agency="Example Research Council"),
    )
    assert paper.abstract == "Background: An illustrative abstract. Methods: None."
    assert paper.free_full_text
    (count,) = counts(records)
    assert count.cited_by == 12


def test_references_are_cited_by_the_requested_paper() -> None:
    records = parse(body("references_MED_90000001.json"))
    assert problems(records) == [] and papers(records) == []
    cites = relations(records, "cites")
    assert {r.subject for r in cites} == {PaperRef(pmid="90000001")}
    matched, by_pmcid, book, text = cited(records)
    assert (matched.pmid, matched.doi, matched.year) == ("90000002", "10.5555/kg.example.3", 2012)
    assert matched.journal == Journal(abbreviation="J Illus Ex", issns=("0317-8471", "1050-124X"))
    assert by_pmcid.pmcid == "PMC9000003"
    assert (book.title, book.year) == ("An unmatched book", 2004)
    assert text.citation_text.startswith("World Health Organization.") and text.year == 2011
    assert [r.object for r in cites] == [p.ref for p in (matched, by_pmcid, book, text)]


def test_citations_cite_the_requested_paper() -> None:
    records = parse(body("citations_PMC_PMC9000001.json"))
    cites = relations(records, "cites")
    assert {r.object for r in cites} == {PaperRef(pmcid="PMC9000001")}
    article, preprint = cited(records)
    assert article.pmid == "90000004" and cites[0].subject == article.ref
    assert ("europepmc_id", "PPR:PPR900005") in preprint.extra
    assert [c.cited_by for c in counts(records)] == [3, 0]


def test_the_requested_paper_from_the_envelope_or_a_problem() -> None:
    data = json.loads(body("references_MED_90000001.json"))
    del data["request"]
    bare = json.dumps(data)
    records = parse(bare)
    assert relations(records) == [] and len(cited(records)) == 4
    (problem,) = problems(records)
    assert problem.message.startswith("the citing paper is not identified by a PMID or PMCID")
    asked = parse(envelope(bare, "references", "MED:90000001"))
    assert {r.subject for r in relations(asked)} == {PaperRef(pmid="90000001")}
    preprint = parse(envelope(bare, "references", "PPR:PPR1"))
    assert relations(preprint) == [] and "(PPR:PPR1)" in problems(preprint)[0].message


def test_near_misses_and_other_envelopes() -> None:
    assert not europepmc_json.sniff('{"resultList": {"result": []}}')
    assert not europepmc_json.sniff(
        '{"kg_fetch": {"service": "semanticscholar"}, "response": {"hitCount": 1, "resultList": {}}}'
    )
    error = envelope('{"version": "6.9", "errMsg": "Invalid source"}', "references", "X:1")
    assert [p.message for p in parse(error)] == ["Europe PMC error: Invalid source"]


def test_graph_has_papers_counts_and_citations(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "search.json").write_text(envelope(body("search_core.json"), "search"))
    for name in ("references_MED_90000001.json", "citations_PMC_PMC9000001.json"):
        shutil.copy(FIXTURES / name, inputs / name)
    report = kg.build([inputs], tmp_path / "out")
    assert report.complete, report.problems
    graph = Graph().parse(tmp_path / "out" / "graph.ttl")
    ask = """ASK {
        <https://doi.org/10.5555/kg.example.1> a kgo:Paper ;
            fabio:hasPubMedId "90000001" ; fabio:hasPubMedCentralId "PMC9000001" ;
            cito:cites <https://doi.org/10.5555/kg.example.3> ;
            cito:isCitedBy <https://pubmed.ncbi.nlm.nih.gov/90000004> ;
            dcterms:creator <https://orcid.org/0000-0002-1825-0097> ;
            c4o:hasGlobalCitationFrequency ?n .
        ?n c4o:hasGlobalCountValue 12 ;
           c4o:hasGlobalCountDate "2026-12-06"^^xsd:date ;
           c4o:hasGlobalCountSource <https://europepmc.org/> .
        <https://europepmc.org/> foaf:name "Europe PMC" }"""
    assert graph.query(ask).askAnswer


JSON = json_like(
    [
        "id",
        "source",
        "pmid",
        "pmcid",
        "doi",
        "title",
        "authorList",
        "author",
        "authorString",
        "journalInfo",
        "journal",
        "pubYear",
        "resultList",
        "result",
        "referenceList",
        "reference",
        "citationList",
        "citation",
        "request",
        "citedByCount",
        "meshHeadingList",
        "meshHeading",
    ]
)


@settings(max_examples=200, deadline=None)
@given(response=JSON, asked=st.none() | st.text(max_size=20), indent=st.none() | st.just(1))
def test_any_response_in_an_envelope_reads_without_raising(response, asked, indent) -> None:
    head = {"service": "europepmc", "endpoint": "references", "date": "2026-12-06"}
    if asked is not None:
        head["id"] = asked
    text = json.dumps({"kg_fetch": head, "response": response}, indent=indent)
    assert europepmc_json.sniff(text)
    lines = text.count("\n") + 1
    for record in europepmc_json.parse(text):
        assert isinstance(record, RECORD_TYPES)
        assert 1 <= record.loc.line <= lines
