"""The journal under hostile input and damage (issue 12, findings 1-3): any text in a header
round-trips or is refused before anything is written, no header can be forged, and `verify`
never writes and reports every damage with its record and byte offset."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue_kg.cli import main
from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive, InputError
from dialogue_kg.core.changeset import ChangeSet, read_changesets
from dialogue_kg.core.journal import Draft, Journal, JournalError

from .conftest import TEST_SOURCE

ID = "https://w3id.org/dialogue-kg/id/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FORGED = 'https://example.org/s> .\nH batch "1/2" .\nH source <https://example.org/t'


def person(n: int | str) -> bytes:
    """Turtle for one valid person record."""
    return (
        "@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<{ID}person/h{n}> a dkg:Person ; rdfs:label "Hostile {n}"@en ; '
        f"dkg:source <{TEST_SOURCE}> .\n"
    ).encode()


def commit(archive: Archive, n: int | str, *, comment=None, sources=None, validate=None):  # noqa: ANN001, ANN201
    """Commit one person through Archive.commit with the given header values."""
    changesets = read_changesets(
        person(n), archive.minter, fmt="ttl", sources=sources or [TEST_SOURCE], comment=comment
    )
    return archive.commit(changesets, agent="tester", validate=validate)


def cli(settings: Settings, *args: str):  # noqa: ANN201 - click Result
    """Run a dialogue-kg command on the test data directory, in process."""
    runner = CliRunner()
    return runner.invoke(
        main,
        [args[0], "--data-dir", settings.data_dir, *args[1:]],
        env={"DKG_GRAPH_DATA": settings.graph_data_dir},
    )


# -- finding 1: one write made the whole archive unreadable -------------------------------------


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c", "\r"])
def test_a_comment_with_a_line_separator_round_trips(small: Archive, char: str) -> None:
    comment = f"before{char}after"
    (record,) = commit(small, 1, comment=comment)
    assert record.comment == comment
    with Archive.open(small.settings) as reopened:
        assert reopened.revision == small.revision
        assert next(reopened.records(record.revision)).comment == comment
        assert reopened.verify().ok
    result = cli(small.settings, "verify")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "source",
    [
        "https://example.org/a b",
        'https://example.org/a"b',
        "https://example.org/a\nb",
        "https://example.org/a>b",
        "example.org/x",
        "https://example.org/\udc85",
    ],
)
def test_a_source_that_is_not_an_iri_is_refused_before_writing(small: Archive, source: str) -> None:
    size = small.journal.path.stat().st_size
    with pytest.raises(InputError, match="source"):
        commit(small, 1, sources=[source])
    assert small.journal.path.stat().st_size == size
    with Archive.open(small.settings) as reopened:
        assert reopened.verify().ok


def test_a_comment_with_a_lone_surrogate_is_refused_before_writing(small: Archive) -> None:
    size = small.journal.path.stat().st_size
    with pytest.raises(InputError, match="comment"):
        commit(small, 1, comment="bad \ud800 text")
    assert small.journal.path.stat().st_size == size


def test_cli_load_comment_and_source_round_trip_or_are_refused(small: Archive) -> None:
    data = small.journal.path
    size = data.stat().st_size
    turtle = Path(small.settings.data_dir).parent / "one.ttl"
    turtle.write_bytes(person(2))
    bad = cli(small.settings, "load", str(turtle), "--agent", "t", "--source", FORGED)
    assert bad.exit_code == 1 and "not an IRI" in bad.output and "Traceback" not in bad.output
    assert data.stat().st_size == size
    good = cli(
        small.settings, "load", str(turtle), "--agent", "t", "--comment", "a\u2028b\u0085c",
        "--source", TEST_SOURCE,
    )  # fmt: skip
    assert good.exit_code == 0, good.output
    journal = Journal(Path(small.settings.data_dir)).open(readonly=True)
    assert journal.records[-1].comment == "a\u2028b\u0085c"
    assert cli(small.settings, "verify").exit_code == 0


# -- finding 2: a source forged a journal header -------------------------------------------------


def test_a_forged_header_in_a_source_is_refused(small: Archive) -> None:
    size, revision = small.journal.path.stat().st_size, small.revision
    with pytest.raises(InputError, match="not an IRI"):
        commit(small, 1, sources=[FORGED])
    assert small.journal.path.stat().st_size == size
    result = cli(small.settings, "verify")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"ok: {revision} change sets")


# -- finding 3: verify wrote, and hid damage -----------------------------------------------------


def test_verify_reports_a_flipped_byte_in_the_last_tc_line_and_writes_nothing(
    small: Archive,
) -> None:
    path = small.journal.path
    data = path.read_bytes()
    assert data.endswith(b"\nTC .\n")
    damaged = data[:-3] + b"D" + data[-2:]  # "TC ." -> "TD ."
    path.write_bytes(damaged)
    result = cli(small.settings, "verify")
    assert result.exit_code != 0
    last = small.journal.records[-1]
    assert f"record {last.revision} at byte {last.offset}" in result.output
    assert path.read_bytes() == damaged, "verify must not change the journal"
    with pytest.raises(JournalError, match=f"record {last.revision}"):
        Archive.open(small.settings)
    assert path.read_bytes() == damaged, "opening must not cut a complete record"


def test_verify_reports_a_torn_tail_and_writes_nothing(small: Archive) -> None:
    (last,) = commit(small, 1)
    path = small.journal.path
    data = path.read_bytes()
    cut = data[: last.offset + 60]
    path.write_bytes(cut)
    result = cli(small.settings, "verify")
    assert result.exit_code != 0
    assert f"torn tail at byte {last.offset}" in result.output
    assert path.read_bytes() == cut


@pytest.mark.parametrize("damage", ["cut in the first batch", "emptied", "deleted"])
def test_a_used_directory_is_never_reinitialised(tmp_path: Path, damage: str) -> None:
    settings = Settings.from_env({}, data_dir=str(tmp_path / "d"), query_workers=0)
    with Archive.open(settings) as archive:  # initialised from graph_data/: one batch
        first_batch = archive.revision
        assert first_batch > 2
        commit(archive, 1, comment="after the first batch", validate=False)
        records = archive.journal.records
    path = Path(settings.data_dir) / Journal.FILENAME
    if damage == "cut in the first batch":
        path.write_bytes(path.read_bytes()[: records[2].offset + 10])
    elif damage == "emptied":
        path.write_bytes(b"")
    else:
        path.unlink()
    before = path.read_bytes() if path.exists() else None
    for command in (["verify"], ["query", "-e", "ASK {}"], ["export"]):
        result = cli(settings, *command)
        assert result.exit_code != 0, (command, result.output)
        assert "journal" in result.output and "backup" in result.output, result.output
        assert (path.read_bytes() if path.exists() else None) == before
    with pytest.raises(JournalError):
        Archive.open(settings)
    assert (path.read_bytes() if path.exists() else None) == before


def test_repair_cuts_a_torn_tail_after_keeping_a_backup(small: Archive) -> None:
    assert cli(small.settings, "repair").output.startswith("nothing to repair")
    (last,) = commit(small, 1)
    path = small.journal.path
    cut = path.read_bytes()[: last.end - 3]  # a crash before the end of "TC .\n"
    path.write_bytes(cut)
    assert cli(small.settings, "verify").exit_code == 1
    result = cli(small.settings, "repair")
    assert result.exit_code == 0, result.output
    assert f"cut {len(cut) - last.offset} bytes at byte {last.offset}" in result.output
    (backup,) = Path(small.settings.data_dir).glob("journal.rdfp.bak-*")
    assert backup.read_bytes() == cut and str(backup) in result.output.replace("\n", "")
    assert path.stat().st_size == last.offset
    assert cli(small.settings, "verify").exit_code == 0


def test_repair_refuses_damage_and_cuts_nothing(small: Archive) -> None:
    path = small.journal.path
    damaged = path.read_bytes()[:-3] + b"D .\n"
    path.write_bytes(damaged)
    result = cli(small.settings, "repair")
    assert result.exit_code == 1 and "Nothing was cut" in result.output
    assert path.read_bytes() == damaged
    assert not list(Path(small.settings.data_dir).glob("journal.rdfp.bak-*"))


# -- property: any text in any header field, through every door of the core ---------------------
# Each case is either refused before anything is written (InputError / exit 1, journal size
# unchanged) or reads back exactly; the journal verifies after every case. DOOR_CASES counts
# the cases run per door (printed at the end of the module's run).

DOOR_CASES: Counter[str] = Counter()
SPECIALS = st.sampled_from(
    ["\n", "\r", "\r\n", "\u2028", "\u2029", "\u0085", "\x00", "\x1f", "\x7f", "\ud800",
     "\udfff", "\\", '"', "<", ">", " ", "\t", "\\u000A", "\ufffe", "\U0010ffff", FORGED]
)  # fmt: skip
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)
RAW_BYTES = st.binary(max_size=30)
HOSTILE = st.one_of(
    st.lists(st.one_of(ANY_TEXT, SPECIALS), max_size=4).map("".join),
    RAW_BYTES.map(lambda b: b.decode("utf-8", "surrogateescape")),
    RAW_BYTES.map(lambda b: b.decode("latin-1")),
)
IRI_LIKE = st.one_of(
    HOSTILE,
    st.tuples(
        st.sampled_from(["https://example.org/", "urn:x:", "http://h/", "example.org/", "x:"]),
        HOSTILE,
    ).map("".join),
)
# IRIs that parse, with characters that need escaping in a header (non-ASCII, U+2028).
VALID_IRI = st.tuples(
    st.sampled_from(["https://example.org/", "urn:x:", "http://h/"]),
    st.text(st.sampled_from("abXZ09-._~!$&'()*+,;=:@/?é中\u2028\u00a0\U0001f600"), max_size=20),
).map("".join)
IRI_FIELD = st.one_of(VALID_IRI, IRI_LIKE)
GRAPH_FIELD = st.one_of(st.just(""), IRI_FIELD)
# Text fields: hostile text with its lone surrogates (if any) kept, or replaced by '?'.
TEXT_FIELD = st.one_of(HOSTILE, HOSTILE.map(lambda t: t.encode("utf-8", "replace").decode()))
CLEAN_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def journal_verifies(directory: Path) -> Journal:
    """The journal re-read from disk (read-only), checked end to end."""
    journal = Journal(directory).open(readonly=True)
    journal.verify()
    return journal


@FUZZ
@given(comment=TEXT_FIELD, time=TEXT_FIELD, agent=IRI_FIELD, source=IRI_FIELD,
       graph=GRAPH_FIELD, text=CLEAN_TEXT)  # fmt: skip
def test_journal_door(
    tmp_path: Path, comment: str, time: str, agent: str, source: str, graph: str, text: str
) -> None:
    journal = Journal(tmp_path).open()
    n = journal.revision + 1
    iri = f"https://w3id.org/dialogue-kg/changeset/{n}"
    statement = f"<urn:s:{n}> <urn:p> {ox.Literal(text)} <{iri}>"
    draft = Draft(iri, agent, time, [statement], [], [source], comment, graph)
    size = journal.path.stat().st_size
    DOOR_CASES["Journal.append"] += 1
    try:
        with journal.lock():
            journal.append([draft])
    except InputError as exc:
        assert journal.path.stat().st_size == size and str(exc)
    else:
        DOOR_CASES["Journal.append written"] += 1
        (record,) = journal_verifies(tmp_path).read_records(n, n)
        assert (record.agent, record.time, record.sources) == (agent, time, [source])
        assert (record.comment, record.imported_graph) == (comment or None, graph or None)
        assert record.added()[0].object.value == text
    journal_verifies(tmp_path)


@FUZZ
@given(comment=TEXT_FIELD, agent=IRI_FIELD, source=IRI_FIELD, graph=GRAPH_FIELD,
       text=CLEAN_TEXT)  # fmt: skip
def test_archive_commit_door(
    archive: Archive, comment: str, agent: str, source: str, graph: str, text: str
) -> None:
    n = archive.revision + 1
    triple = ox.Triple(
        ox.NamedNode(f"{ID}person/fuzz-{n}"), ox.NamedNode(RDFS_LABEL), ox.Literal(text)
    )
    cs = ChangeSet(added=[triple], sources=[source], comment=comment, imported_graph=graph)
    size = archive.journal.path.stat().st_size
    DOOR_CASES["Archive.commit"] += 1
    try:
        records = archive.commit([cs], agent=agent, validate=False)
    except InputError as exc:
        assert archive.journal.path.stat().st_size == size and str(exc)
    else:
        DOOR_CASES["Archive.commit written"] += 1
        (record,) = journal_verifies(archive.journal.directory).read_records(n, n)
        assert record == records[0]  # equal headers; statements are not compared
        assert (record.sources, record.comment) == ([source], comment or None)
        named = agent if agent.startswith(("http://", "https://")) else archive.minter.agent(agent)
        assert record.agent == named and record.imported_graph == (graph or None)
        assert bool(archive.query(f"ASK {{ ?s ?p {ox.Literal(text)} }}"))
    journal_verifies(archive.journal.directory)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(comment=TEXT_FIELD, source=IRI_FIELD)
def test_cli_load_door(archive: Archive, tmp_path: Path, comment: str, source: str) -> None:
    n = archive.revision + 1
    turtle = tmp_path / "fuzz.ttl"
    turtle.write_bytes(person(f"cli-{n}"))
    size = archive.journal.path.stat().st_size
    DOOR_CASES["dialogue-kg load"] += 1
    result = cli(
        archive.settings, "load", str(turtle), "--agent", "fuzzer", "--no-validate",
        "--comment", comment, "--source", source,
    )  # fmt: skip
    if result.exit_code == 0:
        DOOR_CASES["dialogue-kg load written"] += 1
        (record,) = journal_verifies(archive.journal.directory).read_records(n, n)
        assert (record.sources, record.comment) == ([source], comment or None)
    else:
        assert result.exit_code == 1 and result.output.startswith("Error: "), result.output
        assert archive.journal.path.stat().st_size == size
    journal_verifies(archive.journal.directory)
    archive.refresh()


def test_zz_report_door_cases() -> None:
    """Print how many hostile cases each core door took, and how many of them were written
    (run last in this module)."""
    print(f"\nhostile header cases per door: {dict(DOOR_CASES)}")
