"""Network exports: a projection (``kg.network``) as GraphML, GEXF, Cytoscape.js JSON, VOSviewer
JSON or two CSV tables, for Gephi, Cytoscape, yEd, VOSviewer and spreadsheets.

Rules every format follows:

- Deterministic: nodes sorted by id, edges by (source, target, key, attributes), attributes by
  name; an undirected edge is written from its smaller end. The same graph gives the same bytes
  whatever order its nodes and edges were added in. Multigraph keys should mean something (the
  projections use the relation): auto-numbered keys follow insertion order.
- Node ids stay strings, numeric-looking ones too (``"26488904"``, ``pmid:123``).
- Attributes: every scalar is kept (str, int, float, bool), absent values (None, NaN) are left
  out, tuples (``authors``) become JSON arrays in the JSON formats and are joined with ``"; "``
  in GraphML, GEXF and CSV. Other values are written as their text.
- GraphML and GEXF: one type per attribute (ints and floats mixed become floats, anything else
  mixed becomes text); characters XML 1.0 cannot hold are dropped; an attribute named like a
  field the format itself uses (GEXF ``id``, ``start``…, Cytoscape ``id``/``name``…) is written
  as ``attr_<name>``.
- CSV: ``<stem>.nodes.csv`` and ``<stem>.edges.csv``, UTF-8 without BOM, RFC 4180 (``\\r\\n``
  line ends, minimal quoting). Any cell starting with ``=``, ``+``, ``-``, ``@``, TAB or CR
  gets a leading ``'`` so that a spreadsheet does not run it as a formula (OWASP CSV injection).
- VOSviewer: an undirected network of items numbered 1..n in node-id order; parallel and
  reverse edges are merged (weights summed), self-loops dropped; the description is HTML with
  every source text escaped.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from xml.etree.ElementTree import SubElement

if TYPE_CHECKING:
    import networkx as nx

from .errors import FormatError, OutputError
from .fsio import atomic_write

Scalar = str | int | float | bool
Value = Scalar | tuple[Scalar, ...]
Attrs = dict[str, Value]

LIST_SEPARATOR = "; "  # how GraphML, GEXF and CSV write a tuple (authors)
RENAMED_PREFIX = "attr_"  # an attribute named like one of the format's own fields


# ---------------------------------------------------------------------------------------------
# The canonical form every writer reads: sorted, normalized, independent of insertion order.


@dataclass(frozen=True)
class _Edge:
    source: str
    target: str
    key: str | int | None  # a multigraph's edge key, else None
    attrs: Attrs


@dataclass(frozen=True)
class _Net:
    directed: bool
    multigraph: bool
    graph: Attrs
    nodes: tuple[tuple[str, Attrs], ...]
    edges: tuple[_Edge, ...]

    @property
    def projection(self) -> str:
        kind = self.graph.get("projection")
        return kind if isinstance(kind, str) else ""


def _scalar(value: object) -> Scalar | None:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    return str(value)


def _value(value: object) -> Value | None:
    """An attribute value as kg writes it: a scalar, a tuple of scalars, or None (left out)."""
    if isinstance(value, (tuple, list)):
        items = (_scalar(item) for item in value)
        return tuple(item for item in items if item is not None)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(_text(item) for item in value if item is not None))
    return _scalar(value)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(_text(item) for item in value)
    return str(value)


def _attrs(data: Mapping[str, Any]) -> Attrs:
    values = {str(name): _value(value) for name, value in data.items()}
    return {name: values[name] for name in sorted(values) if values[name] is not None}


def _sort_key(attrs: Attrs) -> tuple[tuple[str, str], ...]:
    return tuple((name, _text(value)) for name, value in attrs.items())


def _key(key: object) -> str | int:
    return key if isinstance(key, (str, int)) and not isinstance(key, bool) else str(key)


def _canonical(net: nx.Graph) -> _Net:
    directed, multigraph = net.is_directed(), net.is_multigraph()
    nodes = tuple(
        sorted(((str(n), _attrs(data)) for n, data in net.nodes(data=True)), key=lambda x: x[0])
    )
    triples = (
        net.edges(keys=True, data=True)
        if multigraph
        else ((u, v, None, data) for u, v, data in net.edges(data=True))
    )
    edges = []
    for u, v, key, data in triples:
        source, target = str(u), str(v)
        if not directed and target < source:
            source, target = target, source
        edges.append(_Edge(source, target, None if key is None else _key(key), _attrs(data)))
    edges.sort(key=lambda e: (e.source, e.target, str(e.key), _sort_key(e.attrs)))
    return _Net(directed, multigraph, _attrs(net.graph), nodes, tuple(edges))


def _renamed(attrs: Attrs, reserved: frozenset[str]) -> Attrs:
    return {(RENAMED_PREFIX + k if k in reserved else k): v for k, v in attrs.items()}


def _label(node: str, attrs: Attrs) -> str:
    label = attrs.get("label")
    return _text(label) if label not in (None, "", ()) else node


# ---------------------------------------------------------------------------------------------
# GraphML and GEXF, through networkx's writers.

# Characters XML 1.0 cannot hold (most C0 controls, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Node and edge attribute names networkx's GEXF writer reads as GEXF fields, not attributes.
_GEXF_NODE_FIELDS = frozenset({"id", "pid", "start", "end", "parents", "slices", "spells", "viz"})
_GEXF_EDGE_FIELDS = frozenset({"id", "key", "type", "start", "end", "slices", "spells"})


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _xml_value(value: Value) -> Scalar:
    if isinstance(value, str | tuple):
        return _xml_text(_text(value))
    return value


def _one_type(rows: list[Attrs]) -> list[Attrs]:
    """The rows with one type per attribute (what GraphML and GEXF declare): ints among floats
    become floats, any other mix becomes text."""
    types: dict[str, set[type]] = {}
    for row in rows:
        for name, value in row.items():
            types.setdefault(name, set()).add(type(value))
    convert: dict[str, Callable[[Scalar], Scalar]] = {}
    for name, seen in types.items():
        if seen == {int, float}:
            convert[name] = float
        elif len(seen) > 1:
            convert[name] = lambda value: _xml_text(_text(value))
    return [{k: convert[k](v) if k in convert else v for k, v in row.items()} for row in rows]


def _xml_graph(c: _Net, node_fields: frozenset[str], edge_fields: frozenset[str]) -> nx.Graph:
    """A fresh networkx graph of the canonical form, holding only what XML writers accept."""
    import networkx as nx

    cls = {
        (False, False): nx.Graph,
        (True, False): nx.DiGraph,
        (False, True): nx.MultiGraph,
        (True, True): nx.MultiDiGraph,
    }[(c.directed, c.multigraph)]
    out = cls()
    out.graph.update({k: _xml_value(v) for k, v in c.graph.items()})
    node_rows = _one_type(
        [_renamed({k: _xml_value(v) for k, v in a.items()}, node_fields) for _, a in c.nodes]
    )
    for (node, _), row in zip(c.nodes, node_rows, strict=True):
        out.add_node(_xml_text(node), **row)
    edge_rows = _one_type(
        [_renamed({k: _xml_value(v) for k, v in e.attrs.items()}, edge_fields) for e in c.edges]
    )
    for edge, row in zip(c.edges, edge_rows, strict=True):
        ends = (_xml_text(edge.source), _xml_text(edge.target))
        if c.multigraph:
            key = _xml_text(edge.key) if isinstance(edge.key, str) else edge.key
            out.add_edge(*ends, key=key, **row)
        else:
            out.add_edge(*ends, **row)
    return out


def _graphml(c: _Net) -> dict[str, bytes]:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml_xml(_xml_graph(c, frozenset(), frozenset()), buffer)
    return {"": buffer.getvalue()}


# GEXF viz: node size from the first measure the graph has, colour by community, else by kind.
GEXF_SIZE_MEASURES = ("pagerank", "cited_by", "papers")
GEXF_MIN_SIZE, GEXF_SIZE_RANGE = 5.0, 25.0
GEXF_COMMUNITY_COLOURS = (  # Tableau 10
    (78, 121, 167),
    (242, 142, 43),
    (225, 87, 89),
    (118, 183, 178),
    (89, 161, 79),
    (237, 201, 72),
    (176, 122, 161),
    (255, 157, 167),
    (156, 117, 95),
    (186, 176, 172),
)
GEXF_KIND_COLOURS = {
    "paper": (78, 121, 167),
    "person": (242, 142, 43),
    "journal": (89, 161, 79),
    "statement": (176, 122, 161),
}
GEXF_OTHER_COLOUR = (160, 160, 160)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _viz(c: _Net) -> dict[str, dict[str, Any]]:
    """Gephi's viz data (size, colour) of each node."""
    measure = next((m for m in GEXF_SIZE_MEASURES if any(m in a for _, a in c.nodes)), None)
    values = {n: _number(a.get(measure)) for n, a in c.nodes} if measure else {}
    largest = max((v for v in values.values() if v is not None), default=0.0)
    by_community = any(_number(a.get("community")) is not None for _, a in c.nodes)
    viz = {}
    for node, attrs in c.nodes:
        value = values.get(node)
        size = GEXF_MIN_SIZE
        if value is not None and largest > 0:
            size += round(GEXF_SIZE_RANGE * max(value, 0.0) / largest, 3)
        community = attrs.get("community")
        if by_community:
            colour = (
                GEXF_COMMUNITY_COLOURS[community % len(GEXF_COMMUNITY_COLOURS)]
                if isinstance(community, int) and not isinstance(community, bool)
                else GEXF_OTHER_COLOUR
            )
        else:
            colour = GEXF_KIND_COLOURS.get(_text(attrs.get("kind", "")), GEXF_OTHER_COLOUR)
        r, g, b = colour
        viz[_xml_text(node)] = {"size": size, "color": {"r": r, "g": g, "b": b, "a": 1.0}}
    return viz


