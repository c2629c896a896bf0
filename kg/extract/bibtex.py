"""BibTeX files (``.bib``): Google Scholar, Crossref content negotiation, reference managers.

An entry is ``@type{key, field = value, …}`` (or with round brackets); values are ``{…}``
with nested braces, ``"…"``, numbers or ``@string`` macros (the month macros ``jan``…``dec``
predefined), joined by ``#``. ``@comment`` and ``@preamble`` are read past. The quirks read here:

* LaTeX in values turned into plain Unicode (:func:`latex_to_text`): accents in every form
  (``{\\v{S}}eva``, ``G{\\"o}tze``, ``Sa{\\"\\i}d``, ``\\c c``), letters (``\\ss``, ``\\o``,
  ``\\aa``), escapes (``\\&``, ``\\%``, ``\\_``), ``--``/``---`` dashes, ``~``, Greek and simple
  math, text commands (``\\emph{…}``) and protected braces (``{SmartPub}``): no backslash or
  brace is left. URLs and DOIs are only unescaped.
* Authors split on ``and`` at brace depth 0, in the ``Last, First``, ``Last, Jr, First`` and
  ``First von Last`` forms; ``{Corporate Name}`` is a collective author; ``and others`` is
  dropped and recorded as ``("et_al", "true")``.
* Entry types mapped with :data:`TYPES` (kept as ``("type", …)``); an arXiv ``journal={arXiv
  preprint arXiv:…}`` (or an arXiv ``eprint``) makes a Preprint, with no journal.
* Crossref's one-line entries (leading space, ``month=Aug``, an en dash in ``pages``).
* A broken entry (unbalanced braces, a missing comma) is reported with its line and skipped;
  reading goes on at the next line that starts with ``@``.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..ids import normalize_doi, normalize_pmcid, normalize_pmid
from ..records import Journal, Loc, Paper, Person, Problem, Record
from .common import MAX_TEXT, MONTHS, READ_ERRORS, identifiable
from .names import parse_name, person, split_full_name
from .ris import issns_in, ris_date

FORMAT = "bibtex"
MEDIA_TYPE = "application/x-bibtex"


# ---------------------------------------------------------------------------- data tables

# Entry type (lower case) -> publication type label; None: no type (kept in extra only).
TYPES: dict[str, str | None] = {
    "article": "Journal Article",
    "inproceedings": "Conference Paper",
    "conference": "Conference Paper",
    "book": "Book",
    "incollection": "Book Chapter",
    "inbook": "Book Chapter",
    "phdthesis": "Thesis",
    "mastersthesis": "Thesis",
    "thesis": "Thesis",
    "techreport": "Report",
    "report": "Report",
    "dataset": "Dataset",
    "misc": None,
    "unpublished": None,
    "online": None,
    "electronic": None,
    "manual": None,
    "booklet": None,
    "proceedings": None,
    "collection": None,
    "patent": None,
    "software": None,
}
# Commands rather than entries: read past (comment, preamble) or remembered (string).
SPECIAL_TYPES = frozenset({"comment", "preamble", "string"})

# Field (lower case) -> role (a _Builder method); fields not listed are kept in extra.
FIELDS: dict[str, str] = {
    "title": "title",
    "author": "author",
    "editor": "editor",
    "journal": "journal",
    "journaltitle": "journal",
    "shortjournal": "abbreviation",
    "journalabbrev": "abbreviation",
    "booktitle": "book_title",
    "publisher": "publisher",
    "year": "year",
    "month": "month",
    "day": "day",
    "date": "date",
    "volume": "volume",
    "number": "number",
    "issue": "issue",
    "pages": "pages",
    "doi": "doi",
    "pmid": "pmid",
    "pmcid": "pmcid",
    "url": "url",
    "issn": "issn",
    "abstract": "abstract",
    "keywords": "keywords",
    "language": "language",
}

# Entry types whose ``number`` is a report or series number, not a journal issue.
NUMBERED = frozenset(
    {
        "techreport",
        "report",
        "book",
        "inbook",
        "incollection",
        "inproceedings",
        "conference",
        "proceedings",
        "collection",
        "manual",
        "patent",
    }
)

# Fields whose value is an address or identifier: unescaped, never typeset.
VERBATIM = frozenset({"doi", "url", "eprint", "pmid", "pmcid", "issn", "isbn", "file", "pdf"})

# The month macros BibTeX predefines.
MONTH_MACROS: dict[str, str] = {
    m.lower(): full
    for m, full in zip(
        MONTHS,
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        strict=True,
    )
}
_MONTH_BY_NAME = {
    **{m.lower(): m for m in MONTHS},
    **{full.lower(): m for m, full in zip(MONTHS, MONTH_MACROS.values(), strict=True)},
    "sept": "Sep",
}

# Accent commands -> combining character (``\"o`` -> o + U+0308 -> ö).
ACCENTS: dict[str, str] = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
    "t": "\u0361",
}
# An accent with an empty argument (``\~{}``) prints the accent itself.
SPACING_ACCENTS: dict[str, str] = {
    "'": "´",
    "`": "`",
    "^": "^",
    '"': "¨",
    "~": "\ue003",  # a literal tilde (not a space): restored at the end
    "=": "¯",
    ".": "˙",
    "u": "˘",
    "v": "ˇ",
    "H": "˝",
    "c": "¸",
    "k": "˛",
    "r": "˚",
}

# Commands that print a character (text mode, math mode and Greek).
SYMBOLS: dict[str, str] = {
    "ss": "ß",
    "SS": "SS",
    "o": "ø",
    "O": "Ø",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "dj": "đ",
    "DJ": "Đ",
    "copyright": "©",
    "textcopyright": "©",
    "textregistered": "®",
    "texttrademark": "™",
    "S": "§",
    "P": "¶",
    "dag": "†",
    "ddag": "‡",
    "pounds": "£",
    "euro": "€",
    "texteuro": "€",
    "textendash": "–",
    "textemdash": "—",
    "ldots": "…",
    "dots": "…",
    "textellipsis": "…",
    "textquoteleft": "‘",
    "textquoteright": "’",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "guillemotleft": "«",
    "guillemotright": "»",
    "textasciitilde": "\ue003",
    "textbackslash": "\ue004",
    "textbar": "|",
    "textless": "<",
    "textgreater": ">",
    "textdegree": "°",
    "textmu": "µ",
    "texttimes": "×",
    "textpm": "±",
    "textbullet": "•",
    "textperiodcentered": "·",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "vartheta": "ϑ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "upsilon": "υ",
    "phi": "φ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Xi": "Ξ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Upsilon": "Υ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
    "pm": "±",
    "mp": "∓",
    "times": "×",
    "cdot": "·",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "sim": "∼",
    "infty": "∞",
    "rightarrow": "→",
    "to": "→",
    "leftarrow": "←",
    "leftrightarrow": "↔",
    "Rightarrow": "⇒",
    "circ": "∘",
    "degree": "°",
    "prime": "′",
    "partial": "∂",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "sqrt": "√",
    "in": "∈",
    "cap": "∩",
    "cup": "∪",
    "lbrace": "\ue001",
    "rbrace": "\ue002",
}
# Control symbols that are not accents: ``\,`` (thin space), ``\-`` (hyphenation hint) …
CONTROL_SYMBOLS: dict[str, str] = {
    ",": " ",
    ";": " ",
    ":": " ",
    " ": " ",
    "!": "",
    "/": "",
    "-": "",
    "@": "",
    "&": "&",
    "%": "%",
    "_": "_",
    "#": "#",
    **dict.fromkeys(("'", "`", "^", '"', "~", "=", "."), ""),  # an accent left with no letter
}
SUPERSCRIPTS = dict(zip("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ", strict=True))
SUBSCRIPTS = dict(zip("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎", strict=True))

# Text-case commands whose argument is changed (one level of braces).
CASE_COMMANDS: dict[str, str] = {
    "MakeUppercase": "upper",
    "uppercase": "upper",
    "MakeTextUppercase": "upper",
    "MakeLowercase": "lower",
    "lowercase": "lower",
    "MakeTextLowercase": "lower",
}
# Commands whose argument is not text to print (a sort key, a label, a citation).
DROPPED_WITH_ARGUMENT = ("noopsort", "sortkey", "cite", "citep", "citet", "label", "ref")

# ---------------------------------------------------------------------------- patterns

_LINE_BREAK = re.compile(r"\r\n|\r")
_ENTRY_HEAD = re.compile(r"^[ \t]*@([A-Za-z]+)[ \t]*[{(]", re.M)
_KEYED = re.compile(r"[ \t\n]*[^\s,{}()]+[ \t]*,")
_TAGGED_LINE = re.compile(r"^[A-Z][A-Z0-9]{1,3} *- ", re.M)
_ENTRY_LINE = re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(]", re.M)
_NEXT_ENTRY = re.compile(r"[ \t]*@[A-Za-z]+[ \t]*[{(]")
_SPACE = re.compile(r"\s*")
_TYPE_NAME = re.compile(r"[A-Za-z][\w-]*")
_KEY = re.compile(r"[^\s,{}()]*")
_FIELD_NAME = re.compile(r"[A-Za-z0-9_][\w.:+/-]*")
_NUMBER = re.compile(r"\d+")
_BRACE_EVENTS = re.compile(r"[{}\n]")
_PAREN_EVENTS = re.compile(r"[()\n]")
_QUOTE_EVENTS = re.compile(r'[{}"\n]')
_FIELD_LIKE = re.compile(r"^[A-Za-z0-9_][\w.:+/-]*\s*=")
_AND = re.compile(r"\s+and\s+", re.I)

_ESCAPES = (
    ("\\\\", " "),
    ("\\{", "\ue001"),
    ("\\}", "\ue002"),
    ("\\$", "\ue000"),
    ("\\&", "&"),
    ("\\%", "%"),
    ("\\_", "_"),
    ("\\#", "#"),
)
# Characters that must survive the typesetting steps: restored at the end.
_PLACEHOLDERS = str.maketrans(
    {"\ue000": "$", "\ue001": "{", "\ue002": "}", "\ue003": "~", "\ue004": "\\", "\ue005": "-"}
)
_URL_PROTECT = str.maketrans({"~": "\ue003", "-": "\ue005", "$": "\ue000", "\\": ""})
_ACCENT_ARG = r"(?:\{\s*(\\[ij](?![A-Za-z])|[^{}\\]*?)\s*\}|(\\[ij](?![A-Za-z])|[^{}\\\s]))"
_SYMBOL_ACCENT = re.compile(r"\\(['\"`^~=.])\s*" + _ACCENT_ARG)
_LETTER_ACCENT = re.compile(r"\\([uvHckrdbt])(?![A-Za-z])\s*" + _ACCENT_ARG)
_SYMBOL = re.compile(
    r"\\(" + "|".join(sorted(map(re.escape, SYMBOLS), key=len, reverse=True)) + r")(?![A-Za-z])\s*"
)
_SYMBOL_NOT_IJ = re.compile(
    r"\\("
    + "|".join(
        sorted((re.escape(s) for s in SYMBOLS if s not in ("i", "j")), key=len, reverse=True)
    )
    + r")(?![A-Za-z])\s*"
)
_HREF = re.compile(r"\\href\s*\{[^{}]*\}")
_DROPPED = re.compile(r"\\(?:" + "|".join(DROPPED_WITH_ARGUMENT) + r")\s*\{[^{}]*\}")
_CASE = re.compile(r"\\(" + "|".join(CASE_COMMANDS) + r")\s*\{([^{}]*)\}")
_MATH = re.compile(r"\$([^$]*)\$")
_SCRIPT = re.compile(r"([_^])(?:\{([^{}]*)\}|(\S))")
_COMMAND = re.compile(r"\\[A-Za-z]+\*?\s*")
_CONTROL = re.compile(r"\\(.?)", re.S)
_URL_COMMAND = re.compile(r"\\url\s*")
_URL_ARGUMENT = re.compile(r"\\url\s*\{([^{}]*)\}")
_WHITESPACE = re.compile(r"\s+")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")
_DASH_RUN = re.compile(r"\s*-+\s*")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_PREPRINT = re.compile(
    r"^\s*(?:arxiv|biorxiv|medrxiv|chemrxiv|ssrn\b|research\s*square|preprints?\b|corr\b)", re.I
)
_ARXIV_ID = re.compile(
    r"(?:arxiv[:/]\s*|abs/|^)(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?/\d{7})", re.I
)
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.I)
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))


# ---------------------------------------------------------------------------- sniff


def sniff(text: str) -> bool:
    """A BibTeX file: an ``@type{`` or ``@type(`` entry at the start of a line near the head,
    of a known type or with a ``key,``; before it at most a few lines of header or ``%``
    comments, and nothing of another format (XML, JSON, RIS or MEDLINE tag lines)."""
    head = text[:8000].lstrip("\ufeff")
    m = _ENTRY_HEAD.search(head)
    if not m:
        return False
    before = head[: m.start()]
    if before.lstrip()[:1] in ("<", "{", "[") or _TAGGED_LINE.search(before):
        return False
    if sum(1 for line in before.splitlines() if line.strip()) > 10:
        return False
    kind = m.group(1).lower()
    return kind in TYPES or kind in SPECIAL_TYPES or bool(_KEYED.match(head, m.end()))


# ---------------------------------------------------------------------------- scanning


class _BibError(ValueError):
    """A syntax error at offset ``pos`` of the text."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


@dataclass
class _Entry:
    kind: str  # lower case
    key: str
    line: int
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, raw value)


class _Scanner:
    """Reads the entries of a text; a broken one raises :class:`_BibError` and is skipped."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.macros: dict[str, str] = dict(MONTH_MACROS)
        # Macros can double a text at every @string (a macro bomb): what they expand to is
        # bounded, in one value and in all (generously: abbreviations expand a few times).
        self.expansion_left = 8 * len(text) + MAX_TEXT
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(self, pos: int) -> int:
        return bisect.bisect_right(self.line_starts, pos)

    def entries(self) -> Iterator[_Entry | Problem]:
        pos = 0
        while (start := self._next_entry(pos)) is not None:
            line = self.line_of(start)
            try:
                entry, end = self._entry(start)
                following = self._next_entry(end)
                junk = self.text[end : len(self.text) if following is None else following]
                junk = junk.strip()
                if junk and (junk[0] in ",}" or _FIELD_LIKE.match(junk)):
                    where = self.text.index(junk[0], end)
                    raise _BibError("text after the end of the entry (a '}' too many?)", where)
            except _BibError as error:
                yield Problem(
                    f"broken BibTeX entry: {error.message} (line {self.line_of(error.pos)})",
                    Loc(line=line),
                )
                pos = self._resync(start)
                continue
            pos = end
            if entry is not None:
                yield entry

    def _next_entry(self, pos: int) -> int | None:
        """The ``@`` of the next entry: right after the previous one, or at a line start."""
        here = self._skip(pos)
        if here < len(self.text) and self.text[here] == "@":
            return here
        m = _ENTRY_LINE.search(self.text, pos)
        return self.text.index("@", m.start()) if m else None

    def _resync(self, start: int) -> int:
        """After a broken entry: the start of the line after the one where it began."""
        newline = self.text.find("\n", start)
        return len(self.text) if newline < 0 else newline + 1

    def _skip(self, pos: int) -> int:
        """The first offset at or after ``pos`` that is not white space."""
        m = _SPACE.match(self.text, pos)
        return m.end() if m else pos

    def _expected(self, pos: int, what: str) -> _BibError:
        if self.text.startswith("@", pos):
            return _BibError(
                f"expected {what}: the entry runs into the next one (unbalanced?)", pos
            )
        found = repr(self.text[pos]) if pos < len(self.text) else "end of text"
        return _BibError(f"expected {what}, found {found}", pos)

    def _expect(self, pos: int, chars: str, what: str) -> str:
        """The character at ``pos``, which must be one of ``chars``."""
        if pos >= len(self.text) or self.text[pos] not in chars:
            raise self._expected(pos, what)
        return self.text[pos]

    def _entry(self, start: int) -> tuple[_Entry | None, int]:
        text = self.text
        m = _TYPE_NAME.match(text, start + 1)
        if not m:
            raise _BibError("no entry type after '@'", start)
        kind = m.group(0).lower()
        pos = self._skip(m.end())
        if kind == "comment" and (pos >= len(text) or text[pos] not in "{("):
            end = text.find("\n", pos)
            return None, len(text) if end < 0 else end
        opener = self._expect(pos, "{(", f"'{{' or '(' after @{m.group(0)}")
        closer = "}" if opener == "{" else ")"
        if kind == "comment":
            _, end = self._group(pos, opener, closer)
            return None, end
        if kind == "preamble":
            _, pos = self._value(self._skip(pos + 1))
            self._expect(self._skip(pos), closer, f"'{closer}' closing @preamble")
            return None, self._skip(pos) + 1
        if kind == "string":
            return None, self._strings(pos + 1, closer)
        key_start = self._skip(pos + 1)
        key_match = _KEY.match(text, key_start)
        key_end = key_match.end() if key_match else key_start
        entry = _Entry(kind, text[key_start:key_end], self.line_of(start))
        pos = self._skip(key_end)
        if self._expect(pos, "," + closer, "',' after the key") == closer:
            return entry, pos + 1
        pos += 1
        while True:
            pos = self._skip(pos)
            if pos < len(text) and text[pos] == closer:
                return entry, pos + 1
            name = _FIELD_NAME.match(text, pos)
            if not name:
                raise self._expected(pos, f"a field name or '{closer}'")
            pos = self._skip(name.end())
            self._expect(pos, "=", f"'=' after {name.group(0)}")
            value, pos = self._value(self._skip(pos + 1))
            entry.fields.append((name.group(0).lower(), value))
            pos = self._skip(pos)
            if self._expect(pos, "," + closer, f"',' or '{closer}' after a value") == closer:
                return entry, pos + 1
            pos += 1

    def _strings(self, pos: int, closer: str) -> int:
        """``@string{name = value}``: the macro is defined for the entries that follow."""
        while True:
            pos = self._skip(pos)
            if pos < len(self.text) and self.text[pos] == closer:
                return pos + 1
            name = _FIELD_NAME.match(self.text, pos)
            if not name:
                raise self._expected(pos, "a macro name")
            pos = self._skip(name.end())
            self._expect(pos, "=", "'=' in @string")
            value, pos = self._value(self._skip(pos + 1))
            self.macros[name.group(0).lower()] = value
            pos = self._skip(pos)
            if self._expect(pos, "," + closer, f"',' or '{closer}' in @string") == closer:
                return pos + 1
            pos += 1

    def _value(self, pos: int) -> tuple[str, int]:
        """``{…}``, ``"…"``, a number or a macro, and more of them after ``#``."""
        parts: list[str] = []
        text = self.text
        size = 0
        while True:
            char = text[pos] if pos < len(text) else ""
            if char == "{":
                part, pos = self._group(pos, "{", "}")
            elif char == '"':
                part, pos = self._quoted(pos)
            elif number := _NUMBER.match(text, pos):
                part, pos = number.group(0), number.end()
            elif macro := _FIELD_NAME.match(text, pos):
                name, pos = macro.group(0), macro.end()
                part = self.macros.get(name.lower())
                if part is None:  # an undefined macro is printed as its name
                    part = name
                else:
                    self.expansion_left -= len(part)
                    if self.expansion_left < 0 or size + len(part) > MAX_TEXT:
                        raise _BibError(f"macro {name!r} expands to too much text (a bomb?)", pos)
            else:
                raise self._expected(pos, "a value")
            if size + len(part) > MAX_TEXT:  # a value never outgrows MAX_TEXT (reading.py)
                raise _BibError("a value longer than kg keeps", pos)
            size += len(part)
            parts.append(part)
            after = self._skip(pos)
            if after < len(text) and text[after] == "#":
                pos = self._skip(after + 1)
                continue
            return "".join(parts), pos

    def _group(self, pos: int, opener: str, closer: str) -> tuple[str, int]:
        """The text inside balanced ``{…}`` (or ``(…)``) starting at ``pos``; a group that
        runs into the next entry (a line starting with ``@type{``) is unbalanced."""
        events = _BRACE_EVENTS if opener == "{" else _PAREN_EVENTS
        depth, i = 0, pos
        while m := events.search(self.text, i):
            char, i = m.group(0), m.end()
            if char == "\n":
                if _NEXT_ENTRY.match(self.text, i):
                    break
            elif char == opener:
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return self.text[pos + 1 : i - 1], i
        raise _BibError(
            f"unbalanced braces: '{opener}' at line {self.line_of(pos)} never closed", pos
        )

    def _quoted(self, pos: int) -> tuple[str, int]:
        depth, i = 0, pos + 1
        while m := _QUOTE_EVENTS.search(self.text, i):
            char, i = m.group(0), m.end()
            if char == "\n":
                if _NEXT_ENTRY.match(self.text, i):
                    break
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth < 0:
                    raise _BibError("unbalanced braces inside a quoted value", i - 1)
            elif depth == 0:
                return self.text[pos + 1 : i - 1], i
        raise _BibError(f"unbalanced quotes: '\"' at line {self.line_of(pos)} never closed", pos)


# ---------------------------------------------------------------------------- parse


def parse(text: str) -> Iterator[Record]:
    text = _LINE_BREAK.sub("\n", text.lstrip("\ufeff"))
    for item in _Scanner(text).entries():
        if isinstance(item, Problem):
            yield item
            continue
        if item.kind in SPECIAL_TYPES:
            continue
        try:
            yield _paper(item)
        except READ_ERRORS as error:
            yield Problem(f"could not read BibTeX entry {item.key!r}: {error}", Loc(line=item.line))


def _paper(entry: _Entry) -> Paper:
    builder = _Builder(entry)
    for name, raw in entry.fields:
        if not raw.strip():
            continue
        role = FIELDS.get(name)
        if role is None:
            builder.keep(name, _verbatim(raw) if name in VERBATIM else latex_to_text(raw))
        else:
            getattr(builder, "_" + role)(name, raw)
    paper = builder.paper()
    if not identifiable(paper):
        raise ValueError("no title and no DOI or PMID")
    return paper


class _Builder:
    """Collects the fields of one entry, one method per role of :data:`FIELDS`."""

    def __init__(self, entry: _Entry) -> None:
        self.entry = entry
        self.fields: dict[str, str] = {}
        self.authors: list[Person] = []
        self.editors: list[Person] = []
        self.keywords: list[str] = []
        self.issns: list[str] = []
        self.url_dois: list[str] = []
        self.extra: list[tuple[str, str]] = [("type", entry.kind)]
        if entry.key:
            self.extra.append(("citation_key", entry.key))
        self.et_al = False

    def keep(self, name: str, value: str) -> None:
        if value and (name, value) not in self.extra:
            self.extra.append((name, value))

    def _set(self, name: str, value: str) -> None:
        """A single-valued field: the first value wins, a different later one is kept."""
        if not value:
            return
        if name not in self.fields:
            self.fields[name] = value
        elif self.fields[name] != value:
            self.keep(name, value)

    def _title(self, name: str, raw: str) -> None:
        self._set("title", latex_to_text(raw))

    def _author(self, name: str, raw: str) -> None:
        people, et_al = people_in(raw)
        self.authors.extend(people)
        self.et_al = self.et_al or et_al

    def _editor(self, name: str, raw: str) -> None:
        people, _ = people_in(raw)
        self.editors.extend(people)

    def _journal(self, name: str, raw: str) -> None:
        self._set("journal", latex_to_text(raw))

    def _abbreviation(self, name: str, raw: str) -> None:
        self._set("abbreviation", latex_to_text(raw))

    def _book_title(self, name: str, raw: str) -> None:
        self._set("book_title", latex_to_text(raw))

    def _publisher(self, name: str, raw: str) -> None:
        self._set("publisher", latex_to_text(raw))

    def _year(self, name: str, raw: str) -> None:
        self._set("year", latex_to_text(raw))

    def _month(self, name: str, raw: str) -> None:
        self._set("month", latex_to_text(raw))

    def _day(self, name: str, raw: str) -> None:
        self._set("day", latex_to_text(raw))

    def _date(self, name: str, raw: str) -> None:
        self._set("date", latex_to_text(raw))

    def _volume(self, name: str, raw: str) -> None:
        self._set("volume", latex_to_text(raw))

    def _issue(self, name: str, raw: str) -> None:
        self._set("issue", latex_to_text(raw))

    def _number(self, name: str, raw: str) -> None:
        """``number`` is the issue of an article; of a report or a book, its own number."""
        if self.entry.kind in NUMBERED:
            self.keep(name, latex_to_text(raw))
        else:
            self._issue(name, raw)

    def _pages(self, name: str, raw: str) -> None:
        """``635--641`` and ``635–641`` -> ``635-641``."""
        self._set("pages", _DASH_RUN.sub("-", latex_to_text(raw).translate(_DASHES)))

    def _doi(self, name: str, raw: str) -> None:
        value = _verbatim(raw)
        doi = normalize_doi(value)
        if doi:
            self._set("doi", doi)
        else:
            self.keep(name, value)

    def _pmid(self, name: str, raw: str) -> None:
        value = _verbatim(raw)
        if pmid := normalize_pmid(value):
            self._set("pmid", pmid)
        else:
            self.keep(name, value)

    def _pmcid(self, name: str, raw: str) -> None:
        value = _verbatim(raw)
        if pmcid := normalize_pmcid(value):
            self._set("pmcid", pmcid)
        else:
            self.keep(name, value)

    def _url(self, name: str, raw: str) -> None:
        """Kept; a doi.org URL also gives the DOI when no doi field does."""
        value = _verbatim(raw)
        self.keep(name, value)
        if _DOI_URL.match(value) and (doi := normalize_doi(value)):
            self.url_dois.append(doi)

    def _issn(self, name: str, raw: str) -> None:
        value = _verbatim(raw)
        found, whole = issns_in(value)
        self.issns.extend(i for i in found if i not in self.issns)
        if not whole:
            self.keep(name, value)

    def _abstract(self, name: str, raw: str) -> None:
        """Paragraphs (blank-line separated) kept as lines."""
        paragraphs = (latex_to_text(p) for p in _PARAGRAPHS.split(raw.strip()))
        self._set("abstract", "\n".join(p for p in paragraphs if p))

    def _keywords(self, name: str, raw: str) -> None:
        for word in re.split(r"[,;]", latex_to_text(raw)):
            if (word := word.strip()) and word not in self.keywords:
                self.keywords.append(word)

    def _language(self, name: str, raw: str) -> None:
        self._set("language", latex_to_text(raw))

    # ------------------------------------------------------------------------ assembly

    def paper(self) -> Paper:
        f = self.fields
        kind = self.entry.kind
        types: list[str] = []
        journal_text = f.get("journal")
        arxiv = self._arxiv_id(journal_text)
        preprint = bool(journal_text and _PREPRINT.match(journal_text)) or (
            arxiv is not None and kind in ("misc", "unpublished", "online")
        )
        if preprint:
            types.append("Preprint")
        elif label := TYPES.get(kind):
            types.append(label)
        if arxiv:
            self.keep("arxiv", arxiv)
        journal = None
        if preprint:
            for key in ("journal", "abbreviation"):
                if f.get(key):
                    self.keep(key, f[key])
            if self.issns:
                self.keep("issn", " ".join(self.issns))
        elif journal_text or f.get("abbreviation") or (self.issns and kind == "article"):
            journal = Journal(journal_text, f.get("abbreviation"), tuple(self.issns))
        elif self.issns:
            self.keep("issn", " ".join(self.issns))
        year, date = self._year_and_date()
        if self.et_al:
            self.keep("et_al", "true")
        return Paper(
            loc=Loc(line=self.entry.line),
            primary=True,
            title=f.get("title"),
            doi=f.get("doi") or (self.url_dois[0] if self.url_dois else None),
            pmid=f.get("pmid"),
            pmcid=f.get("pmcid"),
            journal=journal,
            year=year,
            date=date,
            volume=f.get("volume"),
            issue=f.get("issue"),
            pages=f.get("pages"),
            authors=tuple(self.authors),
            abstract=f.get("abstract"),
            types=tuple(types),
            keywords=tuple(self.keywords),
            language=f.get("language"),
            book_title=f.get("book_title"),
            publisher=f.get("publisher"),
            editors=tuple(self.editors),
            extra=tuple(self.extra),
        )

    def _arxiv_id(self, journal: str | None) -> str | None:
        """An arXiv identifier from ``eprint`` (archivePrefix/eprinttype arXiv) or from a
        ``journal={arXiv preprint arXiv:1702.04615}``."""
        prefix = next((v for k, v in self.entry.fields if k in ("archiveprefix", "eprinttype")), "")
        if "arxiv" in prefix.lower():
            eprint = next((v for k, v in self.entry.fields if k == "eprint"), "")
            if m := _ARXIV_ID.search(_verbatim(eprint)):
                return m.group(1)
        if journal and journal.lower().startswith("arxiv") and (m := _ARXIV_ID.search(journal)):
            return m.group(1)
        return None

    def _year_and_date(self) -> tuple[int | None, str | None]:
        """year (+ month, + day) -> ``1970 Aug``; biblatex ``date`` -> ``2019 Oct 02``."""
        f = self.fields
        year_text, month_text = f.get("year"), f.get("month")
        year = None
        if year_text and (m := _YEAR.search(year_text)):
            year = int(m.group(1))
            if year_text.strip() != m.group(1):
                self.keep("year", year_text)
        elif year_text:
            self.keep("year", year_text)
        date_year, date = ris_date(f.get("date"))
        if date_year is not None:
            return year or date_year, date
        if f.get("date"):
            self.keep("date", f["date"])
        if year is None:
            if month_text:
                self.keep("month", month_text)
            return None, None
        if not month_text:
            return year, str(year)
        month = _month(month_text)
        if month is None:
            return year, f"{year} {month_text}"
        day = f.get("day", "").strip()
        return year, f"{year} {month}" + (f" {day}" if day.isdigit() else "")


# ---------------------------------------------------------------------------- names


def people_in(raw: str) -> tuple[list[Person], bool]:
    """The people of an ``author``/``editor`` value and whether it ended in ``and others``."""
    people: list[Person] = []
    et_al = False
    for part in _split_names(raw):
        if part.strip().lower() in ("others", "et al.", "et al"):
            et_al = True
        elif found := bib_person(part):
            people.append(found)
    return people, et_al


def _split_names(raw: str) -> list[str]:
    """Split on `` and `` at brace depth 0 (``{Barnes and Noble}`` is one name)."""
    parts: list[str] = []
    depth = start = i = 0
    while i < len(raw):
        char = raw[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and char.isspace() and (m := _AND.match(raw, i)):
            parts.append(raw[start:i])
            start = i = m.end()
            continue
        i += 1
    parts.append(raw[start:])
    return [p for p in (p.strip() for p in parts) if p]


def _split_depth0(raw: str, separator: str | None) -> list[str]:
    """Split at depth-0 commas (``separator=","``) or white space (``None``)."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in raw:
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        if depth == 0 and (char == separator if separator else char.isspace() or char == "~"):
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def _wholly_braced(raw: str) -> bool:
    """``{World Health Organization}``: one brace group around the whole name."""
    if not (raw.startswith("{") and raw.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(raw):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return index == len(raw) - 1
    return False


def bib_person(raw: str) -> Person | None:
    """A BibTeX name: ``von Last, First``, ``von Last, Jr, First``, ``First von Last``, or a
    ``{Corporate Name}`` (a collective author)."""
    raw = raw.strip()
    shown = latex_to_text(raw)
    if not shown:
        return None
    if _wholly_braced(raw):
        return Person(name=shown, collective=True)
    commas = [latex_to_text(p) for p in _split_depth0(raw, ",")]
    if len(commas) == 1:
        if "{" not in raw:
            return parse_name(shown)
        words = [w for w in (latex_to_text(p) for p in _split_depth0(raw, None)) if w]
        family, given = split_full_name(words)
        return person(family, given, name=shown)
    given = commas[-1] if len(commas) > 2 else commas[1]
    return person(commas[0] or None, given or None, name=shown)


# ---------------------------------------------------------------------------- LaTeX


def latex_to_text(raw: str) -> str:
    """A BibTeX value as plain Unicode text: no command, brace, math shift or tie is left.

    >>> latex_to_text(r"{\\v{S}}eva, G{\\"o}tze and Sa{\\"\\i}d -- {SmartPub}~2018")
    'Ševa, Götze and Saïd – SmartPub 2018'
    """
    text = _URL_ARGUMENT.sub(lambda m: _verbatim(m.group(1)).translate(_URL_PROTECT), raw)
    for escaped, replacement in _ESCAPES:
        text = text.replace(escaped, replacement)
    text = _SYMBOL_NOT_IJ.sub(lambda m: SYMBOLS[m.group(1)], text)
    for _ in range(3):  # nested accents (``\'{\^e}``) resolve from the inside out
        changed = _LETTER_ACCENT.sub(_accent, _SYMBOL_ACCENT.sub(_accent, text))
        if changed == text:
            break
        text = changed
    text = _SYMBOL.sub(lambda m: SYMBOLS[m.group(1)], text)
    text = _HREF.sub("", text)
    text = _DROPPED.sub("", text)
    text = _CASE.sub(lambda m: getattr(m.group(2), CASE_COMMANDS[m.group(1)])(), text)
    text = _MATH.sub(lambda m: _SCRIPT.sub(_script, m.group(1)), text)
    text = _COMMAND.sub("", text)
    text = _CONTROL.sub(lambda m: CONTROL_SYMBOLS.get(m.group(1), m.group(1)), text)
    text = text.replace("{", "").replace("}", "").replace("$", "")
    text = text.replace("---", "—").replace("--", "–").replace("~", " ")
    text = text.replace("``", "“").replace("''", "”")
    text = text.translate(_PLACEHOLDERS)
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _accent(m: re.Match[str]) -> str:
    """An accent command and its argument -> the accented letter (NFC)."""
    accent = m.group(1)
    argument = m.group(2) if m.group(2) is not None else (m.group(3) or "")
    if argument in ("\\i", "\\j"):
        argument = argument[1]  # the dotless i takes the accent as a plain i: ï
    if not argument:
        return SPACING_ACCENTS.get(accent, "")
    return unicodedata.normalize("NFC", argument[0] + ACCENTS[accent] + argument[1:])


def _script(m: re.Match[str]) -> str:
    """``_2`` / ``^{2}`` in math -> ``₂`` / ``²`` when every character has one, else plain."""
    table = SUBSCRIPTS if m.group(1) == "_" else SUPERSCRIPTS
    content = m.group(2) if m.group(2) is not None else m.group(3)
    if content and all(c in table for c in content):
        return "".join(table[c] for c in content)
    return content or ""


def _verbatim(raw: str) -> str:
    """A URL or identifier: ``\\url{…}`` unwrapped, escapes undone, braces dropped."""
    text = _URL_COMMAND.sub("", raw)
    for escaped, replacement in _ESCAPES[1:]:
        text = text.replace(escaped, replacement)
    text = text.replace("\\~{}", "~").replace("\\~", "~").replace("{", "").replace("}", "")
    text = text.replace("\\", "").translate(_PLACEHOLDERS)
    return _WHITESPACE.sub(" ", text).strip()


def _month(text: str) -> str | None:
    """``Aug``, ``August``, ``aug.``, ``8`` -> ``Aug``; anything else None."""
    word = text.strip().rstrip(".").lower()
    if word.isdigit() and 1 <= int(word) <= 12:
        return MONTHS[int(word) - 1]
    return _MONTH_BY_NAME.get(word)
