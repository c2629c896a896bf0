"""kg: a knowledge graph of the scholarly literature, from the pages and exports researchers
collect, in standard vocabularies (SPAR, DCTERMS, FOAF, PRISM, PROV)."""

from .errors import KgError
from .pipeline import BuildReport, build
from .store import load

__all__ = ["BuildReport", "KgError", "build", "load"]
__version__ = "0.1.0"
