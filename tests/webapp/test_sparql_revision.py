"""The SPARQL endpoint as of a revision (``?revision=N``): answers from the history index, with
the same guard and errors as the current state's."""

from __future__ import annotations

import json

ID = "https://w3id.org/dialogue-kg/id/"
ASK_ANA = f"ASK {{ <{ID}person/ana> ?p ?o }}"


def _ask(client, revision: str | None) -> object:
    args = {"query": ASK_ANA, "format": "json"}
    if revision is not None:
        args["revision"] = revision
    response = client.get("/sparql", query_string=args)
    return response.status_code, (
        json.loads(response.data)["boolean"] if response.status_code == 200 else None
    )


def test_a_query_as_of_a_revision(client, small) -> None:
    assert _ask(client, None) == (200, True)
    assert _ask(client, "1") == (200, False)
    assert _ask(client, "3") == (200, True)
    assert _ask(client, str(small.revision)) == (200, True)
    posted = client.post("/sparql?revision=1", data={"query": ASK_ANA, "format": "json"})
    assert json.loads(posted.data)["boolean"] is False


def test_a_revision_the_archive_lacks_or_misspelt_is_refused(client) -> None:
    missing = client.get("/sparql", query_string={"query": ASK_ANA, "revision": "99"})
    assert missing.status_code == 400 and "no revision 99" in missing.text
    bad = client.get("/sparql", query_string={"query": ASK_ANA, "revision": "two"})
    assert bad.status_code == 400 and "whole number" in bad.text


def test_the_guard_applies_to_past_revisions_too(client) -> None:
    query = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    refused = client.get("/sparql", query_string={"query": query, "revision": "1"})
    assert refused.status_code == 403
