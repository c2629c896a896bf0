"""Render a knowledge graph as one self-contained, offline, interactive HTML page.

The page is generated through pyvis: :class:`pyvis.network.Network` builds the node and edge
option dicts and carries the vis-network options; its ``generate_html`` renders kg's own Jinja2
template (``kg/templates/map.html``, loaded with :mod:`importlib.resources`) and returns a string,
so nothing is written to disk (``write_html`` / ``save_graph``, which copy a ``lib/`` folder, are
never called). vis-network itself is read from the installed pyvis package and inlined.

Every piece of data goes into the page as JSON inside a ``<script>`` with ``<``, ``>``, ``&``,
U+2028 and U+2029 escaped, and the page's JavaScript builds all visible text with DOM text nodes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Iterable, Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import jinja2
import networkx as nx
from markupsafe import Markup
from pyvis.edge import Edge
from pyvis.network import Network

__all__ = ["render"]

_TEMPLATE = "map.html"
_VIS_JS = ("lib", "vis-9.1.2", "vis-network.min.js")
_RANDOM_SEED = 20240229

KIND_COLORS: dict[str, str] = {
    "paper": "#4e79a7",
    "person": "#f28e2b",
    "journal": "#59a14f",
    "statement": "#e15759",
}
_OTHER_KIND_COLORS = ("#b07aa1", "#9c755f", "#edc948", "#76b7b2", "#ff9da7", "#bab0ac")
_FALLBACK_KIND_COLOR = "#8c8c8c"

# relation -> (colour, dashes, directed when the graph is directed)
RELATION_STYLES: dict[str, tuple[str, bool | list[int], bool]] = {
    "cites": ("#7f8c9a", False, True),
    "similar": ("#3aa6a0", [6, 6], False),
    "discusses": ("#b07aa1", [2, 4], True),
    "authored": ("#f28e2b", False, True),
    "wrote": ("#f28e2b", False, True),
    "published_in": ("#59a14f", [10, 4], True),
    "supports": ("#2e9e44", False, True),
    "contradicts": ("#d62728", [8, 3, 2, 3], True),
    "mentions": ("#9c755f", [2, 6], True),
}
_OTHER_RELATION_COLORS = ("#8e6c8a", "#bcbd22", "#17becf", "#e377c2", "#7f7f7f", "#a05d56")
_OTHER_RELATION_DASHES: tuple[bool | list[int], ...] = (False, [5, 5], [1, 4], [12, 4, 2, 4])
_SYMMETRIC = frozenset({"similar", "related", "same_as", "coauthor", "co_cited", "coupled"})

_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_TABLE = str.maketrans(_SCRIPT_ESCAPES)


def script_json(value: Any) -> Markup:
    """JSON for a ``<script>`` element: no source text can close the script or become markup."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.translate(_SCRIPT_TABLE))


def script_safe(text: str) -> Markup:
    """Escape an already-encoded JSON string for a ``<script>`` element."""
    return Markup(str(text).translate(_SCRIPT_TABLE))


def _resource_text(package: str, *parts: str) -> str:
    path = files(package)
    for part in parts:
        path = path.joinpath(part)
    return path.read_text(encoding="utf-8")


@cache
def _vis_js() -> str:
    source = _resource_text("pyvis", *_VIS_JS)
    # An inline script must not hold its own end tag or an HTML comment opener; vis-network
    # 9.1.2 holds neither (a blanket "</" rewrite would break its ``a</b`` comparisons).
    lowered = source.lower()
    if "</script" in lowered or "<!--" in lowered:
        raise RuntimeError("vis-network.min.js cannot be inlined safely")
    return source


