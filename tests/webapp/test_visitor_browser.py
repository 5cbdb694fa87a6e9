"""What a visitor sees, in real headless Chromium at 1400×900 and on a phone (390×844), over the
curated archive: a graph that can be read and driven by keyboard, every header and explorer
control reachable by Tab, the language menu by keyboard, the timeline's keys, report plots with
text of 10 px or more, no page that scrolls sideways, and axe-core finding no serious or
critical accessibility violation on any page."""

from __future__ import annotations

import re

import pytest

from webapp import create_app

from ..helpers.accessibility import axe_violations
from ..helpers.browser import open_page
from ..helpers.explorer import wait_ready
from ..helpers.live import serve_app

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1400, 900), "phone": (390, 844)}
PAGES = [
    "/",
    "/explore",
    "/explore?focus=https://w3id.org/dialogue-kg/id/agreement/first-agreement-2013",
    "/timeline",
    "/agreements",
    "/agreements?year=2013",
    "/reports",
    "/reports/agreements-per-year",
    "/reports/meetings-per-year",
    "/reports/implementation",
    "/reports/outreach",
    "/reports/central-actors",
    "/queries",
    "/queries/co-participants-of-an-actor",
    "/query",
    "/sparql",
    "/search?q=Brussels+Agreement",
    "/id/agreement/first-agreement-2013",
    "/id/agreement/first-agreement-2013?view=history",
    "/id/person/hashim-thaci",
    "/id/meeting/technical-dialogue-2011-eighth",
    "/topic/customs",
    "/changeset/14",
    "/agent/dialogue-kg",
    "/login",
    "/id/agreement/no-such-thing",
]
# Points of each legend shape as drawn (circle and rect are their own SVG elements).
POINTS = {"diamond": 4, "triangle": 3, "triangleDown": 3, "star": 10, "hexagon": 6}
# What names a focusable element in the lists below: its id, href or data-view.
NAME = "e.id || e.getAttribute('href') || e.getAttribute('data-view') || e.outerHTML.slice(0, 80)"
FOCUSABLE = (
    "(root) => Array.from(document.querySelectorAll(root + ' :is(a[href], button, "
    'input:not([type=hidden]), select, textarea, [tabindex="0"])\'))'
    ".filter((e) => !e.disabled && e.getClientRects().length"
    " && getComputedStyle(e).visibility !== 'hidden')"
    f".map((e) => {NAME})"
)
ACTIVE = f"() => {{ const e = document.activeElement; return e ? ({NAME}) : null; }}"
# The shape vis-network draws each class with: a drawn node's own, else the group's option.
SHAPES = """async () => { const x = window.dkgExplorer, shapes = {};
  const options = (await (await fetch(x.graphUrl || location.pathname + '/graph.json')).json())
    .options.groups;
  for (const [key, group] of Object.entries(options)) shapes[key] = group.shape;
  for (const node of Object.values(x.network.body.nodes)) {
    const group = node.options.group; if (group) shapes[group] = node.options.shape; }
  return shapes; }"""


@pytest.fixture(scope="module")
def live(curated):
    with serve_app(create_app({"TESTING": True}, archive=curated)) as base:
        yield base


def _boxes_overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and (b["y"] < a["y"] + a["h"])
    )


