"""kg: a knowledge graph of the scholarly literature, from the pages and exports researchers
collect, in standard vocabularies (SPAR, DCTERMS, FOAF, PRISM, PROV)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"  # before the imports: kg.pipeline reads it

from .errors import KgError
from .pipeline import BuildReport, build
from .store import load

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["BuildReport", "KgError", "build", "load", "network"]


def network(graph: Any = "output", kind: str = "citation", *, min_weight: int = 1) -> nx.Graph:
    """The ``kind`` projection of a built graph as a networkx graph (kinds:
    ``kg.projections.PROJECTIONS``), with PageRank, betweenness, community and component on
    its nodes. ``graph`` is a build folder, an RDF file, an Oxigraph store or an rdflib graph.
    In a weighted projection (``kg.projections.WEIGHTED``), only the links of weight
    ``min_weight`` or more are kept.

    Example: ``kg.network("output", "cocitation")``
    """
    # networkx loads only when a projection is asked for
    from .metrics import annotate
    from .projections import network as project

    return annotate(project(graph, kind, min_weight=min_weight))
