"""A rebuild copies the last build's store and loads only what changed (kg.store.reloading):
whatever changed, the store and every output are those a cold build of the same inputs makes."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
import kg.iris
import kg.metrics
import kg.pipeline
import kg.reading
import kg.store
from bench.corpus import write_corpus
from kg.pipeline import BuildReport
from kg.store import HOLD, UNMADE, Drop, Patch, patch, reloading

from .test_cli import run_kg

pytestmark = pytest.mark.slow  # rebuilds a 300-paper corpus again and again

FILES = ("graph.ttl", "graph.trig", "graph.html", "report.json")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 papers: six PubMed XML files of 50, MEDLINE files, page copies, scite pages."""
    folder = tmp_path_factory.mktemp("corpus") / "in"
    write_corpus(folder, 300, seed=7, per_file=50)
    return folder


def quads(output: Path) -> list[bytes]:
    store = ox.Store.read_only(str(output / "store"))
    return sorted(store.dump(format=ox.RdfFormat.N_QUADS).splitlines())


def same_as_cold(inputs: Path, rebuilt: Path, cold: Path) -> None:
    kg.build([inputs], cold, cache=False)
    for name in FILES:
        assert (rebuilt / name).read_bytes() == (cold / name).read_bytes(), name
    assert quads(rebuilt) == quads(cold)


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The graph (None: the merged one) of every view a build makes lines of (kg.rdf.nquads)."""
    graphs: list[str | None] = []
    real = kg.pipeline.nquads

    def counting(view: object, minter: object, graph: object = None) -> object:
        graphs.append(None if graph is None else str(graph))
        return real(view, minter, graph)  # type: ignore[arg-type]

    monkeypatch.setattr(kg.pipeline, "nquads", counting)
    return graphs


def rebuild(
    corpus: Path, tmp_path: Path, change: Callable[[Path], None], made: list[str | None]
) -> tuple[BuildReport, int]:
    """Build a copy of ``corpus``, ``change`` it, build again into the same folder; the second
    report, and the number of named graphs the first build's store had. ``made`` is left with
    the graphs the second build made lines of."""
    inputs = tmp_path / "in"
    shutil.copytree(corpus, inputs)
    first = kg.build([inputs], tmp_path / "out")
    named = len(list(ox.Store.read_only(str(tmp_path / "out" / "store")).named_graphs()))
    assert named == len(first.files)
    assert len(made) == 1 + named  # a first build makes every graph's lines
    change(inputs)
    made.clear()
    second = kg.build([inputs], tmp_path / "out")
    assert not second.up_to_date
    again = list(made)
    same_as_cold(inputs, tmp_path / "out", tmp_path / "cold")
    made[:] = again
    return second, named


def source_graph(path: Path) -> str:
    return str(kg.iris.Minter()("source", kg.reading.sha256_of(path)))


def xml_files(inputs: Path) -> list[Path]:
    return sorted(inputs.glob("pubmed*.xml"))


def retitle(inputs: Path) -> None:
    path = xml_files(inputs)[2]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("<ArticleTitle>", "<ArticleTitle>Revised: ", 1), "utf-8")


def test_a_changed_title_keeps_every_other_source_graph(
    corpus: Path, tmp_path: Path, made: list[str | None]
) -> None:
    report, named = rebuild(corpus, tmp_path, retitle, made)
    assert report.graphs_kept == named - 1  # the changed file is a new source
    # and no other source's lines are made: their views are the last build's
    assert made == [None, source_graph(xml_files(tmp_path / "in")[2])]


def test_a_graph_whose_people_changed_is_made_again(tmp_path: Path, made: list[str | None]) -> None:
    """A file added that gives an author's full name changes the merged person every other
    source names: their lines are made again, though no paper's IRI changed."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    first = inputs / "a.nbib"
    first.write_text("PMID- 31000001\nTI  - Paper A\nAU  - Doe J\nDP  - 2020\n", "utf-8")
    second = inputs / "b.nbib"
    second.write_text("PMID- 31000002\nTI  - Paper B\nAU  - Roe R\nDP  - 2021\n", "utf-8")
    kg.build([inputs], tmp_path / "out")
    (inputs / "c.nbib").write_text(
        "PMID- 31000003\nTI  - Paper C\nFAU - Doe, Jane\nAU  - Doe J\nDP  - 2022\n", "utf-8"
    )
    made.clear()
    kg.build([inputs], tmp_path / "out")
    assert source_graph(first) in made and source_graph(second) not in made
    assert "Jane" in (tmp_path / "out" / "graph.trig").read_text("utf-8")
    same_as_cold(inputs, tmp_path / "out", tmp_path / "cold")


