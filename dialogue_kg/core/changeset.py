"""Change sets: what a write proposes (statements added and retracted, source, comment), built
from RDF input in any format pyoxigraph reads.

Blank nodes are skolemised into ``…/.well-known/genid/…`` IRIs as a change set is built, so that
every statement can later be found, retracted and compared across stores and revisions.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import operator
import os
import stat
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from dialogue_kg.core.formats import rdf_named
from dialogue_kg.core.limits import DEFAULT_MAX_DEPTH, ShapeError, check_rdf
from dialogue_kg.errors import DialogueKGError
from dialogue_kg.namespaces import Minter

DEFAULT_MAX_LOAD_BYTES = 1024 * 1024 * 1024

DCT_SOURCE = "http://purl.org/dc/terms/source"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
DCT_DESCRIPTION = "http://purl.org/dc/terms/description"
_SOURCE_PREDICATES = {DCT_SOURCE, PROV_DERIVED}
_COMMENT_PREDICATES = {RDFS_COMMENT, DCT_DESCRIPTION}

_GRAPH_NAME = operator.attrgetter("graph_name")


class InputError(DialogueKGError, ValueError):
    """RDF input that cannot become a change set; the message says where and why (and
    ``line``/``column`` hold the place when the parser gave one)."""

    kind = "input"


class Statements(Sequence[ox.Triple]):
    """The statements of one parsed graph kept as text (as a sequence of triples).

    A bulk load writes them to the journal and the store without a Python object per statement;
    the triples are parsed back only when something iterates them (validation). ``lines`` holds
    each parsed statement's N-Triples line without its closing `` .`` and line break, in
    document order, duplicates kept.
    """

    def __init__(self, lines: list[bytes], triples: list[ox.Triple] | None = None) -> None:
        self.lines = lines
        self._triples = triples  # the same statements parsed, when the reader kept them
        self._text: bytes | None = None

    def __len__(self) -> int:
        return len(self.lines)

    def __iter__(self) -> Iterator[ox.Triple]:
        return iter(self._parsed())

    def __getitem__(self, index):  # noqa: ANN001, ANN204 - Sequence protocol
        return self._parsed()[index]

    def _parsed(self) -> list[ox.Triple]:
        if self._triples is None:
            quads = ox.parse(self.ntriples(), format=ox.RdfFormat.N_TRIPLES, lenient=True)
            self._triples = [q.triple for q in quads]
        return self._triples

    def ntriples(self) -> bytes:
        """The statements as an N-Triples document (made once: the checks and the store read
        it; ``lines`` is not changed after the reader made it)."""
        if self._text is None:
            self._text = b" .\n".join(self.lines) + b" .\n" if self.lines else b""
        return self._text

    def keys(self) -> set[bytes]:
        """The distinct triples, as their lines."""
        return set(self.lines)


@dataclass
class ChangeSet:
    """A proposed write to the archive."""

    added: list[ox.Triple] = field(default_factory=list)
    removed: list[ox.Triple] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    comment: str | None = None
    imported_graph: str | None = None

    def subjects(self) -> set[str]:
        """IRIs whose description this change set touches."""
        return {
            t.subject.value
            for t in (*self.added, *self.removed)
            if isinstance(t.subject, ox.NamedNode)
        }

    def is_empty(self) -> bool:
        """True when the change set neither adds nor retracts anything."""
        return not self.added and not self.removed


def check_reserved(changesets: Iterable[ChangeSet], minter: Minter) -> None:
    """InputError when a change set would state what only the archive writes: anything about a
    change set, an agent or one of the archive's named graphs (who wrote what, when, from which
    source), or statements in a graph whose name the archive reserves. Retracting such a
    statement stays possible (it can only be one written before this check existed)."""
    prefixes = minter.reserved_prefixes
    marks = tuple(f"<{p}".encode() for p in prefixes)
    for cs in changesets:
        graph = cs.imported_graph
        if graph is not None and minter.reserved(graph):
            raise InputError(
                f"graph <{graph}> names {minter.reserved(graph)}: the archive reserves that name "
                "for its own record of the changes; load the statements in another graph"
            )
        if isinstance(cs.added, Statements):
            # Each line starts with its subject: look for a reserved one in the whole text.
            text = b"\n" + cs.added.ntriples()
            found = [i for i in (text.find(b"\n" + mark) for mark in marks) if i >= 0]
            line = text[min(found) + 1 :].split(b"\n", 1)[0] if found else None
            subject = line.split(b">", 1)[0][1:].decode() if line is not None else None
        else:
            subject = next(
                (
                    t.subject.value
                    for t in cs.added
                    if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(prefixes)
                ),
                None,
            )
        if subject is not None:
            raise InputError(
                f"<{subject}> is {minter.reserved(subject)}: who wrote each change, when, from "
                "which source and why is recorded by the archive alone, and no change may state "
                "anything about it; nothing was written"
            )


def rdf_format(name: str | None, path: str | Path | None = None) -> ox.RdfFormat:
    """The pyoxigraph format for a name ('turtle', 'trig', 'ttl', a media type) or a file name."""
    if name:
        # pyoxigraph's own extensions and media types first (n3 stays N3), then the names and
        # aliases of the archive's one format table.
        key = name.lower().lstrip(".")
        fmt = ox.RdfFormat.from_extension(key) or ox.RdfFormat.from_media_type(key)
        fmt = fmt or rdf_named(key)
        if fmt is None:
            raise InputError(f"unknown RDF format {name!r}")
        return fmt
    if path is not None:
        suffix = Path(path).suffix.lstrip(".")
        fmt = ox.RdfFormat.from_extension(suffix) if suffix else None
        if fmt is None:
            raise InputError(
                f"{path}: cannot tell the RDF format from the file name; give --format"
            )
        return fmt
    raise InputError("no RDF format given")


def parse(data: bytes, fmt: ox.RdfFormat, name: str = "input") -> list[ox.Quad]:
    """Parse RDF; a syntax error becomes an InputError naming the line and column."""
    with _input_errors(fmt, name):
        return list(ox.parse(data, format=fmt))


@contextlib.contextmanager
def _input_errors(fmt: ox.RdfFormat, name: str) -> Iterator[None]:
    """Turn the parser's errors into InputErrors naming the input, line and column."""
    try:
        yield
    except SyntaxError as exc:
        # pyoxigraph gives the place as the SyntaxError's own fields (1-based line and column).
        message = str(exc)
        detail = message.split(": ", 1)[-1] if ": " in message else message
        if exc.lineno is not None and exc.offset is not None:
            raise InputError(
                f"{name}: syntax error at line {exc.lineno}, column {exc.offset}: {detail}",
                line=exc.lineno,
                column=exc.offset,
            ) from None
        raise InputError(f"{name}: syntax error: {message}") from None
    except MemoryError as exc:  # the parser's 16 MiB limit on one token (a literal, an IRI)
        raise InputError(
            f"{name}: cannot read as {fmt.name}: a single term is too large ({exc})"
        ) from None
    except (ValueError, OSError) as exc:
        raise InputError(f"{name}: cannot read as {fmt.name}: {exc}") from None


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a bulk parse makes many short-lived objects, none in
    a reference cycle, and collections would only walk them again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Skolemizer:
    """Replaces blank nodes by fresh skolem IRIs, consistently within one input."""

    def __init__(self, minter: Minter) -> None:
        self.minter = minter
        self.mapping: dict[str, ox.NamedNode] = {}

    def term(self, term):  # noqa: ANN001, ANN201 - any pyoxigraph term
        """The term, with a blank node replaced by its skolem IRI."""
        if isinstance(term, ox.BlankNode):
            iri = self.mapping.get(term.value)
            if iri is None:
                iri = self.mapping[term.value] = ox.NamedNode(self.minter.genid(uuid.uuid4().hex))
            return iri
        return term

    def triple(self, q: ox.Quad) -> ox.Triple:
        """The quad's triple, with its blank nodes skolemised."""
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            return ox.Triple(self.term(q.subject), q.predicate, self.term(q.object))
        return q.triple


