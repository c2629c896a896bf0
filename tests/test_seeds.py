"""Every fact of both seed documents is in the built graph (queried as a user would)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

PREFIXES = """
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX c4o: <http://purl.org/spar/c4o/>
PREFIX deo: <http://purl.org/spar/deo/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX kgo: <https://w3id.org/kg/ontology#>
"""

PUBMED = URIRef("https://doi.org/10.1186/s12939-015-0156-0")
SCITE = URIRef("https://doi.org/10.1186/s12939-017-0655-2")


def rows(graph: Graph, query: str, **bindings: object) -> list[tuple]:
    return [tuple(r) for r in graph.query(PREFIXES + query, initBindings=bindings)]


def test_pubmed_paper_ids_title_abstract(seed_graph: Graph) -> None:
    [(pmid, pmcid, doi, title, abstract)] = rows(
        seed_graph,
        """SELECT ?pmid ?pmcid ?doi ?title ?abstract WHERE {
             ?p a kgo:Paper ; fabio:hasPubMedId ?pmid ; fabio:hasPubMedCentralId ?pmcid ;
                prism:doi ?doi ; dcterms:title ?title ; dcterms:abstract ?abstract }""",
        p=PUBMED,
    )
    assert (str(pmid), str(pmcid), str(doi)) == (
        "25879639",
        "PMC4404612",
        "10.1186/s12939-015-0156-0",
    )
    assert str(title) == (
        "Reducing stigma in healthcare and law enforcement: a novel approach to service "
        "provision for street level sex workers"
    )
    paragraphs = str(abstract).split("\n")
    assert [p.split(":")[0] for p in paragraphs] == [
        "Introduction",
        "Methods",
        "Results",
        "Conclusions",
    ]
    assert paragraphs[0].startswith("Introduction: Providing services for street level sex workers")
    assert paragraphs[3].endswith("applicable to many cities across Canada.")


# PMID, relation, title start, journal, year, volume, issue, pages, DOI, free, FaBiO type
LISTED = [
    ("39711037", "similar", "East London Project", "Public Health Res (Southampt)", 2024, "12", "10", "1-59", "10.3310/gfvc7006", False, None),
    ("24889853", "similar", "Criminalisation of clients", "BMJ Open", 2014, "4", "6", "e005191", "10.1136/bmjopen-2014-005191", True, None),
    ("27113456", "similar", "'They won't change it back", "Sociol Health Illn", 2016, "38", "7", "1137-50", "10.1111/1467-9566.12436", True, None),
    ("26488904", "similar", "Arresting HIV", "PLoS One", 2015, "10", "10", "e0134900", "10.1371/journal.pone.0134900", True, "ReviewArticle"),
    ("37747513", "similar", "Law enforcement mental health", "Psychol Serv", 2024, "21", "4", "938-946", "10.1037/ser0000803", False, None),
    ("29161260", "cited-by", "HIV self-testing among female sex workers", "PLoS Med", 2017, "14", "11", "e1002442", "10.1371/journal.pmed.1002442", True, "ClinicalTrialReport"),
    ("32401075", "cited-by", "Confirmatory Factor Analysis", "J Sex Res", 2021, "58", "6", "713-723", "10.1080/00224499.2020.1755821", True, None),
    ("34421050", "cited-by", "Characterizing Health Care Access", "J Health Care Poor Underserved", 2021, "32", "3", "1584-1603", "10.1353/hpu.2021.0151", True, None),
    ("31423291", "cited-by", "Canadian Sex Workers Weigh", "Sex Res Social Policy", 2019, "16", "3", "329-341", "10.1007/s13178-018-0339-8", True, None),
    ("35753282", "cited-by", "Violence, policing, and systemic racism", "Drug Alcohol Depend", 2022, "237", None, "109506", "10.1016/j.drugalcdep.2022.109506", True, None),
]  # fmt: skip


@pytest.mark.parametrize("entry", LISTED, ids=[e[0] for e in LISTED])
def test_listed_papers(seed_graph: Graph, entry: tuple) -> None:
    pmid, relation, title, journal, year, volume, issue, pages, doi, free, fabio_type = entry
    p = URIRef("https://doi.org/" + doi)
    g = seed_graph
    fabio = "http://purl.org/spar/fabio/"
    assert str(g.value(p, URIRef(fabio + "hasPubMedId"))) == pmid
    assert str(g.value(p, URIRef("http://purl.org/dc/terms/title"))).startswith(title)
    [(abbr,)] = rows(
        g,
        "SELECT ?a WHERE { ?p dcterms:isPartOf ?j . ?j a fabio:Journal ; fabio:hasNLMJournalTitleAbbreviation ?a }",
        p=p,
    )
    assert str(abbr) == journal
    assert g.value(p, URIRef(fabio + "hasPublicationYear")) == Literal(
        str(year), datatype=XSD.gYear
    )
    prism = "http://prismstandard.org/namespaces/basic/2.0/"
    assert str(g.value(p, URIRef(prism + "volume"))) == volume
    assert (
        str(g.value(p, URIRef(prism + "issueIdentifier")))
        if issue
        else g.value(p, URIRef(prism + "issueIdentifier"))
    ) == issue
    assert str(g.value(p, URIRef(prism + "pageRange"))) == pages
    assert str(g.value(p, URIRef(prism + "doi"))) == doi
    assert (
        g.value(p, URIRef("https://w3id.org/kg/ontology#freeFullText")) == Literal(True)
    ) is free
    if fabio_type:
        assert (
            p,
            URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef(fabio + fabio_type),
        ) in g
    if relation == "similar":
        assert (PUBMED, URIRef("https://w3id.org/kg/ontology#similarTo"), p) in g
    else:
        assert (p, URIRef("http://purl.org/spar/cito/cites"), PUBMED) in g
        assert (PUBMED, URIRef("http://purl.org/spar/cito/isCitedBy"), p) in g


def test_similar_ranks_and_distinct_journals(seed_graph: Graph) -> None:
    ranked = rows(
        seed_graph,
        """SELECT ?pmid ?rank WHERE { ?s a kgo:Similarity ; kgo:fromPaper ?a ; kgo:toPaper ?b ;
             kgo:rank ?rank . ?b fabio:hasPubMedId ?pmid } ORDER BY ?rank""",
        a=PUBMED,
    )
    assert [(str(p), int(r)) for p, r in ranked] == [(e[0], i) for i, e in enumerate(LISTED[:5], 1)]
    journals = rows(seed_graph, "SELECT DISTINCT ?j WHERE { ?p dcterms:isPartOf ?j }")
    assert len(journals) == 10
    citing = rows(seed_graph, "SELECT ?c WHERE { ?c cito:cites ?p }", p=PUBMED)
    assert len(citing) == 5


def test_scite_paper_and_counts(seed_graph: Graph) -> None:
    [(doi, title, year, abstract)] = rows(
        seed_graph,
        "SELECT ?doi ?t ?y ?a WHERE { ?p prism:doi ?doi ; dcterms:title ?t ; fabio:hasPublicationYear ?y ; dcterms:abstract ?a }",
        p=SCITE,
    )
    assert str(doi) == "10.1186/s12939-017-0655-2"
    assert str(title).startswith("Sex workers as peer health advocates: community empowerment")
    assert str(year) == "2017"
    assert str(abstract).startswith("Background: Social marginalization and criminalization")
    assert "Show more" not in str(abstract)
    [(cited_by, source)] = rows(
        seed_graph,
        """SELECT ?n ?src WHERE { ?p c4o:hasGlobalCitationFrequency ?c . ?c a c4o:GlobalCitationCount ;
             c4o:hasGlobalCountValue ?n ; c4o:hasGlobalCountSource ?src }""",
        p=SCITE,
    )
    assert (int(cited_by), str(source)) == (43, "https://scite.ai/")
    [counts] = rows(
        seed_graph,
        """SELECT ?st ?ref ?sup ?men ?con WHERE { ?p kgo:citationStatementCount ?st ;
             kgo:referenceCount ?ref ; kgo:supportingCount ?sup ; kgo:mentioningCount ?men ;
             kgo:contrastingCount ?con }""",
        p=SCITE,
    )
    assert [int(v) for v in counts] == [32, 40, 0, 32, 0]


def test_scite_statements(seed_graph: Graph) -> None:
    found = rows(
        seed_graph,
        """SELECT ?text ?section ?char ?conf ?type WHERE { ?c a cito:Citation ; cito:hasCitedEntity ?p ;
             c4o:hasContent ?text ; kgo:section ?section ; cito:hasCitationCharacterization ?char ;
             kgo:confidence ?conf . OPTIONAL { ?c kgo:sectionType ?type } } ORDER BY ?text""",
        p=SCITE,
    )
    assert len(found) == 4
    sections = sorted(str(r[1]) for r in found)
    assert sections == [
        "Discussion",
        "Discussion",
        "Discussion",
        "Impact Of Peer-to-peer Interventions",
    ]
    assert {str(r[2]) for r in found} == {"http://purl.org/spar/cito/citesForInformation"}
    assert {r[3].toPython() for r in found} == {Decimal("0.99")}
    texts = [str(r[0]) for r in found]
    assert any("(Benoit et al 2017)" in t for t in texts)
    assert any(t.endswith("stigmatizing behaviors [21,22,34].") for t in texts)
    assert not any(t.startswith(("\u201c", "…")) or t.endswith(("\u201d", "…")) for t in texts)
    assert sum(1 for r in found if str(r[4]) == "http://purl.org/spar/deo/Discussion") == 3


def test_provenance(seed_graph: Graph) -> None:
    found = rows(
        seed_graph,
        """SELECT ?p ?path ?fmt WHERE { ?p prov:wasDerivedFrom ?s . ?s a prov:Entity ; kgo:path ?path ;
             kgo:sourceFormat ?fmt }""",
    )
    by_paper = {(str(p), str(path).rsplit("/", 1)[-1], str(fmt)) for p, path, fmt in found}
    assert (str(SCITE), "000_18ca61cfa3613128.txt", "scite_page") in by_paper
    assert (str(PUBMED), "004_306def990ca61d5f.txt", "pubmed_page") in by_paper
    papers = rows(
        seed_graph,
        "SELECT ?p WHERE { ?p a kgo:Paper FILTER NOT EXISTS { ?p prov:wasDerivedFrom ?s } }",
    )
    assert papers == []
    assert len(rows(seed_graph, "SELECT ?p WHERE { ?p a kgo:Paper }")) == 12
