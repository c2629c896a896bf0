"""Reading lists (kg/reflist.py, ``kg export --format bibtex|ris``): what is written is read
back by kg's own readers (kg.extract.bibtex, kg.extract.ris) as the same papers; named queries
choose the papers; hostile text stays text; the same graph gives the same bytes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli
from kg.extract import bibtex, ris
from kg.query import run
from kg.records import Paper, Person, Problem
from kg.reflist import (
    ENTRY_TYPES,
    FORMATS,
    Reference,
    citation_keys,
    latex,
    read_references,
    to_bibtex,
    to_ris,
)
from kg.store import open_graph

from .conftest import FIXTURES, SEEDS

READERS = {"bibtex": bibtex.parse, "ris": ris.parse}
SEED_DOI = "10.1186/s12939-015-0156-0"
CITING = {  # the papers of the seeds that cite SEED_DOI (tests/test_query_cli.py)
    "10.1016/j.drugalcdep.2022.109506",
    "10.1353/hpu.2021.0151",
    "10.1080/00224499.2020.1755821",
    "10.1007/s13178-018-0339-8",
    "10.1371/journal.pmed.1002442",
}
# Every character BibTeX, LaTeX or RIS takes for markup, braces paired and not, a line that
# looks like a BibTeX entry and one like a RIS tag (joined to the title by kg's RIS reader).
HOSTILE_TITLE_LINES = (
    r"Braces } { {paired} \textbf{not bold} 100% & #1 _x_ $5 ~ ^ << >> ,, ?` !` a\\b \ ",
    '@article{evil, title = {x}} ER  - TY  - BOOK Straße Ünïcödé 🧬 “quoted” "plain"',
)
HOSTILE_TITLE = " ".join(" ".join(HOSTILE_TITLE_LINES).split())


def kg_run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def papers_in(fmt: str, text: str) -> list[Paper]:
    records = list(READERS[fmt](text))
    assert not [r for r in records if isinstance(r, Problem)]
    return [r for r in records if isinstance(r, Paper)]


@pytest.fixture(scope="module")
def samples_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real exports of tests/fixtures/samples and the seeds, built in one folder."""
    work = tmp_path_factory.mktemp("reflist")
    shutil.copytree(FIXTURES / "samples", work / "in", ignore=shutil.ignore_patterns("*.md"))
    shutil.copytree(SEEDS, work / "in" / "seeds")
    kg.build([work / "in"], work / "out")
    return work / "out"


def graph_papers(folder: Path) -> dict[str, tuple[object, ...]]:
    """Each paper with a title, read with SPARQL of its own: IRI -> (DOI, PMID, title, year,
    first author's family name)."""
    result = run(
        open_graph(folder),
        "SELECT ?p (MIN(?d) AS ?doi) (MIN(?m) AS ?pmid) (MIN(?t) AS ?title) (MIN(?y) AS ?year)"
        " (MIN(?f) AS ?family) { ?p a kgo:Paper ; dcterms:title ?t . "
        "OPTIONAL { ?p prism:doi ?d } OPTIONAL { ?p fabio:hasPubMedId ?m } "
        "OPTIONAL { ?p fabio:hasPublicationYear ?y } "
        "OPTIONAL { ?p kgo:hasAuthorship ?r . ?r kgo:position 1 ; kgo:author ?a . "
        "?a foaf:familyName ?f } } GROUP BY ?p",
    )
    out = {}
    for row in result.rows:
        values = [None if v is None else v.value for v in row]
        out[values[0]] = (*values[1:4], int(values[4]) if values[4] else None, values[5])
    return out


def summary(paper: Paper) -> tuple[object, ...]:
    first = paper.authors[0].family if paper.authors else None
    return paper.doi, paper.pmid, paper.title, paper.year, first


def export(folder: Path, fmt: str, output: Path, *args: str) -> str:
    done = kg_run("export", "-g", str(folder), "--format", fmt, "-o", str(output), *args)
    assert done.exit_code == 0, done.output
    return done.output


