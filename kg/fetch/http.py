"""kg's one HTTP client: httpx with hishel's persistent cache, tenacity's retries, a rate
limit and a concurrency bound per host, and the services' keys added below the cache.

The transports, outermost first::

    hishel CacheTransport      what it stores has no key, no mailto: they are added below it
    _Credentials               adds api_key / x-api-key / mailto / email and the User-Agent
    _Polite                    per-host rate and concurrency; retries 429 (Retry-After), 5xx
    httpx.HTTPTransport        and timeouts with backoff (tenacity)
"""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import hishel
import httpx
from hishel.httpx import CacheTransport
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
)

from .. import __version__
from .service import Exhausted, FetchError, Host, Offline

RETRIED_STATUS = frozenset((408, 425, 429, 500, 502, 503, 504))
MAX_RETRY_AFTER = 120.0  # seconds: a longer Retry-After is a failure, not a wait


def retry_after(response: httpx.Response) -> float | None:
    """Seconds a 429 or 503 asks to wait (``Retry-After`` as seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": UTC by RFC 5322
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class _Polite(httpx.BaseTransport):
    """Spaces each host's requests, bounds how many run at once, and retries what a later
    try may answer."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        hosts: Mapping[str, Host],
        attempts: int,
        backoff: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.inner = inner
        self.hosts = hosts
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep
        self.default = Host(rate=5.0)
        self.sent = 0  # requests sent, retries included
        self._count = threading.Lock()

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            asked = retry_after(outcome.result())
            if asked is not None:
                return min(asked, MAX_RETRY_AFTER)
        return float(self.backoff * 2 ** (state.attempt_number - 1))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = host_of(self.hosts, request.url) or self.default

        def once() -> httpx.Response:
            if host.exhausted:
                raise Exhausted(host.exhausted, str(request.url), 429)
            with host.slots:
                host.wait_turn()
                with self._count:
                    self.sent += 1
                response = self.inner.handle_request(request)
                try:
                    response.read()  # a body cut short raises here, and is tried again
                finally:
                    response.close()
                host.honour(response.headers)
                if response.status_code == 429 and too_long(response):
                    host.exhausted = (
                        f"{request.url.host} asks to wait {retry_after(response):.0f} s"
                    )
                elif response.headers.get("x-ratelimit-remaining", "").strip() == "0":
                    host.exhausted = f"{request.url.host}'s allowance for today is used up"
                return response

        def too_long(response: httpx.Response) -> bool:
            asked = retry_after(response)
            return asked is not None and asked > MAX_RETRY_AFTER

        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            sleep=self.sleep,
            retry=(
                retry_if_exception_type((httpx.TimeoutException, httpx.RemoteProtocolError))
                | retry_if_result(lambda r: r.status_code in RETRIED_STATUS and not too_long(r))
            ),
            retry_error_callback=lambda state: state.outcome.result(),  # type: ignore[union-attr]
            reraise=True,
        )
        return retrying(once)

    def close(self) -> None:
        self.inner.close()


class _Credentials(httpx.BaseTransport):
    """Adds each host's keys, mailto and User-Agent to a request on its way out, below the
    cache, so that nothing stored or reported holds them."""

    def __init__(self, inner: httpx.BaseTransport, hosts: Mapping[str, Host], agent: str):
        self.inner = inner
        self.hosts = hosts
        self.agent = agent

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = host_of(self.hosts, request.url)
        headers = httpx.Headers(request.headers)
        headers["User-Agent"] = self.agent
        url = request.url
        if host is not None:
            if host.params:
                url = url.copy_merge_params(dict(host.params))
            for name, value in host.headers.items():
                headers[name] = value
        # a new request: the cache above keeps the one it was given, which must stay as it is
        sent = httpx.Request(
            request.method,
            url,
            headers=headers,
            stream=request.stream,
            extensions=request.extensions,
        )
        return self.inner.handle_request(sent)

    def close(self) -> None:
        self.inner.close()


def host_of(hosts: Mapping[str, Host], url: httpx.URL) -> Host | None:
    """The Host whose base URL ``url`` starts with (the longest such)."""
    text = str(url)
    found = [base for base in hosts if text.startswith(base)]
    return hosts[max(found, key=len)] if found else None


@dataclass(frozen=True)
class Answer:
    """A response read whole: its status, body, the day it was given (from ``Date``), the
    cache's key for it and its URL as asked."""

    status: int
    body: bytes
    day: str
    key: str  # the cache's key for it
    url: str  # as asked, without keys


class Client:
    """GET and POST through the stack above; ``hosts`` by their base URL. ``secrets`` are
    the values never to show (keys, the mailto): :meth:`redact` removes them from any text."""

    def __init__(
        self,
        hosts: Mapping[str, Host],
        cache: Path | None,
        mailto: str | None = None,
        secrets: tuple[str, ...] = (),
        attempts: int = 3,
        backoff: float = 1.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        agent = f"kg/{__version__} (https://w3id.org/kg" + (
            f"; mailto:{mailto})" if mailto else ")"
        )
        self.secrets = tuple(s for s in secrets if s)
        inner: httpx.BaseTransport = httpx.HTTPTransport(retries=0)
        self.polite = _Polite(inner, hosts, attempts, backoff, sleep)
        inner = _Credentials(self.polite, hosts, agent)
        self.storage: hishel.SqliteStorage | None = None
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)
            self.storage = hishel.SqliteStorage(database_path=cache / "http.sqlite")
            inner = CacheTransport(next_transport=inner, storage=self.storage)
        self.http = httpx.Client(
            transport=inner,
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": "kg"},
        )
        self.from_cache = 0
        self._count = threading.Lock()

    @property
    def requests(self) -> int:
        """Requests sent to the services, retries included."""
        return self.polite.sent

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def request(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | list[tuple[str, str]] | None = None,
        content: str | None = None,
        refresh: bool = False,
    ) -> Answer:
        """The answer to one request; a failure raises FetchError with the URL as asked
        (no key), an unreachable host :class:`Offline`."""
        headers = {"Content-Type": "application/json"} if content is not None else None
        built = self.http.build_request(
            method, url, params=params, content=content, headers=headers
        )
        shown = self.redact(str(built.url))
        key = hashlib.sha256(f"{method} {built.url}".encode()).hexdigest()
        built.extensions["caching"] = {"key": key}
        if refresh and self.storage is not None:
            for entry in self.storage.get_entries(key):
                self.storage.remove_entry(entry.id)
        try:
            response = self.http.send(built)
            body = response.read()
        except Exhausted as error:
            raise Exhausted(self.redact(str(error)), shown, 429) from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise Offline(self.redact(f"cannot reach {built.url.host}: {error}"), shown) from None
        except httpx.HTTPError as error:
            raise FetchError(self.redact(f"{type(error).__name__}: {error}"), shown) from None
        status = response.extensions.get("caching")
        if getattr(status, "from_cache", False):
            with self._count:
                self.from_cache += 1
        return Answer(response.status_code, body, _day(response.headers.get("date")), key, shown)

    def forget(self, answer: Answer) -> None:
        """Drop ``answer`` from the cache (a body that could not be read)."""
        if self.storage is not None:
            for entry in self.storage.get_entries(answer.key):
                self.storage.remove_entry(entry.id)

    def close(self) -> None:
        self.http.close()


def _day(header: str | None) -> str:
    """The ISO day of an HTTP ``Date`` header (today, UTC, without one)."""
    if header:
        try:
            return email.utils.parsedate_to_datetime(header).date().isoformat()
        except (TypeError, ValueError):
            pass
    return datetime.now(timezone.utc).date().isoformat()
