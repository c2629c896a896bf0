"""kg fetch against a real HTTP server on 127.0.0.1 (tests/fetch_server.py): never the
internet."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.fetch import FetchOptions, fetch, parse_id, read_ids
from kg.fetch.http import Client, Host

from .fetch_server import FakeWeb, Paper

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {
    "NCBI_API_KEY": "ncbi-secret-0123456789",
    "OPENALEX_API_KEY": "openalex-secret-abcdef",
    "S2_API_KEY": "s2-secret-zyxwvu",
    "KG_MAILTO": "someone.private@example.org",
}


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch):
    server = FakeWeb().start()
    for name, value in server.environ().items():
        monkeypatch.setenv(name, value)
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    yield server
    server.stop()


@contextlib.contextmanager
def inside(folder: Path) -> Iterator[Path]:
    """Run the block in a new ``folder`` (what the commands' relative paths are under)."""
    folder.mkdir()
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(previous)


def files_of(folder: Path) -> dict[str, bytes]:
    """The saved answers and report of a fetch folder (its hidden bookkeeping left out)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".kg-fetch" not in p.parts
    }


def titles_and_years(output: Path) -> dict[str, tuple[str | None, str | None]]:
    store = ox.Store.read_only(str(output / "store"))
    rows = store.query(
        """PREFIX fabio: <http://purl.org/spar/fabio/>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX kgo: <https://w3id.org/kg/ontology#>
        SELECT ?pmid ?title ?year WHERE { ?p a kgo:Paper ; fabio:hasPubMedId ?pmid .
          OPTIONAL { ?p dcterms:title ?title } OPTIONAL { ?p fabio:hasPublicationYear ?year } }"""
    )
    return {
        r["pmid"].value: (
            r["title"].value if r["title"] else None,
            r["year"].value if r["year"] else None,
        )
        for r in rows
    }


# ----------------------------------------------------------------------------- identifiers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25879639", ("pmid", "25879639")),
        ("PMID: 25879639", ("pmid", "25879639")),
        ("https://pubmed.ncbi.nlm.nih.gov/25879639/", ("pmid", "25879639")),
        ("PMC4404612", ("pmcid", "PMC4404612")),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4404612/", ("pmcid", "PMC4404612")),
        ("10.1186/S12939-015-0156-0", ("doi", "10.1186/s12939-015-0156-0")),
        ("doi:10.1186/s12939-015-0156-0", ("doi", "10.1186/s12939-015-0156-0")),
        ("https://doi.org/10.1186/s12939-015-0156-0", ("doi", "10.1186/s12939-015-0156-0")),
        ("W2741809807", ("openalex", "W2741809807")),
        ("https://openalex.org/W2741809807", ("openalex", "W2741809807")),
        ("0123", None),
        ("not an id", None),
        ("123456789", None),
    ],
)
def test_parse_id(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_id(text) == expected


def test_read_ids_skips_comments_and_blank_lines() -> None:
    lines = ["# my papers", "25879639  # the seed", "", "10.1/x, PMC1", "https://doi.org/10.1/y"]
    assert read_ids(lines) == ["25879639", "10.1/x", "PMC1", "https://doi.org/10.1/y"]


# ----------------------------------------------------------------------- the seed's neighbours


def test_readme_command_fetches_the_seed_neighbourhood(web: FakeWeb, tmp_path: Path) -> None:
    """`kg fetch 25879639 --refs --cited-by --similar --build`, as the README shows it."""
    runner = CliRunner()
    with inside(tmp_path / "work"):
        result = runner.invoke(
            cli, ["fetch", "25879639", "--refs", "--cited-by", "--similar", "--build"]
        )
        assert result.exit_code == 0, result.output
        assert "11 papers (11 new)" in result.output
        found = titles_and_years(Path("output"))
        report = json.loads(Path("fetched/report.json").read_text())
        store = ox.Store.read_only("output/store")
        scored = {
            r["pmid"].value: int(float(r["score"].value))
            for r in store.query(
                """PREFIX kgo: <https://w3id.org/kg/ontology#> PREFIX fabio: <http://purl.org/spar/fabio/>
                SELECT ?pmid ?score WHERE { ?s a kgo:Similarity ; kgo:fromPaper ?seed ;
                  kgo:toPaper ?p ; kgo:score ?score ; kgo:rank ?rank .
                  ?seed fabio:hasPubMedId "25879639" . ?p fabio:hasPubMedId ?pmid }"""
            )
        }
    seed = web.papers["25879639"]
    assert scored == {pmid: 90000000 - 1000 * n for n, pmid in enumerate(seed.similar, 1)}
    for paper in web.papers.values():
        title, year = found[paper.pmid]
        assert title and title.rstrip(".") == paper.title
        assert year == str(paper.year)
    assert report["complete"] is True
    assert report["papers_per_level"] == [1, 10]
    assert report["not_found"] == []


def test_second_run_sends_nothing_and_leaves_the_same_bytes(web: FakeWeb, tmp_path: Path) -> None:
    options = FetchOptions(
        ids=("25879639",), relations=frozenset({"refs", "cited-by", "similar"}), output=tmp_path
    )
    first = fetch(options)
    before = files_of(tmp_path)
    sent = len(web.requests)
    again = fetch(options)
    assert len(web.requests) == sent
    assert again.requests == 0 and again.from_folder == first.requests
    assert files_of(tmp_path) == before
    assert again.papers == first.papers == 11


def test_an_empty_answer_is_kept_out_of_the_build(web: FakeWeb, tmp_path: Path) -> None:
    """OpenCitations answers ``[]`` for a paper without citations: nothing to build from, so
    it is kept among the hidden answers (a rerun still finds it) and the build exits 0."""
    options = FetchOptions(
        ids=("10.1136/bmjopen-2014-005191", "25879639"),
        relations=frozenset({"refs", "cited-by"}),
        sources=("pubmed", "opencitations"),
        output=tmp_path / "fetched",
    )
    report = fetch(options)
    assert report.complete
    saved = files_of(tmp_path / "fetched")
    assert any(name.startswith("opencitations/citations-doi_10.1186") for name in saved)
    assert not any("bmjopen" in name for name in saved if name.startswith("opencitations/"))
    assert list((tmp_path / "fetched/.kg-fetch/empty/opencitations").iterdir())
    sent = len(web.requests)
    assert fetch(options).requests == 0 and len(web.requests) == sent
    result = CliRunner().invoke(
        cli, ["build", str(tmp_path / "fetched"), "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output


def test_depth_zero_fetches_only_the_given_papers(web: FakeWeb, tmp_path: Path) -> None:
    report = fetch(
        FetchOptions(ids=("25879639", "10.1136/bmjopen-2014-005191"), depth=0, output=tmp_path)
    )
    assert report.papers == 2
    assert not any("elink" in r or "cites" in r for r in web.requests)


def test_bad_ids_are_named_and_the_rest_is_fetched(web: FakeWeb, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["fetch", "25879639", "nonsense", "-o", str(tmp_path / "f"), "--depth", "0"]
    )
    assert result.exit_code == 0
    assert "skipped 'nonsense': not a DOI, PMID, PMCID or OpenAlex id" in result.output
    assert json.loads((tmp_path / "f/report.json").read_text())["bad_ids"] == ["nonsense"]


def test_nothing_to_fetch_is_bad_usage(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["fetch", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "give IDs, -i FILE, --pubmed-query or --missing" in result.output


def test_ids_from_a_file_and_standard_input(web: FakeWeb, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["fetch", "-i", "-", "-o", str(tmp_path / "f"), "--depth", "0"],
        input="# two papers\n25879639\ndoi:10.1136/bmjopen-2014-005191\n",
    )
    assert result.exit_code == 0, result.output
    assert "2 papers (2 new)" in result.output


def test_pubmed_query_pages_through_the_history_server(
    web: FakeWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.fetch import pubmed

    monkeypatch.setattr(pubmed, "ESEARCH_PAGE", 3)
    report = fetch(FetchOptions(pubmed_query="sex work", depth=0, max_papers=8, output=tmp_path))
    searches = [r for r in web.requests if "esearch.fcgi" in r]
    assert len(searches) == 3
    assert "retstart=0&retmax=3" in searches[0] and "WebEnv" not in searches[0]
    assert "retstart=6&retmax=2" in searches[2] and "WebEnv=MCID_made_here" in searches[2]
    assert report.papers == 8


def test_refresh_asks_again(web: FakeWeb, tmp_path: Path) -> None:
    options = FetchOptions(ids=("25879639",), depth=0, output=tmp_path)
    first = fetch(options)
    again = fetch(replace(options, refresh=True))
    assert again.requests == first.requests and again.from_folder == 0 and again.from_cache == 0
    assert web.seen["/pubmed/efetch.fcgi"] == 2


def test_the_progress_line() -> None:
    from kg.fetch import FetchProgress
    from kg.fetch.console import describe

    line = describe(FetchProgress(1, 40, 2, 8, 250, 1000), elapsed=20.0)
    assert line.startswith("[######..................] level 1, 250/1,000 papers, 40 requests")
    assert "(10 already known), 2.0/s, at most about 1:00 left" in line


def test_pubmed_query_starts_from_the_search(web: FakeWeb, tmp_path: Path) -> None:
    report = fetch(
        FetchOptions(pubmed_query="sex work AND policing", depth=0, max_papers=4, output=tmp_path)
    )
    assert report.papers == 4
    assert any("esearch.fcgi" in r and "usehistory=y" in r for r in web.requests)
    # the search's answer is bookkeeping, not a graph file
    assert not any("esearch" in name for name in files_of(tmp_path))


# ----------------------------------------------------------------------------- caps, depth 2


def chain_web() -> FakeWeb:
    """Paper 1 cites 2..9; each of those cites 10 more of its own."""
    papers: dict[str, Paper] = {}

    def paper(n: int) -> Paper:
        return papers.setdefault(
            str(n), Paper(str(n), f"10.5555/p{n}", f"Paper {n}", 1990 + n % 30, "J Test")
        )

    root = paper(1)
    for child in range(2, 10):
        root.refs.append(paper(child).pmid)
        paper(child).cited_by.append(root.pmid)
        for grandchild in range(child * 100, child * 100 + 10):
            paper(child).refs.append(paper(grandchild).pmid)
            paper(grandchild).cited_by.append(paper(child).pmid)
    return FakeWeb(papers)


def test_depth_two_with_caps_is_deterministic(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server = chain_web().start()
    for name, value in server.environ().items():
        monkeypatch.setenv(name, value)
    try:
        runs = []
        for n in range(2):
            report = fetch(
                FetchOptions(
                    ids=("1",),
                    relations=frozenset({"refs"}),
                    depth=2,
                    max_papers=30,
                    per_paper=5,
                    sources=("pubmed",),
                    output=tmp_path / str(n),
                )
            )
            runs.append((report, files_of(tmp_path / str(n))))
    finally:
        server.stop()
    report, files = runs[0]
    assert report.levels == [1, 5, 24]  # 5 of the 8 references, then 24 of 25 under the cap
    assert report.papers == 30
    assert runs[1][1] == files


def test_a_paper_met_under_two_ids_takes_one_place(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Papers 1 and 10 both cite paper 2; paper 1 also cites 3 to 8. PubMed names the
    references by PMID, OpenAlex by its own id, so paper 2 ranks first under both until its
    metadata joins them: the place it frees goes to the next reference."""
    papers: dict[str, Paper] = {}
    for n in (1, 10, *range(2, 9)):
        papers[str(n)] = Paper(str(n), f"10.5555/p{n}", f"Paper {n}", 2000 + n, "J Test")
    papers["1"].refs = [str(n) for n in range(2, 9)]
    papers["10"].refs = ["2"]
    server = FakeWeb(papers).start()
    for name, value in server.environ().items():
        monkeypatch.setenv(name, value)
    try:
        report = fetch(
            FetchOptions(
                ids=("1", "10"),
                relations=frozenset({"refs"}),
                max_papers=5,
                sources=("pubmed", "openalex"),
                output=tmp_path,
            )
        )
    finally:
        server.stop()
    assert report.levels == [2, 3]
    assert report.papers == 5


# ------------------------------------------------------------------------------- failures


def test_retry_after_is_honoured(web: FakeWeb) -> None:
    waits: list[float] = []
    base = web.url("pubmed")
    web.faults["/pubmed/efetch.fcgi"] = [(429, {"Retry-After": "7"}, b"slow down")]
    client = Client({base: Host(rate=100.0)}, None, sleep=waits.append)
    answer = client.request(
        "GET", base + "efetch.fcgi", params=[("db", "pubmed"), ("id", "25879639")]
    )
    assert answer.status == 200 and b"25879639" in answer.body
    assert waits == [7.0]
    assert web.seen["/pubmed/efetch.fcgi"] == 2


def test_retry_after_as_an_http_date() -> None:
    import httpx

    from kg.fetch.http import retry_after

    later = time.time() + 30
    for stamp in (
        time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(later)),
        time.strftime("%a, %d %b %Y %H:%M:%S -0000", time.gmtime(later)),
    ):
        wait = retry_after(httpx.Response(429, headers={"Retry-After": stamp}))
        assert wait is not None and 25 < wait <= 30
    assert retry_after(httpx.Response(429, headers={"Retry-After": "soon"})) is None


