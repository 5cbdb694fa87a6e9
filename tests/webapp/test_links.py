"""IRIs of other schemes never become links: javascript:, data:, vbscript: and the rest are shown
as text wherever a result or an IRI is shown (saved-query tables, resource pages, the desk)."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.core.terms import LINK_SCHEMES, linkable
from webapp import create_app

from ..conftest import TEST_SOURCE

ANA = "https://w3id.org/dialogue-kg/id/person/ana"
HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(2)",
    "data:text/html,x",
    "vbscript:msgbox(3)",
    "file:///etc/passwd",
    "urn:x:javascript:alert(4)",
]
SAFE = ["https://example.org/page", "mailto:office@example.org", "HTTP://EXAMPLE.ORG/"]
_HREF = re.compile(r'href="\s*(javascript|data|vbscript|file|urn):', re.IGNORECASE)


def browser_scheme(url: str) -> str:
    """The scheme a browser reads in an href (WHATWG URL: leading and trailing C0 controls and
    spaces are stripped, tabs and line breaks removed anywhere)."""
    url = re.sub(r"[\t\n\r]", "", url.strip("".join(chr(c) for c in range(0x21))))
    scheme, colon, _ = url.partition(":")
    return scheme.lower() if colon and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) else ""


TRICKS = st.sampled_from(["", " ", "\t", "\n", "\r", "\x00", "\x0c", "\x1f", "\u00a0", "%0a"])
SCHEMES = st.sampled_from(["javascript", "data", "vbscript", "file", "http", "https", "mailto"])


@st.composite
def hrefs(draw: st.DrawFn) -> str:
    """A scheme in random case, with whitespace and control characters slipped in."""
    scheme = "".join(c.upper() if draw(st.booleans()) else c for c in draw(SCHEMES))
    cut = draw(st.integers(0, len(scheme)))
    scheme = scheme[:cut] + draw(TRICKS) + scheme[cut:]
    rest = draw(st.sampled_from(["alert(1)", "//example.org/x", "text/html,<b>x</b>", "a@b.org"]))
    return draw(TRICKS) + scheme + ":" + rest + draw(TRICKS)


@settings(max_examples=300, deadline=None)
@given(hrefs())
@example("http:alert(1)\u00a0")  # a no-break space oxiri accepts (found by a CI run)
def test_only_http_https_and_mailto_are_linkable(href: str) -> None:
    if linkable(href):
        assert browser_scheme(href) in LINK_SCHEMES
        assert href == href.strip() and not re.search(r"[\x00-\x20]", href)


@pytest.mark.parametrize("iri", HOSTILE)
def test_hostile_schemes_are_not_linkable(iri: str) -> None:
    assert not linkable(iri)


@pytest.mark.parametrize("iri", SAFE)
def test_web_and_mail_addresses_are_linkable(iri: str) -> None:
    assert linkable(iri)


@pytest.fixture
def hostile(small: Archive) -> Archive:
    """Ana described with IRIs of every scheme (as an archive could hold them)."""
    see_also = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
    added = [ox.Triple(ox.NamedNode(ANA), see_also, ox.NamedNode(i)) for i in HOSTILE + SAFE]
    small.commit([ChangeSet(added=added, sources=[TEST_SOURCE])], agent="tester", validate=False)
    return small


def test_saved_query_tables_show_other_schemes_as_text(hostile: Archive) -> None:
    client = create_app({"TESTING": True}, archive=hostile).test_client()
    page = client.get("/queries/provenance-of-a-resource", query_string={"resource": ANA})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _HREF.search(html) is None
    for iri in HOSTILE:
        assert iri in html  # shown, as text
    for iri in SAFE:
        assert f'href="{iri}"' in html


def test_resource_pages_show_other_schemes_as_text(hostile: Archive) -> None:
    client = create_app({"TESTING": True}, archive=hostile).test_client()
    html = client.get("/id/person/ana").get_data(as_text=True)
    assert _HREF.search(html) is None
    assert "javascript:alert(1)" in html and 'href="https://example.org/page"' in html
