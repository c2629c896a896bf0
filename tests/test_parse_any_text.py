"""Every extractor, on any text: ``sniff`` answers and ``parse`` ends in records or Problems,
each placed on a line of the text. (Each format's own tests add text shaped like that
format.)"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract import EXTRACTORS

from .helpers import RECORD_TYPES


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_parse_never_raises_on_any_text(name: str, text: str) -> None:
    module = EXTRACTORS[name]
    assert module.sniff(text) in (True, False)
    lines = max(len(text.splitlines()), text.count("\n") + text.count("\r")) + 1
    for record in module.parse(text):
        assert isinstance(record, RECORD_TYPES)
        assert 1 <= record.loc.line <= lines, record
