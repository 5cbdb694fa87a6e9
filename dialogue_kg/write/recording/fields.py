"""The fields of a recording form, derived from ontology/shapes.ttl and ontology/dialogue.ttl.

A property shape becomes a field: ``sh:path`` what it records, ``sh:name``/``sh:description`` its
label and help (three languages), ``sh:group``/``sh:order`` where it goes, ``sh:datatype``,
``sh:class``, ``sh:in`` and ``sh:nodeKind`` what kind of input it takes, ``sh:minCount``/
``sh:maxCount`` how many values. A new property in the shapes needs no new form code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from dialogue_kg.config import ontology_dir
from dialogue_kg.labels import best
from dialogue_kg.namespaces import DKG
from dialogue_kg.ontology import ontology_graph

# Languages a text field offers an input for (the archive's working languages).
FORM_LANGUAGES: tuple[str, ...] = ("en", "sq", "sr-Latn")

# Input kinds by datatype.
_DATATYPE_KINDS = {
    RDF.langString: "text",
    XSD.string: "string",
    XSD.date: "date",
    XSD.gYearMonth: "month",
    XSD.gYear: "year",
    XSD.integer: "integer",
    XSD.boolean: "boolean",
    XSD.anyURI: "url",
}

# The {kind} segment of minted IRIs (docs/vocabulary.md), by class; subclasses inherit.
CLASS_KINDS: dict[str, str] = {
    str(DKG.Agreement): "agreement",
    str(DKG.Meeting): "meeting",
    str(DKG.Person): "person",
    str(DKG.Organisation): "organisation",
    str(DKG.Place): "place",
    str(DKG.ImplementationEvent): "event",
    str(DKG.OutreachActivity): "outreach",
    str(DKG.Platform): "outreach",
    str(DKG.Source): "source",
    str(DKG.Claim): "claim",
    str(DKG.RoleHolding): "role",
    str(DKG.DialogueProcess): "process",
    str(DKG.Project): "project",
    str(DKG.NameUsage): "name",
    str(DKG.Topic): "topic",
}

# Classes whose records are made by the archive itself, never through a form.
_NOT_RECORDED = {str(DKG.ChangeSet), str(DKG.AgreementNature), str(DKG.MeetingLevel),
                 str(DKG.ImplementationStatus)}  # fmt: skip

# What a new record made inline (from a reference field) asks for besides its names and type.
QUICK_EXTRAS: dict[str, tuple[str, ...]] = {str(DKG.Agreement): (str(DKG.partOf),)}

SOURCE_PATH = str(DKG.source)


@dataclass(frozen=True)
class Field:
    """One input of a form: a property shape's path and how to ask for its values."""

    key: str
    path: str
    kind: str
    names: dict[str, str]
    descriptions: dict[str, str]
    message: str | None
    group: str | None
    order: float
    datatype: str | None = None
    classes: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    min_count: int = 0
    max_count: int | None = None
    languages_required: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        """The field's label in ``lang`` (English fallback)."""
        return best(((t, g) for g, t in self.names.items()), lang) or self.key

    def description(self, lang: str) -> str:
        """The field's help text in ``lang`` (English fallback)."""
        return best(((t, g) for g, t in self.descriptions.items()), lang) or ""

    @property
    def required(self) -> bool:
        """True when the shapes demand at least one value."""
        return self.min_count > 0 or bool(self.languages_required)

    @property
    def multiple(self) -> bool:
        """True when more than one value may be given."""
        return self.max_count is None or self.max_count > 1

    @property
    def is_reference(self) -> bool:
        """True for fields whose values are other records (picked, or made inline)."""
        return self.kind == "ref"


@dataclass(frozen=True)
class Group:
    """A form section (sh:PropertyGroup)."""

    iri: str | None
    names: dict[str, str]
    order: float

    def name(self, lang: str) -> str:
        """The section title in ``lang``."""
        return best(((t, g) for g, t in self.names.items()), lang) or ""


@dataclass(frozen=True)
class FormSpec:
    """The form of one class: its fields in order, its sections, and its names."""

    cls: str
    key: str
    names: dict[str, str]
    comments: dict[str, str]
    fields: tuple[Field, ...]
    groups: tuple[Group, ...]
    node_paths: tuple[str, ...] = ()  # paths named by node-level rules (e.g. "a date of some kind")
    quick_types: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def name(self, lang: str) -> str:
        """The class label in ``lang``."""
        return best(((t, g) for g, t in self.names.items()), lang) or self.key

    def comment(self, lang: str) -> str:
        """The class description in ``lang``."""
        return best(((t, g) for g, t in self.comments.items()), lang) or ""

    def field(self, key: str) -> Field | None:
        """The field named ``key``, if the form has one."""
        return next((f for f in self.fields if f.key == key), None)

    def by_path(self, path: str) -> Field | None:
        """The field recording ``path``, if the form has one."""
        return next((f for f in self.fields if f.path == path), None)

    def grouped(self) -> list[tuple[Group, list[Field]]]:
        """The fields section by section (the source field is left to the source block)."""
        out = []
        for group in self.groups:
            members = [f for f in self.fields if f.group == group.iri and f.path != SOURCE_PATH]
            if members:
                out.append((group, members))
        return out

    @property
    def kind(self) -> str:
        """The {kind} segment of this class's minted IRIs."""
        return Ontology.get().kind_of(self.cls)


