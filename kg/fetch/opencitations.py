"""OpenCitations Index (v2): the references and the citations of a paper, by DOI or PMID,
one request each."""

from __future__ import annotations

from .service import Ask, Host, Known, path_id

NAME = "opencitations"
ENV = "KG_OPENCITATIONS_URL"
DEFAULT = "https://api.opencitations.net/index/v2/"
KEY_ENV = "OPENCITATIONS_ACCESS_TOKEN"
PHASE = 2


def host(key: str | None, mailto: str | None) -> Host:
    """OpenCitations asks for at most 180 requests a minute."""
    return Host(rate=2.7, headers={"authorization": key} if key else {})


def metadata(papers: list[Known]) -> list[Ask]:
    """OpenCitations' index gives links, not metadata."""
    return []


def _id(paper: Known) -> str | None:
    if paper.doi:
        return f"doi:{paper.doi}"
    if paper.pmid:
        return f"pmid:{paper.pmid}"
    return None


def links(papers: list[Known], relations: set[str], per_paper: int) -> list[Ask]:
    asks = []
    for paper in sorted(papers, key=lambda p: p.key):
        found = _id(paper)
        if not found:
            continue
        for relation, endpoint in (("refs", "references"), ("cited-by", "citations")):
            if relation in relations:
                asks.append(
                    Ask(
                        NAME,
                        endpoint,
                        f"{endpoint}/{path_id(found)}",
                        (),
                        "opencitations_json",
                        "json",
                        found,
                        (paper.key,),
                    )
                )
    return asks


def next_page(ask: Ask, body: bytes, per_paper: int) -> None:
    return None
