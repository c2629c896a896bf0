"""SPARQL over a built graph: run a query (text, file or named) with bound parameters, refuse
what a read-only query tool must not do, and render the results.

Parameters are bound as RDF terms through Oxigraph's substitutions, never pasted into the
query text: ``-p doi='x" } UNION { ?s ?p ?o } #'`` is just a string that matches nothing.

kg's prefixes (kg.vocab.PREFIXES) are given to Oxigraph's parser rather than written into the
text, so that a syntax error is reported at the line and column of the text the user wrote.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Collection, Mapping
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

XSD = "http://www.w3.org/2001/XMLSchema#"
# Parameters that are years: ``year`` is bound as the graph writes a publication year
# (xsd:gYear, so it matches fabio:hasPublicationYear), ``from`` and ``to`` as the integers
# the named queries compare a year with.
YEAR_PARAMETERS = {"year": XSD + "gYear", "from": XSD + "integer", "to": XSD + "integer"}
_YEAR = re.compile(r"\d{4}")

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

# kg's prefixes as PREFIX lines, for an engine that cannot be given them (rdflib's, say).
PROLOGUE = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())


class QuerySyntaxError(QueryError, SyntaxError):
    """A query the parser refused, at ``line`` and ``column`` (from 1) of the text the user
    gave. Also a SyntaxError, which is what Oxigraph raises for it. Its message is one line,
    then the offending line with a caret under the column."""

    def __init__(self, message: str, line: int, column: int, reason: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.reason = reason


class ParameterError(QueryError):
    """A parameter's value is not one the parameter takes (``-p from=abc``): a usage error."""


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
    its normal form when it is one; ``year``, ``from`` and ``to`` are years (four digits, else
    ParameterError); anything else is a plain string."""
    if name in YEAR_PARAMETERS:
        year = value.strip()
        if not _YEAR.fullmatch(year):
            raise ParameterError(f"parameter {name}: {value!r} is not a year (such as 2019)")
        return ox.Literal(year, datatype=ox.NamedNode(YEAR_PARAMETERS[name]))
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
    hide: Collection[str] = (),
) -> Result:
    """Run a read-only query with ``params`` bound; the project's prefixes are predeclared.
    The variables ``hide`` names are left out of the result."""
    check(text)
    substitutions = {ox.Variable(k): term(k, v) for k, v in (params or {}).items()}
    outcome: dict[str, Any] = {}

    hidden: list[str] = list(hide)

    def ask() -> Any:
        try:
            return store.query(text, prefixes=PREFIX_IRIS, substitutions=substitutions)
        except RuntimeError as error:
            if not unprojected(error):
                raise
        from .rdflib_store import projecting  # rdflib's SPARQL parser: only when needed

        try:
            projected, added = projecting(text, [v.value for v in substitutions], PREFIX_IRIS)
            hidden.extend(added)
            return store.query(projected, prefixes=PREFIX_IRIS, substitutions=substitutions)
        except QueryError:
            raise
        except Exception as error:  # noqa: BLE001 - rdflib's algebra raises its own types
            # the rewritten text is not the user's: its errors have no place in theirs
            raise QueryError(
                f"cannot bind the parameters of this query: {_first_line(error)}"
            ) from None

    def work() -> None:
        try:
            outcome["result"] = _collect(ask(), hide=hidden)
        except QueryError as error:
            outcome["error"] = error
        except SyntaxError as error:
            outcome["error"] = syntax_error(text, str(error))
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


# ---------------------------------------------------------------------------- syntax errors

# Oxigraph's parse error: "error at LINE:COLUMN: expected …" (both from 1, columns in
# characters), the expectation being a list of tokens, character classes and messages.
_PARSE_ERROR = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)
_DECLARED = re.compile(r"\bPREFIX\s+([^\s:]*)\s*:", re.I)
# A prefixed name's prefix (PN_PREFIX, possibly empty) and colon, where a token starts: not
# inside a variable, a number, a blank node label (_:b) or another name.
_PNAME = re.compile(
    r"(?<![\w\-.:?$\u00b7\u00c0-\U000effff])"
    r"((?:[A-Za-z\u00c0-\U000effff][\w\-.\u00b7\u00c0-\U000effff]*)?):"
)
_LONGEST_LINE = 100  # characters of the offending line shown around the column


def known_prefixes() -> str:
    """kg's prefix names, as an error message lists them."""
    return ", ".join(sorted(PREFIXES))


def declare(text: str) -> tuple[str, int]:
    """``text`` with kg's prefixes it does not declare itself declared on a first line of
    their own, and how many lines that adds (0 or 1): for an engine that cannot be given
    prefixes (Oxigraph's server). A prefix the user declares is theirs."""
    declared = set(_DECLARED.findall(_code(text)))
    missing = [f"PREFIX {p}: <{iri}>" for p, iri in PREFIX_IRIS.items() if p not in declared]
    if not missing:
        return text, 0
    return " ".join(missing) + "\n" + text, 1


