"""Form values and RDF terms: typed text in, terms out, and a record's current values back into
the same shape of form data (for correcting it)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from dialogue_kg.core.archive import Archive
from dialogue_kg.errors import DialogueKGError
from dialogue_kg.labels import canonical, labels, local_name
from dialogue_kg.namespaces import DKG
from dialogue_kg.namespaces import XSD_IRI as XSD
from dialogue_kg.write.recording.fields import (
    FORM_LANGUAGES,
    SOURCE_PATH,
    Field,
    FormSpec,
    Ontology,
)

FormData = Mapping[str, list[str]]

_DATATYPES = {
    "date": XSD + "date",
    "month": XSD + "gYearMonth",
    "year": XSD + "gYear",
    "integer": XSD + "integer",
    "boolean": XSD + "boolean",
    "url": XSD + "anyURI",
}
_BRACKETED = re.compile(r"^(?P<label>.*?)\s*\[(?P<ref>[^\[\]\s]+)\]\s*$")
_IRI = re.compile(r"^(https?|urn):\S+$")

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


class Unresolved(DialogueKGError, ValueError):
    """A reference that names no record, or several."""

    kind = "unresolved"

    def __init__(self, value: str, matches: list[str]) -> None:
        super().__init__(value)
        self.value, self.matches = value, matches


def text_key(key: str, lang: str) -> str:
    """The form key of one language of a text field (``label@sr-Latn``)."""
    return f"{key}@{lang}"


def submitted(data: FormData, key: str) -> list[str]:
    """Non-empty values typed for ``key``, whitespace trimmed, in order, without repeats."""
    return list(dict.fromkeys(v.strip() for v in data.get(key, []) if v and v.strip()))


def literal(f: Field, text: str, lang: str | None = None) -> ox.Literal:
    """The literal a field records for ``text`` (ill-typed text is left for SHACL to report)."""
    if f.kind == "text":
        return ox.Literal(text, language=lang or "en")
    if f.kind == "boolean":
        text = "true" if text.lower() in ("true", "on", "1", "yes") else "false"
    datatype = _DATATYPES.get(f.kind)
    if datatype is None and f.datatype and f.kind not in ("string", "mixed"):
        datatype = f.datatype
    return ox.Literal(text, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(text)


def reference_text(archive: Archive, iri: str, label: str | None) -> str:
    """How a reference is written in a form: ``Label [id/kind/slug]``."""
    base = archive.minter.base
    ref = iri[len(base) :] if iri.startswith(base) else iri
    return f"{label} [{ref}]" if label else f"[{ref}]"


def valid_iri(text: str) -> bool:
    """True when ``text`` is an absolute IRI (safe to put between angle brackets)."""
    if not _IRI.match(text):
        return False
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def resolve(archive: Archive, text: str, classes: Iterable[str]) -> str:
    """The IRI a typed reference means: ``Label [id/…]``, a full IRI, or one record's exact
    label among instances of ``classes``. Raises Unresolved."""
    match = _BRACKETED.match(text)
    if match:
        ref = match.group("ref")
        iri = ref if _IRI.match(ref) else archive.minter.base + ref.lstrip("/")
        if not valid_iri(iri):
            raise Unresolved(text, [])
        return iri
    if _IRI.match(text):
        if not valid_iri(text):
            raise Unresolved(text, [])
        return text
    found = find_by_label(archive, text, classes)
    if len(found) != 1:
        raise Unresolved(text, found)
    return found[0]


_BY_LABEL = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s WHERE {
  VALUES ?cls { %s }
  ?s a ?t . ?t rdfs:subClassOf* ?cls .
  { ?s rdfs:label ?l } UNION { ?s skos:prefLabel ?l }
  FILTER(LCASE(STR(?l)) = LCASE(%s))
} ORDER BY ?s LIMIT 10
"""


def find_by_label(archive: Archive, text: str, classes: Iterable[str]) -> list[str]:
    """Records of ``classes`` (or their subclasses) with exactly this label, any case."""
    values = " ".join(f"<{c}>" for c in classes) or f"<{DKG}Thing>"
    query = _BY_LABEL % (values, ox.Literal(text))
    return [row["s"].value for row in archive.query(query)]