# ------------------------------------------------------------------------- the real exports


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_paper_reads_back_the_same(fmt: str, samples_build: Path, tmp_path: Path) -> None:
    out = tmp_path / f"all.{fmt}"
    printed = export(samples_build, fmt, out)
    expected = graph_papers(samples_build)
    assert printed == f"wrote {out.as_posix()} ({len(expected)} papers)\n"
    papers = papers_in(fmt, out.read_bytes().decode("utf-8"))
    assert len(papers) == len(expected) > 100
    assert sorted(map(summary, papers), key=repr) == sorted(expected.values(), key=repr)
    # the same papers in the order written: by first author, year, title
    refs = read_references(open_graph(samples_build))
    assert [r.title for r in refs] == [p.title for p in papers]


def test_ris_is_crlf_with_one_line_per_value(samples_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.ris"
    export(samples_build, "ris", out)
    data = out.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") > 0
    lines = data.decode("utf-8").split("\r\n")
    assert all(re.match(r"[A-Z][A-Z0-9]  - ", line) for line in lines if line)
    assert lines.count("ER  - ") == sum(1 for line in lines if line.startswith("TY  - "))


def test_types_come_from_fabio_classes(samples_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.bib"
    export(samples_build, "bibtex", out)
    kinds = re.findall(r"^@(\w+)\{", out.read_text(encoding="utf-8"), re.M)
    # the samples hold 3 conference papers, 1 book chapter and 4 preprints (misc)
    assert kinds.count("inproceedings") == 3
    assert kinds.count("incollection") == 1
    assert kinds.count("article") > 100
    chapters = [
        p for p in papers_in("bibtex", out.read_text(encoding="utf-8")) if "Book Chapter" in p.types
    ]
    assert len(chapters) == 1 and chapters[0].book_title


def test_keys_are_unique_and_plain(samples_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.bib"
    export(samples_build, "bibtex", out)
    keys = re.findall(r"^@\w+\{([^,\n]*),", out.read_text(encoding="utf-8"), re.M)
    assert len(keys) == len(set(keys)) == len(graph_papers(samples_build))
    assert all(re.fullmatch(r"[a-z][a-z0-9]*", key) for key in keys)


def test_same_graph_same_bytes(samples_build: Path, tmp_path: Path) -> None:
    """Twice from the store, and once from graph.ttl read into memory (another order)."""
    for fmt in FORMATS:
        first, second, third = (tmp_path / f"{n}.{fmt}" for n in "abc")
        export(samples_build, fmt, first)
        export(samples_build, fmt, second)
        kg_out = samples_build / "graph.ttl"
        done = kg_run("export", "-g", str(kg_out), "--format", fmt, "-o", str(third))
        assert done.exit_code == 0, done.output
        assert first.read_bytes() == second.read_bytes() == third.read_bytes()


# ------------------------------------------------------------------------- named queries


@pytest.mark.parametrize("fmt", FORMATS)
def test_cited_by_gives_the_five_citing_papers(fmt: str, seed_build: Path, tmp_path: Path) -> None:
    out = tmp_path / f"cited-by.{fmt}"
    printed = export(seed_build, fmt, out, "--name", "cited-by", "-p", f"doi={SEED_DOI}")
    assert printed == f"wrote {out.as_posix()} (5 papers)\n"
    papers = papers_in(fmt, out.read_bytes().decode("utf-8"))
    assert [p.doi for p in papers if p.doi] == [p.doi for p in papers]
    assert len(papers) == 5 and {p.doi for p in papers} == CITING
    shown = kg_run(
        "query", "-g", str(seed_build), "--name", "cited-by", "-p", f"doi={SEED_DOI}", "-f", "csv"
    )
    order = [line.split(",")[1] for line in shown.output.splitlines()[1:]]
    assert [f"https://doi.org/{p.doi}" for p in papers] == order  # the query's order


def test_many_papers_are_read_as_few(seed_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past VALUES_LIMIT papers, every row is read and the papers picked: the same answer."""
    store = open_graph(seed_build)
    iris = [r.iri for r in read_references(store)][::-3]
    few = read_references(store, iris)
    monkeypatch.setattr("kg.reflist.VALUES_LIMIT", 2)
    assert read_references(store, iris) == few
    assert [r.iri for r in few] == iris and len(iris) > 2


def test_a_query_with_its_parameters_chooses_the_papers(seed_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "recent.ris"
    export(seed_build, "ris", out, "--name", "papers", "-p", "from=2020")
    papers = papers_in("ris", out.read_bytes().decode("utf-8"))
    assert papers and all(p.year is not None and p.year >= 2020 for p in papers)


def test_a_query_without_papers_is_an_error(seed_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "years.bib"
    out.write_text("kept")
    done = kg_run("export", "-g", str(seed_build), "-f", "bibtex", "-n", "per-year", "-o", str(out))
    assert done.exit_code == 1
    assert "returns no papers" in done.output
    assert out.read_text() == "kept"  # left as it was


@pytest.mark.parametrize(
    "args",
    [
        ["-f", "turtle", "--name", "papers"],
        ["-f", "gexf", "-p", "from=2019"],
        ["-f", "ris", "-p", "from=2019"],
        ["-f", "bibtex", "--name", "papers", "-p", "from=abc"],
        ["-f", "ris", "--min-weight", "2"],
        ["-f", "endnote"],
    ],
)
def test_bad_usage_exits_2(args: list[str], seed_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "list"
    done = kg_run("export", "-g", str(seed_build), *args, "-o", str(out))
    assert done.exit_code == 2, done.output
    assert not out.exists()


# ------------------------------------------------------------------------- hostile text


def hostile_input(folder: Path) -> Path:
    """A RIS export whose title, authors, journal and abstract hold every kind of markup."""
    folder.mkdir()
    lines = [
        "TY  - JOUR",
        r"AU  - {Brace}, Ann \ Marie",
        "AU  - O'Brien and Sons, Jr. % 50",
        "AU  - Müller-Lüdenscheidt, Jörg",
        "TI  - " + HOSTILE_TITLE_LINES[0],
        HOSTILE_TITLE_LINES[1],  # an untagged line: the title goes on
        r"T2  - J. {Hostile} & Co. % \ ~",
        "PY  - 2020",
        "DO  - 10.1234/hostile",
        "AN  - 12345678",
        r"AB  - An abstract with } and \ and @inproceedings{x, in it.",
        "ER  - ",
        "",
    ]
    (folder / "hostile.ris").write_text("\n".join(lines), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("hostile")
    kg.build([hostile_input(work / "in")], work / "out")
    return work / "out"


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_text_round_trips(fmt: str, hostile_build: Path, tmp_path: Path) -> None:
    (ref,) = read_references(open_graph(hostile_build))
    assert ref.title == HOSTILE_TITLE
    out = tmp_path / f"hostile.{fmt}"
    export(hostile_build, fmt, out)
    (paper,) = papers_in(fmt, out.read_bytes().decode("utf-8"))
    assert paper.title == HOSTILE_TITLE
    assert (paper.doi, paper.pmid, paper.year) == ("10.1234/hostile", "12345678", 2020)
    assert [(a.family, a.given) for a in paper.authors] == [
        (a.family, a.given) for a in ref.authors
    ]
    assert paper.journal is not None and paper.journal.title == ref.journal
    assert paper.abstract == ref.abstract


def test_hostile_bibtex_keeps_braces_balanced(hostile_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "hostile.bib"
    export(hostile_build, "bibtex", out)
    text = out.read_text(encoding="utf-8")
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert len(re.findall(r"^@", text, re.M)) == 1  # the @article in the title starts no entry
    assert "%" not in text.replace("\\%", "")


HOSTILE_REFERENCE = Reference(
    iri="https://example.org/hostile",
    kind="chapter",
    title="Line one\nER  - \nTY  - BOOK\r\n@article{x,\r}\x00\x07\x1b\tend\u2028more",
    authors=(
        Person(name="Jane Doe", family="Doe\n", given="Jane\x0b"),
        Person(name="World Health Organization", collective=True),
        Person(name="others", family="and", given="others"),
    ),
    year=2021,
    book_title="A {Book} of\nthings",
    publisher="Press & Sons",
    start_page="1",
    end_page="10",
    doi="10.1234/a{b}%c\\d",
    abstract="First paragraph.\n\n@article{second, paragraph}\nThird } one.",
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_line_breaks_and_control_characters_break_nothing(fmt: str) -> None:
    text = {"bibtex": to_bibtex, "ris": to_ris}[fmt]([HOSTILE_REFERENCE, HOSTILE_REFERENCE])
    first, second = papers_in(fmt, text)
    assert summary(first) == summary(second)  # the first record ends where it should
    assert first.title == "Line one ER - TY - BOOK @article{x, } end more"
    assert first.doi == "10.1234/a{b}%c\\d"
    assert first.book_title == "A {Book} of things"
    assert first.pages == "1-10"
    assert first.types == ("Book Chapter",)
    assert (first.authors[0].family, first.authors[0].given) == ("Doe", "Jane")
    assert first.authors[1].collective and first.authors[1].name == "World Health Organization"
    assert (first.authors[2].family, first.authors[2].given) == ("and", "others")
    paragraphs = "First paragraph.\n@article{second, paragraph}\nThird } one."
    assert first.abstract == (paragraphs if fmt == "bibtex" else " ".join(paragraphs.split()))


def test_latex_escapes_every_special_character() -> None:
    assert latex(r"50% & #1 _x_ $5 ~ ^ \ ") == (
        r"50\% \& \#1 \_x\_ \$5 \textasciitilde{} \^{} \textbackslash{}"
    )
    assert latex("a {b} c") == r"a \{b\} c"
    assert latex("} a {") == r"$\rbrace$ a $\lbrace$"
    assert latex("a--b ''c'' <<d>>") == "a-{}-b '{}'c'{}' <{}<d>{}>"
    assert latex("the COVID-19 mRNA", protect_case=True) == "the {COVID-19} {mRNA}"


def test_double_hyphens_and_quotes_read_back_as_written() -> None:
    ref = Reference(iri="urn:x", title="A--B and ''C''", year=2020)
    (paper,) = papers_in("bibtex", to_bibtex([ref]))
    assert paper.title == ref.title


def test_keys_get_letters_when_shared_and_never_collide() -> None:
    doe = (Person(name="J. Doe", family="Doe"),)
    refs = [
        Reference(iri=f"urn:{n}", title=title, authors=doe, year=2015)
        for n, title in enumerate(["The study", "A study", "Study", "Studya"])
    ]
    refs.append(Reference(iri="urn:x", title="Ǿrsted über", authors=(Person(name="Ørsted"),)))
    assert citation_keys(refs) == (
        "doe2015studyb",
        "doe2015studyc",
        "doe2015studyd",
        "doe2015studya",
        "orstedorsted",
    )


def test_every_kind_has_an_entry_type() -> None:
    from kg.reflist import CONTAINER_KINDS, KIND_ORDER, KINDS

    assert set(KINDS.values()) == set(KIND_ORDER)
    assert set(ENTRY_TYPES) == {*KIND_ORDER, "generic"} | set(CONTAINER_KINDS.values())


def test_importing_the_module_loads_nothing_heavy() -> None:
    heavy = ("pyoxigraph", "rdflib", "networkx", "jinja2", "httpx")
    code = f"import sys, kg.reflist; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
