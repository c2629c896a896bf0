"""OpenAlex: works by DOI, PMID, PMCID or W-id, 100 to a request (``filter=doi:a|b|…``);
references and related works come in each work's record; citing works from
``filter=cites:W1|W2|…``, 100 to a page, paged by number (cursor paging needs a key)."""

from __future__ import annotations

import json

from .service import Ask, Host, Known, batch_label, batches

NAME = "openalex"
ENV = "KG_OPENALEX_URL"
DEFAULT = "https://api.openalex.org/"
KEY_ENV = "OPENALEX_API_KEY"
PHASE = 1
BATCH = 100  # values an OR filter may hold
CITES_BATCH = 100
PAGE = 100  # OpenAlex's largest per_page
MAX_RESULTS = 10000  # the most page paging reaches


def host(key: str | None, mailto: str | None) -> Host:
    """OpenAlex allows 10 requests a second."""
    params = {}
    if key:
        params["api_key"] = key
    if mailto:
        params["mailto"] = mailto
    return Host(rate=9.0, params=params)


def _by(paper: Known) -> tuple[str, str] | None:
    """The filter that finds ``paper``, best identifier first."""
    if paper.openalex:
        return "ids.openalex", paper.openalex
    if paper.doi:
        return "doi", paper.doi
    if paper.pmid:
        return "ids.pmid", paper.pmid
    if paper.pmcid:
        return "ids.pmcid", paper.pmcid
    return None


def metadata(papers: list[Known]) -> list[Ask]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for paper in papers:
        found = _by(paper)
        if found:
            groups.setdefault(found[0], []).append((found[1], paper.key))
    asks = []
    for name in sorted(groups):
        for batch in batches(sorted(groups[name]), BATCH):
            values = [value for value, _ in batch]
            asks.append(
                Ask(
                    NAME,
                    "works",
                    "works",
                    (("filter", f"{name}:" + "|".join(values)), ("per_page", str(BATCH))),
                    "openalex_json",
                    "json",
                    batch_label(values),
                    tuple(key for _, key in batch),
                )
            )
    return asks


def links(papers: list[Known], relations: set[str], per_paper: int) -> list[Ask]:
    """Citing works; references and related works are in the works already fetched."""
    if "cited-by" not in relations:
        return []
    with_id = sorted((p.openalex, p.key) for p in papers if p.openalex)
    return [
        _cites([w for w, _ in batch], tuple(k for _, k in batch), 0)
        for batch in batches(with_id, CITES_BATCH)
    ]


def _cites(works: list[str], keys: tuple[str, ...], page: int) -> Ask:
    return Ask(
        NAME,
        "cites",
        "works",
        (
            ("filter", "cites:" + "|".join(works)),
            ("per_page", str(PAGE)),
            ("page", str(page + 1)),
        ),
        "openalex_json",
        "json",
        batch_label(works),
        keys,
        page=page,
    )


def next_page(ask: Ask, body: bytes, per_paper: int) -> Ask | None:
    """The next page of citing works, until the batch's papers could each have ``per_paper``
    (or the list, or page paging, ends)."""
    if ask.endpoint != "cites":
        return None
    count = (json.loads(body).get("meta") or {}).get("count")
    seen = (ask.page + 1) * PAGE
    if not isinstance(count, int) or seen >= min(count, MAX_RESULTS):
        return None
    if seen >= per_paper * len(ask.papers):
        return None
    works = dict(ask.params)["filter"].removeprefix("cites:").split("|")
    return _cites(works, ask.papers, ask.page + 1)