def changesets_from_quads(
    quads: list[ox.Quad],
    minter: Minter,
    *,
    sources: list[str] | None = None,
    comment: str | None = None,
    name: str = "input",
) -> list[ChangeSet]:
    """Group parsed quads into change sets: one per named graph, plus the loose triples.

    In a dataset with named graphs, default-graph triples about a graph name describe that graph
    (``dct:source``, ``rdfs:comment``) and become its change set's source and comment.
    """
    skolem = Skolemizer(minter)
    default: list[ox.Quad] = []
    graphs: dict[str, list[ox.Triple]] = {}
    for q in quads:
        g = q.graph_name
        if isinstance(g, ox.DefaultGraph):
            default.append(q)
        elif isinstance(g, ox.BlankNode):
            raise InputError(f"{name}: named graphs must have IRIs, not blank node names")
        else:
            graphs.setdefault(g.value, []).append(skolem.triple(q))
    meta: dict[str, ChangeSet] = {g: ChangeSet(imported_graph=g) for g in graphs}
    loose = [skolem.triple(q) for q in _describe(default, meta, name)]
    result: list[ChangeSet] = []
    if loose:
        result.append(ChangeSet(added=loose, sources=list(sources or []), comment=comment))
    for g, triples in graphs.items():
        cs = meta[g]
        cs.added = triples
        cs.sources = cs.sources or list(sources or [])
        cs.comment = cs.comment or comment
        result.append(cs)
    return result