def class_key(cls: str) -> str:
    """The URL key of a class: its local name in kebab case (``implementation-event``)."""
    local = re.split(r"[#/]", cls)[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", local).lower()


def _texts(graph: Graph, subject: URIRef, predicate: URIRef) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in graph.objects(subject, predicate):
        out.setdefault(getattr(value, "language", None) or "", str(value))
    return out


class Ontology:
    """The shapes and ontology graphs, parsed once per process."""

    _instance: Ontology | None = None

    def __init__(self) -> None:
        self.shapes = Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")
        self.ontology = ontology_graph()
        self.parents: dict[str, set[str]] = {}
        for sub, sup in self.ontology.subject_objects(RDFS.subClassOf):
            if isinstance(sup, URIRef):
                self.parents.setdefault(str(sub), set()).add(str(sup))
        # Classes whose members the ontology itself defines (controlled values): picked from a list.
        self.individuals: dict[str, list[str]] = {}
        for s, o in self.ontology.subject_objects(RDF.type):
            if o not in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.Ontology,
                         OWL.AnnotationProperty, RDF.Property, OWL.NamedIndividual):  # fmt: skip
                self.individuals.setdefault(str(o), []).append(str(s))
        self.targets: dict[str, list[URIRef]] = {}
        for shape, cls in self.shapes.subject_objects(SH.targetClass):
            self.targets.setdefault(str(cls), []).append(shape)

    @classmethod
    def get(cls) -> Ontology:
        """The shared instance."""
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def ancestors(self, cls: str) -> list[str]:
        """``cls`` and its superclasses, nearest first."""
        out, todo = [], [cls]
        while todo:
            current = todo.pop(0)
            if current not in out:
                out.append(current)
                todo.extend(sorted(self.parents.get(current, ())))
        return out

    def subclasses(self, cls: str) -> list[str]:
        """``cls`` and every class below it."""
        out = [cls]
        for sub, sups in sorted(self.parents.items()):
            if cls in sups and sub not in out:
                out.extend(c for c in self.subclasses(sub) if c not in out)
        return out

    def shapes_of(self, cls: str) -> list[URIRef]:
        """Node shapes that apply to instances of ``cls`` (its own and its superclasses')."""
        return [s for c in self.ancestors(cls) for s in self.targets.get(c, [])]

    def kind_of(self, cls: str) -> str:
        """The {kind} IRI segment for ``cls``."""
        for c in self.ancestors(cls):
            if c in CLASS_KINDS:
                return CLASS_KINDS[c]
        return class_key(cls)

    def labels(self, iri: str) -> dict[str, str]:
        """An ontology term's rdfs:label by language."""
        return _texts(self.ontology, URIRef(iri), RDFS.label)

    def is_recordable(self, cls: str) -> bool:
        """True for classes a form can record (they have shapes and are not archive-made)."""
        return cls not in _NOT_RECORDED and bool(self.targets.get(cls))


def recordable_classes() -> list[str]:
    """Every class with a form: those with shapes, and their subclasses."""
    onto = Ontology.get()
    found: list[str] = []
    for cls in onto.targets:
        if not onto.is_recordable(cls):
            continue
        for sub in onto.subclasses(cls):
            if sub not in found and sub not in _NOT_RECORDED:
                found.append(sub)
    return sorted(found, key=class_key)


def spec_for_key(key: str) -> FormSpec | None:
    """The form for a class key such as ``meeting`` or ``implementation-event``."""
    for cls in recordable_classes():
        if class_key(cls) == key:
            return form_spec(cls)
    return None