def _gexf(c: _Net) -> dict[str, bytes]:
    import networkx as nx

    graph = _xml_graph(c, _GEXF_NODE_FIELDS, _GEXF_EDGE_FIELDS)
    nx.set_node_attributes(graph, _viz(c), "viz")
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", version="1.2draft")
    meta = writer.xml.find("meta")
    if meta is not None:  # no date, no library version: the same graph gives the same bytes
        meta.attrib.pop("lastmodifieddate", None)
        for child in list(meta):
            meta.remove(child)
        SubElement(meta, "creator").text = "kg"
        if c.projection:
            SubElement(meta, "description").text = _xml_text(f"kg {c.projection} network")
    writer.add_graph(graph)
    buffer = io.BytesIO()
    writer.write(buffer)
    return {"": buffer.getvalue()}


# ---------------------------------------------------------------------------------------------
# Cytoscape.js JSON (the ``elements`` format, read by Cytoscape and nx.cytoscape_graph).

_CYTOSCAPE_NODE_FIELDS = frozenset({"id", "value", "name"})
_CYTOSCAPE_EDGE_FIELDS = frozenset({"id", "source", "target", "key"})


def _json_value(value: Value) -> Scalar | list[Scalar]:
    return list(value) if isinstance(value, tuple) else value


def _json(data: object) -> bytes:
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8", "replace")


