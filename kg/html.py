"""Render a knowledge graph as one self-contained, offline, interactive HTML page.

The page is generated through pyvis: :class:`pyvis.network.Network` holds the node and edge
option dicts and the vis-network options; its ``generate_html`` renders kg's own Jinja2 template
(``kg/templates/map.html``, loaded with :mod:`importlib.resources`) and returns a string, so
nothing is written to disk (``write_html`` / ``save_graph``, which copy a ``lib/`` folder, are
never called). vis-network itself is read from the installed pyvis package and inlined.

Every piece of data goes into the page as JSON inside a ``<script>`` with ``<``, ``>``, ``&``,
U+2028 and U+2029 escaped, and the page's JavaScript builds all visible text with DOM text nodes.

Python decides what the page shows (which nodes fit the budget, colours and sizes for each mode,
edge styles, starting positions); the page lays the map out once, then filters and switches
views. Large graphs stay usable: vis-network's physics and its ``improvedLayout``, both slow on
thousands of nodes, are off; the page runs its own ForceAtlas2 (LinLog, Barnes-Hut, a bounded
number of cheap steps) from positions computed here (communities, or components, on a spiral
with their hubs in the middle), hands vis the result and never moves a node again.
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .clusters import name_communities

# jinja2, networkx and pyvis (which imports IPython) load when a map is made, not with the
# command line
if TYPE_CHECKING:
    import jinja2
    import networkx as nx
    from pyvis.network import Network

__all__ = ["COLORS", "LAYOUTS", "SIZES", "render"]

LAYOUTS = ("force", "timeline")
COLORS = ("kind", "community", "year")
SIZES = ("cited", "pagerank")

_TEMPLATE = "map.html"
_VIS_JS = ("lib", "vis-9.1.2", "vis-network.min.js")
_RANDOM_SEED = 20240229
GREY = "#c3c8cf"

# kind -> (colour, vis shape, legend glyph)
KINDS: dict[str, tuple[str, str, str]] = {
    "paper": ("#4e79a7", "dot", "\u25cf"),
    "person": ("#f28e2b", "diamond", "\u25c6"),
    "journal": ("#59a14f", "square", "\u25a0"),
    "statement": ("#b07aa1", "triangle", "\u25b2"),
}
_OTHER_KIND_COLORS = ("#9c755f", "#edc948", "#76b7b2", "#ff9da7", "#bab0ac")
_OTHER_KIND = ("#8c8c8c", "dot", "\u25cf")


@dataclass(frozen=True)
class RelationStyle:
    color: str
    dashes: bool | tuple[int, ...] = False
    directional: bool = True  # an arrow, when the graph is directed
    weighted: bool = False  # width by weight


RELATIONS: dict[str, RelationStyle] = {
    "cites": RelationStyle("#8593a3"),
    "similar": RelationStyle("#3aa6a0", (6, 6)),
    "discusses": RelationStyle("#8e6bbf", (2, 4)),
    "corrects": RelationStyle("#bcbd22", (8, 4)),
    "retracts": RelationStyle("#1f1f1f", (8, 3, 2, 3)),
    "updates": RelationStyle("#17becf", (8, 4)),
    "authored": RelationStyle("#f28e2b"),
    "published_in": RelationStyle("#59a14f", (10, 4)),
    "supporting": RelationStyle("#2e9e44"),
    "mentioning": RelationStyle("#a3a3a3", (3, 3)),
    "contrasting": RelationStyle("#d62728"),
    "cocited": RelationStyle("#4e79a7", directional=False, weighted=True),
    "coupled": RelationStyle("#9c755f", directional=False, weighted=True),
    "coauthor": RelationStyle("#e8913a", directional=False, weighted=True),
}
STATEMENT_TYPES = ("supporting", "mentioning", "contrasting")
_OTHER_RELATION_COLORS = ("#8e6c8a", "#7f7f7f", "#e377c2", "#a05d56", "#6b9ac4", "#c49c94")
_OTHER_RELATION_DASHES: tuple[bool | tuple[int, ...], ...] = (False, (5, 5), (1, 4), (12, 4))
_SYMMETRIC = frozenset({"related", "same_as", "cocited", "coupled", "coauthor"})

# The first communities (0 = largest) get a colour each; the others share GREY.
COMMUNITY_COLORS = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#17becf",
    "#bcbd22",
    "#6a3d9a",
)
YEAR_STOPS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")  # viridis

_MIN_SIZE, _SIZE_RANGE = 8.0, 30.0
# the least number of citations within the map the largest size stands for: a paper cited
# once in a small map is not drawn as a hub
CITED_SCALE = 10
_SPACING = 45.0  # distance between neighbouring starting positions
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
_LARGE_NODES, _LARGE_EDGES = 1000, 3000
_ZOOM_ARROWS_EDGES = 500
_MIN_STEPS, _MAX_STEPS, _STEP_BUDGET = 150, 800, 5_000_000
_LINK_LENGTH = 90  # pixels: the median link of the finished layout

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
    import jinja2

    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    env.filters["script_json"] = script_json
    env.filters["script_safe"] = script_safe
    return env


# ---- reading attributes ----------------------------------------------------------------------


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
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


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


def _significant(number: float) -> float:
    return float(f"{number:.4g}")


_TEXT_FIELDS = {
    "journal": "journal",
    "doi": "doi",
    "pmid": "pmid",
    "pmcid": "pmcid",
    "type": "type",
    "orcid": "orcid",
    "issn": "issn",
    "section": "section",
    "cited": "cited",
}
_INT_FIELDS = {
    "year": "year",
    "cited_by": "citedBy",
    "references": "references",
    "global_citations": "globalCitations",
    "papers": "papers",
    "community": "community",
}
_FLOAT_FIELDS = {"pagerank": "pagerank", "confidence": "confidence"}


def _node_record(node_id: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The kg data of one node, as the page's JavaScript reads it (only known, typed fields)."""
    kind = _text(attrs.get("kind")) or "other"
    full_title = _text(attrs.get("title"))
    label = _text(attrs.get("label")) or full_title or node_id
    record: dict[str, Any] = {
        "kind": kind,
        "label": _short(label),
        "fullTitle": full_title or label,
        "authors": _authors(attrs.get("authors")),
    }
    for key, name in _TEXT_FIELDS.items():
        text = _text(attrs.get(key))
        if text is not None:
            record[name] = text
    for key, name in _INT_FIELDS.items():
        number = _int(attrs.get(key))
        if number is not None:
            record[name] = number
    for key, name in _FLOAT_FIELDS.items():
        real = _float(attrs.get(key))
        if real is not None:
            record[name] = real  # exact for ranking; rounded when written into the page
    if attrs.get("centre") is True:  # the paper a map is drawn around (kg.around)
        record["centre"] = True
    return record


