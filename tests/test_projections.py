"""kg.network projections, kg.metrics and kg.explore on the query fixture graph
(tests/fixtures/queries: its papers and people are described in tests/test_queries.py).

What the fixtures say, worked out by hand:
- C1 cites X, Y and U1 (a reference known by its text); C2 cites X, Y and U2 (a title only);
  the five papers citing S (the PubMed page's "Cited by") cite S and nothing else here.
- Authors: A (Doe with ORCID 0000-0002-1825-0097, Roe), B (Roe, Poe), Y (Poe, Doe, Roe),
  C1 (Doe, Poe), C2 (Doe, Roe); U2's first author is Lee M.
- S lists five similar articles; X has 2 contrasting, 1 supporting and 1 mentioning statement,
  S2 (the seeds' scite report) 4 mentioning ones.
"""

from __future__ import annotations

import gc
import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Graph

import kg
from kg.cli import cli
from kg.errors import GraphError
from kg.explore import find_paper, neighbors, shortest_path
from kg.metrics import annotate, stats
from kg.projections import COAUTHOR_MAX_AUTHORS, PROJECTIONS, network
from kg.store import open_graph

from .conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "queries"
CASE = ROOT / "tests" / "cases" / "pubmed_pages" / "input" / "full_page.txt"

S = "doi:10.1186/s12939-015-0156-0"
S2 = "doi:10.1186/s12939-017-0655-2"
X, Y = "doi:10.5555/kgq.x", "doi:10.5555/kgq.y"
C1, C2 = "doi:10.5555/kgq.c1", "doi:10.5555/kgq.c2"
B = "pmid:90000002"
DOE, ROE, POE = "orcid:0000-0002-1825-0097", "person:roe-r", "person:poe-s"
S_CITERS = {
    "doi:10.1371/journal.pmed.1002442",
    "doi:10.1080/00224499.2020.1755821",
    "doi:10.1353/hpu.2021.0151",
    "doi:10.1007/s13178-018-0339-8",
    "doi:10.1016/j.drugalcdep.2022.109506",
}


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("network") / "out"
    report = kg.build([FIXTURES], out)
    assert report.complete, report.problems
    return out


def weights(net: nx.Graph) -> dict[frozenset[str], int]:
    return {frozenset((u, v)): w for u, v, w in net.edges(data="weight")}


def unidentified(net: nx.Graph) -> list[str]:
    return sorted(n for n in net if n.startswith("work:"))


def test_citation_projection(build: Path) -> None:
    net = network(build, "citation")
    assert isinstance(net, nx.DiGraph) and net.graph["projection"] == "citation"
    assert net.number_of_nodes() == 20
    assert all(isinstance(n, str) for n in net)
    u1, u2 = unidentified(net)
    assert set(net.successors(C1)) | set(net.successors(C2)) == {X, Y, u1, u2}
    assert set(net.predecessors(S)) == S_CITERS
    assert net.number_of_edges() == 6 + 5
    x = net.nodes[X]
    assert x["kind"] == "paper" and x["cited_by"] == 2 and x["global_citations"] == 7
    assert net.nodes[C1]["references"] == 3
    assert net.nodes[B]["pmid"] == "90000002"  # the id stays a string: pmid:90000002
    assert net.nodes[C1]["authors"] == ("Jane A. Doe", "Sam Poe")


def test_cocitation_and_coupling_weights(build: Path) -> None:
    cocited = weights(network(build, "cocitation"))
    u1, u2 = unidentified(network(build, "citation"))
    assert cocited == {
        frozenset((X, Y)): 2,
        frozenset((X, u1)): 1,
        frozenset((Y, u1)): 1,
        frozenset((X, u2)): 1,
        frozenset((Y, u2)): 1,
    }
    coupled = weights(network(build, "coupling"))
    assert coupled.pop(frozenset((C1, C2))) == 2  # X and Y
    # the five papers citing S share one reference, pairwise
    assert set(coupled) == {frozenset((a, b)) for a in S_CITERS for b in S_CITERS if a < b}
    assert set(coupled.values()) == {1}


@pytest.mark.parametrize("kind", ["cocitation", "coupling", "coauthorship", "journals"])
def test_a_minimum_weight_leaves_out_the_lighter_links_and_keeps_every_node(
    build: Path, kind: str
) -> None:
    every = network(build, kind)
    for least in (2, 3):
        strong = network(build, kind, min_weight=least)
        assert set(strong) == set(every)  # every node stays
        assert weights(strong) == {e: w for e, w in weights(every).items() if w >= least}
        assert dict(strong.nodes(data=True)) == dict(every.nodes(data=True))
    assert weights(network(build, kind, min_weight=1)) == weights(every)