def test_a_failing_source_is_reported_and_the_rest_goes_on(web: FakeWeb, tmp_path: Path) -> None:
    web.faults["/openalex/works"] = [(500, {}, b"oops")] * 3
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["fetch", "25879639", "--depth", "0", "-o", str(tmp_path)],
    )
    assert result.exit_code == 3, result.output
    assert "failed openalex: HTTP 500" in result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["complete"] is False and report["exit_code"] == 3
    assert report["failed"][0]["status"] == 500
    assert "/openalex/works?filter=ids.pmid%3A25879639" in report["failed"][0]["url"]
    saved = files_of(tmp_path)
    assert any(name.startswith("pubmed/efetch") for name in saved)
    assert any(name.startswith("crossref/works") for name in saved)
    assert not any(name.startswith("openalex/") for name in saved)


def test_a_malformed_body_is_never_saved(web: FakeWeb, tmp_path: Path) -> None:
    web.faults["/openalex/works"] = [
        (200, {"Content-Type": "application/json"}, b'{"results": [{"id"')
    ]
    report = fetch(FetchOptions(ids=("25879639",), depth=0, output=tmp_path))
    assert len(report.unreadable) == 1
    assert "not whole JSON" in report.unreadable[0]["error"]
    assert not any(name.startswith("openalex/") for name in files_of(tmp_path))
    aside = Path(report.unreadable[0]["kept_as"])
    assert aside.read_bytes() == b'{"results": [{"id"' and ".kg-fetch" in aside.parts
    # asked again next time (the cache forgot it), and then saved
    again = fetch(FetchOptions(ids=("25879639",), depth=0, output=tmp_path))
    assert again.complete
    assert any(name.startswith("openalex/") for name in files_of(tmp_path))


