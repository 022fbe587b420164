"""axe-core in a Playwright page: the accessibility rules a browser test checks a page against.

``audit(page)`` runs axe-core (the npm package, ``node_modules/axe-core/axe.min.js``, pinned in
package.json) on the page as it stands and returns its violations; ``describe(...)`` writes them as a
failure message naming the page, the rule and the elements.

The site's Content-Security-Policy allows scripts from its own origin only (``script-src 'self'``),
so a ``<script>`` tag with axe's source in it would be refused — and reported as a CSP violation,
which fails every browser test. axe is therefore evaluated through Playwright's ``page.evaluate``:
the DevTools protocol runs it in the page's main world without the page's policy applying to it,
as it does every ``page.evaluate``. The page keeps its real policy (no ``bypass_csp`` context), so
the audit sees exactly what a user's browser runs, and the CSP watch of ``tandem.testing.browser``
still holds for the page's own scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

#: axe-core as installed by ``npm ci`` (``make install``).
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

#: The impacts a browser test refuses; axe also reports ``moderate`` and ``minor``.
BLOCKING = ("serious", "critical")


@dataclass(frozen=True)
class Node:
    """One element that breaks a rule: its CSS path and axe's summary of what is wrong."""

    target: str
    html: str
    summary: str


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on a page, with the elements that break it."""

    page: str
    rule: str
    impact: str
    help: str
    nodes: tuple[Node, ...]

    def __str__(self) -> str:
        lines = [f"{self.page}: {self.rule} ({self.impact}) — {self.help}"]
        for node in self.nodes[:5]:
            summary = " ".join(node.summary.split())
            lines.append(f"    {node.target}  {node.html[:120]}  [{summary[:200]}]")
        if len(self.nodes) > 5:
            lines.append(f"    … and {len(self.nodes) - 5} more")
        return "\n".join(lines)


@cache
def axe_source() -> str:
    """axe-core's source (read once per test session)."""
    if not AXE_SCRIPT.exists():
        raise FileNotFoundError(f"{AXE_SCRIPT} is missing: run `make install` (npm ci installs axe-core)")
    return AXE_SCRIPT.read_text(encoding="utf-8")


_RUN = """async ({include, exclude}) => {
  const context = {exclude: exclude.map(selector => [selector])};
  if (include) context.include = [[include]];
  const result = await axe.run(context, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact || "", help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary || ""})),
  }));
}"""


def audit(
    page: Any,
    *,
    label: str | None = None,
    impacts: tuple[str, ...] | None = None,
    include: str | None = None,
    exclude: tuple[str, ...] = (),
) -> list[Violation]:
    """axe-core's violations on ``page`` as it stands (of the given impacts; all when None).

    ``label`` names the page in the violations (its path by default); ``include``/``exclude`` are
    CSS selectors narrowing the audit to part of the page.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        # An expression, not a function: evaluated as a script in the page's main world.
        page.evaluate(axe_source() + "\n;void 0")
    found = page.evaluate(_RUN, {"include": include, "exclude": list(exclude)})
    name = label or page.url
    violations = [
        Violation(
            page=name,
            rule=v["id"],
            impact=v["impact"],
            help=v["help"],
            nodes=tuple(Node(n["target"], n["html"], n["summary"]) for n in v["nodes"]),
        )
        for v in found
    ]
    return [v for v in violations if impacts is None or v.impact in impacts]


def describe(violations: list[Violation]) -> str:
    """A failure message: each page, rule and the elements breaking it."""
    return "\n".join(str(v) for v in violations)
