"""Properties on arbitrary input (hypothesis): IRI minting is stable, injective and valid;
every literal survives Turtle, N-Triples, N-Quads and TriG round trips through rdflib and
Oxigraph, and kg's own path from a record to its outputs; any bytes through ``kg build`` end in
a report or a KgError."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import _is_valid_uri

import kg
from kg.errors import KgError
from kg.export import EXPORT_FORMATS
from kg.export import serialize as export_serialize
from kg.ids import normalize_doi
from kg.iris import Minter, doi_iri, fold, person_key, slug, work_key
from kg.rdf import to_graph
from kg.records import Extraction, Paper, Source
from kg.resolve import resolve_sources
from kg.text import clean_text
from kg.validate import validate

from .conftest import ROOT

MINTER = Minter()
# Text that folds in interesting ways: ASCII letters and digits, spaces and punctuation (which
# fold away), accents (which fold to their letter) and letters that stay non-ASCII. A small
# alphabet makes near-collisions (same ASCII part, different rest) likely.
TRICKY = st.text(
    st.sampled_from(
        [*"aAbB1 -_.,'", "é", "É", "ß", "ø", "ł", "日", "本", "中", "Ω", "ﬁ", "\u0301"]
    ),
    max_size=12,
)
TITLES = st.one_of(TRICKY, st.text(max_size=120))
YEARS = st.none() | st.integers(min_value=0, max_value=9999)
INITIALS = st.none() | st.text(st.sampled_from(list("ABJ. -ŁØ")), min_size=1, max_size=5)
DOI_SUFFIX = st.text(
    st.characters(blacklist_categories=("Cs",)) | st.sampled_from(list("%<>;#()[]/ ")),
    min_size=1,
    max_size=30,
)


def valid_iri(iri: str) -> bool:
    """rdflib would write it and Oxigraph accepts it (NamedNode raises on an invalid IRI)."""
    ox.NamedNode(iri)  # ValueError when Oxigraph refuses it
    return _is_valid_uri(iri)


# ---------------------------------------------------------------------------- IRI minting


@settings(deadline=None)  # the machine may be busy: no flaky timings
@given(TITLES)
@example("x 日本")
@example("a" * 200)
def test_slug_is_a_short_ascii_key_and_a_valid_iri_segment(text: str) -> None:
    key = slug(text)
    assert key == slug(text)
    assert key and len(key) <= 80 and key.isascii()
    assert set(key) <= set("abcdefghijklmnopqrstuvwxyz0123456789-"), key
    assert "--" not in key and not key.startswith("-") and not key.endswith("-")
    assert valid_iri(str(MINTER("journal", key)))


def test_slug_keeps_readable_keys_readable() -> None:
    assert slug("PLoS One") == "plos-one"
    assert slug("Biologische Bundesanstalt für Land- und Forstwirtschaft") == (
        "biologische-bundesanstalt-fur-land-und-forstwirtschaft"
    )
    assert slug("x 日本") != slug("x 中国")
    assert slug("x 日本").startswith("x-")


# Two texts that share a start and differ in a few characters: the near misses that random
# pairs of texts almost never are.
ENDINGS = st.text(st.sampled_from([*"aA1 -.", "é", "ø", "ł", "日", "本", "中", "Ω"]), max_size=3)
NEAR_PAIRS = st.builds(lambda base, x, y: (base + x, base + y), TITLES, ENDINGS, ENDINGS)


@settings(deadline=None)  # the machine may be busy: no flaky timings
@given(NEAR_PAIRS | st.tuples(TITLES, TITLES))
@example(("x 日本", "x 中国"))
@example(("søren", "sren"))
@example(("a b", "a-b"))  # one fold: one slug
def test_slug_is_injective_on_folded_text(pair: tuple[str, str]) -> None:
    a, b = pair
    assert (slug(a) == slug(b)) == (fold(a) == fold(b))


@settings(deadline=None)  # the machine may be busy: no flaky timings
@given(TITLES, YEARS, st.none() | TITLES, TITLES, YEARS, st.none() | TITLES)
def test_work_iris_are_one_per_folded_title_year_and_author(
    t1: str, y1: int | None, a1: str | None, t2: str, y2: int | None, a2: str | None
) -> None:
    same = (fold(t1), y1, fold(a1 or "")) == (fold(t2), y2, fold(a2 or ""))
    assert (work_key(t1, y1, a1) == work_key(t2, y2, a2)) == same
    iri = MINTER.work(t1, y1, a1)
    assert iri == MINTER.work(t1, y1, a1) == MINTER("work", work_key(t1, y1, a1))
    assert valid_iri(str(iri))


@settings(deadline=None)  # the machine may be busy: no flaky timings
@given(TRICKY, INITIALS, TRICKY, INITIALS)
@example("Garcia Lopez", None, "Garcia", "L")
@example("van der Berg", "AB", "van der", "BERG AB")
@example("Nowak", "Ł", "Nowak", None)
@example("Hansen", "ØK", "Hansen", "K")
def test_person_keys_differ_when_the_folded_names_differ(
    f1: str, i1: str | None, f2: str, i2: str | None
) -> None:
    def folded(family: str, initials: str | None) -> tuple[str, str]:
        return fold(family), fold(initials or "")

    if folded(f1, i1) != folded(f2, i2):
        assert person_key(f1, i1) != person_key(f2, i2)
    elif bool(i1) == bool(i2):  # (initials "." fold to nothing but are not None)
        assert person_key(f1, i1) == person_key(f2, i2)
    assert person_key(f1, i1) == person_key(f1, i1)
    assert valid_iri(str(MINTER("person", person_key(f1, i1))))


def test_person_keys_of_common_names_are_unchanged() -> None:
    assert person_key("Lopez", "MK") == "lopez-mk"
    assert person_key("van der Berg", "AB") == "van-der-berg-ab"
    assert person_key("Public", None) == "public"


@settings(deadline=None)  # the machine may be busy: no flaky timings
@given(st.from_regex(r"10\.[0-9]{4,9}", fullmatch=True), DOI_SUFFIX, DOI_SUFFIX)
@example("10.1002", "(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0", "x")
@example("10.1000", "a%2Fb", "a/b")
def test_doi_iris_are_valid_distinct_and_unquote_to_the_doi(prefix: str, s1: str, s2: str) -> None:
    d1, d2 = normalize_doi(f"{prefix}/{s1}"), normalize_doi(f"{prefix}/{s2}")
    for doi in (d1, d2):
        if doi is None:
            continue
        iri = str(doi_iri(doi))
        assert iri == str(doi_iri(doi))
        assert valid_iri(iri), iri
        assert unquote(iri.removeprefix("https://doi.org/")) == doi
    if d1 is not None and d2 is not None:
        assert (doi_iri(d1) == doi_iri(d2)) == (d1 == d2)


HASHED_INPUTS = ["x 日本", "Søren Kierkegaard", "A Study of Things.", "", "ﬁ Ω"]
MINTING = """
import json, sys
from kg.iris import Minter, doi_iri, person_key, slug, work_key
texts = json.loads(sys.argv[1])
print(json.dumps([
    [slug(t), work_key(t, 2001, t), person_key(t, "J"), str(Minter().work(t, None, t)),
     str(doi_iri("10.1000/" + t))]
    for t in texts
]))
"""


def test_minting_does_not_depend_on_the_hash_seed() -> None:
    here = [
        [
            slug(t),
            work_key(t, 2001, t),
            person_key(t, "J"),
            str(MINTER.work(t, None, t)),
            str(doi_iri("10.1000/" + t)),
        ]
        for t in HASHED_INPUTS
    ]
    for seed in ("0", "12345"):
        done = subprocess.run(
            [sys.executable, "-c", MINTING, json.dumps(HASHED_INPUTS)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed},
            timeout=120,
            check=True,
        )
        assert json.loads(done.stdout) == here


# ---------------------------------------------------------------------------- literals

S, P, G = (URIRef(f"https://example.org/{n}") for n in "spg")
DATATYPE = URIRef("https://example.org/datatype")
LITERAL_KINDS = ("plain", "language", "typed")


def rdflib_literal(text: str, kind: str) -> Literal:
    if kind == "language":
        return Literal(text, lang="en")
    return Literal(text, datatype=DATATYPE if kind == "typed" else None)


def ox_literal(text: str, kind: str) -> ox.Literal:
    if kind == "language":
        return ox.Literal(text, language="en")
    if kind == "typed":
        return ox.Literal(text, datatype=ox.NamedNode(str(DATATYPE)))
    return ox.Literal(text)


def as_tuple(term: Literal | ox.Literal) -> tuple[str, str | None, str]:
    """(lexical form, language, datatype) whichever library made the term."""
    if isinstance(term, ox.Literal):
        return term.value, term.language, term.datatype.value
    datatype = term.datatype or (
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
        if term.language
        else "http://www.w3.org/2001/XMLSchema#string"
    )
    return str(term), term.language, str(datatype)


def rdflib_objects(data: bytes, fmt: str) -> list[tuple[str, str | None, str]]:
    dataset = Dataset()
    dataset.parse(data=data, format=fmt)
    return [as_tuple(o) for _, _, o, _ in dataset.quads((S, P, None, None))]


def ox_objects(data: bytes, fmt: ox.RdfFormat) -> list[tuple[str, str | None, str]]:
    return [as_tuple(q.object) for q in ox.parse(data, format=fmt)]


# rdflib format name -> Oxigraph format, and whether it holds named graphs
RDF_FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, False),
    "nt": (ox.RdfFormat.N_TRIPLES, False),
    "nquads": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(), st.sampled_from(LITERAL_KINDS))
@example('"""', "plain")
@example('ends with a quote"', "plain")
@example("back\\slash \\n \\u0041", "plain")
@example("\r\n\x0b\x0c\x00\x7f\x85\u2028\ufffe\uffff", "plain")
@example("😀 emoji and \U0010ffff", "language")
@example("'''single'''", "typed")
def test_every_literal_survives_rdflib_and_oxigraph_round_trips(text: str, kind: str) -> None:
    expected = [as_tuple(rdflib_literal(text, kind))]
    assert [as_tuple(ox_literal(text, kind))] == expected
    for fmt, (ox_format, with_graphs) in RDF_FORMATS.items():
        if with_graphs:
            made = Dataset()
            made.add((S, P, rdflib_literal(text, kind), G))
        else:
            made = Graph()
            made.add((S, P, rdflib_literal(text, kind)))
        data = made.serialize(format=fmt, encoding="utf-8")
        assert rdflib_objects(data, fmt) == expected, ("rdflib -> rdflib", fmt, data)
        assert ox_objects(data, ox_format) == expected, ("rdflib -> oxigraph", fmt, data)
        quad = ox.Quad(
            ox.NamedNode(str(S)),
            ox.NamedNode(str(P)),
            ox_literal(text, kind),
            ox.NamedNode(str(G)) if with_graphs else ox.DefaultGraph(),
        )
        data = ox.serialize([quad] if with_graphs else [quad.triple], format=ox_format)
        assert rdflib_objects(data, fmt) == expected, ("oxigraph -> rdflib", fmt, data)
        assert ox_objects(data, ox_format) == expected, ("oxigraph -> oxigraph", fmt, data)


