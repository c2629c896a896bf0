"""Smoke tests of the fetch benchmark (bench/fetch.py): a tiny corpus served without latency,
quick, and never a timing assertion. The figures themselves are taken by hand
(bench/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import fetch as bench
from bench.results import replace_section, section

pytestmark = pytest.mark.slow  # runs the benchmark's runners end to end

SEEDS = 10


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> bench.Results:
    options = bench.Options(seeds=SEEDS, pool=200, refs=4, citing=4, latency=0.0)
    work = tmp_path_factory.mktemp("bench-fetch")
    return bench.run(options, "python -m bench.fetch --seeds 10", work)


def test_the_corpus_is_deterministic_and_consistent() -> None:
    corpus = bench.make_corpus(seeds=20, pool=300, refs=6, citing=6, seed=1)
    assert corpus == bench.make_corpus(seeds=20, pool=300, refs=6, citing=6, seed=1)
    assert corpus.papers != bench.make_corpus(seeds=20, pool=300, refs=6, citing=6, seed=2).papers
    assert len(corpus.seeds) == 20
    assert len(corpus.neighbours()) > 20
    for paper in corpus.papers.values():
        assert paper.doi and paper.year
        for cited in paper.refs:
            assert paper.pmid in corpus.papers[cited].cited_by
            assert corpus.papers[cited].year <= paper.year
        for citer in paper.cited_by:
            assert paper.pmid in corpus.papers[citer].refs


def test_the_window_refuses_what_exceeds_the_rate() -> None:
    window = bench.Window(3, span=1.0)
    assert [window.admit(t) for t in (0.0, 0.1, 0.2, 0.3)] == [True, True, True, False]
    assert window.admit(1.05)  # 0.0 has left the window
    assert not window.admit(1.06)
    one_at_a_time = bench.Window(10, concurrency=1)
    assert one_at_a_time.admit(0.0)
    assert not one_at_a_time.admit(0.01)
    one_at_a_time.done()
    assert one_at_a_time.admit(0.02)


def test_requests_are_read_as_endpoints_and_ids() -> None:
    def hit(service: str, path: str, query: str) -> bench.Hit:
        return bench.Hit(0.0, 0.0, 200, service, path, query)

    assert bench.endpoint_of(hit("pubmed", "/pubmed/efetch.fcgi", "db=pubmed&id=1,2,3")) == (
        "pubmed efetch",
        [("pmid", "1"), ("pmid", "2"), ("pmid", "3")],
    )
    assert bench.endpoint_of(hit("pubmed", "/pubmed/elink.fcgi", "id=1&id=2&cmd=neighbor")) == (
        "pubmed elink",
        [("pmid", "1"), ("pmid", "2")],
    )
    assert bench.endpoint_of(hit("openalex", "/openalex/works", "filter=cites:W1|W2")) == (
        "openalex cites",
        [("openalex", "W1"), ("openalex", "W2")],
    )
    assert bench.endpoint_of(hit("openalex", "/openalex/works", "filter=doi:10.1/a|10.1/b")) == (
        "openalex works",
        [("doi", "10.1/a"), ("doi", "10.1/b")],
    )
    assert bench.endpoint_of(
        hit("crossref", "/crossref/works", "filter=doi:10.1/a,doi:10.1/b")
    ) == (
        "crossref works",
        [("doi", "10.1/a"), ("doi", "10.1/b")],
    )


def test_the_minimum_is_the_distinct_papers_over_the_batch() -> None:
    corpus = bench.make_corpus(seeds=5, pool=300, refs=4, citing=4)
    pool = [p for p in corpus.papers if p not in corpus.seeds]
    assert bench.minimum("pubmed efetch", set(pool[:201]), corpus) == 2
    assert bench.minimum("openalex works", set(pool[:50]), corpus) == 1
    assert bench.minimum("crossref works", set(), corpus) == 0
    citing = {c for s in corpus.seeds for c in corpus.papers[s].cited_by}
    assert bench.minimum("openalex cites", set(corpus.seeds), corpus) == max(
        1, -(-len(citing) // bench.CITES_PAGE)
    )


def test_the_bench_runs_counts_requests_and_the_repeat_sends_none(
    results: bench.Results,
) -> None:
    (cold,) = results.cold
    assert cold.served > 0 and cold.client_requests > 0
    assert cold.served == cold.requests + cold.refused
    assert cold.requests >= cold.minimum > 0
    assert {e.endpoint for e in cold.endpoints} >= {
        "pubmed efetch",
        "pubmed elink",
        "openalex works",
        "openalex cites",
        "crossref works",
    }
    assert cold.outside == 0  # every request was sent inside a phase
    assert [p.name for p in cold.phases[:3]] == ["metadata 1", "metadata 2", "links"]
    assert cold.floor > 0 and cold.looked_up[0] == SEEDS and cold.levels[0] == SEEDS
    assert cold.failed == 0 and cold.papers > SEEDS

    (again,) = results.again
    assert again.served == 0 and again.client_requests == 0
    assert again.from_folder == cold.saved
    assert {c.key for c in results.checks} == {t.key for t in bench.TARGETS}
    repeat = next(c for c in results.checks if c.key == "repeat_requests")
    assert repeat.met is True


def test_the_results_become_their_section(results: bench.Results, tmp_path: Path) -> None:
    text = bench.results_markdown(results)
    for part in ("# Fetch benchmark results", "## Targets", "python -m bench.fetch --seeds 10"):
        assert part in text
    old = "# Benchmark results\n\n<!-- bench:build -->\nbuild\n<!-- /bench:build -->\n"
    merged = replace_section(old, bench.SECTION, text)
    assert section(merged, "build") == "build"
    assert section(merged, bench.SECTION) == text.strip()
    assert "repeated run" in bench.table(results)


def test_the_options() -> None:
    options = bench.parse_args(["--seeds", "20", "--latency-ms", "10", "--max-papers", "300"])
    assert (options.seeds, options.latency, options.max_papers) == (20, 0.01, 300)
    with pytest.raises(SystemExit):
        bench.parse_args(["--seeds", "0"])


def test_a_refusal_is_told_with_the_arrivals_before_it() -> None:
    phase = bench.Phase(1, "metadata 2", 10.0, 20.0)
    arrivals = (10.0, 10.2, 10.4, 10.6, 10.8, 10.85)
    hits = [bench.Hit(t, t + 0.05, 200, "crossref", "/crossref/works", "") for t in arrivals]
    hits[-1] = bench.Hit(10.85, 10.9, 429, "crossref", "/crossref/works", "")
    told = bench.refusal(hits[-1], hits, [phase], 10.0)
    assert told.startswith("crossref at 0.85 s (level 1: metadata 2): 5 admitted")
    assert told.endswith("0.200, 0.200, 0.200, 0.200, 0.050 s")
