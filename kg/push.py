"""``kg push``: upload a built graph to a triple store with the SPARQL 1.1 Graph Store HTTP
Protocol (PUT, so pushing twice leaves the same triples).

The merged graph goes to ``ENDPOINT?default`` (or ``ENDPOINT?graph=IRI``), each source's graph,
on request, to ``ENDPOINT?graph=SOURCE``, as N-Triples streamed from a temporary file.
Credentials come only from the environment (``KG_ENDPOINT_TOKEN``, or ``KG_ENDPOINT_USER`` and
``KG_ENDPOINT_PASSWORD``: Basic, or Digest when the server asks for it) and never appear in a
message.
"""

from __future__ import annotations

import base64
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit, urlunsplit

import pyoxigraph as ox

from .errors import KgError
from .store import open_graph

TIMEOUT = 60.0  # seconds without progress before a request is given up
DEFAULT_GRAPH = "the default graph"
N_TRIPLES = "application/n-triples"


class PushError(KgError):
    """The endpoint, the credentials or the upload failed."""


@dataclass(frozen=True)
class PushReport:
    """Each graph put: (``the default graph`` or the graph's IRI, number of triples)."""

    graphs: tuple[tuple[str, int], ...]


def push(
    graph: Path,
    endpoint: str,
    *,
    graph_iri: str | None = None,
    per_source: bool = False,
    env: Mapping[str, str] = os.environ,
    timeout: float = TIMEOUT,
) -> PushReport:
    """PUT the merged graph of ``graph`` (a build folder or an RDF file) to ``endpoint``'s
    default graph, or to the named graph ``graph_iri``; with ``per_source`` also each source's
    named graph to a graph of the same IRI."""
    base = _check_endpoint(endpoint)
    target: ox.NamedNode | None = None
    if graph_iri is not None:
        try:
            target = ox.NamedNode(graph_iri)
        except ValueError:
            raise PushError(f"not an absolute IRI: --graph-iri {graph_iri}") from None
    credentials = _credentials(env)
    store = open_graph(Path(graph))
    uploads: list[tuple[str, ox.DefaultGraph | ox.NamedNode, str]] = [
        (
            target.value if target else DEFAULT_GRAPH,
            ox.DefaultGraph(),
            f"graph={quote(target.value, safe='')}" if target else "default",
        )
    ]
    if per_source:
        for name in sorted(store.named_graphs(), key=str):
            if not isinstance(name, ox.NamedNode):
                raise PushError(f"the graph holds a named graph without an IRI ({name})")
            uploads.append((name.value, name, f"graph={quote(name.value, safe='')}"))
    opener = _opener(base, credentials)
    sent = []
    for label, source, query in uploads:
        url = f"{base}{'&' if '?' in base else '?'}{query}"
        sent.append((label, _put(store, source, url, opener, credentials, timeout)))
    return PushReport(graphs=tuple(sent))


def _check_endpoint(endpoint: str) -> str:
    try:
        parts = urlsplit(endpoint.strip())
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        raise PushError("the endpoint is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PushError(f"the endpoint must be an http or https URL, not {_redact(parts)}")
    if parts.username is not None or parts.password is not None:
        raise PushError(
            "the endpoint URL must not hold credentials: "
            "set KG_ENDPOINT_TOKEN, or KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD"
        )
    if parts.fragment:
        raise PushError("the endpoint URL must not have a #fragment")
    return urlunsplit(parts)


def _redact(parts: Any) -> str:
    """A URL for a message: no user or password, only scheme, host, port and path."""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else "that"


@dataclass(frozen=True)
class _Credentials:
    header: str | None  # the Authorization header sent with every request
    user: str | None = None  # for Digest, when the server asks for it
    password: str | None = None

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.header, self.user, self.password) if s)


