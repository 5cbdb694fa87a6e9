"""Every web door that writes a change set's comment or source, under hostile bytes and text
(issue 12, findings 1 and 2): each request is refused before anything is written (4xx, journal
size unchanged) or its comment and source read back exactly; the journal verifies and the site
keeps answering after every one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, quote, quote_from_bytes

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.core.journal import Journal
from webapp import create_app

from ..conftest import DATA, TEST_SOURCE
from ..helpers.accounts import add_user, csrf_token, login, token_headers

ID = "https://w3id.org/dialogue-kg/id/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FORGED = b'https://example.org/s> .\nH batch "1/2" .\nH source <https://example.org/t'
PREFIXES = (
    "@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .\n"
    "@prefix dct: <http://purl.org/dc/terms/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
)
DOOR_CASES: Counter[str] = Counter()

SPECIALS = st.sampled_from(
    ["\n", "\r", "\u2028", "\u2029", "\u0085", "\x00", "\x7f", "\ud800", "\\", '"', "<", ">",
     " ", "\t", "%", "+", "&", "="]
)  # fmt: skip
TEXT = st.lists(
    st.one_of(st.text(st.characters(exclude_categories=()), max_size=20), SPECIALS), max_size=4
).map("".join)
# What a client can send: any bytes, or text as UTF-8 (a lone surrogate as invalid UTF-8).
PAYLOAD = st.one_of(
    st.binary(max_size=30),
    TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.just(FORGED),
)
SOURCE = st.one_of(
    PAYLOAD,
    st.tuples(st.sampled_from([b"https://example.org/", b"urn:x:", b"example.org/"]), PAYLOAD).map(
        b"".join
    ),
    st.just(TEST_SOURCE.encode()),
    st.text(st.sampled_from("az09-._~/?=&é中\u2028\u00a0"), max_size=12).map(
        lambda t: ("https://example.org/" + t).encode()
    ),
)
FUZZ = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def fuzzed(tmp_path: Path):
    """An app over the small archive with SHACL validation off (the headers are under test,
    not the shapes), and the journal's directory."""
    empty = tmp_path / "no-graph-data"
    empty.mkdir()
    cfg = Settings.from_env(
        {},
        data_dir=str(tmp_path / "archive"),
        graph_data_dir=str(empty),
        query_workers=0,
        validate=False,
    )
    with Archive.open(cfg) as archive:
        archive.load(DATA / "small.trig", agent="tester")
        yield archive, create_app({"TESTING": True}, archive=archive)


def received(payload: bytes) -> str:
    """The text the server reads from a percent-encoded query or form value (Werkzeug keeps
    a byte that is not UTF-8 as its %XX escape)."""
    import werkzeug.urls  # noqa: F401 - registers the "werkzeug.url_quote" error handler

    pairs = parse_qsl(
        "v=" + quote_from_bytes(payload, safe=""),
        keep_blank_values=True,
        errors="werkzeug.url_quote",
    )
    return pairs[0][1]


def check_case(
    archive: Archive,
    client,  # noqa: ANN001 - Flask test client
    door: str,
    send: Callable[[], object],
    comment: str | None,
    sources: list[str] | None,
) -> None:
    """Send one request; it is refused with nothing written, or reads back exactly."""
    size, revision = archive.journal.path.stat().st_size, archive.revision
    response = send()
    DOOR_CASES[door] += 1
    status = response.status_code  # type: ignore[attr-defined]
    if status in (201, 302):
        DOOR_CASES[f"{door} written"] += 1
        assert archive.revision == revision + 1
        record = Journal(archive.journal.directory).open(readonly=True).records[-1]
        assert record.comment == comment
        if sources is not None:
            assert record.sources == sources
    else:
        body = response.get_data(as_text=True)  # type: ignore[attr-defined]
        assert 400 <= status < 500 and body.strip(), (status, body[:300])
        assert archive.journal.path.stat().st_size == size, "refused, yet written"
    Journal(archive.journal.directory).open(readonly=True).verify()
    assert client.get("/api/changesets?limit=1").status_code == 200


def turtle(n: int | str) -> bytes:
    return (
        PREFIXES + f'<{ID}person/w{n}> a dkg:Person ; rdfs:label "Door {n}"@en ; '
        f"dkg:source <{TEST_SOURCE}> .\n"
    ).encode()


@FUZZ
@given(comment=PAYLOAD, source=SOURCE)
def test_api_query_string_door(fuzzed, comment: bytes, source: bytes) -> None:
    archive, app = fuzzed
    client = app.test_client()
    headers = token_headers(archive.settings, "ana")
    query = f"?comment={quote_from_bytes(comment, safe='')}"
    query += f"&source={quote_from_bytes(source, safe='')}"
    given_source = received(source).strip()
    check_case(
        archive, client, "/api/changesets ?comment= ?source=",
        lambda: client.post(
            "/api/changesets" + query, data=turtle(archive.revision),
            headers={**headers, "Content-Type": "text/turtle"},
        ),
        received(comment) or None, [given_source],
    )  # fmt: skip


