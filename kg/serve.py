"""``kg serve``: a built graph over the SPARQL protocol, read-only, by Oxigraph's own server.

The ``oxigraph`` executable (PyPI package ``oxigraph``) runs ``serve-read-only`` on the build
folder's ``store/``; a single RDF file is first loaded into a temporary store, removed when the
server stops. It listens on a free loopback port; what users reach is a small front in this
process (``Front``), on the address asked for, which passes every request on and answers
back, except that a query gets kg's prefixes it does not declare (kg.query.declare), a syntax
error is told at the line and column of the query as sent (kg.query.syntax_error), and the
query editor's page lists the prefixes. It listens on loopback unless the caller allows
otherwise (``check_bind``). Nothing is printed here: the caller hears of the URL through
``on_ready``.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import html
import http.client
import ipaddress
import json
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pyoxigraph as ox

from .errors import KgError
from .query import declare, syntax_error
from .store import load_file, store_location
from .vocab import PREFIX_IRIS

STARTUP_TIMEOUT = 30.0  # seconds to wait for the server's first answer
STOP_TIMEOUT = 5.0  # seconds between SIGTERM and SIGKILL
PR_SET_PDEATHSIG = 1  # prctl(2)
QUERY_PATHS = {"/query", "/sparql"}  # where Oxigraph's server answers queries
# Headers of one connection, not to be passed on (RFC 9110, 7.6.1); the length is set anew,
# and the body is asked for uncompressed so that an error in it can be read.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "accept-encoding",
    }
)
CHUNK = 1 << 16  # bytes of an answer passed on at a time


class ServeError(KgError):
    """The server cannot be started, or stopped by itself with an error."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is ``localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    name = host.strip().removeprefix("[").removesuffix("]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def check_bind(host: str, allow_remote: bool, *, port: int | None = None) -> str | None:
    """Refuse a non-loopback ``host`` unless ``allow_remote``; with it, the warning to show.
    None for a loopback address."""
    if is_loopback(host):
        return None
    if not allow_remote:
        raise ServeError(f"refusing to listen on {host} without --allow-remote")
    where = _authority(host, port) if port is not None else host
    return f"serving to the network: anyone who can reach {where} can read the graph"


def find_oxigraph() -> str:
    """The ``oxigraph`` executable: beside this Python first (a venv's bin/), then on PATH."""
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )
    if not found:
        raise ServeError("the oxigraph server is not installed: pip install oxigraph")
    return found


def serve(
    graph: Path,
    host: str = "127.0.0.1",
    port: int = 7878,
    on_ready: Callable[[str], None] | None = None,
    *,
    startup_timeout: float = STARTUP_TIMEOUT,
) -> None:
    """Serve ``graph`` (a build folder, a store folder or one RDF file) read-only at
    ``http://HOST:PORT/query`` until the server stops or Ctrl-C (which returns normally).

    ``on_ready(url)`` is called with the query endpoint's URL once the server answers. Port 0
    picks a free port; a port in use is refused. Callers check ``host`` with ``check_bind``
    first. kg's prefixes are predeclared for every query."""
    executable = find_oxigraph()
    try:
        with (
            _sigterm_as_interrupt(),
            _location(Path(graph)) as location,
            _front(host, port) as front,
        ):
            inner = _claim_port("127.0.0.1", 0)
            _run(executable, location, inner, front, on_ready, startup_timeout)
    except KeyboardInterrupt:
        return


def _run(
    executable: str,
    location: Path,
    inner: int,
    front: Front,
    on_ready: Callable[[str], None] | None,
    startup_timeout: float,
) -> None:
    """Run Oxigraph's server on loopback port ``inner`` and, once it answers, ``front``."""
    authority = _authority("127.0.0.1", inner)
    with tempfile.TemporaryFile() as log:
        child = subprocess.Popen(
            [executable, "serve-read-only", "--location", str(location), "--bind", authority],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            env={**os.environ, "RUST_BACKTRACE": "0", "RUST_LIB_BACKTRACE": "0"},
            preexec_fn=_die_with_parent(),
        )
        try:
            _wait_until_ready(child, f"http://{authority}/query", log, startup_timeout)
            front.upstream = authority
            serving = threading.Thread(target=front.serve_forever, name="kg-serve", daemon=True)
            serving.start()
            try:
                if on_ready is not None:
                    on_ready(front.url)
                code = child.wait()
            finally:
                front.shutdown()
        finally:
            _stop(child)
        if code > 0:
            raise ServeError(f"the oxigraph server stopped: {_last_line(log)}")
        if code < 0 and -code not in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C reaches it too
            raise ServeError(f"the oxigraph server was stopped by signal {-code}")


