"""E-utilities elink responses, PubMed to PubMed: XML (``<eLinkResult>``) and JSON
(``retmode=json``: ``{"header": {"type": "elink"}, "linksets": […]}``).

A response holds one LinkSet per paper asked about (``kg fetch`` sends one ``id=`` per PMID);
each LinkSet names its paper in ``IdList`` and holds one LinkSetDb per kind of link:

* ``pubmed_pubmed``: similar articles, ranked (the paper itself, listed first, is skipped);
  ``cmd=neighbor_score`` adds a ``<Score>`` to each link, kept with the relation.
* ``pubmed_pubmed_citedin``: papers citing it; ``pubmed_pubmed_refs``: papers it cites.
* Other link names (``_combined``, ``_five``, ``_reviews`` …) and other databases: not read.

Several ids joined in one ``id=`` give ONE LinkSet whose links are merged: which paper each
link belongs to cannot be told, so such a LinkSet is a Problem and gives nothing else.
``cmd=ncheck``/``acheck`` responses (no LinkSetDb) give nothing; an ``<ERROR>`` is a Problem.
Every linked PMID is also a (non-primary) Paper, as OpenAlex's listed works are.

Security as in :mod:`kg.extract.pubmed_xml`: no DTD is read, any entity declaration is
refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pyexpat import XML_PARAM_ENTITY_PARSING_NEVER as NEVER
from pyexpat import ExpatError, ParserCreate, errors
from typing import Any

from ..ids import normalize_pmid
from ..records import Loc, Paper, PaperRef, Problem, Record, Relation
from .common import READ_ERRORS, XmlRoot, number
from .jsonwalk import as_dict, as_list, read_works, text_of

FORMAT = "pubmed_elink"
MEDIA_TYPE = "application/xml"

SNIFF_HEAD = 1 << 14

# LinkName -> (relation kind, the LinkSet's paper is the subject); the others are not read.
LINKS: dict[str, tuple[str, bool]] = {
    "pubmed_pubmed": ("similar", True),
    "pubmed_pubmed_citedin": ("cites", False),
    "pubmed_pubmed_refs": ("cites", True),
}

# Elements whose text is read (all others only hold elements).
_TEXT_TAGS = frozenset({"DbFrom", "DbTo", "LinkName", "Id", "Score", "ERROR"})

_XML_ROOT = XmlRoot("eLinkResult")
_JSON_START = re.compile(r"^[\ufeff \t\r\n]*\{")
_JSON_TYPE = re.compile(r'"type"\s*:\s*"elink"')
_JSON_LINKSETS = re.compile(r'"linksets"\s*:')


@dataclass(frozen=True)
class _LinkSetDb:
    dbto: str | None
    name: str | None
    links: tuple[tuple[str | None, Decimal | None], ...]  # (id, score)


@dataclass(frozen=True)
class _LinkSet:
    """One LinkSet as either syntax gives it."""

    line: int
    dbfrom: str | None
    ids: tuple[str | None, ...]
    dbs: tuple[_LinkSetDb, ...]
    errors: tuple[str, ...]


# ---------------------------------------------------------------------------- interface


def sniff(text: str) -> bool:
    """True for elink XML (the document element is ``eLinkResult``) and elink JSON (an
    ``elink`` header and ``linksets`` near the head of an object)."""
    head = text[:SNIFF_HEAD].lstrip("\ufeff")
    if _XML_ROOT.claims(head):
        return True
    return bool(_JSON_START.match(head) and _JSON_TYPE.search(head) and _JSON_LINKSETS.search(head))


def parse(text: str) -> Iterator[Record]:
    """Similar, citing and cited papers of each LinkSet; Problems for the rest."""
    if text.lstrip("\ufeff \t\r\n").startswith("<"):
        return _parse_xml(text)
    return read_works(text, {"linksets": "list"}, _json_linkset, "elink LinkSet")


# ---------------------------------------------------------------------------- records


def _records(linkset: _LinkSet) -> list[Record]:
    """The papers and relations of one LinkSet, or the Problems that stop it."""
    loc = Loc(line=linkset.line)
    records: list[Record] = [Problem(f"E-utilities error: {e}", loc) for e in linkset.errors]
    dbs = [db for db in linkset.dbs if db.dbto == "pubmed" and db.name in LINKS]
    if not dbs:
        return records  # ncheck, acheck, or only links kg does not read
    if linkset.dbfrom != "pubmed":
        records.append(Problem(f"links from {linkset.dbfrom!r:.40}, not PubMed: not read", loc))
        return records
    if len(linkset.ids) != 1:
        shown = ", ".join(str(i) for i in linkset.ids[:5]) + (", …" if len(linkset.ids) > 5 else "")
        message = (
            f"a LinkSet for {len(linkset.ids)} PMIDs ({shown}) merges their links: which "
            "paper each link belongs to cannot be told, so none is read (ask with one id= per "
            "PMID)"
            if linkset.ids
            else "a LinkSet without the PMID it links from: not read"
        )
        records.append(Problem(message, loc))
        return records
    pmid = normalize_pmid(linkset.ids[0])
    if pmid is None:
        records.append(Problem(f"not a PMID in IdList: {linkset.ids[0]!r:.40}", loc))
        return records
    paper = PaperRef(pmid=pmid)
    listed: dict[str, None] = {}
    relations: list[Record] = []
    for db in dbs:
        kind, forward = LINKS[db.name or ""]
        rank = 0
        for raw, score in db.links:
            other = normalize_pmid(raw)
            if other is None:
                records.append(Problem(f"not a PMID in {db.name}: {raw!r:.40}", loc))
                continue
            if other == pmid:
                continue  # the paper itself, first in its similar articles
            listed[other] = None
            ref = PaperRef(pmid=other)
            if kind == "similar":
                rank += 1
                relations.append(Relation(kind, paper, ref, loc=loc, rank=rank, score=score))
            else:
                subject, obj = (paper, ref) if forward else (ref, paper)
                relations.append(Relation(kind, subject, obj, loc=loc))
    if relations:
        records.append(Paper(loc=loc, pmid=pmid))
        records.extend(Paper(loc=loc, pmid=other) for other in listed)
        records.extend(relations)
    return records


def _score(value: Any) -> Decimal | None:
    """A link's score (an integer in PubMed's responses)."""
    found = number(value)
    return None if found is None else Decimal(found)


# ---------------------------------------------------------------------------- JSON


def _json_linkset(value: Any, line: int) -> list[Record]:
    """A ``linksets`` element, or a top-level object without any (an error response)."""
    loc = Loc(line=line)
    if not isinstance(value, dict):
        return [Problem(f"an elink LinkSet must be an object, found {type(value).__name__}", loc)]
    errors = tuple(t for key in ("ERROR", "error") if (t := text_of(value.get(key))) is not None)
    if "header" in value:  # the response itself: it has no linksets
        return [Problem(f"E-utilities error: {e}", loc) for e in errors]
    dbs = []
    for entry in as_list(value.get("linksetdbs")):
        db = as_dict(entry)
        links = []
        for link in as_list(db.get("links")):
            if isinstance(link, dict):
                links.append((text_of(link.get("id")), _score(link.get("score"))))
            else:
                links.append((text_of(link), None))
        dbs.append(_LinkSetDb(text_of(db.get("dbto")), text_of(db.get("linkname")), tuple(links)))
    ids = tuple(text_of(i) for i in as_list(value.get("ids")))
    return _records(_LinkSet(line, text_of(value.get("dbfrom")), ids, tuple(dbs), errors))


# ---------------------------------------------------------------------------- XML


class _Node:
    """An element of the LinkSet being read: tag, text pieces, children, start line."""

    __slots__ = ("children", "line", "tag", "text")

    def __init__(self, tag: str, line: int) -> None:
        self.tag = tag
        self.line = line
        self.text: list[str] = []
        self.children: list[_Node] = []

    def value(self) -> str | None:
        return text_of("".join(self.text))

    def all(self, tag: str) -> list[_Node]:
        return [c for c in self.children if c.tag == tag]

    def first(self, tag: str) -> str | None:
        found = self.all(tag)
        return found[0].value() if found else None


class _Hostile(Exception):
    """Raised from the entity-declaration handler: stop reading at once."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _XmlReader:
    """One pyexpat pass: each LinkSet (and each top-level ERROR) made into records as it
    ends."""

    def __init__(self) -> None:
        self.stack: list[_Node] = []
        self.done: list[Record] = []
        parser = ParserCreate(encoding="utf-8")  # the text is already decoded: fed as UTF-8
        parser.buffer_text = True
        parser.SetParamEntityParsing(NEVER)  # never read the external DTD or a PE
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        parser.EntityDeclHandler = self._entity
        parser.ExternalEntityRefHandler = self._entity
        self.parser = parser

    def _start(self, tag: str, _attrs: dict[str, str]) -> None:
        if self.stack or tag in ("LinkSet", "ERROR"):
            node = _Node(tag, self.parser.CurrentLineNumber)
            if self.stack:
                self.stack[-1].children.append(node)
            self.stack.append(node)

    def _text(self, data: str) -> None:
        if self.stack and self.stack[-1].tag in _TEXT_TAGS:
            self.stack[-1].text.append(data)

    def _end(self, _tag: str) -> None:
        if not self.stack:
            return
        node = self.stack.pop()
        if self.stack:
            return
        try:
            if node.tag == "ERROR":
                message = f"E-utilities error: {node.value() or 'no message'}"
                self.done.append(Problem(message, Loc(line=node.line)))
            else:
                self.done.extend(_records(_xml_linkset(node)))
        except READ_ERRORS as error:
            self.done.append(Problem(f"cannot read the LinkSet: {error}", Loc(line=node.line)))

    def _entity(self, *_declaration: object) -> int:
        """Any entity declaration or external entity: hostile (XXE, entity bomb)."""
        raise _Hostile(self.parser.CurrentLineNumber)


def _xml_linkset(node: _Node) -> _LinkSet:
    ids = tuple(i.value() for ids in node.all("IdList") for i in ids.all("Id"))
    dbs = tuple(
        _LinkSetDb(
            db.first("DbTo"),
            db.first("LinkName"),
            tuple((link.first("Id"), _score(link.first("Score"))) for link in db.all("Link")),
        )
        for db in node.all("LinkSetDb")
    )
    errors = tuple(e.value() or "no message" for e in node.all("ERROR"))
    return _LinkSet(node.line, node.first("DbFrom"), ids, dbs, errors)


def _parse_xml(text: str) -> Iterator[Record]:
    reader = _XmlReader()
    try:
        reader.parser.Parse(text.lstrip("\ufeff").encode("utf-8", "replace"), True)
    except _Hostile as hostile:
        yield from reader.done
        yield Problem(
            "entity declaration in the document: refused (entities are never expanded)",
            Loc(line=hostile.line),
        )
        return
    except ExpatError as error:
        yield from reader.done
        message = errors.messages.get(error.code, str(error))
        yield Problem(f"malformed XML: {message}", Loc(line=error.lineno))
        return
    yield from reader.done
