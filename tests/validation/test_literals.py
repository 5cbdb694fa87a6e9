"""Ill-typed literals of every datatype the shapes use are refused by validation, with both
engines, and ``dialogue-kg validate`` finds those already in an archive.

The checker is held to the XSD 1.1 grammar (Part 2, the ``…Frag`` productions of §3.3 and the
day-of-month constraint of §D.2.1), written here as regular expressions, on random strings.
"""

from __future__ import annotations

import calendar
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dialogue_kg.cli import main
from dialogue_kg.config import Settings, ontology_dir
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.core.validation import ENGINES, ValidationError, Validator, ill_typed
from dialogue_kg.core.validation.literals import ill_typed_values

from ..conftest import DATA

XSD = "http://www.w3.org/2001/XMLSchema#"
DKG = "https://w3id.org/dialogue-kg/ontology#"
MEETING = "https://w3id.org/dialogue-kg/id/meeting/first-round"
SOURCE = "https://w3id.org/dialogue-kg/id/source/test-doc"

# XSD 1.1 Part 2, §3.3: the lexical fragments.
YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
MONTH = r"(0[1-9]|1[0-2])"
DAY = r"(0[1-9]|[12][0-9]|3[01])"
TZ = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
GRAMMAR = {
    "gYear": f"{YEAR}{TZ}?",
    "gYearMonth": f"{YEAR}-{MONTH}{TZ}?",
    "date": f"{YEAR}-{MONTH}-{DAY}{TZ}?",
    "dateTime": f"{YEAR}-{MONTH}-{DAY}T{TIME}{TZ}?",
    "time": f"{TIME}{TZ}?",
    "integer": r"[+-]?[0-9]+",
    "decimal": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)",
    "boolean": r"(true|false|1|0)",
}
# The archive refuses values its query engine cannot compute with: integers beyond 64 bits,
# decimals and seconds beyond 18 fractional digits, years beyond about 5.39e12. The random
# strings are judged inside those bounds (years of at most 12 digits).
MAX_LENGTH = {"integer": 18, "decimal": 18}


def computable(datatype: str, value: str) -> bool:
    """True when ``value`` is inside the bounds above."""
    if len(value) > MAX_LENGTH.get(datatype, 64):
        return False
    if re.search(r"\.[0-9]{19}", value):
        return False
    return not (datatype in TEMPORAL and re.match(r"-?[0-9]{13}", value))


def reference(datatype: str, value: str) -> bool:
    """True when ``value`` is in the XSD 1.1 lexical space of ``datatype``."""
    match = re.fullmatch(GRAMMAR[datatype], value)
    if match is None:
        return False
    if datatype in ("date", "dateTime"):
        year, month, day = re.match(r"(-?\d+)-(\d\d)-(\d\d)", value).groups()  # type: ignore[union-attr]
        # XSD 1.1: year 0 exists (1 BCE) and leap years follow the proleptic Gregorian rule.
        y = int(year)
        leap = y % 400 == 0 or (y % 4 == 0 and y % 100 != 0)
        days = 29 if int(month) == 2 and leap else calendar.monthrange(2001, int(month))[1]
        return int(day) <= days
    return True


TEMPORAL = ("gYear", "gYearMonth", "date", "dateTime")
ALPHABETS = {
    "gYear": "0123456789-+:ZO ",
    "gYearMonth": "0123456789-+:Z",
    "date": "0123456789-+:Z",
    "dateTime": "0123456789-+:.TZ",
    "time": "0123456789-+:.Z",
    "integer": "0123456789+-. e",
    "decimal": "0123456789+-.e",
    "boolean": "truefalse01TRUE ",
}


def candidates(datatype: str) -> st.SearchStrategy[str]:
    """Strings near the datatype's lexical space: well-formed ones, random ones, and
    well-formed ones with one character changed."""
    wellformed = st.from_regex(GRAMMAR[datatype], fullmatch=True).filter(
        lambda v: computable(datatype, v)
    )
    noise = st.text(ALPHABETS[datatype], max_size=min(MAX_LENGTH.get(datatype, 26), 26))
    mutated = st.tuples(wellformed, st.integers(0, 40), st.sampled_from(ALPHABETS[datatype])).map(
        lambda t: t[0][: t[1] % (len(t[0]) + 1)] + t[2] + t[0][t[1] % (len(t[0]) + 1) + 1 :]
    )
    return st.one_of(wellformed, noise, mutated)


