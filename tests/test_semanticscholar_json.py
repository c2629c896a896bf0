"""The Semantic Scholar extractor: recorded bodies, bare and in kg fetch's envelope, and the
graph of citation statements with intents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph

import kg
from kg.extract import detect, semanticscholar_json
from kg.records import CitationStatement, Journal, PaperRef, Record

from .helpers import RECORD_TYPES, cited, counts, json_like, papers, problems, relations, text_of

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "api" / "semanticscholar"
ALL = sorted(p.name for p in FIXTURES.iterdir())
DAY = "2026-12-06"


def body(name: str) -> str:
    return text_of(FIXTURES / name)


def envelope(response: str, endpoint: str, asked: str | None = None) -> str:
    """A file as kg fetch saves it: the header, then the body verbatim."""
    head = {"service": "semanticscholar", "endpoint": endpoint, "date": DAY}
    if asked is not None:
        head["id"] = asked
    return '{"kg_fetch": ' + json.dumps(head) + ', "response": ' + response.strip() + "}\n"


def page(*items: str) -> str:
    return '{"offset": 0, "data": [' + ", ".join(items) + "]}"


def parse(text: str) -> list[Record]:
    return list(semanticscholar_json.parse(text))


def statements(records: list[Record]) -> list[CitationStatement]:
    return [r for r in records if isinstance(r, CitationStatement)]


@pytest.mark.parametrize("name", ALL)
def test_every_body_is_semantic_scholar_bare_and_in_its_envelope(name: str) -> None:
    text = body(name)
    for each in (text, envelope(text, "references", "PMID:25879639")):
        assert detect(each) == ["semanticscholar_json"]
        lines = each.count("\n") + 1
        for record in parse(each):
            assert isinstance(record, RECORD_TYPES)
            assert 1 <= record.loc.line <= lines


def test_a_paper_with_a_title_only() -> None:
    (paper,) = parse(body("paper_title.json"))
    assert paper.primary and paper.title == "Computing Machinery and Intelligence"
    assert paper.extra == (("paperId", "2d5673caa9e6af3a7b82a43f19ee920992db07ad"),)


def test_batch_papers_fields_and_counts() -> None:
    records = parse(body("batch_not_found.json"))  # its first paper was not found: null
    assert problems(records) == []
    first, second, third = papers(records)
    assert first.doi == "10.2139/ssrn.288970"
    assert first.title == "How Much Should We Trust Differences-in-Differences Estimates?"
    assert (first.year, first.date, first.types) == (2001, "2001 Oct 01", ("Review",))
    assert first.journal == Journal(title="Experimental & Empirical Studies eJournal")
    assert [(a.family, a.given) for a in first.authors] == [
        ("Bertrand", "Marianne"),
        ("Duflo", "E."),
        ("Mullainathan", "S."),
    ]
    assert first.free_full_text
    assert ("CorpusId", "470667") in first.extra and ("MAG", "2096684396") in first.extra
    assert ("publicationType", "Review") in first.extra
    assert (second.doi, third.doi) == ("10.2139/ssrn.2250500", "10.1257/rct.1355")
    count = counts(records)[0]
    assert (count.source_name, count.cited_by, count.references) == ("semanticscholar", 10670, 30)
    assert count.date is None  # a bare body says no day
    dated = counts(parse(envelope(body("batch_not_found.json"), "batch")))
    assert {c.date for c in dated} == {DAY}


def test_a_bare_references_page_gives_papers_and_one_problem() -> None:
    records = parse(body("references_offset100.json"))
    assert len(cited(records)) == 56 and papers(records) == []
    assert relations(records) == [] and statements(records) == []
    (problem,) = problems(records)
    assert problem.message.startswith("the citing paper is not identified by a DOI")
    asked = parse(envelope(body("references_offset100.json"), "references", "CorpusId:1033682"))
    assert relations(asked) == []
    assert "(CorpusId:1033682)" in problems(asked)[0].message


def test_a_references_page_with_its_paper_gives_citations_and_statements() -> None:
    text = envelope(body("references_offset100.json"), "references", "DOI:10.5555/KG.Example.9")
    records = parse(text)
    assert problems(records) == []
    citing = PaperRef(doi="10.5555/kg.example.9")
    cites = relations(records, "cites")
    assert len(cites) == 56 and {r.subject for r in cites} == {citing}
    found = statements(records)
    assert len(found) == 43  # one a context sentence, of 25 references
    first = found[0]
    assert first.text.startswith("Conditional GAN: Mirza and Osindero (2014) LapGAN")
    assert (first.citing, first.cited.title) == (citing, "Conditional Generative Adversarial Nets")
    assert (first.type, first.intents, first.influential) == ("mentioning", (), True)
    assert sum(1 for s in found if s.influential) == 9  # the one influential reference's
    assert {c.date for c in counts(records)} == {DAY}


def test_contexts_keep_their_own_intents() -> None:
    edge = body("Reference.json")
    records = parse(envelope(page(edge), "references", "PMID:25879639"))
    (statement,) = statements(records)
    assert statement.intents == ("background",) and statement.influential is False
    assert statement.citing == PaperRef(pmid="25879639")
    assert statement.text.startswith("Directed generative models have gained in popularity")
    mixed = {
        "contexts": ["First sentence.", "Second sentence."],
        "intents": ["background", "methodology"],
        "contextsWithIntent": [{"context": "First sentence.", "intents": ["methodology"]}],
        "isInfluential": True,
        "citedPaper": {"paperId": "a" * 40, "externalIds": {"PubMed": "123"}, "title": "T"},
    }
    found = statements(parse(envelope(page(json.dumps(mixed)), "references", "PMID:1")))
    assert [(s.text, s.intents) for s in found] == [
        ("First sentence.", ("methodology",)),
        ("Second sentence.", ("background", "methodology")),  # the item's, for want of its own
    ]


def test_a_citations_page_turns_the_relation_round() -> None:
    text = envelope(body("citations_offset1800.json"), "citations", "PMCID:PMC4404612")
    records = parse(text)
    assert problems(records) == []
    cites = relations(records, "cites")
    assert len(cites) == 81 and {r.object for r in cites} == {PaperRef(pmcid="PMC4404612")}
    assert cites[0].subject.title == (
        "POVERTY LINES, HOUSEHOLD ECONOMIES OF SCALE AND URBAN POVERTY IN MALAYSIA"
    )


def test_errors_and_papers_without_identity_are_problems() -> None:
    error = envelope('{"error":"Paper with id 0 not found"}', "paper", "CorpusId:0")
    assert [p.message for p in parse(error)] == [
        "Semantic Scholar error: Paper with id 0 not found"
    ]
    anonymous = '[{"paperId": "c31c87c591a25c64fbaa82e8ac6a81831b6ac7ce", "authors": []}]'
    (problem,) = parse(anonymous)
    assert "no DOI, PMID, PMCID or title" in problem.message


def test_envelopes_of_other_services_are_not_semantic_scholar() -> None:
    other = (
        '{"kg_fetch": {"service": "europepmc", "endpoint": "search"}, "response": {"paperId": 1}}'
    )
    assert not semanticscholar_json.sniff(other)
    assert not semanticscholar_json.sniff('{"data": [{"title": "x"}]}')


def test_graph_has_statements_with_intents_and_characterizations(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    edge = body("Reference.json")
    method = json.dumps(
        {
            "contexts": ["We train with the method of [12]."],
            "intents": ["methodology"],
            "isInfluential": True,
            "citedPaper": {"paperId": "b" * 40, "externalIds": {"DOI": "10.5555/m"}, "title": "M"},
        }
    )
    (inputs / "one.json").write_text(envelope(page(edge, method), "references", "PMID:25879639"))
    # another paper citing with the same sentence: another statement
    (inputs / "two.json").write_text(envelope(page(edge), "references", "DOI:10.5555/other"))
    report = kg.build([inputs], tmp_path / "out")
    assert report.complete, report.problems
    graph = Graph().parse(tmp_path / "out" / "graph.ttl")
    background = """SELECT ?c ?influential WHERE {
        ?c a cito:Citation ;
           cito:hasCitingEntity <https://pubmed.ncbi.nlm.nih.gov/25879639> ;
           c4o:hasContent ?text ; kgo:intent "background" ; kgo:influential ?influential ;
           cito:hasCitationCharacterization cito:obtainsBackgroundFrom .
        FILTER(STRSTARTS(?text, "Directed generative models")) }"""
    rows = list(graph.query(background))
    assert len(rows) == 1 and rows[0][1].toPython() is False
    method_ask = """ASK { ?c a cito:Citation ; cito:hasCitedEntity <https://doi.org/10.5555/m> ;
        kgo:intent "methodology" ; kgo:influential true ;
        cito:hasCitationCharacterization cito:usesMethodIn .
        <https://pubmed.ncbi.nlm.nih.gov/25879639> cito:cites <https://doi.org/10.5555/m> }"""
    assert graph.query(method_ask).askAnswer
    same_text = """SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a cito:Citation ;
        c4o:hasContent ?text . FILTER(STRSTARTS(?text, "Directed generative models")) }"""
    assert next(iter(graph.query(same_text)))[0].toPython() == 2
    pyshacl = pytest.importorskip("pyshacl")
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes)
    assert conforms, text


JSON = json_like(
    [
        "paperId",
        "externalIds",
        "DOI",
        "PubMed",
        "title",
        "year",
        "authors",
        "name",
        "journal",
        "data",
        "citedPaper",
        "citingPaper",
        "contexts",
        "intents",
        "contextsWithIntent",
        "context",
        "isInfluential",
        "citationCount",
        "references",
        "error",
    ]
)


@settings(max_examples=200, deadline=None)
@given(response=JSON, asked=st.none() | st.text(max_size=20), indent=st.none() | st.just(1))
def test_any_response_in_an_envelope_reads_without_raising(response, asked, indent) -> None:
    head = {"service": "semanticscholar", "endpoint": "references", "date": "2026-12-06"}
    if asked is not None:
        head["id"] = asked
    text = json.dumps({"kg_fetch": head, "response": response}, indent=indent)
    assert semanticscholar_json.sniff(text)
    lines = text.count("\n") + 1
    for record in semanticscholar_json.parse(text):
        assert isinstance(record, RECORD_TYPES)
        assert 1 <= record.loc.line <= lines
