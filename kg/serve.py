"""``kg serve``: a built graph over the SPARQL protocol, read-only, by Oxigraph's own server.

The ``oxigraph`` executable (PyPI package ``oxigraph``) runs ``serve-read-only`` on the build
folder's ``store/``; a single RDF file is first loaded into a temporary store, removed when the
server stops. It listens on loopback unless the caller allows otherwise (``check_bind``).
Nothing is printed here: the caller hears of the URL through ``on_ready``.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from .errors import KgError
from .store import load_file, store_location

STARTUP_TIMEOUT = 30.0  # seconds to wait for the server's first answer
STOP_TIMEOUT = 5.0  # seconds between SIGTERM and SIGKILL
PR_SET_PDEATHSIG = 1  # prctl(2)
WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1"}  # listening everywhere: ask on loopback


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
    first."""
    executable = find_oxigraph()
    try:
        with _sigterm_as_interrupt(), _location(Path(graph)) as location:
            port = _claim_port(host, port)
            _run(executable, location, host, port, on_ready, startup_timeout)
    except KeyboardInterrupt:
        return


def _run(
    executable: str,
    location: Path,
    host: str,
    port: int,
    on_ready: Callable[[str], None] | None,
    startup_timeout: float,
) -> None:
    authority = _authority(host, port)
    probe = _authority(WILDCARDS.get(_bare(host), host), port)
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
            _wait_until_ready(child, f"http://{probe}/query", log, startup_timeout)
            if on_ready is not None:
                on_ready(f"http://{authority}/query")
            code = child.wait()
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
    """``port`` if nobody listens on it (else the server would fail after another server
    answered our probe), or a free port for 0 (Oxigraph does not tell which one it got)."""
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
