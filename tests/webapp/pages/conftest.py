"""Fixtures for the visitors' pages: the curated archive's app, and a small archive holding a
resource whose label is an HTML injection attempt."""

from __future__ import annotations

import pytest

from webapp import create_app

EVIL = "<img src=x onerror=alert(1)>"
EVIL_TTL = f"""
@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/dialogue-kg/id/agreement/evil> a dkg:Agreement ;
    rdfs:label "{EVIL}"@en , "{EVIL} sq"@sq ;
    dkg:abstract "</script><script>alert(2)</script>"@en ;
    dkg:date "2012-05-05"^^xsd:date ; dkg:year "2012"^^xsd:gYear ;
    dkg:partOf <https://w3id.org/dialogue-kg/id/agreement/alpha> ;
    dkg:source <https://w3id.org/dialogue-kg/id/source/test-doc> .
<https://w3id.org/dialogue-kg/id/meeting/first-round>
    dkg:reached <https://w3id.org/dialogue-kg/id/agreement/evil> .
"""


@pytest.fixture(scope="session")
def curated_app(curated):
    """The app over the curated archive (read-only use)."""
    return create_app({"TESTING": True}, archive=curated)


@pytest.fixture
def curated_client(curated_app):
    return curated_app.test_client()


@pytest.fixture
def evil(small):
    """The small archive plus an agreement whose labels try to inject HTML and script."""
    small.load(
        EVIL_TTL.encode(),
        fmt="turtle",
        agent="tester",
        sources=["https://w3id.org/dialogue-kg/id/source/test-doc"],
    )
    return small


@pytest.fixture
def evil_client(evil):
    return create_app({"TESTING": True}, archive=evil).test_client()
