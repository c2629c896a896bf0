"""``kg.Map``: the interactive map of a built graph as an object, for a notebook (Jupyter,
VS Code) or a script: what ``kg html`` writes, shown inline or saved."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import os

    import networkx as nx

    from .around import Around

__all__ = ["Map"]

HEIGHT = 640  # pixels: the frame a notebook shows the map in


class Map:
    """The map of ``graph``, the page ``kg html`` writes with the same options.

    ``graph`` is a build folder (default ``output``), an RDF file, an Oxigraph store or an
    rdflib graph. ``projection``, ``layout``, ``color``, ``size``, ``max_nodes`` and
    ``min_weight`` are ``kg html``'s options (``projection`` defaults to ``full``). With
    ``around`` (a DOI, PMID or PMCID) the map is the citation map of the papers within
    ``depth`` steps of that paper (see ``kg.around.around``), with its prior and
    derivative works; ``projection`` can then only be ``citation``. ``title`` replaces the
    page's title; ``height`` is the height in pixels of the frame a notebook shows it in.

    In Jupyter or VS Code, a ``Map`` as the last line of a cell shows the map (its
    ``_repr_html_``: the page in a sandboxed ``<iframe srcdoc>``, so its scripts and styles
    stay its own, offline). ``html`` is the page's text, ``save(path)`` writes it, ``network``
    is the networkx graph it draws and ``around`` the ``kg.around.Around`` of an
    ``around`` map (else None).

    The map is made when the ``Map`` is: a graph that cannot be read, or a paper not in it,
    raises a ``kg.KgError`` then, and a bad option a ``ValueError``.

    Example:

        import kg

        near = kg.Map("output", around="10.1186/s12939-015-0156-0", depth=2)
        near.save("around.html")
        for work in near.around.prior:  # the works these papers cite most
            print(work.count, work.title)
    """

    def __init__(
        self,
        graph: Any = "output",
        *,
        projection: str | None = None,
        layout: str = "force",
        color: str = "kind",
        size: str = "cited",
        max_nodes: int = 2000,
        min_weight: int = 1,
        around: str | None = None,
        depth: int = 1,
        title: str | None = None,
        height: int = HEIGHT,
    ) -> None:
        from .html import render

        if isinstance(height, bool) or not isinstance(height, int) or height < 1:
            raise ValueError(f"height must be a positive integer, not {height!r}")
        self.height = height
        self.around: Around | None = None
        if around is None:
            kind = projection or "full"
            self.network: nx.Graph = _projection(graph, kind, min_weight)
            default_title = f"kg map: {kind}"
        else:
            if projection not in (None, "citation"):
                raise ValueError("a map around a paper is a citation map: leave projection out")
            if min_weight != 1:
                raise ValueError("min_weight is for the weighted projections, not around a paper")
            from .around import around as neighbourhood

            self.around = neighbourhood(graph, around, depth, max_papers=max_nodes)
            self.network = self.around.graph
            default_title = f"kg map: around {self.around.title}"
        self.title = default_title if title is None else title
        self._page = render(
            self.network,
            title=self.title,
            layout=layout,
            color=color,
            size=size,
            max_nodes=max_nodes,
        )

    @property
    def html(self) -> str:
        """The page: one self-contained HTML document that needs no network."""
        return self._page

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (replaced whole, never half-written); returns the path."""
        from .fsio import atomic_write

        target = Path(path)
        atomic_write(target, self._page.encode("utf-8"))
        return target

    def _repr_html_(self) -> str:
        # a notebook puts this into its own page: the map's document goes into a frame of its
        # own, escaped into srcdoc; scripts run there but cannot reach the notebook (no
        # allow-same-origin), and the details panel's links may open a new tab
        return (
            f'<iframe srcdoc="{escape(self._page, quote=True)}" title="{escape(self.title)}" '
            f'width="100%" height="{self.height}" style="border: 1px solid #d8dde3;" '
            'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"></iframe>'
        )

    def __repr__(self) -> str:
        nodes, edges = self.network.number_of_nodes(), self.network.number_of_edges()
        return f"<kg.Map {self.title!r}: {nodes} nodes, {edges} links>"


def _projection(graph: Any, kind: str, min_weight: int) -> nx.Graph:
    from .metrics import annotate
    from .projections import network

    return annotate(network(graph, kind, min_weight=min_weight), betweenness=False)
