"""Write the hostile-input corpus into a folder: the small files committed in ``files/`` and
the large or binary ones generated here (seeded, so every run writes the same bytes).

    python -m tests.hostile.make DIR [--secret FILE] [--url URL]

``secret`` is the local file the external-entity case points at (default ``/etc/passwd``) and
``url`` the loopback URL the remote-entity cases point at (default ``http://127.0.0.1:9/``,
the discard port). ``tests/hostile/README.md`` lists every case and its expected outcome.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import json
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

FILES = Path(__file__).resolve().parent / "files"
SEED = 20240606
DEFAULT_SECRET = Path("/etc/passwd")
DEFAULT_URL = "http://127.0.0.1:9/"

LONG_LINE_BYTES = 50 * 1024 * 1024  # the one long line: 50 MiB
TITLE_BYTES = 1024 * 1024  # the long title: 1 MiB
AUTHORS = 5000

# Text a paper could say, for the long abstract and the long title.
WORDS = (
    *("cohort", "adults", "randomised", "trial", "outcome", "exposure", "risk", "ratio"),
    *("confidence", "interval", "baseline", "follow-up", "analysis", "adjusted", "primary"),
    *("secondary", "endpoint", "placebo", "dose", "participants", "enrolled", "clinics"),
    *("rural", "urban", "incidence", "prevalence", "mortality"),
)

# The titles whose characters must come through: (PMID, title). The control characters are
# dropped from the graph (see README.md); everything else is kept as it is.
CONTROL_TITLES = (
    ("39000611", "Control \x01 characters \x0b in \x7f a \x1b[31m title \x85 here"),
    ("39000612", "Tab\tand form\x0cfeed and bell\x07 in a title"),
)

XML_ARTICLE = """<PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="1">{pmid}</PMID>
    <Article PubModel="Print">
      <Journal><JournalIssue><PubDate><Year>2022</Year></PubDate></JournalIssue>
        <Title>Journal of Hostile Inputs</Title></Journal>
      <ArticleTitle>{title}</ArticleTitle>
    </Article>
  </MedlineCitation>
</PubmedArticle>"""


# A file name that is not UTF-8 (Latin-1, as old archives write them): Python sees it with a
# lone surrogate (\udce9). Made only where the file system takes such names (Linux does).
LATIN1_NAME = os.fsdecode(b"latin1_name_caf\xe9.ris")


def make(folder: Path, *, secret: Path = DEFAULT_SECRET, url: str = DEFAULT_URL) -> None:
    """Write the whole corpus into ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(FILES.iterdir()):
        shutil.copyfile(path, folder / path.name)
    for name, write in GENERATED.items():
        write(folder / name, secret, url)
    with contextlib.suppress(OSError, UnicodeError):
        (folder / LATIN1_NAME).write_bytes(
            b"TY  - JOUR\nTI  - A file whose name is not UTF-8 is read\nPY  - 2022\nER  - \n"
        )


def _binary_random(path: Path, secret: Path, url: str) -> None:
    path.write_bytes(random.Random(SEED).randbytes(64 * 1024))


def _pdf_renamed(path: Path, secret: Path, url: str) -> None:
    """What a PDF saved as .txt starts with: its header, then compressed streams."""
    body = random.Random(SEED + 1).randbytes(32 * 1024)
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 32768 >>\nstream\n" + body)


def _medline_invalid_utf8(path: Path, secret: Path, url: str) -> None:
    """Three good records; the second's title holds a Latin-1 byte and a cut UTF-8 sequence
    (line 6)."""
    path.write_bytes(
        b"PMID- 39000701\n"
        b"TI  - Invalid UTF-8: the good record before the bad byte.\n"
        b"DP  - 2022\n"
        b"\n"
        b"PMID- 39000702\n"
        b"TI  - Invalid UTF-8: Caf\xe9 and a cut sequence \xe2\x82 in this title.\n"
        b"DP  - 2022\n"
        b"\n"
        b"PMID- 39000703\n"
        b"TI  - Invalid UTF-8: the good record after the bad byte, caf\xc3\xa9 \xe2\x82\xac.\n"
        b"DP  - 2022\n"
    )


