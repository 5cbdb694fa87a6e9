"""The pySHACL engine: the reference SHACL implementation, run the way the archive needs it.

pySHACL is the reference the tests hold rudof (the default engine) to, and a setting
(``DKG_SHACL_ENGINE=pyshacl``); it is 2-3x slower than rudof on a bulk load. ``run_pyshacl``
calls it on the touched resources only, without the ``focus_nodes`` option: pySHACL 0.40
applies that option inside nested shapes too, so the members of ``sh:or``, ``sh:node`` and
``sh:qualifiedValueShape`` judged no value at all and those constraints always held.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from dialogue_kg.core.validation.results import Violation, component_name, order
from dialogue_kg.ontology import to_rdflib


class PyshaclEngine:
    """SHACL by pySHACL on an rdflib graph of the change set's data."""

    def __init__(self, shapes_path: Path, context: Sequence[ox.Triple]) -> None:
        self.context = [_triple(t) for t in context]
        # A plain (not context-aware) store: pySHACL reads every shape's description from it at
        # every evaluation, and the context-aware Memory store's lookups cost a third of the time.
        self.shapes = Graph(store="SimpleMemory").parse(shapes_path, format="turtle")

    def check(self, triples: Sequence[ox.Triple], focus: list[str]) -> list[Violation]:
        """Violations of the focus nodes, judged on ``triples``."""
        graph = Graph()
        for triple in self.context:
            graph.add(triple)
        for t in triples:
            graph.add(_triple(t))
        conforms, results = run_pyshacl(graph, self.shapes, [URIRef(f) for f in focus])
        return [] if conforms else _violations(results)


def _triple(t: ox.Triple) -> tuple[Node, Node, Node]:
    """The rdflib triple, literals keeping their lexical form (as rudof reports them)."""
    return (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object, lexical=True))


def run_pyshacl(data: Graph, shapes: Graph, focus: Iterable[URIRef]) -> tuple[bool, Graph]:
    """Validate the targets of ``shapes`` in ``data`` that are among ``focus``, as
    ``pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True,
    allow_infos=True)`` would judge them; answer (conformance, results graph).

    The same steps as that entry point takes for rdflib graphs, with two changes. Each shape's
    targets are narrowed to the focus nodes (nested shapes are judged on their value nodes as
    usual, which pySHACL's own ``focus_nodes`` option breaks). And pySHACL's test "is this a
    constraint parameter" looks in a set instead of scanning a list.
    """
    import pyshacl  # heavy import: only when validating
    from pyshacl.errors import ValidationFailure
    from pyshacl.graph_abstraction import DataGraph
    from pyshacl.monkey import rdflib_bool_patch, rdflib_bool_unpatch
    from pyshacl.rdfutil import load_from_source

    _fast_parameter_lookup()
    log = logging.getLogger("pyshacl")
    wanted = frozenset(focus)
    dg = DataGraph.from_rdflib(
        load_from_source(data, multigraph=True, do_owl_imports=False, logger=log)
    )
    rdflib_bool_patch()
    try:
        sg = load_from_source(shapes, multigraph=True, do_owl_imports=False, logger=log)
    finally:
        rdflib_bool_unpatch()
    options = {
        "debug": False,
        "inference": "none",
        "inplace": False,
        "abort_on_first": False,
        "allow_infos": True,
        "allow_warnings": True,
        "advanced": False,
        "iterate_rules": False,
        "use_js": None,
        "sparql_mode": False,
        "logger": log,
        "focus_nodes": None,
        "use_shapes": None,
    }
    validator = pyshacl.Validator(dg, shacl_graph=sg, options=options)
    _narrow_targets(validator.shacl_graph.shapes, wanted)
    try:
        conforms, results, _ = validator.run()
    except ValidationFailure as exc:  # pragma: no cover - what pyshacl.validate reports too
        raise RuntimeError(f"SHACL validation failed: {exc.message}") from exc
    return bool(conforms), results


def _narrow_targets(shapes: Iterable[object], wanted: frozenset) -> None:
    """Make each shape's target lookup keep only the wanted focus nodes. pySHACL's shapes have
    ``__slots__``, so this gives them a subclass (same layout) that narrows ``focus_nodes``."""
    from pyshacl.shape import Shape

    class Narrowed(Shape):
        __slots__ = ()

        def focus_nodes(self, data_graph: object, debug: bool = False) -> set:
            return {n for n in super().focus_nodes(data_graph, debug=debug) if n in wanted}

    for shape in shapes:
        if type(shape) is Shape:
            shape.__class__ = Narrowed


class _Parameters(list):
    """pySHACL's list of constraint parameters (what it expects), with a set's membership test."""

    def __init__(self, items: Iterable[object]) -> None:
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def _fast_parameter_lookup() -> None:
    """Give pySHACL a constant-time test of "is this predicate a constraint parameter".

    pySHACL 0.40 tests every predicate of every shape it evaluates with ``p in <list of about
    40 parameters>``: a linear scan of rdflib ``__eq__`` calls, half of a validation's time. It
    caches that list in ``pyshacl.shape.CONSTRAINT_PARAMS``; this seeds the cache with the same
    list (same items, same order, still a list) whose ``in`` looks in a set. Equality of rdflib
    terms agrees with their hash, so every answer is the same. Left alone if pySHACL's layout
    is not the one described here (it then works as it always did, only slower).
    """
    try:
        from pyshacl import shape
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    except ImportError:  # pragma: no cover - another pySHACL layout
        return
    cached = getattr(shape, "CONSTRAINT_PARAMS", None)
    if cached is not None and isinstance(cached[0], _Parameters):
        return
    if cached is not None and list(cached[0]) != list(ALL_CONSTRAINT_PARAMETERS):
        return  # pragma: no cover - someone else seeded it
    shape.CONSTRAINT_PARAMS = (_Parameters(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)


def _violations(results: Graph) -> list[Violation]:
    out = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        if severity != SH.Violation:
            continue
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        component = results.value(result, SH.sourceConstraintComponent)
        messages = [str(m) for m in results.objects(result, SH.resultMessage)]
        english = [
            str(m)
            for m in results.objects(result, SH.resultMessage)
            if getattr(m, "language", None) in (None, "en")
        ]
        out.append(
            Violation(
                focus=str(results.value(result, SH.focusNode)),
                path=str(path)
                if isinstance(path, URIRef)
                else (None if path is None else "(path)"),
                constraint=component_name(str(component)) if component else "?",
                message=(english or messages or ["does not conform"])[0],
                value=None if value is None else str(value),
            )
        )
    return sorted(out, key=order)
