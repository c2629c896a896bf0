"""The RDF vocabulary kg writes, as closed namespaces: a typo in a term raises.

Every term here is checked in the tests against the published ontology files (SPAR) and
against ``ontology/kg.ttl`` (the project's own ``kgo:`` terms).
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD, ClosedNamespace

CITO = ClosedNamespace(
    "http://purl.org/spar/cito/",
    [
        "Citation",
        "cites",
        "isCitedBy",
        "discusses",
        "isDiscussedBy",
        "corrects",
        "isCorrectedBy",
        "retracts",
        "isRetractedBy",
        "updates",
        "isUpdatedBy",
        "hasCitedEntity",
        "hasCitingEntity",
        "hasCitationCharacterization",
        "citesForInformation",
        "supports",
        "disputes",
        "obtainsBackgroundFrom",
        "usesMethodIn",
    ],
)

FABIO = ClosedNamespace(
    "http://purl.org/spar/fabio/",
    [
        "Expression",
        "JournalArticle",
        "ReviewArticle",
        "SystematicReview",
        "ClinicalTrialReport",
        "CaseReport",
        "BookChapter",
        "Book",
        "Letter",
        "Editorial",
        "Comment",
        "Erratum",
        "RetractionNotice",
        "Preprint",
        "ConferencePaper",
        "Thesis",
        "ReportDocument",
        "Dataset",
        "AcademicProceedings",
        "Journal",
        "hasPubMedId",
        "hasPubMedCentralId",
        "hasPublicationYear",
        "hasNLMJournalTitleAbbreviation",
    ],
)

C4O = ClosedNamespace(
    "http://purl.org/spar/c4o/",
    [
        "hasContent",
        "hasGlobalCitationFrequency",
        "GlobalCitationCount",
        "hasGlobalCountValue",
        "hasGlobalCountSource",
        "hasGlobalCountDate",
        "BibliographicInformationSource",
    ],
)

DEO = ClosedNamespace(
    "http://purl.org/spar/deo/",
    [
        "Introduction",
        "Background",
        "Methods",
        "Materials",
        "Results",
        "Discussion",
        "Conclusion",
        "RelatedWork",
        "Evaluation",
        "FutureWork",
        "Motivation",
        "ProblemStatement",
        "Acknowledgements",
    ],
)

PRISM = ClosedNamespace(
    "http://prismstandard.org/namespaces/basic/2.0/",
    [
        "doi",
        "issn",
        "volume",
        "issueIdentifier",
        "pageRange",
        "startingPage",
        "endingPage",
        "publicationDate",
    ],
)

KGO_IRI = "https://w3id.org/kg/ontology#"

# The project's own terms; ontology/kg.ttl declares each one (a test checks both ways).
KGO_TERMS = [
    # classes
    "Paper",
    "Authorship",
    "MeshHeading",
    "Grant",
    "Similarity",
    # papers
    "freeFullText",
    "publicationType",
    "electronicPublicationDate",
    "conflictOfInterest",
    "sourceField",
    "openAlexId",
    "editor",
    # authors
    "hasAuthorship",
    "author",
    "position",
    "affiliation",
    "equalContribution",
    "contactEmail",
    # subjects
    "meshHeading",
    "descriptor",
    "qualifier",
    "majorQualifier",
    "majorTopic",
    # funding
    "fundedBy",
    "fundingAgency",
    "agencyAcronym",
    "country",
    # relations
    "similarTo",
    "fromPaper",
    "toPaper",
    "rank",
    "score",
    # citation statements and counts
    "section",
    "sectionType",
    "confidence",
    "intent",
    "influential",
    "citationStatementCount",
    "referenceCount",
    "supportingCount",
    "mentioningCount",
    "contrastingCount",
    # provenance
    "path",
    "sha256",
    "sourceFormat",
]
KGO = ClosedNamespace(KGO_IRI, KGO_TERMS)

# scite statement types -> CiTO characterizations.
CHARACTERIZATIONS: dict[str, URIRef] = {
    "mentioning": CITO.citesForInformation,
    "supporting": CITO.supports,
    "contrasting": CITO.disputes,
}

# relation kind -> (forward property, inverse property); both directions are always written.
RELATION_PROPERTIES: dict[str, tuple[URIRef, URIRef | None]] = {
    "cites": (CITO.cites, CITO.isCitedBy),
    "discusses": (CITO.discusses, CITO.isDiscussedBy),
    "corrects": (CITO.corrects, CITO.isCorrectedBy),
    "retracts": (CITO.retracts, CITO.isRetractedBy),
    "updates": (CITO.updates, CITO.isUpdatedBy),
    "similar": (KGO.similarTo, None),
}

PREFIXES = {
    "cito": CITO,
    "fabio": FABIO,
    "c4o": C4O,
    "deo": DEO,
    "prism": PRISM,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "prov": PROV,
    "kgo": KGO,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
}
# The same, as plain strings: what Oxigraph's serializers take.
PREFIX_IRIS: dict[str, str] = {k: str(v) for k, v in PREFIXES.items()}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind every prefix of the contract on ``graph`` (so Turtle output is readable)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, str(namespace), override=True, replace=True)
    return graph
