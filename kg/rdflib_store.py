"""rdflib on Oxigraph: the store behind ``kg.load``, and the rewrite that lets Oxigraph bind
variables a SELECT does not project. Imported only when needed: rdflib's SPARQL parser is
slow to load, which no other command should pay for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oxrdflib.store import OxigraphStore
from rdflib import Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import translateAlgebra
from rdflib.plugins.sparql.sparql import Query

from .errors import QueryError
from .store import unprojected


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
        text = translateAlgebra(query) if isinstance(query, Query) else query
        hidden: list[str] = []
        try:
            try:
                result = super().query(text, initNs, initBindings, queryGraph, **kwargs)
            except RuntimeError as error:
                if not unprojected(error):
                    raise
                text, hidden = projecting(text, list(initBindings), initNs)
                result = super().query(text, initNs, initBindings, queryGraph, **kwargs)
        except NotImplementedError as error:
            raise QueryError(f"Oxigraph cannot run this query: {error}") from None
        if hidden and result.type == "SELECT":
            shown = [v for v in result.vars if str(v) not in hidden]
            rows = result.bindings
            result.vars = shown
            result.bindings = [{k: v for k, v in row.items() if k in shown} for row in rows]
        return result


def projecting(
    text: str, names: list[str], init_ns: Mapping[str, Any] | None = None
) -> tuple[str, list[str]]:
    """The SELECT ``text`` rewritten (through rdflib's algebra) to also project the variables
    ``names``, and the names it added: Oxigraph binds only projected variables, so kg projects
    them and hides them from the result."""
    try:
        query = prepareQuery(text, initNs=dict(init_ns or {}))
    except Exception as error:  # noqa: BLE001 - pyparsing raises its own error types
        raise QueryError(f"cannot bind the parameters of this query: {error}") from None
    algebra = query.algebra
    missing = [Variable(n) for n in names if Variable(n) not in algebra.get("PV", [])]
    if algebra.name != "SelectQuery" or not missing:
        return text, []
    algebra["PV"] = [*algebra["PV"], *missing]
    node = algebra.p
    while node is not None and getattr(node, "name", None) != "Project":
        node = node.get("p")  # through Distinct, Reduced, Slice …
    if node is None:
        raise QueryError("cannot bind the parameters of this query in Oxigraph")
    node["PV"] = [*node["PV"], *missing]
    return translateAlgebra(query), [str(v) for v in missing]
