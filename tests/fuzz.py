"""Coverage-guided fuzzing of one extractor with atheris (libFuzzer for Python).

    pip install atheris
    python -m tests.fuzz medline -max_total_time=3600      # an hour on the MEDLINE reader
    python -m tests.fuzz --list                            # the formats

Each input is bytes, decoded as a build decodes a file (UTF-8 or UTF-16 with a BOM; a binary
file is kg's own error), then given to the extractor's ``sniff`` and ``parse``. A crash is any
other exception, a record that is not one of kg's record types, or a record placed on a line
outside the text. The corpus starts from the format's fixtures and grows in
``.fuzz/<format>/`` (git-ignored); libFuzzer's options (``-max_total_time``, ``-jobs``,
``-max_len``) pass through, and a crashing input is saved as ``crash-…`` in the current folder.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["kg"]):
        from kg.errors import KgError
        from kg.extract import EXTRACTORS
        from kg.reading import decode
        from kg.records import Record

    if not argv[1:] or argv[1] in ("-h", "--help", "--list"):
        sys.stdout.write(__doc__ + "\nformats: " + " ".join(sorted(EXTRACTORS)) + "\n")
        return
    name, options = argv[1], argv[2:]
    module = EXTRACTORS[name]

    def one_input(data: bytes) -> None:
        try:
            text, _ = decode(data)
        except KgError:
            return
        if module.sniff(text) not in (True, False):
            raise AssertionError("sniff answered something other than a bool")
        lines = max(len(text.splitlines()), text.count("\n") + text.count("\r")) + 1
        for record in module.parse(text):
            if not isinstance(record, Record):
                raise AssertionError(f"not a record: {record!r}")
            if not 1 <= record.loc.line <= lines:
                raise AssertionError(f"line {record.loc.line} outside 1..{lines}")

    corpus = Path(".fuzz") / name
    if not corpus.exists():
        corpus.mkdir(parents=True)
        for seed in seeds(name):
            shutil.copy(seed, corpus / f"{seed.parent.name}-{seed.name}")
    atheris.Setup([argv[0], *options, str(corpus)], one_input)
    atheris.Fuzz()


def seeds(name: str) -> list[Path]:
    """The format's fixtures, and the case inputs and seeds (which some formats read)."""
    found = sorted((HERE / "fixtures" / name).glob("*"))
    found += sorted(HERE.glob("cases/*/input/*"))
    return [path for path in found if path.is_file()]


if __name__ == "__main__":
    main(sys.argv)
