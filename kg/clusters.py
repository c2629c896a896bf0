"""Named clusters: each community of papers named by its most distinctive title words.

A community's document is the words of its papers' titles; a term's score is tf-idf of that
document against the other communities' (tf: the share of the community's papers whose title
holds the term; idf: ``log((1 + communities) / communities holding it)``, so a term every
community uses scores low and a one-community graph is named by its most frequent terms).
A two-word phrase found in at least two papers of a community is a term too, and wins a tie
with its own words. Ties go by the term, so the same graph always gets the same names.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

MIN_PAPERS = 3  # a community with fewer titled papers gets no name
SEPARATOR = " \u00b7 "

# Words that name no topic: common English words and the vocabulary of any paper's title.
_STOPWORD_TABLE = """
    a about above across after again against all almost also although am among amongst an and
    another any are around as at be because been before being below between both but by can
    could did do does doing down during each either et etc few for from further had has have
    having he her here hers him his how however i if in into is it its itself just less many
    may me might more most much must my near neither no nor not of off on once one only or
    other others our out over own per same several she should since so some such than that the
    their them then there these they this those three through thus to too two under until up
    upon us very via vs was we were what when where whether which while who whom whose why
    will with within without would yet you your

    al analyses analysis analyzing application applications applied approach approaches
    article assessing assessment associated association associations based between case cases
    challenge challenges characteristics clinical comparative comparison comparing concerning
    consideration considerations current design developing development differences
    different does effect effective effectiveness effects efficacy evaluating evaluation
    evidence examining experience experiences exploring factor factors finding findings first
    following general high higher identification identifying impact impacts implementation
    implications importance improving including increased influence insights introduction
    investigating investigation issues large low lower measures method methods methodology
    multiple new non novel observations outcome outcomes overview paper part patient patients
    perspective perspectives population potential practice preliminary present problem problems
    proposed prospective protocol rate rates recent related relation relationship relationships
    report reports research results result retrospective review reviews role second
    significant specific status studies study subjects survey systematic term toward towards
    trends update use used uses using value versus ii iii iv
"""
STOPWORDS = frozenset(_STOPWORD_TABLE.split())

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# A reference's citation text, which a paper with no title of its own shows instead:
# ";116(6):" or "14(3):45" (volume, issue, pages) is no title's
_CITATION = re.compile(r";\s*\d+\s*[(:]|\d\s*\([\w\s-]*\)\s*:\s*[a-z]?\d", re.IGNORECASE)


def _kept(word: str) -> bool:
    return len(word) > 1 and word not in STOPWORDS and not word.replace("-", "").isdigit()


def tokens(text: str) -> list[str]:
    """The words of a title that can name a cluster: lower-case runs of letters and digits
    (hyphenated words kept whole), without stopwords, numbers and one-letter words."""
    return [w for w in _WORD.findall(text.casefold()) if _kept(w)]


def _paper_terms(title: str) -> set[str]:
    """The terms of one title: its words and its two-word phrases (adjacent in the title,
    nothing left out between them)."""
    terms: set[str] = set()
    previous: str | None = None
    for w in _WORD.findall(title.casefold()):
        if _kept(w):
            terms.add(w)
            if previous is not None:
                terms.add(previous + " " + w)
            previous = w
        else:
            previous = None
    return terms


def _documents(graph: nx.Graph) -> dict[int, list[set[str]]]:
    """Each community, with the set of terms of each of its papers that has a title."""
    documents: dict[int, list[set[str]]] = {}
    for node, attrs in graph.nodes(data=True):
        community = attrs.get("community")
        if attrs.get("kind") != "paper" or type(community) is not int:  # bool is no number
            continue
        papers = documents.setdefault(community, [])
        title = attrs.get("title")
        # a paper known by its id or by a reference's citation text only has no title to read
        if isinstance(title, str) and title != str(node) and not _CITATION.search(title):
            papers.append(_paper_terms(title))
    return documents


def _pick(scores: Mapping[str, float], top: int) -> list[str]:
    """The best terms, a phrase before its own words (which it then stands for)."""
    order = sorted(scores, key=lambda t: (-round(scores[t], 12), -t.count(" "), t))
    picked: list[str] = []
    used: set[str] = set()
    for term in order:
        words = set(term.split(" "))
        if words & used:
            continue
        picked.append(term)
        used |= words
        if len(picked) == top:
            break
    return picked


def names(graph: nx.Graph, top: int = 3) -> dict[int, str]:
    """Community number -> its name (``"dopamine · receptor · striatum"``), for each community
    with at least ``MIN_PAPERS`` titled papers; read from the papers' ``community`` and
    ``title`` attributes (a title that is the paper's id or a citation is none)."""
    documents = _documents(graph)
    holding = Counter(term for papers in documents.values() for term in set().union(*papers))
    # every community is a document, a community of untitled papers one with no terms
    total = len(documents)
    out: dict[int, str] = {}
    for community, papers in sorted(documents.items()):
        if len(papers) < MIN_PAPERS:
            continue
        counts = Counter(term for terms in papers for term in terms)
        scores = {
            term: n / len(papers) * math.log((1 + total) / holding[term])
            for term, n in counts.items()
            if " " not in term or n >= 2  # a phrase only when it recurs
        }
        picked = _pick(scores, top)
        if picked:
            out[community] = SEPARATOR.join(picked)
    return out


def name_communities(communities: Iterable[MutableMapping[str, Any]], graph: nx.Graph) -> None:
    """Adds ``name`` to each community of the map's legend that has one."""
    named = names(graph)
    for community in communities:
        if community["id"] in named:
            community["name"] = named[community["id"]]
