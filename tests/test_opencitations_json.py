"""The OpenCitations extractor: recorded COCI responses, Index v2 and Meta rows, and the graph."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph

import kg
from kg.extract import detect, opencitations_json
from kg.records import Journal, PaperRef, Record

from .helpers import RECORD_TYPES, cited, counts, json_like, papers, problems, relations, text_of

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "api" / "opencitations"
ALL = sorted(p.name for p in FIXTURES.iterdir())
PAPER = PaperRef(doi="10.1108/jd-12-2013-0166")


def read(name: str) -> list[Record]:
    return list(opencitations_json.parse(text_of(FIXTURES / name)))


@pytest.mark.parametrize("name", ALL)
def test_every_response_is_opencitations_and_reads(name: str) -> None:
    text = text_of(FIXTURES / name)
    assert detect(text) == ["opencitations_json"]
    lines = text.count("\n") + 1
    for record in opencitations_json.parse(text):
        assert isinstance(record, RECORD_TYPES)
        assert 1 <= record.loc.line <= lines


def test_coci_citations_and_references() -> None:
    records = read("coci_citations.json")
    assert problems(records) == [] and papers(records) == []
    cites = relations(records, "cites")
    assert len(cites) == 20
    assert {r.object for r in cites} == {PAPER}
    assert cites[0].subject == PaperRef(doi="10.1145/3197026.3197050")
    assert cites[0].loc.line == 2
    assert len(cited(records)) == 21  # each paper once, however many rows list it
    references = relations(read("coci_references.json"), "cites")
    assert len(references) == 37 and {r.subject for r in references} == {PAPER}
    # a DOI with a ";" of its own stays whole
    assert PaperRef(doi="10.1002/(sici)1097-4571(198909)40:5<342::aid-asi7>3.0.co;2-u") in {
        r.object for r in references
    }
    (one,) = relations(read("coci_citation.json"))
    assert (one.subject, one.object) == (PAPER, PaperRef(doi="10.5539/ass.v9n5p18"))


def test_coci_metadata_gives_the_paper_its_links_and_count() -> None:
    records = read("coci_metadata.json")
    assert problems(records) == []
    (paper,) = papers(records)
    assert paper.doi == PAPER.doi
    assert paper.title == "Setting Our Bibliographic References Free: Towards Open Citation Data"
    assert (paper.year, paper.volume, paper.issue, paper.pages) == (2015, "71", "2", "253-277")
    assert paper.journal == Journal(title="Journal Of Documentation", issns=("0022-0418",))
    assert [a.family for a in paper.authors] == ["Peroni", "Dutton", "Gray", "Shotton"]
    cites = relations(records, "cites")
    outgoing = [r for r in cites if r.subject == paper.ref]
    incoming = [r for r in cites if r.object == paper.ref]
    assert (len(outgoing), len(incoming)) == (37, 20)
    (count,) = counts(records)
    assert (count.source_name, count.cited_by, count.date) == ("opencitations", 20, None)


def test_index_v2_ids_are_parsed_and_omid_only_works_reported() -> None:
    records = read("index_v2_citations.json")
    first, second = relations(records, "cites")
    assert (first.subject, first.object) == (PAPER, PaperRef(doi="10.5539/ass.v9n5p18"))
    assert second.subject == PaperRef(
        doi="10.5555/kg.example.2", pmid="90000006", openalex="W9000000007"
    )
    assert second.object == PaperRef(pmid="90000008")
    (problem,) = problems(records)
    assert "citing work: 'omid:br/0690000003'" in problem.message
    assert problem.loc.line == 20


def test_meta_row_is_a_paper() -> None:
    (paper,) = read("meta_v1.json")
    assert paper.primary and paper.doi == PAPER.doi
    assert (paper.date, paper.year, paper.publisher) == ("2015 Mar 09", 2015, "Emerald")
    assert paper.types == ("journal article",)
    assert paper.journal == Journal(title="Journal Of Documentation", issns=("0022-0418",))
    assert [(a.family, a.orcid) for a in paper.authors] == [
        ("Peroni", "0000-0003-0530-4305"),
        ("Dutton", None),
        ("Gray", None),
        ("Shotton", "0000-0001-5506-523X"),
    ]


@pytest.mark.parametrize("text", ["[]", '[{"a": 1}]', '{"oci": "1-2"}', '[{"doi": "10.1/x"}]'])
def test_near_misses_are_not_opencitations(text: str) -> None:
    assert not opencitations_json.sniff(text)


def test_graph_has_the_citations_count_and_orcids(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("coci_citations.json", "coci_metadata.json", "meta_v1.json"):
        shutil.copy(FIXTURES / name, inputs / name)
    report = kg.build([inputs], tmp_path / "out")
    assert report.complete, report.problems
    graph = Graph().parse(tmp_path / "out" / "graph.ttl")
    paper = "<https://doi.org/10.1108/jd-12-2013-0166>"
    ask = f"""ASK {{
        <https://doi.org/10.1145/3197026.3197050> cito:cites {paper} .
        {paper} cito:isCitedBy <https://doi.org/10.1145/3197026.3197050> ;
            cito:cites <https://doi.org/10.1038/35079151> ;
            dcterms:creator <https://orcid.org/0000-0003-0530-4305> ;
            c4o:hasGlobalCitationFrequency ?n .
        ?n c4o:hasGlobalCountValue 20 ; c4o:hasGlobalCountSource ?who .
        ?who foaf:name "OpenCitations" }}"""
    assert graph.query(ask).askAnswer


JSON = json_like(
    [
        "oci",
        "citing",
        "cited",
        "creation",
        "doi",
        "title",
        "author",
        "year",
        "source_title",
        "source_id",
        "citation_count",
        "citation",
        "reference",
        "id",
        "pub_date",
        "venue",
        "publisher",
        "type",
    ]
)


@settings(max_examples=200, deadline=None)
@given(response=JSON, indent=st.none() | st.just(1))
def test_any_json_of_the_shape_reads_without_raising(response, indent) -> None:
    row = (
        {**response, "oci": "1-2"}
        if isinstance(response, dict)
        else {"oci": "1-2", "citing": response}
    )
    text = json.dumps([row, response], indent=indent)
    assert opencitations_json.sniff(text)
    lines = text.count("\n") + 1
    for record in opencitations_json.parse(text):
        assert isinstance(record, RECORD_TYPES)
        assert 1 <= record.loc.line <= lines
