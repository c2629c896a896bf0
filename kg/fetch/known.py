"""What a fetch knows of papers: identifiers as users write them, one :class:`Known` per
paper however many identifiers it turns out to have (:class:`Registry`), and what the fetch
takes from each answer (:class:`Digest`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..ids import normalize_doi, normalize_openalex, normalize_pmcid, normalize_pmid
from ..records import Paper, Problem, Relation
from .service import Known

_PMID_TEXT = re.compile(r"^(?:pmid:\s*|https?://pubmed\.ncbi\.nlm\.nih\.gov/)?(\d{1,8})/?$", re.I)
_PMCID_TEXT = re.compile(
    r"^(?:pmcid:\s*|https?://(?:www\.ncbi\.nlm\.nih\.gov|pmc\.ncbi\.nlm\.nih\.gov)/"
    r"(?:pmc/)?articles/)?(PMC\d+)/?$",
    re.I,
)


def parse_id(text: str) -> tuple[str, str] | None:
    """``("doi", "10.1/x")``, ``("pmid", "25879639")``, ``("pmcid", "PMC1")`` or
    ``("openalex", "W1")`` for an identifier as a user writes it; None for anything else."""
    text = text.strip()
    if m := _PMID_TEXT.match(text):
        pmid = normalize_pmid(m.group(1))
        return ("pmid", pmid) if pmid else None
    if m := _PMCID_TEXT.match(text):
        pmcid = normalize_pmcid(m.group(1))
        return ("pmcid", pmcid) if pmcid else None
    if openalex := normalize_openalex(text.removeprefix("openalex:")):
        return "openalex", openalex
    if doi := normalize_doi(text):
        return "doi", doi
    return None


def read_ids(lines: Iterable[str]) -> list[str]:
    """The identifiers of a file: one a line (or several, by spaces or commas), ``#``
    comments and blank lines left out."""
    found = []
    for line in lines:
        line = line.split("#", 1)[0] if not line.lstrip().startswith("http") else line
        found.extend(part for part in re.split(r"[\s,]+", line.strip()) if part)
    return found


@dataclass(frozen=True)
class Digest:
    """What the fetch takes from one answer: the identifier keys of each paper it is about
    (``primary``) or names by several ids; each link (kind, subject's keys, object's keys,
    rank); and whether the answer gives nothing to build at all."""

    papers: list[tuple[list[str], bool]] = field(default_factory=list)
    links: list[tuple[str, list[str], list[str], int | None]] = field(default_factory=list)
    empty: bool = True

    @classmethod
    def of(cls, records: Iterable[Any], asked: Iterable[str] = ()) -> Digest:
        """The digest of an answer's records. Links are kept when an end is a paper the
        request ``asked`` about (by any of the ids the answer gives it): a link between two
        others (a citing paper's other references) comes again with either one's own record,
        if it is ever followed."""
        papers, links, empty = [], [], True
        about = set(asked)
        found = []
        for record in records:
            if isinstance(record, Problem):
                continue
            empty = False
            if isinstance(record, Paper):
                # a listed paper named by one id tells nothing a link to it does not
                ids = ids_of(record)
                if ids and (record.primary or len(ids) > 1):
                    papers.append((ids, record.primary))
                if record.primary and not about.isdisjoint(ids):  # an asked paper's own ids
                    about.update(ids)
            elif isinstance(record, Relation) and record.kind in ("cites", "similar"):
                s, o = ids_of(record.subject), ids_of(record.object)
                if s and o:
                    found.append((record.kind, s, o, record.rank))
        for link in found:
            if not about.isdisjoint(link[1]) or not about.isdisjoint(link[2]):
                links.append(link)
        return cls(papers, links, empty)

    def dump(self) -> dict[str, Any]:
        """A compact form for JSON: each identifier once, named by its index."""
        table: dict[str, int] = {}

        def index(ids: list[str]) -> list[int]:
            return [table.setdefault(i, len(table)) for i in ids]

        papers = [[index(ids), primary] for ids, primary in self.papers]
        links = [[kind, index(s), index(o), rank] for kind, s, o, rank in self.links]
        return {"ids": list(table), "papers": papers, "links": links, "empty": self.empty}

    @classmethod
    def load(cls, data: dict[str, Any]) -> Digest:
        ids = data["ids"]
        papers = [([ids[i] for i in found], bool(primary)) for found, primary in data["papers"]]
        links = [
            (str(kind), [ids[i] for i in s], [ids[i] for i in o], rank)
            for kind, s, o, rank in data["links"]
        ]
        return cls(papers, links, bool(data["empty"]))


class Registry:
    """The papers a fetch knows, one :class:`Known` however many identifiers it turns out to
    have: two met apart and then seen together become one."""

    def __init__(self) -> None:
        self.by_id: dict[str, Known] = {}
        self.made = 0

    def lookup(self, ids: Iterable[str]) -> Known | None:
        for i in ids:
            if i in self.by_id:
                return self.by_id[i]
        return None

    def add(self, ids: Sequence[str]) -> Known:
        by_id = self.by_id
        if len(ids) == 1 and (seen := by_id.get(ids[0])) is not None:
            return seen
        known: Known | None = None
        others: list[Known] = []
        for i in ids:
            k = by_id.get(i)
            if k is None or k is known:
                continue
            if known is None:
                known = k
            elif all(k is not other for other in others):
                others.append(k)
        if known is None:
            known = Known(ids[0], seq=self.made)
            self.made += 1
        elif others:
            found = [known, *others]
            known = min(found, key=lambda k: k.seq)
            for other in found:
                if other is not known:
                    self._merge(known, other)
        for i in ids:
            if i not in by_id:
                kind, _, value = i.partition(":")
                if getattr(known, kind) is None:
                    setattr(known, kind, value)
                by_id[i] = known
                known.names.append(i)
        return known

    def _merge(self, into: Known, other: Known) -> None:
        for name in ("doi", "pmid", "pmcid", "openalex"):
            if getattr(into, name) is None:
                setattr(into, name, getattr(other, name))
        into.asked |= other.asked
        into.found_by |= other.found_by
        for i in other.names:
            self.by_id[i] = into
        into.names.extend(other.names)
        other.names.clear()

    def find(self, key: str) -> Known:
        return self.by_id[key]


def ids_of(ref: Any) -> list[str]:
    """The identifier keys of a Paper or PaperRef (``doi:…``, ``pmid:…``, …)."""
    found = []
    if ref.doi:
        found.append("doi:" + ref.doi)
    if ref.pmid:
        found.append("pmid:" + ref.pmid)
    if ref.pmcid:
        found.append("pmcid:" + ref.pmcid)
    if ref.openalex:
        found.append("openalex:" + ref.openalex)
    return found
