"""What a recording form shows: problems in plain words beside their fields, choices with their
names, the inline rows typed so far. Used by the ``record`` blueprint's templates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from dialogue_kg.labels import LANGUAGES, best
from dialogue_kg.write.recording import FORM_LANGUAGES, FormSpec, Problem
from dialogue_kg.write.recording.fields import (
    QUICK_EXTRAS,
    SOURCE_PATH,
    Field,
    Ontology,
    class_key,
    form_spec,
)

_ROW = re.compile(r"^new\.([A-Za-z0-9]+)\.(\d{1,3})\.")

# Keys of the source block's inputs, where problems with the change's source are shown.
SOURCE_KEYS = ("source", "_source", "_source_title", "_source_url", "_source_issuer",
               "_source_date")  # fmt: skip
# The kind of value typed in the inputs of a new source document (they are no shape's fields).
_SOURCE_KINDS = {"_source_url": "url", "_source_date": "date"}


def _what(kind: str) -> str:
    return {
        "date": _("date, written YYYY-MM-DD"),
        "month": _("month, written YYYY-MM"),
        "year": _("year, such as 2013"),
        "integer": _("whole number"),
        "boolean": _("yes or no"),
        "url": _("web address"),
    }.get(kind, _("value"))


def class_name(cls: str, lang: str) -> str:
    """A class's name in ``lang``, from the ontology."""
    names = Ontology.get().labels(cls)
    return best(((t, g) for g, t in names.items()), lang) or cls.rsplit("#", 1)[-1]


def explain(problem: Problem, spec: FormSpec, lang: str) -> str:
    """A problem in plain words, in the visitor's language."""
    f = _field_of(problem, spec)
    name = f.name(lang) if f else ""
    value = problem.value or ""
    code = problem.code
    if code == "unknown-reference":
        return _(
            "No record is called “%(value)s”. Pick one from the suggestions, or add a new one.",
            value=value,
        )
    if code == "ambiguous-reference":
        return _("Several records are called “%(value)s”: pick one from the suggestions.",
                 value=value)  # fmt: skip
    if code == "not-an-option":
        return _("“%(value)s” is not one of the choices.", value=value)
    if code == "missing-language":
        tag = problem.key.rsplit("@", 1)[-1]
        return _("A name in %(language)s is required.", language=LANGUAGES.get(tag, tag))
    if code == "missing-source" or (
        problem.path == SOURCE_PATH and problem.constraint == "MinCount"
    ):
        return _(
            "A source is required: pick a document already in the archive, or give the title "
            "or web address of a new one."
        )
    constraint = problem.constraint or ""
    if constraint == "MinCount":
        return _("%(field)s is required.", field=name or _("This"))
    if constraint == "MaxCount":
        return _("%(field)s takes only one value.", field=name or _("This"))
    if constraint == "Datatype":
        kind = f.kind if f else _SOURCE_KINDS.get(problem.key, "")
        return _("“%(value)s” is not a valid %(what)s.", value=value, what=_what(kind))
    if constraint == "Class" and f is not None:
        kinds = ", ".join(class_name(c, lang) for c in f.classes)
        return _("“%(value)s” is not a record of the right kind (%(kinds)s).", value=value,
                 kinds=kinds)  # fmt: skip
    if constraint in ("LessThanOrEquals", "LessThan"):
        return _("%(field)s must not come after the end.", field=name)
    if constraint == "Or" and problem.path is None:
        return _("Give a date: the day, or the month, or at least the year.")
    if constraint in ("MinInclusive", "MinExclusive"):
        return _("%(field)s is too small.", field=name)
    return problem.message or _("This value does not fit the rules of the archive.")


def _field_of(problem: Problem, spec: FormSpec) -> Field | None:
    key = problem.key
    if key.startswith("new."):
        return None
    base = key.split("@", 1)[0]
    return spec.field(base) or (spec.by_path(problem.path) if problem.path else None)


def messages(problems: list[Problem], spec: FormSpec, lang: str) -> dict[str, list[dict]]:
    """Problems by form key, each as {text, detail}; repeats of one message dropped, and the
    inline records' missing source folded into the source block's message."""
    out: dict[str, list[dict]] = {}
    missing_source = any(
        p.code == "missing-source" or (p.path == SOURCE_PATH and p.key in SOURCE_KEYS)
        for p in problems
    )
    for p in problems:
        key = p.key
        if p.path == SOURCE_PATH and p.constraint == "MinCount":
            if key != "source" and missing_source:
                continue
            key = "source"
        text = explain(p, spec, lang)
        detail = p.message if p.code == "shacl" and p.message != text else None
        items = out.setdefault(key, [])
        if not any(i["text"] == text for i in items):
            items.append({"text": text, "detail": detail})
    return out


