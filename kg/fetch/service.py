"""What every service module shares: the request a fetch plans (:class:`Ask`), the paper it
knows (:class:`Known`), stable file names, and the checks a body passes before it is saved."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pyexpat import XML_PARAM_ENTITY_PARSING_NEVER, ExpatError, ParserCreate
from typing import Any
from urllib.parse import quote

from ..errors import KgError

RELATIONS = ("refs", "cited-by", "similar")


class FetchError(KgError):
    """A request that failed for good: ``status`` (None: no answer) and the URL, keys left
    out."""

    def __init__(self, message: str, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class Offline(FetchError):
    """The service could not be reached at all (no network, no such host)."""


class Exhausted(FetchError):
    """The service said its allowance is used up (a 429 asking to wait longer than kg does,
    or ``X-RateLimit-Remaining: 0``): it is asked nothing more in this run."""


@dataclass
class Host:
    """One service's limits and credentials. ``rate`` is in requests a second."""

    rate: float
    concurrency: int = 1
    params: Mapping[str, str] = field(default_factory=dict)  # added to every query
    headers: Mapping[str, str] = field(default_factory=dict)
    # state, guarded by lock: when the next request may start
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    next_start: float = 0.0
    slots: threading.Semaphore = field(init=False, repr=False)
    exhausted: str | None = None  # why the service is asked nothing more

    def __post_init__(self) -> None:
        self.slots = threading.Semaphore(self.concurrency)

    def wait_turn(self) -> None:
        """Sleep until this host's rate allows one more request to start, and count the next
        one's turn from now (the moment this one goes), not from when it was due."""
        with self.lock:
            delay = self.next_start - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.next_start = time.monotonic() + 1.0 / self.rate

    def honour(self, headers: Mapping[str, str]) -> None:
        """Slow down to what the service's rate-limit headers allow (Crossref's
        ``x-rate-limit-limit`` over ``x-rate-limit-interval``)."""
        limit, interval = headers.get("x-rate-limit-limit"), headers.get("x-rate-limit-interval")
        if limit and interval:
            try:
                allowed = float(limit) / float(interval.rstrip("s") or 1)
            except ValueError:
                return
            if 0 < allowed * 0.9 < self.rate:
                self.rate = allowed * 0.9


@dataclass
class Known:
    """A paper the fetch knows: its identifiers (any of them may be None), what each service
    has been asked about it, and which services returned its record."""

    key: str  # its first identifier, "pmid:25879639"
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    openalex: str | None = None
    seq: int = 0  # the order it was met in
    names: list[str] = field(default_factory=list)  # its identifier keys, "doi:…"
    asked: set[str] = field(default_factory=set)  # "openalex:meta", "pubmed:links"…
    found_by: set[str] = field(default_factory=set)  # services that returned its record

    def label(self) -> str:
        return self.doi or (f"PMID {self.pmid}" if self.pmid else None) or self.key


@dataclass(frozen=True)
class Ask:
    """One request, and where its answer is saved: ``<service>/<endpoint>-<label>-<hash>``.

    ``fmt`` is the extractor that reads the saved file. ``envelope`` (Semantic Scholar,
    Europe PMC) wraps the body with what was asked and the day, which the body lacks.
    """

    service: str
    endpoint: str
    path: str  # relative to the service's base URL
    params: tuple[tuple[str, str], ...]
    fmt: str
    ext: str
    label: str  # what the request is about, for the file name: "25879639+199"
    papers: tuple[str, ...] = ()  # Known.key of each paper asked about
    method: str = "GET"
    body: str | None = None  # a JSON body (POST)
    envelope: tuple[tuple[str, str], ...] | None = None
    save: bool = True  # False: bookkeeping (esearch), kept in the hidden folder
    page: int = 0

    def identity(self) -> str:
        """What the request is: method, path, parameters and body (no key: keys are added
        below everything kg keeps)."""
        return json.dumps([self.method, self.path, self.params, self.body])

    def filename(self) -> str:
        digest = hashlib.sha256(self.identity().encode()).hexdigest()[:10]
        label = _SAFE.sub("_", self.label)[:60].strip("_") or "q"
        page = f"-p{self.page}" if self.page else ""
        return f"{self.service}/{self.endpoint}-{label}{page}-{digest}.{self.ext}"


_SAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def batches(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def batch_label(values: list[str]) -> str:
    return values[0] + (f"+{len(values) - 1}" if len(values) > 1 else "")


def base_url(env: str, default: str) -> str:
    url = os.environ.get(env) or default
    return url if url.endswith("/") else url + "/"


def path_id(value: str) -> str:
    """An identifier in a URL's path, its other reserved characters escaped (a DOI may hold
    ``?``, ``#`` or ``;``); its slashes, colons and brackets are kept, as the services expect."""
    return quote(value, safe="/:()")


class Unreadable(ValueError):
    """A body that is not whole, well-formed JSON or XML."""


def check_body(body: bytes, ext: str) -> None:
    """Raise Unreadable unless ``body`` is one whole JSON value or XML document (with no
    entity declaration)."""
    if ext == "json":
        try:
            json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            raise Unreadable(f"not whole JSON: {error}") from None
        return
    parser = ParserCreate()
    parser.SetParamEntityParsing(XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_: object) -> None:
        raise Unreadable("XML declares entities")

    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(body, True)
    except ExpatError as error:
        raise Unreadable(f"not whole XML: {error}") from None


def envelope(ask: Ask, body: bytes, day: str) -> bytes:
    """The saved file of an enveloped answer: what was asked and the day, then the body as
    the service sent it."""
    head = dict(ask.envelope or ())
    head["date"] = day
    return b'{"kg_fetch": ' + json.dumps(head).encode() + b', "response": ' + body.strip() + b"}\n"
