"""kg query and kg export as a user runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner
from rdflib import Dataset

from kg.cli import cli

from .test_cli import run_kg

SEED_DOI = "10.1186/s12939-015-0156-0"
CITING = {
    "10.1016/j.drugalcdep.2022.109506",
    "10.1353/hpu.2021.0151",
    "10.1080/00224499.2020.1755821",
    "10.1007/s13178-018-0339-8",
    "10.1371/journal.pmed.1002442",
}


def kg(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def test_cited_by_as_csv_lists_the_five_citing_papers(seed_build: Path) -> None:
    done = kg(
        "query",
        "-g",
        str(seed_build),
        "--name",
        "cited-by",
        "-p",
        f"doi={SEED_DOI}",
        "--format",
        "csv",
    )
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(done.output)))
    assert {r["doi"] for r in rows} == CITING
    assert {r["paper"] for r in rows} == {f"https://doi.org/{SEED_DOI}"}


def test_the_doi_is_matched_whatever_its_case_or_prefix(seed_build: Path) -> None:
    done = kg(
        "query",
        "-g",
        str(seed_build),
        "-n",
        "cited-by",
        "-p",
        f"doi=https://doi.org/{SEED_DOI.upper()}",
        "-f",
        "csv",
    )
    assert len(list(csv.DictReader(io.StringIO(done.output)))) == 5


def test_an_injection_string_is_just_a_value(seed_build: Path) -> None:
    for name in ("doi", "pmid"):
        done = kg(
            "query",
            "-g",
            str(seed_build),
            "-n",
            "cited-by",
            "-p",
            f'{name}=x" }} UNION {{ ?s ?p ?o }} #',
            "-f",
            "csv",
        )
        assert done.exit_code == 0, done.output
        assert done.output.strip() == "paper,citing,year,title,doi,pmid"
    text = "SELECT ?t WHERE { ?p <http://purl.org/dc/terms/title> ?t ; <http://prismstandard.org/namespaces/basic/2.0/doi> ?doi }"
    done = kg(
        "query", "-g", str(seed_build), text, "-p", 'doi=x" } UNION { ?s ?p ?o } #', "-f", "json"
    )
    assert json.loads(done.output)["results"]["bindings"] == []


def test_list_shows_the_named_queries() -> None:
    done = kg("query", "--list")
    assert done.exit_code == 0
    lines = done.output.splitlines()
    assert len(lines) >= 10
    assert any(line.startswith("cited-by ") and "[paper]" in line for line in lines)


def test_table_tsv_json_ask_and_construct(seed_build: Path) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?p a kgo:Paper }"
    table = kg("query", "-g", str(seed_build), count)
    assert table.output.splitlines() == ["n", "--", "12", "(1 row)"]
    tsv = kg("query", "-g", str(seed_build), count, "-f", "tsv")
    assert tsv.output == '?n\n"12"^^<http://www.w3.org/2001/XMLSchema#integer>\n'
    ask = kg("query", "-g", str(seed_build), "ASK { ?p a kgo:Paper }", "-f", "json")
    assert json.loads(ask.output) == {"head": {}, "boolean": True}
    construct = kg(
        "query", "-g", str(seed_build), "CONSTRUCT { ?p a kgo:Paper } WHERE { ?p a kgo:Paper }"
    )
    assert construct.output.startswith("@prefix") and construct.output.count("kgo:Paper") == 12


def test_query_from_stdin_and_file(seed_build: Path, tmp_path: Path) -> None:
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert kg("query", "-g", str(seed_build), "-", "-f", "csv", stdin=text).output == "n\n260\n"
    (tmp_path / "q.rq").write_text(text)
    assert (
        kg("query", "-g", str(seed_build), "--file", str(tmp_path / "q.rq"), "-f", "csv").output
        == "n\n260\n"
    )


def test_query_a_single_turtle_file(seed_build: Path) -> None:
    done = kg(
        "query",
        "-g",
        str(seed_build / "graph.ttl"),
        "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
        "-f",
        "csv",
    )
    assert done.output == "n\n260\n"


def test_refusals_and_mistakes_are_one_line_errors(seed_build: Path, tmp_path: Path) -> None:
    cases = [
        (["SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"], 1, "SERVICE"),
        (["LOAD <http://127.0.0.1:9/x.ttl>"], 1, "LOAD"),
        (["SELECT * { ?s ?p"], 1, "bad query"),
        (["-n", "nope"], 1, "no query named 'nope'"),
        (["-n", "cited-by"], 1, "needs the paper"),
        (["-n", "cited-by", "-p", "year=2020", "-p", f"doi={SEED_DOI}"], 1, "not year"),
        (["SELECT * {}", "-p", "novalue"], 1, "name=value"),
        ([], 2, "exactly one of"),
    ]
    for args, code, message in cases:
        done = run_kg("query", "-g", str(seed_build), *args, cwd=tmp_path)
        assert done.returncode == code, (args, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == (1 if code == 1 else 4), lines  # usage errors show click's usage
    missing = run_kg("query", "-g", str(tmp_path / "nothing"), "ASK {}", cwd=tmp_path)
    assert missing.returncode == 1 and missing.stderr.startswith("Error: no such graph")


def test_a_slow_query_is_stopped_by_its_timeout(seed_build: Path, tmp_path: Path) -> None:
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    done = run_kg("query", "-g", str(seed_build), slow, "--timeout", "0.5", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == "Error: query took longer than 0.5 s"


def test_export_trig_keeps_each_source_in_its_graph(seed_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.trig"
    done = kg("export", "-g", str(seed_build), "--format", "trig", "-o", str(out))
    assert done.exit_code == 0 and done.output == f"wrote {out.as_posix()}\n"
    dataset = Dataset()
    dataset.parse(out, format="trig")
    names = {str(g.identifier) for g in dataset.graphs()} - {str(dataset.default_graph.identifier)}
    assert len(names) == 2 and all("/source/" in n for n in names)


def test_a_paper_given_by_its_bare_iri(seed_build: Path) -> None:
    for value in (f"https://doi.org/{SEED_DOI}", f"<https://doi.org/{SEED_DOI}>"):
        done = kg(
            "query", "-g", str(seed_build), "-n", "cited-by", "-p", f"paper={value}", "-f", "csv"
        )
        assert len(list(csv.DictReader(io.StringIO(done.output)))) == 5, value