@cache
def form_spec(cls: str) -> FormSpec:
    """The form of ``cls``: the property shapes of every node shape that applies to it."""
    onto = Ontology.get()
    g = onto.shapes
    fields: list[Field] = []
    seen: set[str] = set()
    node_paths: list[str] = []
    for shape in onto.shapes_of(cls):
        for alt_list in g.objects(shape, SH["or"]):
            for alt in Collection(g, alt_list):
                for path in g.objects(alt, SH.path):
                    node_paths.append(str(path))
        for prop in g.objects(shape, SH.property):
            path = g.value(prop, SH.path)
            if not isinstance(path, URIRef) or str(path) in seen:
                continue
            seen.add(str(path))
            fields.append(_field(g, onto, prop, path))
    used_keys: dict[str, int] = {}
    unique = []
    for f in sorted(fields, key=lambda f: (_group_order(g, f.group), f.order, f.key)):
        n = used_keys.get(f.key, 0)
        used_keys[f.key] = n + 1
        unique.append(f if n == 0 else _rekey(f, f"{f.key}{n + 1}"))
    groups = sorted(
        {f.group for f in unique}, key=lambda iri: (_group_order(g, iri), str(iri or ""))
    )
    quick = {f.key: _quick_types(onto, f.classes) for f in unique if f.kind == "ref"}
    return FormSpec(
        cls=cls,
        key=class_key(cls),
        names=onto.labels(cls),
        comments=_texts(onto.ontology, URIRef(cls), RDFS.comment),
        fields=tuple(unique),
        groups=tuple(
            Group(
                iri,
                _texts(g, URIRef(iri), RDFS.label) if iri else {"en": "Other"},
                _group_order(g, iri),
            )
            for iri in groups
        ),
        node_paths=tuple(dict.fromkeys(node_paths)),
        quick_types={k: v for k, v in quick.items() if v},
    )


def _rekey(f: Field, key: str) -> Field:
    from dataclasses import replace

    return replace(f, key=key)


def _group_order(g: Graph, group: str | None) -> float:
    if group is None:
        return 999.0
    value = g.value(URIRef(group), SH.order)
    return float(value) if value is not None else 999.0


def _quick_types(onto: Ontology, classes: tuple[str, ...]) -> tuple[str, ...]:
    """Classes a record made inline for a reference to ``classes`` may have."""
    out: list[str] = []
    for cls in classes:
        for sub in onto.subclasses(cls):
            if (
                sub not in out
                and onto.shapes_of(sub)
                and sub not in _NOT_RECORDED
                and sub not in onto.individuals
                and onto.kind_of(sub) not in ("source", "topic")
            ):
                out.append(sub)
    # People first: most inline actors are the people at the table.
    return tuple(sorted(out, key=lambda c: (onto.kind_of(c) != "person", class_key(c))))


def _field(g: Graph, onto: Ontology, prop: URIRef, path: URIRef) -> Field:
    datatype = g.value(prop, SH.datatype)
    classes = [str(c) for c in g.objects(prop, SH["class"])]
    for alt_list in g.objects(prop, SH["or"]):
        for alt in Collection(g, alt_list):
            classes.extend(str(c) for c in g.objects(alt, SH["class"]))
    options: list[str] = []
    for in_list in g.objects(prop, SH["in"]):
        options.extend(str(v) for v in Collection(g, in_list))
    node_kind = g.value(prop, SH.nodeKind)
    if options:
        kind = "choice"
    elif datatype is not None:
        kind = _DATATYPE_KINDS.get(datatype, "string")
    elif classes:
        controlled = [i for c in classes for i in onto.individuals.get(c, [])]
        if controlled:
            kind, options = "choice", controlled
        else:
            kind = "ref"
    elif node_kind == SH.IRI:
        kind = "iri"
    elif node_kind == SH.IRIOrLiteral:
        kind = "mixed"
    else:
        kind = "string"
    required_langs: list[str] = []
    qualified = g.value(prop, SH.qualifiedValueShape)
    if qualified is not None and int(g.value(prop, SH.qualifiedMinCount) or 0) > 0:
        for lang_list in g.objects(qualified, SH.languageIn):
            required_langs.extend(str(v) for v in Collection(g, lang_list))
    names = _texts(g, prop, SH.name) or onto.labels(str(path))
    max_count = g.value(prop, SH.maxCount)
    order = g.value(prop, SH.order)
    group = g.value(prop, SH.group)
    return Field(
        key=_path_key(str(path)),
        path=str(path),
        kind=kind,
        names=names,
        descriptions=_texts(g, prop, SH.description),
        message=_english(g, prop, SH.message),
        group=str(group) if group is not None else None,
        order=float(order) if order is not None else 500.0,
        datatype=str(datatype) if datatype is not None else None,
        classes=tuple(classes),
        options=tuple(options),
        min_count=int(g.value(prop, SH.minCount) or 0),
        max_count=int(max_count) if max_count is not None else None,
        languages_required=tuple(required_langs),
    )


def _english(g: Graph, subject: URIRef, predicate: URIRef) -> str | None:
    texts = _texts(g, subject, predicate)
    return texts.get("en") or texts.get("") or next(iter(texts.values()), None)


def _path_key(path: str) -> str:
    return re.split(r"[#/]", path)[-1]
