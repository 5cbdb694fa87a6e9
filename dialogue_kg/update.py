"""SPARQL Update by archivists, turned into an ordinary change set.

The archive never runs an update on its store: that would bypass the journal. Instead the update
runs on a scratch in-memory Oxigraph store whose default graph holds the current data statements
(the union of the change-set graphs, without the change-set descriptions), and the difference
before/after — statements inserted and deleted — becomes a change set that is validated, journaled
and applied like any other write. The scratch copy costs time and memory in proportion to the
archive (about a second per 100k statements), which suits the rate at which archivists write and
keeps every SPARQL 1.1 Update form (``DELETE/INSERT … WHERE``, ``DELETE WHERE``, ``CLEAR``) exact.
Change-set graphs are immutable, so an update that would write into a named graph is refused.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from .archive import Archive
from .changeset import ChangeSet, InputError, Skolemizer
from .editing import commit_computed
from .guard import check
from .journal import Record

_POSITION = re.compile(r"(?:line (\d+) column|at (\d+):)(\d+)")


def changeset_for_update(archive: Archive, update: str) -> ChangeSet:
    """The change set an update would make on the current state (call it while the archive is
    held still, see :meth:`Archive.reading`)."""
    check(update, allow_service=archive.settings.allow_service)
    prov = archive.store.provenance_graph
    default = ox.DefaultGraph()
    scratch = ox.Store()
    scratch.extend(
        ox.Quad(q.subject, q.predicate, q.object, default)
        for q in archive.store.quads()
        if q.graph_name != prov
    )
    before = {q.triple for q in scratch.quads_for_pattern(None, None, None, default)}
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
    for q in scratch.quads_for_pattern(None, None, None, None):
        if not isinstance(q.graph_name, ox.DefaultGraph):
            raise InputError(
                "updates change the current state (the default graph) only: change-set graphs "
                f"are immutable, and the update writes into graph {q.graph_name}"
            )
    after = {q.triple for q in scratch.quads_for_pattern(None, None, None, default)}
    skolem = Skolemizer(archive.minter)
    added = [skolem.triple(ox.Quad(t.subject, t.predicate, t.object)) for t in after - before]
    removed = list(before - after)
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

    def build() -> ChangeSet:
        cs = changeset_for_update(archive, update)
        cs.sources, cs.comment = list(sources), comment
        return cs

    return commit_computed(archive, build, agent=agent)