def _describe(default: list[ox.Quad], meta: dict[str, ChangeSet], name: str) -> list[ox.Quad]:
    """Take the graph descriptions out of the default-graph quads; return the loose ones."""
    loose: list[ox.Quad] = []
    for q in default:
        s = q.subject
        if isinstance(s, ox.NamedNode) and s.value in meta:
            target = meta[s.value]
            p = q.predicate.value
            if p in _SOURCE_PREDICATES and isinstance(q.object, ox.NamedNode):
                target.sources.append(q.object.value)
            elif p in _COMMENT_PREDICATES and isinstance(q.object, ox.Literal):
                target.comment = q.object.value
            else:
                raise InputError(
                    f"{name}: the description of graph <{s.value}> may only give dct:source "
                    f"(an IRI) and rdfs:comment; found <{p}>"
                )
        else:
            loose.append(q)
    return loose


def _bulk_changesets(
    data: bytes,
    fmt: ox.RdfFormat,
    *,
    sources: list[str] | None,
    comment: str | None,
    name: str,
) -> list[ChangeSet] | None:
    """:func:`changesets_from_quads` of the parsed input, with the statements of each graph
    serialised natively, run by run, as they are parsed (no Python object per statement
    outlives its run). None when the input has blank nodes (they are skolemised statement by
    statement) or blank-node graph names (the statement path reports them)."""
    lines: dict[str, list[bytes]] = {}
    default: list[ox.Quad] = []
    with _input_errors(fmt, name), _gc_paused():
        for g, run in itertools.groupby(ox.parse(data, format=fmt), key=_GRAPH_NAME):
            kind = type(g)
            if kind is ox.DefaultGraph:
                default.extend(run)
                continue
            if kind is not ox.NamedNode:
                return None
            text = ox.serialize(run, format=ox.RdfFormat.N_QUADS)
            if b"_:" in text:
                return None
            # Every line ends with the graph name, " ." and the line break, and nothing else in
            # a line can (line breaks in literals are escaped): splitting there gives the
            # statements' N-Triples lines without their " .", and one empty string at the end.
            run_lines = text.split(f" {g} .\n".encode())
            run_lines.pop()
            known = lines.get(g.value)
            if known is None:
                lines[g.value] = run_lines
            else:
                known.extend(run_lines)
    meta = {g: ChangeSet(imported_graph=g) for g in lines}
    loose = _describe(default, meta, name)
    result: list[ChangeSet] = []
    if loose:
        text = ox.serialize(loose, format=ox.RdfFormat.N_QUADS)
        if b"_:" in text:
            return None
        loose_lines = text.split(b" .\n")
        loose_lines.pop()
        result.append(
            ChangeSet(
                added=Statements(loose_lines, [q.triple for q in loose]),  # type: ignore[arg-type]
                sources=list(sources or []),
                comment=comment,
            )
        )
    for g, graph_lines in lines.items():
        cs = meta[g]
        cs.added = Statements(graph_lines)  # type: ignore[assignment]
        cs.sources = cs.sources or list(sources or [])
        cs.comment = cs.comment or comment
        result.append(cs)
    return result


def _read_file(path: Path, label: str, max_bytes: int) -> bytes:
    """The bytes of a regular file no larger than ``max_bytes`` (not a device, FIFO, …)."""
    try:
        with path.open("rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise InputError(f"{label}: not a regular file")
            if info.st_size > max_bytes:
                raise InputError(
                    f"{label}: {info.st_size} bytes, more than the limit of {max_bytes} "
                    "(setting DKG_MAX_LOAD_BYTES)"
                )
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{label}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(f"{label}: more than the limit of {max_bytes} bytes (DKG_MAX_LOAD_BYTES)")
    return data


def read_changesets(
    source: str | Path | bytes,
    minter: Minter,
    *,
    fmt: str | None = None,
    sources: list[str] | None = None,
    comment: str | None = None,
    name: str | None = None,
    bulk: bool = True,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_bytes: int = DEFAULT_MAX_LOAD_BYTES,
) -> list[ChangeSet]:
    """Change sets from a file (path) or bytes in any RDF format.

    With ``bulk`` (the default) statements are kept as :class:`Statements` text unless the
    input has blank nodes; ``bulk=False`` builds triple lists (same change sets, same journal).
    A file must be a regular file of at most ``max_bytes``; the input's nesting is measured
    (at most ``max_depth``, no DOCTYPE in RDF/XML) before the parser sees it.
    """
    if isinstance(source, bytes):
        data, label = source, name or "input"
        rdffmt = rdf_format(fmt)
    else:
        path = Path(source)
        label = name or str(path)
        rdffmt = rdf_format(fmt, path)
        data = _read_file(path, label, max_bytes)
    try:
        check_rdf(data, rdffmt.name, max_depth, label)
    except ShapeError as exc:
        raise InputError(str(exc)) from None
    if bulk:
        fast = _bulk_changesets(data, rdffmt, sources=sources, comment=comment, name=label)
        if fast is not None:
            return fast
    return changesets_from_quads(
        parse(data, rdffmt, label), minter, sources=sources, comment=comment, name=label
    )
