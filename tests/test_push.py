"""kg push against a real Oxigraph server (Graph Store Protocol), and against tiny local servers
that demand credentials. Nothing leaves 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.errors import KgError
from kg.push import push
from kg.serve import find_oxigraph

from .test_serve import HTTP, free_port, kg_command, kg_env, sparql_count, stop

TOKEN = "s3cr3t-t0ken-4711"
USER = "kg-user"
PASSWORD = "pa55-w0rd-0815"


def run_push(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        kg_command("push", *args), capture_output=True, text=True, env=kg_env(**env), timeout=60
    )


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    """A writable `oxigraph serve` on a free loopback port, with an empty store: its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [
            find_oxigraph(),
            "serve",
            "--location",
            str(tmp_path / "db"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            assert server.poll() is None, "oxigraph serve stopped"
            try:
                with HTTP.open(f"{base}/query?query=ASK%7B%7D", timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "oxigraph serve did not answer"
                time.sleep(0.05)
        yield base
    finally:
        stop(server)


def served_graphs(base: str) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    request = urllib.request.Request(
        f"{base}/query?{urllib.parse.urlencode({'query': query})}",
        headers={"Accept": "application/sparql-results+json"},
    )
    with HTTP.open(request, timeout=10) as answer:
        rows = json.load(answer)["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def served_graph(base: str, graph: str | None) -> Graph:
    where = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}"
    request = urllib.request.Request(
        f"{base}/query?{urllib.parse.urlencode({'query': query})}",
        headers={"Accept": "application/n-triples"},
    )
    with HTTP.open(request, timeout=10) as answer:
        return Graph().parse(data=answer.read().decode("utf-8"), format="nt")


def stored_graph(out: Path, graph: ox.NamedNode | ox.DefaultGraph) -> Graph:
    store = ox.Store.read_only(str(out / "store"))
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph).decode("utf-8")
    return Graph().parse(data=data, format="nt")


def test_every_triple_arrives_and_a_second_push_changes_nothing(
    endpoint: str, seed_build: Path
) -> None:
    merged = stored_graph(seed_build, ox.DefaultGraph())
    assert len(merged) > 200
    for _ in range(2):
        result = run_push("-g", str(seed_build), "--endpoint", f"{endpoint}/store")
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"put {len(merged)} triples into the default graph\n"
        assert result.stderr == ""
        assert sparql_count(endpoint) == len(merged)
        assert served_graphs(endpoint) == {}
    assert isomorphic(served_graph(endpoint, None), merged)


def test_per_source_puts_each_source_graph(endpoint: str, seed_build: Path) -> None:
    store = ox.Store.read_only(str(seed_build / "store"))
    sources = sorted(g.value for g in store.named_graphs())
    assert len(sources) == 2
    result = run_push("-g", str(seed_build), "--endpoint", f"{endpoint}/store", "--per-source")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith(" triples into the default graph")
    assert [line.rsplit(" ", 1)[1] for line in lines[1:]] == sources
    served = served_graphs(endpoint)
    assert sorted(served) == sources
    for source in sources:
        expected = stored_graph(seed_build, ox.NamedNode(source))
        assert f"put {len(expected)} triples into {source}" in lines
        assert served[source] == len(expected)
        assert isomorphic(served_graph(endpoint, source), expected)
    assert sparql_count(endpoint) == len(stored_graph(seed_build, ox.DefaultGraph()))


def test_graph_iri_puts_the_merged_graph_there(endpoint: str, seed_build: Path) -> None:
    iri = "https://example.org/kg/graph?v=1&x=a#b"  # percent-encoded in the request URL
    result = run_push("-g", str(seed_build), "--endpoint", f"{endpoint}/store", "--graph-iri", iri)
    assert result.returncode == 0, result.stderr
    merged = stored_graph(seed_build, ox.DefaultGraph())
    assert result.stdout == f"put {len(merged)} triples into {iri}\n"
    assert served_graphs(endpoint) == {iri: len(merged)}
    assert sparql_count(endpoint) == 0
    assert isomorphic(served_graph(endpoint, iri), merged)


def test_a_closed_port_is_one_error_line(seed_build: Path) -> None:
    port = free_port()
    result = run_push("-g", str(seed_build), "--endpoint", f"http://127.0.0.1:{port}/store")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: push failed: cannot reach http://127.0.0.1:{port}/store?default: "
        "Connection refused\n"
    )


def test_not_http_is_refused(seed_build: Path) -> None:
    for url in ("ftp://127.0.0.1/store", "file:///tmp/store", "127.0.0.1:3030/store"):
        with pytest.raises(KgError, match="must be an http or https URL"):
            push(seed_build, url, env={})
    with pytest.raises(KgError) as error:
        push(seed_build, f"http://{USER}:{PASSWORD}@127.0.0.1:1/store", env={})
    assert PASSWORD not in str(error.value)


class AuthServer:
    """A local HTTP server for PUTs: ``deny`` answers 401 echoing the Authorization header it
    got (so a leak would show), ``digest`` demands HTTP Digest (as Virtuoso does)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.received: list[tuple[str, bytes]] = []
        self.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093"
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/store"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> AuthServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def digest_ok(self, header: str, method: str) -> bool:
        if not header.startswith("Digest "):
            return False
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', header[7:]))
        ha1 = hashlib.md5(f"{USER}:SPARQL:{PASSWORD}".encode()).hexdigest()
        ha2 = hashlib.md5(f"{method}:{fields.get('uri')}".encode()).hexdigest()
        parts = [ha1, self.nonce, fields.get("nc"), fields.get("cnonce"), "auth", ha2]
        expected = hashlib.md5(":".join(map(str, parts)).encode()).hexdigest()
        return fields.get("username") == USER and fields.get("response") == expected

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                authorization = self.headers.get("Authorization", "")
                if outer.mode == "digest" and outer.digest_ok(authorization, "PUT"):
                    outer.received.append((self.path, body))
                    self.send_response(201)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                answer = f"denied for {authorization}\nsecond line\n".encode()
                self.send_response(401)
                if outer.mode == "digest":
                    self.send_header(
                        "WWW-Authenticate",
                        f'Digest realm="SPARQL", nonce="{outer.nonce}", qop="auth", '
                        'algorithm="MD5", opaque="5ebe2294ecd0e0f08eab7690d2a6ee69"',
                    )
                else:
                    self.send_header("WWW-Authenticate", 'Bearer realm="kg"')
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def test_401_never_shows_the_token(seed_build: Path) -> None:
    with AuthServer("deny") as server:
        result = run_push("-g", str(seed_build), "--endpoint", server.url, KG_ENDPOINT_TOKEN=TOKEN)
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: push failed: HTTP 401 Unauthorized from {server.url}?default\n"
    )
    assert TOKEN not in result.stdout + result.stderr


def test_401_never_shows_the_password(seed_build: Path) -> None:
    env = {"KG_ENDPOINT_USER": USER, "KG_ENDPOINT_PASSWORD": PASSWORD}
    with AuthServer("deny") as server, pytest.raises(KgError) as error:
        push(seed_build, server.url, env=env)
    message = str(error.value)
    assert message == f"push failed: HTTP 401 Unauthorized from {server.url}?default"
    assert PASSWORD not in message and USER not in message


def test_digest_auth_when_the_server_asks(seed_build: Path) -> None:
    env = {"KG_ENDPOINT_USER": USER, "KG_ENDPOINT_PASSWORD": PASSWORD}
    with AuthServer("digest") as server:
        report = push(seed_build, server.url, graph_iri="urn:kg:test", env=env)
    assert len(server.received) == 1
    path, body = server.received[0]
    assert path == "/store?graph=urn%3Akg%3Atest"
    merged = stored_graph(seed_build, ox.DefaultGraph())
    assert isomorphic(Graph().parse(data=body.decode("utf-8"), format="nt"), merged)
    assert report.graphs == (("urn:kg:test", len(merged)),)


def test_the_body_is_streamed_from_a_file(
    seed_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The N-Triples are dumped into a temporary file and sent from it, not held in memory."""
    sent: list[object] = []

    def fake_open(
        self: urllib.request.OpenerDirector, request: urllib.request.Request, **kw: object
    ) -> object:
        sent.append(request.data)
        raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", fake_open)
    with pytest.raises(KgError):
        push(seed_build, "http://127.0.0.1:1/store", env={})
    assert not isinstance(sent[0], bytes | bytearray)
    assert hasattr(sent[0], "read")


def test_a_wrong_digest_password_is_the_servers_401(seed_build: Path) -> None:
    env = {"KG_ENDPOINT_USER": USER, "KG_ENDPOINT_PASSWORD": "wrong-" + PASSWORD}
    with AuthServer("digest") as server, pytest.raises(KgError) as error:
        push(seed_build, server.url, env=env)
    assert server.received == []
    assert str(error.value) == f"push failed: HTTP 401 Unauthorized from {server.url}?default"
