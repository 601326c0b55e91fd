"""The accessibility bar for browser tests: axe-core (WCAG 2.1 A and AA) over a rendered page, and
no element id used twice.

    from tests.accessibility import assert_accessible
    assert_accessible(tab, "hotline-submit-phone")

fails the test on any serious or critical axe violation, listing each with its rule, impact, the
elements it was found on and axe's help text, and on any id that more than one element carries
(axe's own duplicate-id rules are deprecated and off by default, and a repeated id breaks labels,
``aria-describedby`` and in-page links all the same)."""

from axe_playwright_python.base import AXE_SCRIPT

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
FAILING_IMPACTS = ("serious", "critical")

# Every id on the page that more than one element carries, with how many carry it.
DUPLICATE_IDS_JS = """() => {
  const seen = {};
  for (const el of document.querySelectorAll("[id]")) {
    if (el.id) seen[el.id] = (seen[el.id] || 0) + 1;
  }
  return Object.fromEntries(Object.entries(seen).filter(([, n]) => n > 1));
}"""


def axe_results(tab, *, tags=WCAG_TAGS, context=None, disable=()):
    """axe-core's results for the page as it stands (violations only): the WCAG rules of
    ``tags``, within ``context`` (an axe context, the whole document by default), with the rules
    named in ``disable`` turned off."""
    if not tab.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, so the page's Content-Security-Policy, which
        # admits only the site's own script files, does not apply to it.
        tab.evaluate(AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": list(tags)},
               "resultTypes": ["violations"], "iframes": False,
               "rules": {rule: {"enabled": False} for rule in disable}}
    return tab.evaluate("([context, options]) => axe.run(context || document, options)",
                        [context, options])


def duplicate_ids(tab):
    """``{id: count}`` for every id that more than one element of the page carries."""
    return tab.evaluate(DUPLICATE_IDS_JS)


def failing_violations(results, impacts=FAILING_IMPACTS):
    return [v for v in results["violations"] if v.get("impact") in impacts]


def describe(violations):
    """One readable block per violation: rule id, impact, help, and each element's selector
    with axe's summary of what is wrong there."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            target = " ".join(" >> ".join(t) if isinstance(t, list) else t
                              for t in node["target"])
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
            if summary:
                lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(tab, name, *, context=None, disable=()):
    """Fail unless the page open in ``tab`` has no serious or critical WCAG 2.1 A/AA violation
    and no duplicated id; ``name`` says which page (and viewport, mode) in the failure message.
    Returns axe's results for further checks."""
    results = axe_results(tab, context=context, disable=disable)
    problems = []
    failing = failing_violations(results)
    if failing:
        problems.append(f"axe-core: {len(failing)} serious/critical WCAG 2.1 A/AA violation(s)\n"
                        + describe(failing))
    repeated = duplicate_ids(tab)
    if repeated:
        problems.append("ids used more than once: " + ", ".join(
            f"#{id_} ×{count}" for id_, count in sorted(repeated.items())))
    assert not problems, f"{name} ({tab.url}) is not accessible:\n" + "\n".join(problems)
    return results
