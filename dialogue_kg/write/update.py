"""SPARQL Update by archivists, turned into an ordinary change set.

The archive never runs an update on its store: that would bypass the journal. Instead the change
the update would make to the current data statements (the union of the change-set graphs, without
the change-set descriptions) is computed, and it becomes a change set that is validated,
journaled and applied like any other write. Change-set graphs are immutable, so an update that
names a graph (GRAPH, WITH, NAMED) or writes into one is refused.

The change is computed in proportion to it, not to the archive: each operation's WHERE is
evaluated on the store itself (over the change-set graphs) as two CONSTRUCT queries giving the
statements its DELETE and INSERT templates make; INSERT DATA and DELETE DATA are their own
statements. Then, as SPARQL Update says, what is deleted and not re-inserted and is current is
removed, and what is inserted and not current is added. The few forms this cannot follow
exactly (ADD/MOVE/COPY, USING, a WHERE reading what an earlier operation of the same request
changed, or text whose tokens the engine could read otherwise) run on a scratch copy of the
current statements, as every update did before (:func:`changeset_on_copy`); a test holds both
ways to the same answers.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

import pyoxigraph as ox

from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet, InputError, Skolemizer
from dialogue_kg.core.guard import check
from dialogue_kg.core.journal import Record
from dialogue_kg.core.store.oxigraph import OxigraphStore

# Strings, IRIs and comments, for the lexical check of GRAPH/WITH/NAMED in updates.
_NOISE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
)
# Naming graphs has no meaning here: the update sees one graph, the current state.
_NAMING = re.compile(r"(?<![\w:?$])(GRAPH|WITH|NAMED)(?![\w:-])", re.IGNORECASE)
_POSITION = re.compile(r"(?:line (\d+) column|at (\d+):)(\d+)")

# The tokens that matter for an update's outline: strings, IRIs, comments (skipped whole),
# braces, parentheses and semicolons, and words (keywords, prefixed names, variables).
_TOKEN = re.compile(
    r'(?P<skip>"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|#[^\n\r]*)"
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r"|(?P<punct>[{}();])"
    r"|(?P<word>[^\s{}();<>\"'#]+)"
    r"|(?P<other>\S)",
    re.DOTALL,
)
_OPERAND_END = re.compile(r"[\w)\]>\"'.]$")


class _Unfollowed(Exception):
    """An update the native path does not follow; it runs on a scratch copy instead."""


@dataclass
class _Operation:
    """One operation of an update: its kind, the prologue in force, and its text parts."""

    kind: str  # "data" (INSERT/DELETE DATA), "delete-where", "modify", "clear"
    prologue: str
    delete: str | None = None
    insert: str | None = None
    where: str | None = None


@dataclass
class _Delta:
    """Statements added and removed so far, relative to the current state (by N-Triples key)."""

    added: dict[str, ox.Triple] = field(default_factory=dict)
    removed: dict[str, ox.Triple] = field(default_factory=dict)


def _tokens(update: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) of every token; _Unfollowed where the engine could read a ``<``
    as less-than where this reads an IRI that would hide a comment or a string."""
    out: list[tuple[str, str, int, int]] = []
    parens = [0]  # parentheses open within each brace level
    for m in _TOKEN.finditer(update):
        kind = m.lastgroup or "other"
        text = m.group()
        if kind == "iri" and parens[-1] and ("#" in text or "'" in text):
            before = update[: m.start()].rstrip()
            if _OPERAND_END.search(before):
                raise _Unfollowed("an IRI that may be a less-than")
        if kind == "punct":
            if text == "{":
                parens.append(0)
            elif text == "}" and len(parens) > 1:
                parens.pop()
            elif text == "(":
                parens[-1] += 1
            elif text == ")":
                parens[-1] = max(parens[-1] - 1, 0)
        if kind != "skip":
            out.append((kind, text, m.start(), m.end()))
    return out


