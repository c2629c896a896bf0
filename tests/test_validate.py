"""kg validate: the seeds' graph conforms to ontology/shapes.ttl; broken graphs fail, each
violation named by its focus node, path and the shape's message."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from kg.cli import cli
from kg.validate import Violation, validate

from .conftest import ONTOLOGY
from .test_cli import run_kg

KGS = "https://w3id.org/kg/shapes#"
DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
PREFIXES = """\
@prefix kgo: <https://w3id.org/kg/ontology#> .
@prefix cito: <http://purl.org/spar/cito/> .
@prefix c4o: <http://purl.org/spar/c4o/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
# A source and a paper that conform, for the broken nodes to hang on.
GOOD = """\
<https://example.org/source> a prov:Entity ; kgo:path "in.txt" ;
    kgo:sha256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" .
<https://example.org/good> a kgo:Paper ; dcterms:title "A good paper" ;
    prov:wasDerivedFrom <https://example.org/source> .
"""
EMPTY_PAPER = "https://example.org/empty"
EMPTY = f"<{EMPTY_PAPER}> a kgo:Paper ; prov:wasDerivedFrom <https://example.org/source> .\n"
STATEMENT = "https://example.org/statement"
CONFIDENT = f"""\
<{STATEMENT}> a cito:Citation ; cito:hasCitedEntity <https://example.org/good> ;
    cito:hasCitationCharacterization cito:supports ; c4o:hasContent "It works." ;
    kgo:confidence 3.5 ;
    prov:wasDerivedFrom <https://example.org/source> .
"""


def shape_message(shape: str, path: str | None = None) -> str:
    """The sh:message ontology/shapes.ttl gives a node shape (or one of its property shapes)."""
    shapes = Graph().parse(ONTOLOGY / "shapes.ttl")
    node = URIRef(KGS + shape)
    if path is not None:
        node = next(
            p for p in shapes.objects(node, SH.property) if shapes.value(p, SH.path) == URIRef(path)
        )
    return str(shapes.value(node, SH.message))


CONFIDENCE_MESSAGE = shape_message("CitationShape", "https://w3id.org/kg/ontology#confidence")


def write(tmp_path: Path, *parts: str, name: str = "graph.ttl") -> Path:
    path = tmp_path / name
    path.write_text(PREFIXES + "".join(parts), encoding="utf-8")
    return path


def kg(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_the_seeds_graph_conforms(seed_build: Path) -> None:
    report = validate(seed_build)
    assert report.conforms, [v.describe() for v in report.violations]
    assert report.triples == len(Graph().parse(seed_build / "graph.ttl"))
    done = kg("validate", "-g", str(seed_build))
    assert done.exit_code == 0, done.output
    assert done.stdout == f"conforms: {report.triples} triples checked\n"


def test_each_way_of_giving_the_seeds_graph_conforms(seed_build: Path) -> None:
    for given in (seed_build / "store", seed_build / "graph.ttl", seed_build / "graph.trig"):
        report = validate(given)
        assert report.conforms and report.triples > 200, (given, report.violations)


def test_a_paper_with_neither_title_nor_identifier_nor_citation_text_fails(
    tmp_path: Path,
) -> None:
    graph = write(tmp_path, GOOD, EMPTY)
    report = validate(graph)
    assert report.violations == (
        Violation(
            focus=EMPTY_PAPER,
            path=None,
            message=shape_message("PaperShape"),
            severity="Violation",
            value=None,
            shape="kgs:PaperShape",
            constraint="Or",
        ),
    )
    done = kg("validate", "-g", str(graph))
    assert done.exit_code == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"<{EMPTY_PAPER}>: {shape_message('PaperShape')}",
        "Error: 1 violation in 1 node",
    ]


