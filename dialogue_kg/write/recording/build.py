"""Submitted form data → one change set: the record, the records made inline beside it (new
place, actors, sub-agreements), the new source document, each with its names and source."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import pyoxigraph as ox

from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.namespaces import DCT_IRI as DCT
from dialogue_kg.namespaces import DKG, XSD_IRI, slugify
from dialogue_kg.namespaces import RDF_TYPE_IRI as RDF_TYPE
from dialogue_kg.write.recording.fields import (
    FORM_LANGUAGES,
    QUICK_EXTRAS,
    SOURCE_PATH,
    Field,
    FormSpec,
    Ontology,
    form_spec,
)
from dialogue_kg.write.recording.values import (
    RDFS_LABEL,
    FormData,
    Unresolved,
    current_terms,
    field_terms,
    managed,
    resolve,
    submitted,
    text_key,
)

SOURCE_KEY = "_source"  # an existing source document
NEW_SOURCE_KEYS = ("_source_title", "_source_url", "_source_issuer", "_source_date")
_NEW_ROW = re.compile(r"^new\.(?P<field>[A-Za-z0-9]+)\.(?P<n>\d{1,3})\.")
_ACTOR = str(DKG.Actor)


@dataclass
class Problem:
    """Something wrong with what was typed, tied to the form key it concerns."""

    key: str
    code: str  # unknown-reference | ambiguous-reference | not-an-option | shacl | conflict
    value: str | None = None
    constraint: str | None = None
    message: str | None = None  # the shape's sh:message, for SHACL results
    path: str | None = None  # the property a SHACL result concerns
    matches: list[str] = field(default_factory=list)


@dataclass
class NewRecord:
    """A record the change set creates: where it came from in the form, and what it is."""

    iri: str
    cls: str
    key: str  # "" for the form's own record, "new.<field>.<n>" for inline rows, "_source"
    labels: list[str]
    date: str | None = None
    place: str | None = None


@dataclass
class Draft:
    """What a submitted form would write, and the input problems found building it."""

    iri: str
    spec: FormSpec
    changeset: ChangeSet
    is_new: bool
    created: list[NewRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    source: str | None = None

    def key_of(self, iri: str) -> str | None:
        """The form key of a record this draft makes or edits."""
        if iri == self.iri:
            return ""
        return next((r.key for r in self.created if r.iri == iri), None)


def _t(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), o)


def _readable_iri(archive: Archive, cls: str, name: str, date: str | None = None) -> str:
    """The IRI a new record is given when nobody has used it: its kind, its name, its day."""
    kind = Ontology.get().kind_of(cls)
    slug = slugify(name)[:60].rstrip("-")
    if "-" in slug and len(slugify(name)) > 60:
        slug = slug.rsplit("-", 1)[0]
    if date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) and date not in slug:
        slug = f"{slug}-{date}"
    minter = archive.minter
    return f"{minter.base}topic/{slug}" if kind == "topic" else minter.resource(kind, slug)


def _naming(spec: FormSpec, data: FormData) -> tuple[str, str | None, list[str]]:
    """A new record's name (for its IRI), its date, and every name typed for it."""
    english = submitted(data, text_key("label", "en"))
    other = [v for lang in FORM_LANGUAGES for v in submitted(data, text_key("label", lang))]
    date = next(iter(submitted(data, "date")), None)
    return (english or other or [spec.key])[0], date, english or other


def readable_iri(archive: Archive, spec: FormSpec, data: FormData) -> str:
    """The IRI a new record made from ``data`` gets when that IRI is still free (bulk import
    refuses a row whose record would need another, so importing a file twice is refused)."""
    name, date, _ = _naming(spec, data)
    return _readable_iri(archive, spec.cls, name, date)


class _Minter:
    """Fresh IRIs for new records: readable slugs, never one used before (now or in history)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.taken: set[str] = set()

    def mint(self, cls: str, name: str, date: str | None = None) -> str:
        stem = _readable_iri(self.archive, cls, name, date)
        iri, n = stem, 1
        while iri in self.taken or used(self.archive, iri):
            n += 1
            iri = f"{stem}-{n}"
        self.taken.add(iri)
        return iri


class _JournalIRIs:
    """Every resource IRI the journal has ever mentioned, kept up to date incrementally (one
    scan of the journal per process, then only the records written since)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: dict[str, tuple[int, set[str]]] = {}

    def __call__(self, archive: Archive) -> set[str]:
        key = str(archive.journal.path)
        pattern = re.compile(re.escape(archive.minter.base) + "(?:id|topic)/")
        with self.lock:
            revision, iris = self.seen.get(key, (0, set()))
            if revision > archive.revision:  # a different journal at the same path
                revision, iris = 0, set()
            if revision < archive.revision:
                for record in archive.records(revision + 1, archive.revision):
                    iris.update(i for i in record.iris() if pattern.match(i))
                revision = archive.revision
            self.seen[key] = (revision, iris)
            return iris