def syntax_error(
    text: str,
    message: str,
    *,
    line_offset: int = 0,
    known: Collection[str] = PREFIXES,
) -> QuerySyntaxError:
    """The parser's ``message`` about ``text`` as the user should read it: at the line and
    column of ``text`` (the parser saw ``line_offset`` more lines before it), an unknown prefix
    named with the ones kg declares (``known`` are all those in effect), the parser's list of
    expected characters left out."""
    if not text.strip():
        return QuerySyntaxError("bad query: the query is empty", 1, 1, "the query is empty")
    found = _PARSE_ERROR.match(message.strip())
    if found:
        line, column = int(found[1]) - line_offset, int(found[2])
        reason = _reason(found[3])
    else:
        line, column, reason = 0, 0, _first_line(SyntaxError(message.strip() or "syntax error"))
    undeclared = _undeclared(text, known)
    if undeclared:
        # the parser points just past the name, or somewhere else: point at the name itself
        after = _index(text, line, column) if line > 0 else -1
        prefix, start = next(
            ((p, i) for p, i, end in undeclared if end == after), undeclared[0][:2]
        )
        line, column = _position(text, start)
        reason = (
            f"unknown prefix '{prefix}:' (kg declares {known_prefixes()}; "
            "declare others with PREFIX)"
        )
    if line < 1:
        return QuerySyntaxError(f"bad query: {reason}", 0, 0, reason)
    end = _index(text, line, column) >= len(text.rstrip())
    if end:  # past trailing blank lines: just after the last thing written
        line, column = _position(text, len(text.rstrip()))
    where = f"line {line}, column {column}" + (" (the end of the query)" if end else "")
    excerpt = _excerpt(text, line, column)
    message = f"bad query at {where}: {reason}" + ("\n" + excerpt if excerpt else "")
    return QuerySyntaxError(message, line, column, reason)


def _code(text: str) -> str:
    """``text`` with its strings, IRIs and comments blanked out (same length, same lines)."""
    return _SKIPPED.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _undeclared(text: str, known: Collection[str]) -> list[tuple[str, int, int]]:
    """The prefixed names of ``text`` whose prefix neither ``known`` nor the text declares:
    (prefix, where the name starts, where its prefix and colon end), in order."""
    code = _code(text)
    declared = set(_DECLARED.findall(code)) | set(known) | {"_"}
    code = _DECLARED.sub(lambda m: " " * len(m.group(0)), code)
    found = []
    for match in _PNAME.finditer(code):
        if match[1] not in declared:
            local = re.match(r"[^\s(){}\[\],;|/^*+?!=<>\"']*", code[match.end() :])
            found.append((match[1], match.start(), match.end() + (len(local[0]) if local else 0)))
    return found


def _reason(expected: str) -> str:
    """What the parser's expectation says in words: its messages (such as "The SELECT
    contains a variable that is unbound"), else the punctuation it expected, else nothing more
    than that the query is malformed. Character classes and keyword lists are left out: they
    list what any token could have been, not what is wrong."""
    items = _expectation_items(expected.removeprefix("expected one of ").removeprefix("expected "))
    messages = [i for i in items if " " in i and not i.startswith(('"', "["))]
    if messages:
        return "; ".join(m[0].lower() + m[1:] if m[1:2].islower() else m for m in messages)
    tokens = [i for i in items if i.startswith('"')]
    if tokens:
        return "expected " + (
            " or ".join(tokens) if len(tokens) <= 2 else "one of " + ", ".join(tokens)
        )
    return "syntax error"


def _expectation_items(text: str) -> list[str]:
    """``"a", [class, with, commas], WORD, A message`` -> its items."""
    items: list[str] = []
    i = 0
    while i < len(text):
        if text[i] in ", \n":
            i += 1
            continue
        if text[i] == '"':
            end = i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            items.append(text[i : end + 1])
            i = end + 1
        elif text[i] == "[":
            end = i + 1
            while end < len(text) and text[end] != "]":
                if text[end] == "'":  # a quoted character, which may be ']'
                    end += 1
                    while end < len(text) and text[end] != "'":
                        end += 2 if text[end] == "\\" else 1
                end += 1
            items.append(text[i : end + 1])
            i = end + 1
        else:
            end = text.find(", ", i)
            end = len(text) if end < 0 else end
            items.append(text[i:end].strip())
            i = end
    return items


def _index(text: str, line: int, column: int) -> int:
    """The index in ``text`` of a line and column (from 1)."""
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[: line - 1]) + column - 1


def _position(text: str, index: int) -> tuple[int, int]:
    """The line and column (from 1) of an index in ``text``."""
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _excerpt(text: str, line: int, column: int) -> str:
    """The line (cut around the column when long) and a caret under the column."""
    lines = text.split("\n")
    if line > len(lines):
        return ""
    shown = lines[line - 1].rstrip("\r")
    at = min(column - 1, len(shown))
    start = max(0, min(at - _LONGEST_LINE // 2, len(shown) - _LONGEST_LINE))
    cut = shown[start : start + _LONGEST_LINE]
    lead = "…" if start > 0 else ""
    tail = "…" if start + _LONGEST_LINE < len(shown) else ""
    pad = "".join("\t" if c == "\t" else " " for c in shown[start:at])
    return f"  {lead}{cut}{tail}\n  {' ' * len(lead)}{pad}^"


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
    if "from" in params and "to" in params:
        first, last = term("from", params["from"]), term("to", params["to"])
        if int(first.value) > int(last.value):
            raise ParameterError(f"from={first.value} is after to={last.value}")
    hide = BOUNDS.intersection(query.parameters)
    return run(store, query.text, params, timeout, hide=hide)


# A named query's parameters that bound the years it keeps: projected only so that Oxigraph
# binds them (it binds only projected variables), and never shown.
BOUNDS = frozenset({"from", "to"})


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