def _cytoscape(c: _Net) -> dict[str, bytes]:
    nodes = []
    for node, attrs in c.nodes:
        data: dict[str, Any] = {"id": node, "value": node, "name": _label(node, attrs)}
        renamed = _renamed(attrs, _CYTOSCAPE_NODE_FIELDS)
        data.update({k: _json_value(v) for k, v in renamed.items()})
        nodes.append({"data": data})
    edges = []
    for edge in c.edges:
        data = {"source": edge.source, "target": edge.target}
        if c.multigraph:
            data["key"] = edge.key
        renamed = _renamed(edge.attrs, _CYTOSCAPE_EDGE_FIELDS)
        data.update({k: _json_value(v) for k, v in renamed.items()})
        edges.append({"data": data})
    document = {
        "data": {k: _json_value(v) for k, v in c.graph.items()},
        "directed": c.directed,
        "multigraph": c.multigraph,
        "elements": {"nodes": nodes, "edges": edges},
    }
    return {"": _json(document)}


# ---------------------------------------------------------------------------------------------
# VOSviewer JSON (https://app.vosviewer.com/docs/file-types/json-file-type/).

# projection -> item, items, link, links, link strength, total link strength
VOSVIEWER_TERMINOLOGY: dict[str, tuple[str, str, str, str, str, str]] = {
    "citation": (
        "paper",
        "papers",
        "citation link",
        "citation links",
        "citations",
        "total citations",
    ),
    "similarity": (
        "paper",
        "papers",
        "similarity link",
        "similarity links",
        "similarity",
        "total similarity",
    ),
    "cocitation": (
        "paper",
        "papers",
        "co-citation link",
        "co-citation links",
        "co-citations",
        "total co-citations",
    ),
    "coupling": (
        "paper",
        "papers",
        "bibliographic coupling link",
        "bibliographic coupling links",
        "shared references",
        "total shared references",
    ),
    "coauthorship": (
        "author",
        "authors",
        "co-authorship link",
        "co-authorship links",
        "joint papers",
        "total joint papers",
    ),
    "authorship": (
        "item",
        "items",
        "authorship link",
        "authorship links",
        "authorships",
        "total authorships",
    ),
    "journals": (
        "journal",
        "journals",
        "citation link",
        "citation links",
        "citations",
        "total citations",
    ),
}
VOSVIEWER_DEFAULT_TERMINOLOGY = (
    "item",
    "items",
    "link",
    "links",
    "link strength",
    "total link strength",
)
_TERMINOLOGY_KEYS = ("item", "items", "link", "links", "link_strength", "total_link_strength")

