"""Provenance cannot be forged: no change may state anything about a change set, an agent or
one of the archive's graphs, nor put statements in a graph whose name the archive reserves.
Checked at the one write door (Archive.commit), so every door (API, forms, SPARQL Update, TriG,
bulk import) refuses alike, before anything is written."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue_kg.core.archive import Archive, InputError
from dialogue_kg.core.changeset import ChangeSet, check_reserved, read_changesets
from dialogue_kg.namespaces import Minter

from .conftest import TEST_SOURCE

PROV = "http://www.w3.org/ns/prov#"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
MINTER = Minter()
BASE = MINTER.base
PERSON = BASE + "id/person/ana"


def forged_quads(subject: str) -> bytes:
    return (
        f"<{subject}> <{PROV}wasAttributedTo> <{BASE}agent/mallory> .\n"
        f'<{subject}> <http://www.w3.org/2000/01/rdf-schema#comment> "mine" .\n'
    ).encode()


@pytest.mark.parametrize(
    "subject",
    [MINTER.changeset(2), MINTER.agent("ana"), MINTER.provenance_graph, BASE + "changeset/99"],
)
def test_statements_about_what_the_archive_records_are_refused(
    small: Archive, subject: str
) -> None:
    journal = small.journal.path.read_bytes()
    for bulk in (True, False):
        changesets = read_changesets(
            forged_quads(subject), small.minter, fmt="nt", sources=[TEST_SOURCE], bulk=bulk
        )
        with pytest.raises(InputError, match="recorded by the archive alone"):
            small.commit(changesets, agent="mallory")
    assert small.journal.path.read_bytes() == journal
    assert small.verify().ok


@pytest.mark.parametrize("graph", [MINTER.provenance_graph, MINTER.changeset(2), BASE + "graph/x"])
def test_statements_in_a_reserved_graph_are_refused(small: Archive, graph: str) -> None:
    trig = (
        f"<{graph}> <http://purl.org/dc/terms/source> <{TEST_SOURCE}> .\n"
        f'<{graph}> {{ <{PERSON}> <{RDFS_LABEL.value}> "Ana"@en }}\n'
    ).encode()
    before = small.revision
    with pytest.raises(InputError, match="reserves that name"):
        small.load(trig, agent="mallory", fmt="trig")
    assert small.revision == before


def test_a_forged_statement_written_before_the_check_can_still_be_retracted(
    small: Archive,
) -> None:
    forged = ox.Triple(ox.NamedNode(MINTER.changeset(2)), RDFS_LABEL, ox.Literal("forged"))
    check_reserved([ChangeSet(removed=[forged])], small.minter)  # no error


def test_the_curated_archive_passes(curated: Archive) -> None:
    assert curated.revision > 1


_NAMES = st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=12)
FORGED = st.one_of(
    st.integers(1, 10**6).map(MINTER.changeset),
    _NAMES.map(MINTER.agent),
    st.sampled_from(["changeset/", "agent/", "graph/"]).flatmap(
        lambda path: _NAMES.map(lambda rest: BASE + path + rest)
    ),
)


PREDICATES = st.sampled_from(
    [PROV + "wasAttributedTo", "http://purl.org/dc/terms/source", RDFS_LABEL.value]
)


def test_any_forged_subject_or_graph_is_refused(small: Archive) -> None:
    """Through Archive.commit, whether the reserved IRI is the subject or the graph the
    statements are in, parsed statement by statement or kept as text (bulk)."""
    journal = small.journal.path.read_bytes()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        subject=FORGED, predicate=PREDICATES, graph=st.one_of(st.none(), FORGED), bulk=st.booleans()
    )
    def forge(subject: str, predicate: str, graph: str | None, bulk: bool) -> None:
        statement = f'<{subject}> <{predicate}> "x" .\n'
        if graph is not None:
            data = f'<{graph}> {{ <{PERSON}> <{RDFS_LABEL.value}> "x"@en }}\n'.encode()
            if predicate != RDFS_LABEL.value:
                data += statement.encode()
            fmt = "trig"
        else:
            data, fmt = statement.encode(), "nt"
        with pytest.raises(InputError):
            changesets = read_changesets(data, MINTER, fmt=fmt, sources=[TEST_SOURCE], bulk=bulk)
            small.commit(changesets, agent="mallory")

    forge()
    assert small.journal.path.read_bytes() == journal