@FUZZ
@given(comment=PAYLOAD.map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")))
def test_api_dkg_comment_header_door(fuzzed, comment: bytes) -> None:
    # A raw line break cannot be sent inside an HTTP header (it would end it); any other byte,
    # 0x85 included, arrives as the Latin-1 character WSGI gives it.
    archive, app = fuzzed
    client = app.test_client()
    headers = token_headers(archive.settings, "ana")
    value = comment.decode("latin-1")
    check_case(
        archive, client, "/api/changesets DKG-Comment",
        lambda: client.post(
            f"/api/changesets?source={TEST_SOURCE}", data=turtle(archive.revision),
            headers={**headers, "Content-Type": "text/turtle", "DKG-Comment": value},
        ),
        value or None, [TEST_SOURCE],
    )  # fmt: skip


@FUZZ
@given(comment=TEXT, source=SOURCE, literal_source=st.booleans())
def test_trig_graph_comment_and_source_door(
    fuzzed, comment: str, source: bytes, literal_source: bool
) -> None:
    archive, app = fuzzed
    client = app.test_client()
    headers = token_headers(archive.settings, "ana")
    n = archive.revision
    try:
        said = str(ox.Literal(comment)).encode()
    except ValueError:  # a lone surrogate: sent as the invalid UTF-8 it becomes
        said = b'"' + comment.encode("utf-8", "surrogatepass").replace(b'"', b"'") + b'"'
    where = b'"' + source.replace(b'"', b"") + b'"' if literal_source else b"<" + source + b">"
    body = (
        PREFIXES.encode()
        + b"<urn:import:door-%d> dct:source %s ; rdfs:comment %s .\n" % (n, where, said)
        + f'<urn:import:door-{n}> {{ <{ID}person/t{n}> rdfs:label "T"@en . }}\n'.encode()
    )
    check_case(
        archive, client, "TriG rdfs:comment + dct:source",
        lambda: client.post(
            "/api/changesets", data=body, headers={**headers, "Content-Type": "application/trig"}
        ),
        comment or None, None,
    )  # fmt: skip


@FUZZ
@given(comment=PAYLOAD, source=SOURCE)
def test_sparql_update_door(fuzzed, comment: bytes, source: bytes) -> None:
    archive, app = fuzzed
    client = app.test_client()
    headers = token_headers(archive.settings, "ana")
    n = archive.revision
    update = f'INSERT DATA {{ <{ID}person/u{n}> <{RDFS_LABEL}> "U {n}" }}'
    form = (
        f"update={quote(update, safe='')}&comment={quote_from_bytes(comment, safe='')}"
        f"&source={quote_from_bytes(source, safe='')}"
    )
    given_source = received(source).strip()
    check_case(
        archive, client, "SPARQL Update comment= source=",
        lambda: client.post(
            "/sparql", data=form,
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
        ),
        received(comment) or None, [given_source],
    )  # fmt: skip


@pytest.fixture
def rita(fuzzed):
    """A client with an archivist's session (the retract door is a form)."""
    archive, app = fuzzed
    add_user(archive.settings, "rita", "password for rita")
    client = app.test_client()
    login(client, "rita", "password for rita")
    return client


@FUZZ
@given(comment=PAYLOAD)
def test_record_retract_comment_door(fuzzed, rita, comment: bytes) -> None:
    archive, _app = fuzzed
    client = rita
    n = archive.revision
    iri = f"{ID}person/r{n}"
    triple = ox.Triple(ox.NamedNode(iri), ox.NamedNode(RDFS_LABEL), ox.Literal(f"R {n}"))
    archive.commit([ChangeSet(added=[triple], sources=[TEST_SOURCE])], agent="tester")
    path = f"/record/retract?iri={iri}"
    token = csrf_token(client, path)
    form = (
        f"iri={quote(iri, safe='')}&_source=Test+document&_opened_at={archive.revision}"
        f"&csrf_token={quote(token, safe='')}&_comment={quote_from_bytes(comment, safe='')}"
    )
    check_case(
        archive, client, "/record/retract _comment",
        lambda: client.post(
            path, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
        ),
        received(comment).strip() or f"Retraction of <{iri}>", [TEST_SOURCE],
    )  # fmt: skip


@pytest.fixture
def edna(fuzzed):
    """A client with an editor's session (the revert door is a form for editors)."""
    archive, app = fuzzed
    add_user(archive.settings, "edna", "password for edna", "editor")
    client = app.test_client()
    login(client, "edna", "password for edna")
    return client


@FUZZ
@given(comment=PAYLOAD)
def test_record_revert_comment_door(fuzzed, edna, comment: bytes) -> None:
    archive, _app = fuzzed
    n = archive.revision
    triple = ox.Triple(ox.NamedNode(f"{ID}person/v{n}"), ox.NamedNode(RDFS_LABEL), ox.Literal("V"))
    (record,) = archive.commit([ChangeSet(added=[triple], sources=[TEST_SOURCE])], agent="t")
    page = f"/record/saved/{record.revision}"
    token = csrf_token(edna, page)
    form = f"csrf_token={quote(token, safe='')}&_comment={quote_from_bytes(comment, safe='')}"
    said = received(comment).strip()
    expected = f"Revert of change set {record.revision}" + (f": {said}" if said else "")
    check_case(
        archive, edna, "/record/saved/N/revert _comment",
        lambda: edna.post(
            page + "/revert", data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        expected, [record.changeset],
    )  # fmt: skip


# -- the attack cases of issue 12 as written (each answered 500 and bricked the archive) ---------


@pytest.mark.parametrize(
    ("door", "comment", "source", "written"),
    [
        ("query", "line\u2028separator", TEST_SOURCE, True),
        ("query", "paragraph\u2029separator", TEST_SOURCE, True),
        ("query", "next\u0085line", TEST_SOURCE, True),
        ("header", "raw \x85 byte", TEST_SOURCE, True),
        ("sparql", "next\u0085line", TEST_SOURCE, True),
        ("trig", "next\u0085line", TEST_SOURCE, True),
        ("query", "x", "https://example.org/a b", False),
        ("query", "x", 'https://example.org/a"b', False),
        ("query", "x", "https://example.org/a\nb", False),
        ("query", "x", FORGED.decode(), False),
        ("sparql", "x", FORGED.decode(), False),
        ("query", "x", "example.org/x", False),
    ],
)
def test_issue_12_attack_cases(fuzzed, door: str, comment: str, source: str, written: bool):
    archive, app = fuzzed
    client = app.test_client()
    auth = token_headers(archive.settings, "ana")
    size, n = archive.journal.path.stat().st_size, archive.revision
    query = f"?comment={quote(comment, safe='')}&source={quote(source, safe='')}"
    if door == "query":
        response = client.post(
            "/api/changesets" + query,
            data=turtle(n),
            headers={**auth, "Content-Type": "text/turtle"},
        )
    elif door == "header":
        response = client.post(
            f"/api/changesets?source={TEST_SOURCE}", data=turtle(n),
            headers={**auth, "Content-Type": "text/turtle", "DKG-Comment": comment},
        )  # fmt: skip
    elif door == "sparql":
        update = f'INSERT DATA {{ <{ID}person/u{n}> <{RDFS_LABEL}> "U" }}'
        response = client.post(
            "/sparql" + query, data=update,
            headers={**auth, "Content-Type": "application/sparql-update"},
        )  # fmt: skip
    else:
        body = PREFIXES + (
            f"<urn:import:a{n}> dct:source <{source}> ; rdfs:comment {ox.Literal(comment)} .\n"
            f'<urn:import:a{n}> {{ <{ID}person/a{n}> rdfs:label "A"@en . }}\n'
        )
        response = client.post(
            "/api/changesets",
            data=body.encode(),
            headers={**auth, "Content-Type": "application/trig"},
        )
    if written:
        assert response.status_code == 201, response.get_data(as_text=True)
        assert Journal(archive.journal.directory).open().records[-1].comment == comment
    else:
        assert response.status_code == 400, response.get_data(as_text=True)
        assert "not an IRI" in response.get_json()["error"]
        assert archive.journal.path.stat().st_size == size
    assert client.get("/api/changesets?limit=1").status_code == 200
    with Archive.open(archive.settings) as reopened:
        assert reopened.verify().ok


def test_issue_12_retract_comment(fuzzed, rita) -> None:
    archive, _app = fuzzed
    iri = f"{ID}person/ana"
    path = f"/record/retract?iri={iri}"
    form = {"iri": iri, "_source": "Test document", "_comment": "gone\u2028for good"}
    response = rita.post(path, data={**form, "csrf_token": csrf_token(rita, path)})
    assert response.status_code == 302
    with Archive.open(archive.settings) as reopened:
        assert next(reopened.records(reopened.revision)).comment == "gone\u2028for good"
        assert reopened.verify().ok


def test_zz_report_door_cases() -> None:
    """Print how many hostile cases each web door took, and how many were written."""
    print(f"\nhostile header cases per web door: {dict(DOOR_CASES)}")
