"""The axe-core accessibility checker (vendored in tests/helpers/axe/) run in a Playwright page."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).parent / "axe" / "axe.min.js"
# The rules of WCAG 2.0/2.1 A and AA (axe's tags), the standard the site claims.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
  }));
}"""


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:  # noqa: ANN001
    """The violations axe-core finds on the page now, of the given impacts. The page's context
    must be opened with ``bypass_csp=True`` (the site's CSP forbids injected scripts)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(RUN, TAGS) if v["impact"] in impacts]