def test_the_minimum_weights_on_the_fixtures(build: Path) -> None:
    assert weights(network(build, "cocitation", min_weight=2)) == {frozenset((X, Y)): 2}
    assert weights(network(build, "coupling", min_weight=2)) == {frozenset((C1, C2)): 2}
    assert weights(network(build, "coupling", min_weight=3)) == {}


@pytest.mark.parametrize(("kind", "least"), [("citation", 2), ("full", 2), ("coupling", 0)])
def test_a_minimum_weight_is_refused_where_it_means_nothing(
    build: Path, kind: str, least: int
) -> None:
    with pytest.raises(GraphError, match="weighted projections"):
        network(build, kind, min_weight=least)


def test_coauthorship_and_authorship(build: Path) -> None:
    coauthors = network(build, "coauthorship")
    assert set(coauthors) == {DOE, ROE, POE, "person:lee-m"}
    assert weights(coauthors) == {
        frozenset((DOE, ROE)): 3,  # A, Y, C2
        frozenset((ROE, POE)): 2,  # B, Y
        frozenset((DOE, POE)): 2,  # Y, C1
    }
    assert coauthors.nodes[DOE]["papers"] == 4 and coauthors.nodes[DOE]["orcid"]
    authorship = network(build, "authorship")
    people = {n for n, side in authorship.nodes(data="bipartite") if side == 0}
    assert people == set(coauthors)
    assert nx.is_bipartite(authorship)
    assert set(authorship[POE]) == {B, Y, C1}


def test_similarity_and_journals(build: Path) -> None:
    similar = network(build, "similarity")
    assert not similar.is_directed()
    ranks = sorted(d["rank"] for _, _, d in similar.edges(S, data=True))
    assert ranks == [1, 2, 3, 4, 5]
    journals = network(build, "journals")
    assert all(kind == "journal" for _, kind in journals.nodes(data="kind"))
    urban = "journal:journal-of-urban-testing"  # C1, C2 and Y; C1 and C2 cite Y
    assert journals.nodes[urban]["papers"] == 3
    assert journals[urban][urban]["weight"] == 2


def test_full_projection_holds_every_kind(build: Path) -> None:
    net = network(build, "full")
    kinds = {kind for _, kind in net.nodes(data="kind")}
    assert kinds == {"paper", "person", "journal", "statement"}
    about_x = sorted(
        r for s, o, r in net.edges(data="relation") if o == X and s.startswith("statement:")
    )
    assert about_x == ["contrasting", "contrasting", "mentioning", "supporting"]
    statement = next(n for n, a in net.nodes(data=True) if a.get("type") == "supporting")
    assert net.nodes[statement]["cited"] == X and net.nodes[statement]["confidence"] <= 1
    assert net.has_edge(DOE, C1, key="authored") and net.has_edge(
        Y, "journal:journal-of-urban-testing"
    )


def test_every_projection_from_a_store_an_rdflib_graph_and_a_file(build: Path) -> None:
    store = open_graph(build)
    from_rdflib = Graph().parse(build / "graph.ttl")
    for kind in PROJECTIONS:
        a = network(store, kind)
        b = network(from_rdflib, kind)
        c = network(build / "graph.ttl", kind)
        for other in (b, c):
            assert sorted(a.nodes(data=True)) == sorted(other.nodes(data=True)), kind
            assert sorted(a.edges(data=True)) == sorted(other.edges(data=True)), kind


def test_unknown_projection_is_a_kg_error(build: Path) -> None:
    with pytest.raises(GraphError, match="unknown projection"):
        network(build, "nope")


def test_metrics_are_deterministic_and_number_communities_by_size(build: Path) -> None:
    first = annotate(network(build, "full"))
    again = annotate(network(open_graph(build), "full"))
    assert dict(first.nodes(data=True)) == dict(again.nodes(data=True))
    papers = {n: a for n, a in first.nodes(data=True) if a["kind"] == "paper"}
    assert sum(a["pagerank"] for a in papers.values()) == pytest.approx(1, abs=1e-6)
    assert all("pagerank" not in a for a in first.nodes.values() if a["kind"] == "person")
    sizes = [
        sum(1 for a in papers.values() if a["community"] == c)
        for c in range(max(a["community"] for a in papers.values()) + 1)
    ]
    assert sizes == sorted(sizes, reverse=True)
    assert papers[S]["community"] == 0  # S and the ten papers around it are the largest group
    assert first.nodes[S]["pagerank"] == max(a["pagerank"] for a in papers.values())
    x_statements = [a for a in first.nodes.values() if a.get("cited") == X]
    assert {a["community"] for a in x_statements} == {papers[X]["community"]}
    # Poe wrote B, Y and C1: Y and C1 are in X's community, B on its own
    assert first.nodes[POE]["community"] == papers[Y]["community"] == papers[C1]["community"]
    assert papers[B]["community"] != papers[Y]["community"]
    urban = first.nodes["journal:journal-of-urban-testing"]
    assert urban["community"] == papers[Y]["community"] and "pagerank" not in urban


