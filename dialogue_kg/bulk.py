"""Bulk import of meetings from a CSV or YAML template (see examples/meetings.csv and
docs/bulk-import.md): every row is checked — names resolved, dates parsed, SHACL — and every
problem is reported at once with its row and column; nothing is written unless all rows pass,
and then all rows are written as one all-or-nothing journal batch (one change set per meeting).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import yaml

from .archive import Archive
from .changeset import ChangeSet
from .journal import Record
from .limits import DEFAULT_MAX_DEPTH, ShapeError, check_yaml
from .namespaces import slugify

DKG = "https://w3id.org/dialogue-kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"

COLUMNS = (
    "id",
    "label",
    "label_sq",
    "label_sr",
    "date",
    "end_date",
    "place",
    "level",
    "round",
    "process",
    "participants",
    "delegations",
    "facilitator",
    "topics",
    "reached",
    "discussed",
    "outcome_en",
    "outcome_sq",
    "outcome_sr",
    "source",
    "source_url",
    "source_title",
    "source_issuer",
    "source_date",
    "source_locator",
    "note",
)
LEVELS = {
    "technical": "TechnicalRound",
    "technical round": "TechnicalRound",
    "high-level": "HighLevel",
    "high level": "HighLevel",
    "working group": "WorkingGroup",
    "working-group": "WorkingGroup",
}
# Which classes a name in a column may refer to (checked again by SHACL for IRIs).
ACTOR = ("Person", "Organisation", "Government", "Delegation", "Actor")
KINDS: dict[str, tuple[str, ...]] = {
    "place": ("Place",),
    "process": ("DialogueProcess",),
    "participants": ACTOR,
    "delegations": ("Delegation", "Government"),
    "facilitator": ACTOR,
    "topics": ("Topic",),
    "reached": ("Agreement",),
    "discussed": ("Agreement",),
    "source": ("Source",),
}
PROPERTY_COLUMN = {
    RDFS_LABEL: "label",
    DKG + "date": "date",
    DKG + "endDate": "end_date",
    DKG + "year": "date",
    DKG + "yearMonth": "date",
    DKG + "place": "place",
    DKG + "meetingLevel": "level",
    DKG + "roundNumber": "round",
    DKG + "process": "process",
    DKG + "participant": "participants",
    DKG + "delegation": "delegations",
    DKG + "facilitator": "facilitator",
    DKG + "topic": "topics",
    DKG + "reached": "reached",
    DKG + "discussed": "discussed",
    DKG + "outcome": "outcome_en",
    DKG + "source": "source",
    DKG + "sourceLocator": "source_locator",
    DKG + "note": "note",
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")

Progress = Callable[[int], None]


class BulkError(ValueError):
    """The file cannot be read as a template at all (wrong format, no rows)."""


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

    rows: list[dict[str, str]]
    changesets: list[ChangeSet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    subjects: dict[str, int] = field(default_factory=dict)

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


def read_rows(data: bytes, kind: str, max_depth: int = DEFAULT_MAX_DEPTH) -> list[dict[str, str]]:
    """The template's rows as dicts of strings (lists in YAML joined with ';'); YAML nested
    deeper than ``max_depth`` is refused before it is built."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BulkError(f"the file is not UTF-8 text: {exc}") from None
    if kind == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
    else:
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
            raise BulkError("the YAML must be a list of meetings (mappings), or {meetings: [...]}")
        rows = [
            {
                str(k): "; ".join(map(str, v)) if isinstance(v, list) else str(v)
                for k, v in r.items()
                if v is not None
            }
            for r in loaded
        ]
    if not rows:
        raise BulkError("the file holds no meetings")
    return [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in rows]


class _Names:
    """Existing resources by label (any language, case-insensitive), with their classes."""

    def __init__(self, archive: Archive) -> None:
        self.by_label: dict[str, dict[str, set[str]]] = {}
        self.types: dict[str, set[str]] = {}
        rows = archive.store.query(
            f"SELECT DISTINCT ?s ?l ?t WHERE {{ ?s a ?t . "
            f"{{ ?s <{RDFS_LABEL}> ?l }} UNION {{ ?s <{DCT}title> ?l }} UNION "
            f"{{ ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }} UNION "
            f"{{ ?s <{DKG}url> ?l }} FILTER(STRSTARTS(STR(?t), '{DKG}')) }}"
        )
        for r in rows:
            s, t = r["s"].value, r["t"].value[len(DKG) :]
            self.by_label.setdefault(r["l"].value.strip().lower(), {}).setdefault(s, set()).add(t)
            self.types.setdefault(s, set()).add(t)

    def lookup(self, value: str, column: str) -> set[str]:
        """Existing resources of the column's kinds whose label (or title, URL) is ``value``."""
        wanted = set(KINDS[column])
        return {s for s, types in self.by_label.get(value.lower(), {}).items() if types & wanted}

    def resolve(self, value: str, column: str) -> tuple[str | None, str | None]:
        """(IRI, None) or (None, problem) for a name or IRI given in ``column``."""
        if value.startswith(("http://", "https://")):
            return value, None
        wanted = KINDS[column]
        found = self.lookup(value, column)
        if not found:
            return None, (
                f"no {' or '.join(k.lower() for k in wanted[:2])} named {value!r} in the archive; "
                "give its IRI or record it first"
            )
        if len(found) > 1:
            return None, f"{value!r} could be any of {', '.join(sorted(found))}; give the IRI"
        return found.pop(), None


