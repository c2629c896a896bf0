"""The papers around one paper, as Connected Papers draws them (``kg html --around``,
``kg.Map(around=…)``).

A step joins two papers when one cites the other (either way), when a source lists one as
similar to the other, when papers of the graph cite both (co-citation) or when both cite the
same papers (bibliographic coupling). The neighbourhood is every paper within ``depth`` steps of
the centre, the nearest and most strongly linked first; the map draws it as a citation map.
Beside it come the *prior works*, the papers the neighbourhood cites most, and the
*derivative works*, the papers that cite most of the neighbourhood.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import GraphError
from .explore import find_paper
from .ids import normalize_doi, normalize_pmcid, normalize_pmid

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["MAX_DEPTH", "TOP", "Around", "Work", "around"]

MAX_DEPTH = 3  # beyond three steps a neighbourhood is most of a graph
TOP = 10  # papers in each list of prior and derivative works
DEFAULT_MAX_PAPERS = 2000  # as many as kg html's --max-nodes


@dataclass(frozen=True)
class Work:
    """A prior or derivative work: the paper, and how many papers of the neighbourhood it is
    cited by (prior) or cites (derivative)."""

    node: str
    count: int
    title: str
    year: int | None
    in_map: bool  # whether it is one of the neighbourhood's papers

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.node,
            "count": self.count,
            "title": self.title,
            "inMap": self.in_map,
        }
        if self.year is not None:
            data["year"] = self.year
        return data


@dataclass(frozen=True)
class Around:
    """The neighbourhood of ``centre`` within ``depth`` steps, and its map.

    ``papers`` are the papers kept (at most ``max_papers``), the centre first, then by distance,
    by strength (the weight of their links to the papers one step nearer the centre: a citation
    or a similarity link counts 1, a co-citation or a shared reference 1 each) and by id;
    ``found`` is how many were within ``depth`` steps before the cut. ``graph`` is the map: a
    ``networkx.MultiDiGraph`` of the kept papers and their citation and similarity links, with
    ``cited_by`` and ``references`` counted in it, the metrics of ``kg.metrics.annotate``,
    ``centre=True`` on the centre, and this neighbourhood's summary in ``graph.graph["around"]``
    (what ``kg.html.render`` shows beside the map)."""

    centre: str
    title: str
    depth: int
    papers: list[str]
    found: int
    distance: dict[str, int]
    strength: dict[str, int]
    prior: list[Work]
    derivative: list[Work]
    graph: nx.MultiDiGraph


class _Links:
    """The citations and similarity links between the papers of a network."""

    def __init__(self, net: nx.Graph) -> None:
        papers = {node for node, kind in net.nodes(data="kind") if kind == "paper"}
        self.references: dict[str, set[str]] = defaultdict(set)
        self.citers: dict[str, set[str]] = defaultdict(set)
        self.similar: dict[str, set[str]] = defaultdict(set)
        self.similar_pairs: set[tuple[str, str]] = set()  # as the source listed them
        for u, v, relation in net.edges(data="relation"):
            if u == v or u not in papers or v not in papers:
                continue
            if relation == "cites":
                self.references[u].add(v)
                self.citers[v].add(u)
            elif relation == "similar":
                self.similar[u].add(v)
                self.similar[v].add(u)
                self.similar_pairs.add((u, v))

    def weights(self, node: str) -> Counter[str]:
        """The papers one step from ``node``, each with the weight of its links to it."""
        out: Counter[str] = Counter()
        out.update(self.references.get(node, ()))
        out.update(self.citers.get(node, ()))
        out.update(self.similar.get(node, ()))
        for citer in self.citers.get(node, ()):  # co-cited with node by this citer
            out.update(self.references.get(citer, ()))
        for reference in self.references.get(node, ()):  # coupled with node by this reference
            out.update(self.citers.get(reference, ()))
        out.pop(node, None)
        return out


def _named(text: str) -> str:
    """The paper ``text`` names, as kg writes its ids, for a message."""
    given = text.strip()
    if doi := normalize_doi(given):
        return f"doi:{doi}"
    if pmid := normalize_pmid(given.removeprefix("pmid:").strip()):
        return f"pmid:{pmid}"
    if pmcid := normalize_pmcid(given.removeprefix("pmcid:").strip()):
        return f"pmcid:{pmcid}"
    return repr(given)


def _reach(links: _Links, centre: str, depth: int) -> tuple[dict[str, int], dict[str, int]]:
    """Breadth first from ``centre``: each paper's distance, and its strength (the weight of
    its links to the papers one step nearer)."""
    distance, strength = {centre: 0}, {centre: 0}
    frontier = [centre]
    for step in range(1, depth + 1):
        reached: Counter[str] = Counter()
        for node in frontier:
            for other, weight in links.weights(node).items():
                if other not in distance:
                    reached[other] += weight
        for other, weight in reached.items():
            distance[other] = step
            strength[other] = weight
        frontier = sorted(reached)
    return distance, strength


def _title(net: nx.Graph, node: str) -> str:
    attrs = net.nodes[node]
    return str(attrs.get("title") or attrs.get("label") or node)


def _year(net: nx.Graph, node: str) -> int | None:
    year = net.nodes[node].get("year")
    return year if isinstance(year, int) and not isinstance(year, bool) else None


def _top(net: nx.Graph, counts: Counter[str], kept: set[str]) -> list[Work]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    return [
        Work(node, count, _title(net, node), _year(net, node), node in kept)
        for node, count in ranked
    ]


# node attributes of the whole graph that mean something else in the map (recounted there)
_RECOUNTED = ("cited_by", "references", "pagerank", "betweenness", "community", "component")


def _map(net: nx.Graph, links: _Links, kept: list[str], centre: str) -> nx.MultiDiGraph:
    import networkx as nx

    from .metrics import annotate

    inside = set(kept)
    graph = nx.MultiDiGraph(projection="citation")
    for node in sorted(inside):
        attrs = {k: v for k, v in net.nodes[node].items() if k not in _RECOUNTED}
        attrs["cited_by"] = len(links.citers.get(node, set()) & inside)
        attrs["references"] = len(links.references.get(node, set()) & inside)
        if node == centre:
            attrs["centre"] = True
        graph.add_node(node, **attrs)
    for node in sorted(inside):
        for cited in sorted(links.references.get(node, set()) & inside):
            graph.add_edge(node, cited, key="cites", relation="cites", weight=1)
    for u, v in sorted(links.similar_pairs):
        if u in inside and v in inside:
            graph.add_edge(u, v, key="similar", relation="similar", weight=1)
    return annotate(graph, betweenness=False)


def _network(graph: Any) -> nx.Graph:
    import networkx as nx

    if isinstance(graph, nx.Graph):
        return graph
    from .projections import network

    return network(graph, "full")


def around(
    graph: Any,
    paper: str,
    depth: int = 1,
    *,
    max_papers: int = DEFAULT_MAX_PAPERS,
) -> Around:
    """The papers within ``depth`` steps (1 to ``MAX_DEPTH``) of ``paper``, their map, and
    their prior and derivative works.

    ``graph`` is a network of papers (``kg.network(…, "full")`` or ``"citation"``: papers with
    ``kind="paper"``, links with ``relation="cites"`` from the citing paper to the cited one, or
    ``"similar"``), or anything ``kg.network`` reads (a build folder, an RDF file, an Oxigraph
    store, an rdflib graph). ``paper`` is a DOI, PMID or PMCID in any form kg reads, or a node
    id. A step is a citation either way, a similarity link, a co-citation or a shared
    reference. At most ``max_papers`` papers are kept: the nearest, then the most strongly
    linked, then by id.

    The prior works are the ``TOP`` papers cited by the most papers of the neighbourhood, the
    derivative works the ``TOP`` papers citing the most of them; the centre is in neither. Both
    are ranked by that count, then by id.

    Raises ``kg.errors.GraphError`` when ``paper`` is not a paper of the graph (or the graph
    cannot be read), ``ValueError`` when ``depth`` or ``max_papers`` is out of range. The same
    graph always gives the same result.

    Example:

        from kg.around import around

        near = around("output", "10.1186/s12939-015-0156-0", depth=2)
        for work in near.prior:
            print(work.count, work.title)
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be 1 to {MAX_DEPTH}, not {depth!r}")
    if isinstance(max_papers, bool) or not isinstance(max_papers, int) or max_papers < 1:
        raise ValueError(f"max_papers must be a positive integer, not {max_papers!r}")
    net = _network(graph)
    try:
        centre = find_paper(net, paper)
    except GraphError:
        raise GraphError(f"no paper {_named(paper)} in the graph") from None
    links = _Links(net)
    distance, strength = _reach(links, centre, depth)
    ranked = sorted(distance, key=lambda node: (distance[node], -strength[node], node))
    kept = ranked[:max_papers]
    inside = set(kept)
    cited = Counter(ref for node in kept for ref in links.references.get(node, ()))
    citing = Counter(citer for node in kept for citer in links.citers.get(node, ()))
    for counts in (cited, citing):
        counts.pop(centre, None)
    title = _title(net, centre)
    result = Around(
        centre=centre,
        title=title,
        depth=depth,
        papers=kept,
        found=len(ranked),
        distance={node: distance[node] for node in kept},
        strength={node: strength[node] for node in kept},
        prior=_top(net, cited, inside),
        derivative=_top(net, citing, inside),
        graph=_map(net, links, kept, centre),
    )
    result.graph.graph["around"] = summary(result)
    return result


def summary(result: Around) -> dict[str, Any]:
    """What the page shows beside a map drawn around a paper, as plain JSON values."""
    return {
        "centre": result.centre,
        "title": result.title,
        "depth": result.depth,
        "papers": len(result.papers),
        "found": result.found,
        "prior": _dicts(result.prior),
        "derivative": _dicts(result.derivative),
    }


def _dicts(works: Iterable[Work]) -> list[dict[str, Any]]:
    return [work.as_dict() for work in works]
