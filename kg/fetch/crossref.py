"""Crossref: works with their references, 50 DOIs to a request (``filter=doi:a,doi:b``);
the polite pool with a mailto, and its ``x-rate-limit-*`` headers honoured."""

from __future__ import annotations

import json

from .service import Ask, Host, Known, batch_label, batches

NAME = "crossref"
ENV = "KG_CROSSREF_URL"
DEFAULT = "https://api.crossref.org/"
KEY_ENV = None
PHASE = 2  # needs the DOIs the other services find
BATCH = 50


def host(key: str | None, mailto: str | None) -> Host:
    """Public pool: 5 requests a second, one at a time; polite pool (mailto): 10 and 3."""
    if mailto:
        return Host(rate=9.0, concurrency=3, params={"mailto": mailto})
    return Host(rate=4.5, concurrency=1)


def metadata(papers: list[Known]) -> list[Ask]:
    dois = sorted((p.doi, p.key) for p in papers if p.doi)
    return [
        Ask(
            NAME,
            "works",
            "works",
            (
                ("filter", ",".join(f"doi:{doi}" for doi, _ in batch)),
                ("rows", str(len(batch))),
            ),
            "crossref_json",
            "json",
            batch_label([doi for doi, _ in batch]),
            tuple(key for _, key in batch),
        )
        for batch in batches(dois, BATCH)
    ]


def links(papers: list[Known], relations: set[str], per_paper: int) -> list[Ask]:
    """References are in the works already fetched; Crossref gives no citing works."""
    return []


def bibliographic(text: str) -> Ask:
    """The best match for a reference known only as printed text (``query.bibliographic``);
    its answer is kept among the hidden ones, and saved for the build only if it is kept."""
    return Ask(
        NAME,
        "match",
        "works",
        (("query.bibliographic", text[:1000]), ("rows", "1")),
        "",
        "json",
        text[:40],
        save=False,
    )


def best(body: bytes) -> tuple[str | None, float, int | None]:
    """(DOI, score, year) of the first work of a ``query.bibliographic`` answer."""
    items = (json.loads(body).get("message") or {}).get("items") or []
    if not items or not isinstance(items[0], dict):
        return None, 0.0, None
    work = items[0]
    score = work.get("score")
    parts = ((work.get("issued") or {}).get("date-parts") or [[None]])[0] or [None]
    year = parts[0] if isinstance(parts[0], int) else None
    doi = work.get("DOI") if isinstance(work.get("DOI"), str) else None
    return doi, float(score) if isinstance(score, int | float) else 0.0, year


def next_page(ask: object, body: bytes, per_paper: int) -> None:
    return None
