from __future__ import annotations

import pytest

from kg.ids import normalize_doi, normalize_orcid, normalize_pmcid, normalize_pmid
from kg.iris import doi_iri


@pytest.mark.parametrize(
    "raw",
    [
        "10.1186/s12939-015-0156-0",
        "https://doi.org/10.1186/S12939-015-0156-0",
        "http://dx.doi.org/10.1186/s12939-015-0156-0",
        "doi:10.1186/s12939-015-0156-0",
        "DOI: 10.1186/s12939-015-0156-0.",
        "10.1186/s12939-015-0156-0)",
        "https://doi.org/10.1186%2Fs12939-015-0156-0",
        "10.1186/s12939\u2013015-0156-0",
    ],
)
def test_doi_variants_are_one_doi(raw: str) -> None:
    assert normalize_doi(raw) == "10.1186/s12939-015-0156-0"


@pytest.mark.parametrize("raw", ["", "10.1/x", "not a doi", "11.1234/abc", "10.1234/"])
def test_bad_dois_rejected(raw: str) -> None:
    assert normalize_doi(raw) is None


def test_doi_keeps_its_own_brackets_and_encodes_iri_unsafe_characters() -> None:
    sici = "10.1002/(SICI)1097-4636(199601)30:1<1::AID-JBM1>3.0.CO;2-#"
    doi = normalize_doi(sici)
    assert doi == sici.lower()
    assert str(doi_iri(doi)) == (
        "https://doi.org/10.1002/(sici)1097-4636(199601)30:1%3C1::aid-jbm1%3E3.0.co;2-%23"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("25879639", "25879639"),
        (" 1 ", "1"),
        ("012345", None),
        ("12a34", None),
        ("123456789", None),
        ("", None),
    ],
)
def test_pmids_are_validated_never_repaired(raw: str, expected: str | None) -> None:
    assert normalize_pmid(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("PMC4404612", "PMC4404612"),
        ("pmc4404612", "PMC4404612"),
        ("4404612", "PMC4404612"),
        ("PMCX1", None),
    ],
)
def test_pmcids(raw: str, expected: str | None) -> None:
    assert normalize_pmcid(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0002-1694-233X", "0000-0002-1694-233X"),
        ("0000-0002-1825-0098", None),  # bad checksum
        ("1234", None),
    ],
)
def test_orcids_checksum(raw: str, expected: str | None) -> None:
    assert normalize_orcid(raw) == expected