# VOSviewer name -> node attribute. Weights size the items (every item gets each weight the
# graph has, 0 where a node has none); scores colour them in the overlay view (VOSviewer reads
# a missing one as empty).
VOSVIEWER_WEIGHTS = (
    ("Citations", "cited_by"),
    ("Global citations", "global_citations"),
    ("References", "references"),
    ("Papers", "papers"),
)
VOSVIEWER_SCORES = (
    ("Pub. year", "year"),
    ("PageRank", "pagerank"),
    ("Betweenness", "betweenness"),
    ("Confidence", "confidence"),
)
# An item's url: the first identifier it has (attribute, else the node id's own prefix).
VOSVIEWER_URLS = (
    ("doi", "https://doi.org/{}"),
    ("pmid", "https://pubmed.ncbi.nlm.nih.gov/{}/"),
    ("pmcid", "https://www.ncbi.nlm.nih.gov/pmc/articles/{}/"),
    ("orcid", "https://orcid.org/{}"),
)
# The rows of an item's description (an HTML table, every value escaped), then the kg id.
VOSVIEWER_DESCRIPTION = (
    ("Title", "title"),
    ("Authors", "authors"),
    ("Journal", "journal"),
    ("Year", "year"),
    ("Type", "type"),
)
VOSVIEWER_MAX_CLUSTER = 1000  # VOSviewer's clusters are 1..1000: smaller communities share 1000


def _identifier(node: str, attrs: Attrs, scheme: str) -> str | None:
    value = attrs.get(scheme)
    if isinstance(value, str) and value:
        return value
    prefix = scheme + ":"
    return node[len(prefix) :] if node.startswith(prefix) and len(node) > len(prefix) else None


def _url(node: str, attrs: Attrs) -> str | None:
    for scheme, template in VOSVIEWER_URLS:
        identifier = _identifier(node, attrs, scheme)
        if identifier is not None:
            return template.format(quote(identifier, safe="/:;()"))
    return None


