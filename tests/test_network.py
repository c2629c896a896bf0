from __future__ import annotations

from pathlib import Path

from rdflib import Graph

import kg
from kg.network import citation_network

CASE = Path(__file__).parent / "cases" / "pubmed_pages" / "input" / "full_page.txt"


def test_labels_use_the_first_authors_family_name(tmp_path: Path) -> None:
    kg.build([CASE], tmp_path)
    net = citation_network(Graph().parse(tmp_path / "graph.ttl"))
    assert net.nodes["doi:10.1016/s0140-6736(19)30012-4"]["label"] == "Lopez 2019"
    assert net.nodes["pmid:4512345"]["label"] == "Dupont 1987"  # printed "Dupont J"
    assert net.nodes["pmid:4512345"]["authors"] == ("Dupont J", "Martin C")
