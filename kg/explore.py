"""Walking the paper network: find a paper by DOI, PMID or PMCID, the shortest path between two
papers, and the papers around one (``kg path``, ``kg neighbors``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

from .errors import GraphError
from .ids import normalize_doi, normalize_pmcid, normalize_pmid

# --via NAME -> the relations a walk may follow (either direction).
VIA: dict[str, frozenset[str]] = {
    "cites": frozenset({"cites"}),
    "similar": frozenset({"similar"}),
    "any": frozenset({"cites", "similar", "discusses", "corrects", "retracts", "updates"}),
}


@dataclass(frozen=True)
class Step:
    """One paper on a walk, reached from the previous one by ``relation``; ``forward`` when
    the previous paper is the subject (it cites this one), False when this one is."""

    node: str
    relation: str | None
    forward: bool
    distance: int
    attrs: dict[str, Any]

    def arrow(self) -> str:
        if self.relation is None:
            return ""
        return f"-{self.relation}->" if self.forward else f"<-{self.relation}-"


def find_paper(net: nx.Graph, text: str) -> str:
    """The node id of the paper ``text`` names: a DOI (bare, ``doi:`` or a doi.org URL), a
    PMID, a PMCID, or a node id as kg prints them (``doi:…``, ``pmid:…``, ``work:…``)."""
    given = text.strip()
    if given in net and net.nodes[given].get("kind") == "paper":
        return given
    wanted = [
        ("doi", normalize_doi(given)),
        ("pmid", normalize_pmid(given.removeprefix("pmid:").strip())),
        ("pmcid", normalize_pmcid(given.removeprefix("pmcid:").strip())),
    ]
    for key, value in wanted:
        if not value:
            continue
        for node, attrs in net.nodes(data=True):
            if attrs.get("kind") == "paper" and attrs.get(key) == value:
                return str(node)
    raise GraphError(f"no paper {given!r} in this graph (give a DOI, PMID or PMCID)")


def paper_graph(net: nx.Graph, via: str) -> nx.MultiGraph:
    """The papers of ``net`` and its relations in ``VIA[via]``, undirected, each edge keeping
    its relation and its direction (``source``)."""
    import networkx as nx

    if via not in VIA:
        raise GraphError(f"unknown --via {via!r} (known: {', '.join(VIA)})")
    allowed = VIA[via]
    walk = nx.MultiGraph()
    walk.add_nodes_from((n, a) for n, a in sorted(net.nodes(data=True)) if a.get("kind") == "paper")
    for u, v, relation in sorted(net.edges(data="relation"), key=lambda e: (e[0], e[1], e[2])):
        if relation in allowed and u in walk and v in walk and u != v:
            walk.add_edge(u, v, key=(relation, u), relation=relation, source=u)
    return walk


def _step(walk: nx.MultiGraph, previous: str | None, node: str, distance: int) -> Step:
    if previous is None:
        return Step(node, None, True, distance, dict(walk.nodes[node]))
    edges = sorted(walk.get_edge_data(previous, node).values(), key=lambda d: (d["relation"],))
    edge = next((d for d in edges if d["source"] == previous), edges[0])
    return Step(
        node, edge["relation"], edge["source"] == previous, distance, dict(walk.nodes[node])
    )


def shortest_path(net: nx.Graph, a: str, b: str, via: str = "any") -> list[Step]:
    """The shortest chain of relations (followed either way) from paper ``a`` to paper ``b``;
    the same graph always gives the same one. GraphError when there is none."""
    import networkx as nx

    walk = paper_graph(net, via)
    start, end = find_paper(net, a), find_paper(net, b)
    try:
        nodes = nx.shortest_path(walk, start, end)
    except nx.NetworkXNoPath:
        raise GraphError(f"no path from {start} to {end} via {via}") from None
    return [_step(walk, nodes[i - 1] if i else None, node, i) for i, node in enumerate(nodes)]


def neighbors(net: nx.Graph, x: str, depth: int = 1, via: str = "any") -> Iterator[Step]:
    """The paper ``x`` and every paper within ``depth`` relations of it (either way),
    breadth first, in id order within each distance."""
    if depth < 0:
        raise GraphError("--depth must be 0 or more")
    walk = paper_graph(net, via)
    start = find_paper(net, x)
    yield _step(walk, None, start, 0)
    seen = {start}
    frontier = [start]
    for distance in range(1, depth + 1):
        reached: dict[str, str] = {}
        for node in frontier:
            for other in sorted(walk.neighbors(node)):
                if other not in seen and other not in reached:
                    reached[other] = node
        for other in sorted(reached):
            yield _step(walk, reached[other], other, distance)
        seen.update(reached)
        frontier = sorted(reached)
        if not frontier:
            break