def test_a_file_taken_away_patches_the_graphs_whose_papers_changed_iri(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made: list[str | None]
) -> None:
    """The papers of the file taken away that other files cite by PMID alone lose the DOI it
    gave them: their IRI changes in every source that cites them, whose graphs are patched
    (only their changed quads removed and loaded) instead of loaded again."""
    patched: list[str] = []

    def counting(store: ox.Store, item: Patch) -> int:
        patched.append(item.graph)
        return patch(store, item)

    monkeypatch.setattr(kg.store, "patch", counting)
    report, named = rebuild(corpus, tmp_path, lambda inputs: xml_files(inputs)[1].unlink(), made)
    assert patched
    assert report.graphs_kept == named - 1 - len(set(patched))
    assert made[0] is None and sorted(made[1:]) == sorted(set(patched))  # those views changed


def test_the_graphs_that_went_away_are_removed_while_the_build_resolves(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made: list[str | None]
) -> None:
    """The changed file's old graph is removed from the store's copy by a thread of its own
    that starts before who is who is resolved (one core) and is waited for only to load."""
    clearing, resolving = threading.Event(), threading.Event()
    seen: dict[str, object] = {}
    clear = kg.store.Prepared._clear

    def slow_clear(self: kg.store.Prepared, store: ox.Store, gone: list[str]) -> None:
        clearing.set()
        seen["gone"] = gone
        seen["running while resolving"] = resolving.wait(10)
        clear(self, store, gone)

    real = kg.pipeline.resolve_lazily

    def resolve(*args: object) -> object:
        seen.setdefault("started before resolving", clearing.wait(10))
        resolving.set()
        return real(*args)  # type: ignore[arg-type]

    def change(inputs: Path) -> None:  # and watch the second build
        retitle(inputs)
        monkeypatch.setattr(kg.store.Prepared, "_clear", slow_clear)
        monkeypatch.setattr(kg.pipeline, "resolve_lazily", resolve)

    old = source_graph(xml_files(corpus)[2])
    report, named = rebuild(corpus, tmp_path, change, made)
    assert seen == {
        "gone": [old],
        "running while resolving": True,
        "started before resolving": True,
    }
    assert report.graphs_kept == named - 1


def test_a_prepared_store_keeps_the_graphs_still_given(tmp_path: Path) -> None:
    last = ox.Store(str(tmp_path / "last"))
    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    for graph in ("g:a", "g:b", "g:c"):
        last.add(ox.Quad(s, p, ox.Literal(graph), ox.NamedNode(graph)))
    last.add(ox.Quad(s, p, ox.Literal("merged")))
    last.flush()
    del last
    held = {g: (g, 1) for g in ("g:a", "g:b", "g:c")}
    (tmp_path / "new").mkdir()
    with kg.store.prepared_store(tmp_path / "new", tmp_path / "last", held, {"g:a", "g:c"}) as made:
        assert made.copied and made.kept == {"g:a": held["g:a"], "g:c": held["g:c"]}
        found = sorted((str(q.graph_name), q.object.value) for q in made.ready())
    assert found == [("<g:a>", "g:a"), ("<g:c>", "g:c")]  # the default graph cleared, b gone
    (tmp_path / "other").mkdir()
    with kg.store.prepared_store(
        tmp_path / "other", tmp_path / "last", {"g:a": ("a", 1)}, {}
    ) as made:
        assert not made.copied and not made.kept and len(made.ready()) == 0  # not the same graphs