@cache
def _template_source() -> str:
    return _resource_text(__package__ or "kg", "templates", _TEMPLATE)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    env.filters["script_json"] = script_json
    env.filters["script_safe"] = script_safe
    return env


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _authors(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        return []
    return [text for text in (_text(author) for author in value) if text]


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _kind_colors(kinds: Iterable[str]) -> dict[str, str]:
    colors: dict[str, str] = {}
    others = iter(_OTHER_KIND_COLORS)
    for kind in sorted(set(kinds)):
        colors[kind] = KIND_COLORS.get(kind) or next(others, _FALLBACK_KIND_COLOR)
    return colors


def _relation_styles(relations: Iterable[str], directed: bool) -> dict[str, dict[str, Any]]:
    styles: dict[str, dict[str, Any]] = {}
    index = 0
    for relation in sorted(set(relations)):
        if relation in RELATION_STYLES:
            color, dashes, arrow = RELATION_STYLES[relation]
        else:
            color = _OTHER_RELATION_COLORS[index % len(_OTHER_RELATION_COLORS)]
            dashes = _OTHER_RELATION_DASHES[index // len(_OTHER_RELATION_COLORS) % 4]
            arrow = relation.lower() not in _SYMMETRIC
            index += 1
        styles[relation] = {"color": color, "dashes": dashes, "arrow": bool(directed and arrow)}
    return styles


def _node_size(cited_by: int | None) -> float:
    return round(10 + 5 * math.sqrt(max(cited_by or 0, 0)), 2)


def _node_record(node_id: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The kg data of one node, as the page's JavaScript reads it."""
    kind = _text(attrs.get("kind")) or "other"
    full_title = _text(attrs.get("title"))
    label = _text(attrs.get("label")) or full_title or node_id
    record: dict[str, Any] = {
        "kind": kind,
        "label": _short(label),
        "fullTitle": full_title or label,
        "authors": _authors(attrs.get("authors")),
    }
    for key in ("journal", "doi", "pmid"):
        text = _text(attrs.get(key))
        if text is not None:
            record[key] = text
    year = _int(attrs.get("year"))
    if year is not None:
        record["year"] = year
    cited_by = _int(attrs.get("cited_by"))
    if cited_by is not None:
        record["citedBy"] = cited_by
    return record


def _sorted_edges(graph: nx.Graph) -> list[tuple[str, str, str]]:
    """(from, to, relation) for every edge, in a canonical order independent of insertion."""
    rows: list[tuple[str, str, str, str]] = []
    if graph.is_multigraph():
        items: Iterable[tuple[Hashable, Hashable, Hashable, Mapping[str, Any]]] = graph.edges(
            keys=True, data=True
        )
    else:
        items = ((u, v, "", d) for u, v, d in graph.edges(data=True))
    for u, v, key, data in items:
        source, target = str(u), str(v)
        if not graph.is_directed() and target < source:
            source, target = target, source
        relation = _text(data.get("relation")) or "related"
        rows.append((source, target, relation, str(key)))
    rows.sort()
    return [(source, target, relation) for source, target, relation, _ in rows]


def _vis_options() -> dict[str, Any]:
    return {
        "autoResize": True,
        "layout": {"randomSeed": _RANDOM_SEED, "improvedLayout": True},
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "borderWidthSelected": 3,
            "font": {
                "size": 13,
                "face": "system-ui, sans-serif",
                "color": "#222222",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
        },
        "edges": {
            "width": 1.2,
            "selectionWidth": 2,
            "smooth": {"enabled": True, "type": "continuous", "roundness": 0.3},
            "arrows": {"to": {"enabled": False, "scaleFactor": 0.6}},
        },
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -60,
                "centralGravity": 0.01,
                "springLength": 110,
                "springConstant": 0.08,
                "avoidOverlap": 0.4,
            },
            "stabilization": {"enabled": True, "iterations": 400, "updateInterval": 50},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": False,
            "navigationButtons": False,
            "keyboard": False,
            "multiselect": False,
        },
    }


def _network(graph: nx.Graph, title: str) -> tuple[Network, dict[str, Any]]:
    """A pyvis network holding the graph's nodes and edges, and the page's legend data."""
    net = Network(
        height="100%",
        width="100%",
        directed=True,  # arrows are set per edge; this also avoids pyvis's O(E^2) dedup scan
        heading=title,
        cdn_resources="in_line",
    )
    records = {str(node): _node_record(str(node), attrs) for node, attrs in graph.nodes(data=True)}
    kind_colors = _kind_colors(record["kind"] for record in records.values())
    for node_id in sorted(records):
        record = records[node_id]
        color = kind_colors[record["kind"]]
        net.add_node(
            node_id,  # kept as the given string: never Network.add_nodes, which int()s ids
            label=record["label"],
            shape="dot",
            color={
                "background": color,
                "border": "#333333",
                "highlight": {"background": color, "border": "#000000"},
                "hover": {"background": color, "border": "#000000"},
            },
            size=_node_size(record.get("citedBy")),
            kg=record,
        )
    edges = _sorted_edges(graph)
    styles = _relation_styles((relation for _, _, relation in edges), graph.is_directed())
    known = set(net.node_ids)
    for index, (source, target, relation) in enumerate(edges):
        if source not in known or target not in known:
            continue
        style = styles[relation]
        edge = Edge(
            source,
            target,
            directed=True,
            id=f"e{index}",
            relation=relation,
            color={"color": style["color"], "highlight": "#000000", "hover": "#333333"},
            dashes=style["dashes"],
            arrows={"to": {"enabled": style["arrow"]}},
        )
        # what Network.add_edge appends, without its linear node lookup for every edge
        net.edges.append(edge.options)
    net.options = _vis_options()
    legend = {"kinds": kind_colors, "relations": styles}
    return net, legend


def render(graph: nx.Graph | nx.DiGraph | nx.MultiDiGraph, *, title: str = "kg map") -> str:
    """One self-contained HTML page showing ``graph`` as an interactive map; nothing is written.

    The page needs no network access: vis-network is inlined, there is no ``<script src>`` and
    no ``<link>``. The same graph always gives the same bytes.
    """
    net, legend = _network(graph, title)
    env = _environment()
    net.template = env.from_string(
        _template_source(),
        globals={"vis_js": Markup(_vis_js()), "legend": legend, "page_title": title},
    )
    # notebook=True makes pyvis render ``net.template`` instead of loading its own template
    # from its package folder; generate_html only renders and returns the string.
    return net.generate_html(name="map.html", notebook=True)
