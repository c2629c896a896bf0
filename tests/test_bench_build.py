"""Smoke tests of the build benchmark (bench/corpus.py, bench/build.py): quick, and never a
timing assertion. The figures themselves are taken by hand (bench/README.md)."""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter
from dataclasses import fields, replace
from itertools import pairwise
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from bench import build as bench
from bench import corpus as gen
from bench.results import replace_section, section
from kg.query import named, run

from . import corpus as tests_corpus

pytestmark = pytest.mark.slow  # runs the benchmark's runners end to end

TINY = 60


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# ---- the generator ---------------------------------------------------------------------------


def test_the_corpus_is_deterministic_and_seeded(tmp_path: Path) -> None:
    gen.write_corpus(tmp_path / "a", 120, seed=3, per_file=50)
    gen.write_corpus(tmp_path / "b", 120, seed=3, per_file=50)
    gen.write_corpus(tmp_path / "c", 120, seed=4, per_file=50)
    first, again, other = (_digests(tmp_path / name) for name in "abc")
    assert first == again
    assert first != other
    assert gen.plan(200, seed=1) == gen.plan(200, seed=1) != gen.plan(200, seed=2)


def test_sizes_grow_and_every_kind_of_file_is_there(tmp_path: Path) -> None:
    assert gen.SIZES["S"] < gen.SIZES["M"] < gen.SIZES["L"]
    corpora = [gen.write_corpus(tmp_path / str(n), n, per_file=100) for n in (40, 120, 360)]
    for small, large in pairwise(corpora):
        assert small.bytes < large.bytes
        assert small.references < large.references
        assert len(small.files) <= len(large.files)
    for corpus in corpora:
        assert len(set(corpus.xml_pmids) | set(corpus.medline_pmids)) == corpus.articles
        assert corpus.medline_only_pmids and corpus.page_files and corpus.scite_files
        assert set(corpus.medline_only_pmids) <= set(corpus.medline_pmids)
        assert not set(corpus.medline_only_pmids) & set(corpus.xml_pmids)
        assert len(corpus.xml_files) == -(-len(corpus.xml_pmids) // 100)  # 100 per file


def test_citations_are_heavy_tailed_and_point_backwards() -> None:
    papers = gen.plan(3000, seed=0)
    cited = Counter(r.pmid for p in papers for r in p.references if r.pmid is not None)
    assert all(r.pmid < p.pmid for p in papers for r in p.references if r.pmid is not None)
    counts = sorted(cited.values(), reverse=True)
    top = counts[: len(papers) // 100]  # the most cited 1 %
    assert sum(top) > 0.08 * sum(counts)
    assert counts[0] > 20 * statistics.median(counts)
    per_paper = sum(len(p.references) for p in papers) / len(papers)
    assert 8 < per_paper < 20


def test_tests_corpus_is_the_same_generator_and_writes_pubmed_xml_only(tmp_path: Path) -> None:
    paths = tests_corpus.write(tmp_path / "xml", 250, per_file=100, seed=5)
    assert [p.name for p in paths] == ["pubmed0000.xml", "pubmed0001.xml", "pubmed0002.xml"]
    assert sorted(p.name for p in (tmp_path / "xml").iterdir()) == [p.name for p in paths]
    text = "".join(p.read_text(encoding="utf-8") for p in paths)
    assert text.count("<PubmedArticle>") == 250
    assert "<Reference><Citation>" in text and "</Citation></Reference>" not in text
    tests_corpus.write(tmp_path / "seed0", 250, per_file=100)
    assert tests_corpus.main([str(tmp_path / "cli"), "--articles", "250", "--per-file", "100"]) == 0
    assert _digests(tmp_path / "cli") == _digests(tmp_path / "seed0")  # XML only, seed 0


# ---- a tiny corpus built by kg ---------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[gen.Corpus, kg.BuildReport]:
    work = tmp_path_factory.mktemp("tiny")
    corpus = gen.write_corpus(work / "corpus", TINY, seed=0)
    return corpus, kg.build([corpus.folder], work / "out", workers=1)


def test_the_tiny_corpus_builds_with_no_problems(tiny: tuple[gen.Corpus, kg.BuildReport]) -> None:
    corpus, report = tiny
    assert report.problems == ()
    formats = Counter(f.format for f in report.files)
    assert formats == {
        "pubmed_xml": len(corpus.xml_files),
        "medline": len(corpus.medline_files),
        "pubmed_page": len(corpus.page_files),
        "scite_page": len(corpus.scite_files),
    }
    assert all(formats.values())
    assert report.counts["statements"] > 0


def test_one_node_per_paper_whatever_the_formats(tiny: tuple[gen.Corpus, kg.BuildReport]) -> None:
    corpus, report = tiny
    store = ox.Store.read_only(str(report.output / "store"))
    rows = run(
        store,
        "SELECT ?pmid (COUNT(DISTINCT ?p) AS ?nodes) (COUNT(DISTINCT ?source) AS ?sources) "
        "WHERE { ?p fabio:hasPubMedId ?pmid ; prov:wasDerivedFrom ?source } GROUP BY ?pmid",
    ).rows
    found = {int(pmid.value): (int(n.value), int(s.value)) for pmid, n, s in rows}
    assert sorted(found) == [gen.FIRST_PMID + i for i in range(TINY)]
    assert {nodes for nodes, _ in found.values()} == {1}
    both = (set(corpus.medline_pmids) - set(corpus.medline_only_pmids)) | set(corpus.page_pmids)
    assert both and all(found[pmid][1] >= 2 for pmid in both)  # merged from two files
    # papers without identifiers: the grey literature, each text once
    papers = gen.plan(TINY, seed=0)
    grey = {r.text for p in papers if p.pmid in corpus.xml_pmids for r in p.references if r.text}
    assert report.counts["papers"] == TINY + len(grey)
    statements = run(
        store,
        "SELECT DISTINCT ?pmid WHERE { ?s cito:hasCitedEntity ?p . ?p fabio:hasPubMedId ?pmid }",
    ).rows
    assert {int(r[0].value) for r in statements} == set(corpus.scite_pmids)


# ---- the runner ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[bench.Results, Path]:
    work = tmp_path_factory.mktemp("bench")
    options = bench.Options(size="S", articles=TINY, repeat=1, workers=1, query_timeout=120)
    return bench.run(options, "python -m bench --articles 60 --repeat 1", work), work


def test_the_runner_measures_every_figure(measured: tuple[bench.Results, Path]) -> None:
    results, _ = measured
    assert results.problems == 0
    assert dict(results.graph)["papers"] >= TINY
    assert results.quads > dict(results.graph)["triples"]  # the merged graph and each source's
    for runs in (results.cold, results.export, results.oxigraph, results.rdflib):
        assert len(runs.runs) == 1 and not runs.failed and runs.median is not None
        assert runs.runs[0].peak > 0
    assert {k for k, _ in results.rdflib_phases} == {"parse", "turtle"}
    assert not results.rebuild_unchanged.failed and not results.rebuild_changed.failed
    assert results.rebuild_changed.median is not None
    assert results.scaling.runs == () and results.scaling_articles is None
    assert {k for k, _ in results.machine} >= {"CPU", "cores", "RAM", "Python", "kg"}
    assert results.kg_query_load is not None and results.rdflib_query_load is not None


def test_every_named_query_runs_both_ways_with_the_same_rows(
    measured: tuple[bench.Results, Path],
) -> None:
    results, _ = measured
    assert [f.name for f in results.queries] == list(named())
    answered = 0
    for figure in results.queries:
        assert figure.kg_seconds is not None and figure.kg_rows, figure
        assert not figure.rdflib_timed_out, figure
        if figure.rdflib_error:  # rdflib cannot run every query (a bug of its own)
            continue
        answered += 1
        assert figure.rows_agree, figure
        needs = set(named()[figure.name].parameters) - {"from", "to"}  # optional years
        assert needs <= {"paper", "person", "name"}
        assert bool(figure.params) == bool(needs), figure
    assert answered >= len(results.queries) - 2


def test_the_changed_file_is_restored(measured: tuple[bench.Results, Path], tmp_path: Path) -> None:
    results, work = measured
    fresh = gen.write_corpus(tmp_path / "fresh", TINY, seed=0)
    assert _digests(work / "corpus") == _digests(fresh.folder)
    assert results.changed_file in {p.name for p in fresh.xml_files}
    out = sorted(work.glob("out-*"))[-1]
    titles = run(ox.Store.read_only(str(out / "store")), "SELECT ?t { ?p dcterms:title ?t }").rows
    assert any(t[0].value.startswith("Revised 1: ") for t in titles)  # the rebuild saw the change


def test_every_target_is_checked_and_the_results_render(
    measured: tuple[bench.Results, Path],
) -> None:
    results, _ = measured
    assert [c.key for c in results.checks] == [t.key for t in bench.TARGETS]
    by_key = {c.key: c for c in results.checks}
    assert by_key["scaling"].value is None and by_key["scaling"].met is None
    for key in ("build_vs_oxigraph", "build_vs_rdflib", "queries_speedup", "rebuild_vs_cold"):
        assert by_key[key].value is not None and by_key[key].met is not None
    data = json.loads(json.dumps(results.to_dict()))
    assert set(data) == {f.name for f in fields(bench.Results)}
    assert data["cold"]["median"] == results.cold.median
    text = bench.results_markdown(results)
    for target in bench.TARGETS:
        assert f"| {target.label} |" in text
    for figure in results.queries:
        assert f"| {figure.name} |" in text
    assert results.command in text and "## Machine" in text
    table = bench.table(results)
    assert all(target.label in table for target in bench.TARGETS)
    results_md = (Path(bench.ROOT) / "bench" / "RESULTS.md").read_text(encoding="utf-8")
    both = replace_section(results_md, bench.SECTION, text)
    assert section(both, "map") == section(results_md, "map")
    assert section(both, bench.SECTION) == text.strip()
    assert section(replace_section(both, bench.SECTION, "new"), bench.SECTION) == "new"


def test_a_timed_out_rdflib_query_makes_the_ratio_a_lower_bound(
    measured: tuple[bench.Results, Path],
) -> None:
    results, _ = measured
    slow = replace(results.queries[0], kg_seconds=1.0, rdflib_seconds=None, rdflib_timed_out=True)
    quick = replace(results.queries[1], kg_seconds=1.0, rdflib_seconds=3.0, rdflib_timed_out=False)
    for timeout, met in ((10.0, None), (100.0, True)):
        changed = replace(results, queries=(slow, quick), query_timeout=timeout)
        check = {c.key: c for c in bench.checks(changed)}["queries_speedup"]
        assert check.bound == ">"
        assert check.value == pytest.approx((timeout + 3.0) / 2.0)
        assert check.met is met
    assert bench.query_totals((quick,), 10.0) == (1.0, 3.0, "")


def test_a_query_kg_did_not_answer_leaves_the_ratio_undecided(
    measured: tuple[bench.Results, Path],
) -> None:
    results, _ = measured
    quick = replace(results.queries[1], kg_seconds=1.0, rdflib_seconds=300.0)
    for failure in ({"kg_timed_out": True}, {"kg_error": "boom"}):
        lost = replace(results.queries[0], kg_seconds=None, rdflib_seconds=None, **failure)
        changed = replace(results, queries=(lost, quick), query_timeout=10.0)
        check = {c.key: c for c in bench.checks(changed)}["queries_speedup"]
        assert check.value is None and check.met is None
        assert f"kg failed or timed out: {lost.name}" in check.note


def test_a_query_over_its_deadline_is_killed_and_the_next_one_runs(
    measured: tuple[bench.Results, Path], tmp_path: Path
) -> None:
    _, work = measured
    store = sorted(work.glob("out-*"))[-1] / "store"
    process = bench.QueryProcess("kg", store, tmp_path / "stderr")
    try:
        assert process.ask("papers", {}, timeout=0.0001) == {"timeout": True}
        assert process.child is None  # killed
        answer = process.ask("papers", {}, timeout=120)
        assert answer["rows"] == TINY and answer["seconds"] >= 0
        assert "error" in process.ask("no-such-query", {}, timeout=120)
    finally:
        process.stop()
    assert process.peak > 0


def test_peak_memory_covers_the_whole_process_tree() -> None:
    mib = 2**20
    child = f"b = b'x' * {150 * mib}; import time; time.sleep(1.5)"
    parent = (
        "import subprocess, sys, time\n"
        f"c = subprocess.Popen([sys.executable, '-c', {child!r}])\n"
        f"b = b'y' * {100 * mib}\n"
        "c.wait()\n"
    )
    run = bench.measure([bench.sys.executable, "-c", parent])
    assert run.exit_code == 0
    assert run.peak_rss >= 150 * mib  # the largest process (the child, once reaped)
    assert run.peak_tree >= 230 * mib  # both at once
    assert run.peak == max(run.peak_rss, run.peak_tree)