def _credentials(env: Mapping[str, str]) -> _Credentials:
    token = env.get("KG_ENDPOINT_TOKEN", "").strip()
    user = env.get("KG_ENDPOINT_USER", "")
    password = env.get("KG_ENDPOINT_PASSWORD", "")
    if token:
        if not token.isprintable() or not token.isascii():
            raise PushError("KG_ENDPOINT_TOKEN holds characters not allowed in an HTTP header")
        return _Credentials(f"Bearer {token}")
    if bool(user) != bool(password):
        raise PushError("set both KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD, or neither")
    if not user:
        return _Credentials(None)
    if ":" in user:
        raise PushError("KG_ENDPOINT_USER must not hold a ':'")
    basic = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return _Credentials(f"Basic {basic}", user, password)


class _Rewind(urllib.request.BaseHandler):
    """Rewinds a file body before each request: a Digest retry sends the body again."""

    handler_order = 1000

    def http_request(self, request: urllib.request.Request) -> urllib.request.Request:
        if hasattr(request.data, "seek"):
            request.data.seek(0)  # type: ignore[union-attr]
        return request

    https_request = http_request


class _Digest(urllib.request.HTTPDigestAuthHandler):
    """HTTP Digest, only when the server asks for it, and tried once (wrong credentials give
    the server's own 401)."""

    def http_error_401(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        challenges = headers.get_all("WWW-Authenticate") or []
        if not challenges or not challenges[0].strip().lower().startswith("digest "):
            return None
        if (req.get_header("Authorization") or "").startswith("Digest "):
            return None
        try:
            answer = super().http_error_401(req, fp, code, msg, headers)
        except ValueError:
            return None
        except urllib.error.URLError:
            fp.close()  # the challenge, answered by the retry's failure
            raise
        if answer is not None:
            fp.close()  # the challenge, answered by the retry
        return answer


def _opener(base: str, credentials: _Credentials) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [_Rewind()]
    if credentials.user is not None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        parts = urlsplit(base)
        root = f"{parts.scheme}://{parts.netloc}/"
        passwords.add_password(None, root, credentials.user, credentials.password)
        handlers.append(_Digest(passwords))
    return urllib.request.build_opener(*handlers)


def _put(
    store: ox.Store,
    source: ox.DefaultGraph | ox.NamedNode,
    url: str,
    opener: urllib.request.OpenerDirector,
    credentials: _Credentials,
    timeout: float,
) -> int:
    """PUT one graph of ``store`` to ``url``; the number of triples sent."""
    count = next(iter(store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", default_graph=source)))
    with tempfile.TemporaryFile() as body:
        store.dump(body, format=ox.RdfFormat.N_TRIPLES, from_graph=source)
        size = body.tell()
        body.seek(0)
        request = urllib.request.Request(url, data=body, method="PUT")
        request.add_header("Content-Type", N_TRIPLES)
        request.add_header("Content-Length", str(size))
        if credentials.header:
            request.add_unredirected_header("Authorization", credentials.header)
        try:
            with opener.open(request, timeout=timeout) as answer:
                answer.read()
        except urllib.error.HTTPError as error:
            raise PushError(_http_failure(error, url, credentials)) from None
        except urllib.error.URLError as error:
            raise PushError(f"push failed: cannot reach {url}: {_reason(error.reason)}") from None
        except TimeoutError:
            raise PushError(f"push failed: no answer from {url} within {timeout:g} s") from None
        except (OSError, HTTPException) as error:
            raise PushError(f"push failed: {url}: {_reason(error)}") from None
    return int(count["n"].value)


def _http_failure(error: urllib.error.HTTPError, url: str, credentials: _Credentials) -> str:
    message = f"push failed: HTTP {error.code} {_one_line(str(error.reason))} from {url}"
    detail = _first_line(error.fp)
    error.close()
    if detail and not any(secret in detail for secret in credentials.secrets()):
        message += f": {detail}"
    return message


def _first_line(fp: IO[bytes] | None) -> str:
    """The first non-blank line of an error body, short (never a dump of it)."""
    if fp is None:
        return ""
    try:
        head = fp.read(2048)
    except (OSError, HTTPException):
        return ""
    text = head.decode("utf-8", "replace") if isinstance(head, bytes) else ""
    if text.lstrip().startswith("<"):  # an HTML page: its text is not one line
        return ""
    for line in text.splitlines():
        if line.strip():
            return _one_line(line)[:160]
    return ""


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return _one_line(str(reason)) or type(reason).__name__


def _one_line(text: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())
