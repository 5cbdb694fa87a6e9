"""SPARQL Update by archivists, turned into an ordinary change set.

The archive never runs an update on its store: that would bypass the journal. Instead the update
runs on a scratch in-memory Oxigraph store whose default graph holds the current data statements
(the union of the change-set graphs, without the change-set descriptions), and the difference
before/after — statements inserted and deleted — becomes a change set that is validated, journaled
and applied like any other write. The scratch copy costs time and memory in proportion to the
archive (bench/results/desk.md), which suits the rate at which archivists write and keeps every
SPARQL 1.1 Update form (``DELETE/INSERT … WHERE``, ``DELETE WHERE``, ``CLEAR``) exact.
Change-set graphs are immutable, so an update that would write into a named graph is refused.
"""

from __future__ import annotations

import re
import uuid

import pyoxigraph as ox

from .archive import Archive
from .changeset import ChangeSet, InputError, Skolemizer
from .guard import _NOISE, check
from .journal import Record

# Naming graphs has no meaning here: the update sees one graph, the current state.
_NAMING = re.compile(r"(?<![\w:?$])(GRAPH|WITH|NAMED)(?![\w:-])", re.IGNORECASE)
_POSITION = re.compile(r"(?:line (\d+) column|at (\d+):)(\d+)")


def current_ntriples(archive: Archive) -> bytes:
    """The current data statements (no change-set descriptions) as N-Triples, natively: a
    CONSTRUCT serialised by the store, no Python object per statement."""
    prov = archive.store.provenance_graph
    found = archive.store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {prov}) }}"
    )
    if isinstance(found, ox.QueryTriples):
        return found.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
    return ox.serialize(found, format=ox.RdfFormat.N_TRIPLES) or b""  # a remote store's list


def _count(scratch: ox.Store, graph: ox.NamedNode) -> int:
    rows = scratch.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)


def changeset_for_update(archive: Archive, update: str, current: bytes | None = None) -> ChangeSet:
    """The change set an update would make on the current state (``current``: the statements
    from :func:`current_ntriples`, taken while the archive was held still).

    The scratch store holds the current statements twice: in its default graph, which the update
    changes, and in a hidden named graph kept as the "before" picture; two native SPARQL queries
    then give the statements inserted and deleted.
    """
    check(
        update,
        allow_service=archive.settings.allow_service,
        max_depth=archive.settings.max_nesting,
        update=True,
    )
    named = _NAMING.search(_NOISE.sub(" ", update))
    if named:
        raise InputError(
            "updates change the current state only (the union of the change-set graphs, which "
            f"are immutable): {named.group(1).upper()} is not allowed; name no graphs"
        )
    before = ox.NamedNode(f"urn:dialogue-kg:before:{uuid.uuid4().hex}")
    if current is None:
        with archive.reading():
            current = current_ntriples(archive)
    scratch = ox.Store()
    scratch.load(current, format=ox.RdfFormat.N_TRIPLES)
    scratch.load(current, format=ox.RdfFormat.N_TRIPLES, to_graph=before)
    size = _count(scratch, before)
    try:
        scratch.update(update)
    except SyntaxError as exc:
        message = str(exc)
        where = _POSITION.search(message)
        at = ""
        if where:
            at = f" at line {where.group(1) or where.group(2)}, column {where.group(3)}"
        detail = message.split(": ", 1)[-1].split("\n")[0][:300]
        raise InputError(f"SPARQL Update syntax error{at}: {detail}") from None
    except (ValueError, OSError) as exc:
        raise InputError(f"the update failed: {exc}") from None
    other = scratch.query(
        f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {before}) }} LIMIT 1"
    )
    written = next(iter(other), None)
    if written is not None or _count(scratch, before) != size:
        where = f" graph {written['g']}" if written is not None else " the named graphs"
        raise InputError(
            "updates change the current state (the default graph) only: change-set graphs "
            f"are immutable, and the update writes into{where}"
        )
    in_before = f"GRAPH {before} {{ ?s ?p ?o }}"
    added_rows = scratch.query(
        f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ {in_before} }} }}"
    )
    removed_rows = scratch.query(
        f"SELECT ?s ?p ?o WHERE {{ {in_before} FILTER NOT EXISTS {{ ?s ?p ?o }} }}"
    )
    skolem = Skolemizer(archive.minter)
    added = [skolem.triple(ox.Quad(r["s"], r["p"], r["o"])) for r in added_rows]
    removed = [ox.Triple(r["s"], r["p"], r["o"]) for r in removed_rows]
    return ChangeSet(added=sorted(added, key=str), removed=sorted(removed, key=str))


def run_update(
    archive: Archive,
    update: str,
    *,
    agent: str,
    sources: list[str],
    comment: str | None = None,
) -> list[Record]:
    """Run ``update`` as one change set with provenance; InputError if it changes nothing."""
    if not sources:
        raise InputError(
            "an update needs a source: the IRI of the document it is from "
            "('source' parameter or 'DKG-Source' header)"
        )

    # The statements are copied while the archive is held still; the update and the diff run
    # without holding it (other requests keep being served), and the commit is refused if the
    # journal moved on meanwhile, in which case it is computed again.
    def compute() -> list[ChangeSet]:
        cs = changeset_for_update(archive, update)
        cs.sources, cs.comment = list(sources), comment
        return [cs]

    return archive.commit_computed(compute, agent=agent, hold=False)
