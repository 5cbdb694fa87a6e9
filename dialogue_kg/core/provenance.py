"""PROV-O descriptions of change sets: who wrote what, when, from which source, and why."""

from __future__ import annotations

import pyoxigraph as ox

from dialogue_kg.core.journal import Record
from dialogue_kg.namespaces import DKG_IRI as DKG
from dialogue_kg.namespaces import PROV_IRI as PROV
from dialogue_kg.namespaces import RDF_TYPE_IRI, Minter
from dialogue_kg.namespaces import XSD_IRI as XSD

RDF_TYPE = ox.NamedNode(RDF_TYPE_IRI)


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_iri(XSD + "integer"))


def changeset_quads(record: Record, minter: Minter, added: int, removed: int) -> list[ox.Quad]:
    """The quads describing one journal record, in the provenance graph."""
    g = _iri(minter.provenance_graph)
    cs = _iri(record.changeset)
    agent = _iri(record.agent)
    triples = [
        (cs, RDF_TYPE, _iri(DKG + "ChangeSet")),
        (cs, RDF_TYPE, _iri(PROV + "Bundle")),
        (cs, _iri(DKG + "revision"), _int(record.revision)),
        (
            cs,
            _iri(PROV + "generatedAtTime"),
            ox.Literal(record.time, datatype=_iri(XSD + "dateTime")),
        ),
        (cs, _iri(PROV + "wasAttributedTo"), agent),
        (agent, RDF_TYPE, _iri(PROV + "Agent")),
        (cs, _iri(DKG + "digest"), ox.Literal(record.digest)),
        (cs, _iri(DKG + "addedCount"), _int(added)),
        (cs, _iri(DKG + "removedCount"), _int(removed)),
    ]
    if record.revision > 1:
        triples.append(
            (cs, _iri(DKG + "previousChangeSet"), _iri(minter.changeset(record.revision - 1)))
        )
    for src in record.sources:
        triples.append((cs, _iri("http://purl.org/dc/terms/source"), _iri(src)))
    if record.comment:
        triples.append(
            (cs, _iri("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal(record.comment))
        )
    if record.imported_graph:
        triples.append((cs, _iri(DKG + "importedGraph"), _iri(record.imported_graph)))
    return [ox.Quad(s, p, o, g) for s, p, o in triples]