def _outline(update: str) -> list[_Operation]:
    """The update's operations, each with its template and pattern texts."""
    toks = _tokens(update)
    ops: list[_Operation] = []
    prologue: list[str] = []
    i = 0

    def word(at: int) -> str:
        return toks[at][1].upper() if at < len(toks) and toks[at][0] == "word" else ""

    def group(at: int) -> tuple[str, int]:
        """The text inside the brace group opening at token ``at``, and the token after it."""
        if at >= len(toks) or toks[at][1] != "{":
            raise _Unfollowed("expected a group")
        depth = 0
        for j in range(at, len(toks)):
            if toks[j][0] == "punct" and toks[j][1] in "{}":
                depth += 1 if toks[j][1] == "{" else -1
                if depth == 0:
                    return update[toks[at][3] : toks[j][2]], j + 1
        raise _Unfollowed("unbalanced braces")

    while i < len(toks):
        w = word(i)
        if w == "PREFIX" and i + 2 < len(toks) and toks[i + 2][0] == "iri":
            prologue.append(update[toks[i][2] : toks[i + 2][3]])
            i += 3
            continue
        if w == "BASE" and i + 1 < len(toks) and toks[i + 1][0] == "iri":
            prologue.append(update[toks[i][2] : toks[i + 1][3]])
            i += 2
            continue
        if toks[i][1] == ";":
            i += 1
            continue
        pro = "\n".join(prologue) + "\n"
        if w in {"INSERT", "DELETE"} and word(i + 1) == "DATA":
            body, i = group(i + 2)
            if w == "INSERT":
                ops.append(_Operation("data", pro, insert=body))
            else:
                ops.append(_Operation("data", pro, delete=body))
        elif w == "DELETE" and word(i + 1) == "WHERE":
            body, i = group(i + 2)
            ops.append(_Operation("delete-where", pro, delete=body, where=body))
        elif w in {"INSERT", "DELETE"}:
            op = _Operation("modify", pro)
            if w == "DELETE":
                op.delete, i = group(i + 1)
            if word(i) == "INSERT":
                op.insert, i = group(i + 1)
            if word(i) != "WHERE":
                raise _Unfollowed("USING, or a form not followed")
            op.where, i = group(i + 1)
            ops.append(op)
        elif w in {"CLEAR", "DROP"}:
            i += 2 if word(i + 1) == "SILENT" else 1
            if word(i) != "DEFAULT":
                raise InputError(
                    "updates change the current state (the default graph) only: change-set "
                    "graphs are immutable, and the update writes into the named graphs"
                )
            ops.append(_Operation("clear", pro, delete="?s ?p ?o", where="?s ?p ?o"))
            i += 1
        else:
            raise _Unfollowed(f"operation {w or toks[i][1]!r}")
        if i < len(toks) and toks[i][1] != ";":
            raise _Unfollowed("text after an operation")
    return ops


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


def _refuse_naming(archive: Archive, update: str) -> None:
    """The guard (SERVICE, LOAD, nesting), then InputError for an update that names a graph."""
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


def _run(store: ox.Store, update: str) -> None:
    """Run ``update`` on a scratch store; its syntax errors as InputError with their place."""
    try:
        store.update(update)
    except SyntaxError as exc:
        message = str(exc)
        where = _POSITION.search(message)
        # The SPARQL parser gives its place only in the message (no lineno/offset fields).
        line = int(where.group(1) or where.group(2)) if where else None
        column = int(where.group(3)) if where else None
        at = f" at line {line}, column {column}" if where else ""
        detail = message.split(": ", 1)[-1].split("\n")[0][:300]
        raise InputError(
            f"SPARQL Update syntax error{at}: {detail}", line=line, column=column
        ) from None
    except (ValueError, OSError, RuntimeError) as exc:
        # RuntimeError: the engine could not run it (MOVE or COPY from a graph that is not there).
        raise InputError(f"the update failed: {exc}") from None


