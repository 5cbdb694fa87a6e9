"""Meeting, person and organisation pages for people: who met, when and what came of it; roles
over time, meetings attended and agreements; the statement table stays below."""

from __future__ import annotations

import re


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _overview(client, path: str) -> str:  # noqa: ANN001
    page = client.get(path).get_data(as_text=True)
    assert 'id="h-properties"' in page  # the record stays
    return _text(page[: page.index('id="h-properties"')])


def test_meeting_says_who_met_when_and_what_came_of_it(curated_client) -> None:
    text = _overview(curated_client, "/id/meeting/high-level-2013-04-19")
    assert "Held on April 19, 2013 in Brussels." in text
    assert "Who met: Catherine Ashton, Hashim Thaçi, and Ivica Dačić." in text
    assert "What came of it" in text and "initialled the 15-point agreement" in text
    reached = text[text.index("Agreements reached") :]
    assert "First Agreement of Principles Governing the Normalization of Relations" in reached


def test_person_roles_meetings_and_agreements(curated_client) -> None:
    text = _overview(curated_client, "/id/person/hashim-thaci")
    assert "Roles over time" in text and "Prime Minister of Kosovo, Government of Kosovo" in text
    assert re.search(r"\d+ meetings attended", text)
    negotiated = text[text.index("Negotiated") :]
    assert "First Agreement of Principles" in negotiated


def test_organisation_lists_who_held_roles_there(curated_client) -> None:
    text = _overview(curated_client, "/id/organisation/government-of-kosovo")
    people = text[text.index("People with a role here") :]
    assert "Hashim Thaçi: Prime Minister of Kosovo from 2012" in people
    assert "Party to" in text


def test_in_serbian_cyrillic(curated_client) -> None:
    text = _overview(curated_client, "/id/meeting/high-level-2013-04-19?lang=sr-Cyrl")
    assert "Шта је из тога произашло" in text


def test_other_kinds_keep_the_plain_page(curated_client) -> None:
    page = curated_client.get("/id/place/brussels").get_data(as_text=True)
    assert "record-heading" not in page and 'id="h-properties"' in page