def field_terms(
    archive: Archive, f: Field, data: FormData, prefix: str = ""
) -> tuple[list[ox.Literal | ox.NamedNode], list[tuple[str, Unresolved]]]:
    """The terms submitted for a field, and the references that could not be resolved."""
    key = prefix + f.key
    terms: list[ox.Literal | ox.NamedNode] = []
    problems: list[tuple[str, Unresolved]] = []
    if f.kind == "text":
        for lang in FORM_LANGUAGES:
            terms.extend(literal(f, v, lang) for v in submitted(data, text_key(key, lang)))
        return terms, problems
    for value in submitted(data, key):
        if f.kind == "ref":
            try:
                terms.append(ox.NamedNode(resolve(archive, value, f.classes)))
            except Unresolved as exc:
                problems.append((key, exc))
        elif f.kind == "choice":
            option = choice(f, value)
            if option is None:
                problems.append((key, Unresolved(value, [])))
            else:
                terms.append(ox.NamedNode(option) if valid_iri(option) else literal(f, option))
        elif f.kind == "iri":
            if valid_iri(value):
                terms.append(ox.NamedNode(value))
            else:
                problems.append((key, Unresolved(value, [])))
        elif f.kind == "mixed" and valid_iri(value):
            terms.append(ox.NamedNode(value))
        else:
            terms.append(literal(f, value))
    return terms, problems


def _words(text: str) -> str:
    """Text as lower-case words: "High-level", "high level" and "HighLevel" read alike."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)
    return " ".join(re.split(r"[\W_]+", text.casefold())).strip()


def choice(f: Field, text: str) -> str | None:
    """The option of a choice field that ``text`` names: the option itself, its name in any
    language or its local name (any case, spaces or hyphens), or the first words of exactly one
    option's name ("technical" for "Technical round"); None when it names none."""
    if text in f.options:
        return text
    wanted = _words(text)
    if not wanted:
        return None
    onto = Ontology.get()
    names = {o: {_words(n) for n in (local_name(o), *onto.labels(o).values())} for o in f.options}
    exact = [o for o, said in names.items() if wanted in said]
    starts = [o for o, said in names.items() if any(n.startswith(wanted + " ") for n in said)]
    found = exact or starts
    return found[0] if len(found) == 1 else None


def managed(f: Field, term: ox.Literal | ox.NamedNode) -> bool:
    """True when a form for ``f`` shows (and so may change) this current value."""
    if f.kind == "text":
        return isinstance(term, ox.Literal) and canonical(term.language or "") in FORM_LANGUAGES
    return True


def current_terms(archive: Archive, iri: str) -> dict[str, list[ox.Literal | ox.NamedNode]]:
    """Every current value of ``iri``, by property."""
    out: dict[str, list] = {}
    if not valid_iri(iri):
        return out
    for row in archive.query(f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"):
        out.setdefault(row["p"].value, []).append(row["o"])
    return out


def current_values(archive: Archive, spec: FormSpec, iri: str, lang: str = "en") -> dict:
    """A record's current values as form data (what a correction form opens with)."""
    terms = current_terms(archive, iri)
    refs = [
        t.value
        for f in spec.fields
        if f.kind == "ref"
        for t in terms.get(f.path, [])
        if isinstance(t, ox.NamedNode)
    ]
    names = labels(archive, refs, lang)
    data: dict[str, list[str]] = {}
    for f in spec.fields:
        if f.path == SOURCE_PATH:
            continue
        for t in terms.get(f.path, []):
            if f.kind == "text":
                if managed(f, t):
                    data.setdefault(text_key(f.key, canonical(t.language)), []).append(t.value)
            elif f.kind == "ref" and isinstance(t, ox.NamedNode):
                text = reference_text(archive, t.value, names.get(t.value))
                data.setdefault(f.key, []).append(text)
            else:
                data.setdefault(f.key, []).append(t.value)
    return data


def class_of(archive: Archive, iri: str, classes: Iterable[str]) -> str | None:
    """The first of ``classes`` that ``iri`` is typed with, if any."""
    if not valid_iri(iri):
        return None
    types = {r["t"].value for r in archive.query(f"SELECT ?t WHERE {{ <{iri}> a ?t }}")}
    return next((c for c in classes if c in types), None)
