"""Building change sets from RDF input: formats, named graphs, skolemisation, syntax errors."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from dialogue_kg.core.changeset import InputError, rdf_format, read_changesets
from dialogue_kg.namespaces import Minter

from .conftest import DATA, TEST_SOURCE

M = Minter()


def test_trig_named_graphs_become_change_sets_with_their_sources() -> None:
    sets = read_changesets(DATA / "small.trig", M)
    assert [cs.imported_graph for cs in sets] == [
        "https://w3id.org/dialogue-kg/import/test/sources",
        "https://w3id.org/dialogue-kg/import/test/records",
    ]
    assert all(cs.sources == [TEST_SOURCE] for cs in sets)
    assert sets[1].comment == "Test records"
    assert len(sets[0].added) == 3


def test_loose_triples_take_the_given_source() -> None:
    data = b"<urn:a> <urn:b> <urn:c> ."
    (cs,) = read_changesets(data, M, fmt="nt", sources=["urn:src"], comment="why")
    assert cs.sources == ["urn:src"] and cs.comment == "why" and len(cs.added) == 1


def test_blank_nodes_are_skolemised_consistently() -> None:
    data = b'<urn:a> <urn:b> _:x .\n_:x <urn:c> _:y .\n_:y <urn:d> "v" .\n'
    (cs,) = read_changesets(data, M, fmt="nt", sources=["urn:src"])
    terms = {t.object for t in cs.added if t.predicate.value == "urn:b"}
    (x,) = terms
    assert isinstance(x, ox.NamedNode) and "/.well-known/genid/" in x.value
    assert any(t.subject == x for t in cs.added)
    assert not any(isinstance(t.subject, ox.BlankNode) for t in cs.added)


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("turtle", b"<urn:a> <urn:b> 'x'@sq ."),
        ("jsonld", b'{"@id": "urn:a", "urn:b": {"@value": "x", "@language": "sq"}}'),
        (
            "rdfxml",
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            b'xmlns:u="urn:"><rdf:Description rdf:about="urn:a"><u:b xml:lang="sq">x'
            b"</u:b></rdf:Description></rdf:RDF>",
        ),
        ("nquads", b'<urn:a> <urn:b> "x"@sq <urn:g> .'),
    ],
)
def test_every_format_gives_the_same_statement(fmt: str, data: bytes) -> None:
    sets = read_changesets(data, M, fmt=fmt, sources=["urn:src"])
    (triple,) = [t for cs in sets for t in cs.added]
    assert triple.object == ox.Literal("x", language="sq")


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(InputError, match=r"malformed\.ttl: syntax error at line 3, column \d+"):
        read_changesets(DATA / "malformed.ttl", M)


def test_unknown_format_and_extension() -> None:
    with pytest.raises(InputError, match="unknown RDF format 'yaml'"):
        rdf_format("yaml")
    with pytest.raises(InputError, match="cannot tell the RDF format"):
        rdf_format(None, "notes.docx")


def test_graph_description_with_unknown_predicate_is_refused() -> None:
    data = b"<urn:g> <urn:odd> <urn:x> .\n<urn:s> <urn:p> <urn:o> <urn:g> .\n"
    with pytest.raises(InputError, match="may only give dct:source"):
        read_changesets(data, M, fmt="nquads")
