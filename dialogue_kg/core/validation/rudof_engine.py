"""The rudof engine, the default: SHACL Core in Rust (pyrudof), 2-3x faster than pySHACL on a
bulk load and about 3x on one small change set (bench/results/core.md, post.md).

rudof validates every target in the data it is given; the validator gives it a touched
resource's statements plus the types of what they point at, so only results about the focus
nodes are kept (what pySHACL's ``focus_nodes`` does). Messages are the shapes' own English
``sh:message`` and values are shown as written, as pySHACL reports them.
``tests/validation/test_engines.py`` holds rudof to pySHACL's answers on the curated archive, on
a corpus of broken records and on generated changes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
import pyrudof

from dialogue_kg.core.validation.literals import equal_values, in_range
from dialogue_kg.core.validation.results import Violation, component_name
from dialogue_kg.namespaces import SH_IRI as SH

# rudof refuses to stage over no data at all: a context with nothing in it holds this triple.
_EMPTY = "<urn:dialogue-kg:validation> <urn:dialogue-kg:context> <urn:dialogue-kg:empty> .\n"
_LITERAL = re.compile(r'^"(?P<lexical>.*)"(?:@[A-Za-z0-9-]+|\^\^\S+)?$', re.DOTALL)


class RudofEngine:
    """SHACL by rudof: the shapes and the context are read once; each check stages its triples
    over the context and rolls them back (replacing rudof's data costs about 0.1 s, staging
    about 0.1 ms). One check at a time: a lock guards the session."""

    def __init__(self, shapes_path: Path, context: Sequence[ox.Triple]) -> None:
        self._rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        self._rudof.read_shacl(str(shapes_path), reader_mode=pyrudof.ReaderMode.Strict)
        self._rudof.read_data(
            _document(context) or _EMPTY,
            format=pyrudof.RDFFormat.NTriples,
            reader_mode=pyrudof.ReaderMode.Strict,
        )
        self._lock = threading.Lock()
        self.messages = _english_messages(shapes_path)
        self.bounds = _range_bounds(shapes_path)

    def check(self, triples: Sequence[ox.Triple], focus: list[str]) -> list[Violation]:
        """Violations of the focus nodes, judged on ``triples`` and the context."""
        if not triples or not focus:
            return []
        document = _document(triples)
        wanted = set(focus)
        with self._lock:
            self._rudof.begin_staging()
            try:
                self._rudof.read_data(
                    document,
                    format=pyrudof.RDFFormat.NTriples,
                    reader_mode=pyrudof.ReaderMode.Strict,
                    merge=True,
                )
                entries = [
                    e
                    for e in self._rudof.validate_shacl()
                    if str(e.severity) == "Violation" and e.focus_node in wanted
                ]
                typed = _typed_values(self._rudof) if any(map(_canonical, entries)) else {}
            finally:
                self._rudof.rollback_staging()
        values = _Values(triples, typed)
        return [
            Violation(
                focus=entry.focus_node,
                path=entry.path,
                constraint=constraint,
                message=self.messages.get(entry.source_shape) or _plain(entry.message),
                value=value,
            )
            for entry in entries
            for constraint in [component_name(entry.constraint_component)]
            for value in values.as_written(entry)
            if not self._range_met(constraint, entry, value, values)
        ]

    def _range_met(
        self,
        constraint: str,
        entry: pyrudof.ShaclValidationEntry,
        value: str | None,
        values: _Values,
    ) -> bool:
        """True for a range result rudof gives in error: it fails a number of another numeric
        datatype than the bound's ("007"^^xsd:long against sh:minInclusive 0), which SHACL
        compares as SPARQL does, and pySHACL passes."""
        bound = self.bounds.get((entry.source_shape, constraint))
        if bound is None or value is None:
            return False
        written = [v for v in values.objects(entry.focus_node, entry.path) if v.value == value]
        try:
            return bool(written) and all(in_range(constraint, bound, v) for v in written)
        except (SyntaxError, ValueError):
            return False


def _document(triples: Sequence[ox.Triple]) -> str:
    """N-Triples text of the triples."""
    return "".join(f"{t} .\n" for t in triples)


def _english_messages(shapes_path: Path) -> dict[str, str]:
    """Each named shape's ``sh:message`` in English (or untagged, or the first one there is)."""
    found: dict[str, list[ox.Literal]] = {}
    for t in ox.parse(path=str(shapes_path), format=ox.RdfFormat.TURTLE):
        if t.predicate.value == SH + "message" and isinstance(t.object, ox.Literal):
            key = t.subject.value if isinstance(t.subject, ox.NamedNode) else f"_:{t.subject.value}"
            found.setdefault(key, []).append(t.object)
    out = {}
    for shape, messages in found.items():
        english = [m for m in messages if (m.language or "en").lower() == "en"]
        out[shape] = (english or messages)[0].value
    return out