def test_betweenness_marks_the_bridge(build: Path) -> None:
    net = annotate(network(build, "citation"))
    assert net.nodes[S]["betweenness"] > net.nodes[C1]["betweenness"] > 0  # C1 joins U1 to X
    assert all(net.nodes[n]["betweenness"] == 0 for n in S_CITERS)  # leaves


def test_find_paper_by_any_identifier(build: Path) -> None:
    net = network(build, "full")
    assert find_paper(net, "https://doi.org/10.5555/KGQ.X") == X
    assert find_paper(net, "doi:10.5555/kgq.x") == X
    assert find_paper(net, "25879639") == S
    assert find_paper(net, "pmid:90000002") == B
    assert find_paper(net, "PMC4404612") == S
    with pytest.raises(GraphError, match="no paper"):
        find_paper(net, "10.9999/missing")
    with pytest.raises(GraphError):
        find_paper(net, DOE)  # a person is not a paper


def test_shortest_path_follows_relations_either_way(build: Path) -> None:
    net = network(build, "full")
    steps = shortest_path(net, "10.5555/kgq.c1", "10.5555/kgq.c2", via="cites")
    assert [s.node for s in steps][::2] == [C1, C2] and steps[1].node in (X, Y)
    assert steps[1].arrow() == "-cites->" and steps[2].arrow() == "<-cites-"
    with pytest.raises(GraphError, match="no path"):
        shortest_path(net, C1, C2, via="similar")
    to_similar = shortest_path(net, "doi:10.1371/journal.pmed.1002442", "10.3310/gfvc7006")
    assert [s.relation for s in to_similar] == [None, "cites", "similar"]


def test_neighbors_by_depth(build: Path) -> None:
    net = network(build, "full")
    one = list(neighbors(net, X, depth=1))
    assert [s.node for s in one] == [X, C1, C2]
    assert {s.distance for s in one[1:]} == {1}
    two = {s.node: s.distance for s in neighbors(net, X, depth=2)}
    u1, u2 = unidentified(net)
    assert two == {X: 0, C1: 1, C2: 1, Y: 2, u1: 2, u2: 2}
    assert [s.node for s in neighbors(net, X, depth=0)] == [X]


def test_stats_summary(build: Path) -> None:
    summary = stats(open_graph(build), limit=3)
    counts = summary["counts"]
    assert (counts["papers"], counts["people"], counts["statements"]) == (20, 4, 8)
    assert counts["relations"]["cites"] == 11 and counts["relations"]["supporting"] == 1
    assert [p["id"] for p in summary["top_papers"]][:1] == [S]  # cited 5 times here
    assert [a["id"] for a in summary["top_authors"]][:2] == [DOE, ROE]  # 4 papers each
    assert summary["top_journals"][0]["id"] == "journal:journal-of-urban-testing"
    assert summary["communities"][0]["community"] == 0
    assert summary["communities"][0]["top"][0]["id"] == S
    gaps = summary["gaps"]
    assert gaps["papers_without_identifier"] == unidentified(network(build, "citation"))
    assert gaps["papers_without_year"] == [S]  # the PubMed page copy prints no date
    no_refs = {Path(s["source"]).name for s in gaps["sources_without_references"]}
    # C1/C2 (Crossref) give references and the PubMed page its "Cited by"
    assert no_refs == {
        "000_18ca61cfa3613128.txt",
        "night.bib",
        "outreach.nbib",
        "outreach.ris",
        "outreach_vans_scite.txt",
    }


