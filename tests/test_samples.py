"""The real exports in tests/fixtures/samples (third-party files, not ours; sources in its
SOURCES.md), all built in one folder
together with the seeds: every figure the formats issue lists, checked on the merged graph."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

import kg
from kg.extract import detect

from .conftest import FIXTURES, SEEDS

SAMPLES = FIXTURES / "samples"

PREFIXES = """
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX c4o: <http://purl.org/spar/c4o/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX kgo: <https://w3id.org/kg/ontology#>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

FORMATS = {
    "bibtex/paper.bib": "bibtex",
    "bibtex/test_content_negotiation_with_unicode_doi__10.1126_science.169.3946.635.bib": "bibtex",
    "crossref_json/test_works_with_many_ids__10.1002_jor.1100150407.json": "crossref_json",
    "crossref_json/test_works_with_one_id__10.1371_journal.pone.0033693.json": "crossref_json",
    "medline/demo_pubmed_202101.nbib": "medline",
    "medline/marcelis-20301770.nbib": "medline",
    "medline/pubmed_Kolmogorov2020.txt": "medline",
    "medline/pubmed_result2.txt": "medline",
    "openalex_json/W2741809807.json": "openalex_json",
    "pubmed_xml/pubmed-29768149.xml": "pubmed_xml",
    "pubmed_xml/pubmed4.xml": "pubmed_xml",
    "pubmed_xml/pubmed7.xml": "pubmed_xml",
    "ris/example_utf_chars.ris": "ris",
    "ris/pubmed_endnote.txt": "ris",
    "ris/pubmed_zotero.ris": "ris",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[kg.BuildReport, Graph, Dataset]:
    work = tmp_path_factory.mktemp("samples")
    shutil.copytree(SAMPLES, work / "in", ignore=shutil.ignore_patterns("*.md"))
    shutil.copytree(SEEDS, work / "in" / "seeds")
    report = kg.build([work / "in"], work / "out")
    dataset = Dataset()
    dataset.parse(work / "out" / "graph.trig", format="trig")
    return report, Graph().parse(work / "out" / "graph.ttl"), dataset


def one(graph: Graph, query: str, **bindings: object) -> object:
    rows = list(graph.query(PREFIXES + query, initBindings=bindings))
    assert len(rows) == 1, rows
    value = rows[0][0]
    return value if isinstance(value, URIRef) else value.toPython()


def paper(graph: Graph, pmid: str | None = None, doi: str | None = None) -> URIRef:
    if pmid:
        return one(graph, "SELECT ?p { ?p fabio:hasPubMedId ?id }", id=Literal(pmid))
    return one(graph, "SELECT ?p { ?p prism:doi ?id }", id=Literal(doi))


def count(graph: Graph, where: str, **bindings: object) -> int:
    return int(one(graph, f"SELECT (COUNT(DISTINCT ?x) AS ?n) {{ {where} }}", **bindings))


def test_every_sample_is_claimed_by_exactly_its_own_extractor() -> None:
    for name, expected in FORMATS.items():
        text = (SAMPLES / name).read_bytes().decode("utf-8-sig")
        assert detect(text) == [expected], name
    assert sorted(FORMATS) == sorted(
        p.relative_to(SAMPLES).as_posix()
        for p in SAMPLES.rglob("*")
        if p.suffix != ".md" and p.is_file()
    )


def test_everything_is_read_without_a_problem(built) -> None:
    report, _, _ = built
    assert report.problems == ()
    formats = {
        Path(f.path).relative_to(Path(f.path).parents[1]).as_posix(): f.format for f in report.files
    }
    for name, fmt in FORMATS.items():
        assert formats[name] == fmt, name


def test_pubmed7_references_and_collective_author(built) -> None:
    _, g, _ = built
    p = paper(g, pmid="29963580")
    assert count(g, "?p cito:cites ?x", p=p) == 49
    assert count(g, "?p cito:cites ?x . ?x fabio:hasPubMedId ?id", p=p) == 49
    assert count(g, "?p dcterms:creator ?x", p=p) == 9
    assert count(g, "?p dcterms:creator ?x . ?x a foaf:Organization", p=p) == 1
    assert count(g, "?p fabio:hasPubMedCentralId ?x", p=p) == 1


def test_pubmed4_comments_corrections_authors_mesh(built) -> None:
    _, g, _ = built
    p = paper(g, pmid="27797938")
    assert count(g, "?p cito:cites ?x", p=p) == 48
    assert count(g, "?p dcterms:creator ?x", p=p) == 22
    assert (
        count(
            g,
            "?p dcterms:subject ?x FILTER(STRSTARTS(STR(?x), 'http://id.nlm.nih.gov/mesh/D'))",
            p=p,
        )
        == 21
    )
    assert one(g, "SELECT ?x { ?p fabio:hasPubMedCentralId ?x }", p=p) == "PMC5442267"


def test_pubmed4_gzipped_gives_the_same_paper(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    data = (SAMPLES / "pubmed_xml" / "pubmed4.xml").read_bytes()
    (tmp_path / "in" / "pubmed4.xml.gz").write_bytes(gzip.compress(data))
    report = kg.build([tmp_path / "in"], tmp_path / "out")
    assert report.complete
    alone = Graph().parse(tmp_path / "out" / "graph.ttl")
    p = paper(alone, pmid="27797938")
    assert count(alone, "?p cito:cites ?x", p=p) == 48
    assert count(alone, "?p dcterms:creator ?x", p=p) == 22
    assert one(alone, "SELECT ?x { ?p fabio:hasPubMedCentralId ?x }", p=p) == "PMC5442267"


def test_nejm_authors_and_lowercase_doi(built) -> None:
    _, g, _ = built
    p = paper(g, pmid="29768149")
    assert count(g, "?p dcterms:creator ?x", p=p) == 10
    doi = one(g, "SELECT ?x { ?p prism:doi ?x }", p=p)
    assert doi == doi.lower() and str(p) == "https://doi.org/" + doi


def test_kolmogorov_medline_record(built) -> None:
    _, g, _ = built
    p = paper(g, pmid="33020656")
    rows = g.query(
        PREFIXES
        + "SELECT ?pos ?name { ?p kgo:hasAuthorship [ kgo:position ?pos ; kgo:author ?a ] . "
        "?a foaf:familyName ?name } ORDER BY ?pos",
        initBindings={"p": p},
    )
    positions = [int(r[0]) for r in rows]
    assert positions == list(range(1, 12))
    assert str(next(iter(rows))[1]) == "Kolmogorov"
    assert (
        count(g, "?p dcterms:creator ?x FILTER(STRSTARTS(STR(?x), 'https://orcid.org/'))", p=p) == 5
    )
    assert count(g, "?p dcterms:subject ?x FILTER(isIRI(?x))", p=p) == 14
    assert (
        one(g, "SELECT ?x { ?p dcterms:isPartOf/fabio:hasNLMJournalTitleAbbreviation ?x }", p=p)
        == "Nat Methods"
    )


def test_book_chapter(built) -> None:
    _, g, _ = built
    p = paper(g, pmid="20301770")
    assert count(g, "?p a ?x FILTER(?x = fabio:BookChapter)", p=p) == 1


@pytest.mark.parametrize(
    "pmid",
    [
        "16403221",
        "16377612",
        "14871861",
        "14630660",
        "33465792",
        "33465753",
        "33465722",
        "33465702",
        "33465556",
        "33465471",
        "33465338",
        "33465101",
        "33465095",
        "33464845",
    ],
)
def test_all_fourteen_medline_records(built, pmid: str) -> None:
    _, g, _ = built
    p = paper(g, pmid=pmid)
    assert count(g, "?p dcterms:title ?x", p=p) == 1
    assert count(g, "?p dcterms:creator ?x", p=p) >= 1


def test_ris_exports(built) -> None:
    _, g, _ = built
    zotero = "10.5114/pg.2018.81081 10.1007/s10151-019-02080-0 10.1097/md.0000000000016881 10.2196/14432 10.1186/s12876-019-1034-9 10.1097/md.0000000000016231"
    for doi in zotero.split():
        assert count(g, "?p dcterms:title ?x", p=paper(g, doi=doi)) == 1
    endnote = {
        "21553931": "10.2165/11586800-000000000-00000",
        "29459515": "10.5650/jos.ess17184",
        "27626602": "10.1055/s-0042-114572",
        "27452660": "10.1016/j.jep.2016.07.056",
        "24407360": "10.1097/meg.0000000000000040",
        "28482341": "10.1159/000471923",
    }
    for pmid, doi in endnote.items():
        assert paper(g, pmid=pmid) == paper(g, doi=doi) == URIRef("https://doi.org/" + doi)
    names = {str(n) for n in g.objects(None, URIRef("http://xmlns.com/foaf/0.1/familyName"))}
    assert "Dobrokhotova" in names


def test_bibtex(built) -> None:
    _, g, ds = built
    source = one(g, "SELECT ?s { ?s kgo:path ?path FILTER(STRENDS(?path, 'paper.bib')) }")
    named = ds.graph(URIRef(source))
    assert count(named, "?x a kgo:Paper") == 11
    families = {str(o) for o in named.objects(None, URIRef("http://xmlns.com/foaf/0.1/familyName"))}
    assert {"Ševa", "Götze", "Schäfer"} <= families
    literals = [str(o) for _, _, o in named if isinstance(o, Literal)]
    assert not [t for t in literals if "\\" in t or "{" in t or "}" in t]
    p = paper(g, doi="10.1126/science.169.3946.635")
    assert str(one(g, "SELECT ?x { ?p fabio:hasPublicationYear ?x }", p=p)) == "1970"


def test_crossref(built) -> None:
    _, g, _ = built
    p = paper(g, doi="10.1371/journal.pone.0033693")
    assert count(g, "?p dcterms:creator ?x", p=p) == 6
    # 70 reference entries; ref5 and ref6 are the same unidentified report (same title, year
    # and author, nothing else given), so they are one cited node
    assert count(g, "?p cito:cites ?x", p=p) == 69
    assert count(g, "?p cito:cites ?x . ?x prism:doi ?d", p=p) == 65
    value = one(
        g,
        "SELECT ?v { ?p c4o:hasGlobalCitationFrequency [ c4o:hasGlobalCountValue ?v ; "
        "c4o:hasGlobalCountSource <https://www.crossref.org/> ] }",
        p=p,
    )
    assert value == 72
    q = paper(g, doi="10.1002/jor.1100150407")
    assert count(g, "?p dcterms:creator ?x", p=q) == 12
    assert count(g, "?p cito:cites ?x", p=q) == 36
    abstract = one(g, "SELECT ?x { ?p dcterms:abstract ?x }", p=q)
    assert not re.search(r"</?[a-z]", abstract) and "jats" not in abstract
    assert "p < 0.001" in abstract and "Twenty\u2010two" in abstract and len(abstract) > 500


def test_openalex(built) -> None:
    _, g, _ = built
    p = paper(g, doi="10.7717/peerj.4375")
    assert one(g, "SELECT ?x { ?p fabio:hasPubMedId ?x }", p=p) == "29456894"
    assert one(g, "SELECT ?x { ?p fabio:hasPubMedCentralId ?x }", p=p) == "PMC5815332"
    assert one(g, "SELECT ?x { ?p kgo:openAlexId ?x }", p=p) == "W2741809807"
    assert (
        count(g, "?p dcterms:creator ?x FILTER(STRSTARTS(STR(?x), 'https://orcid.org/'))", p=p) == 9
    )
    assert count(g, "?p cito:cites ?x", p=p) == 45
    assert count(g, "?p kgo:similarTo ?x", p=p) == 10


def test_the_merged_graph_of_all_samples_conforms_to_the_shapes(built) -> None:
    import pyshacl

    from .conftest import ONTOLOGY

    _, g, _ = built
    shapes = Graph().parse(ONTOLOGY / "shapes.ttl")
    conforms, _, text = pyshacl.validate(g, shacl_graph=shapes)
    assert conforms, text
