"""Metrics on a projection: PageRank, betweenness, communities, components, and the summary
``kg stats`` prints. Every result is deterministic: the same graph gives the same numbers and
the same community numbering (Louvain with a fixed seed; communities numbered by size)."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from .fsio import atomic_write
from .text import counted

SEED = 20240229
# Exact betweenness is O(nm): above this many nodes it is estimated from this many sources.
BETWEENNESS_SAMPLE = 500
# Projections whose metrics are computed on the papers alone (people and journals would
# otherwise soak up PageRank and merge communities).
_PAPER_BASED = {"full", "authorship"}
_PAPER_RELATIONS = {"cites", "similar", "discusses", "corrects", "retracts", "updates"}


def _basis(net: nx.Graph) -> nx.Graph:
    """The graph the metrics are computed on: papers and their relations for the mixed
    projections, the projection itself otherwise."""
    if net.graph.get("projection") not in _PAPER_BASED:
        return net
    papers = [n for n, kind in net.nodes(data="kind") if kind == "paper"]
    basis = nx.DiGraph() if net.is_directed() else nx.Graph()
    basis.add_nodes_from(papers)
    for u, v, relation in net.edges(data="relation"):
        if relation in _PAPER_RELATIONS and u in basis and v in basis:
            _add(basis, u, v, 1)
    return basis


def _add(graph: nx.Graph, u: Any, v: Any, weight: float) -> None:
    if graph.has_edge(u, v):
        graph[u][v]["weight"] += weight
    else:
        graph.add_edge(u, v, weight=weight)


def _links(net: nx.Graph) -> list[tuple[Any, Any, Any]]:
    """The edges of ``net`` with their weights, sorted by their ends."""
    return sorted(net.edges(data="weight", default=1), key=lambda e: (e[0], e[1]))


def _simple(nodes: list[Any], links: list[tuple[Any, Any, Any]], directed: bool) -> nx.Graph:
    """A graph of ``nodes`` (in this order) and ``links`` (weights summed, no self-loops)."""
    out: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    out.add_nodes_from(nodes)
    for u, v, weight in links:
        if u != v:
            _add(out, u, v, float(weight or 1))
    return out


def numbered(groups: Iterable[Iterable[Any]]) -> dict[Any, int]:
    """Node -> group number; 0 is the largest group, ties broken by the smallest member."""
    ordered = sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g[0] if g else ""))
    return {node: index for index, group in enumerate(ordered) for node in group}


def _pagerank(graph: nx.Graph) -> dict[Any, float]:
    """PageRank, or {} (every node the same) when there are no edges or it does not converge."""
    if not graph.number_of_edges():
        return {}
    try:
        return nx.pagerank(graph, weight="weight", max_iter=1000)
    except nx.PowerIterationFailedConvergence:
        return {}


@dataclass(frozen=True)
class Metrics:
    """The metrics of a graph's nodes, each list in the order of its sorted nodes."""

    pagerank: list[float]
    community: list[int]
    component: list[int]
    betweenness: list[float] | None = None


def _metrics(
    nodes: list[Any], links: list[tuple[Any, Any, Any]], directed: bool, betweenness: bool
) -> Metrics:
    """PageRank (on the ``directed`` graph when it is), communities, components and, when
    asked for, betweenness, of the graph of ``nodes`` (sorted) and ``links``."""
    graph = _simple(nodes, links, directed)
    pagerank = _pagerank(graph)
    graph.clear()
    undirected = _simple(nodes, links, False)
    n = undirected.number_of_nodes()
    between = (
        nx.betweenness_centrality(
            undirected, k=BETWEENNESS_SAMPLE if n > BETWEENNESS_SAMPLE else None, seed=SEED
        )
        if betweenness
        else None
    )
    communities = numbered(nx.community.louvain_communities(undirected, seed=SEED))
    components = numbered(nx.connected_components(undirected))
    undirected.clear()
    uniform = 1 / n
    return Metrics(
        [round(pagerank.get(node, uniform), 8) for node in nodes],
        [communities[node] for node in nodes],
        [components[node] for node in nodes],
        None if between is None else [round(between.get(node, 0.0), 8) for node in nodes],
    )