def _utf16le_ris(path: Path, secret: Path, url: str) -> None:
    text = (
        "TY  - JOUR\r\n"
        "TI  - UTF-16 little endian: Zoë, Łódź and 🧬 read\r\n"
        "AU  - Sechzehn, Zoë\r\n"
        "PY  - 2022\r\n"
        "DO  - 10.5555/hostile.utf16le\r\n"
        "ER  - \r\n"
    )
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))


def _utf16be_medline(path: Path, secret: Path, url: str) -> None:
    text = (
        "PMID- 39000711\n"
        "TI  - UTF-16 big endian: Ærø, Ševa and 👩🏽‍🔬 read.\n"
        "DP  - 2022 Jun 01\n"
        "FAU - Sechzehn, Björn\n"
        "AU  - Sechzehn B\n"
    )
    path.write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))


def words(size: int, seed: int) -> str:
    """``size`` characters of words separated by single spaces (deterministic)."""
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        parts.append(word)
        length += len(word) + 1
    return " ".join(parts)[:size].rstrip()


def long_abstract() -> str:
    """The abstract of the long-line case: one line of 50 MiB."""
    sentence = words(4096, SEED) + ". "
    return (sentence * (LONG_LINE_BYTES // len(sentence) + 1))[:LONG_LINE_BYTES]


def _long_line(path: Path, secret: Path, url: str) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("PMID- 39000801\nTI  - One abstract of 50 MiB on one line.\nDP  - 2022\nAB  - ")
        out.write(long_abstract())
        out.write("\nFAU - Lang, Lina\nAU  - Lang L\n")


def long_title() -> str:
    """The 1 MiB title, as kg should read it (the continuation lines joined by spaces)."""
    return words(TITLE_BYTES, SEED + 2) + "."


def _long_title(path: Path, secret: Path, url: str) -> None:
    """The 1 MiB title wrapped as PubMed wraps: continuation lines of at most 80 columns."""
    lines, line = [], ""
    for word in long_title().split(" "):
        if line and len(line) + 1 + len(word) > 74:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    body = "\n      ".join(lines)
    path.write_text(f"PMID- 39000802\nTI  - {body}\nDP  - 2022\n", encoding="utf-8")


SYLLABLES = ("ka", "lo", "mi", "ne", "su", "ta", "vo", "ri", "be", "da", "fu", "go", "hi", "ju")
GIVEN = ("Anna", "Bo", "Chen", "Dara", "Emil", "Fatima", "Goran", "Hana", "Ivo", "Jun")


def author_names() -> list[tuple[str, str]]:
    """5,000 distinct (family, given) names: family names are unique on their own."""
    names = []
    n = len(SYLLABLES)
    for i in range(AUTHORS):
        family = "".join(SYLLABLES[(i // n**k) % n] for k in range(4)).capitalize()
        names.append((family, GIVEN[i % len(GIVEN)]))
    return names


def _authors(path: Path, secret: Path, url: str) -> None:
    lines = ["PMID- 39000901", "TI  - A consortium paper with five thousand authors.", "DP  - 2022"]
    for family, given in author_names():
        lines += [f"FAU - {family}, {given}", f"AU  - {family} {given[0]}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def long_pages() -> str:
    """A page range of two 5,000-digit numbers (Python's int() refuses more than 4,300)."""
    return "1" * 5000 + "-" + "2" * 5000


def _long_pages(path: Path, secret: Path, url: str) -> None:
    text = (
        f"PMID- 39000803\nTI  - Pages of five thousand digits.\nDP  - 2022\nPG  - {long_pages()}\n"
    )
    path.write_text(text, encoding="utf-8")


def _control_titles(path: Path, secret: Path, url: str) -> None:
    records = [f"PMID- {pmid}\nTI  - {title}\nDP  - 2021\n" for pmid, title in CONTROL_TITLES]
    path.write_text("\n".join(records), encoding="utf-8")


def _control_titles_json(path: Path, secret: Path, url: str) -> None:
    """Control characters and a lone surrogate that only JSON escapes can carry."""
    work = {
        "DOI": "10.5555/hostile.json-escapes",
        "type": "journal-article",
        "title": ["JSON escapes: nul \u0000, escape \u001b[2J, lone surrogate \ud83d end"],
        "container-title": ["Journal of Hostile Inputs"],
        "issued": {"date-parts": [[2021]]},
    }
    path.write_text(json.dumps(work, ensure_ascii=True), encoding="utf-8")


def _doi_invisible(path: Path, secret: Path, url: str) -> None:
    """The DOI as copied from a web page: a zero-width space and a soft hyphen inside it."""
    path.write_text(
        "TY  - JOUR\n"
        "TI  - Hostile identifiers: one paper under many spellings of its DOI\n"
        "AU  - Variant, Vera\n"
        "PY  - 2024\n"
        "DO  - 10.5555/hostile.\u200bdoi-2024.\u00ad0017\n"
        "ER  - \n",
        encoding="utf-8",
    )


def _xml(declarations: str, pmid: str, title: str, doctype_tail: str = "") -> str:
    doctype = f"<!DOCTYPE PubmedArticleSet{doctype_tail}"
    doctype += f" [\n{declarations}\n]>" if declarations else ">"
    article = XML_ARTICLE.format(pmid=pmid, title=title)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n<PubmedArticleSet>\n{article}\n</PubmedArticleSet>\n'


def _xxe_local(path: Path, secret: Path, url: str) -> None:
    declaration = f'  <!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">'
    path.write_text(_xml(declaration, "39001001", "Leak the file: &xxe;"), encoding="utf-8")


def _xxe_loopback(path: Path, secret: Path, url: str) -> None:
    declaration = f'  <!ENTITY xxe SYSTEM "{url}xxe-general">'
    path.write_text(_xml(declaration, "39001002", "Fetch the URL: &xxe;"), encoding="utf-8")


def _xxe_parameter(path: Path, secret: Path, url: str) -> None:
    declaration = f'  <!ENTITY % remote SYSTEM "{url}xxe-parameter.dtd">\n  %remote;'
    path.write_text(_xml(declaration, "39001003", "A parameter entity"), encoding="utf-8")


def _external_dtd(path: Path, secret: Path, url: str) -> None:
    """A DOCTYPE naming an external DTD, as every PubMed file does: never fetched, and the
    article is read."""
    text = _xml(
        "", "39001004", "An external DTD that is never fetched", f' SYSTEM "{url}pubmed.dtd"'
    )
    path.write_text(text, encoding="utf-8")


def _billion_laughs(path: Path, secret: Path, url: str) -> None:
    lines = ['  <!ENTITY lol0 "lol">']
    for level in range(1, 16):  # 10**15 "lol"s if it were expanded
        refs = f"&lol{level - 1};" * 10
        lines.append(f'  <!ENTITY lol{level} "{refs}">')
    path.write_text(_xml("\n".join(lines), "39001005", "&lol15;"), encoding="utf-8")


def _quadratic_blowup(path: Path, secret: Path, url: str) -> None:
    """One 100 kB entity referenced 100,000 times: 10 GB if expanded."""
    declaration = '  <!ENTITY big "' + "b" * 100_000 + '">'
    path.write_text(_xml(declaration, "39001006", "&big;" * 100_000), encoding="utf-8")


GENERATED: dict[str, Callable[[Path, Path, str], None]] = {
    "binary_random.bin": _binary_random,
    "pdf_renamed.txt": _pdf_renamed,
    "medline_invalid_utf8.nbib": _medline_invalid_utf8,
    "utf16le_bom.ris": _utf16le_ris,
    "utf16be_bom.nbib": _utf16be_medline,
    "long_line_abstract.nbib": _long_line,
    "title_1mib.nbib": _long_title,
    "authors_5000.nbib": _authors,
    "pages_5000_digits.nbib": _long_pages,
    "doi_variants_invisible.ris": _doi_invisible,
    "titles_control.nbib": _control_titles,
    "titles_json_escapes.json": _control_titles_json,
    "xxe_local_file.xml": _xxe_local,
    "xxe_loopback.xml": _xxe_loopback,
    "xxe_parameter_loopback.xml": _xxe_parameter,
    "external_dtd_loopback.xml": _external_dtd,
    "entity_bomb_billion_laughs.xml": _billion_laughs,
    "entity_bomb_quadratic.xml": _quadratic_blowup,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--secret", type=Path, default=DEFAULT_SECRET)
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    make(args.folder, secret=args.secret, url=args.url)


if __name__ == "__main__":
    main()