def test_a_confidence_of_3_5_fails_naming_kgo_confidence(tmp_path: Path) -> None:
    graph = write(tmp_path, GOOD, CONFIDENT)
    (violation,) = validate(graph).violations
    assert (violation.focus, violation.path, violation.message) == (
        STATEMENT,
        "kgo:confidence",
        CONFIDENCE_MESSAGE,
    )
    assert violation.value == '"3.5"^^xsd:decimal'
    assert violation.shape == "kgs:CitationShape kgo:confidence"
    assert violation.constraint == "MaxInclusive"
    done = kg("validate", "-g", str(graph))
    assert done.exit_code == 1
    assert done.stderr.splitlines() == [
        f'<{STATEMENT}> kgo:confidence: {CONFIDENCE_MESSAGE} (value "3.5"^^xsd:decimal)',
        "Error: 1 violation in 1 node",
    ]


def test_a_broken_seeds_graph_fails_with_exactly_what_was_broken(
    seed_build: Path, tmp_path: Path
) -> None:
    graph = Graph().parse(seed_build / "graph.ttl")
    statement = sorted(graph.subjects(RDF.type, URIRef("http://purl.org/spar/cito/Citation")))[0]
    graph.set(
        (
            statement,
            URIRef("https://w3id.org/kg/ontology#confidence"),
            Literal("3.5", datatype=DECIMAL),
        )
    )
    graph.add((URIRef(EMPTY_PAPER), RDF.type, URIRef("https://w3id.org/kg/ontology#Paper")))
    broken = tmp_path / "broken.nt"
    graph.serialize(broken, format="nt", encoding="utf-8")
    report = validate(broken)
    found = [(v.focus, v.path, v.message) for v in report.violations]
    assert found == sorted(
        [
            (EMPTY_PAPER, None, shape_message("PaperShape")),
            (EMPTY_PAPER, "prov:wasDerivedFrom", "Every paper links to the sources it came from."),
            (str(statement), "kgo:confidence", CONFIDENCE_MESSAGE),
        ],
        key=lambda f: (f[0], f[1] or ""),
    )
    assert report.summary() == "3 violations in 2 nodes"


def test_violations_come_in_a_stable_order_and_as_json(tmp_path: Path) -> None:
    # the same facts written in two orders give the same report, sorted by focus node
    one = write(tmp_path, CONFIDENT, EMPTY, GOOD, name="one.ttl")
    two = write(tmp_path, GOOD, EMPTY, CONFIDENT, name="two.ttl")
    report = validate(one)
    assert report == validate(two)
    assert [v.focus for v in report.violations] == [EMPTY_PAPER, STATEMENT]
    done = kg("validate", "-g", str(one), "--json")
    assert done.exit_code == 1
    printed = json.loads(done.stdout)
    assert printed["conforms"] is False
    assert printed["triples"] == report.triples == len(Graph().parse(one))
    assert [(v["focus"], v["path"], v["message"]) for v in printed["violations"]] == [
        (EMPTY_PAPER, None, shape_message("PaperShape")),
        (STATEMENT, "kgo:confidence", CONFIDENCE_MESSAGE),
    ]
    assert done.stderr == "Error: 2 violations in 2 nodes\n"


def test_only_the_merged_default_graph_is_checked(tmp_path: Path) -> None:
    # a source's own named graph may say less than the merged graph; the merged graph counts
    trig = write(tmp_path, GOOD, f"<https://example.org/g> {{ {EMPTY} }}\n", name="g.trig")
    assert validate(trig).conforms
    merged = write(tmp_path, GOOD, EMPTY, name="merged.trig")
    assert [v.focus for v in validate(merged).violations] == [EMPTY_PAPER]


def test_a_long_value_is_shortened_on_its_line_but_kept_whole() -> None:
    value = '"' + "x" * 500 + '"'
    violation = Violation(
        "https://example.org/p", "dcterms:title", "m", "Violation", value, "s", "c"
    )
    line = violation.describe()
    assert len(line) < 200 and line.endswith("…)")
    assert violation.value == value


def test_a_missing_or_unreadable_graph_is_one_line_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "bad.ttl").write_text("this is not turtle <", encoding="utf-8")
    for given, message in (
        ("nowhere", "Error: no such graph: nowhere"),
        ("bad.ttl", "Error: cannot read bad.ttl"),
    ):
        done = run_kg("validate", "-g", given, cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert done.stdout == ""
        assert len(done.stderr.splitlines()) == 1, done.stderr
        assert done.stderr.startswith(message), done.stderr
