"""axe-core in the browser tests: the page as the browser has it, checked against
WCAG 2.1 A and AA, and the serious and critical violations said in words.

axe-core is vendored under ``tests/browser/vendor/axe-core/`` (the npm package's
minified file and its licence). It is evaluated through the DevTools protocol, as a
test's own ``page.evaluate`` is, so the page's strict Content-Security-Policy stays
exactly as Eligo sends it: a ``<script>`` element added to the page would be refused.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

# WCAG 2.1 level A and AA, as axe tags its rules.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")

RUN = """async (tags) => {
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
        // axe copies the page's stylesheets into <style> elements of its own to check
        // orientation locks; the page's policy refuses them. Eligo locks no orientation
        // (the tablet tests turn the screen both ways).
        preload: false,
    });
    return results.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
    }));
}"""


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Every WCAG 2.1 A/AA violation axe finds on the page as it stands."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    violations: list[dict[str, Any]] = page.evaluate(RUN, TAGS)
    return violations


def serious_violations(page: Any) -> list[str]:
    """The serious and critical violations on the page, one line per element."""
    lines = []
    for violation in axe_violations(page):
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        for node in violation["nodes"]:
            lines.append(
                f"{page.url}: [{violation['impact']}] {violation['id']} ({violation['help']}) "
                f"at {node['target']}: {node['summary']}"
            )
    return lines
