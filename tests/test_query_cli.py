"""kg query and kg export as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset

from kg.cli import cli
from kg.vocab import PREFIX_IRIS

from .conftest import ROOT
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
        # usage errors show click's usage; a syntax error, its line and a caret
        expected = 4 if code == 2 else 3 if message == "bad query" else 1
        assert len(lines) == expected, lines
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


# ---------------------------------------------------------------------------- syntax errors


def error_lines(done) -> list[str]:
    assert done.exit_code == 1, done.output
    assert "Traceback" not in done.output
    return done.stderr.rstrip("\n").split("\n")


def test_a_syntax_error_is_at_the_users_line_and_column(seed_build: Path, tmp_path: Path) -> None:
    # one line: line 1 (not the line after kg's prefixes), the column where the parser gave up
    lines = error_lines(kg("query", "-g", str(seed_build), "SELECT * { ?s ?p ?o"))
    assert lines == [
        'Error: bad query at line 1, column 20 (the end of the query): expected one of ",", ".",'
        ' ";", "{", "{|", "}", "~"',
        "  SELECT * { ?s ?p ?o",
        "                     ^",
    ]
    # a file: the line of the file
    (tmp_path / "bad.rq").write_text(
        "SELECT ?s WHERE {\n  ?s a kgo:Paper .\n  OPTIONAL ?s ?p ?o }\n}\n"
    )
    lines = error_lines(kg("query", "-g", str(seed_build), "--file", str(tmp_path / "bad.rq")))
    assert lines == [
        'Error: bad query at line 3, column 12: expected "{"',
        "    OPTIONAL ?s ?p ?o }",
        "             ^",
    ]
    # past the last line: just after the last thing written
    (tmp_path / "open.rq").write_text("SELECT ?s WHERE {\n  ?s a kgo:Paper .\n\n\n")
    lines = error_lines(kg("query", "-g", str(seed_build), "--file", str(tmp_path / "open.rq")))
    assert lines[0].startswith("Error: bad query at line 2, column 19 (the end of the query): ")
    assert lines[1:] == ["    ?s a kgo:Paper .", "                    ^"]
    # stdin alike; a tab before the column keeps the caret under it
    text = "ASK {\n\t?s <bad iri> ?o }\n"
    lines = error_lines(kg("query", "-g", str(seed_build), "-", stdin=text))
    assert lines == [
        "Error: bad query at line 2, column 14: IRI parsing failed",
        "  \t?s <bad iri> ?o }",
        "  \t            ^",
    ]


def test_an_unknown_prefix_is_named_with_the_known_ones(seed_build: Path) -> None:
    known = ", ".join(sorted(PREFIX_IRIS))
    lines = error_lines(kg("query", "-g", str(seed_build), "SELECT * { ?s foo:bar ?o }"))
    assert lines == [
        f"Error: bad query at line 1, column 15: unknown prefix 'foo:' (kg declares {known}; "
        "declare others with PREFIX)",
        "  SELECT * { ?s foo:bar ?o }",
        "                ^",
    ]
    assert "bibo" not in known and "cito, dcterms" in known
    # wherever the name is: a datatype, a FILTER, a later line, the empty prefix
    for text, line, column, prefix in [
        ('SELECT * { ?s ?p "x"^^foo:t }', 1, 23, "foo:"),
        ("SELECT * {\n  ?s ?p ?o\n  FILTER(?o = ex:y) }", 3, 15, "ex:"),
        ("SELECT * { ?s :p ?o }", 1, 15, ":"),
        ("SELECT * { ?s cito:cites/bibo:x ?o }", 1, 26, "bibo:"),
    ]:
        first = error_lines(kg("query", "-g", str(seed_build), text))[0]
        assert first.startswith(
            f"Error: bad query at line {line}, column {column}: unknown prefix '{prefix}' "
        ), (text, first)
    # strings, IRIs and comments are not prefixed names
    done = kg("query", "-g", str(seed_build), 'ASK { ?s ?p "a:b" } # c:d\n', "-f", "csv")
    assert done.exit_code == 0 and done.output == "false\n"


def test_a_query_may_declare_kg_prefixes_itself(seed_build: Path) -> None:
    count = "SELECT (COUNT(*) AS ?n) { ?s cito:cites ?o }"
    cito = "PREFIX cito: <http://purl.org/spar/cito/>\n"
    for text, expected in [
        (count, "5"),  # kg's
        (cito + count, "5"),  # declared again, the same
        ("PREFIX cito: <http://example.org/>\n" + count, "0"),  # the query's own wins
        ("PREFIX c: <http://purl.org/spar/cito/>\n" + count.replace("cito:", "c:"), "5"),
    ]:
        done = kg("query", "-g", str(seed_build), text, "-f", "csv")
        assert done.exit_code == 0, done.output
        assert done.output == f"n\n{expected}\n", text


# ---------------------------------------------------------------------------- years


def years(done) -> list[int]:
    assert done.exit_code == 0, done.output
    return [int(r["year"]) for r in csv.DictReader(io.StringIO(done.output)) if r["year"]]


def test_a_year_compares_as_a_number_only_through_the_idiom(seed_build: Path) -> None:
    base = "SELECT ?year WHERE { ?p fabio:hasPublicationYear ?year FILTER(%s) } ORDER BY ?year"
    wrong = kg("query", "-g", str(seed_build), base % "?year >= 2019", "-f", "csv")
    assert years(wrong) == []  # a gYear is no number: the documented trap
    right = kg(
        "query", "-g", str(seed_build), base % "xsd:integer(STR(?year)) >= 2019", "-f", "csv"
    )
    assert years(right) == [2019, 2021, 2021, 2022, 2024, 2024]
    # -p year= is the graph's own type, so it matches
    one = kg(
        "query",
        "-g",
        str(seed_build),
        "SELECT ?p { ?p fabio:hasPublicationYear ?year }",
        "-p",
        "year=2021",
        "-f",
        "csv",
    )
    assert one.exit_code == 0 and len(one.output.splitlines()) == 3, one.output


def test_named_queries_take_from_and_to(seed_build: Path) -> None:
    every = years(kg("query", "-g", str(seed_build), "-n", "papers", "-f", "csv"))
    assert len(every) == 11 and min(every) < 2019 < max(every)  # and S has no year
    some = kg(
        "query",
        "-g",
        str(seed_build),
        "-n",
        "papers",
        "-p",
        "from=2019",
        "-p",
        "to=2021",
        "-f",
        "csv",
    )
    assert sorted(years(some)) == [2019, 2021, 2021]
    assert "from" not in some.output.splitlines()[0]  # the bounds are not columns
    since = years(
        kg("query", "-g", str(seed_build), "-n", "per-year", "-p", "from=2021", "-f", "csv")
    )
    assert since == [2021, 2022, 2024]
    listed = kg("query", "--list").output.splitlines()
    for name in ("papers", "per-year", "per-journal", "prolific-authors", "top-cited"):
        assert any(line.startswith(f"{name} ") and line.endswith("[from | to]") for line in listed)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (["from=20x9"], "parameter from: '20x9' is not a year (such as 2019)"),
        (["to=19"], "parameter to: '19' is not a year"),
        (["from=2021", "to=2019"], "from=2021 is after to=2019"),
    ],
)
def test_a_bad_year_is_a_usage_error(seed_build: Path, params: list[str], message: str) -> None:
    args = [item for param in params for item in ("-p", param)]
    done = kg("query", "-g", str(seed_build), "-n", "papers", *args)
    assert done.exit_code == 2, done.output
    assert "Invalid value for '-p' / '--param': " + message in done.stderr
    assert done.stdout == ""


def test_a_year_that_is_no_year_is_a_usage_error_in_any_query(seed_build: Path) -> None:
    for name in ("year", "from", "to"):
        done = kg("query", "-g", str(seed_build), "SELECT * {}", "-p", f"{name}=last year")
        assert done.exit_code == 2, done.output
        assert f"parameter {name}: 'last year' is not a year" in done.stderr


def test_the_prefixes_are_documented_once_as_kg_declares_them() -> None:
    doc = (ROOT / "docs" / "query.md").read_text(encoding="utf-8")
    section = doc.split("\n## Prefixes\n", 1)[1].split("\n## ", 1)[0]
    table = dict(re.findall(r"^\| `([a-z0-9]+)` \| `([^`]+)` \|$", section, re.M))
    assert table == PREFIX_IRIS