# ---- which nodes fit ---------------------------------------------------------------------------


def _rank_key(node_id: str, record: Mapping[str, Any]) -> tuple[float, int, str]:
    """Best first: PageRank, then citations in this map, then id."""
    return (-record.get("pagerank", 0.0), -record.get("citedBy", 0), node_id)


@dataclass(frozen=True)
class Budget:
    kept: list[str]  # in rank order
    basis: str | None  # what the kept nodes were chosen by; None when every node fits


def _budget(
    records: Mapping[str, Mapping[str, Any]],
    neighbours: Mapping[str, set[str]],
    max_nodes: int,
) -> Budget:
    """The top papers, each followed by the other nodes attached to it, up to ``max_nodes``."""
    papers = [node for node, record in records.items() if record["kind"] == "paper"]
    primary = sorted(papers or records, key=lambda node: _rank_key(node, records[node]))
    if len(records) <= max_nodes:
        return Budget(kept=primary + sorted(set(records) - set(primary)), basis=None)
    kept: list[str] = []
    chosen: set[str] = set()
    primary_set = set(primary)
    for node in primary[:max_nodes]:
        if len(kept) >= max_nodes:
            break
        kept.append(node)
        chosen.add(node)
        attached = sorted(
            (n for n in neighbours.get(node, ()) if n not in primary_set and n not in chosen),
            key=lambda n: _rank_key(n, records[n]),
        )
        for other in attached[: max_nodes - len(kept)]:
            kept.append(other)
            chosen.add(other)
    ranked = [records[node] for node in primary]
    if any("pagerank" in record for record in ranked):
        by = "the highest PageRank"
    elif any("citedBy" in record for record in ranked):
        by = "the most citations in this map"
    else:
        by = "the first ids"
    what = "papers" if papers else "nodes"
    extra = " and what is attached to them" if len(primary) < len(records) else ""
    return Budget(kept=kept, basis=f"the {what} with {by}{extra}")


