"""PubMed XML: efetch ``PubmedArticleSet`` output and the annual baseline / update files.

:func:`parse_chunks` reads the text from an iterable of str chunks of any size (a decoded
``.xml.gz`` read piece by piece); :func:`parse` is the same on one str. The text is re-cut into
slices of :data:`CHUNK` characters and streamed through pyexpat: only the article being read is
held as a small element tree (:class:`~kg.extract.pubmed_article.Element`), turned into records
by :mod:`kg.extract.pubmed_article` when its ``</PubmedArticle>`` or ``</PubmedBookArticle>``
ends and then dropped. Of the text itself only the current slice is kept, from the last event
pyexpat reported outside an article on (no later syntax error can be before it): memory stays
flat on a 2 GB baseline file read in chunks. Every record carries the line where its article
starts.

Quirks handled here (those of the article elements are in :mod:`kg.extract.pubmed_article`):

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
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Iterator
from pyexpat import XML_PARAM_ENTITY_PARSING_NEVER as NEVER
from pyexpat import ExpatError, ParserCreate, errors

from ..records import Loc, Problem, Record
from .common import XmlRoot
from .pubmed_article import Element, article_records

FORMAT = "pubmed_xml"
MEDIA_TYPE = "application/xml"

CHUNK = 1 << 20  # characters fed to the parser at a time
SNIFF_HEAD = 1 << 16  # characters sniff looks at

Position = tuple[int, int]  # (line, column) of a syntax error, as pyexpat gives them


ARTICLE_TAGS = frozenset({"PubmedArticle", "PubmedBookArticle"})
ROOT_TAGS = ("PubmedArticleSet", "PubmedBookArticleSet")

# ---------------------------------------------------------------------------- patterns

_ROOT = XmlRoot("PubmedArticleSet", "PubmedBookArticleSet")
_ARTICLE_START = re.compile(r"<(?:PubmedArticle|PubmedBookArticle)[\s/>]")
# A match of _ARTICLE_START can begin only in the last characters of a text searched in vain.
_ARTICLE_START_TAIL = len("<PubmedBookArticle")
_NEWLINE = re.compile(r"\r\n|\r|\n")


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


class _Hostile(Exception):
    """Raised from the entity-declaration handler: stop reading at once."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Reader:
    """One pyexpat parser over the rest of a stream: builds one article at a time."""

    def __init__(self, line_offset: int, prefix_length: int) -> None:
        self.line_offset = line_offset
        self.stack: list[Element] = []
        self.text: list[str] = []  # the text in an article since its last tag, as pyexpat cut it
        self.done: list[Element] = []
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
            element = Element(tag, attrs, self._line())
            stack[-1].children.append(element)
            stack.append(element)
            return
        self._mark()
        if tag in ARTICLE_TAGS:
            stack.append(Element(tag, attrs, self._line()))
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
            yield from article_records(article)

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
