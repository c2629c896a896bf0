"""Sharing: a file's equal texts and values are one object each, and nothing else changes."""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.reading import extract_file
from kg.records import (
    CitationCounts,
    CitationStatement,
    Grant,
    Journal,
    Loc,
    MeshHeading,
    Paper,
    PaperRef,
    Person,
    Problem,
    Relation,
    Sharing,
    at,
)

# a few values each, so that records repeat them
TEXT = st.sampled_from(["Humans", "Cell", "A title", "é", ""]) | st.text(max_size=3)
MAYBE = st.none() | TEXT
TEXTS = st.lists(TEXT, max_size=3).map(tuple)
PERSON = st.builds(Person, TEXT, MAYBE, MAYBE, MAYBE, MAYBE, TEXTS, st.booleans(), st.booleans())
REF = st.builds(PaperRef, MAYBE, MAYBE, MAYBE, MAYBE, st.none() | st.integers(1900, 2030))
LOC = st.builds(Loc, st.just(""), st.integers(0, 5))
PAPER = st.builds(
    Paper,
    loc=LOC,
    primary=st.booleans(),
    title=MAYBE,
    doi=MAYBE,
    year=st.none() | st.integers(1900, 2030),
    journal=st.none() | st.builds(Journal, MAYBE, MAYBE, TEXTS),
    authors=st.lists(PERSON, max_size=3).map(tuple),
    mesh=st.lists(
        st.builds(
            MeshHeading,
            TEXT,
            st.booleans(),
            st.lists(st.tuples(TEXT, st.booleans()), max_size=2).map(tuple),
        ),
        max_size=3,
    ).map(tuple),
    grants=st.lists(st.builds(Grant, MAYBE, MAYBE), max_size=2).map(tuple),
    extra=st.lists(st.tuples(TEXT, TEXT), max_size=2).map(tuple),
    keywords=TEXTS,
)
RECORD = st.one_of(
    PAPER,
    st.builds(Relation, st.sampled_from(["cites", "similar"]), REF, REF, LOC),
    st.builds(
        CitationStatement,
        REF,
        TEXT,
        st.sampled_from(["supporting", "mentioning"]),
        LOC,
        MAYBE,
        st.none() | st.just(Decimal("0.9")),
        st.none() | REF,
    ),
    st.builds(CitationCounts, REF, TEXT, LOC, MAYBE, st.none() | st.integers(0, 9)),
)


RECORDS = (Paper, Relation, CitationStatement, CitationCounts)


def _objects(value: Any, found: list[Any]) -> list[Any]:
    """Every text, tuple and value object (a record's parts, not records) in ``value``, each
    occurrence."""
    if isinstance(value, (str, tuple)) or (
        dataclasses.is_dataclass(value) and not isinstance(value, RECORDS)
    ):
        found.append(value)
    if isinstance(value, tuple):
        for item in value:
            _objects(item, found)
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            _objects(getattr(value, f.name), found)
    return found


def _unshared(records: list[Any]) -> list[Any]:
    """Values that are equal to an earlier one but another object."""
    first: dict[tuple[type, Any], Any] = {}
    twins = []
    for item in _objects(tuple(records), []):
        if isinstance(item, tuple) and not item:
            continue  # the empty tuple is one object already
        kept = first.setdefault((type(item), item), item)
        if kept is not item:
            twins.append(item)
    return twins


@settings(max_examples=200, deadline=None)
@given(st.lists(RECORD, max_size=8))
def test_shared_records_equal_the_records_they_were(records: list[Any]) -> None:
    sharing = Sharing()
    shared = [sharing.record(record, "a/file.xml") for record in records]
    assert shared == [at(record, "a/file.xml") for record in records]
    assert [type(r) for r in shared] == [type(r) for r in records]
    assert [r.loc.path for r in shared] == ["a/file.xml"] * len(records)
    assert _unshared(shared) == []
    assert pickle.loads(pickle.dumps(shared)) == shared


def test_a_file_holds_each_repeated_text_and_value_once(tmp_path: Path) -> None:
    article = """<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article>
<ArticleTitle>Paper {pmid}</ArticleTitle><AuthorList><Author><LastName>Smith</LastName>
<ForeName>Anna</ForeName><Initials>A</Initials><AffiliationInfo><Affiliation>Dept of Cells,
Big University</Affiliation></AffiliationInfo></Author></AuthorList></Article>
<MeshHeadingList><MeshHeading><DescriptorName UI="D006801">Humans</DescriptorName>
</MeshHeading></MeshHeadingList></MedlineCitation><PubmedData><ReferenceList><Reference>
<Citation>Doe J. A much cited paper on cells. Cell. 2001;1:1-2.</Citation><ArticleIdList>
<ArticleId IdType="pubmed">11111111</ArticleId></ArticleIdList></Reference></ReferenceList>
</PubmedData></PubmedArticle>"""
    path = tmp_path / "pubmed.xml"
    body = "".join(article.format(pmid=30000000 + n) for n in range(3))
    path.write_text(f"<PubmedArticleSet>{body}</PubmedArticleSet>", encoding="utf-8")

    extraction, problems = extract_file(path)

    assert problems == [] and extraction is not None
    records = list(extraction.records)
    papers = [r for r in records if isinstance(r, Paper) and r.primary]
    cites = [r for r in records if isinstance(r, Relation)]
    assert len(papers) == 3 and len(cites) == 3
    assert _unshared(records) == []
    assert papers[0].authors[0] is papers[2].authors[0]  # one Person for the three
    assert papers[0].mesh[0] is papers[1].mesh[0]
    assert cites[0].object is cites[1].object is cites[2].object
    assert papers[0].loc.path is papers[1].loc.path


def test_a_papers_ref_is_made_with_it_and_follows_its_fields() -> None:
    paper = Paper(title="T", year=2001, authors=(Person("Doe J", family="Doe"),), doi="10.1/x")
    assert paper.ref == PaperRef("10.1/x", None, None, "T", 2001, "Doe")
    moved = dataclasses.replace(paper, doi=None, citation_text="Doe J. T. 2001.", title=None)
    assert moved.ref == PaperRef(None, None, None, "Doe J. T. 2001.", 2001, "Doe")
    assert pickle.loads(pickle.dumps(moved)).ref == moved.ref
    assert paper == dataclasses.replace(paper) and "ref" not in repr(paper)


def test_a_record_pickles_as_its_values_in_field_order(monkeypatch: pytest.MonkeyPatch) -> None:
    paper = Paper(Loc("a.xml", 3), title="T", authors=(Person("Doe J", family="Doe"),), year=2001)
    values = tuple(getattr(paper, f.name) for f in dataclasses.fields(paper))
    assert paper.__getstate__() == values  # type: ignore[attr-defined]
    assert values[-1] == paper.ref  # the field made in __post_init__ too
    problem = Problem("cannot read", Loc("b.txt", 9))
    assert pickle.loads(pickle.dumps(problem)) == problem
    again = pickle.loads(pickle.dumps(paper))
    assert again == paper and again.ref == paper.ref and again.authors[0] == paper.authors[0]
    # a cache entry written by an older kg, with Python's own state (a list), loads the same
    monkeypatch.setattr(
        Paper,
        "__getstate__",
        lambda self: [getattr(self, f.name) for f in dataclasses.fields(self)],
    )
    old = pickle.dumps(paper)
    monkeypatch.undo()
    assert pickle.loads(old) == paper and pickle.loads(old).ref == paper.ref
