"""PubMed E-utilities: esearch (history server, paging), efetch (PubMed XML, 200 ids a
request) and elink (one ``id=`` per paper, so each paper gets its own link set)."""

from __future__ import annotations

import re

from .service import Ask, Host, Known, batch_label, batches

NAME = "pubmed"
ENV = "KG_PUBMED_URL"
DEFAULT = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
KEY_ENV = "NCBI_API_KEY"
PHASE = 1
EFETCH_BATCH = 200
ELINK_BATCH = 100
ESEARCH_PAGE = 10000  # esearch's largest retmax
_COMMON = (("tool", "kg"),)


def host(key: str | None, mailto: str | None) -> Host:
    """3 requests a second without a key and 10 with one (NCBI's limits), kept below."""
    params = {}
    if key:
        params["api_key"] = key
    if mailto:
        params["email"] = mailto
    return Host(rate=9.0 if key else 2.7, params=params)


def metadata(papers: list[Known]) -> list[Ask]:
    pmids = sorted((p.pmid for p in papers if p.pmid), key=int)
    by_pmid = {p.pmid: p.key for p in papers if p.pmid}
    return [
        Ask(
            NAME,
            "efetch",
            "efetch.fcgi",
            (("db", "pubmed"), ("id", ",".join(batch)), ("retmode", "xml"), *_COMMON),
            "pubmed_xml",
            "xml",
            batch_label(batch),
            tuple(by_pmid[p] for p in batch),
        )
        for batch in batches(pmids, EFETCH_BATCH)
    ]


def links(papers: list[Known], relations: set[str], per_paper: int) -> list[Ask]:
    """``cmd=neighbor`` gives references and citing papers (and similar papers, ranked) in
    one request; ``cmd=neighbor_score`` gives the similar papers with their scores."""
    pmids = sorted((p.pmid for p in papers if p.pmid), key=int)
    by_pmid = {p.pmid: p.key for p in papers if p.pmid}
    commands: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    if relations & {"refs", "cited-by"}:
        commands.append(("elink", (("cmd", "neighbor"),)))
    if "similar" in relations:
        commands.append(("similar", (("cmd", "neighbor_score"), ("linkname", "pubmed_pubmed"))))
    return [
        Ask(
            NAME,
            endpoint,
            "elink.fcgi",
            (
                ("dbfrom", "pubmed"),
                ("db", "pubmed"),
                *command,
                *(("id", pmid) for pmid in batch),
                *_COMMON,
            ),
            "pubmed_elink",
            "xml",
            batch_label(batch),
            tuple(by_pmid[p] for p in batch),
        )
        for batch in batches(pmids, ELINK_BATCH)
        for endpoint, command in commands
    ]


def search(query: str, limit: int, page: int = 0, history: tuple[str, str] | None = None) -> Ask:
    """One page of an esearch (``usehistory=y``; later pages name the history's WebEnv)."""
    params: list[tuple[str, str]] = [
        ("db", "pubmed"),
        ("term", query),
        ("usehistory", "y"),
        ("retstart", str(page * ESEARCH_PAGE)),
        ("retmax", str(min(limit - page * ESEARCH_PAGE, ESEARCH_PAGE))),
    ]
    if history:
        params += [("WebEnv", history[0]), ("query_key", history[1])]
    return Ask(
        NAME,
        "esearch",
        "esearch.fcgi",
        (*params, *_COMMON),
        "",
        "xml",
        query,
        save=False,
        page=page,
    )


_TAG = {name: re.compile(rf"<{name}>([^<]*)</{name}>") for name in ("Count", "WebEnv", "QueryKey")}
_ID = re.compile(r"<Id>(\d+)</Id>")


def search_result(body: bytes) -> tuple[int, list[str], tuple[str, str] | None]:
    """(count, PMIDs, (WebEnv, QueryKey)) of an esearch answer."""
    text = body.decode("utf-8", "replace")
    id_list = text.split("<IdList>", 1)[-1].split("</IdList>", 1)[0] if "<IdList>" in text else ""
    found = {name: pattern.search(text) for name, pattern in _TAG.items()}
    count = int(found["Count"].group(1)) if found["Count"] else 0
    history = None
    if found["WebEnv"] and found["QueryKey"]:
        history = (found["WebEnv"].group(1), found["QueryKey"].group(1))
    return count, _ID.findall(id_list), history


def next_page(ask: Ask, body: bytes, per_paper: int) -> Ask | None:
    return None