def test_a_copy_of_a_file_is_one_source_given_twice(
    corpus: Path, tmp_path: Path, made: list[str | None]
) -> None:
    def copy(inputs: Path) -> None:
        shutil.copy(xml_files(inputs)[0], inputs / "again.xml")

    report, named = rebuild(corpus, tmp_path, copy, made)
    assert report.graphs_kept == named - 1  # the graph of both copies is patched
    assert made == [None, source_graph(xml_files(tmp_path / "in")[0])]  # one view of both

    (tmp_path / "in" / "again.xml").unlink()  # and when the copy goes, the graph stays
    kg.build([tmp_path / "in"], tmp_path / "out")
    same_as_cold(tmp_path / "in", tmp_path / "out", tmp_path / "cold2")


def test_when_most_files_went_away_the_store_is_made_anew(
    corpus: Path, tmp_path: Path, made: list[str | None]
) -> None:
    """Removing a quad costs Oxigraph four times loading one: with more than a quarter of the
    lines gone, nothing is copied."""

    def take_most(inputs: Path) -> None:
        for path in xml_files(inputs)[:3]:
            path.unlink()

    report, named = rebuild(corpus, tmp_path, take_most, made)
    assert report.graphs_kept == 0
    assert len(made) == 1 + named - 3  # every graph is loaded: its lines are made


def test_a_graph_too_large_to_hold_is_loaded_again_whole(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made: list[str | None]
) -> None:
    monkeypatch.setattr(kg.store, "HOLD", 2000)  # every XML file's graph is larger
    report, named = rebuild(corpus, tmp_path, lambda inputs: xml_files(inputs)[1].unlink(), made)
    assert 0 < report.graphs_kept < named - len(xml_files(tmp_path / "in"))


def test_a_store_written_to_since_is_not_copied(
    corpus: Path, tmp_path: Path, made: list[str | None]
) -> None:
    """A quad added to one of its source graphs (which the build cannot see) would stay."""

    def write_to_store(inputs: Path) -> None:
        retitle(inputs)
        store = ox.Store(str(tmp_path / "out" / "store"))
        graph = min(store.named_graphs(), key=str)
        s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
        store.add(ox.Quad(s, p, ox.Literal("stray"), graph))
        store.flush()
        del store

    report, named = rebuild(corpus, tmp_path, write_to_store, made)
    assert report.graphs_kept == 0
    assert len(made) == 1 + named


