"""LaTeX in BibTeX values, turned into plain Unicode text.

:func:`latex_to_text` typesets a text field: accents in every form, letters and symbols
(text mode, math mode, Greek), escapes, dashes, ties, text commands and protected braces; no
backslash or brace is left. :func:`verbatim` only unescapes a URL or an identifier.
"""

from __future__ import annotations

import re
import unicodedata

# ---------------------------------------------------------------------------- data tables

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


def latex_to_text(raw: str) -> str:
    """A BibTeX value as plain Unicode text: no command, brace, math shift or tie is left.

    >>> latex_to_text(r"{\\v{S}}eva, G{\\"o}tze and Sa{\\"\\i}d -- {SmartPub}~2018")
    'Ševa, Götze and Saïd – SmartPub 2018'
    """
    text = _URL_ARGUMENT.sub(lambda m: verbatim(m.group(1)).translate(_URL_PROTECT), raw)
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
    # TeX's ligatures before the braces go: ``-{}-`` and ``'{}'`` are written to stay as typed
    text = text.replace("---", "—").replace("--", "–").replace("~", " ")
    text = text.replace("``", "“").replace("''", "”")
    text = text.replace("{", "").replace("}", "").replace("$", "")
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


def verbatim(raw: str) -> str:
    """A URL or identifier: ``\\url{…}`` unwrapped, escapes undone, braces dropped."""
    text = _URL_COMMAND.sub("", raw)
    for escaped, replacement in _ESCAPES[1:]:
        text = text.replace(escaped, replacement)
    text = text.replace("\\~{}", "~").replace("\\~", "~").replace("{", "").replace("}", "")
    text = text.replace("\\", "").translate(_PLACEHOLDERS)
    return _WHITESPACE.sub(" ", text).strip()
