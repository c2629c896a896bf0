"""A local stand-in for the open scholarly web: a real HTTP server on 127.0.0.1 answering
E-utilities (efetch, elink, esearch), OpenAlex and Crossref requests in each service's own
format, made here from a table of papers (tests/fixtures/fetch/seed_neighbourhood.json), and
recorded real responses where a test names one.

``faults`` lets a test make a path answer badly first: a list of (status, headers, body)
served in turn before the normal answer.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FIXTURES = Path(__file__).parent / "fixtures"
SEED_TABLE = FIXTURES / "fetch" / "seed_neighbourhood.json"
SERVICES = ("pubmed", "openalex", "crossref", "opencitations", "semanticscholar", "europepmc")
ENV = {
    "pubmed": "KG_PUBMED_URL",
    "openalex": "KG_OPENALEX_URL",
    "crossref": "KG_CROSSREF_URL",
    "opencitations": "KG_OPENCITATIONS_URL",
    "semanticscholar": "KG_SEMANTICSCHOLAR_URL",
    "europepmc": "KG_EUROPEPMC_URL",
}


@dataclass
class Paper:
    pmid: str
    doi: str
    title: str
    year: int
    journal: str
    pmcid: str | None = None
    similar: list[str] = field(default_factory=list)  # PMIDs, most similar first
    cited_by: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    work: str | None = None  # its OpenAlex id, when not made from the PMID

    @property
    def openalex(self) -> str:
        return self.work or f"W{int(self.pmid) + 1000000000}"


def seed_papers() -> dict[str, Paper]:
    """The seed paper and the neighbours its PubMed page lists, linked as the page shows."""
    data = json.loads(SEED_TABLE.read_text())
    papers = {}
    for row in data["papers"]:
        papers[row["pmid"]] = Paper(
            row["pmid"], row["doi"], row["title"], row["year"], row["journal"], row.get("pmcid")
        )
    seed = papers[data["seed"]]
    for row in data["papers"]:
        if row["relation"] == "similar":
            seed.similar.append(row["pmid"])
        elif row["relation"] == "cited-by":
            seed.cited_by.append(row["pmid"])
            papers[row["pmid"]].refs.append(seed.pmid)
    return papers


class FakeWeb:
    """The server, its base URLs per service (set them with :meth:`environ`), the requests
    it was sent, and faults to serve first."""

    def __init__(self, papers: dict[str, Paper] | None = None) -> None:
        self.papers = papers if papers is not None else seed_papers()
        self.by_doi = {p.doi: p for p in self.papers.values()}
        self.by_openalex = {p.openalex: p for p in self.papers.values()}
        self.server = HTTPServer(host="127.0.0.1", port=0)
        self.server.expect_request(re.compile(".*")).respond_with_handler(self.handle)
        self.requests: list[str] = []
        self.seen = Counter[str]()
        self.faults: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.fixed: dict[str, bytes] = {}  # path -> a recorded body to serve as is
        self.lock = threading.Lock()

    def start(self) -> FakeWeb:
        self.server.start()
        return self

    def stop(self) -> None:
        if self.server.is_running():
            self.server.stop()

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.server.port}/{service}/"

    def environ(self) -> dict[str, str]:
        return {ENV[s]: self.url(s) for s in SERVICES}

    # -- answers

    def handle(self, request: Request) -> Response:
        path = request.path
        with self.lock:
            self.requests.append(request.full_path)
            self.seen[path] += 1
            queued = self.faults.get(path)
            fault = queued.pop(0) if queued else None
        if fault is not None:
            status, headers, body = fault
            return Response(body, status=status, headers=headers)
        if path in self.fixed:
            return Response(self.fixed[path], content_type="application/json")
        params = parse_qsl(request.query_string.decode(), keep_blank_values=True)
        service, _, endpoint = path.strip("/").partition("/")
        try:
            body, kind = getattr(self, f"_{service}")(endpoint, params, request)
        except LookupError:
            return Response(b'{"error": "not found"}', status=404)
        return Response(body, content_type=kind, headers={"Date": "Sun, 06 Dec 2026 12:00:00 GMT"})

    def _pubmed(self, endpoint: str, params: list[tuple[str, str]], _: Request) -> tuple[Any, str]:
        ids = [v for k, v in params if k == "id"]
        if endpoint == "efetch.fcgi":
            wanted = [i for part in ids for i in part.split(",")]
            return efetch([self.papers[i] for i in wanted if i in self.papers]), "text/xml"
        if endpoint == "elink.fcgi":
            linked = [self.papers.get(i) or Paper(i, "", "", 0, "") for i in ids]
            return elink(linked, scored=dict(params).get("cmd") == "neighbor_score"), "text/xml"
        if endpoint == "esearch.fcgi":
            query = dict(params)
            found = sorted(self.papers, key=int)
            start, size = int(query.get("retstart", 0)), int(query.get("retmax", 20))
            return esearch(found, start, size), "text/xml"
        raise LookupError(endpoint)

    def _openalex(
        self, endpoint: str, params: list[tuple[str, str]], _: Request
    ) -> tuple[Any, str]:
        query = dict(params)
        name, _, values = query.get("filter", "").partition(":")
        wanted = values.split("|")
        if name == "cites":
            cited = {self.by_openalex[w].pmid for w in wanted if w in self.by_openalex}
            found = [p for p in self.papers.values() if cited & set(p.refs)]
        else:
            lookup = {
                "doi": lambda v: self.by_doi.get(v.lower()),
                "ids.pmid": self.papers.get,
                "ids.openalex": self.by_openalex.get,
                "ids.pmcid": lambda v: next(
                    (p for p in self.papers.values() if p.pmcid == v), None
                ),
            }[name]
            found = [p for v in wanted if (p := lookup(v)) is not None]
        size = int(query.get("per_page") or 25)
        number = int(query.get("page") or 1)
        shown = found[(number - 1) * size : number * size]
        page = {
            "meta": {"count": len(found), "page": number, "per_page": size},
            "results": [self.openalex_work(p) for p in shown],
        }
        return json.dumps(page), "application/json"

    def openalex_work(self, p: Paper) -> dict[str, Any]:
        return {
            "id": f"https://openalex.org/{p.openalex}",
            "doi": f"https://doi.org/{p.doi}",
            "title": p.title,
            "publication_year": p.year,
            "ids": {
                "openalex": f"https://openalex.org/{p.openalex}",
                "doi": f"https://doi.org/{p.doi}",
                "pmid": f"https://pubmed.ncbi.nlm.nih.gov/{p.pmid}",
            },
            "primary_location": {"source": {"display_name": p.journal}},
            "cited_by_count": len(p.cited_by),
            "referenced_works": [f"https://openalex.org/{self.papers[r].openalex}" for r in p.refs],
            "related_works": [],
            "updated_date": "2026-12-01T00:00:00",
        }

    def _crossref(
        self, endpoint: str, params: list[tuple[str, str]], _: Request
    ) -> tuple[Any, str]:
        query = dict(params)
        if "query.bibliographic" in query:
            return self.bibliographic(query["query.bibliographic"]), "application/json"
        dois = [d.removeprefix("doi:") for d in query.get("filter", "").split(",") if d]
        items = []
        for doi in dois:
            p = self.by_doi.get(doi.lower())
            if p is not None:
                items.append(self.crossref_work(p))
        message = {"total-results": len(items), "items": items}
        body = {"status": "ok", "message-type": "work-list", "message": message}
        return json.dumps(body), "application/json"

    def bibliographic(self, text: str) -> str:
        """Crossref's best match for a reference as text: a paper whose title the text holds
        scores high, else the first paper scores low (a wrong match, as Crossref gives)."""
        found = [p for p in self.papers.values() if p.title.lower() in text.lower()]
        best, score = (found[0], 97.4) if found else (next(iter(self.papers.values())), 21.3)
        item = {**self.crossref_work(best), "score": score}
        message = {"total-results": 1, "items": [item]}
        return json.dumps({"status": "ok", "message-type": "work-list", "message": message})

    def crossref_work(self, p: Paper) -> dict[str, Any]:
        return {
            "DOI": p.doi,
            "type": "journal-article",
            "title": [p.title],
            "container-title": [p.journal],
            "issued": {"date-parts": [[p.year]]},
            "is-referenced-by-count": len(p.cited_by),
            "indexed": {"date-time": "2026-12-01T00:00:00Z"},
            "reference": [
                {"key": f"ref{n}", "DOI": self.papers[r].doi} for n, r in enumerate(p.refs, 1)
            ],
        }

    def _opencitations(
        self, endpoint: str, params: list[tuple[str, str]], _: Request
    ) -> tuple[Any, str]:
        """Index v2 ``references/doi:…`` and ``citations/doi:…``: ``[]`` for a paper it has
        no citations of, as the service answers."""
        kind, _, paper_id = endpoint.partition("/")
        scheme, _, value = paper_id.partition(":")
        p = self.by_doi.get(value.lower()) if scheme == "doi" else self.papers.get(value)
        pairs = []
        if p is not None and kind == "references":
            pairs = [(p, self.papers[r]) for r in p.refs]
        elif p is not None and kind == "citations":
            pairs = [(self.papers[c], p) for c in p.cited_by]
        rows = [
            {
                "oci": f"06{a.pmid}-06{b.pmid}",
                "citing": _ids(a),
                "cited": _ids(b),
                "creation": str(a.year),
                "timespan": "",
                "journal_sc": "no",
                "author_sc": "no",
            }
            for a, b in pairs
        ]
        return json.dumps(rows), "application/json"

    def find(self, text: str) -> Paper | None:
        """A paper by Semantic Scholar's ``DOI:…``/``PMID:…`` or Europe PMC's ``MED``."""
        scheme, _, value = text.partition(":")
        if scheme.upper() == "DOI":
            return self.by_doi.get(value.lower())
        if scheme.upper() in ("PMID", "MED"):
            return self.papers.get(value)
        return None

    def s2_paper(self, p: Paper) -> dict[str, Any]:
        return {
            "paperId": f"{int(p.pmid):040x}",
            "externalIds": {"DOI": p.doi, "PubMed": p.pmid},
            "title": p.title,
            "year": p.year,
            "venue": p.journal,
            "citationCount": len(p.cited_by),
            "referenceCount": len(p.refs),
        }

    def _semanticscholar(
        self, endpoint: str, params: list[tuple[str, str]], request: Request
    ) -> tuple[Any, str]:
        """``POST paper/batch`` and ``paper/{id}/references|citations`` with made-here citation
        contexts: each citing paper mentions the cited one in one sentence, as background."""
        if endpoint == "paper/batch":
            asked = json.loads(request.get_data())["ids"]
            return json.dumps(
                [self.s2_paper(p) if (p := self.find(i)) else None for i in asked]
            ), "application/json"
        match = re.fullmatch(r"paper/(.+)/(references|citations)", endpoint)
        if not match or (paper := self.find(match.group(1))) is None:
            raise LookupError(endpoint)
        query = dict(params)
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 100))
        if match.group(2) == "references":
            pairs = [(paper, self.papers[r]) for r in paper.refs]
        else:
            pairs = [(self.papers[c], paper) for c in paper.cited_by]
        data = []
        for citing, cited in pairs[offset : offset + limit]:
            item = {
                "contexts": [f"Stigma kept sex workers from care ({cited.journal} {cited.year})."],
                "intents": ["background"],
                "isInfluential": citing.year - cited.year < 3,
            }
            other = cited if match.group(2) == "references" else citing
            item["citedPaper" if match.group(2) == "references" else "citingPaper"] = self.s2_paper(
                other
            )
            data.append(item)
        page: dict[str, Any] = {"offset": offset, "data": data}
        if offset + limit < len(pairs):
            page["next"] = offset + limit
        return json.dumps(page), "application/json"

    def epmc_result(self, p: Paper) -> dict[str, Any]:
        return {
            "id": p.pmid,
            "source": "MED",
            "pmid": p.pmid,
            "doi": p.doi,
            "title": p.title + ".",
            "journalTitle": p.journal,
            "pubYear": str(p.year),
            "citedByCount": len(p.cited_by),
        }

    def _europepmc(
        self, endpoint: str, params: list[tuple[str, str]], _: Request
    ) -> tuple[Any, str]:
        query = dict(params)
        if endpoint == "search":
            text = query.get("query", "")
            found = [self.papers[i] for i in re.findall(r"EXT_ID:(\d+)", text) if i in self.papers]
            found += [
                self.by_doi[d] for d in re.findall(r'DOI:"([^"]+)"', text) if d in self.by_doi
            ]
            body = {
                "version": "6.9",
                "hitCount": len(found),
                "request": {"queryString": text, "resultType": "core"},
                "resultList": {"result": [self.epmc_result(p) for p in found]},
            }
            return json.dumps(body), "application/json"
        match = re.fullmatch(r"MED/(\d+)/(references|citations)", endpoint)
        if not match or (paper := self.papers.get(match.group(1))) is None:
            raise LookupError(endpoint)
        request = {"id": paper.pmid, "source": "MED", "page": int(query.get("page", 1))}
        if match.group(2) == "references":
            listed = [self.epmc_result(self.papers[r]) for r in paper.refs]
            body = {
                "version": "6.9",
                "hitCount": len(listed),
                "request": request,
                "referenceList": {"reference": listed},
            }
        else:
            listed = [self.epmc_result(self.papers[c]) for c in paper.cited_by]
            body = {
                "version": "6.9",
                "hitCount": len(listed),
                "request": request,
                "citationList": {"citation": listed},
            }
        return json.dumps(body), "application/json"


def _ids(p: Paper) -> str:
    return f"omid:br/06{p.pmid} doi:{p.doi} pmid:{p.pmid}"


def efetch(papers: list[Paper]) -> str:
    """A PubmedArticleSet in efetch's format (made here)."""
    articles = []
    for p in papers:
        ids = f'<ArticleId IdType="pubmed">{p.pmid}</ArticleId><ArticleId IdType="doi">{escape(p.doi)}</ArticleId>'
        if p.pmcid:
            ids += f'<ArticleId IdType="pmc">{p.pmcid}</ArticleId>'
        articles.append(
            '<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
            f'<PMID Version="1">{p.pmid}</PMID><Article PubModel="Print"><Journal>'
            f"<JournalIssue><PubDate><Year>{p.year}</Year></PubDate></JournalIssue>"
            f"<Title>{escape(p.journal)}</Title><ISOAbbreviation>{escape(p.journal)}</ISOAbbreviation>"
            f"</Journal><ArticleTitle>{escape(p.title)}.</ArticleTitle></Article></MedlineCitation>"
            f"<PubmedData><ArticleIdList>{ids}</ArticleIdList></PubmedData></PubmedArticle>"
        )
    return (
        '<?xml version="1.0" ?>\n<PubmedArticleSet>' + "".join(articles) + "</PubmedArticleSet>\n"
    )