def _range_bounds(shapes_path: Path) -> dict[tuple[str, str], ox.Literal]:
    """Each shape's range bounds: (shape, component name such as "MinInclusive") → bound."""
    names = {SH + name[0].lower() + name[1:]: name for name in _RANGE_COMPONENTS}
    out = {}
    for t in ox.parse(path=str(shapes_path), format=ox.RdfFormat.TURTLE):
        if t.predicate.value in names and isinstance(t.object, ox.Literal):
            key = t.subject.value if isinstance(t.subject, ox.NamedNode) else f"_:{t.subject.value}"
            out[(key, names[t.predicate.value])] = t.object
    return out


_RANGE_COMPONENTS = ("MinInclusive", "MinExclusive", "MaxInclusive", "MaxExclusive")


def _plain(message: str | None) -> str:
    return message or "does not conform"


class _Values:
    """What a result's value node was as written. rudof shows a literal's lexical form in
    quotes as it was typed (backslashes and all), but a boolean, a date-time or a value of a
    derived integer type (xsd:long, …) in canonical form and without quotes (``true`` for
    ``"1"^^xsd:boolean``); that value is found again among the focus node's values for the path:
    those of the datatype rudof's RDF report gives it that are equal to it."""

    def __init__(self, triples: Sequence[ox.Triple], typed: dict[tuple, list[ox.Literal]]) -> None:
        self.triples = triples
        self.typed = typed
        self._objects: dict[tuple[str, str], list[ox.Literal]] | None = None

    def as_written(self, entry: pyrudof.ShaclValidationEntry) -> list[str | None]:
        """The entry's value as its statement holds it (one per literal it may stand for)."""
        term = entry.value
        if term is None:
            return [None]
        if term.startswith("<") and term.endswith(">"):
            return [term[1:-1]]
        match = _LITERAL.match(term)
        if match:
            return [match.group("lexical")]
        found = {
            c.value
            for typed in self.typed.get(_key(entry), ())
            if typed.value == term
            for c in equal_values(typed, self.objects(entry.focus_node, entry.path))
        }
        return sorted(found) or [term]

    def objects(self, focus: str, path: str | None) -> list[ox.Literal]:
        """The literal values of ``focus`` for ``path`` among the checked statements."""
        if self._objects is None:
            self._objects = {}
            for t in self.triples:
                if isinstance(t.object, ox.Literal):
                    key = (t.subject.value, t.predicate.value)
                    self._objects.setdefault(key, []).append(t.object)
        return self._objects.get((focus, path or ""), [])


def _canonical(entry: pyrudof.ShaclValidationEntry) -> bool:
    """True when rudof shows the entry's value in canonical form, not as written."""
    term = entry.value
    return term is not None and not term.startswith(('"', "<"))


def _key(entry: pyrudof.ShaclValidationEntry) -> tuple[str, str | None, str]:
    return (entry.focus_node, entry.path, entry.constraint_component)


def _typed_values(rudof: pyrudof.Rudof) -> dict[tuple, list[ox.Literal]]:
    """The literal values of the last validation's results, by (focus, path, component), read
    from rudof's report as RDF (which keeps each value's datatype)."""
    report = rudof.serialize_shacl_validation_results(
        format=pyrudof.ResultShaclValidationFormat.Turtle
    )
    graph: dict[object, dict[str, ox.Term]] = {}
    try:
        for t in ox.parse(report.encode(), format=ox.RdfFormat.TURTLE):
            graph.setdefault(t.subject, {})[t.predicate.value] = t.object
    except SyntaxError:  # pragma: no cover - a report rudof wrote wrong: its renderings stand
        return {}
    out: dict[tuple, list[ox.Literal]] = {}
    for result in graph.values():
        value = result.get(SH + "value")
        if isinstance(value, ox.Literal) and SH + "focusNode" in result:
            path = result.get(SH + "resultPath")
            key = (
                result[SH + "focusNode"].value,
                path.value if isinstance(path, ox.NamedNode) else None,
                result[SH + "sourceConstraintComponent"].value,
            )
            out.setdefault(key, []).append(value)
    return out