def test_a_body_cut_short_is_rejected(web: FakeWeb, tmp_path: Path) -> None:
    web.faults["/pubmed/efetch.fcgi"] = [
        (200, {"Content-Type": "text/xml"}, b"<PubmedArticleSet><PubmedArticle><Medline")
    ]
    report = fetch(FetchOptions(ids=("25879639",), depth=0, output=tmp_path))
    assert [u["error"].split(":")[0] for u in report.unreadable] == ["not whole XML"]
    assert not any(name.startswith("pubmed/") for name in files_of(tmp_path))
    assert fetch(FetchOptions(ids=("25879639",), depth=0, output=tmp_path)).complete
    assert any(name.startswith("pubmed/efetch") for name in files_of(tmp_path))


def test_a_used_up_allowance_stops_asking_that_service(web: FakeWeb, tmp_path: Path) -> None:
    web.faults["/openalex/works"] = [(429, {"Retry-After": "86400"}, b"daily limit")]
    result = CliRunner().invoke(cli, ["fetch", "25879639", "--cited-by", "-o", str(tmp_path)])
    assert result.exit_code == 3, result.output
    assert "asks to wait 86400 s (asked nothing more)" in result.output
    assert web.seen["/openalex/works"] == 1  # neither tried again nor asked for the rest
    saved = files_of(tmp_path)
    assert any(name.startswith("pubmed/elink") for name in saved)
    assert any(name.startswith("crossref/works") for name in saved)