def elink(papers: list[Paper], scored: bool = False) -> str:
    """An eLinkResult with one LinkSet per paper (one ``id=`` each): as cmd=neighbor gives it,
    or, ``scored``, the similar papers alone with made-up scores (cmd=neighbor_score)."""
    sets = []
    for p in papers:
        blocks = ""
        similar = [p.pmid, *p.similar] if p.similar else []
        wanted = [("pubmed_pubmed", similar)]
        if not scored:
            wanted += [("pubmed_pubmed_citedin", p.cited_by), ("pubmed_pubmed_refs", p.refs)]
        for name, ids in wanted:
            if ids:
                links = "".join(
                    f"<Link><Id>{i}</Id><Score>{90000000 - 1000 * n}</Score></Link>"
                    if scored
                    else f"<Link><Id>{i}</Id></Link>"
                    for n, i in enumerate(ids)
                )
                blocks += (
                    f"<LinkSetDb><DbTo>pubmed</DbTo><LinkName>{name}</LinkName>{links}</LinkSetDb>"
                )
        sets.append(
            f"<LinkSet><DbFrom>pubmed</DbFrom><IdList><Id>{p.pmid}</Id></IdList>{blocks}</LinkSet>"
        )
    return '<?xml version="1.0" ?>\n<eLinkResult>' + "".join(sets) + "</eLinkResult>\n"


def esearch(pmids: list[str], start: int = 0, size: int = 20) -> str:
    """An eSearchResult with the history server's WebEnv, one page of ``size`` from ``start``."""
    page = pmids[start : start + size]
    ids = "".join(f"<Id>{i}</Id>" for i in page)
    return (
        '<?xml version="1.0" ?>\n<eSearchResult><Count>'
        f"{len(pmids)}</Count><RetMax>{len(page)}</RetMax><RetStart>{start}</RetStart>"
        "<QueryKey>1</QueryKey><WebEnv>MCID_made_here</WebEnv>"
        f"<IdList>{ids}</IdList></eSearchResult>\n"
    )
