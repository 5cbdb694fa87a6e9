"""The ontology is parsed once, by pyoxigraph, and the rdflib graph the forms walk holds the
same triples a Turtle parse by rdflib would give."""

from __future__ import annotations

from rdflib import Graph

from dialogue_kg.config import ontology_dir
from dialogue_kg.ontology import ontology_graph, ontology_triples
from dialogue_kg.write.recording.fields import Ontology


def test_the_rdflib_graph_equals_an_rdflib_parse() -> None:
    parsed = Graph().parse(ontology_dir() / "dialogue.ttl", format="turtle")
    assert set(ontology_graph()) == set(parsed)
    assert len(ontology_triples()) == len(parsed)


def test_the_forms_share_the_one_loaded_ontology() -> None:
    assert ontology_triples() is ontology_triples()
    assert Ontology().ontology is ontology_graph()
