"""The agreement page for people: what was agreed, whether it was implemented and who says so,
the record below; "cite this" in four formats; statuses in the catalogue with who said them."""

from __future__ import annotations

import json
import re

import pytest

from dialogue_kg.read.citation import FORMATS

ID = "https://w3id.org/dialogue-kg/id/"
ALPHA = ID + "agreement/alpha"
ORG = ID + "organisation/"
# Two provisions of the small archive's agreement, and the parties disagreeing about the first.
PROVISIONS = f"""
@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{ALPHA}> dct:hasPart <{ALPHA}/point/2> , <{ALPHA}/point/1> ;
    dkg:party <{ORG}government-of-kosovo> , <{ORG}government-of-serbia> ;
    dkg:abstract "Two points about <b>bridges</b>."@en .
<{ALPHA}> dkg:source <{ID}source/test-doc> .
<{ID}source/test-doc> dct:publisher "A printer named in text" ; dkg:url "https://example.org/doc" .
<{ORG}government-of-kosovo> a dkg:Government ; rdfs:label "Government of Kosovo"@en .
<{ORG}government-of-serbia> a dkg:Government ; rdfs:label "Government of Serbia"@en .
<{ALPHA}/point/1> a dkg:Provision ; dct:isPartOf <{ALPHA}> ; dkg:number "1" ;
    dkg:order 1 ; rdfs:label "Alpha, point 1"@en ;
    dkg:abstract "The bridge opens to all traffic."@en , "Ura hapet për të gjithë."@sq .
<{ALPHA}/point/2> a dkg:Provision ; dct:isPartOf <{ALPHA}> ; dkg:number "2" ;
    dkg:order 2 ; rdfs:label "Alpha, point 2"@en ; dkg:abstract "Both sides report monthly."@en .
<{ID}event/kosovo-says> a dkg:ImplementationEvent ; rdfs:label "Kosovo says"@en ;
    dkg:agreement <{ALPHA}> ; dkg:concernsProvision <{ALPHA}/point/1> ;
    dkg:date "2016-06-16"^^xsd:date ; dkg:reportedStatus dkg:Implemented ;
    dkg:assertedBy <{ORG}government-of-kosovo> ;
    dkg:source <{ID}source/test-doc> .
<{ID}event/serbia-says> a dkg:ImplementationEvent ; rdfs:label "Serbia says"@en ;
    dkg:agreement <{ALPHA}> ; dkg:concernsProvision <{ALPHA}/point/1> ;
    dkg:date "2016-04-01"^^xsd:date ; dkg:reportedStatus dkg:NotImplemented ;
    dkg:assertedBy <{ORG}government-of-serbia> ; dkg:source "a source given as text" .
<{ID}event/serbia-earlier> a dkg:ImplementationEvent ; rdfs:label "Serbia said"@en ;
    dkg:agreement <{ALPHA}> ; dkg:concernsProvision <{ALPHA}/point/1> ;
    dkg:date "2015-01-01"^^xsd:date ; dkg:reportedStatus dkg:InProgress ;
    dkg:assertedBy <{ORG}government-of-serbia> .
"""


@pytest.fixture
def provisions_client(small):
    from webapp import create_app

    small.load(
        PROVISIONS.encode(),
        fmt="turtle",
        agent="tester",
        sources=["https://w3id.org/dialogue-kg/id/source/test-doc"],
        validate=False,  # cut-down records: only what the page reads
    )
    return create_app({"TESTING": True}, archive=small).test_client()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_provisions_in_order_and_each_sides_latest_assessment(provisions_client) -> None:
    page = provisions_client.get("/id/agreement/alpha").get_data(as_text=True)
    text = _text(page)
    assert text.index("The bridge opens to all traffic.") < text.index("Both sides report")
    implementation = text[text.index("Was it implemented?", text.index("What was agreed")) :]
    assert "Point 1 The sides disagree" in implementation
    # Belgrade's latest (April 2016) replaces its earlier "in progress"; Pristina's is June 2016.
    assert "Pristina: Implemented, June 16, 2016 according to Government of Kosovo" in text
    assert "Belgrade: Not implemented, April 1, 2016 according to Government of Serbia" in text
    assert "(source: Test document)" in implementation
    assert "The full history: 3 assessments, earliest first" in text
    assert "Reached on July 2, 2011." in text
    # A publisher or a source given as text, not as a record, is shown or left out, never an error.
    assert "A printer named in text" in text and 'href="https://example.org/doc"' in page
    meetings = text[text.index("Meetings and outreach", text.index("Was it implemented?")) :]
    assert meetings.index("Reached at") < meetings.index("First round")
    # The record stays, below the overview; injected markup in a summary is text.
    assert page.index('id="h-implementation"') < page.index('id="h-properties"')
    assert "&lt;b&gt;bridges&lt;/b&gt;" in page and "<b>bridges</b>" not in page