_journal_iris = _JournalIRIs()


def used(archive: Archive, iri: str) -> bool:
    """True when ``iri`` appears in the current state or anywhere in the journal."""
    if archive.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}"):
        return True
    return iri in _journal_iris(archive)


def build(
    archive: Archive,
    spec: FormSpec,
    data: FormData,
    iri: str | None = None,
    *,
    new_iri: str | None = None,
) -> Draft:
    """The change set a submitted form proposes; ``iri`` is the record being corrected, if any,
    and ``new_iri`` the IRI a new record takes instead of one minted from its name."""
    minter = _Minter(archive)
    problems: list[Problem] = []
    source, source_triples, source_record = _source(archive, data, minter, problems)
    cs = ChangeSet(sources=[source] if source else [])
    comment = " ".join(submitted(data, "_comment"))
    cs.comment = comment or None
    is_new = iri is None
    name, date, names = _naming(spec, data)
    if iri is None:
        iri = new_iri or minter.mint(spec.cls, name, date)
        minter.taken.add(iri)
        cs.added.append(_t(iri, RDF_TYPE, ox.NamedNode(spec.cls)))
    draft = Draft(iri=iri, spec=spec, changeset=cs, is_new=is_new, source=source)
    if is_new:
        draft.created.append(NewRecord(iri, spec.cls, "", names, date))
    if source_record:
        draft.created.append(source_record)
    current = {} if is_new else current_terms(archive, iri)
    if not is_new and not current:
        raise LookupError(f"no record <{iri}> in the archive")
    for f in spec.fields:
        if f.path == SOURCE_PATH:
            continue
        terms, unresolved = field_terms(archive, f, data)
        problems.extend(_unresolved(key, exc, f) for key, exc in unresolved)
        terms = _with_year(f, spec, data, terms)
        if is_new and f.path == str(DKG.place) and terms:
            draft.created[0].place = terms[0].value
        # Checked here as well as by SHACL, so the form can point at the language box to fill.
        if f.languages_required and not _has_language(terms, f.languages_required):
            if is_new or _has_language(current.get(f.path, []), f.languages_required):
                problems.append(
                    Problem(text_key(f.key, f.languages_required[0]), "missing-language")
                )
        now = [t for t in current.get(f.path, []) if managed(f, t)]
        cs.removed.extend(_t(iri, f.path, t) for t in now if t not in terms)
        cs.added.extend(_t(iri, f.path, t) for t in terms if t not in now)
    for f in spec.fields:
        if f.kind == "ref":
            _inline_records(archive, draft, f, data, minter, problems)
    if source:
        cs.added.extend(source_triples)
        subjects = dict.fromkeys([iri, *(r.iri for r in draft.created if r.key != SOURCE_KEY)])
        have = {t.value for t in current.get(SOURCE_PATH, [])}
        cs.added.extend(
            _t(s, SOURCE_PATH, ox.NamedNode(source))
            for s in subjects
            if not (s == iri and source in have)
        )
    draft.problems = problems
    return draft


def _has_language(terms: list, languages: tuple[str, ...]) -> bool:
    """True when one of ``terms`` is a literal in one of ``languages``."""
    wanted = {lang.lower() for lang in languages}
    return any(isinstance(t, ox.Literal) and (t.language or "").lower() in wanted for t in terms)


def _unresolved(key: str, exc: Unresolved, f: Field | None = None) -> Problem:
    if f is not None and f.kind == "choice":
        return Problem(key, "not-an-option", exc.value)
    code = "ambiguous-reference" if exc.matches else "unknown-reference"
    return Problem(key, code, exc.value, matches=exc.matches)


def _with_year(f: Field, spec: FormSpec, data: FormData, terms: list) -> list:
    """Add the year when a day or a month is given and no year typed (docs/vocabulary.md: give
    dkg:year whenever the year is known; filters and the time slider use it)."""
    if f.path != str(DKG.year) or terms:
        return terms
    for path, pattern in ((DKG.date, r"\d{4}-\d{2}-\d{2}"), (DKG.yearMonth, r"\d{4}-\d{2}")):
        given = spec.by_path(str(path))
        values = submitted(data, given.key) if given else []
        if values and re.fullmatch(pattern, values[0]):
            return [ox.Literal(values[0][:4], datatype=ox.NamedNode(f.datatype or ""))]
    return terms