@pytest.mark.parametrize("datatype", sorted(GRAMMAR))
def test_checker_agrees_with_the_xsd_grammar(datatype: str) -> None:
    @settings(max_examples=150, deadline=None)
    @given(candidates(datatype))
    def check(value: str) -> None:
        assume(computable(datatype, value))
        bad = bool(ill_typed_values(XSD + datatype, [value]))
        assert bad == (not reference(datatype, value)), value

    check()


@pytest.mark.parametrize(
    ("datatype", "value"),
    [
        ("gYear", "2O24"),
        ("gYear", "24"),
        ("gYear", "2024 "),
        ("gYearMonth", "2024-13"),
        ("date", "2024-13-01"),
        ("date", "2023-02-29"),
        ("dateTime", "2024-01-01T25:00:00"),
        ("dateTime", "2024-01-01"),
        ("integer", "1.5"),
        ("integer", " 1"),
        ("decimal", "1e3"),
        ("boolean", "yes"),
        ("anyURI", "not a uri"),
        ("anyURI", "example.org/page"),
        ("anyURI", "https://example.org/a page"),
        ("anyURI", ""),
    ],
)
def test_ill_typed_examples(datatype: str, value: str) -> None:
    assert ill_typed(ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)))


@pytest.mark.parametrize(
    ("datatype", "value"),
    [
        ("gYear", "2024"),
        ("gYear", "-0044"),
        ("gYearMonth", "2024-02"),
        ("date", "2024-02-29"),
        ("dateTime", "2024-01-01T10:00:00Z"),
        ("integer", "-12"),
        ("decimal", "2.5"),
        ("boolean", "true"),
        ("anyURI", "https://example.org/page"),
        ("anyURI", "urn:isbn:0451450523"),
        ("string", "anything at all"),
    ],
)
def test_well_typed_examples(datatype: str, value: str) -> None:
    assert not ill_typed(ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)))


@pytest.fixture(scope="module")
def validators() -> dict[str, Validator]:
    shapes, ontology = ontology_dir() / "shapes.ttl", ontology_dir() / "dialogue.ttl"
    return {name: Validator(shapes, ontology, engine=name) for name in ENGINES}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("prop", "value", "datatype"),
    [
        ("year", "2O24", "gYear"),
        ("date", "2024-13-01", "date"),
    ],
)
def test_validator_names_resource_property_and_problem(
    small: Archive,
    validators: dict[str, Validator],
    engine: str,
    prop: str,
    value: str,
    datatype: str,
) -> None:
    subject, predicate = ox.NamedNode(MEETING), ox.NamedNode(DKG + prop)
    old = [t for t in small.store.describe([MEETING]) if t.predicate == predicate]
    new = ox.Triple(subject, predicate, ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)))
    found = validators[engine].validate(small.store, [ChangeSet(added=[new], removed=old)])
    assert [(v.focus, v.path, v.constraint, v.value) for v in found] == [
        (MEETING, DKG + prop, "Datatype", value)
    ]
    assert f"is not a valid xsd:{datatype} value" in found[0].message


def test_source_url_without_a_scheme_is_refused(small: Archive) -> None:
    url = ox.Triple(
        ox.NamedNode(SOURCE),
        ox.NamedNode(DKG + "url"),
        ox.Literal("www.example.org/page", datatype=ox.NamedNode(XSD + "anyURI")),
    )
    before = small.revision
    with pytest.raises(ValidationError, match="anyURI") as caught:
        small.commit([ChangeSet(added=[url], sources=[SOURCE])], agent="tester")
    assert [(v.focus, v.path) for v in caught.value.violations] == [(SOURCE, DKG + "url")]
    assert small.revision == before


def test_validate_command_flags_ill_typed_literals_already_in_the_archive(
    settings: Settings, data_dir: Path
) -> None:
    year = ox.Triple(
        ox.NamedNode(MEETING),
        ox.NamedNode(DKG + "year"),
        ox.Literal("2O24", datatype=ox.NamedNode(XSD + "gYear")),
    )
    with Archive.open(settings) as archive:
        archive.load(DATA / "small.trig", agent="tester")
        old = [t for t in archive.store.describe([MEETING]) if t.predicate == year.predicate]
        # Written without validation, as an archive made before this check could hold it.
        changeset = ChangeSet(added=[year], removed=old, sources=[SOURCE])
        archive.commit([changeset], agent="tester", validate=False)
    result = CliRunner().invoke(main, ["validate", "--data-dir", str(data_dir)])
    assert result.exit_code != 0
    assert "2O24" in result.output and "dkg:year" in result.output
    assert "xsd:gYear" in result.output
