"""Reading lists: the papers of a built graph as BibTeX or RIS, the files reference managers
(Zotero, EndNote, JabRef, Mendeley) and LaTeX (biber, BibTeX) read.

:func:`read_references` reads each paper's fields from the merged graph with one SPARQL query
per table (fields, types, authorships, people, journals and books, publishers);
:func:`query_papers` picks the papers a named query returns; :func:`export_references` writes
them. kg's own readers (kg.extract.bibtex, kg.extract.ris) read every file written here back
to the same papers: the tests check it.

Rules both formats follow:

- Deterministic: the same graph gives the same bytes. By default every paper with a title,
  ordered by first author (family, given), year, title and IRI; from a named query, its
  papers in its order, each once.
- Text is text: control characters are dropped and line breaks folded to spaces (a BibTeX
  abstract keeps its paragraphs as blank lines, which is how kg reads paragraphs back);
  non-ASCII is kept, the files are UTF-8 without BOM.
- BibTeX: ``@article{key, …}`` (@book, @incollection, @inproceedings, @phdthesis,
  @techreport, @misc), LF line ends. Keys are the first author's family name folded to ASCII,
  the year and the first word of the title (``lee2015social``), with ``a``, ``b``… on every
  key that would be shared. Values are LaTeX: ``\\ { } % & # _ $ ~ ^`` escaped (a brace
  without its pair as ``$\\lbrace$``/``$\\rbrace$``, so that braces stay balanced), TeX's
  ligatures (``--``, ``''``, ``<<``…) broken with ``{}``, words with inner capitals
  protected from a style's case changes in titles. Identifiers (doi, pmid, pmcid) are written
  as they are, with ``% { } \\`` percent-encoded.
- RIS: ``TY  - JOUR`` … ``ER  - ``, CRLF line ends (as Zotero and EndNote write), one
  ``TAG  - value`` line per value: a value never holds a line break.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import FormatError, OutputError, QueryError
from .fsio import atomic_write
from .records import Person

if TYPE_CHECKING:
    import pyoxigraph as ox

# ---------------------------------------------------------------------------- data tables

FABIO = "http://purl.org/spar/fabio/"
KGO_PAPER = "https://w3id.org/kg/ontology#Paper"

# FaBiO class (local name) -> kind of reference.
KINDS: dict[str, str] = {
    "BookChapter": "chapter",
    "ConferencePaper": "conference",
    "Book": "book",
    "Thesis": "thesis",
    "ReportDocument": "report",
    "Dataset": "dataset",
    "JournalArticle": "article",
    "ReviewArticle": "article",
    "SystematicReview": "article",
    "ClinicalTrialReport": "article",
    "CaseReport": "article",
    "Letter": "article",
    "Editorial": "article",
    "Comment": "article",
    "Erratum": "article",
    "RetractionNotice": "article",
    "Preprint": "preprint",
}
# A paper of several kinds is the first of them here (a published preprint is an article).
KIND_ORDER = ("chapter", "conference", "book", "thesis", "report", "dataset", "article", "preprint")
# A paper with no FaBiO type: the kind its container gives, else generic.
CONTAINER_KINDS: dict[str, str] = {
    "Journal": "article",
    "Book": "chapter",
    "AcademicProceedings": "conference",
}
# kind -> (BibTeX entry type, RIS TY code). RIS codes are the standard ones Zotero and
# EndNote write (CONF for a conference paper, as Zotero does; GEN for what has no code).
ENTRY_TYPES: dict[str, tuple[str, str]] = {
    "article": ("article", "JOUR"),
    "book": ("book", "BOOK"),
    "chapter": ("incollection", "CHAP"),
    "conference": ("inproceedings", "CONF"),
    "thesis": ("phdthesis", "THES"),
    "report": ("techreport", "RPRT"),
    "dataset": ("misc", "DATA"),
    "preprint": ("misc", "GEN"),
    "generic": ("misc", "GEN"),
}
# Kinds whose container is a book or proceedings (BibTeX booktitle, RIS T2), not a journal.
IN_BOOK = frozenset({"chapter", "conference"})

# Letters NFKD does not take apart, folded for citation keys.
ASCII_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)
# Title words a citation key skips for the first word.
KEY_STOPWORDS = frozenset(
    {"a", "an", "the", "on", "of", "in", "for", "and", "to", "with", "from", "at", "by", "is"}
)

# LaTeX for the characters BibTeX or TeX treat as markup (braces are paired first).
LATEX_ESCAPES: dict[str, str] = {
    "\\": "\\textbackslash{}",
    "%": "\\%",
    "&": "\\&",
    "#": "\\#",
    "_": "\\_",
    "$": "\\$",
    "~": "\\textasciitilde{}",
    "^": "\\^{}",
}
# Names BibTeX reads as "and others" (written in braces when a name is one of them).
ET_AL = frozenset({"others", "et al", "et al."})
# Pairs TeX typesets as one character (ligatures): written with {} between them.
LIGATURES = frozenset({"--", "''", "``", "?`", "!`", "<<", ">>", ",,"})

# Line breaks, as any of Python, RIS and BibTeX readers may take them.
_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SPACE = re.compile(r" +")
_AND = re.compile(r"\s+and\s+", re.I)
_WORD = re.compile(r"[a-z0-9]+")
_INNER_CAPITAL = re.compile(r"[A-Za-z0-9][A-Z]")

CRLF = "\r\n"


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Reference:
    """One paper as a reference manager sees it. ``kind`` is a key of ENTRY_TYPES."""

    iri: str
    kind: str = "generic"
    title: str | None = None
    authors: tuple[Person, ...] = ()
    year: int | None = None
    journal: str | None = None
    abbreviation: str | None = None  # the NLM journal title abbreviation
    book_title: str | None = None
    publisher: str | None = None
    volume: str | None = None
    issue: str | None = None
    start_page: str | None = None
    end_page: str | None = None
    page_range: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    abstract: str | None = None


# ---------------------------------------------------------------------------- reading

# Literal properties of a paper -> Reference field.
_FIELDS = {
    "dcterms:title": "title",
    "dcterms:abstract": "abstract",
    "prism:doi": "doi",
    "fabio:hasPubMedId": "pmid",
    "fabio:hasPubMedCentralId": "pmcid",
    "fabio:hasPublicationYear": "year",
    "prism:volume": "volume",
    "prism:issueIdentifier": "issue",
    "prism:startingPage": "start_page",
    "prism:endingPage": "end_page",
    "prism:pageRange": "page_range",
}


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# At most this many IRIs are given to a query in VALUES; more, and every row is read.
VALUES_LIMIT = 1000


def _values(variable: str, iris: Sequence[str] | None) -> str:
    """``VALUES ?v { <…> … }`` for the given IRIs (read from the store: valid IRIs), or
    nothing when every node is wanted or when they are many (the rows are picked then)."""
    if iris is None or len(iris) > VALUES_LIMIT:
        return ""
    return f"VALUES ?{variable} {{ {' '.join(f'<{i}>' for i in iris)} }} "


def _keep(fields: dict[str, Any], name: str, value: str) -> None:
    """One value per field whatever the store's order: the smallest; of names, the longest
    (the most complete: ``Maria K.`` rather than ``M. K.``), then the smallest."""
    old = fields.get(name)
    if old is None:
        fields[name] = value
    elif name in ("name", "given"):
        fields[name] = min(old, value, key=lambda v: (-len(v), v))
    else:
        fields[name] = min(old, value)


def read_references(store: ox.Store, iris: Sequence[str] | None = None) -> tuple[Reference, ...]:
    """The references of ``iris`` (papers' IRIs, in that order; those that are not papers of
    the graph left out), or of every paper with a title, ordered by first author, year and
    title."""
    from .projections import rows

    wanted = None if iris is None else list(dict.fromkeys(iris))
    chosen = None if wanted is None else set(wanted)
    papers: dict[str, dict[str, Any]] = {}
    for (p,) in rows(store, f"SELECT ?p {{ {_values('p', wanted)}?p a kgo:Paper }}"):
        if chosen is None or p in chosen:
            papers[p] = {}
    query = (
        f"SELECT ?p ?prop ?v {{ {_values('p', wanted)}VALUES ?prop {{ {' '.join(_FIELDS)} }} "
        "?p ?prop ?v }"
    )
    names = {prop.split(":")[1]: name for prop, name in _FIELDS.items()}
    for p, prop, value in rows(store, query):
        if p in papers:
            _keep(papers[p], names[_local(prop)], value)
    kinds: dict[str, set[str]] = {}
    for p, cls in rows(store, f"SELECT ?p ?c {{ {_values('p', wanted)}?p a kgo:Paper , ?c }}"):
        if cls.startswith(FABIO) and (kind := KINDS.get(cls[len(FABIO) :])):
            kinds.setdefault(p, set()).add(kind)
    authors = _read_authors(store, wanted, papers)
    containers = _read_containers(store, wanted, papers)
    for p, name in rows(
        store,
        f"SELECT ?p ?name {{ {_values('p', wanted)}?p dcterms:publisher ?o . ?o foaf:name ?name }}",
    ):
        if p in papers:
            _keep(papers[p], "publisher", name)
    references = []
    for p, fields in papers.items():
        journal = containers.get((p, "Journal"), {})
        book = containers.get((p, "Book")) or containers.get((p, "AcademicProceedings"), {})
        found = kinds.get(p, set())
        kind = next((k for k in KIND_ORDER if k in found), None)
        if kind is None:
            kind = next((v for c, v in CONTAINER_KINDS.items() if (p, c) in containers), "generic")
        year = fields.get("year", "")[:4]
        references.append(
            Reference(
                iri=p,
                kind=kind,
                authors=authors.get(p, ()),
                year=int(year) if year.isdigit() else None,
                journal=journal.get("title"),
                abbreviation=journal.get("abbreviation"),
                book_title=book.get("title"),
                **{k: v for k, v in fields.items() if k != "year"},
            )
        )
    if wanted is not None:
        order = {iri: index for index, iri in enumerate(wanted)}
        return tuple(sorted(references, key=lambda r: order[r.iri]))
    return tuple(sorted((r for r in references if r.title), key=_sort_key))


def _read_authors(
    store: ox.Store, wanted: list[str] | None, papers: Mapping[str, Any]
) -> dict[str, tuple[Person, ...]]:
    """Each paper's authors in order: the authorships, then the people they name."""
    from .projections import rows

    positions: dict[str, list[tuple[int, str]]] = {}
    query = (
        f"SELECT ?p ?a ?pos {{ {_values('p', wanted)}"
        "?p kgo:hasAuthorship ?r . ?r kgo:author ?a ; kgo:position ?pos }"
    )
    for p, a, position in rows(store, query):
        if p in papers and position.lstrip("-").isdigit():
            positions.setdefault(p, []).append((int(position), a))
    people: dict[str, dict[str, Any]] = {}
    named = None if wanted is None else sorted({a for e in positions.values() for _, a in e})
    for a, kind, name, family, given in rows(
        store,
        f"SELECT ?a ?kind ?name ?family ?given {{ {_values('a', named)}"
        "VALUES ?kind { foaf:Person foaf:Organization } ?a a ?kind . "
        "OPTIONAL { ?a foaf:name ?name } OPTIONAL { ?a foaf:familyName ?family } "
        "OPTIONAL { ?a foaf:givenName ?given } }",
    ):
        person = people.setdefault(a, {})
        if kind.endswith("Organization"):
            person["collective"] = True
        for field, value in (("name", name), ("family", family), ("given", given)):
            if value:
                _keep(person, field, value)
    out: dict[str, tuple[Person, ...]] = {}
    for p, entries in positions.items():
        seen: set[str] = set()
        found: list[Person] = []
        for _, a in sorted(entries):
            person = people.get(a)
            if a in seen or not person or not (person.get("name") or person.get("family")):
                continue
            seen.add(a)
            collective = bool(person.get("collective"))
            found.append(
                Person(
                    name=person.get("name") or person["family"],
                    family=None if collective else person.get("family"),
                    given=None if collective else person.get("given"),
                    collective=collective,
                )
            )
        out[p] = tuple(found)
    return out


