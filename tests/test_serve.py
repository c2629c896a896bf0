"""kg serve as a user runs it: a read-only SPARQL endpoint on loopback, stopped by Ctrl-C."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.cli import cli
from kg.errors import KgError
from kg.query import declare
from kg.serve import check_bind, is_loopback, serve
from kg.vocab import PREFIX_IRIS

from .conftest import ROOT

COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
# Never through a proxy: every request of these tests goes to 127.0.0.1.
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def kg_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def kg_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from kg.cli import main; main()", *args]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen) -> None:
    """Stop a child still running (the tests' finally): Ctrl-C first, so that `kg serve`
    stops its own oxigraph child, then a kill."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait(10)
    for pipe in (process.stdout, process.stderr):  # else a ResourceWarning when collected
        if pipe is not None:
            pipe.close()


def sparql_count(base: str, graph: str | None = None) -> int:
    query = (
        COUNT if graph is None else f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    )
    request = urllib.request.Request(
        f"{base}/query?{urllib.parse.urlencode({'query': query})}",
        headers={"Accept": "application/sparql-results+json"},
    )
    with HTTP.open(request, timeout=10) as answer:
        assert answer.headers["Content-Type"].startswith("application/sparql-results+json")
        results = json.load(answer)
    return int(results["results"]["bindings"][0]["n"]["value"])


def store_count(out: Path, graph: ox.NamedNode | ox.DefaultGraph | None = None) -> int:
    store = ox.Store.read_only(str(out / "store"))
    return len(list(store.quads_for_pattern(None, None, None, graph or ox.DefaultGraph())))


class Served:
    """A `kg serve` child: its stderr lines are read by a thread, so a wait can time out."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            kg_command("serve", *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env or kg_env(),
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)
        self.lines.put(None)

    def ready(self, timeout: float = 10) -> str:
        """The URL the server printed when it answered."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            self.stderr.append(line)
            found = re.search(r"read-only at (http://\S+)/query \(Ctrl-C stops\)$", line)
            if found:
                return found.group(1)
        raise AssertionError(f"kg serve did not get ready: {''.join(self.stderr)!r}")


@pytest.fixture(scope="module")
def served(seed_build: Path) -> Iterator[tuple[str, int]]:
    """`kg serve -g OUT --port P` (the build of the seeds): (base URL, port)."""
    port = free_port()
    server = Served("-g", str(seed_build), "--port", str(port))
    try:
        base = server.ready()
        yield base, port
    finally:
        stop(server.process)


def test_count_is_the_merged_graph(served: tuple[str, int], seed_build: Path) -> None:
    base, port = served
    assert base == f"http://127.0.0.1:{port}"
    expected = store_count(seed_build)
    assert expected > 200
    assert sparql_count(base) == expected


def test_construct_is_graph_ttl(served: tuple[str, int], seed_build: Path) -> None:
    base, _ = served
    request = urllib.request.Request(
        f"{base}/query?{urllib.parse.urlencode({'query': 'CONSTRUCT WHERE { ?s ?p ?o }'})}",
        headers={"Accept": "application/n-triples"},
    )
    with HTTP.open(request, timeout=10) as answer:
        served_graph = Graph().parse(data=answer.read().decode("utf-8"), format="nt")
    assert isomorphic(served_graph, Graph().parse(seed_build / "graph.ttl"))


def test_updates_are_refused(served: tuple[str, int]) -> None:
    base, _ = served
    before = sparql_count(base)
    update = b"INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }"
    for path, body, kind in [
        ("/update", update, "application/sparql-update"),
        (
            "/store?default",
            b"<http://example.org/s> <http://example.org/p> 1 .",
            "application/n-triples",
        ),
    ]:
        request = urllib.request.Request(
            base + path, data=body, method="POST", headers={"Content-Type": kind}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            HTTP.open(request, timeout=10)
        refused.value.close()  # its socket, else a ResourceWarning whenever it is collected
        assert 400 <= refused.value.code < 500, path
    assert sparql_count(base) == before


def ask(base: str, query: str, how: str = "get", accept: str = "text/csv") -> tuple[int, str, str]:
    """A query sent as SPARQL's protocol has it (``how``: get, form or body): the status,
    the content type and the body of the answer."""
    url, data, kind = f"{base}/query", None, None
    if how == "get":
        url += "?" + urllib.parse.urlencode({"query": query})
    elif how == "form":
        data, kind = (
            urllib.parse.urlencode({"query": query}).encode(),
            "application/x-www-form-urlencoded",
        )
    else:
        data, kind = query.encode(), "application/sparql-query"
    headers = {"Accept": accept, **({"Content-Type": kind} if kind else {})}
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with HTTP.open(request, timeout=10) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers["Content-Type"], error.read().decode()


CITES_COUNT = "SELECT (COUNT(*) AS ?n) { ?citing cito:cites ?paper . ?paper a kgo:Paper }"


@pytest.mark.parametrize("how", ["get", "form", "body"])
def test_kg_prefixes_are_predeclared(served: tuple[str, int], how: str) -> None:
    base, _ = served
    assert ask(base, CITES_COUNT, how) == (200, "text/csv; charset=utf-8", "n\r\n5\r\n")
    # a query's own declarations: the same IRI, another IRI (the query's wins), another name
    cito = "<http://purl.org/spar/cito/>"
    assert ask(base, f"PREFIX cito: {cito}\n" + CITES_COUNT, how)[2] == "n\r\n5\r\n"
    assert ask(base, "PREFIX cito: <http://example.org/>\n" + CITES_COUNT, how)[2] == "n\r\n0\r\n"
    renamed = f"PREFIX c: {cito} " + CITES_COUNT.replace("cito:", "c:")
    assert ask(base, renamed, how)[2] == "n\r\n5\r\n"


@pytest.mark.parametrize("how", ["get", "form", "body"])
def test_a_bad_query_is_a_400_at_the_line_and_column_sent(
    served: tuple[str, int], how: str
) -> None:
    base, _ = served
    status, kind, body = ask(base, "SELECT * { ?s ?p ?o", how)
    assert (status, kind) == (400, "text/plain; charset=utf-8")
    assert body.splitlines() == [
        'bad query at line 1, column 20 (the end of the query): expected one of ",", ".", ";",'
        ' "{", "{|", "}", "~"',
        "  SELECT * { ?s ?p ?o",
        "                     ^",
    ]
    status, _, body = ask(base, "SELECT * {\n  ?s ?p ?o .\n  ?s foo:bar ?o }", how)
    known = ", ".join(sorted(PREFIX_IRIS))
    assert status == 400
    assert body.splitlines()[0] == (
        f"bad query at line 3, column 6: unknown prefix 'foo:' (kg declares {known}; "
        "declare others with PREFIX)"
    )
    # the line the query declares its prefixes on counts: kg adds none before it then
    status, _, body = ask(
        base, "".join(f"PREFIX {p}: <{i}>\n" for p, i in PREFIX_IRIS.items()) + "ASK {", how
    )
    assert status == 400 and body.startswith(f"bad query at line {len(PREFIX_IRIS) + 1}, column 6 ")


def test_the_query_editor_lists_the_prefixes(served: tuple[str, int]) -> None:
    base, _ = served
    with HTTP.open(f"{base}/", timeout=10) as answer:
        assert answer.headers["Content-Type"].startswith("text/html")
        page = answer.read().decode()
    assert 'id="kg-prefixes"' in page and "Yasgui" in page
    for prefix, iri in PREFIX_IRIS.items():
        assert f'<code title="{iri}">{prefix}:</code>' in page
    with HTTP.open(f"{base}/yasgui.min.js", timeout=10) as answer:  # the rest is Oxigraph's
        assert answer.status == 200 and len(answer.read()) > 100_000


def test_declare_adds_only_the_prefixes_a_query_lacks() -> None:
    text, added = declare("PREFIX cito: <http://example.org/>\nSELECT * { ?s cito:x ?o }")
    first, rest = text.split("\n", 1)
    assert added == 1 and rest == "PREFIX cito: <http://example.org/>\nSELECT * { ?s cito:x ?o }"
    assert "PREFIX cito:" not in first and "PREFIX kgo: <https://w3id.org/kg/ontology#>" in first
    everything = "".join(f"prefix {p}:<{i}> " for p, i in PREFIX_IRIS.items()) + "ASK {}"
    assert declare(everything) == (everything, 0)
    # a PREFIX in a string or a comment declares nothing
    text, added = declare('# PREFIX cito: <x>\nASK { ?s ?p "PREFIX kgo: <y>" }')
    assert added == 1 and "PREFIX cito:" in text.split("\n", 1)[0]


def test_listens_on_loopback_only(served: tuple[str, int]) -> None:
    _, port = served
    tcp = Path("/proc/net/tcp")
    if not tcp.exists():
        pytest.skip("no /proc/net/tcp here (the printed address is checked elsewhere)")
    listening = set()
    for table in (tcp, Path("/proc/net/tcp6")):
        if table.exists():
            for row in table.read_text().splitlines()[1:]:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.rsplit(":", 1)
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    listening.add(address)
    assert listening == {"0100007F"}  # 127.0.0.1, little-endian hex


def test_remote_host_without_allow_remote_is_refused(seed_build: Path) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "-g", str(seed_build), "--host", "0.0.0.0", "--port", str(free_port())]
    )
    assert result.exit_code == 1
    assert result.stderr == "Error: refusing to listen on 0.0.0.0 without --allow-remote\n"
    assert result.stdout == ""