def _is_day(value: str) -> bool:
    """True for a real calendar day written YYYY-MM-DD."""
    try:
        return bool(_DAY.match(value)) and bool(datetime.date.fromisoformat(value))
    except ValueError:
        return False


def _date(value: str) -> list[tuple[str, ox.Literal]] | None:
    if _is_day(value):
        return [
            ("date", ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))),
            ("year", ox.Literal(value[:4], datatype=ox.NamedNode(XSD + "gYear"))),
        ]
    if _MONTH.match(value) and 1 <= int(value[5:]) <= 12:
        return [
            ("yearMonth", ox.Literal(value, datatype=ox.NamedNode(XSD + "gYearMonth"))),
            ("year", ox.Literal(value[:4], datatype=ox.NamedNode(XSD + "gYear"))),
        ]
    if _YEAR.match(value):
        return [("year", ox.Literal(value, datatype=ox.NamedNode(XSD + "gYear")))]
    return None


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def _exists(archive: Archive, iri: str) -> bool:
    return bool(archive.store.query(f"ASK {{ <{iri}> ?p ?o }}"))


def plan_meetings(
    archive: Archive, data: bytes, kind: str, progress: Progress | None = None
) -> Plan:
    """Check every row and build its change set; SHACL runs on all of them together."""
    rows = read_rows(data, kind, archive.settings.max_nesting)
    plan = Plan(rows)
    names = _Names(archive)
    new_sources: dict[str, str] = {}
    for n, row in enumerate(rows, start=1):
        problems: list[Problem] = []
        unknown = sorted(set(row) - set(COLUMNS))
        for col in unknown:
            problems.append(
                Problem(n, col, f"unknown column (the columns are: {', '.join(COLUMNS)})")
            )
        cs, meeting = _row_changeset(archive, names, row, n, problems, new_sources, plan)
        plan.problems.extend(problems)
        if meeting:
            plan.subjects[meeting] = n
        plan.changesets.append(cs)
        if progress:
            progress(n)
    if not plan.problems and archive.settings.validate:
        for v in archive.validator.validate(archive.store, plan.changesets):
            row = plan.subjects.get(v.focus, 0)
            column = PROPERTY_COLUMN.get(v.path or "", v.path or "meeting")
            plan.problems.append(Problem(row, column, f"{v.message} [{v.constraint}]"))
    return plan


