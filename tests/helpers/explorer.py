"""Driving the graph explorer in Chromium: wait for its layout, find a node on the canvas."""

from __future__ import annotations

# Functions (not strings) so Playwright does not eval them: the page's CSP forbids eval.
READY = "() => Boolean(window.dkgExplorer && window.dkgExplorer.ready)"
POINT = """(id) => {
  const x = window.dkgExplorer;
  const p = x.network.canvasToDOM(x.network.getPositions([id])[id]);
  const r = x.network.body.container.getBoundingClientRect();
  return {x: r.left + p.x, y: r.top + p.y};
}"""
# Asks vis-network itself which nodes it holds: filtered-out nodes are removed from it.
HIDDEN = "(ids) => ids.map((id) => !window.dkgExplorer.network.body.nodes[id])"


def wait_ready(page, timeout: float = 60_000) -> None:  # noqa: ANN001 - playwright Page
    """Wait until the explorer has drawn its settled layout."""
    page.wait_for_function(READY, timeout=timeout)


def click_node(page, iri: str) -> None:  # noqa: ANN001
    """Click the node ``iri`` where vis-network drew it."""
    point = page.evaluate(POINT, iri)
    page.mouse.click(point["x"], point["y"])


def hidden(page, iris: list[str]) -> list[bool]:  # noqa: ANN001
    """Whether each node is hidden by the filters."""
    return page.evaluate(HIDDEN, iris)