def _rows(data: FormData, field_key: str) -> list[str]:
    """The inline-row prefixes (``new.participant.0``) present in the data for a field."""
    rows = []
    for key in data:
        m = _NEW_ROW.match(key)
        if m and m.group("field") == field_key:
            prefix = f"new.{field_key}.{m.group('n')}"
            if prefix not in rows:
                rows.append(prefix)
    return sorted(rows, key=lambda p: int(p.rsplit(".", 1)[1]))


def _inline_records(
    archive: Archive,
    draft: Draft,
    f: Field,
    data: FormData,
    minter: _Minter,
    problems: list[Problem],
) -> None:
    """New records typed in a reference field's inline rows, linked from the form's record."""
    allowed = draft.spec.quick_types.get(f.key, ())
    for row in _rows(data, f.key):
        names = {lang: submitted(data, f"{row}.label@{lang}")[:1] for lang in FORM_LANGUAGES}
        if not any(names.values()):
            continue
        chosen = next(iter(submitted(data, f"{row}.type")), None) or (allowed[:1] or [None])[0]
        if chosen not in allowed:
            problems.append(Problem(f"{row}.type", "not-an-option", chosen))
            continue
        label_field = form_spec(chosen).by_path(RDFS_LABEL)
        needed = label_field.languages_required if label_field else ()
        if needed and not any(names.get(lang) for lang in needed):
            problems.append(Problem(f"{row}.label@{needed[0]}", "missing-language"))
        first = next(v[0] for v in (names["en"], *names.values()) if v)
        iri = minter.mint(chosen, first)
        cs = draft.changeset
        cs.added.append(_t(iri, RDF_TYPE, ox.NamedNode(chosen)))
        for lang, values in names.items():
            cs.added.extend(_t(iri, RDFS_LABEL, ox.Literal(v, language=lang)) for v in values)
        sub_spec = form_spec(chosen)
        for extra in QUICK_EXTRAS.get(chosen, ()):
            extra_field = sub_spec.by_path(extra)
            if extra_field is None:
                continue
            terms, unresolved = field_terms(archive, extra_field, data, prefix=f"{row}.")
            problems.extend(_unresolved(key, exc) for key, exc in unresolved)
            cs.added.extend(_t(iri, extra, t) for t in terms)
        cs.added.append(_t(draft.iri, f.path, ox.NamedNode(iri)))
        draft.created.append(NewRecord(iri, chosen, row, [v[0] for v in names.values() if v]))


def _source(
    archive: Archive, data: FormData, minter: _Minter, problems: list[Problem]
) -> tuple[str | None, list[ox.Triple], NewRecord | None]:
    """The change's source document: an existing one, or a new one from title/URL/issuer/date."""
    chosen = submitted(data, SOURCE_KEY)
    if chosen:
        try:
            return resolve(archive, chosen[0], [str(DKG.Source)]), [], None
        except Unresolved as exc:
            problems.append(_unresolved(SOURCE_KEY, exc))
            return None, [], None
    title = next(iter(submitted(data, "_source_title")), None)
    url = next(iter(submitted(data, "_source_url")), None)
    if not (title or url):
        return None, [], None
    issuer = next(iter(submitted(data, "_source_issuer")), None)
    date = next(iter(submitted(data, "_source_date")), None)
    name = title or url or ""
    iri = minter.mint(str(DKG.Source), name, date)

    def typed(text: str, datatype: str) -> ox.Literal:
        return ox.Literal(text, datatype=ox.NamedNode(XSD_IRI + datatype))

    triples = [
        _t(iri, RDF_TYPE, ox.NamedNode(str(DKG.Source))),
        _t(iri, RDFS_LABEL, ox.Literal(name, language="en")),
        _t(iri, DCT + "title", ox.Literal(name)),
        _t(iri, SOURCE_PATH, ox.NamedNode(iri)),
    ]
    if url:
        triples.append(_t(iri, str(DKG.url), typed(url, "anyURI")))
    if issuer:
        try:
            publisher: ox.NamedNode | ox.Literal = ox.NamedNode(resolve(archive, issuer, [_ACTOR]))
        except Unresolved:
            publisher = ox.Literal(issuer)
        triples.append(_t(iri, DCT + "publisher", publisher))
    if date:
        triples.append(_t(iri, str(DKG.date), typed(date, "date")))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            triples.append(_t(iri, str(DKG.year), typed(date[:4], "gYear")))
    return iri, triples, NewRecord(iri, str(DKG.Source), SOURCE_KEY, [name], date)
