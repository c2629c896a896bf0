"""PubMed XML: efetch ``PubmedArticleSet`` output and the annual baseline / update files.

:func:`parse_chunks` reads the text from an iterable of str chunks of any size (a decoded
``.xml.gz`` read piece by piece); :func:`parse` is the same on one str. The text is re-cut into
slices of :data:`CHUNK` characters and streamed through pyexpat: only the article being read is
held as a small element tree (:class:`_Element`), turned into records when its
``</PubmedArticle>`` or ``</PubmedBookArticle>`` ends and then dropped. Of the text itself only
the current slice is kept, from the last event pyexpat reported outside an article on (no
later syntax error can be before it): memory stays flat on a 2 GB baseline file read in
chunks. Every record carries the line where its article starts.

Quirks handled:

* Security: entities are never resolved and no DTD is ever fetched. The external DTD named
  by the ``DOCTYPE`` every PubMed file has is ignored; a document that declares any entity
  (``<!ENTITY …>``, general or parameter, internal or external) is treated as hostile: one
  Problem with the line of the declaration and nothing more is read (an entity bomb fails
  at its first declaration). Character references and the five predefined entities work.
* Malformed XML: a Problem with the line of the error; the articles completed before it are
  kept, and reading resumes at the next ``<PubmedArticle>`` after the error (searched in the
  rest of the slice and in the chunks that follow, never in the whole text).
* Text pyexpat hands over in pieces (at the end of every slice, every 8 KiB) is joined back
  before use: a slice ending in the indentation before a ``<sub>`` changes nothing.
* Inline markup (``<i>``, ``<sup>`` …) and MathML (``mml:math``) in titles and abstracts are
  flattened to text; MathML layout white space is dropped and prescripts (``³He``) come first.
* Structured abstracts: ``Label="METHODS"`` becomes a ``METHODS: …`` paragraph.
* ``MedlineTA`` is preferred to ``ISOAbbreviation``; ``ISSNLinking`` comes first in issns.
* ``MedlineDate`` ranges (``2019 Dec-2020 Jan``) stay as printed, the year is their first.
* References come from ``ReferenceList`` (free-text ``Citation`` plus ids) and from the older
  ``CommentsCorrections RefType="Cites"``; the other RefTypes become relations or extra.
* ``PubmedBookArticle``: chapter or whole book, with editors, publisher and book title.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import replace
from pyexpat import XML_PARAM_ENTITY_PARSING_NEVER as NEVER
from pyexpat import ExpatError, ParserCreate, errors
from typing import Any

from ..ids import normalize_doi, normalize_pmcid, normalize_pmid
from ..records import (
    Grant,
    Journal,
    Loc,
    MeshHeading,
    Paper,
    PaperRef,
    Person,
    Problem,
    Record,
    Relation,
)
from .common import MONTHS, READ_ERRORS, XmlRoot
from .names import person

FORMAT = "pubmed_xml"
MEDIA_TYPE = "application/xml"

CHUNK = 1 << 20  # characters fed to the parser at a time
SNIFF_HEAD = 1 << 16  # characters sniff looks at

Fields = dict[str, Any]  # keyword arguments for Paper
Extra = list[tuple[str, str]]
Position = tuple[int, int]  # (line, column) of a syntax error, as pyexpat gives them


ARTICLE_TAGS = frozenset({"PubmedArticle", "PubmedBookArticle"})
ROOT_TAGS = ("PubmedArticleSet", "PubmedBookArticleSet")

# ---------------------------------------------------------------------------- data tables

# ArticleId IdType -> (Paper field, normaliser); other IdTypes (pii, mid, …) go to extra.
ARTICLE_IDS: dict[str, tuple[str, Callable[[str | None], str | None]]] = {
    "pubmed": ("pmid", normalize_pmid),
    "doi": ("doi", normalize_doi),
    "pmc": ("pmcid", normalize_pmcid),
}

# CommentsCorrections RefType -> (relation kind, this article is the subject).
COMMENTS_CORRECTIONS: dict[str, tuple[str, bool]] = {
    "Cites": ("cites", True),
    "CommentOn": ("discusses", True),
    "CommentIn": ("discusses", False),
    "ErratumFor": ("corrects", True),
    "ErratumIn": ("corrects", False),
    "RetractionOf": ("retracts", True),
    "RetractionIn": ("retracts", False),
    "UpdateOf": ("updates", True),
    "UpdateIn": ("updates", False),
}

# Elements (path from PubmedArticle) kept in extra under their tag, text as printed.
ARTICLE_EXTRA: tuple[str, ...] = (
    "MedlineCitation/Article/VernacularTitle",
    "MedlineCitation/Article/Abstract/CopyrightInformation",
    "MedlineCitation/MedlineJournalInfo/Country",
    "MedlineCitation/MedlineJournalInfo/NlmUniqueID",
    "MedlineCitation/CitationSubset",
    "MedlineCitation/NumberOfReferences",
    "MedlineCitation/OtherID",
    "MedlineCitation/GeneralNote",
    "MedlineCitation/SpaceFlightMission",
    "MedlineCitation/SupplMeshList/SupplMeshName",
    "MedlineCitation/GeneSymbolList/GeneSymbol",
    "PubmedData/PublicationStatus",
)

# The same for PubmedBookArticle.
BOOK_EXTRA: tuple[str, ...] = (
    "BookDocument/LocationLabel",
    "BookDocument/VernacularTitle",
    "BookDocument/Abstract/CopyrightInformation",
    "BookDocument/Book/Publisher/PublisherLocation",
    "BookDocument/Book/Edition",
    "BookDocument/Book/VolumeTitle",
    "BookDocument/Book/CollectionTitle",
    "BookDocument/Book/Isbn",
    "BookDocument/Book/Medium",
    "BookDocument/Book/ReportNumber",
    "BookDocument/Isbn",
    "PubmedBookData/PublicationStatus",
)

# Dates in PubmedData/History kept in extra; entrez/pubmed/medline are indexing timestamps.
HISTORY_KEPT = frozenset(
    {"received", "revised", "accepted", "pmc-release", "retracted", "ecollection"}
)

MONTH_NAMES: dict[str, str] = {
    **{str(n): m for n, m in enumerate(MONTHS, 1)},
    **{f"{n:02d}": m for n, m in enumerate(MONTHS, 1)},
    **{m.lower(): m for m in MONTHS},
}

# MathML token elements: their white space is content; elsewhere in MathML it is layout.
MATH_TOKENS = frozenset({"mi", "mn", "mo", "mtext", "ms"})
SCRIPTS = frozenset({"sub", "sup"})  # inline markup glued to the text before it

# ---------------------------------------------------------------------------- patterns

_ROOT = XmlRoot("PubmedArticleSet", "PubmedBookArticleSet")
_ARTICLE_START = re.compile(r"<(?:PubmedArticle|PubmedBookArticle)[\s/>]")
# A match of _ARTICLE_START can begin only in the last characters of a text searched in vain.
_ARTICLE_START_TAIL = len("<PubmedBookArticle")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_ISSN = re.compile(r"^(\d{4})-?(\d{3}[\dX])$")

# ---------------------------------------------------------------------------- interface


def sniff(text: str) -> bool:
    """True when the document element (after declaration, DOCTYPE, comments) is a PubMed set,
    or when the DOCTYPE names one and its internal subset runs past the text sniffed."""
    return _ROOT.claims(text[:SNIFF_HEAD].lstrip("\ufeff"))


def parse(text: str) -> Iterator[Record]:
    """Papers and relations of every article, one article at a time; Problems for the rest."""
    size = CHUNK
    return parse_chunks(text[at : at + size] for at in range(0, len(text), size))


def parse_chunks(chunks: Iterable[str]) -> Iterator[Record]:
    """:func:`parse` on the text made of ``chunks`` (str of any size, cut anywhere).

    Only the current chunks and the article being read are held: the records, lines and
    Problems are those of :func:`parse` on the whole text."""
    stream = _Stream(chunks)
    first_line, prefix = 1, ""
    while True:
        reader = _Reader(first_line - 1, len(prefix))
        error = yield from reader.run(stream, prefix)
        if error is None:
            return
        # Resume at the next article after the error, inside a fresh document element.
        line = _resume(reader.window, stream, error)
        if line is None:
            return
        first_line += line - 1
        prefix = f"<{reader.root or ROOT_TAGS[0]}>"


# ---------------------------------------------------------------------------- streaming


class _Stream:
    """The text of an iterable of chunks, read in pieces of any size; text can be put back.

    A leading byte order mark is dropped. Only the current chunk is referenced."""

    def __init__(self, chunks: Iterable[str]) -> None:
        self._chunks = iter(chunks)
        self._chunk = ""
        self._at = 0  # of the next character in _chunk
        self._first = True

    def _fill(self) -> bool:
        """Make the current chunk have unread text; False at the end of the text."""
        while self._at >= len(self._chunk):
            chunk = next(self._chunks, None)
            if chunk is None:
                self._chunk, self._at = "", 0
                return False
            self._chunk, self._at = chunk, 0
            if self._first and self._chunk:
                self._first = False
                if self._chunk.startswith("\ufeff"):
                    self._at = 1
        return True

    def read(self, size: int) -> str:
        """The next ``size`` characters; fewer only at the end of the text."""
        pieces = []
        while size > 0 and self._fill():
            piece = self._chunk[self._at : self._at + size]  # the chunk itself when it fits
            self._at += len(piece)
            size -= len(piece)
            pieces.append(piece)
        return "".join(pieces)

    def read_any(self) -> str:
        """The unread rest of the current chunk, else the next chunk; "" at the end."""
        if not self._fill():
            return ""
        piece = self._chunk[self._at :]
        self._chunk, self._at = "", 0
        return piece

    def unread(self, text: str) -> None:
        """Put ``text`` back before the unread rest."""
        self._chunk, self._at = text + self._chunk[self._at :], 0


class _Window:
    """The text a reader was fed since its last mark: a syntax error can only come after it.

    Positions count characters from where the reader's text starts (its prefix, on the same
    first line, is before 0); lines are the reader's (pyexpat's) numbers. ``text`` starts at
    ``at``, on ``line``, which begins at ``line_start``."""

    __slots__ = ("at", "line", "line_start", "prefix_length", "text")

    def __init__(self, prefix_length: int) -> None:
        self.prefix_length = prefix_length
        self.text = ""
        self.at = 0
        self.line = 1
        self.line_start = -prefix_length

    def _line_start(self, line: int) -> int | None:
        """Where ``line`` begins, if it begins in the window (lines end at CRLF, CR or LF)."""
        skip = line - self.line  # the line break that ends the line before is the skip-th
        if skip <= 0:
            return self.line_start if skip == 0 else None
        text = self.text
        cr = "\r" in text
        count = text.count("\n") + (text.count("\r") - text.count("\r\n") if cr else 0)
        if skip > count:
            return None
        if count - skip < skip:  # nearer the end (the usual case): walk back from there
            end = last_cr = len(text)
            for _ in range(count - skip + 1):
                at = text.rfind("\n", 0, end)
                if cr:
                    if last_cr >= end:
                        last_cr = text.rfind("\r", 0, end)
                    if last_cr > at:
                        at = last_cr
                    elif at > 0 and text[at - 1] == "\r":  # CRLF
                        after, end = at + 1, at - 1
                        continue
                after, end = at + 1, at
            return self.at + after
        if not cr:
            at = -1
            for _ in range(skip):
                at = text.find("\n", at + 1)
            return self.at + at + 1
        for number, match in enumerate(_NEWLINE.finditer(text), 1):
            if number == skip:
                return self.at + match.end()
        return None  # unreachable: there are count line breaks

    def forget(self, mark: Position) -> None:
        """Drop the text before ``mark``, the (line, column) of an event pyexpat reported."""
        line, column = mark
        line_start = self._line_start(line)
        if line_start is None:
            return
        at = line_start + column
        if self.at < at <= self.at + len(self.text):
            self.text = self.text[at - self.at :]
            self.at, self.line, self.line_start = at, line, line_start


def _resume(window: _Window, stream: _Stream, error: Position) -> int | None:
    """After a syntax error at (line, column): find the next article start, put the text from
    there back into ``stream`` and give the (reader's) number of its line; None if there is
    none. Reads on from the window through the chunks that follow, keeping only a tail.

    The error is at the start of its line (lines end at CRLF, CR or LF, counted from the
    reader's start) plus its column; the article start is looked for from one character
    before, and never at the reader's own start. pyexpat counts a CRLF cut between two slices
    after the document element as two lines: such a line is looked for in the chunks after
    the window, where the whole text would have had it."""
    line, column = error
    text, at, number = window.text, window.at, window.line  # text[pos] is on line number
    window.text = ""
    pos = 0
    if line == 1:
        where = max(column - window.prefix_length, 0)
    elif line <= number:
        where = window.line_start + max(column, 0)
    else:
        line_start = max(window.line_start, 0)
        while number < line:
            newline = _NEWLINE.search(text, pos)
            if newline is not None and not (newline.end() == len(text) and newline[0] == "\r"):
                number, pos = number + 1, newline.end()
                line_start = at + pos
                continue
            more = stream.read_any()  # no newline, or a CR the next chunk may end as CRLF
            if not more:
                if newline is None:
                    break  # fewer lines than that: the last line start it is
                number, pos = number + 1, newline.end()
                line_start = at + pos
                continue
            keep = len(text) - 1 if newline is not None else pos  # the line may be the last
            text, at, pos = text[keep:] + more, at + keep, 0
        where = line_start + max(column, 0)
    skip = max(max(where - 1, 1) - at, pos)
    while True:
        found = _ARTICLE_START.search(text, skip)
        if found is not None:
            number += _count_lines(text, pos, found.start())
            stream.unread(text[found.start() :])
            return number
        more = stream.read_any()
        if not more:
            return None
        # Keep what may begin a match with the text to come, and a CR its LF may follow.
        cut = min(max(len(text) - _ARTICLE_START_TAIL, skip), len(text))
        if cut > pos and text[cut - 1] == "\r":
            cut -= 1
        number += _count_lines(text, pos, cut)
        text, at, skip, pos = text[cut:] + more, at + cut, skip - cut, 0


class _Element:
    """One element of the article being read: tag, attributes, children, start line."""

    __slots__ = ("attrs", "children", "line", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], line: int) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[_Element | str] = []
        self.line = line


class _Hostile(Exception):
    """Raised from the entity-declaration handler: stop reading at once."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Reader:
    """One pyexpat parser over the rest of a stream: builds one article at a time."""

    def __init__(self, line_offset: int, prefix_length: int) -> None:
        self.line_offset = line_offset
        self.stack: list[_Element] = []
        self.text: list[str] = []  # the text in an article since its last tag, as pyexpat cut it
        self.done: list[_Element] = []
        self.root: str | None = None
        self.window = _Window(prefix_length)
        self.mark: Position | None = None  # the last event outside an article
        parser = ParserCreate(encoding="utf-8")  # the text is already decoded: fed as UTF-8
        parser.buffer_text = True
        parser.SetParamEntityParsing(NEVER)  # never read the external DTD or a PE
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._outside
        parser.EntityDeclHandler = self._entity
        parser.ExternalEntityRefHandler = self._external
        self.parser = parser

    def _line(self) -> int:
        return self.parser.CurrentLineNumber + self.line_offset

    def _mark(self) -> None:
        """Remember where the current event is: no syntax error can come before it."""
        self.mark = (self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber)

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        stack = self.stack
        if stack:
            if self.text:  # one child, however pyexpat cut the text: the same for any slicing
                stack[-1].children.append("".join(self.text))
                self.text.clear()
            element = _Element(tag, attrs, self._line())
            stack[-1].children.append(element)
            stack.append(element)
            return
        self._mark()
        if tag in ARTICLE_TAGS:
            stack.append(_Element(tag, attrs, self._line()))
            self.parser.CharacterDataHandler = self.text.append
        elif self.root is None:
            self.root = tag

    def _end(self, tag: str) -> None:
        stack = self.stack
        if stack:
            if self.text:
                stack[-1].children.append("".join(self.text))
                self.text.clear()
            element = stack.pop()
            if stack:
                return
            self.done.append(element)
            self.parser.CharacterDataHandler = self._outside
        self._mark()

    def _outside(self, _data: str) -> None:
        """Text between articles: not kept, but no syntax error can come before it."""
        self._mark()

    def _entity(self, *_declaration: object) -> None:
        """Any entity declaration: hostile (XXE, entity bomb); abort before it is used."""
        raise _Hostile(self._line())

    def _external(self, *_reference: object) -> int:
        """An external entity reference: never loaded (unreachable: declarations abort)."""
        raise _Hostile(self._line())

    def _flush(self) -> Iterator[Record]:
        done, self.done = self.done, []
        for article in done:
            yield from _records(article)

    def run(self, stream: _Stream, prefix: str) -> Generator[Record, None, Position | None]:
        """Feed ``prefix`` and the rest of ``stream`` in slices of :data:`CHUNK` characters;
        the (line, column) of a syntax error, if any, with the text from :attr:`window` on.

        Written as a generator whose return value is that position (``yield from``)."""
        window = self.window
        try:
            if prefix:
                self.parser.Parse(prefix.encode(), False)
            while piece := stream.read(CHUNK):
                window.text += piece
                self.parser.Parse(piece.encode("utf-8", "replace"), False)
                yield from self._flush()
                if self.mark is not None:
                    window.forget(self.mark)
                    self.mark = None
            self.parser.Parse(b"", True)
        except _Hostile as hostile:
            yield from self._flush()
            yield Problem(
                "entity declaration in the document: refused (entities are never expanded)",
                Loc(line=hostile.line),
            )
            return None
        except ExpatError as error:
            yield from self._flush()
            message = errors.messages.get(error.code, str(error))
            line = error.lineno + self.line_offset
            yield Problem(f"malformed XML: {message}", Loc(line=line))
            return (error.lineno, error.offset)
        yield from self._flush()
        return None


def _count_lines(text: str, start: int, end: int) -> int:
    """The line ends (CRLF, CR or LF) in ``text[start:end]``."""
    if text.find("\r", start, end) < 0:
        return text.count("\n", start, end)
    return sum(1 for _ in _NEWLINE.finditer(text, start, end))


# ---------------------------------------------------------------------------- tree helpers


def _find(element: _Element | None, path: str) -> _Element | None:
    """The first element at ``path`` ("A/B/C") below ``element``."""
    found = _findall(element, path)
    return found[0] if found else None


def _findall(element: _Element | None, path: str) -> list[_Element]:
    """All elements at ``path`` below ``element``, in document order."""
    level = [element] if element is not None else []
    for tag in path.split("/"):
        level = [c for e in level for c in e.children if isinstance(c, _Element) and c.tag == tag]
    return level


def _text(element: _Element | None) -> str | None:
    """The element's text with markup flattened and white space collapsed; None if empty."""
    if element is None:
        return None
    text = " ".join(_flatten(element).split())
    return text or None


def _path_text(element: _Element | None, path: str) -> str | None:
    return _text(_find(element, path))


def _local(tag: str) -> str:
    return tag.rpartition(":")[2]


def _flatten(element: _Element) -> str:
    """All text below ``element`` (iteratively: nesting depth is not bounded by the input).

    Inside MathML, white space between elements is layout and dropped, and ``mmultiscripts``
    prescripts are moved before their base (``<mprescripts/>…3`` + ``He`` -> ``3He``)."""
    if all(isinstance(child, str) for child in element.children):  # the common, plain case
        return "".join(element.children)  # type: ignore[arg-type]
    out: list[str] = []
    stack: list[tuple[_Element | str, bool, bool]] = [(element, False, True)]
    while stack:
        node, math, keep_space = stack.pop()
        if isinstance(node, str):
            if keep_space or node.strip():
                out.append(node)
            continue
        inner_math = math or _local(node.tag) == "math"
        children = node.children
        if inner_math and _local(node.tag) == "mmultiscripts":
            children = _prescripts_first(children)
        elif not inner_math:
            children = _unindent_scripts(children)
        keep = not inner_math or _local(node.tag) in MATH_TOKENS
        stack.extend((child, inner_math, keep) for child in reversed(children))
    return "".join(out)


def _unindent_scripts(children: list[_Element | str]) -> list[_Element | str]:
    """Pretty-printed text puts a line break before ``<sub>``/``<sup>`` (``β\n\t<sub>2``):
    that indentation is not a space of the text (``β2``), so it is dropped."""
    fixed = list(children)
    for i, child in enumerate(children[:-1]):
        after = children[i + 1]
        if (
            isinstance(child, str)
            and isinstance(after, _Element)
            and after.tag in SCRIPTS
            and "\n" in child[len(child.rstrip()) :]
        ):
            fixed[i] = child.rstrip()
    return fixed


def _prescripts_first(children: list[_Element | str]) -> list[_Element | str]:
    elements = [c for c in children if isinstance(c, _Element)]
    marks = [i for i, c in enumerate(elements) if _local(c.tag) == "mprescripts"]
    if not marks:
        return elements
    return [*elements[marks[0] + 1 :], *elements[: marks[0]]]


# ---------------------------------------------------------------------------- articles


def _records(article: _Element) -> Iterator[Record]:
    """The records of one article; a Problem at its line when it cannot be read."""
    try:
        records = _pubmed_article(article) if article.tag == "PubmedArticle" else _book(article)
    except READ_ERRORS as error:
        records = [Problem(f"cannot read {article.tag}: {error!r}", Loc(line=article.line))]
    yield from records


def _pubmed_article(article: _Element) -> list[Record]:
    """A ``PubmedArticle``: MedlineCitation (the article) and PubmedData (ids, references)."""
    citation = _find(article, "MedlineCitation")
    art = _find(citation, "Article")
    data = _find(article, "PubmedData")
    extra: Extra = []
    fields: Fields = {"pmid": normalize_pmid(_path_text(citation, "PMID"))}
    _article_ids(_findall(data, "ArticleIdList/ArticleId"), fields, extra)
    eloc_doi = _elocation_doi(_findall(art, "ELocationID"), extra)
    fields["doi"] = fields.get("doi") or eloc_doi
    issue = _find(art, "Journal/JournalIssue")
    date = _date(_find(issue, "PubDate"))
    fields.update(
        title=_path_text(art, "ArticleTitle"),
        journal=_journal(_find(art, "Journal"), _find(citation, "MedlineJournalInfo"), extra),
        year=_year(date),
        date=date,
        volume=_path_text(issue, "Volume"),
        issue=_path_text(issue, "Issue"),
        pages=_pages(_find(art, "Pagination")),
        abstract=_abstract(_find(art, "Abstract")),
        epub_date=_epub_date(_findall(art, "ArticleDate")),
        types=_texts(_findall(art, "PublicationTypeList/PublicationType")),
        mesh=tuple(_mesh(h) for h in _findall(citation, "MeshHeadingList/MeshHeading")),
        keywords=_texts(_findall(citation, "KeywordList/Keyword")),
        grants=tuple(_grant(g) for g in _findall(art, "GrantList/Grant")),
    )
    fields["authors"] = _people(_findall(art, "AuthorList"), "authors", extra)
    _languages(_findall(art, "Language"), fields, extra)
    _extra_paths(article, ARTICLE_EXTRA, extra)
    _extra_article(citation, art, data, extra)
    comments = _findall(citation, "CommentsCorrectionsList/CommentsCorrections")
    _other_comments(comments, extra)
    if fields["pmid"] is None:
        return [Problem("PubmedArticle without a valid PMID: skipped", Loc(line=article.line))]
    paper = Paper(loc=Loc(line=article.line), primary=True, extra=tuple(extra), **fields)
    return [
        paper,
        *_references(paper.ref, _findall(data, "ReferenceList")),
        *_comments_corrections(paper.ref, comments),
    ]


def _book(article: _Element) -> list[Record]:
    """A ``PubmedBookArticle``: a chapter (ArticleTitle / LocationLabel) or a whole book."""
    document = _find(article, "BookDocument")
    book = _find(document, "Book")
    extra: Extra = []
    fields: Fields = {"pmid": normalize_pmid(_path_text(document, "PMID"))}
    ids = [*_findall(document, "ArticleIdList/ArticleId")]
    ids += _findall(article, "PubmedBookData/ArticleIdList/ArticleId")
    _article_ids(ids, fields, extra)
    eloc = [*_findall(document, "ELocationID"), *_findall(book, "ELocationID")]
    eloc_doi = _elocation_doi(eloc, extra)
    fields["doi"] = fields.get("doi") or eloc_doi
    chapter_title = _path_text(document, "ArticleTitle")
    book_title = _path_text(book, "BookTitle")
    chapter = chapter_title is not None or _find(document, "LocationLabel") is not None
    date = _date(_find(book, "PubDate"))
    types = _texts(
        [
            *_findall(document, "PublicationType"),
            *_findall(document, "PublicationTypeList/PublicationType"),
        ]
    )
    kind = "Book Chapter" if chapter else "Book"
    lists = [*_findall(document, "AuthorList"), *_findall(book, "AuthorList")]
    authors = _people(_findall(document, "AuthorList"), "authors", extra)
    fields.update(
        title=chapter_title if chapter else book_title,
        book_title=book_title if chapter else None,
        publisher=_path_text(book, "Publisher/PublisherName"),
        editors=_people(lists, "editors", extra),
        authors=authors or _people(_findall(book, "AuthorList"), "authors", extra),
        year=_year(date),
        date=date,
        volume=_path_text(book, "Volume"),
        pages=_pages(_find(document, "Pagination")),
        abstract=_abstract(_find(document, "Abstract")),
        types=types if kind in types else (*types, kind),
        keywords=_texts(_findall(document, "KeywordList/Keyword")),
        grants=tuple(_grant(g) for g in _findall(document, "GrantList/Grant")),
    )
    _languages(_findall(document, "Language"), fields, extra)
    _extra_paths(article, BOOK_EXTRA, extra)
    _history(_findall(article, "PubmedBookData/History/PubMedPubDate"), extra)
    if fields["pmid"] is None:
        return [Problem("PubmedBookArticle without a valid PMID: skipped", Loc(line=article.line))]
    paper = Paper(loc=Loc(line=article.line), primary=True, extra=tuple(extra), **fields)
    return [paper, *_references(paper.ref, _findall(document, "ReferenceList"))]


# ---------------------------------------------------------------------------- fields


def _texts(elements: list[_Element]) -> tuple[str, ...]:
    """The non-empty texts of ``elements``, without repeats, in order."""
    return tuple(dict.fromkeys(t for t in map(_text, elements) if t))


def _article_ids(ids: list[_Element], fields: Fields, extra: Extra) -> None:
    """``ArticleId`` elements: pubmed/doi/pmc to fields (first valid wins), others to extra."""
    for element in ids:
        value = _text(element)
        id_type = element.attrs.get("IdType", "")
        if not value:
            continue
        if id_type in ARTICLE_IDS:
            name, normalise = ARTICLE_IDS[id_type]
            normal = normalise(value)
            if normal is None:
                extra.append((id_type, value))
            elif fields.get(name) is None:
                fields[name] = normal
        else:
            extra.append((id_type or "ArticleId", value))


def _elocation_doi(elements: list[_Element], extra: Extra) -> str | None:
    """``ELocationID EIdType="doi"`` as the DOI; other electronic locations to extra."""
    doi = None
    for element in elements:
        value = _text(element)
        if not value:
            continue
        if element.attrs.get("EIdType") == "doi" and doi is None:
            doi = normalize_doi(value)
            if doi is None:
                extra.append(("doi", value))
        elif element.attrs.get("EIdType") != "doi":
            extra.append((element.attrs.get("EIdType") or "ELocationID", value))
    return doi


def _issn(value: str | None) -> str | None:
    match = _ISSN.match((value or "").strip().upper())
    return f"{match[1]}-{match[2]}" if match else None


def _journal(journal: _Element | None, info: _Element | None, extra: Extra) -> Journal | None:
    """Journal title, the NLM abbreviation (MedlineTA, else ISOAbbreviation), linking ISSN first."""
    title = _path_text(journal, "Title")
    iso = _path_text(journal, "ISOAbbreviation")
    medline_ta = _path_text(info, "MedlineTA")
    if iso and medline_ta and iso != medline_ta:
        extra.append(("ISOAbbreviation", iso))
    raw = [_text(e) for e in [*_findall(info, "ISSNLinking"), *_findall(journal, "ISSN")]]
    issns = tuple(dict.fromkeys(i for i in map(_issn, raw) if i))
    if not (title or iso or medline_ta or issns):
        return None
    return Journal(title=title, abbreviation=medline_ta or iso, issns=issns)


def _date(element: _Element | None) -> str | None:
    """``PubDate``: MedlineDate as printed, else ``Year [Season | Month [Day]]``."""
    if element is None:
        return None
    medline = _path_text(element, "MedlineDate")
    if medline:
        return medline
    year = _path_text(element, "Year")
    month = _path_text(element, "Month")
    if month:
        month = MONTH_NAMES.get(month.lower(), month)
    day = _path_text(element, "Day") if month else None
    parts = (year, month or _path_text(element, "Season"), day)
    return " ".join(p for p in parts if p) or None


def _year(date: str | None) -> int | None:
    match = _YEAR.search(date or "")
    return int(match[1]) if match else None


def _epub_date(dates: list[_Element]) -> str | None:
    electronic = [d for d in dates if d.attrs.get("DateType", "Electronic") == "Electronic"]
    return _date(electronic[0]) if electronic else None


def _pages(pagination: _Element | None) -> str | None:
    """``MedlinePgn``, else ``StartPage-EndPage``."""
    pages = _path_text(pagination, "MedlinePgn")
    if pages:
        return pages
    first, last = _path_text(pagination, "StartPage"), _path_text(pagination, "EndPage")
    return "-".join(p for p in (first, last) if p) or None


def _abstract(abstract: _Element | None) -> str | None:
    """``AbstractText`` paragraphs, a ``Label`` kept as ``LABEL: text``, joined by newlines."""
    paragraphs = []
    for part in _findall(abstract, "AbstractText"):
        text = _text(part)
        label = " ".join(part.attrs.get("Label", "").split())
        if text:
            paragraphs.append(f"{label}: {text}" if label else text)
        elif label:
            paragraphs.append(f"{label}:")
    return "\n".join(paragraphs) or None


def _languages(languages: list[_Element], fields: Fields, extra: Extra) -> None:
    found = _texts(languages)
    fields["language"] = found[0] if found else None
    extra.extend(("Language", language) for language in found[1:])


def _mesh(heading: _Element) -> MeshHeading:
    descriptor = _find(heading, "DescriptorName")
    qualifiers = tuple(
        (text, q.attrs.get("MajorTopicYN") == "Y")
        for q in _findall(heading, "QualifierName")
        if (text := _text(q))
    )
    return MeshHeading(
        descriptor=_text(descriptor) or "",
        major=descriptor is not None and descriptor.attrs.get("MajorTopicYN") == "Y",
        qualifiers=qualifiers,
        ui=(descriptor.attrs.get("UI") or None) if descriptor is not None else None,
    )


def _grant(grant: _Element) -> Grant:
    return Grant(
        identifier=_path_text(grant, "GrantID"),
        acronym=_path_text(grant, "Acronym"),
        agency=_path_text(grant, "Agency"),
        country=_path_text(grant, "Country"),
    )


def _people(lists: list[_Element], role: str, extra: Extra) -> tuple[Person, ...]:
    """The people of the ``AuthorList``s of ``Type`` role (no Type means authors).

    An author marked ``ValidYN="N"`` (a misspelling PubMed keeps next to the correction) is
    not an author; it is kept in extra."""
    people: list[Person] = []
    for author_list in lists:
        if author_list.attrs.get("Type", "authors") != role:
            continue
        for author in _findall(author_list, "Author"):
            one = _person(author)
            if one is None:
                continue
            if author.attrs.get("ValidYN") == "N":
                extra.append(("invalid_author", one.name))
            else:
                people.append(one)
    return tuple(people)


def _person(author: _Element) -> Person | None:
    """An ``Author``: name parts, ORCID (bare or URL), affiliations; or a collective name."""
    affiliations = _texts(_findall(author, "AffiliationInfo/Affiliation"))
    collective = _path_text(author, "CollectiveName")
    if collective:
        return Person(name=collective, affiliations=affiliations, collective=True)
    family = _path_text(author, "LastName")
    given = _path_text(author, "ForeName")
    initials = _path_text(author, "Initials")
    suffix = _path_text(author, "Suffix")
    orcid = next(
        (
            _text(i)
            for i in _findall(author, "Identifier")
            if i.attrs.get("Source", "").upper() == "ORCID"
        ),
        None,
    )
    name = " ".join(p for p in (given or initials, family, suffix) if p)
    found = person(
        family,
        given,
        name=name or None,
        orcid=orcid,
        affiliations=affiliations,
        initials_=None if given else initials,
    )
    if found is not None and author.attrs.get("EqualContrib") == "Y":
        found = replace(found, equal_contribution=True)
    return found


def _extra_paths(article: _Element, paths: tuple[str, ...], extra: Extra) -> None:
    for path in paths:
        key = path.rpartition("/")[2]
        extra.extend((key, text) for text in _texts(_findall(article, path)))


def _extra_article(
    citation: _Element | None, art: _Element | None, data: _Element | None, extra: Extra
) -> None:
    """The PubmedArticle parts that have no Paper field but are worth keeping."""
    for coi in _texts(_findall(citation, "CoiStatement")):
        extra.append(("conflict_of_interest", coi))
    for other in _findall(citation, "OtherAbstract"):
        text = _abstract(other)
        if text:
            extra.append(("OtherAbstract", text))
    for chemical in _findall(citation, "ChemicalList/Chemical"):
        number = _path_text(chemical, "RegistryNumber") or "0"
        name = _path_text(chemical, "NameOfSubstance")
        if name:
            extra.append(("Chemical", f"{number} ({name})"))
    for bank in _findall(art, "DataBankList/DataBank"):
        bank_name = _path_text(bank, "DataBankName") or "DataBank"
        for number in _texts(_findall(bank, "AccessionNumberList/AccessionNumber")):
            extra.append(("DataBank", f"{bank_name}/{number}"))
    for subject in _findall(citation, "PersonalNameSubjectList/PersonalNameSubject"):
        parts = (_path_text(subject, "ForeName"), _path_text(subject, "LastName"))
        if any(parts):
            extra.append(("PersonalNameSubject", " ".join(p for p in parts if p)))
    for investigator in _findall(citation, "InvestigatorList/Investigator"):
        one = _person(investigator)
        if one is not None:
            extra.append(("Investigator", one.name))
    _history(_findall(data, "History/PubMedPubDate"), extra)


def _history(dates: list[_Element], extra: Extra) -> None:
    for date in dates:
        status = date.attrs.get("PubStatus", "")
        text = _date(date)
        if status in HISTORY_KEPT and text:
            extra.append(("PubMedPubDate", f"{text} [{status}]"))


# ---------------------------------------------------------------------------- references


def _references(this: PaperRef, lists: list[_Element]) -> list[Record]:
    """``ReferenceList/Reference`` (nested lists too): a cited Paper and a "cites" each."""
    records: list[Record] = []
    pending = list(reversed(lists))
    while pending:
        element = pending.pop()
        if element.tag == "ReferenceList":
            kids = [c for c in element.children if isinstance(c, _Element)]
            pending.extend(reversed([k for k in kids if k.tag in ("Reference", "ReferenceList")]))
            continue
        extra: Extra = []
        fields: Fields = {}
        _article_ids(_findall(element, "ArticleIdList/ArticleId"), fields, extra)
        citation = _path_text(element, "Citation")
        if not (citation or fields):
            continue
        cited = Paper(
            loc=Loc(line=element.line), citation_text=citation, extra=tuple(extra), **fields
        )
        records += [cited, Relation("cites", this, cited.ref, loc=cited.loc)]
    return records


def _comments_corrections(this: PaperRef, items: list[_Element]) -> list[Record]:
    """``CommentsCorrections``: Cites, comments, errata, retractions, updates as relations."""
    records: list[Record] = []
    for item in items:
        ref_type = item.attrs.get("RefType", "")
        source = _path_text(item, "RefSource")
        pmid = normalize_pmid(_path_text(item, "PMID"))
        if not (source or pmid):
            continue
        if ref_type not in COMMENTS_CORRECTIONS:
            continue
        kind, this_is_subject = COMMENTS_CORRECTIONS[ref_type]
        other = Paper(loc=Loc(line=item.line), pmid=pmid, citation_text=source)
        subject, object_ = (this, other.ref) if this_is_subject else (other.ref, this)
        records += [other, Relation(kind, subject, object_, loc=other.loc)]
    return records


def _other_comments(items: list[_Element], extra: Extra) -> None:
    """The CommentsCorrections RefTypes that are no relation (ReprintOf, …) go to extra."""
    for item in items:
        ref_type = item.attrs.get("RefType") or item.tag
        if ref_type in COMMENTS_CORRECTIONS:
            continue
        source = _path_text(item, "RefSource")
        pmid = normalize_pmid(_path_text(item, "PMID"))
        shown = " ".join(p for p in (source, f"PMID: {pmid}" if pmid else None) if p)
        if shown:
            extra.append((ref_type, shown))
