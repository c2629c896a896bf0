"""kg: a knowledge graph of the scholarly literature, from the pages and exports researchers
collect, in standard vocabularies (SPAR, DCTERMS, FOAF, PRISM, PROV).

``kg.build(inputs, output)`` reads files and folders into a graph in a build folder,
``kg.load(output)`` opens it as an rdflib Dataset whose SPARQL runs in Oxigraph, and
``kg.network(output, kind)`` projects it onto a networkx graph with its metrics.
``kg.KgError`` is what they raise for a problem the user can fix. ``import kg`` is cheap:
``build`` and ``load`` import Oxigraph and rdflib when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"  # before the imports: kg.pipeline reads it

from .errors import KgError

if TYPE_CHECKING:
    import networkx as nx

    from .mapview import Map
    from .pipeline import BuildReport, build
    from .store import load

__all__ = ["BuildReport", "KgError", "Map", "build", "load", "network"]


def __getattr__(name: str) -> Any:
    # build and load bring Oxigraph and rdflib: imported when first used, so that the
    # command line answers --help at once
    if name in ("build", "BuildReport"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "load":
        from .store import load

        return load
    if name == "Map":
        from .mapview import Map

        return Map
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def network(graph: Any = "output", kind: str = "citation", *, min_weight: int = 1) -> nx.Graph:
    """A network of a built graph, as a networkx graph with its metrics on every node.

    ``graph`` is a build folder (default ``output``), an RDF file (``.ttl``, ``.trig``,
    ``.nq``, ``.nt``, ``.jsonld``), an Oxigraph store or an rdflib graph. ``kind`` is one of
    the projections of ``kg.projections.PROJECTIONS``: ``full`` (papers, people, journals and
    citation statements with every relation: what the map shows), ``citation`` (A → B when A
    cites B), ``similarity``, ``cocitation``, ``coupling``, ``coauthorship``, ``authorship``
    or ``journals``. In a weighted one (``kg.projections.WEIGHTED``: ``cocitation``,
    ``coupling``, ``coauthorship``, ``journals``), only the links of weight ``min_weight`` or
    more are kept; every node stays.

    Node ids are strings: ``doi:…``, ``pmid:…``, ``pmcid:…``, ``openalex:W…`` or ``work:…``
    for papers, ``orcid:…`` or ``person:…`` for people, ``journal:…``, ``statement:…``. Each
    node has ``kind``, ``label`` and ``iri``; a paper also ``title``, ``year``, ``journal``,
    ``authors``, its identifiers, ``cited_by`` and ``references`` (citations inside the graph)
    and ``global_citations`` when a source gave a count; and the metrics ``pagerank``,
    ``betweenness``, ``community`` (Louvain with a fixed seed, 0 the largest) and
    ``component``. Each link has its ``relation`` (``cites``, ``similar``, ``cocited`` …) and
    ``weight``.

    Raises ``kg.errors.GraphError`` when ``graph`` cannot be read, ``kind`` is unknown, or
    ``min_weight`` is given to a projection without weights.

    Example:

        import kg

        net = kg.network("output", "coupling", min_weight=3)  # pairs sharing 3+ references
        central = sorted(net.nodes(data="pagerank"), key=lambda node: -node[1])[:10]
    """
    # networkx loads only when a projection is asked for
    from .metrics import annotate
    from .projections import network as project

    return annotate(project(graph, kind, min_weight=min_weight))
