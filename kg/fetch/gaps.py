"""The gaps of a build: its papers that lack a title or a year, or are known only by an
OpenAlex id (so the same work met by DOI stays apart), and have an identifier a service can
look up."""

from __future__ import annotations

from pathlib import Path

from ..store import open_graph

_GAPS = """
PREFIX kgo: <https://w3id.org/kg/ontology#>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?p ?doi ?pmid ?pmcid ?openalex WHERE {
  ?p a kgo:Paper .
  OPTIONAL { ?p prism:doi ?doi }
  OPTIONAL { ?p fabio:hasPubMedId ?pmid }
  OPTIONAL { ?p fabio:hasPubMedCentralId ?pmcid }
  OPTIONAL { ?p kgo:openAlexId ?openalex }
  FILTER (BOUND(?doi) || BOUND(?pmid) || BOUND(?pmcid) || BOUND(?openalex))
  FILTER (NOT EXISTS { ?p dcterms:title ?t } || NOT EXISTS { ?p fabio:hasPublicationYear ?y }
          || (BOUND(?openalex) && !BOUND(?doi) && !BOUND(?pmid) && !BOUND(?pmcid)))
} ORDER BY ?p
"""


def gaps(folder: Path) -> list[list[str]]:
    """The identifier keys (``doi:…``, ``pmid:…``) of each paper of the build in ``folder``
    that has no title or no year, or only an OpenAlex id, in the order of their IRIs."""
    store = open_graph(folder)
    found: list[list[str]] = []
    for row in store.query(_GAPS):  # the default graph: the merged one
        ids = [
            f"{name}:{row[name].value}"
            for name in ("doi", "pmid", "pmcid", "openalex")
            if row[name] is not None
        ]
        if ids and ids not in found:
            found.append(ids)
    return found


_CITATIONS = """
PREFIX kgo: <https://w3id.org/kg/ontology#>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?p ?text ?year WHERE {
  ?p a kgo:Paper ; dcterms:bibliographicCitation ?text .
  OPTIONAL { ?p fabio:hasPublicationYear ?year }
  FILTER NOT EXISTS { ?p dcterms:title ?t }
  FILTER NOT EXISTS { ?p prism:doi ?d }
  FILTER NOT EXISTS { ?p fabio:hasPubMedId ?m }
  FILTER NOT EXISTS { ?p fabio:hasPubMedCentralId ?c }
  FILTER NOT EXISTS { ?p kgo:openAlexId ?o }
} ORDER BY ?p ?text
"""


def citations(folder: Path) -> list[tuple[str, int | None]]:
    """(text, year) of each paper of the build in ``folder`` known only as a reference printed
    as text, with no identifier and no title, in the order of their IRIs."""
    store = open_graph(folder)
    found: dict[str, tuple[str, int | None]] = {}
    for row in store.query(_CITATIONS):
        year = row["year"].value if row["year"] is not None else None
        found.setdefault(row["p"].value, (row["text"].value, int(year) if year else None))
    return list(found.values())