def test_no_network_is_one_line_and_exit_1(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("KG_PUBMED_URL", "KG_OPENALEX_URL", "KG_CROSSREF_URL"):
        monkeypatch.setenv(name, "http://127.0.0.1:9/")  # the discard port: nothing listens
    (tmp_path / "kept.txt").write_text("what was there")
    result = CliRunner().invoke(cli, ["fetch", "25879639", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no network: cannot reach 127.0.0.1")
    assert result.output.count("\n") <= 4
    assert (tmp_path / "kept.txt").read_text() == "what was there"


def test_no_key_appears_in_any_file_or_output(web: FakeWeb, tmp_path: Path) -> None:
    web.faults["/crossref/works"] = [(503, {}, b"")] * 3
    env = dict(SECRETS)
    result = CliRunner().invoke(
        cli,
        [
            "fetch",
            "25879639",
            "--refs",
            "--cited-by",
            "--sources",
            "pubmed,openalex,crossref,semanticscholar",
            "-o",
            str(tmp_path / "fetched"),
            "--build",
            "-O",
            str(tmp_path / "output"),
        ],
        env=env,
    )
    assert result.exit_code == 3, result.output
    sent = "\n".join(web.requests)
    assert "ncbi-secret-0123456789" in sent and "openalex-secret-abcdef" in sent  # they were used
    for secret in SECRETS.values():
        assert secret not in result.output
        for path in tmp_path.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert secret.encode() not in data, path
                assert secret.replace("@", "%40").encode() not in data, path
            assert secret not in path.name


# --------------------------------------------------------------------------- interruptions

RUN = """
import sys
from pathlib import Path
from kg.fetch import FetchOptions, fetch
fetch(FetchOptions(ids=("25879639",), relations=frozenset({"refs", "cited-by", "similar"}),
                   output=Path(sys.argv[1])))
"""


@pytest.mark.slow
def test_killed_runs_resume_to_the_same_folder(web: FakeWeb, tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    fetch(
        FetchOptions(
            ids=("25879639",), relations=frozenset({"refs", "cited-by", "similar"}), output=whole
        )
    )
    expected = files_of(whole)
    folder = tmp_path / "killed"
    rng = random.Random(5)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(4):
        process = subprocess.Popen([sys.executable, "-c", RUN, str(folder)], env=env)
        time.sleep(rng.uniform(0.3, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
    subprocess.run([sys.executable, "-c", RUN, str(folder)], env=env, check=True)
    assert files_of(folder) == expected


# ----------------------------------------------------------------------------------- gaps


def test_missing_fills_the_gaps_of_a_build(web: FakeWeb, tmp_path: Path) -> None:
    """A build whose references are bare DOIs and PMIDs: --missing looks them up, --build
    builds the same inputs again with what was fetched."""
    seed = web.papers["25879639"]
    cited = [p for p in web.papers.values() if p.pmid in seed.similar]
    work = {
        "DOI": "10.9999/made-here",
        "title": ["A paper whose references are only identifiers"],
        "issued": {"date-parts": [[2020]]},
        "container-title": ["J Test"],
        "reference": [{"key": f"r{n}", "DOI": p.doi} for n, p in enumerate(cited)],
    }
    inputs = tmp_path / "exports"
    inputs.mkdir()
    (inputs / "work.json").write_text(
        json.dumps({"status": "ok", "message-type": "work", "message": work})
    )
    runner = CliRunner()
    with inside(tmp_path / "work"):
        assert runner.invoke(cli, ["build", str(inputs), "-o", "output"]).exit_code == 0
        result = runner.invoke(cli, ["fetch", "--missing", "-g", "output", "--build"])
        assert result.exit_code == 0, result.output
        assert f"{len(cited)} papers ({len(cited)} new)" in result.output
        found = titles_and_years(Path("output"))
        report = json.loads(Path("output/report.json").read_text())
        asked = len(web.requests)
        again = runner.invoke(cli, ["fetch", "--missing", "-g", "output"])
        assert again.exit_code == 0, again.output  # the build lacks nothing: nothing to ask
        assert again.output.startswith("0 papers (0 new), 0 requests")
        assert len(web.requests) == asked
    assert {p.pmid for p in cited} <= set(found)
    assert all(found[p.pmid][0] and found[p.pmid][1] for p in cited)
    assert any(f["path"].endswith("work.json") for f in report["files"])


def test_missing_on_real_exports_leaves_no_identified_paper_without_a_title(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Real OpenAlex and Crossref exports (tests/fixtures) list references by DOI and OpenAlex
    id only. The server is made here to know every one of them; after --missing --build every
    paper with an identifier has a title and a year."""
    from kg.fetch.gaps import gaps

    exports = tmp_path / "exports"
    for name in (
        "openalex_json/work.json",
        "crossref_json/work_list.json",
        "crossref_json/work_message.json",
    ):
        (exports / name).parent.mkdir(parents=True, exist_ok=True)
        (exports / name).write_bytes((ROOT / "tests/fixtures" / name).read_bytes())
    runner = CliRunner()
    with inside(tmp_path / "work"):
        assert runner.invoke(cli, ["build", str(exports), "-o", "output"]).exit_code == 0
        holes = gaps(Path("output"))
        assert len(holes) >= 5
        papers: dict[str, Paper] = {}
        for n, ids in enumerate(holes, 1):
            found = dict(i.split(":", 1) for i in ids)
            pmid = found.get("pmid") or str(90000000 + n)
            papers[pmid] = Paper(
                pmid,
                found.get("doi") or f"10.5555/made-here-{n}",
                f"Made-here title {n}",
                2000 + n % 20,
                "J Made Here",
                work=found.get("openalex"),
            )
        server = FakeWeb(papers).start()
        for name, value in server.environ().items():
            monkeypatch.setenv(name, value)
        try:
            result = runner.invoke(cli, ["fetch", "--missing", "-g", "output", "--build"])
        finally:
            server.stop()
        assert result.exit_code == 0, result.output
        assert f"{len(holes)} papers ({len(holes)} new)" in result.output
        assert gaps(Path("output")) == []


def test_all_six_sources_build_citation_statements(web: FakeWeb, tmp_path: Path) -> None:
    """Semantic Scholar's contexts become cito:Citation statements with their intent; Europe
    PMC and OpenCitations add their links; the build reads every answer saved."""
    result = CliRunner().invoke(
        cli,
        [
            "fetch",
            "25879639",
            "--refs",
            "--cited-by",
            "--sources",
            "pubmed,openalex,crossref,opencitations,semanticscholar,europepmc",
            "-o",
            str(tmp_path / "fetched"),
            "--build",
            "-O",
            str(tmp_path / "output"),
        ],
    )
    assert result.exit_code == 0, result.output
    saved = files_of(tmp_path / "fetched")
    for service in (
        "pubmed",
        "openalex",
        "crossref",
        "opencitations",
        "semanticscholar",
        "europepmc",
    ):
        assert any(name.startswith(service + "/") for name in saved), service
    store = ox.Store.read_only(str(tmp_path / "output/store"))
    rows = list(
        store.query(
            """PREFIX cito: <http://purl.org/spar/cito/> PREFIX c4o: <http://purl.org/spar/c4o/>
        PREFIX kgo: <https://w3id.org/kg/ontology#> PREFIX fabio: <http://purl.org/spar/fabio/>
        SELECT ?citing ?text ?intent WHERE {
          ?c a cito:Citation ; cito:hasCitedEntity ?seed ; cito:hasCitingEntity ?p ;
             c4o:hasContent ?text ; kgo:intent ?intent ;
             cito:hasCitationCharacterization cito:obtainsBackgroundFrom .
          ?seed fabio:hasPubMedId "25879639" . ?p fabio:hasPubMedId ?citing }"""
        )
    )
    seed = web.papers["25879639"]
    assert sorted(r["citing"].value for r in rows) == sorted(seed.cited_by)
    assert {r["intent"].value for r in rows} == {"background"}
    counts = {
        r["source"].value
        for r in store.query(
            """PREFIX c4o: <http://purl.org/spar/c4o/> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
            PREFIX fabio: <http://purl.org/spar/fabio/>
            SELECT ?source WHERE { ?seed fabio:hasPubMedId "25879639" ;
              c4o:hasGlobalCitationFrequency ?n . ?n c4o:hasGlobalCountSource ?s ;
              c4o:hasGlobalCountDate ?day . ?s foaf:name ?source }"""
        )
    }
    assert {"Semantic Scholar", "Europe PMC", "OpenAlex", "Crossref"} <= counts


def test_missing_matches_references_known_only_as_text(web: FakeWeb, tmp_path: Path) -> None:
    """A reference printed as text is matched through Crossref's query.bibliographic: kept
    above the stated score and joined to the paper it names; a poor match is reported, not
    kept."""
    work = {
        "DOI": "10.9999/made-here-text",
        "title": ["A paper whose references are printed text"],
        "issued": {"date-parts": [[2020]]},
        "container-title": ["J Test"],
        "reference": [
            {
                "key": "r1",
                "unstructured": "Krüsi A, Pacey K, Bird L, et al. Criminalisation of clients: "
                "reproducing vulnerabilities for violence and poor health among street-based sex "
                "workers in Canada-a qualitative study. BMJ Open. 2014;4(6):e005191.",
            },
            {"key": "r2", "unstructured": "Smith J. Notes on nothing in particular. Unpublished."},
        ],
    }
    inputs = tmp_path / "exports"
    inputs.mkdir()
    (inputs / "work.json").write_text(
        json.dumps({"status": "ok", "message-type": "work", "message": work})
    )
    runner = CliRunner()
    with inside(tmp_path / "work"):
        assert runner.invoke(cli, ["build", str(inputs), "-o", "output"]).exit_code == 0
        before = ox.Store.read_only("output/store")
        papers_before = len(
            list(before.query("SELECT ?p WHERE { ?p a <https://w3id.org/kg/ontology#Paper> }"))
        )
        del before
        result = runner.invoke(cli, ["fetch", "--missing", "-g", "output", "--build"])
        assert result.exit_code == 0, result.output
        assert "1 of 2 references matched by their text" in result.output
        report = json.loads(Path("fetched/report.json").read_text())
        store = ox.Store.read_only("output/store")
        rows = list(
            store.query(
                """PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
            SELECT ?title ?doi WHERE { ?p dcterms:bibliographicCitation ?text ;
              dcterms:title ?title ; prism:doi ?doi . FILTER(CONTAINS(?text, "Krüsi")) }"""
            )
        )
        papers_after = len(
            list(store.query("SELECT ?p WHERE { ?p a <https://w3id.org/kg/ontology#Paper> }"))
        )
    assert report["matched"] == [
        {
            "text": work["reference"][0]["unstructured"],
            "doi": "10.1136/bmjopen-2014-005191",
            "score": 97.4,
        }
    ]
    assert report["unmatched"][0]["score"] == 21.3
    # PubMed's title (with its full stop) is preferred once OpenAlex gave the PMID
    assert [(r["title"].value, r["doi"].value) for r in rows] == [
        (web.papers["24889853"].title + ".", "10.1136/bmjopen-2014-005191")
    ]
    assert papers_after == papers_before  # the reference became the paper, not a second node


def test_a_doi_in_a_url_path_keeps_its_slashes_and_escapes_the_rest() -> None:
    from kg.fetch import opencitations, semanticscholar
    from kg.fetch.service import Known

    doi = "10.1002/(sici)1097-0258(19980815/30)17:15/16<1661::aid-sim968>3.0.co;2-2#x?y"
    escaped = (
        "10.1002/(sici)1097-0258(19980815/30)17:15/16%3C1661::aid-sim968%3E3.0.co%3B2-2%23x%3Fy"
    )
    paper = Known(f"doi:{doi}", doi=doi)
    asks = opencitations.links([paper], {"refs"}, 10) + semanticscholar.links([paper], {"refs"}, 10)
    assert [ask.path for ask in asks] == [
        f"references/doi:{escaped}",
        f"paper/DOI:{escaped}/references",
    ]
