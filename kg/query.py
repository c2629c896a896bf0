"""SPARQL over a built graph: run a query (text, file or named) with bound parameters, refuse
what a read-only query tool must not do, and render the results.

Parameters are bound as RDF terms through Oxigraph's substitutions, never pasted into the
query text: ``-p doi='x" } UNION { ?s ?p ?o } #'`` is just a string that matches nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pyoxigraph as ox

from .errors import QueryError
from .ids import normalize_doi, normalize_pmcid, normalize_pmid
from .store import unprojected
from .vocab import PREFIX_IRIS, PREFIXES

# Parameters with a normal form: a DOI is matched lowercase, a PMCID with its "PMC".
NORMALIZERS = {"doi": normalize_doi, "pmid": normalize_pmid, "pmcid": normalize_pmcid}

# Parameters that name a node: a bare http(s) IRI is taken as an IRI, not as a string.
IRI_PARAMETERS = frozenset({"paper", "person"})

# What a read-only query may not contain (outside strings, IRIs and comments).
REFUSED = {
    "SERVICE": "SERVICE (federated queries reach other servers) is refused",
    "LOAD": "LOAD is refused: kg query only reads",
    "INSERT": "updates are refused: kg query only reads",
    "DELETE": "updates are refused: kg query only reads",
    "CLEAR": "updates are refused: kg query only reads",
    "DROP": "updates are refused: kg query only reads",
    "CREATE": "updates are refused: kg query only reads",
}
_SKIPPED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*',
)
_WORD = re.compile(r"[A-Za-z_]+")
_HEADER = re.compile(r"^#\s?(?P<text>.*)$")
_FIELD = re.compile(r"^(?P<key>Parameters|Example):\s*(?P<value>.*)$", re.I)

PROLOGUE = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())


@dataclass(frozen=True)
class NamedQuery:
    """A query that ships in kg/queries/NAME.rq, described by its header comment."""

    name: str
    summary: str
    parameters: tuple[str, ...]
    example: str
    text: str


@dataclass
class Result:
    """``kind`` is "select", "ask" or "graph"."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)


def check(text: str) -> None:
    """Refuse SERVICE, LOAD and updates, wherever they are outside strings and IRIs."""
    code = _SKIPPED.sub(" ", text)
    for word in _WORD.findall(code):
        if (reason := REFUSED.get(word.upper())) is not None:
            raise QueryError(reason)


def term(name: str, value: str) -> ox.NamedNode | ox.Literal:
    """A parameter as an RDF term: ``<…>`` is an IRI; a DOI, PMID or PMCID parameter is put in
    its normal form when it is one; anything else is a plain string."""
    if name in IRI_PARAMETERS and re.match(r"https?://", value):
        value = f"<{value}>"  # a person or paper given by its bare IRI
    if value.startswith("<") and value.endswith(">"):
        try:
            return ox.NamedNode(value[1:-1])
        except ValueError as error:
            raise QueryError(f"parameter {name}: not an IRI: {error}") from None
    normalize = NORMALIZERS.get(name)
    return ox.Literal((normalize(value) if normalize else None) or value)