def _read_containers(
    store: ox.Store, wanted: list[str] | None, papers: Mapping[str, Any]
) -> dict[tuple[str, str], dict[str, Any]]:
    """(paper, container class) -> the title and abbreviation of the journal or book it is
    part of (the smallest IRI of a class, when there are several)."""
    from .projections import rows

    found: dict[tuple[str, str], dict[str, Any]] = {}
    query = (
        f"SELECT ?p ?c ?kind ?title ?abbr {{ {_values('p', wanted)}"
        "VALUES ?kind { fabio:Journal fabio:Book fabio:AcademicProceedings } "
        "?p dcterms:isPartOf ?c . ?c a ?kind . OPTIONAL { ?c dcterms:title ?title } "
        "OPTIONAL { ?c fabio:hasNLMJournalTitleAbbreviation ?abbr } }"
    )
    for p, c, kind, title, abbreviation in rows(store, query):
        if p not in papers:
            continue
        key = (p, _local(kind))
        container = found.get(key)
        if container is None or c < container["iri"]:
            container = found[key] = {"iri": c}
        elif c != container["iri"]:
            continue
        for field, value in (("title", title), ("abbreviation", abbreviation)):
            if value:
                _keep(container, field, value)
    return found


def _fold(text: str | None) -> str:
    """Text for sorting: accents and case set aside."""
    decomposed = unicodedata.normalize("NFKD", text or "").translate(ASCII_LETTERS)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _sort_key(ref: Reference) -> tuple[Any, ...]:
    first = ref.authors[0] if ref.authors else None
    return (
        first is None,
        _fold(first.family or first.name) if first else "",
        _fold(first.given) if first else "",
        ref.year is None,
        ref.year or 0,
        _fold(ref.title),
        ref.title or "",
        ref.iri,
    )