def _description(node: str, attrs: Attrs) -> str:
    rows = [
        (name, attrs[attr]) for name, attr in VOSVIEWER_DESCRIPTION if _text(attrs.get(attr, ""))
    ]
    rows.append(("Id", node))
    cells = "".join(
        f"<tr><td>{name}:</td><td>{html.escape(_text(value), quote=True)}</td></tr>"
        for name, value in rows
    )
    return f"<table>{cells}</table>"


def _vosviewer(c: _Net) -> dict[str, bytes]:
    ids = {node: number for number, (node, _) in enumerate(c.nodes, start=1)}
    used = [
        name
        for name, attr in VOSVIEWER_WEIGHTS
        if any(_number(a.get(attr)) is not None for _, a in c.nodes)
    ]
    items = []
    for node, attrs in c.nodes:
        item: dict[str, Any] = {
            "id": ids[node],
            "label": _label(node, attrs),
            "description": _description(node, attrs),
        }
        url = _url(node, attrs)
        if url is not None:
            item["url"] = url
        community = attrs.get("community")
        if isinstance(community, int) and not isinstance(community, bool) and community >= 0:
            item["cluster"] = min(community + 1, VOSVIEWER_MAX_CLUSTER)
        weights = {n: _number(attrs.get(a)) or 0.0 for n, a in VOSVIEWER_WEIGHTS if n in used}
        if weights:
            item["weights"] = {name: _plain(max(v, 0.0)) for name, v in weights.items()}
        scores = {name: _number(attrs.get(attr)) for name, attr in VOSVIEWER_SCORES}
        if any(value is not None for value in scores.values()):
            item["scores"] = {name: _plain(v) for name, v in scores.items() if v is not None}
        items.append(item)
    strengths: dict[tuple[int, int], float] = {}
    for edge in c.edges:
        a, b = ids[edge.source], ids[edge.target]
        if a == b:
            continue
        weight = _number(edge.attrs.get("weight", 1))
        pair = (min(a, b), max(a, b))
        strengths[pair] = strengths.get(pair, 0) + (1.0 if weight is None else weight)
    links = [
        {"source_id": a, "target_id": b, "strength": _plain(strength)}
        for (a, b), strength in sorted(strengths.items())
    ]
    words = VOSVIEWER_TERMINOLOGY.get(c.projection, VOSVIEWER_DEFAULT_TERMINOLOGY)
    document = {
        "config": {"terminology": dict(zip(_TERMINOLOGY_KEYS, words, strict=True))},
        "network": {"items": items, "links": links},
    }
    return {"": _json(document)}


def _plain(number: float) -> int | float:
    """A whole number as an int (``3`` rather than ``3.0``)."""
    return int(number) if number.is_integer() else number


# ---------------------------------------------------------------------------------------------
# CSV: a nodes table and an edges table (Gephi's spreadsheet import, spreadsheets, pandas).

# The columns of the known attributes, in this order, when the graph has them; then any other
# attribute, sorted by name.
CSV_NODE_COLUMNS = (
    "id",
    "kind",
    "label",
    "title",
    "year",
    "authors",
    "journal",
    "doi",
    "pmid",
    "pmcid",
    "type",
    "cited_by",
    "references",
    "global_citations",
    "orcid",
    "issn",
    "papers",
    "section",
    "confidence",
    "cited",
    "bipartite",
    "pagerank",
    "betweenness",
    "community",
    "component",
    "iri",
)
CSV_ALWAYS_NODE_COLUMNS = 3  # id, kind, label
CSV_EDGE_COLUMNS = ("source", "target", "relation", "weight", "rank")
CSV_ALWAYS_EDGE_COLUMNS = 4  # source, target, relation, weight (1 when absent)
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_LINE_END = "\r\n"


def _cell(value: object) -> str:
    text = "" if value is None else _text(value)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


