"""SPARQL Update turned into change sets: computed on a scratch copy, journaled like any write."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue_kg.core.changeset import InputError
from dialogue_kg.core.guard import QueryRefused
from dialogue_kg.core.validation import ValidationError
from dialogue_kg.write.update import changeset_for_update, changeset_on_copy, run_update

from .conftest import TEST_SOURCE

P = """PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX person: <https://w3id.org/dialogue-kg/id/person/>
PREFIX source: <https://w3id.org/dialogue-kg/id/source/>
"""


def test_delete_insert_where_becomes_a_diff(small):
    cs = changeset_for_update(
        small,
        P + 'DELETE { ?s rdfs:label ?l } INSERT { ?s rdfs:label "Ana E."@en } '
        'WHERE { ?s rdfs:label ?l FILTER(STR(?l) = "Ana Example") }',
    )
    assert [str(t) for t in cs.removed] == [
        "<https://w3id.org/dialogue-kg/id/person/ana> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Ana Example"@en'
    ]
    assert len(cs.added) == 1 and cs.added[0].object.value == "Ana E."


def test_run_update_commits_with_provenance(small):
    before = small.revision
    (record,) = run_update(
        small,
        P + 'INSERT DATA { person:ana rdfs:label "Ana Primjer"@sr-Latn }',
        agent="ana",
        sources=[TEST_SOURCE],
        comment="Serbian label",
    )
    assert record.revision == before + 1
    rows = list(
        small.query(
            P + 'SELECT ?g ?who WHERE { GRAPH ?g { person:ana rdfs:label "Ana Primjer"@sr-latn } '
            "?g <http://www.w3.org/ns/prov#wasAttributedTo> ?who }"
        )
    )
    assert rows and rows[0]["who"].value.endswith("/agent/ana")
    assert small.verify().ok


def test_graph_in_a_string_is_fine(small):
    cs = changeset_for_update(small, P + 'INSERT DATA { person:ana dkg:note "GRAPH WITH NAMED" }')
    assert len(cs.added) == 1


def test_blank_nodes_are_skolemised(small):
    cs = changeset_for_update(small, P + 'INSERT DATA { person:ana dkg:note [ rdfs:label "x" ] }')
    assert all("/.well-known/genid/" in str(t) for t in cs.added)


@pytest.mark.parametrize(
    ("update", "error", "match"),
    [
        ("INSERT DATA { <urn:a> <urn:b> ", InputError, "syntax error at line 1"),
        (
            P + "INSERT DATA { GRAPH <urn:g> { person:ana rdfs:label 'x'@en } }",
            InputError,
            "immutable",
        ),
        ("DELETE { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", InputError, "GRAPH is not"),
        ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", InputError, "WITH is not"),
        ("LOAD <http://example.org/data.ttl>", QueryRefused, "LOAD"),
        (P + "DELETE DATA { person:nobody rdfs:label 'x'@en }", InputError, "nothing to write"),
    ],
)
def test_refused_updates_write_nothing(small, update, error, match):
    journal = small.journal.path.read_bytes()
    with pytest.raises(error, match=match):
        run_update(small, update, agent="ana", sources=[TEST_SOURCE])
    assert small.journal.path.read_bytes() == journal


def test_update_needs_source_and_valid_result(small):
    with pytest.raises(InputError, match="source"):
        run_update(small, P + 'INSERT DATA { person:ana rdfs:label "A"@sq }', agent="a", sources=[])
    with pytest.raises(ValidationError):
        run_update(
            small,
            P + "DELETE WHERE { person:ana dkg:source ?s }",
            agent="ana",
            sources=[TEST_SOURCE],
        )


def test_update_recomputed_when_the_archive_moves_on(small, monkeypatch):
    """A write landing while the update is computed makes it compute again on the new state."""
    from dialogue_kg.write import update as module

    real = module.changeset_for_update
    calls: list[int] = []

    def racing(archive, update):
        calls.append(1)
        if len(calls) == 1:
            archive.load(
                P.replace("PREFIX", "@prefix").replace(">\n", "> .\n").encode()
                + b'person:ana rdfs:label "Ana Extra"@sq .',
                agent="other",
                fmt="turtle",
                sources=[TEST_SOURCE],
            )
        return real(archive, update)

    monkeypatch.setattr(module, "changeset_for_update", racing)
    run_update(
        small,
        P + "DELETE WHERE { person:ana rdfs:label ?l } ; "
        'INSERT DATA { person:ana rdfs:label "Only"@en }',
        agent="ana",
        sources=[TEST_SOURCE],
    )
    assert len(calls) == 2
    labels = {r["l"].value for r in small.query(P + "SELECT ?l WHERE { person:ana rdfs:label ?l }")}
    assert labels == {"Only"}


# -- the native computation against the copy it replaced -------------------------------------------

GENID = re.compile(r"/\.well-known/genid/[0-9a-f]+")


def _outcome(compute, archive, update: str) -> object:
    """What a computation makes of an update: its statements (skolem names blanked, so that two
    runs compare), or the error it raises."""
    try:
        cs = compute(archive, update)
    except (InputError, QueryRefused) as exc:
        return type(exc).__name__, str(exc)
    return (
        sorted(GENID.sub("/.well-known/genid/_", str(t)) for t in cs.added),
        sorted(str(t) for t in cs.removed),
    )


def _same_as_on_a_copy(archive, update: str) -> None:
    assert _outcome(changeset_for_update, archive, update) == _outcome(
        changeset_on_copy, archive, update
    ), update


THACI = "<https://w3id.org/dialogue-kg/id/person/hashim-thaci>"
XSD = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
UPDATES = [
    P + f'INSERT DATA {{ {THACI} rdfs:label "Hashim Thaçi"@en, "New"@sq }}',
    P + f'DELETE DATA {{ {THACI} rdfs:label "Hashim Thaçi"@en }}',
    P + f"DELETE WHERE {{ {THACI} rdfs:label ?l }}",
    P + f"DELETE WHERE {{ {THACI} ?p ?o }}",
    P + "DELETE { ?s rdfs:label ?l } INSERT { ?s rdfs:label ?u } "
    'WHERE { ?s rdfs:label ?l BIND(STRLANG(UCASE(STR(?l)), "en") AS ?u) FILTER(LANG(?l) = "en") }',
    P + "INSERT { ?s dkg:note ?n } WHERE { ?s a dkg:Agreement OPTIONAL { ?s dkg:date ?n } }",
    P + "DELETE { ?s ?p ?o } INSERT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }",
    P + f"INSERT {{ {THACI} dkg:note [ rdfs:label ?l ] }} WHERE {{ {THACI} rdfs:label ?l }}",
    XSD + P + f'INSERT DATA {{ {THACI} dkg:note "01"^^xsd:integer, "1"^^xsd:integer }}',
    P + "INSERT { <urn:x> dkg:note ?r } WHERE { ?cs dkg:revision ?r }",
    P
    + "INSERT { <urn:x> dkg:note ?c } WHERE { ?cs a dkg:ChangeSet FILTER NOT EXISTS { ?cs ?p ?c } "
    "BIND(1 AS ?c) }",
    P + "DELETE { ?a dkg:date ?d } WHERE { ?a dkg:date ?d FILTER NOT EXISTS { ?a dkg:year ?y } }",
    P + f'INSERT DATA {{ {THACI} rdfs:label "A"@sq }} ; DELETE WHERE {{ {THACI} rdfs:label ?l }}',
    P + f'DELETE WHERE {{ {THACI} rdfs:label ?l }} ; INSERT DATA {{ {THACI} rdfs:label "B"@sq }}',
    P + f'DELETE DATA {{ {THACI} rdfs:label "Hashim Thaçi"@en }} ; '
    f'INSERT DATA {{ {THACI} rdfs:label "Hashim Thaçi"@en }}',
    P + "INSERT { ?s dkg:note 1 } WHERE { ?s rdfs:label ?l FILTER(?l < 'B'#'\n) }",
    P + "ADD DEFAULT TO DEFAULT",
    P + "CLEAR DEFAULT",
    "CLEAR ALL",
    P + "INSERT { ?s dkg:note 1 } USING <urn:g> WHERE { ?s ?p ?o }",
    P + "INSERT DATA { person:ana rdfs:label 'x' ",
]


@pytest.mark.parametrize("update", UPDATES)
def test_computed_from_the_store_as_on_a_copy(curated, update) -> None:
    _same_as_on_a_copy(curated, update)


def test_the_common_forms_copy_nothing(curated, monkeypatch) -> None:
    """INSERT/DELETE DATA, DELETE WHERE and DELETE/INSERT WHERE never read the whole state."""
    from dialogue_kg.write import update as module

    def no_copy(*_args: object) -> bytes:
        raise AssertionError("the current statements were copied")

    monkeypatch.setattr(module, "current_ntriples", no_copy)
    for update in UPDATES[:12]:
        changeset_for_update(curated, update)


def _terms(archive) -> tuple[list[str], list[str], list[str]]:
    rows = list(
        archive.query(
            "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(?g != <{archive.minter.provenance_graph}>) }} ORDER BY ?s ?p ?o LIMIT 400"
        )
    )
    return (
        sorted({str(r["s"]) for r in rows})[:25] + ["<urn:new>"],
        sorted({str(r["p"]) for r in rows})[:12],
        sorted({str(r["o"]) for r in rows})[:25] + ['"new"@en', "1", '"01"^^<urn:t>'],
    )


@st.composite
def _updates(draw, terms):
    subjects, predicates, objects = terms
    s, p, o = (st.sampled_from(x) for x in terms)
    var_or = lambda strategy, name: st.one_of(strategy, st.just(name))  # noqa: E731

    def triple(ground: bool) -> str:
        if ground:
            return f"{draw(s)} {draw(p)} {draw(o)} ."
        return f"{draw(var_or(s, '?s'))} {draw(var_or(p, '?p'))} {draw(var_or(o, '?o'))} ."

    def block(ground: bool) -> str:
        return " ".join(triple(ground) for _ in range(draw(st.integers(1, 3))))

    form = draw(st.sampled_from(["insert-data", "delete-data", "delete-where", "modify", "two"]))
    if form == "insert-data":
        return f"INSERT DATA {{ {block(True)} }}"
    if form == "delete-data":
        return f"DELETE DATA {{ {block(True)} }}"
    if form == "delete-where":
        return f"DELETE WHERE {{ {block(False)} }}"
    where = block(False)
    if draw(st.booleans()):
        where += f" OPTIONAL {{ {triple(False)} }}"
    if draw(st.booleans()):
        where += " FILTER(!isBlank(?s))"
    delete = f"DELETE {{ {block(False)} }} " if draw(st.booleans()) else ""
    insert = f"INSERT {{ {block(False)} }} " if not delete or draw(st.booleans()) else ""
    modify = f"{delete}{insert}WHERE {{ {where} }}"
    if form == "two":
        return f"INSERT DATA {{ {block(True)} }} ; {modify}"
    return modify


def test_generated_updates_as_on_a_copy(curated) -> None:
    """Generated updates over the curated archive's own terms: the same statements either way."""
    terms = _terms(curated)

    @given(_updates(terms))
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def check(update: str) -> None:
        _same_as_on_a_copy(curated, update)

    check()
