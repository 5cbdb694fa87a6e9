"""Saved SPARQL queries (``queries/*.rq``), each with a header of title, description, parameters.

A header is a run of ``#`` comment lines at the top of the file::

    # title: Op-eds discussing an agreement
    # description: Op-eds that discuss a given agreement, with author, outlet and date.
    # param: agreement — the agreement (an IRI)

The title, description and parameters may be given in other languages by language-tagged
fields (``# title@sq:``, ``# description@sr-Latn:``, ``# param@sq: NAME — text``); English is
the untagged field, Serbian Cyrillic (unless given) the transliteration of Serbian Latin, and
:meth:`SavedQuery.title_in` picks by the archive's label rule (dialogue_kg.labels).

Each ``# param: NAME — text`` names a variable the query binds with ``VALUES ?NAME { default }``.
The query stays plain SPARQL that runs anywhere as written (with the default); :func:`bind`
rewrites that VALUES block with another value, typed like the default (an IRI, or a literal of
the default's datatype or language).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from dialogue_kg.errors import DialogueKGError
from dialogue_kg.labels import pick

QUERY_DIR = Path(__file__).resolve().parents[2] / "queries"
HEADER_FIELDS = {"title", "description", "param"}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LITERAL = re.compile(r'^"((?:[^"\\]|\\.)*)"(?:\^\^(\S+)|@([A-Za-z0-9-]+))?$')


class QueryParameterError(DialogueKGError, ValueError):
    """A saved query that cannot be read or bound: a bad parameter, an unknown name."""

    kind = "parameter"


@dataclass(frozen=True)
class Parameter:
    """A value a saved query can be given: its name, what it means, and its default term."""

    name: str
    description: str
    default: str
    descriptions: tuple[tuple[str, str], ...] = ()

    def description_in(self, lang: str) -> tuple[str, str]:
        """What the parameter means in ``lang`` (or the nearest language) with its tag."""
        found = pick(((self.description, "en"), *self.descriptions), lang)
        return found or (self.description, "en")

    @property
    def is_iri(self) -> bool:
        """True when the parameter takes an IRI (else a literal)."""
        return self.default.startswith("<")

    @property
    def default_value(self) -> str:
        """The default as a person types it: the bare IRI or the literal's text."""
        if self.is_iri:
            return self.default[1:-1]
        match = _LITERAL.match(self.default)
        return _unescape(match.group(1)) if match else self.default

    def term(self, value: str) -> str:
        """``value`` as a SPARQL term of this parameter's kind; ValueError if it is not one."""
        value = value.strip()
        if self.is_iri:
            iri = value[1:-1] if value.startswith("<") and value.endswith(">") else value
            if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", iri):
                raise QueryParameterError(
                    f"parameter {self.name!r} needs an absolute IRI, not {value!r}"
                )
            return str(ox.NamedNode(iri))
        match = _LITERAL.match(self.default)
        if match is None:
            if re.fullmatch(r"[+-]?\d+", self.default):
                if not re.fullmatch(r"[+-]?\d+", value):
                    raise QueryParameterError(
                        f"parameter {self.name!r} needs an integer, not {value!r}"
                    )
                return str(int(value))
            raise QueryParameterError(
                f"parameter {self.name!r} has a default this module cannot type"
            )
        datatype, language = match.group(2), match.group(3)
        if datatype in ("xsd:date", "<http://www.w3.org/2001/XMLSchema#date>"):
            try:
                date.fromisoformat(value)
            except ValueError:
                raise QueryParameterError(
                    f"parameter {self.name!r} needs a date (YYYY-MM-DD), not {value!r}"
                ) from None
        text = str(ox.Literal(value))
        if datatype:
            return f"{text}^^{datatype}"
        return f"{text}@{language}" if language else text


