"""Bulk import: a CSV or YAML file read as many filled-in recording forms (docs/bulk-import.md).

A column is a field of the form, named by its form key (``date``, ``participant``,
``label@sq``, ``_source_url``), or one of the documented aliases of the earlier meeting template
(``participants``, ``outcome_sr``, ``source_url``). Each row goes through the form's own builder
and SHACL checks (:mod:`dialogue_kg.write.recording`), so a property added to the shapes is a new
column with no new code. Every problem is reported at once with its row and column; nothing is
written unless every row passes, and then all rows are one all-or-nothing journal batch.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
import yaml

from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.core.journal import Record
from dialogue_kg.core.limits import DEFAULT_MAX_DEPTH, ShapeError, check_yaml
from dialogue_kg.core.validation.literals import ill_typed
from dialogue_kg.errors import DialogueKGError
from dialogue_kg.labels import LANGUAGES, best, local_name
from dialogue_kg.namespaces import DKG
from dialogue_kg.write.recording import FORM_LANGUAGES, Draft, FormSpec, form_spec
from dialogue_kg.write.recording import Problem as FormProblem
from dialogue_kg.write.recording.build import NEW_SOURCE_KEYS, SOURCE_KEY, build, readable_iri, used
from dialogue_kg.write.recording.checks import problems_from
from dialogue_kg.write.recording.fields import SOURCE_PATH, Ontology
from dialogue_kg.write.recording.values import submitted, text_key

MEETING = str(DKG.Meeting)
ID_COLUMN = "id"  # the slug of a new record's IRI (default: its name and day)
COMMENT_KEY = "_comment"  # the change set's comment (default: "Bulk import: <name>")
# The most characters a cell may hold: the csv module's own limit, kept for YAML too.
MAX_CELL = csv.field_size_limit()
# The earlier meeting template's columns, by the form key(s) they fill. With several keys the
# value goes to the first whose datatype takes it: a day, a month or a year in one `date`.
MEETING_ALIASES: dict[str, tuple[str, ...]] = {
    "label_sq": ("label@sq",),
    "label_sr": ("label@sr-Latn",),
    "date": ("date", "yearMonth", "year"),
    "end_date": ("endDate",),
    "level": ("meetingLevel",),
    "round": ("roundNumber",),
    "participants": ("participant",),
    "delegations": ("delegation",),
    "topics": ("topic",),
    "outcome_en": ("outcome@en",),
    "outcome_sq": ("outcome@sq",),
    "outcome_sr": ("outcome@sr-Latn",),
    "source_locator": ("sourceLocator",),
}
_SPLIT_KINDS = ("ref", "iri", "choice")  # cells of these fields may list values split by ';'

Progress = Callable[[int, int], None]  # rows done, rows in the file
Row = dict[str, object]


class BulkError(DialogueKGError, ValueError):
    """The file cannot be read as a template at all (wrong format, no rows)."""

    kind = "bulk"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (row, column) and what, in plain words."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Plan:
    """What an import would write: one change set per row, and every problem found."""

    rows: list[Row]
    head: str | None = None
    drafts: list[Draft] = field(default_factory=list)
    columns: list[dict[str, str]] = field(default_factory=list)  # per row: form key -> column
    problems: list[Problem] = field(default_factory=list)
    subjects: dict[str, int] = field(default_factory=dict)

    @property
    def changesets(self) -> list[ChangeSet]:
        """One change set per row, in order."""
        return [d.changeset for d in self.drafts]

    @property
    def statements(self) -> int:
        """Statements the import would assert."""
        return sum(len(cs.added) for cs in self.changesets)


def kind_of(media_type: str | None, name: str | None = None) -> str:
    """'csv' or 'yaml' from a media type or a file name / format name."""
    for hint in (name or "", media_type or ""):
        hint = hint.lower()
        if hint.endswith(("csv", "comma-separated-values")):
            return "csv"
        if hint.endswith(("yaml", "yml", "x-yaml")):
            return "yaml"
    raise BulkError("give the template as CSV (text/csv, .csv) or YAML (application/yaml, .yaml)")


def read_rows(data: bytes, kind: str, max_depth: int = DEFAULT_MAX_DEPTH) -> list[Row]:
    """The file's rows as {column: cell}: CSV cells are text, YAML cells as loaded (a list is
    several values). YAML nested deeper than ``max_depth`` is refused before it is built."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BulkError(f"the file is not UTF-8 text: {exc}") from None
    rows = _csv_rows(text) if kind == "csv" else _yaml_rows(text, max_depth)
    if not rows:
        raise BulkError("the file holds no rows")
    return rows


