"""The store: the built graph in Oxigraph, on disk, and how every command finds a graph.

``kg build`` writes ``DIR/store/``: the merged graph as the default graph and each source's
facts in a named graph (the source's IRI). The new store is loaded beside the old one and
swapped in, so a failed build never leaves a half store. ``open_graph`` turns what a user
gives with ``-g`` (a build folder or one RDF file) into a pyoxigraph store; ``load`` gives
rdflib users a ``Dataset`` whose queries run in Oxigraph.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from oxrdflib.store import OxigraphStore
from rdflib import Dataset, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import translateAlgebra
from rdflib.plugins.sparql.sparql import Query

from .errors import GraphError, QueryError
from .fsio import folder_mode

STORE = "store"

# File suffix -> how to read a single RDF file given with -g.
FILE_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}


def write_store(output: Path, graphs: Iterable[tuple[str | None, bytes]]) -> Path:
    """Load ``graphs`` ((graph IRI or None for the default graph, N-Triples)) into a new store
    beside ``output/store`` and swap it in."""
    output.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=".store-new-", dir=output))
    fresh.chmod(folder_mode())
    try:
        store = ox.Store(str(fresh))
        for name, ntriples in graphs:
            graph = ox.NamedNode(name) if name else ox.DefaultGraph()
            store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        store.optimize()
        store.flush()
        del store
        gc.collect()  # the store's files are closed only when the object is gone
        target = output / STORE
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=".store-old-", dir=output))
            os.replace(target, old / STORE)
        os.replace(fresh, target)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def open_graph(path: Path) -> ox.Store:
    """The graph at ``path``: a build folder (its ``store/``, read-only), a store folder, or
    one RDF file (``.ttl``, ``.trig``, ``.nq``, ``.nt``, ``.jsonld``) read into memory."""
    if path.is_dir():
        location = path / STORE if (path / STORE).is_dir() else path
        if not any(location.glob("CURRENT")):
            raise GraphError(f"no graph in {path}: run `kg build -o {path}` first")
        try:
            return ox.Store.read_only(str(location))
        except OSError as error:
            raise GraphError(f"cannot open the store in {location}: {error}") from None
    if not path.exists():
        raise GraphError(f"no such graph: {path} (a build folder or an RDF file)")
    fmt = FILE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FILE_FORMATS))
        raise GraphError(f"cannot read {path}: unknown RDF file suffix (known: {known})")
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt)
    except (SyntaxError, ValueError, OSError) as error:
        raise GraphError(f"cannot read {path}: {error}") from None
    return store


class KgOxigraphStore(OxigraphStore):
    """oxrdflib's store, but a query never falls back silently to rdflib's engine: a prepared
    query is turned back into text and run by Oxigraph, and what Oxigraph cannot run fails."""

    def query(  # type: ignore[override]
        self,
        query: Query | str,
        initNs: Mapping[str, Any],
        initBindings: Mapping[str, Any],
        queryGraph: str,
        **kwargs: object,
    ) -> Any:
        hidden: list[Variable] = []
        if initBindings:  # Oxigraph binds only projected variables: project them, then hide
            if isinstance(query, str):
                query = prepareQuery(query, initNs=initNs)
            query, hidden = project(query, [Variable(k) for k in initBindings])
        if isinstance(query, Query):
            query = translateAlgebra(query)
        try:
            result = super().query(query, initNs, initBindings, queryGraph, **kwargs)
        except NotImplementedError as error:
            raise QueryError(f"Oxigraph cannot run this query: {error}") from None
        if hidden and result.type == "SELECT":
            shown = [v for v in result.vars if v not in hidden]
            rows = result.bindings
            result.vars = shown
            result.bindings = [{k: v for k, v in row.items() if k in shown} for row in rows]
        return result


def project(query: Query, variables: list[Variable]) -> tuple[Query, list[Variable]]:
    """A SELECT query that also projects ``variables``, and the ones it had to add."""
    algebra = query.algebra
    if algebra.name != "SelectQuery":
        return query, []
    missing = [v for v in variables if v not in algebra["PV"]]
    if missing:
        algebra["PV"] = [*algebra["PV"], *missing]
        node = algebra.p
        while node is not None and getattr(node, "name", None) != "Project":
            node = node.get("p")  # through Distinct, Reduced, Slice …
        if node is None:
            raise QueryError("cannot bind the parameters of this query in Oxigraph")
        node["PV"] = [*node["PV"], *missing]
    return query, missing


def load(path: str | os.PathLike[str] = "output") -> Dataset:
    """The graph of a build folder (or an RDF file) as an rdflib Dataset backed by Oxigraph:
    ``kg.load("output").query(...)`` runs in Oxigraph, ``initBindings`` included."""
    store = open_graph(Path(path))
    return Dataset(store=KgOxigraphStore(store=store))