def query_papers(
    store: ox.Store, name: str, params: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """The papers a named query returns, in its order, each once: its ``?paper`` column, or
    the first column holding papers. A query about one paper (it takes ``paper``, given as
    ``-p doi=…``) returns that paper in ``?paper`` on every row: its answer is the next
    column holding papers (``cited-by``: the citing papers)."""
    import pyoxigraph as ox

    from .projections import rows
    from .query import named, run_named

    result = run_named(store, name, params)
    if result.kind != "select":
        raise QueryError(f"query {name!r} does not select papers")
    papers = {p for (p,) in rows(store, "SELECT ?p { ?p a kgo:Paper }")}
    cells = [
        [term.value if isinstance(term, ox.NamedNode) else None for term in row]
        for row in result.rows
    ]
    # the paper a query is about is what it was given, not what it answers
    given = "paper" in named()[name].parameters
    columns = [i for i, v in enumerate(result.variables) if not (given and v == "paper")]
    column = next((i for i in columns if result.variables[i] == "paper"), None)
    if column is None:
        column = next((i for i in columns if any(row[i] in papers for row in cells)), None)
    if column is None:
        if cells:
            raise QueryError(f"query {name!r} returns no papers (no column of paper IRIs)")
        return ()
    return tuple(dict.fromkeys(row[column] for row in cells if row[column] in papers))


# ---------------------------------------------------------------------------- text


def clean(text: str | None, paragraphs: bool = False) -> str:
    """``text`` without control characters, tabs as spaces, runs of spaces as one; line
    breaks are spaces, or (``paragraphs``) one ``\\n`` between paragraphs. Other white space
    (a no-break or thin space) is kept as it is."""
    if not text:
        return ""
    lines = _CONTROL.sub("", _BREAKS.sub("\n", text)).replace("\t", " ").split("\n")
    lines = [_SPACE.sub(" ", line).strip(" ") for line in lines]
    return ("\n" if paragraphs else " ").join(line for line in lines if line)


def ascii_fold(text: str) -> str:
    """``Ørsted``, ``Müller``, ``Straße`` -> ``Orsted``, ``Muller``, ``Strasse``; what has no
    ASCII form is dropped."""
    decomposed = unicodedata.normalize("NFKD", text).translate(ASCII_LETTERS)
    return decomposed.encode("ascii", "ignore").decode("ascii")


# ---------------------------------------------------------------------------- BibTeX


def latex(text: str | None, protect_case: bool = False) -> str:
    """Text as a BibTeX value (LaTeX): every markup character escaped, braces balanced,
    ligatures broken; with ``protect_case``, words with an inner capital (``COVID``,
    ``mRNA``) in braces so that a style's case change leaves them."""
    text = clean(text)
    pieces = _escaped(text)
    if not protect_case:
        return "".join(pieces)
    words: list[str] = []
    start = 0
    for end in [*(i for i, c in enumerate(text) if c == " "), len(text)]:
        word, escaped = text[start:end], "".join(pieces[start:end])
        protect = _INNER_CAPITAL.search(word) and not escaped.startswith("\\")
        words.append(f"{{{escaped}}}" if protect else escaped)
        start = end + 1
    return " ".join(words)


def _escaped(text: str) -> list[str]:
    """Each character of ``text`` as LaTeX (a ``{}`` before it when it would make a ligature
    with the one before)."""
    paired = _paired_braces(text)
    out: list[str] = []
    for index, char in enumerate(text):
        if char in "{}":
            if index in paired:
                piece = "\\" + char
            else:
                piece = "$\\lbrace$" if char == "{" else "$\\rbrace$"
        else:
            piece = LATEX_ESCAPES.get(char, char)
        if index and text[index - 1] + char in LIGATURES:
            piece = "{}" + piece
        out.append(piece)
    return out


def _paired_braces(text: str) -> set[int]:
    """The positions of the braces of ``text`` that close or are closed by another."""
    paired: set[int] = set()
    opened: list[int] = []
    for index, char in enumerate(text):
        if char == "{":
            opened.append(index)
        elif char == "}" and opened:
            paired.update((opened.pop(), index))
    return paired


def verbatim(text: str | None) -> str:
    """An identifier as a BibTeX value: as it is, but for the characters BibTeX or kg's
    reader would take for markup (``% { } \\``), percent-encoded as in a URL."""
    return "".join(f"%{ord(c):02X}" if c in "%{}\\" else c for c in clean(text).replace(" ", ""))


def _needs_group(value: str) -> bool:
    """A name part BibTeX would split (a comma, `` and ``) or read as ``and others``."""
    return "," in value or bool(_AND.search(f" {value} ")) or value.lower() in ET_AL


def bibtex_name(author: Person) -> str:
    """``Family, Given``; a group's name in braces (kg and biber read it as one name)."""
    if author.collective or not author.family:
        name = latex(author.name)
        return f"{{{name}}}" if author.collective or _needs_group(clean(author.name)) else name
    parts = []
    for part in (author.family, author.given):
        if part and clean(part):
            value = latex(part)
            parts.append(f"{{{value}}}" if _needs_group(clean(part)) else value)
    return ", ".join(parts)


def _key_part(text: str | None) -> str:
    return "".join(_WORD.findall(ascii_fold(text or "").lower()))


def citation_key(ref: Reference) -> str:
    """``lee2015social``: the first author's family name (ASCII), the year and the first
    word of the title (past ``the``, ``a``…)."""
    first = ref.authors[0] if ref.authors else None
    if first is None:
        who = "anon"
    elif first.family:
        who = _key_part(first.family)
    else:  # a group: its first word; a name alone: its last
        words = _WORD.findall(ascii_fold(first.name).lower())
        who = (words[0] if first.collective else words[-1]) if words else ""
    words = _WORD.findall(ascii_fold(ref.title or "").lower())
    word = next((w for w in words if w not in KEY_STOPWORDS), words[0] if words else "")
    return (who or "anon") + (str(ref.year) if ref.year else "") + word


def _suffix(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa …"""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def citation_keys(refs: Sequence[Reference]) -> tuple[str, ...]:
    """A unique key for each reference: its own, with ``a``, ``b``… on each of those that
    would share one (in the order given), never one another reference has."""
    bases = [citation_key(ref) for ref in refs]
    counts: dict[str, int] = {}
    for base in bases:
        counts[base] = counts.get(base, 0) + 1
    taken = {base for base in bases if counts[base] == 1}
    next_suffix: dict[str, int] = {}
    keys = []
    for base in bases:
        if counts[base] == 1:
            keys.append(base)
            continue
        while True:
            n = next_suffix.get(base, 0)
            next_suffix[base] = n + 1
            key = base + _suffix(n)
            if key not in taken:
                break
        taken.add(key)
        keys.append(key)
    return tuple(keys)


def _bibtex_fields(ref: Reference) -> list[tuple[str, str]]:
    """(field, value as written) in the order written; empty values left out."""
    fields: list[tuple[str, str]] = []
    names = [n for n in (bibtex_name(a) for a in ref.authors) if n]
    if names:
        fields.append(("author", " and ".join(names)))
    fields.append(("title", latex(ref.title, protect_case=True)))
    if ref.kind in IN_BOOK:
        fields.append(("booktitle", latex(ref.book_title, protect_case=True)))
    journal = ref.journal or ref.abbreviation
    fields.append(("journal", latex(journal)))
    if ref.journal and ref.abbreviation and ref.abbreviation != ref.journal:
        fields.append(("shortjournal", latex(ref.abbreviation)))
    if ref.kind not in IN_BOOK and ref.book_title:
        fields.append(("booktitle", latex(ref.book_title, protect_case=True)))
    fields += [
        ("publisher", latex(ref.publisher)),
        ("year", str(ref.year) if ref.year else ""),
        ("volume", latex(ref.volume)),
        ("number", latex(ref.issue)),
        ("pages", _bibtex_pages(ref)),
        ("doi", verbatim(ref.doi)),
        ("pmid", verbatim(ref.pmid)),
        ("pmcid", verbatim(ref.pmcid)),
        ("abstract", _bibtex_abstract(ref.abstract)),
    ]
    return [(name, value) for name, value in fields if value]


def _bibtex_pages(ref: Reference) -> str:
    start, end = clean(ref.start_page), clean(ref.end_page)
    if start and end:
        return latex(start) if start == end else f"{latex(start)}--{latex(end)}"
    return latex(ref.page_range or start)


def _bibtex_abstract(text: str | None) -> str:
    """Paragraphs separated by a blank line; one starting with ``@`` has it in braces, so
    that no line of the value looks like the start of an entry."""
    paragraphs = [latex(p) for p in clean(text, paragraphs=True).split("\n") if p]
    return "\n\n".join("{@}" + p[1:] if p.startswith("@") else p for p in paragraphs)


def to_bibtex(refs: Sequence[Reference]) -> str:
    """The references as a BibTeX file: one entry each, a blank line between them."""
    entries = []
    for ref, key in zip(refs, citation_keys(refs), strict=True):
        kind = ENTRY_TYPES[ref.kind][0]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in _bibtex_fields(ref))
        entries.append(f"@{kind}{{{key},\n{body}\n}}\n" if body else f"@{kind}{{{key}}}\n")
    return "\n".join(entries)


# ---------------------------------------------------------------------------- RIS


def ris_name(author: Person) -> str:
    """``Family, Given`` (RIS's form); a group's name as it is."""
    if author.collective or not author.family:
        return clean(author.name)
    given = clean(author.given)
    return f"{clean(author.family)}, {given}" if given else clean(author.family)


def _ris_fields(ref: Reference) -> list[tuple[str, str]]:
    """(tag, value) in the order written; empty values left out."""
    fields: list[tuple[str, str]] = [("TY", ENTRY_TYPES[ref.kind][1])]
    fields += [("AU", ris_name(a)) for a in ref.authors]
    fields.append(("TI", ref.title or ""))
    if ref.kind in IN_BOOK:
        fields.append(("T2", ref.book_title or ""))
        fields.append(("JO", ref.journal or ref.abbreviation or ""))
    else:
        fields.append(("T2", ref.journal or ref.abbreviation or ""))
    if ref.journal and ref.abbreviation and ref.abbreviation != ref.journal:
        fields.append(("J2", ref.abbreviation))
    start, end = clean(ref.start_page), clean(ref.end_page)
    pages = [("SP", start), ("EP", end)] if start and end else [("SP", ref.page_range or start)]
    fields += [
        ("PY", str(ref.year) if ref.year else ""),
        ("VL", ref.volume or ""),
        ("IS", ref.issue or ""),
        *pages,
        ("PB", ref.publisher or ""),
        ("DO", ref.doi or ""),
        ("AN", ref.pmid or ""),  # a PMID, as EndNote's PubMed import writes it
        ("C2", ref.pmcid or ""),  # the PMCID, likewise
        ("AB", ref.abstract or ""),
    ]
    return [(tag, value) for tag, value in ((t, clean(v)) for t, v in fields) if value]


def to_ris(refs: Sequence[Reference]) -> str:
    """The references as a RIS file: ``TY`` … ``ER``, a blank line after each, CRLF."""
    lines: list[str] = []
    for ref in refs:
        lines += [f"{tag}  - {value}" for tag, value in _ris_fields(ref)]
        lines += ["ER  - ", ""]
    return "".join(line + CRLF for line in lines)


# ---------------------------------------------------------------------------- export

WRITERS: dict[str, Callable[[Sequence[Reference]], str]] = {"bibtex": to_bibtex, "ris": to_ris}
FORMATS = tuple(WRITERS)


def render(refs: Sequence[Reference], fmt: str) -> str:
    if fmt not in WRITERS:
        raise FormatError(f"unknown reading-list format {fmt!r} (known: {', '.join(FORMATS)})")
    return WRITERS[fmt](refs)


def export_references(
    store: ox.Store,
    fmt: str,
    output: Path,
    name: str | None = None,
    params: Mapping[str, str] | None = None,
) -> int:
    """Replace ``output`` with the papers of the graph (or those the named query ``name``
    returns, with ``params``) as ``fmt``; the number of papers written. OutputError when it
    cannot be written: then ``output`` is left as it was."""
    iris = query_papers(store, name, params) if name else None
    refs = read_references(store, iris)
    data = render(refs, fmt).encode("utf-8")
    try:
        atomic_write(output, data)
    except OSError as error:
        raise OutputError.writing(output, error) from None
    return len(refs)
