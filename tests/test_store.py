"""The store a build writes, kg.load's Oxigraph-backed rdflib Dataset, -g paths, exports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.sparql import prepareQuery

import kg
from kg.errors import GraphError, KgError, OutputError, QueryError
from kg.export import export, serialize
from kg.query import QuerySyntaxError
from kg.store import coalesced, open_graph
from kg.vocab import PREFIX_IRIS

from .conftest import SEEDS

CITES = """
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
SELECT ?citing WHERE { ?citing cito:cites ?paper . ?paper prism:doi ?doi } ORDER BY ?citing
"""
SEED_DOI = "10.1186/s12939-015-0156-0"


def default_graph(store: ox.Store) -> Graph:
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return Graph().parse(data=data, format="nt")


def test_the_store_holds_the_merged_graph_and_each_source(seed_build: Path) -> None:
    store = open_graph(seed_build)
    assert isomorphic(default_graph(store), Graph().parse(seed_build / "graph.ttl"))
    trig = Dataset()
    trig.parse(seed_build / "graph.trig", format="trig")
    names = sorted(n.value for n in store.named_graphs())
    expected = sorted(
        str(g.identifier) for g in trig.graphs() if g.identifier != trig.default_graph.identifier
    )
    assert names == expected and len(names) == 2
    for name in names:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
        assert isomorphic(Graph().parse(data=data, format="nt"), trig.graph(URIRef(name)))


def test_a_rebuild_swaps_the_store_and_leaves_no_leftovers(tmp_path: Path) -> None:
    first = kg.build([SEEDS], tmp_path)
    again = kg.build([SEEDS], tmp_path)
    assert first.counts == again.counts
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".cache",
        "graph.html",
        "graph.trig",
        "graph.ttl",
        "report.json",
        "store",
    ]
    trig = Dataset()
    trig.parse(tmp_path / "graph.trig", format="trig")
    assert len(open_graph(tmp_path)) == sum(len(g) for g in trig.graphs())  # not doubled


def test_a_failed_build_leaves_the_previous_store(tmp_path: Path) -> None:
    kg.build([SEEDS], tmp_path / "out")
    before = len(open_graph(tmp_path / "out"))
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.txt").write_text("nothing kg reads\n")
    with pytest.raises(kg.KgError):
        kg.build([tmp_path / "bad"], tmp_path / "out")
    assert len(open_graph(tmp_path / "out")) == before


def test_load_runs_queries_in_oxigraph_with_bindings(
    seed_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = kg.load(seed_build)

    def no_rdflib_engine(*args: object, **kwargs: object) -> None:
        raise AssertionError("rdflib's SPARQL engine ran")

    monkeypatch.setattr("rdflib.plugins.sparql.processor.evalQuery", no_rdflib_engine)
    rows = list(dataset.query(CITES, initBindings={"doi": Literal(SEED_DOI)}))
    assert len(rows) == 5
    prepared = prepareQuery(CITES)
    again = list(dataset.query(prepared, initBindings={"doi": Literal(SEED_DOI)}))
    assert again == rows
    assert list(dataset.query(CITES, initBindings={"doi": Literal("x")})) == []


def test_load_predeclares_kg_prefixes(seed_build: Path) -> None:
    dataset = kg.load(seed_build)
    bare = CITES.split("SELECT", 1)[1]  # no PREFIX lines
    rows = list(dataset.query("SELECT" + bare, initBindings={"doi": Literal(SEED_DOI)}))
    assert len(rows) == 5
    # initNs adds to kg's prefixes, also where kg binds a variable the SELECT does not project
    for init_ns in ({"x": "http://example.org/"}, {"cito": "http://purl.org/spar/cito/"}):
        again = dataset.query(
            "SELECT" + bare, initNs=init_ns, initBindings={"doi": Literal(SEED_DOI)}
        )
        assert list(again) == rows
    for prefix, iri in PREFIX_IRIS.items():
        assert dataset.query(f'ASK {{ FILTER(STR({prefix}:x) = "{iri}x") }}').askAnswer, prefix
    # the query's own declaration wins
    other = "PREFIX cito: <http://example.org/> SELECT * { ?s cito:cites ?o }"
    assert list(dataset.query(other)) == []
    # rdflib's own bindings stay
    assert list(dataset.query("SELECT * { ?s owl:sameAs ?o }")) == []


def test_load_tells_a_syntax_error_at_the_users_line(seed_build: Path) -> None:
    dataset = kg.load(seed_build)
    with pytest.raises(QuerySyntaxError) as raised:
        dataset.query("SELECT * {\n  ?s foo:bar ?o }")
    error = raised.value
    assert isinstance(error, KgError) and isinstance(error, SyntaxError)  # as Oxigraph's was
    assert (error.line, error.column) == (2, 6)
    assert str(error).splitlines() == [
        "bad query at line 2, column 6: unknown prefix 'foo:' (kg declares "
        + ", ".join(sorted(PREFIX_IRIS))
        + "; declare others with PREFIX)",
        "    ?s foo:bar ?o }",
        "       ^",
    ]
    with pytest.raises(QuerySyntaxError, match=r"^bad query at line 1, column 20 \(the end"):
        dataset.query("SELECT * { ?s ?p ?o")
    # a prefix the query or initNs declares is not unknown
    with pytest.raises(QuerySyntaxError, match=r"line 1, column 25 \(the end of the query\): exp"):
        dataset.query("SELECT * { ?s foo:bar ?o", initNs={"foo": "http://example.org/"})
    with pytest.raises(QueryError, match="SERVICE"):  # refused, as by kg query
        dataset.query("SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")


def test_run_tells_a_syntax_error_at_the_users_line(seed_build: Path) -> None:
    from kg.query import run

    store = open_graph(seed_build)
    with pytest.raises(QuerySyntaxError) as raised:
        run(store, "SELECT ?p WHERE {\n  ?p a kgo:Paper ;\n     dcterms:title ?t ?x }")
    assert (raised.value.line, raised.value.column) == (3, 27)  # the end: "." is missing
    assert run(store, "SELECT (COUNT(*) AS ?n) { ?p a kgo:Paper }").rows[0][0].value == "12"
    with pytest.raises(QuerySyntaxError, match=r"^bad query: the query is empty$"):
        run(store, " \n")


def test_graph_paths(seed_build: Path, tmp_path: Path) -> None:
    store = open_graph(seed_build / "graph.ttl")
    assert len(store) == len(Graph().parse(seed_build / "graph.ttl"))
    assert len(list(open_graph(seed_build / "graph.trig").named_graphs())) == 2
    assert len(open_graph(seed_build / "store")) == len(open_graph(seed_build))
    with pytest.raises(GraphError, match="run `kg build"):
        open_graph(tmp_path)
    with pytest.raises(GraphError, match="no such graph"):
        open_graph(tmp_path / "missing.ttl")
    (tmp_path / "x.csv").write_text("a,b\n")
    with pytest.raises(GraphError, match="unknown RDF file suffix"):
        open_graph(tmp_path / "x.csv")
    (tmp_path / "bad.ttl").write_text("<a> <b> .\n")
    with pytest.raises(GraphError, match="cannot read"):
        open_graph(tmp_path / "bad.ttl")


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "trig", "nquads", "jsonld"])
def test_exports_round_trip(seed_build: Path, fmt: str) -> None:
    store = open_graph(seed_build)
    data = serialize(store, fmt)
    merged = Graph().parse(seed_build / "graph.ttl")
    rdflib_format = {"turtle": "turtle", "ntriples": "nt", "trig": "trig", "nquads": "nquads"}
    dataset = Dataset()
    dataset.parse(data=data, format=rdflib_format.get(fmt, "json-ld"))
    assert isomorphic(dataset.default_graph, merged)
    named = [g for g in dataset.graphs() if g.identifier != dataset.default_graph.identifier]
    assert len(named) == (0 if fmt in ("turtle", "ntriples") else 2)
    if fmt == "jsonld":
        assert b'"@context"' in data and b'"cito:' in data  # compacted with the prefixes
    if fmt == "turtle":
        assert data.startswith(b"@prefix")


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "trig", "nquads"])
def test_an_export_is_streamed_into_place(
    seed_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """Oxigraph writes the file beside the target, which it then replaces: the export is never
    held in memory whole (at 12.5 M quads, 2.5 GiB for N-Quads)."""
    store = open_graph(seed_build)
    expected = serialize(store, fmt)
    target = tmp_path / f"graph.{fmt}"
    target.write_bytes(b"old")

    def in_memory(*args: object) -> bytes:
        raise AssertionError("the export was made in memory")

    monkeypatch.setattr("kg.export.serialize", in_memory)
    export(store, fmt, target)
    assert target.read_bytes() == expected
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.parametrize("fmt", ["nquads", "jsonld"])
def test_an_export_that_cannot_be_written_is_an_output_error(
    seed_build: Path, tmp_path: Path, fmt: str
) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(OutputError, match=r"^cannot write .*/file/out: "):
        export(open_graph(seed_build), fmt, tmp_path / "file" / "out")
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_refused_queries(seed_build: Path) -> None:
    from kg.query import run

    store = open_graph(seed_build)
    for text in (
        "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * { service <http://x/> { ?s ?p ?o } }",
        "LOAD <http://example.org/x.ttl>",
        "INSERT DATA { <a:a> <a:b> <a:c> }",
    ):
        with pytest.raises(QueryError):
            run(store, text)
    # the words inside a string, an IRI or a comment are fine
    run(store, 'SELECT * { ?s ?p "SERVICE" } # LOAD')
    run(store, "SELECT * { ?s <http://example.org/SERVICE> ?o }")


def test_copying_the_build_folder_keeps_a_working_store(seed_build: Path, tmp_path: Path) -> None:
    shutil.copytree(seed_build, tmp_path / "copy")
    assert len(open_graph(tmp_path / "copy")) == len(open_graph(seed_build))


@pytest.mark.parametrize(
    "modifier", ["", "DISTINCT", "REDUCED"], ids=["plain", "distinct", "reduced"]
)
def test_bindings_of_unprojected_variables_with_modifiers(seed_build: Path, modifier: str) -> None:
    dataset = kg.load(seed_build)
    text = CITES.replace("SELECT ?citing", f"SELECT {modifier} ?citing") + " LIMIT 3 OFFSET 1"
    rows = list(dataset.query(text, initBindings={"doi": Literal(SEED_DOI)}))
    assert len(rows) == 3 and all(len(r) == 1 for r in rows)


def _nquads(data: bytes, fmt: ox.RdfFormat) -> list[bytes]:
    return sorted(
        ox.serialize(ox.parse(data, format=fmt), format=ox.RdfFormat.N_QUADS).split(b"\n")
    )


def test_graph_trig_is_the_stores_quads_sorted_and_graph_ttl_its_head(seed_build: Path) -> None:
    """graph.trig is written from the lines the store was loaded with (kg.sorted_trig): the
    store's quads exactly, the default graph first, each graph in one block and each subject
    in one block, in code-point order; graph.ttl is its head, the default graph's Turtle."""
    store = open_graph(seed_build)
    turtle = (seed_build / "graph.ttl").read_bytes()
    trig = (seed_build / "graph.trig").read_bytes()
    assert trig.startswith(turtle) and len(trig) > len(turtle)  # then the named graphs
    assert _nquads(trig, ox.RdfFormat.TRIG) == _nquads(
        store.dump(format=ox.RdfFormat.N_QUADS), ox.RdfFormat.N_QUADS
    )
    default = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert _nquads(turtle, ox.RdfFormat.TURTLE) == _nquads(default, ox.RdfFormat.N_TRIPLES)
    blocks: list[tuple[str, list[bytes]]] = []  # (graph, its subjects as their lines begin)
    for quad in ox.parse(trig, format=ox.RdfFormat.TRIG):
        graph = str(quad.graph_name)
        if not blocks or blocks[-1][0] != graph:
            blocks.append((graph, []))
        blocks[-1][1].append(f"{quad.subject} ".encode())
    names = [graph for graph, _ in blocks]
    assert names[0] == str(ox.DefaultGraph()) and len(set(names)) == len(names) >= 3
    for _, subjects in blocks:
        assert subjects == sorted(subjects)
    assert len(list(store.named_graphs())) == len(names) - 1


@pytest.mark.parametrize("sizes", [[5], [1, 1, 1], [4, 1, 3, 2, 5, 5, 1], [2] * 7, []])
def test_chunks_are_joined_up_to_the_chunk_size_never_past_it(sizes: list[int]) -> None:
    """Each source's graph comes in chunks of its own; the loader gets them joined, in order,
    each load at most CHUNK lines (its memory grows with what it is given at once)."""
    chunks = [(f"{n}:{size};".encode() * size, size) for n, size in enumerate(sizes)]
    joined = list(coalesced(chunks, size=5))
    assert b"".join(data for data, _ in joined) == b"".join(data for data, _ in chunks)
    assert sum(count for _, count in joined) == sum(sizes)
    assert all(0 < count <= 5 for _, count in joined)
    used = 0  # input chunks in the loads so far: each load is whole input chunks, and one
    for n, (_, count) in enumerate(joined):  # more would have made it too large
        total = 0
        while total < count:
            total, used = total + sizes[used], used + 1
        assert total == count
        if n + 1 < len(joined):
            assert count + sizes[used] > 5