def test_an_unchanged_network_takes_the_map_metrics_from_the_last_build(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(corpus, inputs)
    kg.build([inputs], tmp_path / "out")
    assert (tmp_path / "out" / ".cache" / "metrics.json").is_file()
    retitle(inputs)

    def no_louvain(*args: object, **kwargs: object) -> None:
        raise AssertionError("Louvain run again for the same network")

    with monkeypatch.context() as patched:
        patched.setattr(kg.metrics.nx.community, "louvain_communities", no_louvain)
        kg.build([inputs], tmp_path / "out")
    same_as_cold(inputs, tmp_path / "out", tmp_path / "cold")

    # a reference more (to a paper no file has) makes another network: the metrics are
    # computed again
    path = xml_files(inputs)[0]
    text = path.read_text(encoding="utf-8")
    cites = (
        "<Reference><Citation>x</Citation><ArticleIdList>"
        '<ArticleId IdType="pubmed">99999999</ArticleId></ArticleIdList></Reference>'
    )
    assert "<ReferenceList>" in text
    path.write_text(text.replace("<ReferenceList>", "<ReferenceList>" + cites, 1), "utf-8")
    calls: list[int] = []
    louvain = kg.metrics.nx.community.louvain_communities

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return louvain(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(kg.metrics.nx.community, "louvain_communities", counted)
        kg.build([inputs], tmp_path / "out")
    assert calls == [1]
    same_as_cold(inputs, tmp_path / "out", tmp_path / "cold2")


def test_a_damaged_metrics_memo_is_computed_again(tmp_path: Path) -> None:
    import networkx as nx

    def net() -> nx.DiGraph:
        graph = nx.DiGraph(projection="citation")
        graph.add_edges_from([("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")])
        return graph

    expected = dict(kg.metrics.annotate(net(), betweenness=False).nodes(data=True))
    memo = tmp_path / "metrics.json"
    assert dict(kg.metrics.annotate(net(), betweenness=False, memo=memo).nodes(data=True)) == (
        expected
    )
    for damaged in (b"{", b"[]", memo.read_bytes().replace(b'"pagerank":[', b'"pagerank":[1,')):
        memo.write_bytes(damaged)
        found = kg.metrics.annotate(net(), betweenness=False, memo=memo)
        assert dict(found.nodes(data=True)) == expected


def chunk(*lines: str) -> tuple[bytes, int]:
    return "".join(lines).encode(), len(lines)


def test_reloading_loads_what_changed_and_drops_what_went_away() -> None:
    a = ("<s> <p> <o1> <g:a> .\n",)
    b = ("<s> <p> <o2> <g:b> .\n",)
    dflt = ("<s> <p> <o> .\n",)
    digests: kg.store.Digests = {}
    graphs = [(None, [chunk(*dflt)]), ("g:a", [chunk(*a)]), ("g:b", [chunk(*b)])]
    cold = list(reloading(graphs, {}, digests))
    assert cold == [chunk(*dflt), chunk(*a), chunk(*b)]
    assert digests["g:a"][1] == 1 and digests["g:a"][0] != digests["g:b"][0]

    held = dict(digests)
    held["g:gone"] = ("x", 5)
    changed = ("<s> <p> <o3> <g:b> .\n",)
    again: kg.store.Digests = {}
    graphs = [(None, [chunk(*dflt)]), ("g:a", [chunk(*a)]), ("g:b", [chunk(*changed)])]
    items = list(reloading(graphs, held, again))
    assert items == [chunk(*dflt), Patch("g:b", chunk(*changed)[0]), Drop("g:gone")]
    assert again["g:a"] == held["g:a"] and set(again) == {"g:a", "g:b"}

    # a graph whose lines were not made is the one held
    unmade: kg.store.Digests = {}
    assert list(reloading([(None, [chunk(*dflt)]), ("g:a", UNMADE)], held, unmade)) == [
        chunk(*dflt),
        Drop("g:b"),
        Drop("g:gone"),
    ]
    assert unmade == {"g:a": held["g:a"]}
    with pytest.raises(ValueError, match="not one the store holds"):
        list(reloading([("g:new", UNMADE)], held, {}))

    # a graph of more lines than HOLD is not held back to be compared
    big = [(chunk(*a)[0], HOLD), (chunk(*a)[0], 1)]
    assert list(reloading([("g:a", big)], {"g:a": held["g:a"]}, {})) == [Drop("g:a"), *big]


def test_a_patch_removes_only_the_quads_that_went_and_loads_only_the_new_ones() -> None:
    store = ox.Store()
    g = "http://example.org/g"
    old = f'<http://e.org/s> <http://e.org/p> "kept" <{g}> .\n<http://e.org/s> <http://e.org/p> "old" <{g}> .\n'
    store.bulk_load(old.encode(), format=ox.RdfFormat.N_QUADS)
    other = '<http://e.org/s> <http://e.org/p> "old" .\n'
    store.bulk_load(other.encode(), format=ox.RdfFormat.N_QUADS)
    new = f'<http://e.org/s> <http://e.org/p> "kept" <{g}> .\n<http://e.org/s> <http://e.org/p> "new" <{g}> .\n'
    assert patch(store, Patch(g, new.encode())) == 1
    assert sorted(store.dump(format=ox.RdfFormat.N_QUADS).splitlines()) == sorted(
        (new + other).encode().splitlines()
    )


def test_the_summary_says_how_many_source_graphs_were_kept(corpus: Path, tmp_path: Path) -> None:
    shutil.copytree(corpus, tmp_path / "in")
    first = run_kg("build", "in", "-o", "out", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "source graphs kept" not in first.stdout
    retitle(tmp_path / "in")
    again = run_kg("build", "in", "-o", "out", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    named = len(list((tmp_path / "in").iterdir()))
    assert f"{named - 1} unchanged source graphs kept in the store" in again.stdout
