"""Saved SPARQL queries (``queries/*.rq``), each with a header of title, description, parameters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"


@dataclass(frozen=True)
class SavedQuery:
    """One saved query: its name (file stem), header fields and text."""

    name: str
    title: str
    description: str
    parameters: str
    text: str


def load(name: str, folder: Path = QUERY_DIR) -> SavedQuery:
    """The saved query ``name`` (without ``.rq``)."""
    path = folder / f"{name}.rq"
    if not path.is_file():
        raise ValueError(f"no saved query {name!r} in {folder}")
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        head, sep, rest = body.partition(":")
        if sep and head in {"title", "description", "parameters"}:
            key = head
            fields[key] = rest.strip()
        elif key:
            fields[key] += " " + body
    return SavedQuery(
        name=name,
        title=fields.get("title", name),
        description=fields.get("description", ""),
        parameters=fields.get("parameters", "none"),
        text=text,
    )


def catalogue(folder: Path = QUERY_DIR) -> list[SavedQuery]:
    """Every saved query, by name."""
    return [load(p.stem, folder) for p in sorted(folder.glob("*.rq"))]