def _columns(known: tuple[str, ...], always: int, rows: list[Attrs]) -> list[str]:
    present = {name for row in rows for name in row}
    return [
        *(name for i, name in enumerate(known) if i < always or name in present),
        *sorted(present - set(known)),
    ]


def _table(header: list[str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=CSV_LINE_END)
    writer.writerow([_cell(name) for name in header])
    writer.writerows([_cell(row.get(name)) for name in header] for row in rows)
    return buffer.getvalue().encode("utf-8", "replace")


def _csv(c: _Net) -> dict[str, bytes]:
    node_rows = [{**attrs, "id": node} for node, attrs in c.nodes]
    for row, (node, attrs) in zip(node_rows, c.nodes, strict=True):
        row["label"] = _label(node, attrs)
    edge_rows = [
        {**e.attrs, "source": e.source, "target": e.target, "weight": e.attrs.get("weight", 1)}
        for e in c.edges
    ]
    node_header = _columns(CSV_NODE_COLUMNS, CSV_ALWAYS_NODE_COLUMNS, node_rows)
    edge_header = _columns(CSV_EDGE_COLUMNS, CSV_ALWAYS_EDGE_COLUMNS, edge_rows)
    return {
        ".nodes.csv": _table(node_header, node_rows),
        ".edges.csv": _table(edge_header, edge_rows),
    }


# ---------------------------------------------------------------------------------------------
# The table of formats, and the two entry points.


@dataclass(frozen=True)
class NetworkFormat:
    extension: str  # the usual ending of the output's name
    description: str
    write: Callable[[_Net], dict[str, bytes]]  # output-name suffix ("" = the name as given)


NETWORK_FORMATS: dict[str, NetworkFormat] = {
    "graphml": NetworkFormat(".graphml", "GraphML (Gephi, Cytoscape, yEd)", _graphml),
    "gexf": NetworkFormat(".gexf", "GEXF 1.2 with sizes and colours (Gephi)", _gexf),
    "cytoscape": NetworkFormat(".cyjs", "Cytoscape.js JSON (Cytoscape, Cytoscape.js)", _cytoscape),
    "vosviewer": NetworkFormat(
        ".json", "VOSviewer JSON map (VOSviewer, VOSviewer Online)", _vosviewer
    ),
    "csv": NetworkFormat(".csv", "two CSV tables, <name>.nodes.csv and <name>.edges.csv", _csv),
}


def _format(fmt: str) -> NetworkFormat:
    try:
        return NETWORK_FORMATS[fmt]
    except KeyError:
        known = ", ".join(NETWORK_FORMATS)
        raise FormatError(f"unknown network format {fmt!r}: choose one of {known}") from None


def serialize_network(net: nx.Graph, fmt: str) -> dict[str, bytes]:
    """The projection ``net`` as ``fmt``: output-name suffix -> bytes. The single-file formats
    give one entry, ``""`` (the output name as given); csv gives ``".nodes.csv"`` and
    ``".edges.csv"``."""
    return _format(fmt).write(_canonical(net))


def _stem(output: Path) -> str:
    """``citation`` of ``citation.csv``, ``citation.nodes.csv`` or ``citation``."""
    name = output.name
    for ending in (".csv", ".nodes", ".edges"):
        name = name.removesuffix(ending) or name
    return name


def export_network(net: nx.Graph, fmt: str, output: Path) -> tuple[Path, ...]:
    """Write ``net`` as ``fmt`` (each file replaced atomically) and return the paths written:
    ``output`` itself, or for csv ``<stem>.nodes.csv`` and ``<stem>.edges.csv`` beside it
    (``out/citation.csv`` and ``out/citation`` both give ``out/citation.nodes.csv`` …)."""
    parts = serialize_network(net, fmt)  # all of it first: a failure writes nothing
    paths = []
    for suffix, data in parts.items():
        path = output if suffix == "" else output.with_name(_stem(output) + suffix)
        try:
            atomic_write(path, data)
        except OSError as error:
            raise OutputError.writing(path, error) from None
        paths.append(path)
    return tuple(paths)
