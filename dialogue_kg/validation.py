"""SHACL validation of change sets, on the resources they touch, before anything is written."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from .changeset import ChangeSet
from .namespaces import PREFIXES
from .store.base import QuadStore
from .terms import to_rdflib

# rdflib logs a traceback for every ill-typed literal (e.g. "2011-02-30"^^xsd:date) it meets;
# pySHACL reports those as datatype violations, which is what the user is shown instead.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)

# Focus nodes per pySHACL run. pySHACL 0.40 tests focus-node membership by scanning a list, which
# made large chunks quadratic; run_pyshacl gives it a set, and 1,000 now beats 200 (fewer setups).
_CHUNK = 1000


@dataclass(frozen=True)
class LanguageRule:
    """``sh:qualifiedValueShape [ sh:languageIn (…) ]`` with ``sh:qualifiedMinCount``: e.g. "at
    least one English label". Checked by the archive itself, because pySHACL 0.40 skips
    qualified value shapes when it is given focus nodes (as every change set's check is)."""

    target: URIRef
    path: URIRef
    languages: tuple[str, ...]
    minimum: int
    message: str

    def holds(self, values: Iterable[object]) -> bool:
        """True when at least ``minimum`` of ``values`` are literals in one of the languages."""
        found = 0
        for v in values:
            lang = (getattr(v, "language", None) or "").lower()
            if lang and any(lang == x or lang.startswith(x + "-") for x in self.languages):
                found += 1
        return found >= self.minimum


@dataclass(frozen=True)
class Violation:
    """One SHACL result: which resource, which property, which constraint, in plain words."""

    focus: str
    path: str | None
    constraint: str
    message: str
    value: str | None = None
    severity: str = "Violation"

    def __str__(self) -> str:
        where = f"{_short(self.focus)} {_short(self.path)}" if self.path else _short(self.focus)
        value = f" (value: {self.value})" if self.value else ""
        return f"{where}: {self.message}{value} [{self.constraint}]"

    def as_dict(self) -> dict[str, str | None]:
        """JSON-ready form."""
        return {
            "focus": self.focus,
            "path": self.path,
            "constraint": self.constraint,
            "message": self.message,
            "value": self.value,
            "severity": self.severity,
        }


class ValidationError(Exception):
    """A change set breaks the shapes; nothing was written."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        lines = "\n".join(f"  {v}" for v in violations[:50])
        more = f"\n  … and {len(violations) - 50} more" if len(violations) > 50 else ""
        super().__init__(
            f"the change was rejected by {len(violations)} SHACL violation(s); nothing was "
            f"written:\n{lines}{more}"
        )


def _short(iri: str | None) -> str:
    if iri is None:
        return ""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


class Validator:
    """Validates change sets against ``shapes.ttl``, using the ontology's class hierarchy."""

    def __init__(self, shapes_path: Path, ontology_path: Path) -> None:
        # A plain (not context-aware) store: pySHACL reads every shape's description from it at
        # every evaluation, and the context-aware Memory store's lookups cost a third of the time.
        self.shapes = Graph(store="SimpleMemory").parse(shapes_path, format="turtle")
        ontology = Graph().parse(ontology_path, format="turtle")
        # What pySHACL needs from the ontology: the class hierarchy (sh:class accepts subclass
        # instances) and the types of the ontology's own individuals (dkg:Political, …).
        self.hierarchy = list(ontology.triples((None, RDFS.subClassOf, None)))
        self.individual_types = {
            s: list(ontology.objects(s, RDF.type)) for s in set(ontology.subjects(RDF.type, None))
        }
        self.language_rules = language_rules(self.shapes)
        self.subclasses = _subclass_closure(self.hierarchy)

    def validate(self, store: QuadStore, changesets: Iterable[ChangeSet]) -> list[Violation]:
        """Violations the change sets would cause, judged on the state after applying them all."""
        added: dict[ox.Triple, None] = {}
        removed: set[ox.Triple] = set()
        for cs in changesets:
            removed.update(cs.removed)
            for t in cs.removed:
                added.pop(t, None)
            added.update(dict.fromkeys(cs.added))
        focus = sorted(
            {t.subject.value for t in (*added, *removed) if isinstance(t.subject, ox.NamedNode)}
        )
        by_subject: dict[str, list[ox.Triple]] = {}
        for t in added:
            by_subject.setdefault(t.subject.value, []).append(t)
        violations: list[Violation] = []
        for i in range(0, len(focus), _CHUNK):
            chunk = focus[i : i + _CHUNK]
            violations.extend(self._validate_chunk(store, chunk, by_subject, removed))
        return violations

    def _validate_chunk(
        self,
        store: QuadStore,
        focus: list[str],
        by_subject: dict[str, list[ox.Triple]],
        removed: set[ox.Triple],
    ) -> list[Violation]:
        state = {t for t in store.describe(focus) if t not in removed}
        for s in focus:
            state.update(by_subject.get(s, ()))
        graph = Graph()
        malformed: list[Violation] = []
        for t in state:
            obj = to_rdflib(t.object)
            if isinstance(obj, Literal) and obj.ill_typed:
                # Reported here, and kept out of pySHACL's graph: its comparisons
                # (sh:lessThan…) fail on values that are not of their datatype.
                malformed.append(_ill_typed(t, obj))
                continue
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), obj))
        # Types of the resources these statements point at, for sh:class.
        focus_set = set(focus)
        objects = {
            t.object.value
            for t in state
            if isinstance(t.object, ox.NamedNode) and t.object.value not in focus_set
        }
        known = [o for o in objects if URIRef(o) not in self.individual_types]
        for t in store.describe(known):
            if t.predicate.value == str(RDF.type):
                graph.add((to_rdflib(t.subject), RDF.type, to_rdflib(t.object)))
        for o in objects:
            for cls in self.individual_types.get(URIRef(o), ()):
                graph.add((URIRef(o), RDF.type, cls))
        for o in known:
            for t in by_subject.get(o, ()):
                if t.predicate.value == str(RDF.type):
                    graph.add((to_rdflib(t.subject), RDF.type, to_rdflib(t.object)))
        for triple in self.hierarchy:
            graph.add(triple)
        malformed.extend(self._check_languages(graph, focus))
        conforms, results = run_pyshacl(graph, self.shapes, [URIRef(f) for f in focus])
        if conforms:
            return sorted(malformed, key=_order)
        return sorted(dict.fromkeys([*malformed, *_violations(results)]), key=_order)

    def _check_languages(self, graph: Graph, focus: list[str]) -> list[Violation]:
        """The language rules pySHACL skips, on the focus nodes of their target classes."""
        out = []
        for f in focus:
            node = URIRef(f)
            types = set(graph.objects(node, RDF.type))
            for rule in self.language_rules:
                if types & self.subclasses.get(rule.target, {rule.target}):
                    if not rule.holds(graph.objects(node, rule.path)):
                        out.append(
                            Violation(
                                focus=f,
                                path=str(rule.path),
                                constraint="QualifiedMinCount",
                                message=rule.message,
                            )
                        )
        return out


