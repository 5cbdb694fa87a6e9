"""The one mapping between IRIs and pages, and the ways a person names a resource."""

from __future__ import annotations

import pytest

from dialogue_kg.addresses import expand, iri_at, page_path, resolve
from dialogue_kg.namespaces import Minter

ID = "https://w3id.org/dialogue-kg/id/"
ALPHA = ID + "agreement/alpha"


@pytest.mark.parametrize(
    ("iri", "path"),
    [
        (ALPHA, "/id/agreement/alpha"),
        ("https://w3id.org/dialogue-kg/topic/customs", "/topic/customs"),
        ("https://w3id.org/dialogue-kg/changeset/14", "/changeset/14"),
        ("https://w3id.org/dialogue-kg/agent/archivist-ana", "/agent/archivist-ana"),
        (ID + "person/a b", "/id/person/a%20b"),
    ],
)
def test_a_page_path_and_back(iri: str, path: str) -> None:
    assert page_path(iri) == path
    assert iri_at(path) == iri
    assert iri_at("http://127.0.0.1:5000" + path + "?lang=sq#top") == iri


@pytest.mark.parametrize(
    "iri",
    [
        "https://w3id.org/dialogue-kg/ontology#Agreement",
        "https://w3id.org/dialogue-kg/changeset/x",
        "https://example.org/id/agreement/alpha",
        ID,
    ],
)
def test_no_page_for_what_the_site_does_not_show(iri: str) -> None:
    assert page_path(iri) is None


def test_another_base_moves_change_sets_and_agents_only() -> None:
    minter = Minter("https://archive.example/")
    assert page_path("https://archive.example/changeset/3", minter) == "/changeset/3"
    assert page_path(ALPHA, minter) == "/id/agreement/alpha"
    assert iri_at("/site/agent/ana", minter, root="/site") == "https://archive.example/agent/ana"


def test_prefixed_names() -> None:
    assert expand("id:agreement/alpha") == ALPHA
    assert expand("dkg:Agreement") == "https://w3id.org/dialogue-kg/ontology#Agreement"
    assert expand("https://example.org/x") is None
    assert expand("nope:x") is None


def test_a_resource_named_any_way(small) -> None:
    for text in (
        ALPHA,
        f"<{ALPHA}>",
        "/id/agreement/alpha",
        "http://127.0.0.1:8000/id/agreement/alpha",
        "id:agreement/alpha",
        "Alpha agreement",
        "alpha AGREEMENT",
        "Marrëveshja Alfa",
    ):
        assert resolve(small, text, like=ALPHA) == ALPHA, text
    assert resolve(small, "No such name") is None
    assert resolve(small, 'x" } ; DROP ALL ; {') is None