def _note(budget: Budget, nodes: int, edges: int, total_edges: int, projection: Any) -> str | None:
    """What the page leaves out and how to see it all, or None when it shows everything."""
    if budget.basis is None:
        return None
    which = ""
    if isinstance(projection, str) and projection != "full" and projection.isalpha():
        which = f"--projection {projection} "
    return (
        f"Showing {len(budget.kept):,} of {nodes:,} nodes ({budget.basis}) and {edges:,} of "
        f"{total_edges:,} links. See all: kg html {which}--max-nodes {nodes} -o map.html"
    )


# ---- styles ------------------------------------------------------------------------------------


def _kind_styles(kinds: Iterable[str]) -> dict[str, tuple[str, str, str]]:
    styles: dict[str, tuple[str, str, str]] = {}
    others = iter(_OTHER_KIND_COLORS)
    for kind in sorted(set(kinds)):
        if kind in KINDS:
            styles[kind] = KINDS[kind]
        else:
            styles[kind] = (next(others, _OTHER_KIND[0]), _OTHER_KIND[1], _OTHER_KIND[2])
    return styles


def _relation_styles(relations: Iterable[str], directed: bool) -> dict[str, dict[str, Any]]:
    styles: dict[str, dict[str, Any]] = {}
    index = 0
    for relation in sorted(set(relations)):
        style = RELATIONS.get(relation)
        if style is None:
            style = RelationStyle(
                _OTHER_RELATION_COLORS[index % len(_OTHER_RELATION_COLORS)],
                _OTHER_RELATION_DASHES[index // len(_OTHER_RELATION_COLORS) % 4],
                directional=relation.lower() not in _SYMMETRIC,
            )
            index += 1
        styles[relation] = {
            "color": style.color,
            "dashes": list(style.dashes) if style.dashes else False,
            "arrow": bool(directed and style.directional),
            "weighted": style.weighted,
        }
    return styles


def _hex(rgb: Iterable[float]) -> str:
    return "#" + "".join(f"{round(channel):02x}" for channel in rgb)


def _year_color(year: int, low: int, high: int) -> str:
    t = 0.5 if high == low else (year - low) / (high - low)
    position = t * (len(YEAR_STOPS) - 1)
    index = min(int(position), len(YEAR_STOPS) - 2)
    frac = position - index
    start, end = (
        [int(stop[i : i + 2], 16) for i in (1, 3, 5)] for stop in YEAR_STOPS[index : index + 2]
    )
    return _hex(a + (b - a) * frac for a, b in zip(start, end, strict=True))


def _scaled_size(value: float | None, largest: float) -> float:
    if value is None or value <= 0 or largest <= 0:
        return _MIN_SIZE
    return round(_MIN_SIZE + _SIZE_RANGE * math.sqrt(value / largest), 1)


def _communities(
    kept: Iterable[str], records: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Each community in the page, by number: colour, size and the title of its top paper."""
    members: dict[int, list[str]] = {}
    for node in kept:
        community = records[node].get("community")
        if community is not None:
            members.setdefault(community, []).append(node)
    out = []
    for community in sorted(members):
        nodes = members[community]
        papers = [n for n in nodes if records[n]["kind"] == "paper"] or nodes
        top = min(papers, key=lambda n: _rank_key(n, records[n]))
        color = COMMUNITY_COLORS[community] if 0 <= community < len(COMMUNITY_COLORS) else GREY
        out.append(
            {
                "id": community,
                "color": color,
                "size": len(nodes),
                "top": _short(records[top]["fullTitle"], 90),
                "topId": top,
            }
        )
    return out


# ---- starting positions ------------------------------------------------------------------------


def _components(
    kept: list[str], edges: Iterable[tuple[str, str, str, float | None]]
) -> dict[str, int]:
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(kept)
    graph.add_edges_from((u, v) for u, v, _, _ in edges)
    parts = sorted(nx.connected_components(graph), key=lambda part: (-len(part), min(part)))
    return {node: index for index, part in enumerate(parts) for node in part}


def _seed_positions(
    kept: list[str], records: Mapping[str, Mapping[str, Any]], groups: Mapping[str, int]
) -> dict[str, tuple[int, int]]:
    """Groups (communities, else components) on a spiral, largest in the middle; in each group
    the nodes on a sunflower in rank order, so the hubs start in its centre."""
    members: dict[int, list[str]] = {}
    for node in kept:  # kept is in rank order
        members.setdefault(groups.get(node, -1), []).append(node)
    order = sorted(members, key=lambda g: (-len(members[g]), g))
    positions: dict[str, tuple[int, int]] = {}
    area = 0
    for index, group in enumerate(order):
        nodes = members[group]
        distance = 1.5 * _SPACING * math.sqrt(area + len(nodes) / 2) if index else 0.0
        cx = distance * math.cos(index * _GOLDEN_ANGLE)
        cy = distance * math.sin(index * _GOLDEN_ANGLE)
        for i, node in enumerate(nodes):
            radius = _SPACING * math.sqrt(i)
            angle = i * _GOLDEN_ANGLE
            positions[node] = (
                round(cx + radius * math.cos(angle)),
                round(cy + radius * math.sin(angle)),
            )
        area += len(nodes)
    return positions


# ---- edges -------------------------------------------------------------------------------------


def _sorted_edges(graph: nx.Graph) -> list[tuple[str, str, str, float | None]]:
    """(from, to, relation, weight) of every edge, in an order independent of insertion."""
    rows: list[tuple[str, str, str, str, float | None]] = []
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
        weight = _float(data.get("weight"))
        rows.append((source, target, relation, str(key), weight))
    rows.sort(key=lambda row: (*row[:4], -1.0 if row[4] is None else row[4]))
    return [(source, target, relation, weight) for source, target, relation, _, weight in rows]


# ---- vis options -------------------------------------------------------------------------------


def _iterations(nodes: int, edges: int) -> int:
    """ForceAtlas2 steps the page runs: plenty for small maps, bounded for large ones (they start
    from computed positions and a step costs time proportional to nodes and links)."""
    return max(_MIN_STEPS, min(_MAX_STEPS, _STEP_BUDGET // max(nodes + edges, 1)))


def _large(nodes: int, edges: int) -> bool:
    return nodes > _LARGE_NODES or edges > _LARGE_EDGES


def _vis_options(nodes: int, edges: int, directed: bool) -> dict[str, Any]:
    large = _large(nodes, edges)
    return {
        "autoResize": True,
        "layout": {"randomSeed": _RANDOM_SEED, "improvedLayout": False},
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            # labels only once zoomed in enough to read them (thousands of labels are clutter)
            "scaling": {"label": {"drawThreshold": 8}},
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
            "color": {"highlight": "#000000", "hover": "#333333", "inherit": False},
            "smooth": False if large else {"enabled": True, "type": "continuous", "roundness": 0.3},
            # every link of a directed map has an arrow unless it says otherwise; the page turns
            # them off while a busy map is zoomed out
            "arrows": {"to": {"enabled": directed, "scaleFactor": 0.6}},
        },
        # kg's page lays the map out itself (ForceAtlas2) and vis-network never moves a node
        "physics": {"enabled": False},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "navigationButtons": False,
            "keyboard": False,
            "multiselect": False,
        },
    }


# ---- the page ----------------------------------------------------------------------------------


def _check(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")


def _neighbours(edges: Iterable[tuple[str, str, str, float | None]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for source, target, _, _ in edges:
        out.setdefault(source, set()).add(target)
        out.setdefault(target, set()).add(source)
    return out


@dataclass(frozen=True)
class _Palette:
    """What colours and sizes mean in this page."""

    kinds: dict[str, tuple[str, str, str]]
    communities: list[dict[str, Any]]
    community_colors: dict[int, str]
    years: tuple[int, int] | None
    largest_cited: int
    largest_rank: float

    @classmethod
    def of(cls, kept: list[str], records: Mapping[str, Mapping[str, Any]]) -> _Palette:
        years = [records[n]["year"] for n in kept if "year" in records[n]]
        communities = _communities(kept, records)
        return cls(
            kinds=_kind_styles(records[node]["kind"] for node in kept),
            communities=communities,
            community_colors={c["id"]: c["color"] for c in communities},
            years=(min(years), max(years)) if years else None,
            largest_cited=max((records[n].get("citedBy", 0) for n in kept), default=0),
            largest_rank=max((records[n].get("pagerank", 0.0) for n in kept), default=0.0),
        )

    def colors(self, record: Mapping[str, Any]) -> dict[str, str]:
        year = record.get("year")
        return {
            "kind": self.kinds[record["kind"]][0],
            "community": self.community_colors.get(record.get("community", -1), GREY),
            "year": GREY if year is None or self.years is None else _year_color(year, *self.years),
        }

    def sizes(self, record: Mapping[str, Any]) -> dict[str, float]:
        if record.get("centre"):  # the largest node, whatever the sizes show
            return dict.fromkeys(SIZES, _MIN_SIZE + _SIZE_RANGE)
        return {
            "cited": _scaled_size(record.get("citedBy"), max(self.largest_cited, CITED_SCALE)),
            "pagerank": _scaled_size(record.get("pagerank"), self.largest_rank),
        }

    def legend(self) -> dict[str, Any]:
        low, high = self.years or (0, 0)
        return {
            "kinds": {kind: {"color": c, "glyph": g} for kind, (c, _, g) in self.kinds.items()},
            "communities": self.communities,
            "years": {"min": low, "max": high, "stops": list(YEAR_STOPS)} if self.years else None,
            "statementTypes": {t: RELATIONS[t].color for t in STATEMENT_TYPES},
            "grey": GREY,
            "largest": {"cited": self.largest_cited, "pagerank": _significant(self.largest_rank)},
        }


def _add_nodes(
    net: Network,
    kept: list[str],
    records: Mapping[str, dict[str, Any]],
    palette: _Palette,
    positions: Mapping[str, tuple[int, int]],
    color: str,
    size: str,
) -> None:
    from pyvis.node import Node

    for node_id in sorted(kept):
        record = records[node_id]
        kg = {
            key: _significant(value) if key in _FLOAT_FIELDS.values() else value
            for key, value in record.items()
        }
        kg["colors"] = palette.colors(record)
        kg["sizes"] = palette.sizes(record)
        x, y = positions[node_id]
        node = Node(
            node_id,  # kept as the given string: never Network.add_nodes, which int()s ids
            palette.kinds[record["kind"]][1],
            label=record["label"],
            color=kg["colors"][color],
            size=kg["sizes"][size],
            x=x,
            y=y,
            kg=kg,
        )
        # what Network.add_node does, without its linear search of the id list for every node
        net.nodes.append(node.options)
        net.node_ids.append(node_id)
        net.node_map[node_id] = node.options


def _add_edges(
    net: Network,
    edges: list[tuple[str, str, str, float | None]],
    styles: Mapping[str, Mapping[str, Any]],
    directed: bool,
) -> None:
    from pyvis.edge import Edge

    heaviest: dict[str, float] = {}
    for _, _, relation, weight in edges:
        heaviest[relation] = max(heaviest.get(relation, 0.0), weight or 1.0)
    for index, (source, target, relation, weight) in enumerate(edges):
        style = styles[relation]
        options: dict[str, Any] = {"id": f"e{index}", "relation": relation}
        options["color"] = {"color": style["color"]}
        if style["dashes"]:
            options["dashes"] = style["dashes"]
        if style["arrow"] != directed:  # the map's default is an arrow on each link if directed
            options["arrows"] = {"to": {"enabled": style["arrow"]}}
        if weight is not None and weight != 1:
            options["weight"] = _significant(weight)
        if style["weighted"]:
            options["width"] = round(1 + 7 * math.sqrt((weight or 1.0) / heaviest[relation]), 1)
        # what Network.add_edge appends, without its linear node lookup for every edge
        net.edges.append(Edge(source, target, directed=False, **options).options)


def _works(items: Any, kept: set[str]) -> list[dict[str, Any]]:
    out = []
    for item in items if isinstance(items, list) else ():
        node = _text(item.get("id")) if isinstance(item, Mapping) else None
        count = _int(item.get("count")) if node else None
        if node is not None and count is not None:
            work = {"id": node, "count": count, "inMap": node in kept}
            work["title"] = _short(_text(item.get("title")) or node, 140)
            if (year := _int(item.get("year"))) is not None:
                work["year"] = year
            out.append(work)
    return out


def _around(data: Any, kept: set[str]) -> dict[str, Any] | None:
    """The panel of a map drawn around one paper (``graph.graph["around"]``, as kg.around
    writes it), in typed fields; None when the map has none or its centre is not shown."""
    if not isinstance(data, Mapping) or _text(data.get("centre")) not in kept:
        return None
    return {
        "centre": _text(data["centre"]),
        "depth": _int(data.get("depth")) or 1,
        "papers": _int(data.get("papers")) or len(kept),
        "found": _int(data.get("found")) or len(kept),
        "prior": _works(data.get("prior"), kept),
        "derivative": _works(data.get("derivative"), kept),
    }


def _network(
    graph: nx.Graph, title: str, color: str, size: str, max_nodes: int
) -> tuple[Network, dict[str, Any], str | None]:
    """A pyvis network holding the nodes and edges that fit, the legend data and the note."""
    from pyvis.network import Network

    records = {str(node): _node_record(str(node), attrs) for node, attrs in graph.nodes(data=True)}
    all_edges = _sorted_edges(graph)
    budget = _budget(records, _neighbours(all_edges), max_nodes)
    kept = set(budget.kept)
    edges = [edge for edge in all_edges if edge[0] in kept and edge[1] in kept]
    palette = _Palette.of(budget.kept, records)
    groups = (
        {n: records[n].get("community", -1) for n in budget.kept}
        if palette.communities
        else _components(budget.kept, edges)
    )
    net = Network(
        height="100%",
        width="100%",
        directed=True,  # arrows are set per edge; this also avoids pyvis's O(E^2) dedup scan
        heading=title,
        cdn_resources="in_line",
    )
    positions = _seed_positions(budget.kept, records, groups)
    _add_nodes(net, budget.kept, records, palette, positions, color, size)
    styles = _relation_styles((relation for _, _, relation, _ in edges), graph.is_directed())
    _add_edges(net, edges, styles, graph.is_directed())
    net.options = _vis_options(len(budget.kept), len(edges), graph.is_directed())
    legend = palette.legend() | {
        "relations": styles,
        "total": {"nodes": len(records), "edges": len(all_edges)},
    }
    name_communities(legend["communities"], graph)
    around = _around(graph.graph.get("around"), kept)
    if around is not None:
        legend["around"] = around
    projection = graph.graph.get("projection")
    return net, legend, _note(budget, len(records), len(edges), len(all_edges), projection)


def render(
    graph: nx.Graph,
    *,
    title: str = "kg map",
    layout: str = "force",
    color: str = "kind",
    size: str = "cited",
    max_nodes: int = 2000,
) -> str:
    """One self-contained HTML page showing ``graph`` as an interactive map; nothing is written.

    ``layout`` is the starting layout (``LAYOUTS``), ``color`` what node colours show
    (``COLORS``), ``size`` what node sizes show (``SIZES``); the page can switch all three.
    Above ``max_nodes`` the page keeps the papers with the highest PageRank (else the most
    cited) and the nodes attached to them, and says what it left out. A map drawn around one
    paper (the ``graph`` of ``kg.around.around``) marks that paper, selects it when the
    page opens and lists the prior and derivative works beside the map.

    The page needs no network access: vis-network is inlined, there is no ``<script src>`` and
    no ``<link>``. The same graph always gives the same bytes, whatever its insertion order.
    """
    _check("layout", layout, LAYOUTS)
    _check("color", color, COLORS)
    _check("size", size, SIZES)
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive integer, not {max_nodes!r}")
    net, legend, note = _network(graph, title, color, size, max_nodes)
    settings = {
        "layout": layout,
        "color": color,
        "size": size,
        "iterations": _iterations(len(net.nodes), len(net.edges)),
        # arrows only once zoomed in: they are most of the drawing time of a busy map
        "zoomArrows": len(net.edges) > _ZOOM_ARROWS_EDGES,
        "spacing": _SPACING,
        "linkLength": _LINK_LENGTH,
    }
    env = _environment()
    net.template = env.from_string(
        _template_source(),
        globals={
            "vis_js": Markup(_vis_js()),
            "legend": legend,
            "page_title": title,
            "settings": settings,
            "note": note,
        },
    )
    # notebook=True makes pyvis render ``net.template`` instead of loading its own template
    # from its package folder; generate_html only renders and returns the string.
    return net.generate_html(name="map.html", notebook=True)
