"""The build's plumbing: compressed inputs, the TriG output with a named graph per source."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

import kg
from kg import reading
from kg.cli import cli
from kg.pipeline import discover
from kg.reading import extract_file

from .conftest import SEEDS


def test_a_gzipped_file_reads_like_the_plain_one(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for seed in sorted(SEEDS.iterdir()):
        # named without .gz on purpose: the magic bytes decide, not the name
        (inputs / seed.name).write_bytes(gzip.compress(seed.read_bytes(), mtime=0))
    plain = kg.build([SEEDS], tmp_path / "plain")
    packed = kg.build([inputs], tmp_path / "packed")
    assert packed.complete and plain.counts == packed.counts
    one = Graph().parse(tmp_path / "plain" / "graph.ttl")
    two = Graph().parse(tmp_path / "packed" / "graph.ttl")
    # only the sources differ: their sha256 (and the count nodes minted from it) is of the
    # compressed bytes
    assert len(one) == len(two)

    def steady(graph: Graph) -> set:
        moving = ("/source/", "/count/")
        return {t for t in graph if not any(m in str(t[0]) + str(t[2]) for m in moving)}

    assert steady(one) == steady(two)
    assert len(steady(one)) > 200


def test_damaged_and_oversized_gzip_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = gzip.compress(b"x" * 10_000)
    bad = tmp_path / "bad.gz"
    bad.write_bytes(data[:20])
    extraction, problems = extract_file(bad)
    assert extraction is None
    assert [p.describe() for p in problems] == [
        f"skipped {bad.as_posix()}: damaged gzip file: Compressed file ended before the "
        "end-of-stream marker was reached"
    ]
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(data)
    monkeypatch.setattr(reading, "MAX_EXPANDED", 1000)
    extraction, problems = extract_file(bomb)
    assert extraction is None
    assert [p.describe() for p in problems] == [
        f"skipped {bomb.as_posix()}: compressed file expands beyond 0 MiB"
    ]


def test_trig_holds_the_merged_graph_and_one_named_graph_per_source(seed_build: Path) -> None:
    dataset = Dataset()
    dataset.parse(seed_build / "graph.trig", format="trig")
    merged = Graph().parse(seed_build / "graph.ttl")
    assert isomorphic(dataset.default_graph, merged)
    names = sorted(
        str(g.identifier)
        for g in dataset.graphs()
        if g.identifier != dataset.default_graph.identifier
    )
    sources = sorted({str(s) for s in merged.subjects() if "/source/" in str(s)})
    assert names == sources and len(names) == 2
    for name in names:
        named = dataset.graph(URIRef(name))
        assert len(named) > 0
        # every paper a source names is a paper of the merged graph, under the same IRI
        for paper in named.subjects(
            predicate=URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            object=URIRef("https://w3id.org/kg/ontology#Paper"),
        ):
            assert (paper, None, None) in merged


def test_a_page_and_a_medline_record_of_one_paper_make_one_node(tmp_path: Path) -> None:
    case = Path(__file__).parent / "cases" / "page_and_medline" / "input"
    report = kg.build([case], tmp_path)
    assert report.complete and report.warnings == ()
    g = Graph().parse(tmp_path / "graph.ttl")
    p = URIRef("https://doi.org/10.1186/s12939-015-0156-0")
    q = "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX fabio: <http://purl.org/spar/fabio/> "
    titles = list(g.objects(p, URIRef("http://purl.org/dc/terms/title")))
    assert [str(t) for t in titles] == [
        "Reducing stigma in healthcare and law enforcement: a novel approach to service "
        "provision for street level sex workers."
    ]  # MEDLINE's, with its full stop: PubMed's own record outranks the page copy
    journal = list(
        g.query(
            q
            + "SELECT ?abbr ?title { ?p dcterms:isPartOf [ fabio:hasNLMJournalTitleAbbreviation ?abbr ; dcterms:title ?title ] }",
            initBindings={"p": p},
        )
    )
    assert [(str(a), str(t)) for a, t in journal] == [
        ("Int J Equity Health", "International journal for equity in health")
    ]
    similar = sorted(str(o) for o in g.objects(p, URIRef("https://w3id.org/kg/ontology#similarTo")))
    assert len(similar) == 5 and "https://doi.org/10.1371/journal.pone.0134900" in similar
    sources = sorted(
        str(o) for o in g.objects(p, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
    )
    formats = sorted(
        str(g.value(URIRef(s), URIRef("https://w3id.org/kg/ontology#sourceFormat")))
        for s in sources
    )
    assert formats == ["medline", "pubmed_page"]
    papers = set(
        g.subjects(
            URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef("https://w3id.org/kg/ontology#Paper"),
        )
    )
    pmids = [
        str(o)
        for s in papers
        for o in g.objects(s, URIRef("http://purl.org/spar/fabio/hasPubMedId"))
        if str(o) == "25879639"
    ]
    assert pmids == ["25879639"]


ARTICLE = """<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><Journal><Title>J</Title>
</Journal><ArticleTitle>Paper {pmid}</ArticleTitle></Article></MedlineCitation>
<!-- {padding} --></PubmedArticle>
"""


def test_a_big_gzipped_pubmed_xml_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    """64 MiB of XML (mostly comments) in a .gz: read in blocks, never whole, every article
    found. The child process's peak memory stays far below the text's size."""
    import subprocess
    import sys

    from .conftest import ROOT

    padding = "x" * (64 << 10)
    path = tmp_path / "baseline.xml.gz"
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write('<?xml version="1.0"?>\n<PubmedArticleSet>\n')
        for pmid in range(1, 1025):
            out.write(ARTICLE.format(pmid=pmid, padding=padding))
        out.write("</PubmedArticleSet>\n")
    script = (
        "import resource, sys; from pathlib import Path; from kg.reading import extract_file; "
        "rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; before = rss(); "
        "e, p = extract_file(Path(sys.argv[1])); "
        "print(len(e.records), len(p), rss() - before)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    records, problems, grown_kib = map(int, done.stdout.split())
    assert (records, problems) == (1024, 0)
    assert grown_kib < 24 * 1024, grown_kib  # the text alone is 64 MiB


def test_exclude_leaves_out_files_by_name_or_by_path_under_the_folder(tmp_path: Path) -> None:
    for name in ("a.ris", "README.md", "notes/todo.txt", "notes/deep/x.ris", "2024/README.txt"):
        (tmp_path / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / name).write_text("x")
    (tmp_path / "README.md").write_text("given by name")
    found = discover([tmp_path / "in", tmp_path / "README.md"], exclude=("README*", "notes/*"))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["README.md", "in/a.ris"]
    assert len(discover([tmp_path / "in"], exclude=("notes/deep/*.ris",))) == 4


def test_a_build_with_exclude_skips_nothing_and_exits_0(tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "in")
    (tmp_path / "in" / "README.md").write_text("# my exports\n")
    (tmp_path / "in" / "notes").mkdir()
    (tmp_path / "in" / "notes" / "ideas.txt").write_text("read the 2019 review first\n")
    runner = CliRunner()
    skipped = runner.invoke(cli, ["build", str(tmp_path / "in"), "-o", str(tmp_path / "a")])
    assert skipped.exit_code == 3
    assert "README.md: not a format kg reads" in skipped.stderr
    assert "--exclude GLOB" in skipped.stderr
    args = ["build", str(tmp_path / "in"), "-o", str(tmp_path / "b"), "-x", "README*"]
    result = runner.invoke(cli, [*args, "--exclude", "notes/*"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    report = json.loads((tmp_path / "b" / "report.json").read_text())
    assert report["read"]["files"] == len(list(SEEDS.glob("*.txt")))
