"""Provenance a reader can use: each statement on a resource page names the source behind it,
and the history reads as sentences, not N-Triples."""

from __future__ import annotations

import re

CELL = re.compile(r'<td class="backing">(.*?)</td>', re.DOTALL)
LINK = re.compile(r'<a href="([^"]+)"')


def test_each_statement_names_its_own_sources(curated_client) -> None:
    html = curated_client.get("/id/person/hashim-thaci?lang=en").get_data(as_text=True)
    cells = CELL.findall(html)
    assert cells
    for cell in cells:
        links = [href for href in LINK.findall(cell) if not href.startswith("/changeset/")]
        # The change set cites many sources; a statement shows the few this person cites.
        assert 1 <= len(links) <= 3, cell
        assert all(href.startswith("/id/source/") for href in links)
        assert re.search(r'href="/changeset/\d+"', cell)
    # A dkg:source statement is backed by the very source it names.
    source_rows = re.findall(r"<th scope=\"row\">source</th><td>(.*?)</td>\s*<td", html, re.S)
    assert source_rows


def test_the_history_reads_as_sentences(curated_client) -> None:
    page = curated_client.get("/id/agreement/first-agreement-2013?view=history&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This resource: date is <span>April 19, 2013</span>." in html
    assert 'This resource: topic is <a href="/topic/' in html
    assert "&lt;https://w3id.org/" not in html  # no N-Triples
    assert "recorded this on" in html and "It cites" in html