READ_AS = {
    "ttl": ("turtle", ox.RdfFormat.TURTLE),
    "turtle": ("turtle", ox.RdfFormat.TURTLE),
    "nt": ("nt", ox.RdfFormat.N_TRIPLES),
    "ntriples": ("nt", ox.RdfFormat.N_TRIPLES),
    "trig": ("trig", ox.RdfFormat.TRIG),
    "nquads": ("nquads", ox.RdfFormat.N_QUADS),
    "jsonld": ("json-ld", ox.RdfFormat.JSON_LD),
}
TITLE = "http://purl.org/dc/terms/title"


def kg_outputs(title: str) -> dict[str, bytes]:
    """A paper titled ``title`` through kg's mapping, the N-Triples a build loads into its
    store, and every export of that store (what graph.ttl and graph.trig are made with)."""
    source = Source("in/x.txt", "0" * 64, "medline")
    paper = Paper(primary=True, pmid="1", title=title)
    merged, _ = resolve_sources([Extraction(source, (paper,))], MINTER)
    graph = to_graph(merged, MINTER)
    outputs = {
        "rdflib.ttl": graph.serialize(format="turtle", encoding="utf-8"),
        "store.nt": graph.serialize(format="nt", encoding="utf-8"),
    }
    store = ox.Store()
    store.bulk_load(outputs["store.nt"], format=ox.RdfFormat.N_TRIPLES)
    for fmt in EXPORT_FORMATS:
        outputs[f"export.{fmt}"] = export_serialize(store, fmt)
    return outputs


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1))
@example('Title with """ quotes, a \\ backslash and \\" both')
@example("\r\n\x0b\x0c\x00\x7f\x85\u2028\ufffe\uffff")
@example("😀")
def test_a_title_survives_kg_from_record_to_every_output(title: str) -> None:
    kept = clean_text(title)
    controls = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))} - set("\t\n\r")
    assert not controls & set(kept)
    assert clean_text(kept) == kept
    outputs = kg_outputs(title)
    if not kept:  # nothing left to hold: no title triple at all
        expected: list[str] = []
    else:
        expected = [kept]
    for name, data in outputs.items():
        rdflib_format, ox_format = READ_AS[name.rsplit(".", 1)[1]]
        dataset = Dataset()
        dataset.parse(data=data, format=rdflib_format)
        by_rdflib = sorted(
            {str(o) for _, p, o, _ in dataset.quads((None, None, None, None)) if str(p) == TITLE}
        )
        by_oxigraph = sorted(
            {q.object.value for q in ox.parse(data, format=ox_format) if q.predicate.value == TITLE}
        )
        assert by_rdflib == expected, (name, "rdflib")
        assert by_oxigraph == expected, (name, "oxigraph")


