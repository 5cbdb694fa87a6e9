"""Citations from a description: BibTeX that stays balanced whatever the title holds, RIS and
CSL-JSON dates of any precision, authors from the parties or the creators."""

from __future__ import annotations

import json
from datetime import date

import pytest

from dialogue_kg.read.citation import FORMATS, as_bibtex, as_csl, as_ris, as_text, citation, render
from dialogue_kg.read.describe import DKG, Description, Node, Statement

IRI = "https://w3id.org/dialogue-kg/id/agreement/x"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _description(label: str, kind: str, **values: list[Node]) -> Description:
    outgoing = [
        Statement(Node(DKG + p, True), node, None) for p, nodes in values.items() for node in nodes
    ]
    return Description(
        iri=IRI,
        label=label,
        description="A summary.",
        types=[Node(DKG + kind, True)],
        outgoing=outgoing,
        incoming=[],
        incoming_total=0,
        provenance={},
        sources=[],
    )


def _cite(d: Description):  # noqa: ANN202
    return citation(d, 42, "http://127.0.0.1:5000/id/agreement/x", date(2026, 12, 7))


def test_agreement_cites_its_parties_and_its_day() -> None:
    d = _description(
        "Agreement on X",
        "Agreement",
        party=[Node("urn:a", True, label="Government of A"), Node("urn:b", True, label="B")],
        date=[Node("2013-04-19", False, datatype=XSD + "date")],
    )
    c = _cite(d)
    assert as_text(c).startswith("Government of A and B. Agreement on X. 2013-04-19. In ")
    assert "revision 42" in as_text(c) and IRI in as_text(c)
    csl = as_csl(c)[0]
    assert csl["type"] == "treaty" and csl["issued"] == {"date-parts": [[2013, 4, 19]]}
    assert csl["author"] == [{"literal": "Government of A"}, {"literal": "B"}]
    assert "DA  - 2013/04/19/\r\n" in as_ris(c) and "AU  - Government of A\r\n" in as_ris(c)
    assert "author = {{Government of A} and {B}}" in as_bibtex(c)


def test_month_and_year_precision() -> None:
    month = _cite(_description("M", "Agreement", yearMonth=[Node("2015-02", False)]))
    assert as_csl(month)[0]["issued"] == {"date-parts": [[2015, 2]]}
    assert "DA  - 2015/02//" in as_ris(month) and "PY  - 2015" in as_ris(month)
    year = _cite(_description("Y", "Meeting", year=[Node("2011", False)]))
    assert as_csl(year)[0]["issued"] == {"date-parts": [[2011]]}
    assert as_csl(year)[0]["type"] == "entry"  # not an agreement or a document


@pytest.mark.parametrize("title", ["50% & {more} $ # _ ~ ^ \\ done", "}{", "line\nbreak"])
def test_bibtex_stays_balanced_and_on_one_line_per_field(title: str) -> None:
    entry = as_bibtex(_cite(_description(title, "Source")))
    depth = 0
    for i, ch in enumerate(entry):
        if ch in "{}" and (i == 0 or entry[i - 1] != "\\"):
            depth += 1 if ch == "{" else -1
            assert depth >= 0
    assert depth == 0
    assert all(line.endswith((",", "{", "}")) or not line for line in entry.splitlines()[1:-1])


def test_every_format_renders() -> None:
    c = _cite(_description("T", "OpEd", author=[Node("urn:p", True, label="P. Writer")]))
    for fmt in FORMATS:
        assert "T" in render(c, fmt)
    assert json.loads(render(c, "csl-json"))[0]["type"] == "article-newspaper"
    with pytest.raises(ValueError):
        render(c, "docx")
