"""How to cite a resource of the archive: plain text, BibTeX, RIS and CSL-JSON, from its
description, the revision cited and the date it was read.

The stable identifier (the IRI) is the URL; the revision pins what was read, and the page as of
that revision is given in a note. Agreements cite their parties as authors; op-eds, reports and
other documents their authors or creators.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from dialogue_kg.errors import UsageError
from dialogue_kg.labels import local_name
from dialogue_kg.namespaces import DCT_IRI as DCT
from dialogue_kg.read.describe import DKG, Description

ARCHIVE = "dialogue-kg: knowledge graph of the Kosovo–Serbia EU-facilitated dialogue"
PUBLISHER = "dialogue-kg"
# rdf:type → (CSL type, RIS type, BibTeX entry type)
KINDS: dict[str, tuple[str, str, str]] = {
    DKG + "Agreement": ("treaty", "GEN", "misc"),
    DKG + "Provision": ("treaty", "GEN", "misc"),
    DKG + "OpEd": ("article-newspaper", "NEWS", "article"),
    DKG + "ResearchPublication": ("report", "RPRT", "report"),
    DKG + "Source": ("document", "GEN", "misc"),
}
DEFAULT_KIND = ("entry", "GEN", "misc")
AUTHORS = (DKG + "party", DKG + "author", DCT + "creator")
FORMATS: dict[str, tuple[str, str]] = {  # name → (media type, file extension)
    "text": ("text/plain", "txt"),
    "bibtex": ("application/x-bibtex", "bib"),
    "ris": ("application/x-research-info-systems", "ris"),
    "csl-json": ("application/vnd.citationstyles.csl+json", "json"),
}


@dataclass
class Citation:
    """What a citation of one resource says, in no particular style."""

    iri: str
    key: str
    title: str
    kind: tuple[str, str, str]
    revision: int
    accessed: date
    page: str
    authors: list[str] = field(default_factory=list)
    issued: str | None = None  # ISO day, month or year
    abstract: str | None = None


def citation(d: Description, revision: int, page: str, accessed: date) -> Citation:
    """The citation of ``d`` as read at ``revision`` on ``accessed``; ``page`` is the address of
    its page in this app (the revision is added to it)."""
    kind = next((KINDS[t.value] for t in d.types if t.value in KINDS), DEFAULT_KIND)
    authors = [n.text for p in AUTHORS for n in d.values(p)]
    issued = next(
        (d.first(DKG + p) for p in ("date", "yearMonth", "year") if d.first(DKG + p)), None
    )
    key = "dkg-" + re.sub(r"[^A-Za-z0-9]+", "-", local_name(d.iri)).strip("-")
    return Citation(
        iri=d.iri,
        key=key,
        title=d.label,
        kind=kind,
        revision=revision,
        accessed=accessed,
        page=f"{page}?revision={revision}",
        authors=list(dict.fromkeys(authors)),
        issued=issued,
        abstract=d.description,
    )


def as_text(c: Citation) -> str:
    """One line for a reference list."""
    parts = []
    if c.authors:
        parts.append(_and(c.authors) + ".")
    parts.append(f"{c.title}.")
    if c.issued:
        parts.append(f"{c.issued}.")
    parts.append(f"In {ARCHIVE}, revision {c.revision}.")
    parts.append(f"{c.iri} (accessed {c.accessed.isoformat()}).")
    return " ".join(parts)


def as_bibtex(c: Citation) -> str:
    """A BibTeX (biblatex-compatible) entry; names of organisations kept whole in braces."""
    fields = [("title", "{" + _tex(c.title) + "}")]
    if c.authors:
        fields.append(("author", " and ".join("{" + _tex(a) + "}" for a in c.authors)))
    if c.issued:
        fields += [("date", c.issued), ("year", c.issued[:4])]
    fields += [
        ("howpublished", _tex(f"{ARCHIVE}, revision {c.revision}")),
        ("url", c.iri),
        ("urldate", c.accessed.isoformat()),
        ("note", _tex(f"As of revision {c.revision}: {c.page}")),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{c.kind[2]}{{{c.key},\n{body}\n}}\n"


def as_ris(c: Citation) -> str:
    """An RIS record."""
    lines = [("TY", c.kind[1]), ("TI", c.title)]
    lines += [("AU", a) for a in c.authors]
    if c.issued:
        parts = c.issued.split("-")
        lines += [("PY", parts[0]), ("DA", "/".join(parts + [""] * (3 - len(parts))) + "/")]
    lines += [
        ("PB", PUBLISHER),
        ("T2", ARCHIVE),
        ("UR", c.iri),
        ("Y2", c.accessed.isoformat()),
        ("N1", f"Revision {c.revision}: {c.page}"),
    ]
    if c.abstract:
        lines.append(("AB", c.abstract))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {_line(value)}\r\n" for tag, value in lines)


def as_csl(c: Citation) -> list[dict]:
    """CSL-JSON (an array of one item), as citation managers and Pandoc read it."""
    item: dict = {
        "id": c.key,
        "type": c.kind[0],
        "title": c.title,
        "container-title": ARCHIVE,
        "publisher": PUBLISHER,
        "version": f"revision {c.revision}",
        "URL": c.iri,
        "accessed": {"date-parts": [[c.accessed.year, c.accessed.month, c.accessed.day]]},
        "note": f"As of revision {c.revision}: {c.page}",
    }
    if c.authors:
        item["author"] = [{"literal": a} for a in c.authors]
    if c.issued and re.fullmatch(r"\d{4}(-\d\d){0,2}", c.issued):
        item["issued"] = {"date-parts": [[int(x) for x in c.issued.split("-")]]}
    if c.abstract:
        item["abstract"] = c.abstract
    return [item]


def render(c: Citation, fmt: str) -> str:
    """The citation in one of :data:`FORMATS`."""
    if fmt == "text":
        return as_text(c) + "\n"
    if fmt == "bibtex":
        return as_bibtex(c)
    if fmt == "ris":
        return as_ris(c)
    if fmt == "csl-json":
        return json.dumps(as_csl(c), ensure_ascii=False, indent=2) + "\n"
    raise UsageError(f"unknown citation format {fmt!r}: one of {', '.join(FORMATS)}")


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


_TEX = {c: "\\" + c for c in "&%$#_{}"} | {
    "~": r"\textasciitilde{}",
    "^": r"\^{}",
    "\\": r"\textbackslash{}",
}


def _tex(text: str) -> str:
    """Text safe inside a BibTeX field (braces balanced, specials escaped, one line)."""
    return "".join(_TEX.get(ch, ch) for ch in _line(text))


def _line(text: str) -> str:
    return " ".join(text.split())
