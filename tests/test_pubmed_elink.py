"""The E-utilities elink extractor: recorded XML and JSON responses, and the graph they give."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph

import kg
from kg.extract import detect, pubmed_elink
from kg.records import Paper, PaperRef, Problem, Record, Relation

from .helpers import RECORD_TYPES, cited, json_like, papers, problems, relations, text_of

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "api" / "ncbi_eutils"
ALL = sorted(p.name for p in FIXTURES.iterdir())


def read(name: str) -> list[Record]:
    return list(pubmed_elink.parse(text_of(FIXTURES / name)))


def pmids(found: list[Relation], end: str) -> list[str | None]:
    return [getattr(r, end).pmid for r in found]


@pytest.mark.parametrize("name", ALL)
def test_every_recorded_response_is_elink_and_reads(name: str) -> None:
    text = text_of(FIXTURES / name)
    assert detect(text) == ["pubmed_elink"]
    lines = text.count("\n") + 1
    for record in pubmed_elink.parse(text):
        assert isinstance(record, RECORD_TYPES)
        assert 1 <= record.loc.line <= lines


def test_neighbor_gives_similar_cited_by_and_references_of_one_paper() -> None:
    records = read("elink1.xml")
    assert problems(records) == [] and papers(records) == []
    paper = PaperRef(pmid="9298984")
    similar = relations(records, "similar")
    assert len(similar) == 100  # 101 links, the paper itself first and skipped
    assert {r.subject for r in similar} == {paper}
    assert (similar[0].object.pmid, similar[0].rank) == ("8794856", 1)
    assert [r.rank for r in similar] == list(range(1, 101))
    assert all(r.score is None for r in similar)
    cites = relations(records, "cites")
    citing = [r for r in cites if r.object == paper]  # pubmed_pubmed_citedin
    references = [r for r in cites if r.subject == paper]  # pubmed_pubmed_refs
    assert (len(citing), len(references)) == (39, 56)
    assert pmids(citing, "subject")[0] == "38830800"
    assert pmids(references, "object")[:2] == ["14732139", "8909532"]
    # _combined, _five, _reviews, _reviews_five are not read; every PMID listed is a paper
    listed = {p.pmid for p in cited(records)}
    assert listed == {"9298984"} | {r.object.pmid for r in similar} | {
        r.subject.pmid for r in citing
    } | {r.object.pmid for r in references}
    assert all(r.loc.line == 5 for r in records)


def test_scores_are_kept_with_the_ranks() -> None:
    similar = relations(read("elink1_2008_with_scores.xml"), "similar")
    assert len(similar) == 143
    first = similar[0]
    assert (first.object.pmid, first.rank, first.score) == ("8794856", 1, Decimal(65259341))
    assert all(isinstance(r.score, Decimal) for r in similar)
    assert "9298984" not in pmids(similar, "object")  # the self link (2147483647) is skipped


def test_a_merged_link_set_is_a_problem_and_nothing_else() -> None:
    records = read("elink3.xml")
    (problem,) = records
    assert isinstance(problem, Problem)
    assert "2 PMIDs (11812492, 11774222)" in problem.message
    assert "merges their links" in problem.message
    assert problem.loc.line == 4


def test_ncheck_gives_nothing() -> None:
    assert read("elink8.xml") == []


def test_json_neighbor_and_citedin() -> None:
    records = read("related_25760099.json")
    assert problems(records) == []
    similar = relations(records, "similar")
    assert len(similar) == 234 and similar[0].rank == 1
    assert similar[0].object.pmid == "25670009"
    (citing,) = relations(records, "cites")
    assert citing.object == PaperRef(pmid="25760099")
    cites = relations(read("citations_28495875.json"), "cites")
    assert len(cites) == 305
    assert {r.object for r in cites} == {PaperRef(pmid="28495875")}
    assert cites[0].subject.pmid == "40536377"


def test_json_merged_link_set_scores_and_errors() -> None:
    text = """{"header": {"type": "elink", "version": "0.3"}, "linksets": [
      {"dbfrom": "pubmed", "ids": ["1", "2"],
       "linksetdbs": [{"dbto": "pubmed", "linkname": "pubmed_pubmed_citedin", "links": ["3"]}]},
      {"dbfrom": "pubmed", "ids": ["10"],
       "linksetdbs": [{"dbto": "pubmed", "linkname": "pubmed_pubmed",
                       "links": [{"id": "10", "score": 99}, {"id": "11", "score": 42}, "x"]}]},
      {"dbfrom": "pubmed", "ids": ["0"], "ERROR": "Invalid uid 0"}
    ]}"""
    assert detect(text) == ["pubmed_elink"]
    records = list(pubmed_elink.parse(text))
    messages = [p.message for p in problems(records)]
    assert "a LinkSet for 2 PMIDs (1, 2) merges their links" in messages[0]
    assert messages[1:] == ["not a PMID in pubmed_pubmed: 'x'", "E-utilities error: Invalid uid 0"]
    (similar,) = relations(records)
    assert (similar.subject.pmid, similar.object.pmid) == ("10", "11")
    assert (similar.rank, similar.score) == (1, Decimal(42))
    assert {p.pmid for p in records if isinstance(p, Paper)} == {"10", "11"}


def test_xml_errors_entities_and_breakage() -> None:
    error = "<?xml version='1.0'?>\n<eLinkResult><ERROR>Empty id list</ERROR></eLinkResult>"
    assert [p.message for p in problems(list(pubmed_elink.parse(error)))] == [
        "E-utilities error: Empty id list"
    ]
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE eLinkResult [\n<!ENTITY a "aaaa">\n]>\n'
        "<eLinkResult><LinkSet><DbFrom>&a;</DbFrom></LinkSet></eLinkResult>"
    )
    assert pubmed_elink.sniff(bomb)
    (refused,) = pubmed_elink.parse(bomb)
    assert isinstance(refused, Problem) and "refused" in refused.message
    assert refused.loc.line == 3
    whole = text_of(FIXTURES / "elink1.xml")
    broken = whole.replace("</eLinkResult>", "<LinkSet><Id></eLinkResult>")
    records = list(pubmed_elink.parse(broken))
    assert len(relations(records)) == 195  # the LinkSet read before the error is kept
    assert problems(records)[-1].message.startswith("malformed XML: ")


def test_pubmed_xml_is_not_elink() -> None:
    article = "<?xml version='1.0'?>\n<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>"
    assert detect(article) == ["pubmed_xml"]
    assert not pubmed_elink.sniff('{"header": {"type": "esearch"}, "esearchresult": {}}')


def test_graph_has_similarity_with_rank_and_score_and_citations(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("elink1.xml", "elink1_2008_with_scores.xml"):
        shutil.copy(FIXTURES / name, inputs / name)
    report = kg.build([inputs], tmp_path / "out")
    assert report.complete, report.problems
    graph = Graph().parse(tmp_path / "out" / "graph.ttl")
    rows = list(
        graph.query(
            """SELECT ?rank ?score WHERE {
                 ?s a kgo:Similarity ; kgo:fromPaper <https://pubmed.ncbi.nlm.nih.gov/9298984> ;
                    kgo:toPaper <https://pubmed.ncbi.nlm.nih.gov/8794856> ;
                    kgo:rank ?rank ; kgo:score ?score .
                 <https://pubmed.ncbi.nlm.nih.gov/9298984> kgo:similarTo
                    <https://pubmed.ncbi.nlm.nih.gov/8794856> }"""
        )
    )
    assert [(r[0].toPython(), r[1].toPython()) for r in rows] == [(1, Decimal(65259341))]
    asked = """ASK { <https://pubmed.ncbi.nlm.nih.gov/38830800> cito:cites
                       <https://pubmed.ncbi.nlm.nih.gov/9298984> .
                     <https://pubmed.ncbi.nlm.nih.gov/9298984> cito:cites
                       <https://pubmed.ncbi.nlm.nih.gov/14732139> }"""
    assert graph.query(asked).askAnswer


JSON = json_like(
    [
        "dbfrom",
        "ids",
        "linksetdbs",
        "dbto",
        "linkname",
        "links",
        "id",
        "score",
        "ERROR",
        "pubmed",
        "pubmed_pubmed",
        "pubmed_pubmed_refs",
        "pubmed_pubmed_citedin",
    ]
)


@settings(max_examples=200, deadline=None)
@given(response=JSON, indent=st.none() | st.just(1))
def test_any_json_of_the_shape_reads_without_raising(response, indent) -> None:
    text = json.dumps(
        {"header": {"type": "elink", "version": "0.3"}, "linksets": [response]}, indent=indent
    )
    assert pubmed_elink.sniff(text)
    lines = text.count("\n") + 1
    for record in pubmed_elink.parse(text):
        assert isinstance(record, RECORD_TYPES)
        assert 1 <= record.loc.line <= lines
