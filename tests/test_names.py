"""Names as every format prints them meet on family name + initials."""

from __future__ import annotations

import pytest

from kg.extract.names import initials, parse_name, person


@pytest.mark.parametrize(
    "printed",
    ["Jane Q Public", "Public JQ", "Public, Jane Q.", "Public, J. Q.", "Public, Jane Quincy"],
)
def test_one_person_however_printed(printed: str) -> None:
    found = parse_name(printed)
    assert found is not None
    assert (found.family, found.initials) == ("Public", "JQ")
    assert found.name == printed


def test_particles_hyphens_suffixes_and_orcids() -> None:
    assert parse_name("Ludwig van Beethoven").family == "van Beethoven"
    assert parse_name("de Brouwer, Arjan PM").initials == "APM"
    assert initials("Jean-Paul") == "JP"
    for printed in ("King, Martin L, Jr", "King, Jr, Martin L", "King, Martin L., Jr."):
        found = parse_name(printed)
        assert (found.family, found.given.rstrip("."), found.initials) == ("King", "Martin L", "ML")
    assert parse_name("Smith, Jr").initials is None
    assert person("Lopez", "Maria K", orcid="https://orcid.org/0000-0002-1825-0097").orcid == (
        "0000-0002-1825-0097"
    )
    assert person("Lopez", "Maria K", orcid="0000-0002-1825-0098").orcid is None  # bad checksum
    assert person(None, None) is None