def parse_params(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["doi=10.1/x", "year=2020"]`` -> a dict; a pair without ``=`` is an error."""
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise QueryError(f"a parameter is name=value, not {pair!r}")
        params[name] = value
    return params


def run(
    store: ox.Store,
    text: str,
    params: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Result:
    """Run a read-only query with ``params`` bound; the project's prefixes are predeclared."""
    check(text)
    substitutions = {ox.Variable(k): term(k, v) for k, v in (params or {}).items()}
    outcome: dict[str, Any] = {}

    hidden: list[str] = []

    def ask() -> Any:
        try:
            return store.query(PROLOGUE + text, substitutions=substitutions)
        except RuntimeError as error:
            if not unprojected(error):
                raise
        from .rdflib_store import projecting  # rdflib's SPARQL parser: only when needed

        projected, added = projecting(PROLOGUE + text, [v.value for v in substitutions])
        hidden.extend(added)
        return store.query(projected, substitutions=substitutions)

    def work() -> None:
        try:
            outcome["result"] = _collect(ask(), hide=hidden)
        except SyntaxError as error:
            outcome["error"] = QueryError(f"bad query: {_first_line(error)}")
        except QueryError as error:
            outcome["error"] = error
        except (OSError, ValueError, RuntimeError) as error:
            outcome["error"] = QueryError(f"query failed: {_first_line(error)}")

    if timeout is None:
        work()
    else:
        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise QueryError(f"query took longer than {timeout:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _collect(found: Any, hide: list[str] | None = None) -> Result:
    if isinstance(found, ox.QueryBoolean):
        return Result("ask", boolean=bool(found))
    if isinstance(found, ox.QuerySolutions):
        variables = [v.value for v in found.variables if v.value not in (hide or [])]
        rows = [tuple(solution[v] for v in variables) for solution in found]
        return Result("select", variables=variables, rows=rows)
    return Result("graph", triples=list(found))


def named() -> dict[str, NamedQuery]:
    """The queries that ship with kg, by name."""
    found: dict[str, NamedQuery] = {}
    folder = resources.files("kg.queries")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            query = _describe(entry.name[:-3], entry.read_text(encoding="utf-8"))
            found[query.name] = query
    return found


def _describe(name: str, text: str) -> NamedQuery:
    """The header comment: a summary line, then ``Parameters: doi | pmid`` and ``Example: …``."""
    summary, parameters, example = "", (), ""
    for line in text.splitlines():
        header = _HEADER.match(line)
        if not header:
            break
        content = header["text"].strip()
        field_match = _FIELD.match(content)
        if field_match and field_match["key"].lower() == "parameters":
            value = field_match["value"].strip()
            parameters = tuple(p.strip() for p in re.split(r"[|,]", value) if p.strip())
            parameters = tuple(p for p in parameters if p.lower() != "none")
        elif field_match:
            example = field_match["value"].strip()
        elif content and not summary:
            summary = content
    return NamedQuery(name, summary, parameters, example, text)


def run_named(
    store: ox.Store,
    name: str,
    params: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Result:
    queries = named()
    if name not in queries:
        raise QueryError(f"no query named {name!r} (kg query --list shows them)")
    query = queries[name]
    accepted = set(query.parameters) | (set(_PAPER_IDS) if PAPER in query.parameters else set())
    unknown = sorted(set(params or {}) - accepted)
    if unknown:
        raise QueryError(
            f"query {name!r} takes {' | '.join(query.parameters) or 'no parameters'}, "
            f"not {', '.join(unknown)}"
        )
    params = dict(params or {})
    if PAPER in query.parameters:
        params = _with_paper(store, params)
    return run(store, query.text, params, timeout)


PAPER = "paper"  # a named query's parameter: the paper, given by doi=, pmid= or pmcid=
_PAPER_IDS = {
    "doi": "prism:doi",
    "pmid": "fabio:hasPubMedId",
    "pmcid": "fabio:hasPubMedCentralId",
}


def _with_paper(store: ox.Store, params: dict[str, str]) -> dict[str, str]:
    """``doi=…``, ``pmid=…`` or ``pmcid=…`` (or ``paper=<IRI>``) -> ``paper=<IRI>``. A paper
    that is not in the graph is bound to an IRI that matches nothing, so the query gives no
    rows rather than an error."""
    given = {k: params.pop(k) for k in list(params) if k in _PAPER_IDS}
    if PAPER in params:
        if given:
            raise QueryError("give the paper once: paper=<IRI>, doi=, pmid= or pmcid=")
        return params
    if len(given) != 1:
        raise QueryError("this query needs the paper: -p doi=…, -p pmid=… or -p pmcid=…")
    ((kind, value),) = given.items()
    value = NORMALIZERS[kind](value) or value
    found = run(store, f"SELECT ?p ?id {{ ?p {_PAPER_IDS[kind]} ?id }}", {"id": value}).rows
    iri = found[0][0].value if found else "urn:kg:no-such-paper"
    return {**params, PAPER: f"<{iri}>"}


# ---------------------------------------------------------------------------- rendering


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, ox.Literal | ox.NamedNode):
        return value.value
    return str(value)


def render(result: Result, fmt: str = "table", width: int = 60) -> str:
    """SELECT/ASK as an aligned table (long values cut), CSV, TSV or SPARQL JSON results;
    CONSTRUCT/DESCRIBE as Turtle (whatever ``fmt``)."""
    if result.kind == "graph":
        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in result.triples)
        data = store.dump(
            format=ox.RdfFormat.TURTLE,
            from_graph=ox.DefaultGraph(),
            prefixes=PREFIX_IRIS,
        )
        return data.decode("utf-8")
    if result.kind == "ask":
        if fmt == "json":
            return '{"head": {}, "boolean": ' + ("true" if result.boolean else "false") + "}\n"
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "table":
        return _table(result, width)
    return RENDERERS[fmt](result)


def _csv(result: Result) -> str:
    """SPARQL 1.1 CSV results: plain values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    writer.writerows([_plain(v) for v in row] for row in result.rows)
    return out.getvalue()


def _tsv(result: Result) -> str:
    """SPARQL 1.1 TSV results: terms in their N-Triples form."""
    lines = ["\t".join("?" + v for v in result.variables)]
    lines += ["\t".join("" if v is None else str(v) for v in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _json_term(value: Any) -> dict[str, str]:
    if isinstance(value, ox.NamedNode):
        return {"type": "uri", "value": value.value}
    if isinstance(value, ox.BlankNode):
        return {"type": "bnode", "value": value.value}
    term: dict[str, str] = {"type": "literal", "value": value.value}
    if value.language:
        term["xml:lang"] = value.language
    elif value.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        term["datatype"] = value.datatype.value
    return term


def _json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = [
        {k: _json_term(v) for k, v in zip(result.variables, row, strict=True) if v is not None}
        for row in result.rows
    ]
    data = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _table(result: Result, width: int = 60) -> str:
    def cut(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= width else text[: width - 1] + "…"

    header = result.variables
    cells = [[cut(_plain(v)) for v in row] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    count = len(cells)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(lines) + "\n"


RENDERERS = {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json}
FORMATS = tuple(RENDERERS)
