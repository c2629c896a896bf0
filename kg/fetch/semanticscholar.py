"""Semantic Scholar Graph API: papers 500 to a request (``POST /paper/batch``), and each
paper's references and citations with their contexts, intents and influence, paged by
offset. Its answers are saved in kg's envelope: they do not name the paper asked about."""

from __future__ import annotations

import json

from .service import Ask, Host, Known, batch_label, batches, path_id

NAME = "semanticscholar"
ENV = "KG_SEMANTICSCHOLAR_URL"
DEFAULT = "https://api.semanticscholar.org/graph/v1/"
KEY_ENV = "S2_API_KEY"
PHASE = 2
BATCH = 500
PAGE = 1000  # the most a references or citations page holds
PAPER_FIELDS = (
    "paperId,externalIds,title,abstract,year,publicationDate,venue,journal,authors,"
    "publicationTypes,citationCount,referenceCount"
)
LINK_FIELDS = "contexts,intents,isInfluential,paperId,externalIds,title,year,venue,journal,authors"


def host(key: str | None, mailto: str | None) -> Host:
    """One request a second (with or without a key)."""
    return Host(rate=0.95, headers={"x-api-key": key} if key else {})


def _id(paper: Known) -> str | None:
    if paper.doi:
        return f"DOI:{paper.doi}"
    if paper.pmid:
        return f"PMID:{paper.pmid}"
    if paper.pmcid:
        return f"PMCID:{paper.pmcid.removeprefix('PMC')}"
    return None


def metadata(papers: list[Known]) -> list[Ask]:
    found = sorted((i, p.key) for p in papers if (i := _id(p)))
    return [
        Ask(
            NAME,
            "batch",
            "paper/batch",
            (("fields", PAPER_FIELDS),),
            "semanticscholar_json",
            "json",
            batch_label([i for i, _ in batch]),
            tuple(k for _, k in batch),
            method="POST",
            body=json.dumps({"ids": [i for i, _ in batch]}),
            envelope=(("service", NAME), ("endpoint", "batch")),
        )
        for batch in batches(found, BATCH)
    ]


def _page(paper_id: str, key: str, endpoint: str, offset: int, limit: int) -> Ask:
    return Ask(
        NAME,
        endpoint,
        f"paper/{path_id(paper_id)}/{endpoint}",
        (("fields", LINK_FIELDS), ("offset", str(offset)), ("limit", str(limit))),
        "semanticscholar_json",
        "json",
        paper_id,
        (key,),
        envelope=(("service", NAME), ("endpoint", endpoint), ("id", paper_id)),
        page=offset // PAGE,
    )


def links(papers: list[Known], relations: set[str], per_paper: int) -> list[Ask]:
    asks = []
    for paper in sorted(papers, key=lambda p: p.key):
        paper_id = _id(paper)
        if not paper_id:
            continue
        for relation, endpoint in (("refs", "references"), ("cited-by", "citations")):
            if relation in relations:
                asks.append(_page(paper_id, paper.key, endpoint, 0, min(per_paper, PAGE)))
    return asks


def next_page(ask: Ask, body: bytes, per_paper: int) -> Ask | None:
    if ask.endpoint not in ("references", "citations"):
        return None
    following = json.loads(body).get("next")
    if not isinstance(following, int) or following >= per_paper:
        return None
    return _page(
        ask.label, ask.papers[0], ask.endpoint, following, min(per_paper - following, PAGE)
    )