@contextlib.contextmanager
def _location(graph: Path) -> Iterator[Path]:
    """The store folder to serve: the build folder's own, or a temporary one for a file."""
    location = store_location(graph)
    if location is not None:
        yield location
        return
    folder = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    try:
        store = ox.Store(str(folder))
        try:
            load_file(graph, store).flush()
        finally:
            del store
            gc.collect()  # the store's files are closed only when the object is gone
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _bare(host: str) -> str:
    return host.strip().removeprefix("[").removesuffix("]")


def _authority(host: str, port: int) -> str:
    host = _bare(host)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _claim_port(host: str, port: int) -> int:
    """``port`` if nobody listens on it, or a free port for 0 (Oxigraph does not tell which
    one it got)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            _bare(host), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            if os.name == "posix":  # as the server does: a port in TIME_WAIT is free
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
            return int(probe.getsockname()[1])
    except OSError as error:
        reason = error.strerror or str(error)
        raise ServeError(f"cannot listen on {_authority(host, port)}: {reason}") from None


class Front(ThreadingHTTPServer):
    """What users reach: listens on the address asked for and passes each request on to
    Oxigraph's server at ``upstream`` (``Proxy``)."""

    daemon_threads = True
    allow_reuse_address = os.name == "posix"  # as Oxigraph does: a port in TIME_WAIT is free

    def __init__(self, host: str, port: int) -> None:
        family, _, _, _, address = socket.getaddrinfo(
            _bare(host), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        self.address_family = family
        self.host = host
        self.upstream = ""  # HOST:PORT of Oxigraph's server, once it answers
        super().__init__(address, Proxy)

    def server_bind(self) -> None:
        # not HTTPServer's, which looks the host's name up (a DNS query) for nothing
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    @property
    def url(self) -> str:
        """The query endpoint's URL."""
        return f"http://{_authority(self.host, self.server_port)}/query"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer: nothing to tell (the base prints a traceback)."""


@contextlib.contextmanager
def _front(host: str, port: int) -> Iterator[Front]:
    """A Front listening on ``host``:``port`` (0: a free port), closed when the block ends."""
    try:
        front = Front(host, port)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ServeError(f"cannot listen on {_authority(host, port)}: {reason}") from None
    try:
        yield front
    finally:
        front.server_close()


class Proxy(BaseHTTPRequestHandler):
    """One request to the Front, passed on to Oxigraph's server and answered with its answer
    as it comes. A query (``query=`` in the URL or a form, or a ``application/sparql-query``
    body, at /query or /sparql) gets kg's prefixes first (kg.query.declare), and a syntax error
    in it is told at the line and column of the query as sent; the query editor's page (``/``)
    lists the prefixes."""

    server: Front
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._forward()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Nothing is logged: kg serve prints only its URL."""

    def _forward(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True  # the body is left unread
            self._answer(411, "a request body needs a Content-Length\n")
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        path, query, offset = self.path, None, 0
        if urlsplit(self.path).path in QUERY_PATHS:
            path, body, query, offset = _with_prefixes(
                self.command, self.path, body, self.headers.get("Content-Type", "")
            )
        upstream = http.client.HTTPConnection(self.server.upstream)
        try:
            try:
                upstream.request(self.command, path, body=body or None, headers=headers)
                answer = upstream.getresponse()
            except OSError as error:
                self._answer(502, f"the oxigraph server did not answer: {error}\n")
                return
            if answer.status == 400 and query is not None:
                text = answer.read().decode("utf-8", "replace")
                if text.startswith("error at "):
                    message = str(syntax_error(query, text, line_offset=offset))
                    self._answer(400, message + "\n")
                    return
                self._pass(answer, text.encode("utf-8"))
            elif self.command == "GET" and urlsplit(self.path).path == "/" and answer.status == 200:
                self._pass(answer, _with_help(answer.read()))
            else:
                self._pass(answer)
        finally:
            upstream.close()

    def _pass(self, answer: http.client.HTTPResponse, body: bytes | None = None) -> None:
        """Send ``answer``'s status and headers, then ``body`` or, without one, its own body
        as it comes: with its length when the server gave it, else in chunks (or up to the
        connection's end, to an HTTP/1.0 client)."""
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        length = str(len(body)) if body is not None else answer.getheader("Content-Length")
        chunked = length is None and self.request_version == "HTTP/1.1"
        if length is not None:
            self.send_header("Content-Length", length)
        elif chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.close_connection = True
        self.end_headers()
        if self.command == "HEAD" or answer.status in (204, 304):
            return
        if body is not None:
            self.wfile.write(body)
            return
        while chunk := answer.read1(CHUNK):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _answer(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        self.send_response_only(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _with_prefixes(
    method: str, path: str, body: bytes, content_type: str
) -> tuple[str, bytes, str | None, int]:
    """The request's path and body with kg's prefixes declared in its query (where SPARQL's
    protocol puts it), the query as sent (None without one) and the lines added before it."""
    parts = urlsplit(path)
    kind = content_type.split(";")[0].strip().lower()
    if method == "POST" and kind == "application/sparql-query":
        try:
            query = body.decode("utf-8")
        except UnicodeDecodeError:
            return path, body, None, 0
        text, offset = declare(query)
        return path, text.encode("utf-8"), query, offset
    form = method == "POST" and kind == "application/x-www-form-urlencoded"
    fields = parse_qsl(body.decode("utf-8", "replace") if form else parts.query, True)
    found = [value for name, value in fields if name == "query"]
    if len(found) != 1:
        return path, body, None, 0  # no query here, or several: the server tells
    text, offset = declare(found[0])
    encoded = urlencode([(k, text if k == "query" else v) for k, v in fields])
    if form:
        return path, encoded.encode("utf-8"), found[0], offset
    return f"{parts.path}?{encoded}", body, found[0], offset


# The query editor's first query, and what the page says of the prefixes.
EXAMPLE = """\
# kg predeclares its prefixes: no PREFIX line is needed for them.
SELECT ?paper ?title ?year WHERE {
  ?paper a kgo:Paper ;
         dcterms:title ?title .
  OPTIONAL { ?paper fabio:hasPublicationYear ?year }
}
ORDER BY DESC(?year) ?title
LIMIT 20
"""


def _with_help(page: bytes) -> bytes:
    """Oxigraph's query editor page with a line listing kg's prefixes, and the editor's
    first query one that uses them; the page as it is when it is not the one expected."""
    if b"<body>" not in page or b"Yasgui" not in page:
        return page
    listed = ", ".join(
        f'<code title="{html.escape(iri)}">{html.escape(prefix)}:</code>'
        for prefix, iri in sorted(PREFIX_IRIS.items())
    )
    note = (
        '<p id="kg-prefixes" style="margin:0.5em 1em;font-family:sans-serif">'
        f"kg predeclares these prefixes, so a query needs no PREFIX line for them: {listed}.</p>"
        "<script>if (window.Yasgui && Yasgui.Yasqe && Yasgui.Yasqe.defaults) "
        f"{{ Yasgui.Yasqe.defaults.value = {json.dumps(EXAMPLE)}; }}</script>"
    )
    return page.replace(b"<body>", b"<body>\n" + note.encode("utf-8"), 1)


def _wait_until_ready(
    child: subprocess.Popen[bytes], url: str, log: IO[bytes], timeout: float
) -> None:
    """Poll ``url`` with ``ASK {}`` until the server answers; fail if the child dies first."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    ask = f"{url}?query=ASK%7B%7D"
    deadline = time.monotonic() + timeout
    while True:
        if child.poll() is not None:
            raise ServeError(f"the oxigraph server did not start: {_last_line(log)}")
        try:
            with opener.open(ask, timeout=1.0) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise ServeError(f"the oxigraph server did not answer at {url} within {timeout:g} s")
        time.sleep(0.05)


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, a child that gets SIGTERM when kg dies, even by SIGKILL (no server left
    behind). Only in a single-threaded process: preexec_fn is not safe with threads."""
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def arrange() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # kg died before prctl: stop at once
            os.kill(os.getpid(), signal.SIGTERM)

    return arrange


def _stop(child: subprocess.Popen[bytes]) -> None:
    """Terminate the child, wait, kill it when it does not stop in time."""
    if child.poll() is not None:
        return
    try:
        child.terminate()
        try:
            child.wait(STOP_TIMEOUT)
            return
        except subprocess.TimeoutExpired:
            pass
    except KeyboardInterrupt:  # a second Ctrl-C while stopping: no more waiting
        pass
    child.kill()
    child.wait()


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """While serving, SIGTERM stops like Ctrl-C (so the child is never left behind)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _last_line(log: IO[bytes]) -> str:
    """The server's error: its ``Error: …`` line, else its last line of stderr."""
    log.flush()
    log.seek(0)
    lines = [
        line.strip()
        for line in log.read()[-65536:].decode("utf-8", "replace").splitlines()
        if line.strip()
    ]
    errors = [line for line in lines if line.startswith("Error:")]
    line = (errors or lines or ["no message (exit code only)"])[-1]
    return line.removeprefix("Error:").strip()[:300]
