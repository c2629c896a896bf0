"""Europe PMC REST: papers by PMID, PMCID or DOI, 50 to a search; each paper's references
and citations, 1,000 to a page. Answers are saved in kg's envelope, with the day they were
given (their citation counts have no date of their own)."""

from __future__ import annotations

import json

from .service import Ask, Host, Known, batch_label, batches

NAME = "europepmc"
ENV = "KG_EUROPEPMC_URL"
DEFAULT = "https://www.ebi.ac.uk/europepmc/webservices/rest/"
KEY_ENV = None
PHASE = 1
BATCH = 50
PAGE = 1000


def host(key: str | None, mailto: str | None) -> Host:
    return Host(rate=5.0, params={"email": mailto} if mailto else {})


def _term(paper: Known) -> str | None:
    if paper.pmid:
        return f"(EXT_ID:{paper.pmid} AND SRC:MED)"
    if paper.pmcid:
        return f"PMCID:{paper.pmcid}"
    if paper.doi:
        return f'DOI:"{paper.doi}"'
    return None


def metadata(papers: list[Known]) -> list[Ask]:
    found = sorted((t, p.key) for p in papers if (t := _term(p)))
    return [
        Ask(
            NAME,
            "search",
            "search",
            (
                ("query", " OR ".join(t for t, _ in batch)),
                ("resultType", "core"),
                ("format", "json"),
                ("pageSize", str(BATCH)),
            ),
            "europepmc_json",
            "json",
            batch_label([t.strip("()").split(" ")[0] for t, _ in batch]),
            tuple(k for _, k in batch),
            envelope=(("service", NAME), ("endpoint", "search")),
        )
        for batch in batches(found, BATCH)
    ]


def _page(source_id: str, key: str, endpoint: str, page: int, size: int) -> Ask:
    source, _, paper_id = source_id.partition(":")
    return Ask(
        NAME,
        endpoint,
        f"{source}/{paper_id}/{endpoint}",
        (("page", str(page + 1)), ("pageSize", str(size)), ("format", "json")),
        "europepmc_json",
        "json",
        source_id,
        (key,),
        envelope=(("service", NAME), ("endpoint", endpoint), ("id", source_id)),
        page=page,
    )


def links(papers: list[Known], relations: set[str], per_paper: int) -> list[Ask]:
    asks = []
    for paper in sorted(papers, key=lambda p: p.key):
        if paper.pmid:
            source_id = f"MED:{paper.pmid}"
        elif paper.pmcid:
            source_id = f"PMC:{paper.pmcid}"
        else:
            continue
        for relation, endpoint in (("refs", "references"), ("cited-by", "citations")):
            if relation in relations:
                asks.append(_page(source_id, paper.key, endpoint, 0, min(per_paper, PAGE)))
    return asks


def next_page(ask: Ask, body: bytes, per_paper: int) -> Ask | None:
    if ask.endpoint not in ("references", "citations"):
        return None
    total = json.loads(body).get("hitCount")
    seen = (ask.page + 1) * PAGE
    if not isinstance(total, int) or seen >= total or seen >= per_paper:
        return None
    return _page(ask.label, ask.papers[0], ask.endpoint, ask.page + 1, PAGE)