def key_prefixes(errors: dict[str, list[dict]], key: str) -> list[dict]:
    """The messages for a field key and its language variants (``label``, ``label@en``…)."""
    out: list[dict] = []
    for k, items in errors.items():
        if k == key or k.startswith(key + "@") or k.startswith(key + "."):
            out.extend(items)
    return out


def rows_of(data: dict[str, list[str]], field_key: str, extra: str | None = None) -> list[str]:
    """The inline-row prefixes typed for a field, plus one more when asked (no-JS 'add')."""
    found: list[int] = []
    for key in data:
        m = _ROW.match(key)
        if m and m.group(1) == field_key and int(m.group(2)) not in found:
            found.append(int(m.group(2)))
    found.sort()
    if extra == f"new.{field_key}":
        found.append((max(found) + 1) if found else 0)
    return [f"new.{field_key}.{n}" for n in found]


@dataclass
class FormView:
    """Everything a form template needs besides the spec."""

    spec: FormSpec
    data: dict[str, list[str]]
    lang: str
    errors: dict[str, list[dict]] = field(default_factory=dict)
    add: str | None = None
    choice_names: dict[str, str] = field(default_factory=dict)

    def values(self, key: str, blank: bool = True) -> list[str]:
        """Values typed for ``key``, plus a blank input (or one more when 'add' asked)."""
        vals = [v for v in self.data.get(key, []) if v.strip()]
        f = self.spec.field(key.split("@", 1)[0])
        multiple = f.multiple if f else False
        if blank and (not vals or (multiple and self.add == key)):
            vals.append("")
        return vals

    def first(self, key: str) -> str:
        """The first value typed for ``key`` (or "")."""
        return next((v for v in self.data.get(key, []) if v.strip()), "")

    def rows(self, field_key: str) -> list[str]:
        """Inline rows for a reference field."""
        return rows_of(self.data, field_key, self.add)

    def errors_for(self, key: str) -> list[dict]:
        """Messages for one field (all its languages and rows)."""
        return key_prefixes(self.errors, key)

    def quick_extras(self, cls: str) -> list[Field]:
        """Further fields an inline record of ``cls`` asks for (e.g. a sub-agreement's parent)."""
        spec = form_spec(cls)
        return [f for p in QUICK_EXTRAS.get(cls, ()) if (f := spec.by_path(p))]

    @staticmethod
    def anchor(key: str) -> str:
        """An element id for a form key (``label@sr-Latn`` → ``f-label-sr-Latn``)."""
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)

    def field_anchor(self, key: str) -> str:
        """The id of the block showing a problem's field, for the summary's links."""
        if key in SOURCE_KEYS:
            return "field-source"
        if not key:
            return "record-form"
        base = key.split(".", 2)[1] if key.startswith("new.") else key.split("@", 1)[0]
        return f"field-{base}"

    def class_name(self, cls: str) -> str:
        """A class's name in the form's language."""
        return class_name(cls, self.lang)

    def lookup_class(self, f: Field) -> str:
        """The class key the picker searches for a reference field's values."""
        return class_key(f.classes[0]) if f.classes else ""

    @property
    def form_languages(self) -> dict[str, str]:
        """The languages a text field has an input for, with their names."""
        return language_names()

    def page(self, iri: str) -> str | None:
        """The path of a record's page on this site."""
        from . import get_archive

        base = get_archive().minter.base
        return "/" + iri[len(base) :].lstrip("/") if iri.startswith(base) else None

    def textarea(self, f: Field) -> bool:
        """Long text (descriptions, outcomes) gets a text area; names get a line."""
        return f.kind == "text" and not f.key.lower().endswith("label") and f.key != "role"


def choice_names(spec: FormSpec, lang: str) -> dict[str, str]:
    """Names of the controlled values a form offers, in ``lang``."""
    out = {}
    for f in spec.fields:
        for option in f.options:
            out[option] = class_name(option, lang)
    return out


def language_names() -> dict[str, str]:
    """The form's languages with their names."""
    return {tag: LANGUAGES[tag] for tag in FORM_LANGUAGES}