def test_coauthorship_leaves_out_papers_with_too_many_authors(tmp_path: Path) -> None:
    def record(pmid: int, count: int) -> str:
        authors = "".join(f"AU  - Author{chr(65 + i % 26)}{i} A\n" for i in range(count))
        return f"PMID- {pmid}\nTI  - Paper with {count} authors\n{authors}DP  - 2020\n"

    many, few = COAUTHOR_MAX_AUTHORS + 1, 3
    source = tmp_path / "team.nbib"
    source.write_text(record(91000001, many) + "\n" + record(91000002, few), encoding="utf-8")
    kg.build([source], tmp_path / "out")
    net = network(tmp_path / "out", "coauthorship")
    assert net.number_of_nodes() == many  # the first three authors wrote both papers
    assert net.number_of_edges() == 3  # only the small paper's pairs
    assert net.graph["max_authors"] == COAUTHOR_MAX_AUTHORS


def test_labels_use_the_first_authors_family_name(tmp_path: Path) -> None:
    kg.build([CASE], tmp_path)
    net = network(tmp_path, "citation")
    assert net.nodes["doi:10.1016/s0140-6736(19)30012-4"]["label"] == "Lopez 2019"
    assert net.nodes["pmid:4512345"]["label"] == "Dupont 1987"  # printed "Dupont J"
    assert net.nodes["pmid:4512345"]["authors"] == ("J. Dupont", "C. Martin")


def test_a_person_with_two_names_is_one_author_with_the_longest(tmp_path: Path) -> None:
    """A graph kg did not build (any RDF file) may name one person twice: the paper lists
    them once, under the longest name, and the family name is the same whatever the order."""
    graph = tmp_path / "people.ttl"
    graph.write_text(
        """@prefix kgo: <https://w3id.org/kg/ontology#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix prism: <http://prismstandard.org/namespaces/basic/2.0/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://example.org/p> a kgo:Paper ; prism:doi "10.1/p" ; kgo:hasAuthorship <https://example.org/r1> ,
    <https://example.org/r2> .
<https://example.org/r1> kgo:author <https://example.org/ann> ; kgo:position "1"^^xsd:integer .
<https://example.org/r2> kgo:author <https://example.org/bo> ; kgo:position "2"^^xsd:integer .
<https://example.org/ann> a foaf:Person ; foaf:name "Ann Lee" , "Lee A" ;
    foaf:familyName "Lee" , "Lee-Smith" .
<https://example.org/bo> a foaf:Organization ; foaf:name "Bo Group" .
<https://example.org/nobody> a foaf:Person ; foaf:name "Not an author" .
""",
        encoding="utf-8",
    )
    net = network(graph, "full")
    assert net.nodes["doi:10.1/p"]["authors"] == ("Ann Lee", "Bo Group")
    assert net.nodes["doi:10.1/p"]["label"] == "Lee"
    assert net.nodes["person:ann"]["papers"] == 1
    assert net.nodes["person:bo"]["collective"] is True
    assert "person:nobody" not in net


# ---------------------------------------------------------------------------- commands


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_export_and_html_with_a_minimum_weight(build: Path, tmp_path: Path) -> None:
    out = tmp_path / "coupling.csv"
    code, _, _ = invoke(
        "export", "-g", str(build), "-f", "csv", "--projection", "coupling", "--min-weight", "2",
        "-o", str(out),
    )  # fmt: skip
    assert code == 0
    edges = (tmp_path / "coupling.edges.csv").read_text(encoding="utf-8").splitlines()
    assert len(edges) == 2 and edges[1].startswith(f"{C1},{C2},") and edges[1].endswith(",2")
    page = tmp_path / "map.html"
    args = ("html", "-g", str(build), "--projection", "cocitation", "-o", str(page))
    assert invoke(*args, "--min-weight", "2")[0] == 0 and page.exists()
    for wrong in (
        ("export", "-g", str(build), "-f", "turtle", "-o", str(tmp_path / "g.ttl")),
        ("export", "-g", str(build), "-f", "csv", "-o", str(out)),  # citation
        ("html", "-g", str(build), "-o", str(page)),  # full
    ):
        code, _, err = invoke(*wrong, "--min-weight", "2")
        assert code == 2 and "--min-weight is for" in err, wrong
    assert invoke(*args, "--min-weight", "0")[0] == 2


def test_stats_command(build: Path) -> None:
    code, out, _ = invoke("stats", "-g", str(build), "--json")
    assert code == 0
    assert json.loads(out)["counts"]["papers"] == 20
    code, out, _ = invoke("stats", "-g", str(build), "--top", "2")
    assert code == 0
    assert "20 papers, 4 people, 12 journals, 8 citation statements" in out
    assert "Reducing stigma in healthcare" in out and "Data gaps" in out
    assert "papers without an identifier: 2" in out


