"""Accessibility basics of the visitors' pages: landmarks, one h1, labelled form controls, alt
text, a document language; and the skip link is the first stop of the keyboard."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

PAGES = [
    "/",
    "/agreements",
    "/agreements?year=2011",
    "/timeline",
    "/id/agreement/first-agreement-2013",
    "/id/agreement/first-agreement-2013?view=history",
    "/id/person/edita-tahiri",
    "/topic/customs",
    "/changeset/14",
    "/agent/dialogue-kg",
    "/id/agreement/no-such-thing",
]


class Audit(HTMLParser):
    """Collects what the checks need from one page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.label_for: set[str] = set()
        self.open_labels = 0
        self.unlabelled: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            if not self.open_labels and not a.get("aria-label"):
                self.unlabelled.append(a.get("id", "?"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels -= 1


@pytest.mark.parametrize("path", PAGES)
def test_landmarks_headings_labels_and_alt_text(curated_client, path: str) -> None:
    audit = Audit()
    audit.feed(curated_client.get(path + ("&" if "?" in path else "?") + "lang=sq").get_data(True))
    tags = [t for t, _ in audit.tags]
    assert ("html", {"lang": "sq"}) in audit.tags
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in tags, landmark
    assert tags.count("h1") == 1
    assert all(a.get("alt") for t, a in audit.tags if t == "img")
    missing = [i for i in audit.unlabelled if i not in audit.label_for]
    assert missing == [], f"form controls without a label: {missing}"


@pytest.mark.browser
def test_keyboard_reaches_the_skip_link_first(chromium, curated_app) -> None:
    from ...helpers.browser import open_page
    from ...helpers.live import serve_app

    with serve_app(curated_app) as base, open_page(chromium) as (page, watch):
        page.goto(base + "/id/agreement/first-agreement-2013")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        assert page.url.endswith("#content")
        # The neighbourhood graph's nodes are links a keyboard reaches.
        assert page.locator(".neighbourhood a").count() > 0
        page.focus(".neighbourhood a >> nth=0")
        assert page.evaluate("document.activeElement.closest('svg') !== null")
    assert watch.errors == []