def _row_changeset(
    archive: Archive,
    names: _Names,
    row: dict[str, str],
    n: int,
    problems: list[Problem],
    new_sources: dict[str, str],
    plan: Plan,
) -> tuple[ChangeSet, str | None]:
    minter = archive.minter
    triples: list[ox.Triple] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(n, column, message))

    label = row.get("label", "")
    date = row.get("date", "")
    if not label:
        problem("label", "every meeting needs an English label")
    if not date:
        problem("date", "every meeting needs a date (YYYY-MM-DD, or YYYY-MM, or YYYY)")
    slug = row.get("id") or slugify(f"{label[:60]} {date}")
    meeting_iri = minter.resource("meeting", slug)
    if meeting_iri in plan.subjects:
        problem("id", f"another row already makes {meeting_iri}")
    elif _exists(archive, meeting_iri):
        problem("id", f"{meeting_iri} already exists; give another id (or correct it instead)")
    m = ox.NamedNode(meeting_iri)

    def add(prop: str, obj: ox.NamedNode | ox.Literal, subject: ox.NamedNode = m) -> None:
        triples.append(ox.Triple(subject, ox.NamedNode(prop), obj))

    add(RDF_TYPE, ox.NamedNode(DKG + "Meeting"))
    for col, lang in (("label", "en"), ("label_sq", "sq"), ("label_sr", "sr-Latn")):
        if row.get(col):
            add(RDFS_LABEL, ox.Literal(row[col], language=lang))
    if date:
        parsed = _date(date)
        if parsed is None:
            problem("date", f"{date!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY")
        else:
            for prop, lit in parsed:
                add(DKG + prop, lit)
    if row.get("end_date"):
        if not _is_day(row["end_date"]):
            problem("end_date", f"{row['end_date']!r} is not a day: write YYYY-MM-DD")
        elif _DAY.match(date) and row["end_date"] < date:
            problem("end_date", "the meeting cannot end before it starts")
        else:
            add(DKG + "endDate", ox.Literal(row["end_date"], datatype=ox.NamedNode(XSD + "date")))
    if row.get("level"):
        level = row["level"]
        key = LEVELS.get(level.lower())
        if level.startswith(DKG):
            add(DKG + "meetingLevel", ox.NamedNode(level))
        elif key:
            add(DKG + "meetingLevel", ox.NamedNode(DKG + key))
        else:
            problem("level", f"{level!r}: write technical, high-level or working group")
    if row.get("round"):
        if row["round"].isdigit():
            add(
                DKG + "roundNumber",
                ox.Literal(row["round"], datatype=ox.NamedNode(XSD + "integer")),
            )
        else:
            problem("round", f"{row['round']!r} is not a whole number")
    links = (
        ("place", "place"),
        ("process", "process"),
        ("participants", "participant"),
        ("delegations", "delegation"),
        ("facilitator", "facilitator"),
        ("topics", "topic"),
        ("reached", "reached"),
        ("discussed", "discussed"),
    )
    for column, prop in links:
        for value in _split(row.get(column, "")):
            iri, why = names.resolve(value, column)
            if why:
                problem(column, why)
            else:
                add(DKG + prop, ox.NamedNode(iri))  # type: ignore[arg-type]
    for col, lang in (("outcome_en", "en"), ("outcome_sq", "sq"), ("outcome_sr", "sr-Latn")):
        if row.get(col):
            add(DKG + "outcome", ox.Literal(row[col], language=lang))
    if row.get("note"):
        add(DKG + "note", ox.Literal(row["note"]))
    if row.get("source_locator"):
        add(DKG + "sourceLocator", ox.Literal(row["source_locator"]))
    source = _source(archive, names, row, problem, new_sources, triples, plan, n)
    if source:
        add(DKG + "source", ox.NamedNode(source))
    comment = f"Bulk import: {label}"
    return ChangeSet(added=triples, sources=[source] if source else [], comment=comment), (
        meeting_iri
    )


def _source(
    archive: Archive,
    names: _Names,
    row: dict[str, str],
    problem: Callable[[str, str], None],
    new_sources: dict[str, str],
    triples: list[ox.Triple],
    plan: Plan,
    n: int,
) -> str | None:
    """The row's source: an existing one (IRI, title or URL) or a new one from url/title."""
    if row.get("source"):
        iri, why = names.resolve(row["source"], "source")
        if why:
            problem("source", why)
        return iri
    url, title = row.get("source_url", ""), row.get("source_title", "")
    if not url and not title:
        problem("source", "every meeting needs a source: 'source', or 'source_url'/'source_title'")
        return None
    if url and not url.startswith(("http://", "https://")):
        problem("source_url", f"{url!r} is not a web address")
        return None
    if url:
        existing = names.lookup(url, "source")
        if len(existing) == 1:
            return existing.pop()
    key = url or title
    if key in new_sources:
        return new_sources[key]
    if not title:
        problem("source_title", "a new source needs a title")
        return None
    iri = archive.minter.resource("source", slugify(title)[:80])
    if _exists(archive, iri):
        return iri
    new_sources[key] = iri
    plan.subjects.setdefault(iri, n)
    s = ox.NamedNode(iri)
    triples.append(ox.Triple(s, ox.NamedNode(RDF_TYPE), ox.NamedNode(DKG + "Source")))
    triples.append(ox.Triple(s, ox.NamedNode(RDFS_LABEL), ox.Literal(title, language="en")))
    triples.append(ox.Triple(s, ox.NamedNode(DCT + "title"), ox.Literal(title)))
    if url:
        anyuri = ox.Literal(url, datatype=ox.NamedNode(XSD + "anyURI"))
        triples.append(ox.Triple(s, ox.NamedNode(DKG + "url"), anyuri))
    if row.get("source_issuer"):
        issuer = row["source_issuer"]
        obj: Any = ox.NamedNode(issuer) if issuer.startswith("http") else ox.Literal(issuer)
        triples.append(ox.Triple(s, ox.NamedNode(DCT + "publisher"), obj))
    if row.get("source_date"):
        if _is_day(row["source_date"]):
            day = ox.Literal(row["source_date"], datatype=ox.NamedNode(XSD + "date"))
            triples.append(ox.Triple(s, ox.NamedNode(DKG + "date"), day))
        else:
            problem("source_date", f"{row['source_date']!r} is not a day: write YYYY-MM-DD")
    return iri


def apply(archive: Archive, plan: Plan, *, agent: str) -> list[Record]:
    """Write a problem-free plan: every meeting as one batch, all or nothing."""
    if plan.problems:
        raise ValueError("the import has problems; nothing was written")
    return archive.commit(plan.changesets, agent=agent)