def changeset_for_update(archive: Archive, update: str) -> ChangeSet:
    """The change set ``update`` would make on the current state, computed from the store
    without copying it (see the module's description; the rare forms it does not follow are
    computed on a copy)."""
    _refuse_naming(archive, update)
    _run(ox.Store(), update)  # the engine's own verdict on the syntax, on an empty store
    store = archive.store
    if not isinstance(store, OxigraphStore):
        return changeset_on_copy(archive, update)
    try:
        ops = _outline(update)
    except _Unfollowed:
        return changeset_on_copy(archive, update)
    graphs = _data_graphs(store)
    delta = _Delta()
    for op in ops:
        if op.where is not None and (delta.added or delta.removed):
            # This WHERE may read what an earlier operation changed: followed on a copy.
            return changeset_on_copy(archive, update)
        deleted = _template(store, graphs, op, op.delete)
        inserted = _template(store, graphs, op, op.insert)
        _apply(store, delta, deleted, inserted)
    skolem = Skolemizer(archive.minter)
    added = [skolem.triple(ox.Quad(t.subject, t.predicate, t.object)) for t in delta.added.values()]
    return ChangeSet(added=sorted(added, key=str), removed=sorted(delta.removed.values(), key=str))


def _data_graphs(store: OxigraphStore) -> list[str]:
    """The change-set graphs: every named graph but the change-set descriptions'."""
    prov = store.provenance_graph
    return [g.value for g in store.store.named_graphs() if g != prov]


def _template(
    store: OxigraphStore, graphs: list[str], op: _Operation, template: str | None
) -> dict[str, ox.Triple]:
    """The statements a template makes (for each solution of the operation's WHERE over the
    change-set graphs), in the store's form of their terms, by N-Triples key."""
    if template is None:
        return {}
    where = "" if op.where is None else op.where
    text = f"{op.prologue}CONSTRUCT {{\n{template}\n}} WHERE {{\n{where}\n}}"
    if op.where is None:
        found = ox.Store().query(text)  # ground data: nothing to match
    else:
        found = store.query(text, default_graph=graphs or ["urn:dialogue-kg:no-graph"])
    # Through a scratch store, so that each term has the form the store gives back
    # ("01"^^xsd:integer reads back as "1"), as the statements it is compared with.
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object) for t in found)
    return {str(q.triple): q.triple for q in scratch}


def _apply(
    store: OxigraphStore,
    delta: _Delta,
    deleted: dict[str, ox.Triple],
    inserted: dict[str, ox.Triple],
) -> None:
    """One operation's effect on the delta: its deletions, then its insertions."""
    for key, triple in deleted.items():
        if key in delta.added:
            del delta.added[key]
        elif key not in delta.removed and _current(store, triple):
            delta.removed[key] = triple
    for key, triple in inserted.items():
        if key in delta.removed:
            del delta.removed[key]
        elif key not in delta.added and not _current(store, triple):
            delta.added[key] = triple


def _current(store: OxigraphStore, triple: ox.Triple) -> bool:
    """True when a change-set graph holds ``triple`` (before this update)."""
    if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
        return False  # the store holds no blank nodes (they are skolemised)
    prov = store.provenance_graph
    return any(
        q.graph_name != prov and not isinstance(q.graph_name, ox.DefaultGraph)
        for q in store.store.quads_for_pattern(triple.subject, triple.predicate, triple.object)
    )


def changeset_on_copy(archive: Archive, update: str) -> ChangeSet:
    """The change set an update would make on the current state, computed on a scratch copy of
    the current statements (the way every form of SPARQL Update is followed exactly).

    The scratch store holds the current statements twice: in its default graph, which the update
    changes, and in a hidden named graph kept as the "before" picture; two native SPARQL queries
    then give the statements inserted and deleted.
    """
    _refuse_naming(archive, update)
    before = ox.NamedNode(f"urn:dialogue-kg:before:{uuid.uuid4().hex}")
    with archive.reading():
        current = current_ntriples(archive)
    scratch = ox.Store()
    scratch.load(current, format=ox.RdfFormat.N_TRIPLES)
    scratch.load(current, format=ox.RdfFormat.N_TRIPLES, to_graph=before)
    size = _count(scratch, before)
    _run(scratch, update)
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
