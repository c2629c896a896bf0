"""The vocabulary is closed, every kgo: term is declared in ontology/kg.ttl, every SPAR term
exists in the published ontologies, and the seeds' graph conforms to ontology/shapes.ttl."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.rdf import date_literal
from kg.vocab import C4O, CITO, DEO, FABIO, KGO, KGO_IRI, KGO_TERMS

from .conftest import FIXTURES, ONTOLOGY


def test_namespaces_are_closed() -> None:
    with pytest.raises(AttributeError):
        _ = CITO.citez
    with pytest.raises(AttributeError):
        _ = KGO.similarto


def test_ontology_declares_exactly_the_kgo_terms() -> None:
    onto = Graph().parse(ONTOLOGY / "kg.ttl")
    declared = {
        str(s)[len(KGO_IRI) :] for s in onto.subjects(RDF.type, None) if str(s).startswith(KGO_IRI)
    }
    assert declared == set(KGO_TERMS)
    for term in KGO_TERMS:
        iri = URIRef(KGO_IRI + term)
        assert onto.value(iri, RDFS.label) is not None, term
        kinds = set(onto.objects(iri, RDF.type))
        if OWL.Class not in kinds:
            assert onto.value(iri, RDFS.domain) is not None, term


@pytest.mark.parametrize(
    ("namespace", "file"), [(CITO, "cito"), (FABIO, "fabio"), (C4O, "c4o"), (DEO, "deo")]
)
def test_spar_terms_exist_in_the_published_ontologies(namespace, file: str) -> None:
    onto = Graph().parse(FIXTURES / "ontologies" / f"{file}.ttl")  # sources: its SOURCES.md
    subjects = {str(s) for s in onto.subjects()}
    terms = namespace._ClosedNamespace__uris.values()  # type: ignore[attr-defined]
    missing = [str(t) for t in terms if str(t) not in subjects]
    assert missing == []


def test_seed_graph_conforms_to_the_shapes(seed_graph: Graph) -> None:
    pyshacl = pytest.importorskip("pyshacl")
    shapes = Graph().parse(ONTOLOGY / "shapes.ttl")
    conforms, _, text = pyshacl.validate(seed_graph, shacl_graph=shapes)
    assert conforms, text


def test_shapes_catch_a_broken_graph(seed_graph: Graph) -> None:
    pyshacl = pytest.importorskip("pyshacl")
    shapes = Graph().parse(ONTOLOGY / "shapes.ttl")
    broken = Graph()
    broken += seed_graph
    statement = next(broken.subjects(RDF.type, CITO.Citation))
    broken.set((statement, KGO.confidence, Literal("3.5", datatype=XSD.decimal)))
    broken.add((URIRef("https://example.org/empty"), RDF.type, KGO.Paper))
    conforms, _, text = pyshacl.validate(broken, shacl_graph=shapes)
    assert not conforms
    assert "A confidence is a decimal in [0, 1]." in text
    assert "A paper has a title, an identifier" in text


@pytest.mark.parametrize(
    ("printed", "value", "datatype"),
    [
        ("2015 Oct 21", "2015-10-21", XSD.date),
        ("2024 Sep", "2024-09", XSD.gYearMonth),
        ("2021", "2021", XSD.gYear),
        ("2023 Feb 30", "2023 Feb 30", None),
        ("2023 Spring", "2023 Spring", None),
        ("2019 Dec-2020 Jan", "2019 Dec-2020 Jan", None),
    ],
)
def test_dates_typed_only_when_real(printed: str, value: str, datatype) -> None:
    literal = date_literal(printed)
    assert (str(literal), literal.datatype) == (value, datatype)