def run_pyshacl(data: Graph, shapes: Graph, focus: list[URIRef]) -> tuple[bool, Graph]:
    """What ``pyshacl.validate(data, shacl_graph=shapes, inference="none", focus_nodes=focus,
    allow_warnings=True, allow_infos=True)`` does (conformance, results graph), faster.

    The same steps as that entry point takes for rdflib graphs, with two lookups pySHACL 0.40
    does by scanning a list (is this a constraint parameter; is this node a focus node) done in
    a set: the list is quadratic in the focus nodes of a chunk. Everything else is pySHACL's.
    """
    import pyshacl  # heavy import: only when validating
    from pyshacl.errors import ValidationFailure
    from pyshacl.graph_abstraction import DataGraph
    from pyshacl.monkey import rdflib_bool_patch, rdflib_bool_unpatch
    from pyshacl.rdfutil import load_from_source

    _fast_parameter_lookup()
    log = logging.getLogger("pyshacl")
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
        "focus_nodes": focus,
        "use_shapes": None,
    }

    class _Validator(pyshacl.Validator):
        def make_executor(self):  # noqa: ANN202 - pySHACL's executor type
            executor = super().make_executor()
            if executor.focus_nodes:
                executor.focus_nodes = _Members(executor.focus_nodes)
            return executor

    try:
        conforms, results, _ = _Validator(dg, shacl_graph=sg, options=options).run()
    except ValidationFailure as exc:  # pragma: no cover - what pyshacl.validate reports too
        raise RuntimeError(f"SHACL validation failed: {exc.message}") from exc
    return bool(conforms), results


class _Members(list):
    """A list (what pySHACL expects) whose membership test looks in a set."""

    def __init__(self, items: Iterable[object]) -> None:
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members


class _Parameters(_Members):
    """pySHACL's list of constraint parameters, with a set's membership test."""


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


def language_rules(shapes: Graph) -> list[LanguageRule]:
    """Every property shape requiring a minimum number of values in given languages."""
    rules = []
    for prop, qualified in shapes.subject_objects(SH.qualifiedValueShape):
        languages = shapes.value(qualified, SH.languageIn)
        minimum = shapes.value(prop, SH.qualifiedMinCount)
        path = shapes.value(prop, SH.path)
        if languages is None or minimum is None or not isinstance(path, URIRef):
            continue
        tags = tuple(str(t).lower() for t in shapes.collection(languages))
        messages = list(shapes.objects(prop, SH.message))
        english = [m for m in messages if getattr(m, "language", None) in (None, "en")]
        message = str((english or messages or [f"needs a value in {', '.join(tags)}"])[0])
        for node in shapes.subjects(SH.property, prop):
            for target in shapes.objects(node, SH.targetClass):
                rules.append(LanguageRule(target, path, tags, int(minimum), message))
    return rules


def _subclass_closure(hierarchy: list[tuple]) -> dict[URIRef, set[URIRef]]:
    """Each class with all its (transitive) subclasses, itself included."""
    children: dict[URIRef, set[URIRef]] = {}
    for sub, _, sup in hierarchy:
        children.setdefault(sup, set()).add(sub)
    closure: dict[URIRef, set[URIRef]] = {}
    for cls in children:
        seen, todo = {cls}, [cls]
        while todo:
            for sub in children.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        closure[cls] = seen
    return closure


def _order(v: Violation) -> tuple[str, str, str]:
    return (v.focus, v.path or "", v.constraint)


def _ill_typed(t: ox.Triple, obj: Literal) -> Violation:
    datatype = _short(str(obj.datatype))
    return Violation(
        focus=t.subject.value,
        path=t.predicate.value,
        constraint="Datatype",
        message=f"{str(obj)!r} is not a valid {datatype} value",
        value=str(obj),
    )


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
                constraint=str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
                if component
                else "?",
                message=(english or messages or ["does not conform"])[0],
                value=None if value is None else str(value),
            )
        )
    return sorted(out, key=_order)