def test_the_page_in_albanian(provisions_client) -> None:
    text = _text(provisions_client.get("/id/agreement/alpha?lang=sq").get_data(as_text=True))
    assert "Marrëveshja Alfa" in text
    assert "Ura hapet për të gjithë." in text


def test_first_agreement_answers_what_whether_and_who(curated_client) -> None:
    page = curated_client.get("/id/agreement/first-agreement-2013").get_data(as_text=True)
    text = _text(page)
    assert "Also known as April Agreement and Brussels Agreement." in text
    assert "Reached on April 19, 2013 in Brussels." in text
    assert "The parties: Government of Kosovo and Government of Serbia." in text
    assert "Negotiated by Hashim Thaçi and Ivica Dačić." in text
    implementation = text[text.index("Was it implemented?", text.index("Reached on")) :]
    assert "according to" in implementation and "Pristina:" in implementation
    assert "The sides disagree" in implementation
    assert "Implementation Plan of the First Agreement" in text  # a sub-agreement
    assert page.index('id="h-documents"') < page.index('id="h-properties"')


def test_other_resources_keep_the_plain_page(curated_client) -> None:
    page = curated_client.get("/id/person/hashim-thaci").get_data(as_text=True)
    assert 'id="h-properties"' in page and "Was it implemented?" not in page


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_cite_downloads(curated_client, fmt: str) -> None:
    iri = ID + "agreement/first-agreement-2013"
    response = curated_client.get("/cite", query_string={"iri": iri, "format": fmt})
    assert response.status_code == 200
    assert response.mimetype == FORMATS[fmt][0]
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert "First Agreement of Principles" in body and iri in body
    if fmt == "bibtex":
        assert body.startswith("@misc{dkg-first-agreement-2013,") and body.count("{") == body.count(
            "}"
        )
    if fmt == "ris":
        assert body.startswith("TY  - ") and body.rstrip().endswith("ER  -")
        assert "AU  - Government of Kosovo" in body and "DA  - 2013/04/19/" in body


# The CSL-JSON schema's shape (citation-style-language/schema, csl-data.json): an array of items
# with "id" and "type", dates as date-parts, names as objects; the keys this archive writes.
CSL_TYPES = {"treaty", "article-newspaper", "report", "document", "entry"}
CSL_KEYS = {
    "id", "type", "title", "container-title", "publisher", "version", "URL", "accessed",
    "note", "author", "issued", "abstract",
}  # fmt: skip


def test_csl_json_has_the_schemas_shape(curated_client) -> None:
    for iri in (ID + "agreement/first-agreement-2013", ID + "person/hashim-thaci"):
        response = curated_client.get("/cite", query_string={"iri": iri, "format": "csl-json"})
        data = json.loads(response.get_data(as_text=True))
        assert isinstance(data, list) and len(data) == 1
        item = data[0]
        assert {"id", "type"} <= set(item) <= CSL_KEYS
        assert item["type"] in CSL_TYPES
        for key in ("accessed", "issued"):
            if key in item:
                parts = item[key]["date-parts"]
                assert set(item[key]) == {"date-parts"} and 1 <= len(parts[0]) <= 3
                assert all(isinstance(x, int) for x in parts[0])
        for name in item.get("author", []):
            assert set(name) == {"literal"} and isinstance(name["literal"], str)
    assert data[0]["type"] == "entry"  # a person is an entry of the archive


def test_cite_refuses_what_it_cannot_cite(curated_client) -> None:
    assert curated_client.get("/cite?iri=https://example.org/x").status_code == 404
    iri = ID + "agreement/first-agreement-2013"
    assert curated_client.get(f"/cite?iri={iri}&format=docx").status_code == 400


def test_catalogue_statuses_say_who(provisions_client) -> None:
    text = _text(provisions_client.get("/agreements").get_data(as_text=True))
    assert "Implemented according to Government of Kosovo, 2016" in text
    assert "Not implemented according to Government of Serbia, 2016" in text
    data = provisions_client.get("/agreements?format=json").get_json()
    alpha = next(a for a in data["agreements"] if a["iri"] == ALPHA)
    assert [ORG + "government-of-kosovo", "2016-06-16"] in [r[1:] for r in alpha["reported"]]


def test_every_curated_agreement_page_renders(curated_client) -> None:
    def walk(items: list[dict]) -> list[str]:
        return [i for a in items for i in (a["iri"], *walk(a["children"]))]

    iris = walk(curated_client.get("/agreements?format=json").get_json()["agreements"])
    assert len(iris) > 20
    for iri in iris:
        path = iri.replace("https://w3id.org/dialogue-kg", "", 1)
        response = curated_client.get(path)
        assert response.status_code == 200, path
        assert 'id="h-implementation"' in response.get_data(as_text=True), path