def _csv_rows(text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[Row] = []
    try:
        header = [h.strip() for h in next(reader, [])]
        for cells in reader:
            if not cells:
                continue  # a blank line
            row: Row = {}
            for n, cell in enumerate(cells):
                column = header[n] if n < len(header) else f"#{n + 1}"
                if column in row:
                    row[column] = [*_as_list(row[column]), cell]
                else:
                    row[column] = cell
            rows.append(row)
    except csv.Error as exc:
        raise BulkError(f"row {len(rows) + 1}: the CSV cannot be read ({exc})") from None
    return rows


def _yaml_rows(text: str, max_depth: int) -> list[Row]:
    try:
        check_yaml(text, max_depth, "the YAML")
        loaded = yaml.safe_load(text)
    except ShapeError as exc:
        raise BulkError(str(exc)) from None
    except yaml.YAMLError as exc:
        raise BulkError(f"the YAML cannot be read: {exc}") from None
    if isinstance(loaded, dict) and "meetings" in loaded:
        loaded = loaded["meetings"]
    if not isinstance(loaded, list) or not all(isinstance(r, dict) for r in loaded):
        raise BulkError("the YAML must be a list of mappings (one per row), or {meetings: [...]}")
    return [{str(k).strip(): v for k, v in r.items()} for r in loaded]


def _as_list(cell: object) -> list[object]:
    return cell if isinstance(cell, list) else [cell]


def _texts(cell: object) -> Iterator[str]:
    """The values of a cell as text; ValueError for what is no text (a mapping, a nested list)."""
    for value in _as_list(cell):
        if value is None:
            continue
        if isinstance(value, (dict, list, set)):
            raise ValueError("a cell holds text or a list of texts, not a mapping or nested list")
        if isinstance(value, bytes):
            raise ValueError("a cell holds text, not binary data")
        if isinstance(value, datetime.date | datetime.datetime):
            value = value.isoformat()
        if isinstance(value, bool):
            value = str(value).lower()
        text = str(value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"not Unicode text (a lone surrogate at character {exc.start})"
            ) from None
        if len(text) > MAX_CELL:
            raise ValueError(f"longer than {MAX_CELL:,} characters, the most a cell may hold")
        yield text


def columns(
    spec: FormSpec, aliases: dict[str, tuple[str, ...]] | None = None
) -> dict[str, tuple[str, ...]]:
    """Every column a file of ``spec``'s records may have, with the form keys it fills: each
    field's form key (a text field's in each form language, its bare key meaning English), the
    source block's keys (also without their leading '_'), ``_comment``, ``id``, and ``aliases``."""
    out: dict[str, tuple[str, ...]] = {ID_COLUMN: (), COMMENT_KEY: (COMMENT_KEY,)}
    for f in spec.fields:
        if f.path == SOURCE_PATH:
            out[f.key] = (SOURCE_KEY,)
        elif f.kind == "text":
            out[f.key] = (text_key(f.key, "en"),)
            out.update({text_key(f.key, lang): (text_key(f.key, lang),) for lang in FORM_LANGUAGES})
        else:
            out[f.key] = (f.key,)
    for key in (SOURCE_KEY, *NEW_SOURCE_KEYS):
        out[key] = out[key.lstrip("_")] = (key,)
    out.update(aliases or {})
    return out


def plan(
    archive: Archive,
    data: bytes,
    kind: str,
    spec: FormSpec,
    aliases: dict[str, tuple[str, ...]] | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Read every row as ``spec``'s form, build it, and check all rows together (SHACL)."""
    rows = read_rows(data, kind, archive.settings.max_nesting)
    archive.refresh()
    result = Plan(rows, head=archive.head)
    accepted = columns(spec, aliases)
    new_sources: dict[str, str] = {}
    for n, row in enumerate(rows, start=1):
        _plan_row(archive, spec, accepted, row, n, result, new_sources)
        if progress:
            progress(n, len(rows))
    for v in archive.check(result.changesets):
        n = next((n for n, d in enumerate(result.drafts) if d.key_of(v.focus) is not None), -1)
        if n < 0:  # about no record of the file: the whole import
            result.problems.append(Problem(0, spec.key, f"{v.message} [{v.constraint}]"))
            continue
        for p in problems_from(result.drafts[n], [v]):
            _report(result, n + 1, p, spec, result.columns[n])
    result.problems.sort(key=lambda p: p.row)
    return result


def plan_meetings(
    archive: Archive, data: bytes, kind: str, progress: Progress | None = None
) -> Plan:
    """:func:`plan` for meetings, with the columns of the earlier meeting template."""
    return plan(archive, data, kind, form_spec(MEETING), MEETING_ALIASES, progress)


def _plan_row(
    archive: Archive,
    spec: FormSpec,
    accepted: dict[str, tuple[str, ...]],
    row: Row,
    n: int,
    result: Plan,
    new_sources: dict[str, str],
) -> None:
    """Read one row as form data, build its draft, and note the problems found."""
    problems: list[Problem] = []
    form: dict[str, list[str]] = {}
    where: dict[str, str] = {}  # form key -> the column that filled it
    slug = None
    for column, cell in row.items():
        try:
            values = [v.strip() for v in _texts(cell)]
        except ValueError as exc:
            problems.append(Problem(n, column, str(exc)))
            continue
        values = [v for v in values if v]
        if column not in accepted:
            if values:
                known = ", ".join(sorted(accepted))
                problems.append(Problem(n, column, f"unknown column (the columns are: {known})"))
            continue
        if column == ID_COLUMN:
            slug = values[0] if values else None
            continue
        for key in accepted[column]:
            where.setdefault(key, column)
        for value in values:
            key = _key_for(spec, accepted[column], value)
            f = spec.field(key)
            split = f is not None and f.kind in _SPLIT_KINDS and f.multiple
            parts = [v.strip() for v in value.split(";")] if split else [value]
            form.setdefault(key, []).extend(p for p in parts if p)
    _reuse_source(archive, form, new_sources)
    name = (submitted(form, text_key("label", "en")) or [f"row {n}"])[0]
    form.setdefault(COMMENT_KEY, [f"Bulk import: {name}"])
    iri = archive.minter.resource(spec.kind, slug) if slug else readable_iri(archive, spec, form)
    if iri in result.subjects:
        problems.append(Problem(n, ID_COLUMN, f"row {result.subjects[iri]} already makes {iri}"))
    elif used(archive, iri):
        problems.append(Problem(n, ID_COLUMN, f"{iri} already exists; give another id"))
    draft = build(archive, spec, form, new_iri=iri)
    result.drafts.append(draft)
    result.columns.append(where)
    for record in draft.created:
        if record.iri != iri and record.iri in result.subjects:
            column = where.get("_source_title", "source_title")  # a new source: by its title
            other = result.subjects[record.iri]
            problems.append(Problem(n, column, f"row {other} already makes {record.iri}"))
        result.subjects.setdefault(record.iri, n)
    if draft.source and not form.get(SOURCE_KEY):
        new_sources[_new_source_key(form)] = draft.source
    result.problems.extend(problems)
    taken = {(p.row, p.column) for p in problems}
    for p in draft.problems:
        _report(result, n, p, spec, where, taken)
    if not draft.source and not any(p.key.startswith(SOURCE_KEY) for p in draft.problems):
        _report(result, n, FormProblem(SOURCE_KEY, "missing-source"), spec, where, taken)


def _key_for(spec: FormSpec, keys: tuple[str, ...], value: str) -> str:
    """The form key a value of a column fills: the first of ``keys`` whose field's datatype
    takes it (the first when none does, for the checks to report)."""
    for key in keys:
        f = spec.field(key)
        if f is None or f.datatype is None or f.kind == "text":
            return key
        if not ill_typed(ox.Literal(value, datatype=ox.NamedNode(f.datatype))):
            return key
    return keys[0]


def _new_source_key(form: dict[str, list[str]]) -> str:
    return (submitted(form, "_source_url") or submitted(form, "_source_title") or [""])[0]


_BY_URL = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s WHERE {
  ?s a ?t . ?t rdfs:subClassOf* <%s> . ?s <%s> ?u FILTER(STR(?u) = %s)
} LIMIT 2
"""


def _reuse_source(
    archive: Archive, form: dict[str, list[str]], new_sources: dict[str, str]
) -> None:
    """A new source given by the URL (or title) of one an earlier row made, or by the URL of an
    existing source, is that source: it is described once."""
    if submitted(form, SOURCE_KEY):
        return
    key = _new_source_key(form)
    iri = new_sources.get(key) if key else None
    url = submitted(form, "_source_url")
    if iri is None and url:
        found = archive.query(_BY_URL % (DKG.Source, DKG.url, ox.Literal(url[0])))
        matches = [r["s"].value for r in found]
        iri = matches[0] if len(matches) == 1 else None
    if iri:
        for k in NEW_SOURCE_KEYS:
            form.pop(k, None)
        form[SOURCE_KEY] = [iri]


def _report(
    result: Plan,
    n: int,
    p: FormProblem,
    spec: FormSpec,
    where: dict[str, str],
    taken: set[tuple[int, str]] | None = None,
) -> None:
    """Add a form problem as a row problem, named by the column it came from."""
    column = where.get(p.key) or _column_name(p.key, spec)
    if taken is not None and (n, column) in taken:
        return
    if p.code == "shacl" and any(q.row == n and q.column == column for q in result.problems):
        return  # the input problem on that cell already says it, in plainer words
    result.problems.append(Problem(n, column, explain(p, spec)))


def _column_name(key: str, spec: FormSpec) -> str:
    """The column for a form key no column of the file filled (the record's kind for none)."""
    return key.lstrip("_") or spec.key


def explain(p: FormProblem, spec: FormSpec) -> str:
    """A form problem in plain English words, for a row of a file."""
    f = spec.field(p.key.split("@", 1)[0])
    onto = Ontology.get()
    if p.code == "unknown-reference":
        kinds = " or ".join(_name(onto, c).lower() for c in (f.classes if f else ())) or "record"
        return f"no {kinds} is called {p.value!r} in the archive: give its IRI, or record it first"
    if p.code == "ambiguous-reference":
        return f"{p.value!r} could be any of {', '.join(p.matches)}: give the IRI"
    if p.code == "not-an-option":
        options = ", ".join(_name(onto, o) for o in (f.options if f else ()))
        return f"{p.value!r} is not one of the choices ({options})"
    if p.code == "missing-language":
        tag = p.key.rsplit("@", 1)[-1]
        what = f.name("en").lower() if f else "name"
        return f"a {what} in {LANGUAGES.get(tag, tag)} is required"
    if p.code == "missing-source":
        return "every row needs a source: 'source' (an existing one) or 'source_url'/'source_title'"
    shown = p.path is not None and p.value and p.value not in (p.message or "")
    return f"{p.value!r}: " * bool(shown) + f"{p.message} [{p.constraint}]"


def _name(onto: Ontology, iri: str) -> str:
    return best(((t, g) for g, t in onto.labels(iri).items()), "en") or local_name(iri)


def apply(archive: Archive, plan: Plan, *, agent: str) -> list[Record]:
    """Write a problem-free plan: every row as one change set of one batch, all or nothing,
    refused (ConflictError) when the archive changed since the plan was made."""
    if plan.problems:
        raise BulkError("the import has problems; nothing was written")
    return archive.commit(plan.changesets, agent=agent, expected_head=plan.head)