@dataclass(frozen=True)
class SavedQuery:
    """One saved query: its name (file stem), header fields and text."""

    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str
    titles: tuple[tuple[str, str], ...] = ()
    descriptions: tuple[tuple[str, str], ...] = ()

    def title_in(self, lang: str) -> tuple[str, str]:
        """The title in ``lang`` (or the nearest language that has one) with its language tag."""
        return pick(((self.title, "en"), *self.titles), lang) or (self.title, "en")

    def description_in(self, lang: str) -> tuple[str, str]:
        """The description in ``lang`` (or the nearest language that has one) with its tag."""
        found = pick(((self.description, "en"), *self.descriptions), lang)
        return found or (self.description, "en")

    @property
    def form(self) -> str:
        """The query form: SELECT, ASK, CONSTRUCT or DESCRIBE."""
        body = "\n".join(ln for ln in self.text.splitlines() if not ln.lstrip().startswith("#"))
        found = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.IGNORECASE)
        return found.group(1).upper() if found else "SELECT"

    def bind(self, values: dict[str, str]) -> str:
        """The query text with the given parameter values in place of the defaults."""
        return bind(self, values)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m[1], m[1]), text)


def _values_block(name: str) -> re.Pattern[str]:
    return re.compile(r"(VALUES\s+[?$]" + re.escape(name) + r"\s*\{\s*)(.*?)(\s*\})", re.DOTALL)


def _header(text: str) -> list[list[str]]:
    """The header's fields as ``[field, tag, parameter name, text]``, continuation lines joined."""
    entries: list[list[str]] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        head, sep, rest = body.partition(":")
        field, _, tag = head.partition("@")
        if sep and field in HEADER_FIELDS:
            pname, what = "", rest.strip()
            if field == "param":
                pname, _, what = what.partition(" ")
                what = what.strip().lstrip("—-").strip()
            entries.append([field, tag, pname, what])
        elif entries:
            entries[-1][3] = f"{entries[-1][3]} {body}".strip()
    return entries


def parse(name: str, text: str) -> SavedQuery:
    """A saved query from its text: header fields (and their translations), and each parameter
    with its default."""
    entries = _header(text)
    fields = {f: what for f, tag, _, what in entries if f != "param" and not tag}

    def tagged(field: str, pname: str = "") -> tuple[tuple[str, str], ...]:
        return tuple(
            (what, tag) for f, tag, p, what in entries if f == field and tag and p == pname
        )

    parameters = []
    for _, _, pname, what in (e for e in entries if e[0] == "param" and not e[1]):
        if not _NAME.match(pname):
            raise QueryParameterError(f"{name}: bad parameter name {pname!r}")
        block = _values_block(pname).search(text)
        if block is None:
            raise QueryParameterError(
                f"{name}: parameter {pname!r} has no 'VALUES ?{pname} {{ … }}' block"
            )
        parameters.append(Parameter(pname, what, block.group(2).strip(), tagged("param", pname)))
    return SavedQuery(
        name=name,
        title=fields.get("title", name),
        description=fields.get("description", ""),
        parameters=tuple(parameters),
        text=text,
        titles=tagged("title"),
        descriptions=tagged("description"),
    )


def bind(saved: SavedQuery, values: dict[str, str]) -> str:
    """``saved``'s text with each named parameter's VALUES block set to the given value."""
    known = {p.name: p for p in saved.parameters}
    text = saved.text
    for pname, value in values.items():
        if pname not in known:
            takes = ", ".join(known) or "no parameters"
            raise QueryParameterError(
                f"{saved.name}: unknown parameter {pname!r} (it takes: {takes})"
            )
        term = known[pname].term(value)
        text = _values_block(pname).sub(lambda m, t=term: m.group(1) + t + m.group(3), text, 1)
    return text


def parse_assignments(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["name=value", …]`` as a dict; ValueError for a pair without ``=``."""
    out = {}
    for pair in pairs:
        pname, sep, value = pair.partition("=")
        if not sep or not pname.strip():
            raise QueryParameterError(f"give a parameter as NAME=VALUE, not {pair!r}")
        out[pname.strip()] = value
    return out


def load(name: str, folder: Path = QUERY_DIR) -> SavedQuery:
    """The saved query ``name`` (without ``.rq``)."""
    if not _NAME.match(name.replace("-", "_")):
        raise QueryParameterError(f"no saved query {name!r}")
    path = folder / f"{name}.rq"
    if not path.is_file():
        raise QueryParameterError(f"no saved query {name!r} in {folder}")
    return parse(name, path.read_text(encoding="utf-8"))


def catalogue(folder: Path = QUERY_DIR) -> list[SavedQuery]:
    """Every saved query, by name."""
    return [load(p.stem, folder) for p in sorted(folder.glob("*.rq"))]