def _fingerprint(
    nodes: list[Any], links: list[tuple[Any, Any, Any]], directed: bool, betweenness: bool
) -> str:
    """What the metrics of a graph depend on, hashed: its nodes, its links and their weights
    (a block of them at a time, not all of them as one text)."""
    digest = hashlib.sha256(f"kg metrics 1 {directed} {betweenness}\n".encode())
    lines = itertools.chain(
        (f"{node}\n" for node in nodes), ["\n"], (f"{u}\t{v}\t{w!r}\n" for u, v, w in links)
    )
    while block := "".join(itertools.islice(lines, 1 << 14)):
        digest.update(block.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _recalled(memo: Path, key: str, size: int) -> Metrics | None:
    """The metrics kept in ``memo`` under ``key``, for ``size`` nodes; None when it holds
    another graph's, or cannot be read."""
    try:
        data = json.loads(memo.read_bytes())
        if data.get("key") != key:
            return None
        found = Metrics(
            data["pagerank"], data["community"], data["component"], data.get("betweenness")
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    lists = [found.pagerank, found.community, found.component]
    if found.betweenness is not None:
        lists.append(found.betweenness)
    if not all(isinstance(values, list) and len(values) == size for values in lists):
        return None
    return found


def annotate(net: nx.Graph, *, betweenness: bool = True, memo: Path | None = None) -> nx.Graph:
    """Add ``pagerank``, ``betweenness``, ``community`` and ``component`` to the nodes of
    ``net`` (in place; returned for chaining). In the mixed projections they are computed on
    the papers; a citation statement takes its cited paper's community, a person or journal
    the community most of its papers are in. ``betweenness=False`` leaves out the one metric
    that costs O(nm) (the map does not show it).

    ``memo``: a file that keeps the metrics of the last graph they were computed for, by a
    hash of its nodes and links: when the papers and their links are the same, the metrics
    are taken from it instead of computed again (a rebuild in which one paper's title
    changed); the numbers are the same."""
    # One graph at a time, each emptied once used: networkx graphs hold reference cycles, which
    # a build leaves to the end (kg.pipeline pauses the cycle collector): copies of a large
    # graph's links held together would all stay in memory.
    basis = _basis(net)
    if basis.number_of_nodes() == 0:
        return net
    nodes, links, is_directed = sorted(basis.nodes), _links(basis), basis.is_directed()
    if basis is not net:
        basis.clear()
    key = _fingerprint(nodes, links, is_directed, betweenness) if memo else ""
    found = _recalled(memo, key, len(nodes)) if memo else None
    if found is None:
        found = _metrics(nodes, links, is_directed, betweenness)
        if memo:
            data = {"key": key, **{k: v for k, v in vars(found).items() if v is not None}}
            atomic_write(memo, json.dumps(data, separators=(",", ":")).encode(), durable=False)
    del links
    communities = dict(zip(nodes, found.community, strict=True))
    for index, node in enumerate(nodes):
        attrs = net.nodes[node]
        attrs["pagerank"] = found.pagerank[index]
        if found.betweenness is not None:
            attrs["betweenness"] = found.betweenness[index]
        attrs["community"] = found.community[index]
        attrs["component"] = found.component[index]
    for node, attrs in net.nodes(data=True):
        if node in communities:
            continue
        cited = attrs.get("cited")
        if attrs.get("kind") == "statement" and cited in communities:
            attrs["community"] = communities[cited]
            continue
        around = Counter(communities[n] for n in nx.all_neighbors(net, node) if n in communities)
        if around:  # a person or journal: the community most of its papers are in
            attrs["community"] = min(around, key=lambda c: (-around[c], c))
    return net


def top(net: nx.Graph, kind: str, key: str, limit: int) -> list[tuple[str, dict[str, Any]]]:
    """The ``limit`` nodes of ``kind`` with the highest ``key`` (ties by id)."""
    nodes = [(n, a) for n, a in net.nodes(data=True) if a.get("kind") == kind]
    nodes.sort(key=lambda item: (-(item[1].get(key) or 0), item[0]))
    return [(n, a) for n, a in nodes[:limit] if a.get(key)]


def community_summary(net: nx.Graph, limit: int, titles: int = 3) -> list[dict[str, Any]]:
    """The largest communities of papers, each with its size and top titles by PageRank."""
    members: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    for node, attrs in net.nodes(data=True):
        if attrs.get("kind") == "paper" and "community" in attrs:
            members.setdefault(attrs["community"], []).append((node, attrs))
    out = []
    for number in sorted(members)[:limit]:
        papers = sorted(members[number], key=lambda m: (-m[1].get("pagerank", 0), m[0]))
        years = Counter(a["year"] for _, a in papers if "year" in a)
        out.append(
            {
                "community": number,
                "papers": len(papers),
                "years": [min(years), max(years)] if years else None,
                "top": [{"id": n, "title": a["title"]} for n, a in papers[:titles]],
            }
        )
    return out


def _source_gaps(store: Any) -> list[dict[str, str]]:
    """Source files that gave no references (per source named graph, when the graph has
    them; otherwise from the papers derived from each source)."""
    from .projections import rows

    named = any(True for _ in rows(store, "SELECT ?g { GRAPH ?g { } } LIMIT 1"))
    inner = (
        "GRAPH ?s { ?x cito:cites ?y }" if named else "?x prov:wasDerivedFrom ?s ; cito:cites ?y"
    )
    found = rows(
        store,
        "SELECT ?s ?path ?format (COUNT(?y) AS ?n) { ?s a prov:Entity "
        "OPTIONAL { ?s kgo:path ?path } OPTIONAL { ?s kgo:sourceFormat ?format } "
        f"OPTIONAL {{ {inner} }} }} GROUP BY ?s ?path ?format ORDER BY ?path ?s",
    )
    return [{"source": path or s, "format": fmt or ""} for s, path, fmt, n in found if n == "0"]


def _brief(node: str, attrs: dict[str, Any], *keys: str) -> dict[str, Any]:
    out = {"id": node, "label": attrs.get("label", node), "title": attrs.get("title", node)}
    out.update({key: attrs[key] for key in keys if key in attrs})
    return out


def stats(store: Any, limit: int = 10) -> dict[str, Any]:
    """What ``kg stats`` prints: counts, top papers/authors/journals, communities, gaps."""
    from .projections import network

    net = annotate(network(store, "full"))
    kinds = Counter(kind for _, kind in net.nodes(data="kind"))
    relations = Counter(relation for _, _, relation in net.edges(data="relation"))
    papers = [(n, a) for n, a in net.nodes(data=True) if a["kind"] == "paper"]
    paper_ids = {n for n, _ in papers}
    components = {a["component"] for _, a in papers}
    largest = sum(1 for _, a in papers if a.get("component") == 0)
    unidentified = sorted(n for n in paper_ids if n.startswith("work:"))
    undated = sorted(n for n, a in papers if "year" not in a)
    ranked = sorted(
        papers,
        key=lambda m: (
            -m[1]["cited_by"],
            -(m[1].get("global_citations") or 0),
            -m[1].get("pagerank", 0),
            m[0],
        ),
    )
    return {
        "counts": {
            "papers": kinds["paper"],
            "people": kinds["person"],
            "journals": kinds["journal"],
            "statements": kinds["statement"],
            "relations": dict(sorted(relations.items())),
            "components": len(components),
            "largest_component": largest,
            "communities": len({a["community"] for _, a in papers if "community" in a}),
        },
        "top_papers": [
            _brief(n, a, "year", "cited_by", "global_citations", "pagerank")
            for n, a in ranked[:limit]
        ],
        "top_authors": [_brief(n, a, "papers") for n, a in top(net, "person", "papers", limit)],
        "top_journals": [_brief(n, a, "papers") for n, a in top(net, "journal", "papers", limit)],
        "communities": community_summary(net, limit),
        "gaps": {
            "papers_without_identifier": unidentified,
            "papers_without_year": undated,
            "sources_without_references": _source_gaps(store),
        },
    }


def _number(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _cut(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_stats(summary: dict[str, Any]) -> str:
    """``kg stats`` as text: one section per part of the summary."""
    c = summary["counts"]
    lines = [
        f"{counted(c['papers'], 'paper')}, {counted(c['people'], 'person', 'people')}, "
        f"{counted(c['journals'], 'journal')}, {counted(c['statements'], 'citation statement')}",
        "relations: " + (", ".join(f"{k} {v:,}" for k, v in c["relations"].items()) or "none"),
        f"{counted(c['components'], 'component')} (the largest has "
        f"{counted(c['largest_component'], 'paper')}), "
        f"{counted(c['communities'], 'community', 'communities')}",
        "",
        "Top papers (cited here · cited globally · PageRank)",
    ]
    for i, p in enumerate(summary["top_papers"], 1):
        counts = " · ".join(
            _number(p[k]) if k in p else "-" for k in ("cited_by", "global_citations", "pagerank")
        )
        lines.append(f"{i:>3}. {counts}  {_cut(p['title'])}  [{p['id']}]")
    for title, key in (("Top authors (papers)", "top_authors"), ("Top journals", "top_journals")):
        lines += ["", title]
        lines += [f"{i:>3}. {a['papers']}  {a['label']}" for i, a in enumerate(summary[key], 1)]
        if not summary[key]:
            lines.append("     none")
    lines += ["", "Communities (papers, years: top titles by PageRank)"]
    for group in summary["communities"]:
        years = "-".join(str(y) for y in dict.fromkeys(group["years"])) if group["years"] else ""
        size = counted(group["papers"], "paper")
        lines.append(f"  #{group['community']}  {size} {years}".rstrip())
        lines += [f"      {_cut(t['title'], 66)}" for t in group["top"]]
    gaps = summary["gaps"]
    lines += [
        "",
        "Data gaps",
        f"  papers without an identifier: {len(gaps['papers_without_identifier'])}",
        f"  papers without a year: {len(gaps['papers_without_year'])}",
        f"  sources with no references: {len(gaps['sources_without_references'])}",
    ]
    lines += [
        f"      {s['source']} ({s['format']})" if s["format"] else f"      {s['source']}"
        for s in gaps["sources_without_references"]
    ]
    return "\n".join(lines) + "\n"
