"""The recording forms over HTTP: login and CSRF, validation beside the fields, duplicates, stale
edits, the picker's lookup, and labels kept inert."""

from __future__ import annotations

import re

import pytest

from dialogue_kg.namespaces import DKG

from ..helpers.accounts import add_user, csrf_token, login

PASSWORD = "correct horse battery"
ID = "https://w3id.org/dialogue-kg/id/"
TEST_SOURCE = ID + "source/test-doc"


@pytest.fixture
def archivist(client, settings):
    add_user(settings, "ana", PASSWORD, "archivist")
    login(client, "ana", PASSWORD)
    return client


def post(client, path: str, data: dict, token_path: str | None = None):  # noqa: ANN201
    token = csrf_token(client, token_path or path)
    return client.post(path, data={**data, "csrf_token": token})


def meeting(**extra) -> dict:
    data = {
        "label@en": "Fifth round",
        "date": "2011-07-02",
        "meetingLevel": str(DKG.TechnicalRound),
        "participant": "Ana Example [id/person/ana]",
        "new.participant.0.label@en": "Erion Example",
        "new.participant.0.type": str(DKG.Person),
        "new.reached.0.label@en": "Alpha, annex on civil registries",
        "new.reached.0.partOf": "Alpha agreement [id/agreement/alpha]",
        "_source": "Test document [id/source/test-doc]",
    }
    data.update(extra)
    return data


