"""``kg validate``: check a graph against the SHACL shapes of ``ontology/shapes.ttl``.

The merged (default) graph of a build folder, a store folder or one RDF file is copied out of
Oxigraph into rdflib and checked by pyshacl without inference: kg types every node with the
class its shape targets (kgo:Paper, foaf:Person, fabio:Journal …), so no ontology is needed to
find the targets or to pass the ``sh:class`` checks. Each result becomes a ``Violation``, in a
stable order (focus node, path, shape, message, value).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from .errors import GraphError
from .store import open_graph
from .vocab import PREFIX_IRIS

SHAPES = "shapes.ttl"
# Prefixes for the paths, shapes and values printed: the contract's and the shapes' own.
_PREFIXES = {**PREFIX_IRIS, "kgs": "https://w3id.org/kg/shapes#"}


@dataclass(frozen=True)
class Violation:
    """One SHACL result. ``focus`` is the node's IRI (``_:id`` for a blank node); ``path``,
    ``value`` and ``shape`` are written compactly (``kgo:confidence``, ``"3.5"^^xsd:decimal``,
    ``kgs:CitationShape``); ``value`` is None when the result is about the node itself."""

    focus: str
    path: str | None
    message: str
    severity: str
    value: str | None
    shape: str
    constraint: str

    def describe(self, width: int = 120) -> str:
        """One line: ``<focus> path: message (value …)``; a long value is shortened."""
        focus = self.focus if self.focus.startswith("_:") else f"<{self.focus}>"
        where = f" {self.path}" if self.path else ""
        level = "" if self.severity == "Violation" else f"[{self.severity}] "
        line = f"{focus}{where}: {level}{self.message}"
        if self.value is not None:
            value = self.value if len(self.value) <= width else self.value[: width - 1] + "…"
            line += f" (value {value})"
        return line


@dataclass(frozen=True)
class ValidationReport:
    triples: int
    violations: tuple[Violation, ...]

    @property
    def conforms(self) -> bool:
        return not self.violations

    @property
    def nodes(self) -> int:
        """How many distinct nodes have a violation."""
        return len({v.focus for v in self.violations})

    def as_json(self) -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "triples": self.triples,
                "violations": [dataclasses.asdict(v) for v in self.violations],
            },
            ensure_ascii=False,
            indent=2,
        )

    def summary(self) -> str:
        if self.conforms:
            return f"conforms: {self.triples} triples checked"
        n, m = len(self.violations), self.nodes
        return f"{n} violation{'s' * (n != 1)} in {m} node{'s' * (m != 1)}"


def shapes_graph() -> Graph:
    from .pipeline import resource_dir  # the build's modules load only when asked for

    return Graph().parse(resource_dir("ontology") / SHAPES, format="turtle")


def default_graph(store: ox.Store) -> Graph:
    """The store's default graph (the merged graph) as an rdflib Graph."""
    graph = Graph()
    for prefix, namespace in _PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    graph.parse(data=data, format="nt")
    return graph


def validate(path: str | os.PathLike[str] = "output") -> ValidationReport:
    """Check the merged graph at ``path`` (a build folder, a store folder or one RDF file)
    against ``ontology/shapes.ttl``. GraphError when there is no graph there."""
    return validate_graph(default_graph(open_graph(Path(path))))


def validate_graph(data: Graph) -> ValidationReport:
    """Check an rdflib graph against ``ontology/shapes.ttl`` (no inference)."""
    # slow to import: only `kg validate` pays for it
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError

    shapes = shapes_graph()
    try:
        _, results, _ = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", allow_warnings=False
        )
    except ReportableRuntimeError as error:  # a graph pyshacl cannot walk
        raise GraphError(f"cannot validate the graph: {error}") from None
    violations = [_violation(results, shapes, r) for r in results.subjects(SH.focusNode, None)]
    violations.sort(key=_order)
    return ValidationReport(len(data), tuple(violations))


def _violation(results: Graph, shapes: Graph, result: Node) -> Violation:
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
    severity = results.value(result, SH.resultSeverity)
    return Violation(
        focus=_node_id(focus),
        path=_compact(path) if path is not None else None,
        message="; ".join(messages) or "does not conform",
        severity=_local(severity) if severity is not None else "Violation",
        value=None if value is None or value == focus else _compact(value),
        shape=_shape_name(shapes, results.value(result, SH.sourceShape)),
        constraint=_local(results.value(result, SH.sourceConstraintComponent)),
    )


def _order(v: Violation) -> tuple[bool, str, str, str, str, str]:
    return (v.focus.startswith("_:"), v.focus, v.path or "", v.shape, v.message, v.value or "")


def _node_id(node: Node | None) -> str:
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def _local(node: Node | None) -> str:
    text = str(node or "")
    for separator in ("#", "/"):
        text = text.rsplit(separator, 1)[-1]
    return text.removesuffix("ConstraintComponent")


def _compact(node: Node) -> str:
    """``kgo:confidence`` for a term of a known namespace, ``<iri>`` otherwise; a literal in
    N-Triples form with its datatype compacted (``"3.5"^^xsd:decimal``)."""
    if isinstance(node, URIRef):
        for prefix, namespace in _PREFIXES.items():
            local = str(node).removeprefix(namespace)
            if local != str(node) and local.replace("_", "").replace("-", "").isalnum():
                return f"{prefix}:{local}"
        return f"<{node}>"
    if isinstance(node, Literal):
        if node.datatype is not None:
            return f"{Literal(str(node)).n3()}^^{_compact(node.datatype)}"
        return node.n3()
    if isinstance(node, BNode):
        return f"_:{node}"
    return "(a path)"  # a complex SHACL path (a blank node list); shapes.ttl has none


def _shape_name(shapes: Graph, shape: Node | None) -> str:
    """The shape's name; a blank property shape is named by its node shape and its path."""
    if isinstance(shape, URIRef):
        return _compact(shape)
    if shape is None:
        return "?"
    owner = shapes.value(None, SH.property, shape)
    path = shapes.value(shape, SH.path)
    where = _compact(path) if isinstance(path, URIRef) else "a path"
    return f"{_compact(owner)} {where}" if isinstance(owner, URIRef) else f"a shape on {where}"