def test_clean_text_keeps_what_text_may_hold() -> None:
    kept = "tab\tline\nreturn\r quotes \"'\\ emoji 😀 accents é noncharacter \ufffe"
    assert clean_text(kept) == kept


# ---------------------------------------------------------------------------- kg build

# Bytes alone are nearly always "not a format kg reads"; inside the start and end of a record
# of each format they reach the extractor, the mapping, the store and the writers.
WRAPPERS = (
    (b"", b""),
    (b"PMID- 12345678\nOWN - NLM\nTI  - ", b"\nAU  - Smith J\n"),
    (b"TY  - JOUR\nTI  - ", b"\nAU  - Smith, J\nER  - \n"),
    (b"@article{key,\n  title = {", b"},\n  year = {2001}\n}\n"),
    (
        b'<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation>'
        b"<PMID>1</PMID><Article><ArticleTitle>",
        b"</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>\n",
    ),
    (b'{"message-type": "work", "message": {"DOI": "10.1000/x", "title": ["', b'"]}}'),
    (b'{"id": "https://openalex.org/W1", "title": "', b'"}'),
)
ANY_BYTES = st.one_of(
    st.binary(max_size=4096),
    st.builds(lambda w, b: w[0] + b + w[1], st.sampled_from(WRAPPERS), st.binary(max_size=512)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_BYTES, st.sampled_from(["in.txt", "in.xml", "in.json", "in.bib", "in.gz", "in"]))
@example(b"", "in.txt")
@example(b"\x1f\x8b\x08\x00garbage", "in.gz")
@example(b"\xff\xfeP\x00M\x00I\x00D\x00-\x00 \x001\x00", "in.txt")
@example(b"PMID- 1\nTI  - \xff\xfe broken \x01\x0b\x7f\n", "in.txt")
@example(b"TY  - \x01\nTI  - \x01\nA0  -", "in.txt")  # a title of a control character: none
@example(b"@article{x, title={\x01}}", "in.bib")
def test_any_bytes_through_kg_build_give_a_report_or_a_kg_error(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / name).write_bytes(data)
        try:
            report = kg.build([work / name], work / "out")
        except KgError:
            assert not (work / "out" / "graph.ttl").exists()
            return
        assert len(report.files) == 1
        written = (work / "out" / "graph.ttl").read_bytes()
        assert len(Graph().parse(data=written, format="turtle")) == report.counts["triples"]
        assert len(list(ox.parse(written, format=ox.RdfFormat.TURTLE))) == report.counts["triples"]
        found = validate(work / "out")
        assert found.conforms, [v.describe() for v in found.violations]
