"""The network exports (kg/netexport.py): each format loads back in networkx (or parses) with the
same ids, edges and attributes; the bytes do not depend on insertion order; hostile text stays
text (escaped HTML in VOSviewer, no formula in CSV); files are replaced atomically."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from kg.errors import FormatError, KgError, OutputError
from kg.netexport import NETWORK_FORMATS, export_network, serialize_network

HOSTILE = (
    '=HYPERLINK("http://x")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\tx",
    "\rx",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UNICODE_TITLE = 'Héllo “quoted” "plain" 🧬 & <b>bold</b> — ✓'
XSS_TITLE = "<img src=x onerror=alert(1)>"

# (id, attributes) following the projection contract
PAPERS = [
    (
        "doi:10.1000/alpha",
        {
            "kind": "paper",
            "label": "Alpha 2019",
            "title": UNICODE_TITLE,
            "iri": "https://w3id.org/kg/work/alpha",
            "year": 2019,
            "journal": "J Test",
            "doi": "10.1000/alpha",
            "authors": ("Alpha A", "Beta B", "Gamma C"),
            "cited_by": 2,
            "references": 1,
            "global_citations": 40,
            "type": "journal-article",
            "pagerank": 0.5,
            "betweenness": 0.25,
            "community": 0,
            "component": 0,
        },
    ),
    (
        "pmid:26488904",
        {
            "kind": "paper",
            "label": "Beta 2015",
            "title": XSS_TITLE,
            "iri": "https://w3id.org/kg/work/beta",
            "year": 2015,
            "pmid": "26488904",
            "authors": ("Beta B",),
            "cited_by": 1,
            "references": 0,
            "pagerank": 0.3,
            "betweenness": 0.0,
            "community": 1,
            "component": 0,
            "open_access": True,  # an attribute the exporter does not know
        },
    ),
    (
        "26488904",  # numeric-looking: must stay the string
        {
            "kind": "paper",
            "label": "26488904",
            "title": "A plain title",
            "iri": "https://w3id.org/kg/work/gamma",
            "year": 2001,
            "cited_by": 0,
            "references": 2,
            "pagerank": 0.2,
            "betweenness": 0.0,
            "community": 0,
            "component": 0,
        },
    ),
]
CITES = [
    ("doi:10.1000/alpha", "pmid:26488904", {"relation": "cites", "weight": 1}),
    ("26488904", "doi:10.1000/alpha", {"relation": "cites", "weight": 1}),
    ("26488904", "pmid:26488904", {"relation": "cites", "weight": 1}),
]


def _build(
    graph: nx.Graph,
    nodes: list[tuple[str, dict]],
    edges: list[tuple[str, str, dict]],
    reverse: bool,
    keyed: bool = False,
) -> nx.Graph:
    """The graph built in the given order, or with nodes, edges and attributes all reversed."""

    def order(items: list) -> list:
        return list(reversed(items)) if reverse else list(items)

    for node, attrs in order(nodes):
        graph.add_node(node, **dict(order(list(attrs.items()))))
    for u, v, attrs in order(edges):
        data = dict(order(list(attrs.items())))
        if keyed:
            graph.add_edge(u, v, key=attrs["relation"], **data)
        elif reverse and not graph.is_directed():
            graph.add_edge(v, u, **data)
        else:
            graph.add_edge(u, v, **data)
    return graph


def citation(reverse: bool = False) -> nx.DiGraph:
    return _build(nx.DiGraph(projection="citation"), PAPERS, CITES, reverse)


def full(reverse: bool = False) -> nx.MultiDiGraph:
    nodes = [
        *PAPERS,
        (
            "person:beta-b",
            {"kind": "person", "label": "Beta B", "title": "Beta B", "papers": 2, "iri": "x:p"},
        ),
        (
            "orcid:0000-0002-1825-0097",
            {
                "kind": "person",
                "label": "Carberry J",
                "title": "Josiah Carberry",
                "orcid": "0000-0002-1825-0097",
                "papers": 1,
            },
        ),
        (
            "journal:j-test",
            {"kind": "journal", "label": "J Test", "title": "Journal of Tests", "papers": 1},
        ),
        (
            "statement:5f2a",
            {
                "kind": "statement",
                "label": "supporting",
                "title": "As shown by Beta (2015), it works.",
                "type": "supporting",
                "section": "Discussion",
                "confidence": 0.91,
                "cited": "pmid:26488904",
            },
        ),
    ]
    edges = [
        *CITES,
        ("doi:10.1000/alpha", "pmid:26488904", {"relation": "similar", "weight": 1, "rank": 1}),
        ("person:beta-b", "doi:10.1000/alpha", {"relation": "authored", "weight": 1}),
        ("person:beta-b", "pmid:26488904", {"relation": "authored", "weight": 1}),
        ("orcid:0000-0002-1825-0097", "26488904", {"relation": "authored", "weight": 1}),
        ("doi:10.1000/alpha", "journal:j-test", {"relation": "published_in", "weight": 1}),
        ("statement:5f2a", "pmid:26488904", {"relation": "supporting", "weight": 1}),
    ]
    return _build(nx.MultiDiGraph(projection="full"), nodes, edges, reverse, keyed=True)


def coauthorship(reverse: bool = False) -> nx.Graph:
    nodes = [
        ("person:a", {"kind": "person", "label": "Alpha A", "papers": 3, "community": 0}),
        ("person:b", {"kind": "person", "label": "Beta B", "papers": 2, "community": 0}),
        ("person:c", {"kind": "person", "label": "Gamma C", "papers": 1, "community": 1}),
    ]
    edges = [
        ("person:a", "person:b", {"relation": "coauthor", "weight": 2}),
        ("person:b", "person:c", {"relation": "coauthor", "weight": 1.5}),
    ]
    return _build(nx.Graph(projection="coauthorship"), nodes, edges, reverse)


GRAPHS: dict[str, Callable[[bool], nx.Graph]] = {
    "citation": citation,
    "full": full,
    "coauthorship": coauthorship,
}


def _edges(graph: nx.Graph) -> list[tuple]:
    if graph.is_multigraph():
        found = [(u, v, k) for u, v, k in graph.edges(keys=True)]
    else:
        found = [(u, v) for u, v in graph.edges()]
    if not graph.is_directed():
        found = [(*sorted(e[:2]), *e[2:]) for e in found]
    return sorted(found)


def _only(parts: dict[str, bytes]) -> bytes:
    assert list(parts) == [""]
    return parts[""]


def _as_xml_text(value: object) -> object:
    return "; ".join(value) if isinstance(value, tuple) else value


def test_the_formats() -> None:
    assert set(NETWORK_FORMATS) == {"graphml", "gexf", "cytoscape", "vosviewer", "csv"}


@pytest.mark.parametrize("fmt", sorted(NETWORK_FORMATS))
@pytest.mark.parametrize("kind", sorted(GRAPHS))
def test_the_bytes_do_not_depend_on_insertion_order(fmt: str, kind: str) -> None:
    one, other = GRAPHS[kind](False), GRAPHS[kind](True)
    assert list(one.nodes) != list(other.nodes)  # the orders really differ
    assert serialize_network(one, fmt) == serialize_network(other, fmt)


# --- GraphML and GEXF -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(GRAPHS))
def test_graphml_loads_back_with_the_same_ids_edges_and_attributes(kind: str) -> None:
    net = GRAPHS[kind](False)
    back = nx.read_graphml(io.BytesIO(_only(serialize_network(net, "graphml"))))
    assert back.is_directed() == net.is_directed()
    assert back.is_multigraph() == net.is_multigraph()
    assert sorted(back.nodes) == sorted(net.nodes)
    assert all(isinstance(node, str) for node in back.nodes)
    assert _edges(back) == _edges(net)
    for node, attrs in net.nodes(data=True):
        assert back.nodes[node] == {k: _as_xml_text(v) for k, v in attrs.items()}
    assert back.graph["projection"] == kind


def test_graphml_keeps_types_and_parallel_edges() -> None:
    back = nx.read_graphml(io.BytesIO(_only(serialize_network(full(), "graphml"))))
    alpha = back.nodes["doi:10.1000/alpha"]
    assert alpha["year"] == 2019 and isinstance(alpha["year"], int)
    assert alpha["pagerank"] == 0.5
    assert alpha["authors"] == "Alpha A; Beta B; Gamma C"
    assert alpha["title"] == UNICODE_TITLE
    assert back.nodes["pmid:26488904"]["open_access"] is True
    assert back.nodes["26488904"]["label"] == "26488904"
    pair = back.get_edge_data("doi:10.1000/alpha", "pmid:26488904")
    assert sorted(pair) == ["cites", "similar"]
    assert pair["similar"]["rank"] == 1


@pytest.mark.parametrize("kind", sorted(GRAPHS))
def test_gexf_loads_back_with_the_same_ids_edges_labels_and_attributes(kind: str) -> None:
    net = GRAPHS[kind](False)
    back = nx.read_gexf(io.BytesIO(_only(serialize_network(net, "gexf"))))
    assert back.is_directed() == net.is_directed()
    assert sorted(back.nodes) == sorted(net.nodes)
    assert all(isinstance(node, str) for node in back.nodes)
    assert _edges(back) == _edges(net)
    for node, attrs in net.nodes(data=True):
        loaded = dict(back.nodes[node])
        loaded.pop("viz")
        assert loaded == {k: _as_xml_text(v) for k, v in attrs.items()}


def test_gexf_is_version_1_2_with_gephi_sizes_and_colours() -> None:
    data = _only(serialize_network(full(), "gexf"))
    assert b'version="1.2"' in data and b"http://www.gexf.net/1.2draft" in data
    assert b"lastmodifieddate" not in data and b"NetworkX" not in data  # nothing changes by day
    back = nx.read_gexf(io.BytesIO(data))
    sizes = {node: back.nodes[node]["viz"]["size"] for node in back}
    # size follows pagerank: the largest pagerank is the largest node; no pagerank, smallest
    assert max(sizes, key=sizes.get) == "doi:10.1000/alpha"
    assert sizes["pmid:26488904"] > sizes["26488904"] > sizes["person:beta-b"]
    colours = {node: tuple(back.nodes[node]["viz"]["color"][c] for c in "rgb") for node in back}
    # coloured by community: the same community, the same colour; another, another
    assert colours["doi:10.1000/alpha"] == colours["26488904"] != colours["pmid:26488904"]


def test_gexf_colours_by_kind_without_communities() -> None:
    net = full()
    for _, attrs in net.nodes(data=True):
        attrs.pop("community", None)
    back = nx.read_gexf(io.BytesIO(_only(serialize_network(net, "gexf"))))
    colour = {node: str(back.nodes[node]["viz"]["color"]) for node in back}
    assert colour["doi:10.1000/alpha"] == colour["pmid:26488904"]
    assert colour["doi:10.1000/alpha"] != colour["person:beta-b"] != colour["journal:j-test"]
    assert colour["person:beta-b"] == colour["orcid:0000-0002-1825-0097"]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_xml_formats_survive_control_characters_and_mixed_types(fmt: str) -> None:
    net = nx.Graph()
    net.add_node("work:1", kind="paper", label="bad\x0bchar\x00s", title="form\x0cfeed")
    net.add_node("work:2", kind="paper", label="ok", title="fine", extra=3)
    net.add_node("work:3", kind="paper", label="ok", title="fine", extra="three")
    net.add_edge("work:1", "work:2", relation="cocited", weight=2)
    net.add_edge("work:2", "work:3", relation="cocited", weight=0.5)
    data = _only(serialize_network(net, fmt))
    back = nx.read_graphml(io.BytesIO(data)) if fmt == "graphml" else nx.read_gexf(io.BytesIO(data))
    assert back.nodes["work:1"]["label"] == "badchars"
    assert back.nodes["work:1"]["title"] == "formfeed"
    assert back.nodes["work:2"]["extra"] == "3" and back.nodes["work:3"]["extra"] == "three"
    assert back.edges["work:1", "work:2"]["weight"] == 2.0
    assert back.edges["work:2", "work:3"]["weight"] == 0.5


def test_attributes_named_like_the_formats_own_fields_are_kept_renamed() -> None:
    net = nx.DiGraph()
    net.add_node("work:1", kind="paper", label="one", id="other", start="spring", name="n")
    net.add_node("work:2", kind="paper", label="two")
    net.add_edge("work:1", "work:2", relation="cites", type="odd", key="k")
    gexf = nx.read_gexf(io.BytesIO(_only(serialize_network(net, "gexf"))))
    assert set(gexf.nodes) == {"work:1", "work:2"}
    assert gexf.nodes["work:1"]["attr_id"] == "other"
    assert gexf.nodes["work:1"]["attr_start"] == "spring"
    assert gexf.edges["work:1", "work:2"]["attr_type"] == "odd"
    cyjs = json.loads(_only(serialize_network(net, "cytoscape")))
    node = cyjs["elements"]["nodes"][0]["data"]
    assert (node["id"], node["name"], node["attr_id"], node["attr_name"]) == (
        "work:1",
        "one",
        "other",
        "n",
    )
    assert cyjs["elements"]["edges"][0]["data"]["attr_key"] == "k"


# --- Cytoscape.js JSON ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(GRAPHS))
def test_cytoscape_loads_back_with_every_attribute(kind: str) -> None:
    net = GRAPHS[kind](False)
    data = _only(serialize_network(net, "cytoscape"))
    document = json.loads(data.decode("utf-8"))
    assert set(document["elements"]) == {"nodes", "edges"}
    back = nx.cytoscape_graph(document)
    assert back.is_directed() == net.is_directed()
    assert back.is_multigraph() == net.is_multigraph()
    assert sorted(back.nodes) == sorted(net.nodes)
    assert _edges(back) == _edges(net)
    for node, attrs in net.nodes(data=True):
        expected = {k: list(v) if isinstance(v, tuple) else v for k, v in attrs.items()}
        loaded = dict(back.nodes[node])
        assert (loaded.pop("id"), loaded.pop("value"), loaded.pop("name")) == (
            node,
            node,
            attrs["label"],
        )
        assert loaded == expected
    if net.is_multigraph():
        for u, v, key, attrs in net.edges(keys=True, data=True):
            assert back.edges[u, v, key] == {**attrs, "source": u, "target": v, "key": key}
    else:
        for u, v, attrs in net.edges(data=True):
            loaded = dict(back.edges[u, v])
            assert {loaded.pop("source"), loaded.pop("target")} == {u, v}
            assert loaded == attrs
    assert back.graph == {"projection": kind}


def test_cytoscape_is_utf8_and_keeps_parallel_edges_apart() -> None:
    data = _only(serialize_network(full(), "cytoscape"))
    assert UNICODE_TITLE.encode("utf-8") not in data  # JSON escapes the plain quotes…
    assert "🧬".encode() in data and b"\\u" not in data  # …but not the non-ASCII characters
    back = nx.cytoscape_graph(json.loads(data))
    pair = back.get_edge_data("doi:10.1000/alpha", "pmid:26488904")
    assert {k: d["relation"] for k, d in pair.items()} == {"cites": "cites", "similar": "similar"}
    assert back.nodes["doi:10.1000/alpha"]["title"] == UNICODE_TITLE


# --- VOSviewer -----------------------------------------------------------------------------


def _vosviewer(net: nx.Graph) -> dict:
    return json.loads(_only(serialize_network(net, "vosviewer")))


def test_vosviewer_items_are_numbered_in_node_id_order() -> None:
    document = _vosviewer(citation())
    items = document["network"]["items"]
    order = sorted(node for node, _ in PAPERS)
    assert [item["id"] for item in items] == [1, 2, 3]
    labels = dict(PAPERS)
    assert [item["label"] for item in items] == [labels[node]["label"] for node in order]
    by_label = {item["label"]: item for item in items}
    alpha = by_label["Alpha 2019"]
    assert alpha["cluster"] == 1  # community 0 + 1
    assert by_label["Beta 2015"]["cluster"] == 2
    assert alpha["url"] == "https://doi.org/10.1000/alpha"
    assert by_label["Beta 2015"]["url"] == "https://pubmed.ncbi.nlm.nih.gov/26488904/"
    assert "url" not in by_label["26488904"]
    assert alpha["weights"] == {"Citations": 2, "Global citations": 40, "References": 1}
    assert by_label["Beta 2015"]["weights"]["Global citations"] == 0  # every item, every weight
    assert alpha["scores"] == {"Pub. year": 2019, "PageRank": 0.5, "Betweenness": 0.25}
    assert "doi:10.1000/alpha" in alpha["description"]  # the kg id, in a harmless place
    assert "Journal:</td><td>J Test<" in alpha["description"]
    assert "Journal:" not in by_label["Beta 2015"]["description"]
    assert document["config"]["terminology"] == {
        "item": "paper",
        "items": "papers",
        "link": "citation link",
        "links": "citation links",
        "link_strength": "citations",
        "total_link_strength": "total citations",
    }


def test_vosviewer_descriptions_leave_out_empty_values() -> None:
    net = nx.Graph()
    net.add_node("work:1", kind="paper", label="a", title="T", authors=(), journal="")
    (item,) = _vosviewer(net)["network"]["items"]
    assert item["description"] == (
        "<table><tr><td>Title:</td><td>T</td></tr><tr><td>Id:</td><td>work:1</td></tr></table>"
    )


def test_vosviewer_links_are_undirected_with_parallel_and_reverse_edges_summed() -> None:
    net = nx.MultiDiGraph(projection="full")
    for node in ("work:a", "work:b", "work:c"):
        net.add_node(node, kind="paper", label=node)
    net.add_edge("work:a", "work:b", key="cites", relation="cites", weight=1)
    net.add_edge("work:a", "work:b", key="similar", relation="similar", weight=2)
    net.add_edge("work:b", "work:a", key="cites", relation="cites")  # weight 1 by default
    net.add_edge("work:c", "work:b", key="cites", relation="cites", weight=0.5)
    net.add_edge("work:c", "work:c", key="cites", relation="cites", weight=9)  # dropped
    document = _vosviewer(net)
    assert document["network"]["links"] == [
        {"source_id": 1, "target_id": 2, "strength": 4},
        {"source_id": 2, "target_id": 3, "strength": 0.5},
    ]
    assert document["config"]["terminology"]["item"] == "item"


def test_vosviewer_escapes_every_text_in_the_html_description() -> None:
    items = _vosviewer(full())["network"]["items"]
    beta = next(item for item in items if item["label"] == "Beta 2015")
    assert "<img" not in beta["description"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in beta["description"]
    alpha = next(item for item in items if item["label"] == "Alpha 2019")
    assert "<b>" not in alpha["description"] and "&lt;b&gt;bold&lt;/b&gt;" in alpha["description"]
    assert "&amp;" in alpha["description"] and "&quot;plain&quot;" in alpha["description"]
    for item in items:  # only kg's own tags remain
        tags = {part.split(">")[0].strip("/") for part in item["description"].split("<")[1:]}
        assert tags <= {"table", "tr", "td"}
    person = next(item for item in items if item["label"] == "Carberry J")
    assert person["url"] == "https://orcid.org/0000-0002-1825-0097"


def test_vosviewer_urls_cannot_leave_their_site() -> None:
    net = nx.Graph()
    net.add_node('doi:10.1/"><script>', kind="paper", label="x")
    net.add_node("work:2", kind="paper", label="y", doi="javascript:alert(1)")
    urls = [item["url"] for item in _vosviewer(net)["network"]["items"]]
    assert urls == [
        "https://doi.org/10.1/%22%3E%3Cscript%3E",
        "https://doi.org/javascript:alert(1)",
    ]


def test_vosviewer_clusters_stay_within_1_to_1000() -> None:
    net = nx.Graph()
    net.add_node("work:1", kind="paper", label="a", community=0)
    net.add_node("work:2", kind="paper", label="b", community=4000)
    clusters = [item["cluster"] for item in _vosviewer(net)["network"]["items"]]
    assert clusters == [1, 1000]


# --- CSV ------------------------------------------------------------------------------------


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _record(rows: list[list[str]], first: str) -> dict[str, str]:
    """The row whose first cell is ``first``, by column name."""
    (row,) = (row for row in rows[1:] if row[0] == first)
    return dict(zip(rows[0], row, strict=True))


def test_csv_gives_a_nodes_and_an_edges_table_in_a_fixed_column_order() -> None:
    parts = serialize_network(full(), "csv")
    assert list(parts) == [".nodes.csv", ".edges.csv"]
    nodes, edges = _rows(parts[".nodes.csv"]), _rows(parts[".edges.csv"])
    assert nodes[0] == [
        "id",
        "kind",
        "label",
        "title",
        "year",
        "authors",
        "journal",
        "doi",
        "pmid",
        "type",
        "cited_by",
        "references",
        "global_citations",
        "orcid",
        "papers",
        "section",
        "confidence",
        "cited",
        "pagerank",
        "betweenness",
        "community",
        "component",
        "iri",
        "open_access",  # the unknown ones last, sorted
    ]
    assert edges[0] == ["source", "target", "relation", "weight", "rank"]
    assert [row[0] for row in nodes[1:]] == sorted(net_id for net_id in full().nodes)
    alpha = _record(nodes, "doi:10.1000/alpha")
    assert alpha["title"] == UNICODE_TITLE  # a normal title is unchanged
    assert alpha["authors"] == "Alpha A; Beta B; Gamma C"
    assert alpha["year"] == "2019" and alpha["pagerank"] == "0.5"
    beta = _record(nodes, "pmid:26488904")
    assert beta["open_access"] == "true" and beta["journal"] == ""
    assert len(edges) == 1 + full().number_of_edges()
    assert ["doi:10.1000/alpha", "pmid:26488904", "similar", "1", "1"] in edges
    assert parts[".nodes.csv"].endswith(b"\r\n") and b"\r\n" in parts[".edges.csv"]


def test_csv_edges_of_an_undirected_graph_start_at_the_smaller_id() -> None:
    edges = _rows(serialize_network(coauthorship(reverse=True), "csv")[".edges.csv"])
    assert edges[1:] == [
        ["person:a", "person:b", "coauthor", "2"],
        ["person:b", "person:c", "coauthor", "1.5"],
    ]


def test_csv_cells_never_start_a_formula() -> None:
    net = nx.MultiDiGraph()
    for i, text in enumerate(HOSTILE):
        net.add_node(
            text,  # as an id too
            kind="paper",
            label=text,
            title=f"{text} title",
            authors=(text, "Plain P"),
            note=text,
        )
        net.add_edge(text, HOSTILE[i - 1], key=text, relation=text, weight=1)
    net.add_node("work:plain", kind="paper", label="Plain", title="A normal title = fine")
    net.graph[HOSTILE[0]] = "graph attributes are not written"
    parts = serialize_network(net, "csv")
    cells = [cell for data in parts.values() for row in _rows(data) for cell in row]
    assert cells and not [cell for cell in cells if cell.startswith(FORMULA_START)]
    nodes = _rows(parts[".nodes.csv"])
    for text in HOSTILE:
        row = _record(nodes, "'" + text)
        assert row["label"] == "'" + text  # the rest of the text intact
        assert row["title"] == "'" + text + " title"
        assert row["authors"] == "'" + text + "; Plain P"
        assert row["note"] == "'" + text
    plain = _record(nodes, "work:plain")
    assert (plain["label"], plain["title"]) == ("Plain", "A normal title = fine")
    edges = _rows(parts[".edges.csv"])
    assert {row[2] for row in edges[1:]} == {"'" + text for text in HOSTILE}


# --- Writing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["citation.csv", "citation", "citation.nodes.csv"])
def test_export_csv_writes_two_files_beside_the_output(tmp_path: Path, name: str) -> None:
    written = export_network(citation(), "csv", tmp_path / "out" / name)
    assert written == (tmp_path / "out/citation.nodes.csv", tmp_path / "out/citation.edges.csv")
    parts = serialize_network(citation(), "csv")
    assert [path.read_bytes() for path in written] == list(parts.values())
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "citation.edges.csv",
        "citation.nodes.csv",
    ]


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "cytoscape", "vosviewer"])
def test_export_replaces_the_old_file_atomically(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"net{NETWORK_FORMATS[fmt].extension}"
    target.write_bytes(b"old content")
    assert export_network(full(), fmt, target) == (target,)
    assert target.read_bytes() == _only(serialize_network(full(), fmt))
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left


def test_an_unknown_format_is_a_kg_error_and_writes_nothing(tmp_path: Path) -> None:
    assert issubclass(FormatError, KgError)
    with pytest.raises(FormatError, match=r"unknown network format 'dot'.*graphml"):
        serialize_network(citation(), "dot")
    with pytest.raises(FormatError):
        export_network(citation(), "dot", tmp_path / "out.dot")
    assert list(tmp_path.iterdir()) == []


def test_a_network_that_cannot_be_written_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(OutputError, match=r"^cannot write .*/file/net\.gexf: "):
        export_network(citation(), "gexf", tmp_path / "file" / "net.gexf")
    assert [p.name for p in tmp_path.iterdir()] == ["file"]
