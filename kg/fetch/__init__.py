"""``kg fetch``: ask the open scholarly web about papers and save its answers as files that
``kg build`` reads.

A fetch starts from identifiers (or a PubMed search, or the gaps of a build) and goes by
levels: each level's papers are looked up by every chosen service (those that need a DOI
after the others have found it), then, below ``depth``, their references, citing papers and
similar papers are listed and the best of them make the next level. Each request's answer is
one file, named by the request, written whole or not at all; a rerun reads the files it
finds instead of asking again, so an interrupted fetch resumes where it stopped.

Which neighbours are kept: for each paper and relation the first ``per_paper`` in the
service's order (similar papers by similarity, the rest as listed); of those, the ones that
most papers of the level link to come first, ties in the order they were met, until
``max_papers`` papers are known.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .. import __version__, extract
from ..errors import KgError
from ..fsio import atomic_write
from ..ids import normalize_doi
from ..reading import FETCH_HIDDEN
from ..text import counted
from . import crossref, europepmc, openalex, opencitations, pubmed, semanticscholar
from .known import Digest, Registry
from .known import parse_id as parse_id  # for kg.cli and users
from .known import read_ids as read_ids
from .service import (
    RELATIONS,
    Ask,
    Exhausted,
    FetchError,
    Host,
    Known,
    Offline,
    Unreadable,
    base_url,
    check_body,
    envelope,
)

if TYPE_CHECKING:
    from .http import Client

SERVICES: dict[str, ModuleType] = {
    m.NAME: m for m in (pubmed, openalex, crossref, opencitations, semanticscholar, europepmc)
}
DEFAULT_SOURCES = ("pubmed", "openalex", "crossref")
HIDDEN = FETCH_HIDDEN  # the HTTP cache, answers that are not graph files, rejected bodies
REPORT = "report.json"
MAILTO_ENV = "KG_MAILTO"
DEFAULT_MAX_PAPERS = 1000
DEFAULT_PER_PAPER = 250
# Crossref's relevance score a bibliographic match must reach to be kept (its scores are not
# normalised; below this, matches of free-text references are often another work)
MATCH_SCORE = 60.0
EXIT_INCOMPLETE = 3


@dataclass(frozen=True)
class FetchProgress:
    """How far a fetch has got: the level, requests sent and answered from the cache or the
    folder, papers known and the cap."""

    level: int
    requests: int
    from_cache: int
    from_folder: int
    papers: int
    cap: int


@dataclass
class FetchReport:
    """What a fetch did; ``report.json`` holds it."""

    papers: int = 0
    new: int = 0
    requests: int = 0
    from_cache: int = 0
    from_folder: int = 0
    saved: int = 0  # answers saved by this run
    files: int = 0  # answers the fetch used, saved now or before
    bad_ids: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    unreadable: list[dict[str, Any]] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)
    matched: list[dict[str, Any]] = field(default_factory=list)  # references found by text
    unmatched: list[dict[str, Any]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not (self.failed or self.unreadable)

    def summary(self) -> str:
        return (
            f"{counted(self.papers, 'paper')} ({self.new} new), "
            f"{counted(self.requests, 'request')} "
            f"({self.from_cache} from the cache, {self.from_folder} answered by files "
            f"already fetched), {len(self.not_found)} not found"
            + (
                f", {len(self.matched)} of {len(self.matched) + len(self.unmatched)} "
                "references matched by their text"
                if self.matched or self.unmatched
                else ""
            )
            + (f", {len(self.failed)} failed" if self.failed else "")
            + (f", {len(self.unreadable)} unreadable" if self.unreadable else "")
        )

    def to_json(self, sources: Sequence[str], relations: Iterable[str]) -> bytes:
        data = {
            "kind": "kg fetch report",
            "complete": self.complete,
            "exit_code": 0 if self.complete else EXIT_INCOMPLETE,
            "sources": list(sources),
            "relations": sorted(relations),
            "papers": self.papers,
            "papers_per_level": self.levels,
            "files": self.files,
            "bad_ids": self.bad_ids,
            "not_found": self.not_found,
            "failed": self.failed,
            "unreadable": self.unreadable,
            "matched": self.matched,
            "unmatched": self.unmatched,
        }
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


# ---------------------------------------------------------------------------------- the fetch


@dataclass(frozen=True)
class FetchOptions:
    ids: tuple[str, ...] = ()
    pubmed_query: str | None = None
    missing: Path | None = None  # a build folder whose gaps to fill
    relations: frozenset[str] = frozenset()
    depth: int = 1
    max_papers: int = DEFAULT_MAX_PAPERS
    per_paper: int = DEFAULT_PER_PAPER
    sources: tuple[str, ...] = DEFAULT_SOURCES
    output: Path = Path("fetched")
    refresh: bool = False
    attempts: int = 3
    backoff: float = 1.0


def fetch(
    options: FetchOptions, progress: Callable[[FetchProgress], None] | None = None
) -> FetchReport:
    """Fetch what ``options`` ask into ``options.output`` and write its ``report.json``.

    Raises KgError for bad options, and :class:`~kg.fetch.http.Offline` (a KgError) when no
    service could be reached at all; what was fetched before stays either way.
    """
    for name in options.sources:
        if name not in SERVICES:
            raise KgError(f"unknown source {name!r} (known: {', '.join(SERVICES)})")
    unknown = set(options.relations) - set(RELATIONS)
    if unknown:
        raise KgError(f"unknown relation {sorted(unknown)[0]!r}")
    if options.depth < 0 or options.max_papers < 1 or options.per_paper < 1:
        raise KgError("--depth must be 0 or more, --max-papers and --per-paper 1 or more")
    from ..pipeline import collector_paused  # the build's modules load when a fetch runs

    run = _Run(options, progress or (lambda _: None))
    try:
        with collector_paused():  # the fetch's records and links hold no cycles
            return run.go()
    finally:
        run.client.close()


def client_for(sources: Iterable[str], cache: Path | None, **kwargs: Any) -> Client:
    """The HTTP client for ``sources``: each host's rate, keys and mailto from the
    environment."""
    from .http import Client  # httpx and hishel load only when a fetch runs

    mailto = os.environ.get(MAILTO_ENV) or None
    hosts: dict[str, Host] = {}
    secrets: list[str] = [mailto] if mailto else []
    for name in sources:
        module = SERVICES[name]
        key = os.environ.get(module.KEY_ENV) or None if module.KEY_ENV else None
        if key:
            secrets.append(key)
        hosts[base_url(module.ENV, module.DEFAULT)] = module.host(key, mailto)
    return Client(hosts, cache, mailto=mailto, secrets=tuple(secrets), **kwargs)


class _Run:
    def __init__(self, options: FetchOptions, tell: Callable[[FetchProgress], None]) -> None:
        self.options = options
        self.tell = tell
        self.out = options.output
        self.hidden = self.out / HIDDEN
        self.hidden.mkdir(parents=True, exist_ok=True)
        self.client = client_for(
            options.sources,
            self.hidden / "cache",
            attempts=options.attempts,
            backoff=options.backoff,
        )
        self.bases = {
            name: base_url(SERVICES[name].ENV, SERVICES[name].DEFAULT) for name in SERVICES
        }
        self.registry = Registry()
        self.report = FetchReport()
        self.relations: list[tuple[str, list[str], list[str], int | None]] = []
        self.ends: dict[str, list[int]] = {}  # an id key -> the relations it is an end of
        self.selected: list[str] = []  # keys of the papers the fetch is about
        self.levels: list[list[str]] = []
        self.down: set[str] = set()  # services found unreachable
        self.answered = 0  # requests that got an answer from a service
        self.offline: list[str] = []
        self.lock = threading.Lock()
        self.fetched_now: set[str] = set()  # papers a request of this run was about
        self.digests: dict[str, Digest] = {}  # by the key of the digest's file
        self.not_found_file = self.hidden / "not-found.json"
        self.gone: set[str] = set()
        if self.not_found_file.exists() and not options.refresh:
            try:
                self.gone = set(json.loads(self.not_found_file.read_text()))
            except ValueError:
                self.gone = set()

    # -- the levels

    def go(self) -> FetchReport:
        options = self.options
        given: dict[str, None] = {}  # the papers to start from, in order, each once
        for text in options.ids:
            found = parse_id(text)
            if found is None:
                self.report.bad_ids.append(text)
                continue
            given[self.registry.add([f"{found[0]}:{found[1]}"]).key] = None
        if options.pubmed_query:
            for pmid in self._search(options.pubmed_query):
                given[self.registry.add([f"pmid:{pmid}"]).key] = None
        if options.missing is not None:
            given.update(dict.fromkeys(self._gaps(options.missing)))
        level = list(given)
        only_missing = not (options.ids or options.pubmed_query)
        if not level and options.missing is not None and only_missing:
            return self.report  # the build lacks nothing: nothing to ask
        if not level:
            if self.report.bad_ids:
                raise KgError("no identifier to fetch: " + ", ".join(self.report.bad_ids[:5]))
            raise KgError(
                "nothing to fetch: give identifiers, -i FILE, --pubmed-query or --missing"
            )
        level = level[: options.max_papers]
        depth = options.depth if options.relations else 0
        before: list[str] = []  # the level the current one was chosen from
        for d in range(depth + 1):
            self._take(level, d)
            # one paper met under several ids takes several places until its metadata
            # joins them: the places it frees go to the next best neighbours
            while before and (more := self._select(before, d - 1)):
                self._take(more, d)
                level = level + more
            self.levels.append(level)
            if d == depth:
                break
            self._level_links(level, d)
            before, level = level, self._select(level, d)
            if not level:
                break
        return self._finish()

    def _take(self, level: list[str], d: int) -> None:
        """Add ``level``'s papers to the fetch and look them up."""
        self.selected.extend(level)
        for phase in (1, 2):
            self._level_metadata(level, phase, d)

    def _papers(self, keys: Iterable[str]) -> list[Known]:
        seen: dict[int, Known] = {}
        for key in keys:
            k = self.registry.find(key)
            seen.setdefault(id(k), k)
        return list(seen.values())

    def _level_metadata(self, level: list[str], phase: int, d: int) -> None:
        plans: dict[str, list[Ask]] = {}
        for name in self.options.sources:
            module = SERVICES[name]
            if phase < module.PHASE or name in self.down:
                continue
            todo = [p for p in self._papers(level) if f"{name}:meta" not in p.asked]
            plans[name] = self._asked(module.metadata(todo), f"{name}:meta")
        self._run(plans, d)

    def _asked(self, asks: list[Ask], what: str) -> list[Ask]:
        """``asks``, with each paper they ask about marked as asked ``what``; a paper none of
        them could ask about (no identifier the service takes yet) is asked in a later phase
        if another service finds one."""
        for ask in asks:
            for key in ask.papers:
                self.registry.find(key).asked.add(what)
        return asks

    def _level_links(self, level: list[str], d: int) -> None:
        plans: dict[str, list[Ask]] = {}
        wanted = set(self.options.relations)
        for name in self.options.sources:
            if name in self.down:
                continue
            todo = [p for p in self._papers(level) if f"{name}:links" not in p.asked]
            asks = SERVICES[name].links(todo, wanted, self.options.per_paper)
            plans[name] = self._asked(asks, f"{name}:links")
        self._run(plans, d)

    def _select(self, level: list[str], d: int) -> list[str]:
        """The next level: each paper's first ``per_paper`` neighbours by relation, those
        most of the level links to first, up to the cap."""
        frontier = {id(k): k for k in self._papers(level)}
        chosen = {id(k) for k in self._papers(self.selected)}
        wanted = self.options.relations
        per: dict[tuple[int, str], list[int]] = {}
        links: dict[int, set[int]] = {}
        first: dict[int, int] = {}
        papers: dict[int, Known] = {}
        lookup, add = self.registry.lookup, self.registry.add
        touching = sorted(
            {n for paper in frontier.values() for i in paper.names for n in self.ends.get(i, ())}
        )
        for n in touching:  # in the order the links were met
            kind, subject_ids, object_ids, _rank = self.relations[n]
            s, o = lookup(subject_ids), lookup(object_ids)
            in_s = s is not None and id(s) in frontier
            in_o = o is not None and id(o) in frontier
            if not (in_s or in_o) or s is o:
                continue
            pairs = []
            if kind == "cites":
                if in_s and "refs" in wanted:
                    o = o or add(object_ids)
                    pairs.append((s, "refs", o))
                if in_o and "cited-by" in wanted:
                    s = s or add(subject_ids)
                    pairs.append((o, "cited-by", s))
            elif kind == "similar" and in_s and "similar" in wanted:
                o = o or add(object_ids)
                pairs.append((s, "similar", o))
            for paper, relation, other in pairs:
                if other is paper:
                    continue
                listed = per.setdefault((id(paper), relation), [])
                if id(other) in listed or len(listed) >= self.options.per_paper:
                    continue
                listed.append(id(other))  # a neighbour already chosen takes its place too
                if id(other) in chosen:
                    continue
                links.setdefault(id(other), set()).add(id(paper))
                first.setdefault(id(other), n)
                papers[id(other)] = other
        room = self.options.max_papers - len(chosen)
        ranked = sorted(links, key=lambda i: (-len(links[i]), first[i]))[: max(room, 0)]
        return [papers[i].key for i in ranked]

    # -- requests

    def _run(self, plans: dict[str, list[Ask]], level: int) -> None:
        """Each service's requests in a thread of its own (each host has its own limits);
        what they gave is taken in the services' order, so the result does not depend on
        which answered first."""
        results: dict[str, list[tuple[Ask, Digest]]] = {}
        threads = []
        for name, asks in plans.items():
            if not asks:
                continue
            results[name] = []
            thread = threading.Thread(
                target=self._service, args=(name, asks, results[name], level), daemon=True
            )
            threads.append(thread)
            thread.start()
        for thread in threads:
            thread.join()
        for name in plans:
            for ask, records in results.get(name, ()):
                self._absorb(ask, records)

    def _service(
        self, name: str, asks: list[Ask], into: list[tuple[Ask, Digest]], level: int
    ) -> None:
        queue = list(asks)
        while queue:
            ask = queue.pop(0)
            if name in self.down:
                self._failed(ask, None, "not asked: the service could not be reached")
                continue
            body = self._answer(ask)
            self._progress(level)
            if body is None:
                continue
            records = self._records(ask, body)
            into.append((ask, records))
            following = SERVICES[name].next_page(ask, _response(ask, body), self.options.per_paper)
            if following is not None:
                queue.insert(0, following)

    def _answer(self, ask: Ask) -> bytes | None:
        """The saved file's bytes for ``ask``: read from the folder, else asked for and saved
        (None when there is no good answer, which is reported)."""
        target = (self.out if ask.save else self.hidden / "answers") / ask.filename()
        # an answer that gives nothing to build (an empty list) is kept among the hidden ones
        empty = self.hidden / "empty" / ask.filename()
        if not self.options.refresh:
            for kept in (target, empty):
                if kept.exists():
                    with self.lock:
                        self.report.from_folder += 1
                        self.report.files += ask.save and kept is target
                    return kept.read_bytes()
        if ask.identity() in self.gone:
            self._not_found(ask)
            return None
        url = self.bases[ask.service] + ask.path
        try:
            answer = self.client.request(
                ask.method,
                url,
                params=list(ask.params),
                content=ask.body,
                refresh=self.options.refresh,
            )
        except Offline as error:
            with self.lock:
                self.down.add(ask.service)
                self.offline.append(str(error))
            self._failed(ask, None, str(error), error.url)
            return None
        except Exhausted as error:
            with self.lock:
                self.down.add(ask.service)
            self._failed(ask, error.status, f"{error} (asked nothing more)", error.url)
            return None
        except FetchError as error:
            self._failed(ask, error.status, str(error), error.url)
            return None
        with self.lock:
            self.answered += 1
        shown = answer.url
        if answer.status == 404 or (answer.status == 400 and ask.service == "semanticscholar"):
            with self.lock:
                self.gone.add(ask.identity())
            self._not_found(ask)
            return None
        if answer.status != 200:
            self._failed(ask, answer.status, f"HTTP {answer.status}", shown)
            return None
        try:
            check_body(answer.body, ask.ext)
        except Unreadable as error:
            self.client.forget(answer)
            aside = self.hidden / "rejected" / ask.filename()
            aside.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(aside, answer.body, durable=False)
            with self.lock:
                self.report.unreadable.append(
                    {"url": shown, "error": str(error), "kept_as": str(aside)}
                )
            return None
        data = envelope(ask, answer.body, answer.day) if ask.envelope else answer.body
        if ask.save and self._records(ask, data).empty:
            target = empty
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, data, durable=False)
        with self.lock:
            if ask.save and target is not empty:
                self.report.saved += 1
                self.report.files += 1
            self.fetched_now.update(ask.papers)
        return data

    def _records(self, ask: Ask, data: bytes) -> Digest:
        """What the fetch takes from a saved answer: its papers' identifiers and its links,
        read by the answer's extractor once and then kept in the hidden folder by the
        request and the answer's content hash (a rerun reads that instead of the answer)."""
        if not ask.fmt:
            return Digest()
        key = hashlib.sha256(ask.identity().encode() + b"\0" + data).hexdigest()
        if key in self.digests:  # a new answer's, made when it was saved
            return self.digests[key]
        kept = self.hidden / "digests" / key[:2] / f"{key}.json"
        try:
            found = json.loads(kept.read_bytes())
            if found.get("kg") == __version__ and found.get("format") == ask.fmt:
                return Digest.load(found)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            pass
        text = data.decode("utf-8", "replace")
        try:
            records = list(extract.extractor(ask.fmt).parse(text))
        except KgError:
            records = []
        asked = [i for key in ask.papers for i in self.registry.find(key).names]
        digest = Digest.of(records, asked)
        stored = {"kg": __version__, "format": ask.fmt, **digest.dump()}
        kept.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(kept, json.dumps(stored, separators=(",", ":")).encode(), durable=False)
        with self.lock:
            self.digests[key] = digest
        return digest

    def _absorb(self, ask: Ask, digest: Digest) -> None:
        """Take the papers of an answer, and its links; a link's end with one identifier is
        made a known paper only when the link is followed (:meth:`_select`)."""
        add = self.registry.add
        for ids, primary in digest.papers:
            known = add(ids)
            if primary:
                known.found_by.add(ask.service)
        ends = self.ends
        for kind, s, o, rank in digest.links:
            n = len(self.relations)
            for side in (s, o):
                if len(side) > 1:  # the ids it joins are news even if the link is not followed
                    add(side)
                for i in side:
                    ends.setdefault(i, []).append(n)
            self.relations.append((kind, s, o, rank))

    def _failed(self, ask: Ask, status: int | None, message: str, url: str = "") -> None:
        with self.lock:
            self.report.failed.append(
                {"source": ask.service, "status": status, "url": url, "error": message}
            )

    def _not_found(self, ask: Ask) -> None:
        with self.lock:
            self.report.not_found.append(f"{ask.service}:{ask.endpoint}:{ask.label}")

    def _progress(self, level: int) -> None:
        self.tell(
            FetchProgress(
                level,
                self.client.requests,
                self.client.from_cache,
                self.report.from_folder,
                len(self.selected),
                self.options.max_papers,
            )
        )

    # -- starting points

    def _search(self, query: str) -> list[str]:
        found: list[str] = []
        history = None
        page = 0
        while len(found) < self.options.max_papers:
            ask = pubmed.search(query, self.options.max_papers, page, history)
            body = self._answer(ask)
            if body is None:
                break
            count, ids, history = pubmed.search_result(body)
            found.extend(ids)
            page += 1
            if not ids or len(found) >= count or page * pubmed.ESEARCH_PAGE >= count:
                break
        return found[: self.options.max_papers]

    def _gaps(self, folder: Path) -> list[str]:
        from .gaps import citations, gaps

        keys = []
        for ids in gaps(folder):
            keys.append(self.registry.add(ids).key)
        if "crossref" in self.options.sources:
            for text, year in citations(folder)[: self.options.max_papers]:
                doi = self._match(text, year)
                if doi is not None:
                    keys.append(self.registry.add([f"doi:{doi}"]).key)
        return keys

    def _match(self, text: str, year: int | None) -> str | None:
        """The DOI Crossref matches ``text`` to, when the match is kept (its score reaches
        MATCH_SCORE and its year is the reference's, when both are known). A kept match is
        saved for the build in kg's envelope with the text it matches."""
        ask = crossref.bibliographic(text)
        body = self._answer(ask)
        if body is None:
            return None
        try:
            doi, score, found_year = crossref.best(body)
        except (ValueError, AttributeError, TypeError) as error:
            with self.lock:
                self.report.unreadable.append({"url": ask.label, "error": str(error)})
            return None
        doi = normalize_doi(doi)
        entry: dict[str, Any] = {"text": text, "doi": doi, "score": score}
        if doi is None or score < MATCH_SCORE or (year and found_year and year != found_year):
            self.report.unmatched.append(entry)
            return None
        self.report.matched.append(entry)
        header = (("service", "crossref"), ("endpoint", "match"), ("text", text))
        if year:
            header += (("year", str(year)),)
        header += (("score", f"{score:g}"),)
        saved = replace(ask, save=True, envelope=header, fmt="crossref_json")
        target = self.out / saved.filename()
        if not target.exists() or self.options.refresh:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, envelope(saved, body, _today()), durable=False)
            with self.lock:
                self.report.saved += 1
        with self.lock:
            self.report.files += 1
        return doi

    # -- the end

    def _finish(self) -> FetchReport:
        report = self.report
        papers = self._papers(self.selected)
        report.papers = len(papers)
        seen: set[int] = set()
        for keys in self.levels:  # each paper in the first level it was chosen in
            found = {id(k) for k in self._papers(keys)} - seen
            report.levels.append(len(found))
            seen |= found
        report.new = sum(1 for p in papers if not self.fetched_now.isdisjoint(p.names))

        for p in papers:
            if not p.found_by:
                report.not_found.append(p.label())
        report.not_found = sorted(set(report.not_found))
        report.requests = self.client.requests
        report.from_cache = self.client.from_cache
        atomic_write(self.not_found_file, json.dumps(sorted(self.gone)).encode(), durable=False)
        atomic_write(
            self.out / REPORT,
            report.to_json(self.options.sources, self.options.relations),
            durable=False,
        )
        if self.offline and self.answered == 0 and report.from_folder == 0:
            raise Offline(
                f"no network: {self.offline[0]} (nothing fetched; the folder is as it was)",
                "",
            )
        return report


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def _response(ask: Ask, data: bytes) -> bytes:
    """The service's own body of a saved file (inside kg's envelope, if it has one)."""
    if not ask.envelope:
        return data
    return json.dumps(json.loads(data).get("response")).encode()


def build_inputs(folder: Path) -> list[Path]:
    """The files the build in ``folder`` read (from its report.json), to build again with
    what was fetched."""
    try:
        data = json.loads((folder / REPORT).read_text())
        paths = [Path(f["path"]) for f in data["files"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KgError(f"cannot read {folder / REPORT}: {error}") from None
    return [p for p in paths if p.exists()]
