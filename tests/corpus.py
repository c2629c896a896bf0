"""A deterministic synthetic PubMed XML corpus: articles with authors, affiliations, a journal,
MeSH headings, and reference lists whose citations follow a heavy-tailed (Zipf-like) law, as
real citation counts do. The same ``seed`` always gives the same bytes.

    python -m tests.corpus DIR --articles 2000 --per-file 1000
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from xml.sax.saxutils import escape

FIRST_PMID = 30_000_000
_FAMILIES = [
    "Smith",
    "Nguyen",
    "Garcia",
    "Müller",
    "Rossi",
    "Kim",
    "Okafor",
    "Silva",
    "Cohen",
    "Tanaka",
    "Ivanova",
    "Dubois",
    "Patel",
    "Andersen",
    "Kowalski",
    "Haddad",
    "Mensah",
    "O'Brien",
    "Novak",
    "Fernández",
    "Chen",
    "Li",
    "Wang",
    "Schmidt",
]
_GIVEN = [
    "Anna",
    "Ben",
    "Chloé",
    "Dmitri",
    "Emeka",
    "Fatima",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
]
_WORDS = [
    "peer",
    "outreach",
    "stigma",
    "health",
    "care",
    "sex",
    "workers",
    "HIV",
    "prevention",
    "community",
    "trial",
    "cohort",
    "intervention",
    "access",
    "clinic",
    "barriers",
    "mortality",
    "adherence",
    "screening",
    "randomised",
    "survey",
    "qualitative",
    "policy",
    "urban",
    "rural",
    "risk",
    "network",
    "support",
    "testing",
    "treatment",
    "women",
    "youth",
]
_JOURNALS = (
    ("Int J Equity Health", "International journal for equity in health", "1475-9276"),
    ("PLoS One", "PloS one", "1932-6203"),
    ("BMC Public Health", "BMC public health", "1471-2458"),
    ("Lancet", "Lancet (London, England)", "0140-6736"),
    ("AIDS Care", "AIDS care", "0954-0121"),
    ("Glob Public Health", "Global public health", "1744-1692"),
)
_MESH = (
    ("D006801", "Humans"),
    ("D005260", "Female"),
    ("D015658", "HIV Infections"),
    ("D012747", "Sex Workers"),
    ("D006293", "Health Promotion"),
    ("D011634", "Public Health"),
)


def article(pmid: int, rng: random.Random, cited: list[int]) -> str:
    """One ``<PubmedArticle>`` citing the PMIDs in ``cited``."""
    title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 12))).capitalize()
    abbreviation, journal, issn = rng.choice(_JOURNALS)
    year = rng.randint(1995, 2024)
    authors = []
    for _ in range(rng.randint(1, 8)):
        family, given = rng.choice(_FAMILIES), rng.choice(_GIVEN)
        authors.append(
            f"<Author><LastName>{escape(family)}</LastName><ForeName>{given}</ForeName>"
            f"<Initials>{given[0]}</Initials><AffiliationInfo><Affiliation>Department of "
            f"{rng.choice(_WORDS).capitalize()}, University {rng.randint(1, 40)}."
            "</Affiliation></AffiliationInfo></Author>"
        )
    mesh = "".join(
        f'<MeshHeading><DescriptorName UI="{ui}" MajorTopicYN="N">{name}</DescriptorName>'
        "</MeshHeading>"
        for ui, name in rng.sample(_MESH, rng.randint(1, 4))
    )
    references = "".join(
        f"<Reference><Citation>Reference {n}.</Citation><ArticleIdList>"
        f'<ArticleId IdType="pubmed">{n}</ArticleId></ArticleIdList></Reference>'
        for n in cited
    )
    return (
        '<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
        f'<PMID Version="1">{pmid}</PMID><Article PubModel="Print"><Journal>'
        f'<ISSN IssnType="Electronic">{issn}</ISSN><JournalIssue><Volume>{rng.randint(1, 40)}'
        f"</Volume><PubDate><Year>{year}</Year><Month>{rng.randint(1, 12):02d}</Month>"
        f"</PubDate></JournalIssue><Title>{journal}</Title><ISOAbbreviation>{abbreviation}"
        f"</ISOAbbreviation></Journal><ArticleTitle>{escape(title)}.</ArticleTitle>"
        f"<Abstract><AbstractText>{escape(title)} was studied in {rng.randint(20, 900)} "
        "adults.</AbstractText></Abstract>"
        f'<AuthorList CompleteYN="Y">{"".join(authors)}</AuthorList><Language>eng</Language>'
        "</Article>"
        f"<MeshHeadingList>{mesh}</MeshHeadingList></MedlineCitation><PubmedData>"
        f'<ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>'
        f'<ArticleId IdType="doi">10.5555/kg.{pmid}</ArticleId></ArticleIdList>'
        f"<ReferenceList>{references}</ReferenceList></PubmedData></PubmedArticle>"
    )


def pubmed_xml(articles: int, seed: int = 0, first: int = FIRST_PMID) -> list[str]:
    """``articles`` articles (PMIDs ``first``…), each citing earlier ones: a few are cited very
    often (weights 1/rank), most rarely."""
    rng = random.Random(seed)
    pmids = list(range(first, first + articles))
    weights = [1 / (rank + 1) for rank in range(articles)]
    out = []
    for i, pmid in enumerate(pmids):
        count = min(i, rng.randint(0, 30))
        cited = sorted(set(rng.choices(pmids[:i], weights[:i], k=count))) if count else []
        out.append(article(pmid, rng, cited))
    return out


def write(folder: Path, articles: int, per_file: int = 1000, seed: int = 0) -> list[Path]:
    """The corpus as PubMed XML files of ``per_file`` articles in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    items = pubmed_xml(articles, seed)
    paths = []
    for n, start in enumerate(range(0, articles, per_file)):
        path = folder / f"pubmed{n:04d}.xml"
        body = "\n".join(items[start : start + per_file])
        path.write_text(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n{body}\n'
            "</PubmedArticleSet>\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--per-file", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    write(options.folder, options.articles, options.per_file, options.seed)


if __name__ == "__main__":
    main()