def test_a_ttl_file_on_port_0_is_served_and_sigint_stops_it(
    seed_build: Path, tmp_path: Path
) -> None:
    """A single RDF file is loaded into a temporary store (removed afterwards); Ctrl-C ends
    the server with exit code 0."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    server = Served(
        "-g", str(seed_build / "graph.ttl"), "--port", "0", env=kg_env(TMPDIR=str(temporary))
    )
    try:
        base = server.ready()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        assert base != "http://127.0.0.1:0"
        assert sparql_count(base) == len(Graph().parse(seed_build / "graph.ttl"))
        assert [p.name for p in temporary.iterdir() if p.name.startswith("kg-serve-")]
        started = time.monotonic()
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(10) == 0
        assert time.monotonic() - started < 5
        assert "Traceback" not in "".join(server.stderr) + "".join(iter(server.lines.get, None))
        with pytest.raises(OSError):  # the oxigraph child is gone too
            HTTP.open(f"{base}/query?query=ASK%7B%7D", timeout=2)
        assert not [p for p in temporary.iterdir() if p.name.startswith("kg-serve-")]
    finally:
        stop(server.process)


def test_check_bind() -> None:
    for host in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host), host
        assert check_bind(host, allow_remote=False) is None
    for host in ("0.0.0.0", "::", "192.0.2.1", "example.org", ""):
        assert not is_loopback(host), host
    with pytest.raises(
        Exception, match=r"^refusing to listen on 0\.0\.0\.0 without --allow-remote$"
    ):
        check_bind("0.0.0.0", allow_remote=False)
    assert check_bind("0.0.0.0", allow_remote=True, port=7878) == (
        "serving to the network: anyone who can reach 0.0.0.0:7878 can read the graph"
    )


def test_a_port_in_use_is_one_error_line(seed_build: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "-g", str(seed_build), "--port", str(port)])
    assert result.exit_code == 1
    assert re.fullmatch(rf"Error: cannot listen on 127\.0\.0\.1:{port}: .+\n", result.stderr)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_killed_kg_serve_leaves_no_server(seed_build: Path) -> None:
    server = Served("-g", str(seed_build), "--port", "0")
    try:
        base = server.ready()
        server.process.kill()
        server.process.wait(10)
        deadline = time.monotonic() + 5
        while True:
            try:
                HTTP.open(f"{base}/query?query=ASK%7B%7D", timeout=1).close()
            except OSError:
                break
            assert time.monotonic() < deadline, "the oxigraph child outlived kg serve"
            time.sleep(0.05)
    finally:
        stop(server.process)


def test_missing_oxigraph_is_a_clear_error(
    seed_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(
        KgError, match=r"^the oxigraph server is not installed: pip install oxigraph$"
    ):
        serve(seed_build, port=free_port())


def test_a_server_that_dies_early_gives_its_error_line(tmp_path: Path) -> None:
    (tmp_path / "CURRENT").write_text("junk\n")  # looks like a store, is not one
    with pytest.raises(KgError, match=r"^the oxigraph server did not start: \S.*$") as error:
        serve(tmp_path, port=free_port())
    assert "\n" not in str(error.value)