@pytest.mark.parametrize("size", SIZES)
def test_the_graph_can_be_read(chromium, live, size) -> None:
    width, height = SIZES[size]
    with open_page(chromium, viewport={"width": width, "height": height}) as (page, watch):
        page.goto(live + "/explore")
        wait_ready(page)
        page.wait_for_timeout(300)
        # Names on the important nodes at the first view, none on top of another.
        boxes = page.evaluate("() => window.dkgExplorer.labelled")
        ranking = page.evaluate("() => window.dkgExplorer.ranking()")
        assert len(boxes) >= 8
        named = {b["id"] for b in boxes}
        assert set(ranking[:3]) & named  # the best-linked nodes are named first
        assert not any(_boxes_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
        # No node is drawn smaller than a finger can find.
        assert page.evaluate("() => window.dkgExplorer.nodeRadius()") >= 5.5
        # Zoom in, zoom out, fit and reset buttons.
        scale = "() => window.dkgExplorer.network.getScale()"
        first = page.evaluate(scale)
        page.click("[data-view=zoom-in]")
        assert page.evaluate(scale) == pytest.approx(first * 1.4)
        page.click("[data-view=zoom-out]")
        page.click("[data-view=zoom-out]")
        assert page.evaluate(scale) < first
        page.click("[data-view=fit]")
        inside = page.evaluate(
            """() => { const x = window.dkgExplorer, c = x.network.body.container;
              const pos = x.network.getPositions(x.ranking());
              return Object.values(pos).every((p) => { const d = x.network.canvasToDOM(p);
                return d.x >= 0 && d.y >= 0 && d.x <= c.clientWidth
                  && d.y <= c.clientHeight; }); }"""
        )
        assert inside
        page.click("[data-view=reset]")
        assert page.evaluate(scale) == pytest.approx(first)
        # The legend draws each class with the shape the graph draws it with.
        for key, drawn in page.evaluate(SHAPES).items():
            svg = page.locator(f".legend li[data-class='{key}'] svg")
            assert svg.get_attribute("data-shape") == drawn
            if drawn == "dot":
                assert svg.locator("circle").count() == 1
            elif drawn == "square":
                assert svg.locator("rect").count() == 1
            else:
                points = svg.locator("polygon").get_attribute("points").split()
                assert len(points) == POINTS[drawn], key
        if size == "phone":
            # The graph and its time slider on the first screen.
            page.evaluate("() => window.scrollTo(0, 0)")
            for selector in ("#network", "#time-slider"):
                box = page.locator(selector).bounding_box()
                assert box["y"] >= 0 and box["y"] + box["height"] <= height, selector
            assert page.locator("#network").bounding_box()["height"] >= 240
    assert watch.errors == [] and watch.external == []


def test_keyboard_reaches_every_control_of_the_header_and_the_explorer(chromium, live) -> None:
    with open_page(chromium, viewport={"width": 1400, "height": 900}) as (page, watch):
        page.goto(live + "/explore")
        wait_ready(page)
        wanted = page.evaluate(FOCUSABLE, "body > header") + page.evaluate(FOCUSABLE, ".explorer")
        reached: list[str] = []
        for _ in range(len(wanted) + 20):
            page.keyboard.press("Tab")
            reached.append(page.evaluate(ACTIVE))
            if reached[-1] == "network":
                break
        missing = [
            w for w in wanted if w not in reached and wanted.index(w) < wanted.index("network")
        ]
        assert missing == []
        # In the graph, the arrow keys move from node to linked node; Enter opens its details.
        first = page.evaluate("() => window.dkgExplorer.focused()")
        assert first and page.inner_text("#network-current")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowDown")
        moved = page.evaluate("() => window.dkgExplorer.focused()")
        assert moved and moved != first
        page.keyboard.press("Enter")
        page.wait_for_function(
            "(id) => document.getElementById('panel').dataset.iri === id", arg=moved
        )
        page.keyboard.press("+")
        # Past the graph, Tab goes on to the time slider and the rest of the controls.
        for _ in range(20):
            page.keyboard.press("Tab")
            reached.append(page.evaluate(ACTIVE))
        assert {"time-slider", "play"} <= set(reached)
        assert set(wanted) <= set(reached), set(wanted) - set(reached)

        # The text list's "Show in the graph" takes the keyboard to that node in the graph.
        page.click("#node-list-summary")
        button = page.locator("#node-list tbody button[data-node]").nth(3)
        wanted_node = button.get_attribute("data-node")
        button.focus()
        page.keyboard.press("Enter")
        assert page.evaluate(ACTIVE) == "network"
        assert page.evaluate("() => window.dkgExplorer.focused()") == wanted_node

        # The language menu: arrow keys only move the choice; the button switches.
        page.focus("#lang-switch")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        assert page.locator("html").get_attribute("lang") == "en"
        chosen = page.input_value("#lang-switch")
        assert chosen == "sr-Cyrl"
        page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("html").get_attribute("lang") == "sr-Cyrl"

        # The menu's SPARQL link opens a page for people, not a download.
        page.goto(live + "/?lang=en")
        page.click("nav >> text=SPARQL")
        assert page.locator("h1").inner_text() == "SPARQL endpoint"
    assert watch.errors == []


def test_the_timeline_by_keyboard_and_every_year_in_view(chromium, live) -> None:
    with open_page(chromium, viewport={"width": 1400, "height": 900}) as (page, watch):
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text))
        page.goto(live + "/timeline")
        page.wait_for_selector("#timeline[data-ready=true] .vis-item.vis-dot")
        # Every year with items shows some in the rows in view (none hidden below others).
        shown = page.evaluate(
            """() => { const box = document.querySelector('#timeline .vis-center')
                .getBoundingClientRect();
              return Array.from(document.querySelectorAll(
                  '#timeline .vis-item.vis-dot, #timeline .vis-item.vis-range'))
                .filter((e) => { const r = e.getBoundingClientRect();
                  return r.top >= box.top && r.bottom <= box.bottom; }).length; }"""
        )
        total = int(page.get_attribute("#timeline", "data-count"))
        assert shown == total
        axis = (
            "() => Array.from(document.querySelectorAll('#timeline .vis-time-axis .vis-text'))"
            ".map((e) => e.textContent).join(' ')"
        )
        changed = f"(before) => ({axis})() !== before"
        before = page.evaluate(axis)
        page.focus("#timeline")
        page.keyboard.press("+")
        page.keyboard.press("+")
        page.wait_for_function(changed, arg=before, timeout=5000)
        zoomed = page.evaluate(axis)
        page.keyboard.press("ArrowRight")
        page.wait_for_function(changed, arg=zoomed, timeout=5000)
        page.keyboard.press("Home")
    assert not [c for c in console if "Unknown option" in c]
    assert watch.errors == []


def _smallest_text(page, live: str, name: str) -> float:  # noqa: ANN001
    """The smallest text of a report's plot, in CSS pixels as drawn on the page."""
    svg = page.request.get(f"{live}/reports/{name}/plot.svg").text()
    sizes = [float(s) for s in re.findall(r"font-size: ?([\d.]+)px", svg)]
    view_width = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+)', svg).group(1))
    drawn = page.locator(".report-plot img").evaluate("img => img.clientWidth")
    return min(sizes) * drawn / view_width


@pytest.mark.parametrize("size", SIZES)
def test_no_page_scrolls_sideways_or_fails_axe(chromium, live, size) -> None:
    width, height = SIZES[size]
    options = {"viewport": {"width": width, "height": height}, "bypass_csp": True}
    found: dict[str, object] = {}
    with open_page(chromium, **options) as (page, watch):
        for path in PAGES:
            page.goto(live + path)
            if path.startswith("/explore"):
                wait_ready(page)
            if path == "/query":
                page.locator(".CodeMirror:visible").wait_for()
            wide = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if wide > 0:
                found[path + " scrolls sideways by px"] = wide
            violations = axe_violations(page)
            if violations:
                found[path] = violations
            if path.startswith("/reports/"):
                smallest = _smallest_text(page, live, path.rsplit("/", 1)[1])
                if smallest < 10:
                    found[path + " smallest text px"] = round(smallest, 1)
    assert found == {}
    assert watch.errors == []