def test_anonymous_visitors_are_sent_to_log_in(client, small) -> None:
    for path in ("/record/", "/record/meeting", "/record/agreement", "/record/lookup?q=a"):
        response = client.get(path)
        assert response.status_code in (302, 401), path
    before = small.revision
    token = csrf_token(client, "/login")
    response = client.post("/record/meeting", data={**meeting(), "csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert small.revision == before


def test_a_wrong_csrf_token_is_refused(archivist, small) -> None:
    before = small.revision
    response = archivist.post("/record/meeting", data={**meeting(), "csrf_token": "forged"})
    assert response.status_code == 400
    response = archivist.post("/record/meeting", data=meeting())
    assert response.status_code == 400
    assert small.revision == before


def test_the_form_is_laid_out_from_the_shapes(archivist) -> None:
    page = archivist.get("/record/meeting?lang=sq").get_data(as_text=True)
    assert "Takim" in page and "Niveli i takimit" in page and "Pjesëmarrës" in page
    for name in ('name="label@en"', 'name="label@sq"', 'name="label@sr-Latn"', 'name="date"',
                 'name="endDate"', 'name="participant"', 'name="outcome@sq"', 'name="_source"',
                 'name="_source_title"', 'name="_source_url"', 'name="csrf_token"'):  # fmt: skip
        assert name in page, name
    assert 'id="tpl-participant"' in page and 'id="tpl-reached"' in page
    assert "<script>" not in page and "onclick" not in page
    index = archivist.get("/record/").get_data(as_text=True)
    assert "/record/implementation-event" in index and "/record/role-holding" in index
    assert archivist.get("/record/claim").status_code == 200
    assert archivist.get("/record/no-such-thing").status_code == 404


def test_a_missing_source_is_shown_beside_it_and_nothing_is_written(archivist, small) -> None:
    before = small.revision
    response = post(archivist, "/record/meeting", meeting(_source=""))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    block = page[page.index('id="field-source"') :]
    assert "A source is required" in block[:3000]
    assert "A meeting needs at least one source" in block[:3000]
    assert 'value="Fifth round"' in page and 'value="Erion Example"' in page  # kept
    assert small.revision == before


def test_saving_writes_one_change_set_and_shows_it(archivist, small) -> None:
    response = post(archivist, "/record/meeting", meeting(_comment="From the statement"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert re.search(r"/record/saved/\d+", response.headers["Location"])
    rec = next(small.records(small.revision, small.revision))
    assert rec.agent.endswith("/agent/ana")
    assert rec.sources == [TEST_SOURCE] and rec.comment == "From the statement"
    page = archivist.get(response.headers["Location"]).get_data(as_text=True)
    assert "meeting/fifth-round-2011-07-02" in page and "person/erion-example" in page
    assert 'href="/id/meeting/fifth-round-2011-07-02"' in page


def test_likely_duplicates_need_a_confirmation(archivist, small) -> None:
    data = {"label@en": "First round (Brussels)", "date": "2011-03-08", "_source": TEST_SOURCE}
    before = small.revision
    response = post(archivist, "/record/meeting", data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "may already be in the archive" in page and "First round" in page
    assert 'name="_confirm_duplicates"' in page
    assert small.revision == before
    response = post(archivist, "/record/meeting", {**data, "_confirm_duplicates": "1"})
    assert response.status_code == 302
    assert small.revision == before + 1


def test_a_stale_edit_is_refused_with_the_difference(archivist, small, client) -> None:
    first = ID + "meeting/first-round"
    form = archivist.get(f"/record/edit?iri={first}").get_data(as_text=True)
    assert 'value="First round"' in form and 'value="2011-03-08"' in form
    assert "Ana Example [id/person/ana]" in form
    opened = re.search(r'name="_opened_at" value="(\d+)"', form).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    base = {"iri": first, "_opened_at": opened, "csrf_token": token, "_source": TEST_SOURCE,
            "label@en": "First round", "date": "2011-03-08", "year": "2011",
            "participant": ["Ana Example [id/person/ana]", "Boris Example [id/person/boris]"],
            "reached": "Alpha agreement [id/agreement/alpha]"}  # fmt: skip
    first_save = archivist.post("/record/edit", data={**base, "outcome@en": "Agreed."})
    assert first_save.status_code == 302, first_save.get_data(as_text=True)[:3000]
    before = small.revision
    second = archivist.post("/record/edit", data={**base, "note": "Second opinion"})
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "changed after you opened the form" in page and "Agreed." in page
    assert "<td>outcome</td>" in page  # the difference in words: record, property, value
    assert small.revision == before
    seen = re.search(r'name="_seen_revision" value="(\d+)"', page).group(1)
    third = archivist.post("/record/edit", data={**base, "note": "Second opinion",
                                                 "_seen_revision": seen})  # fmt: skip
    assert third.status_code == 302
    rec = next(small.records(small.revision, small.revision))
    assert any(q.object.value == "Second opinion" for q in rec.added())
    # Saved over the other change only when asked to, as a retraction the journal keeps.
    assert any(q.object.value == "Agreed." for q in rec.removed())


def test_editing_something_that_is_not_a_record(archivist) -> None:
    missing = archivist.get(f"/record/edit?iri={ID}x/none")
    assert missing.status_code == 404
    assert archivist.get("/record/edit").status_code == 400
    assert archivist.get("/record/edit?iri=http://x>%20?p%20?o%20}").status_code == 404
    assert archivist.get("/record/retract?iri=http://x>%20{").status_code == 404


def test_malformed_references_are_problems_not_crashes(archivist, small) -> None:
    data = meeting(participant="Ana [id/person/ana> ?p ?o]", place="https://x y")
    response = post(archivist, "/record/meeting", data)
    assert response.status_code == 422
    assert "No record is called" in response.get_data(as_text=True)


def test_lookup_suggests_records_of_the_field_classes(archivist) -> None:
    response = archivist.get("/record/lookup?form=meeting&field=participant&q=exam")
    values = [r["value"] for r in response.get_json()["results"]]
    assert values == ["Ana Example [id/person/ana]", "Boris Example [id/person/boris]"]
    sources = archivist.get("/record/lookup?class=source&q=test").get_json()["results"]
    assert [r["iri"] for r in sources] == [TEST_SOURCE]
    none = archivist.get("/record/lookup?form=meeting&field=reached&q=exam").get_json()
    assert none["results"] == []
    assert archivist.get("/record/lookup?form=meeting&field=nope&q=x").status_code == 404


def test_adding_a_row_without_javascript_keeps_what_was_typed(archivist, small) -> None:
    before = small.revision
    response = post(archivist, "/record/meeting", {"label@en": "Typed", "_add": "new.participant"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="Typed"' in page
    assert 'name="new.participant.0.label@en"' in page
    assert small.revision == before


def test_labels_with_html_are_stored_verbatim_and_shown_inert(archivist, small) -> None:
    evil = '<script>alert("x")</script><b>Round</b>'
    response = post(archivist, "/record/meeting", meeting(**{"label@en": evil}))
    assert response.status_code == 302
    rec = next(small.records(small.revision, small.revision))
    assert any(q.object.value == evil for q in rec.added())
    page = archivist.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    iri = re.search(r'id="record-iri">([^<]+)<', page).group(1)
    form = archivist.get(f"/record/edit?iri={iri}").get_data(as_text=True)
    assert "<script>alert" not in form and "&lt;script&gt;alert" in form


def test_every_recordable_class_has_a_working_form(archivist) -> None:
    from dialogue_kg.write.recording.fields import class_key, recordable_classes

    for cls in recordable_classes():
        page = archivist.get(f"/record/{class_key(cls)}")
        assert page.status_code == 200, class_key(cls)
        assert 'name="label@en"' in page.get_data(as_text=True)


def test_retracting_a_record_needs_a_source_and_keeps_its_history(archivist, small) -> None:
    from dialogue_kg.core.history import resource_history

    first = ID + "meeting/first-round"
    path = f"/record/retract?iri={first}"
    assert "First round" in archivist.get(path).get_data(as_text=True)
    before = small.revision
    refused = post(archivist, path, {"iri": first, "_source": ""})
    assert refused.status_code == 422 and small.revision == before
    done = post(archivist, path, {"iri": first, "_source": "Test document", "_comment": "Dup"})
    assert done.status_code == 302
    assert not small.query(f"ASK {{ <{first}> ?p ?o }}")
    history = resource_history(small, first)
    assert history[-1].removed and history[-1].comment == "Dup"
    assert archivist.get(path).status_code == 404


WRITE_ROUTES = [
    "/record/meeting",
    "/record/agreement",
    f"/record/edit?iri={ID}meeting/first-round",
    f"/record/retract?iri={ID}meeting/first-round",
    "/record/saved/2/revert",
]


@pytest.mark.parametrize("path", WRITE_ROUTES)
def test_write_routes_refuse_anonymous_and_forged_posts(client, settings, small, path) -> None:
    before = small.revision
    token = csrf_token(client, "/login")
    anonymous = client.post(path, data={**meeting(), "csrf_token": token, "_source": TEST_SOURCE})
    assert anonymous.status_code in (302, 401) and small.revision == before
    add_user(settings, "ana", PASSWORD, "editor")
    login(client, "ana", PASSWORD)
    forged = client.post(path, data={**meeting(), "csrf_token": "forged"})
    assert forged.status_code == 400 and small.revision == before


def test_only_editors_revert(archivist, small) -> None:
    before = small.revision
    response = post(archivist, "/record/saved/2/revert", {}, token_path="/record/")
    assert response.status_code == 403 and small.revision == before
    assert 'id="revert"' not in archivist.get("/record/saved/2").get_data(as_text=True)


def test_a_mistyped_year_is_refused_beside_its_field(archivist, small) -> None:
    before = small.revision
    response = post(archivist, "/record/meeting", meeting(date="", year="2O24"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    block = page[page.index('id="field-year"') :][:3000]
    assert "“2O24” is not a valid year, such as 2013." in block
    assert small.revision == before


def test_a_source_address_without_a_scheme_is_refused(archivist, small) -> None:
    before = small.revision
    data = meeting(_source="", _source_title="A new statement", _source_url="www.example.org/doc")
    response = post(archivist, "/record/meeting", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "“www.example.org/doc” is not a valid web address." in page
    assert small.revision == before