def test_path_and_neighbors_commands(build: Path) -> None:
    code, out, _ = invoke("path", "-g", str(build), "10.5555/kgq.c1", "10.5555/kgq.c2")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "2 steps via any:"
    assert lines[1].startswith(C1) and lines[3].startswith(f"  <-cites- {C2}")
    code, _, err = invoke("path", "-g", str(build), C1, C2, "--via", "similar")
    assert code == 1 and err.startswith("Error: no path")
    code, _, err = invoke("path", "-g", str(build), "10.1/none", C2)
    assert code == 1 and "no paper" in err
    code, out, _ = invoke("neighbors", "-g", str(build), "10.5555/kgq.x", "--depth", "1")
    assert code == 0
    assert out.splitlines()[0] == "2 papers within 1 step via any:"
    assert f"<-cites- {C1}" in out and f"<-cites- {C2}" in out


def test_html_command(build: Path, tmp_path: Path) -> None:
    target = tmp_path / "maps" / "citation.html"
    target.parent.mkdir()
    code, out, _ = invoke(
        "html", "-g", str(build), "--projection", "citation", "--layout", "timeline",
        "--color", "community", "-o", str(target),
    )  # fmt: skip
    assert code == 0, out
    page = target.read_text(encoding="utf-8")
    assert "Outreach vans and HIV testing uptake" in page
    assert "<script src" not in page
    assert sorted(p.name for p in target.parent.iterdir()) == ["citation.html"]
    code, _, _ = invoke("html", "-g", str(build), "--layout", "spiral", "-o", str(target))
    assert code == 2


SEED_PAPERS = 12


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_seed_network_exports_load_in_networkx(seed_build: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"citation.{fmt}"
    code, out, _ = invoke(
        "export", "-g", str(seed_build), "--format", fmt, "--projection", "citation",
        "-o", str(target),
    )  # fmt: skip
    assert code == 0 and out == f"wrote {target.as_posix()}\n"
    read = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    net = read(target)
    assert net.number_of_nodes() == SEED_PAPERS and net.is_directed()
    arresting = net.nodes["doi:10.1371/journal.pone.0134900"]
    assert arresting["pmid"] == "26488904"
    assert arresting["label"].startswith("Arresting HIV")
    assert net.in_degree("doi:10.1186/s12939-015-0156-0") == 5  # its five "Cited by" papers


def test_csv_export_of_a_hostile_source_starts_no_formula(tmp_path: Path) -> None:
    import csv

    hostile = ["=HYPERLINK(\"http://evil.test\",\"x\")", "+1+cmd|' /C calc'!A0", "@SUM(A1:A9)",
               "-2+3", "\tTabbed title"]  # fmt: skip
    records = "".join(
        f"PMID- {92000001 + i}\nTI  - {title}\nAU  - {title.strip()[:12]} A\nDP  - 2020\n\n"
        for i, title in enumerate(hostile)
    )
    source = tmp_path / "hostile.nbib"
    source.write_text(records, encoding="utf-8")
    kg.build([source], tmp_path / "out")
    for projection in ("full", "citation", "coauthorship"):
        stem = tmp_path / projection
        code, out, _ = invoke(
            "export", "-g", str(tmp_path / "out"), "--format", "csv",
            "--projection", projection, "-o", f"{stem}.csv",
        )  # fmt: skip
        assert code == 0, out
        cells = [
            cell
            for suffix in (".nodes.csv", ".edges.csv")
            for row in csv.reader(Path(f"{stem}{suffix}").read_text("utf-8").splitlines())
            for cell in row
        ]
        assert cells and not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
        if projection == "citation":
            assert '\'=HYPERLINK("http://evil.test","x")' in cells  # kept, made inert


def test_the_map_is_drawn_with_no_other_graph_left_in_memory(
    seed_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build pauses the cycle collector, and networkx graphs are reference cycles: the
    metrics' copies of the links are emptied once used and Louvain's collected, so that the
    page is drawn beside the map's graph alone (at L they took 660 MB more)."""
    from kg import html, pipeline

    drawn: list[list[bool]] = []
    render = html.render

    def spy(net: nx.Graph, **options: object) -> str:
        alive = [g for g in gc.get_objects() if isinstance(g, nx.Graph) and g.number_of_edges()]
        drawn.append([g is net for g in alive])
        return render(net, **options)

    monkeypatch.setattr(html, "render", spy)
    store = open_graph(seed_build)
    gc.collect()
    gc.disable()
    try:
        pipeline._map(store)
    finally:
        gc.enable()
    assert drawn == [[True]]
