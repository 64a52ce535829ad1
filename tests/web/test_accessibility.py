"""axe-core in every page and state: no serious or critical violations.

The pages forbid inline scripts, so the browser context bypasses the Content-Security-Policy only
to inject axe itself; everything else is as a person gets it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser import DESKTOP, PHONE, answer_safety_in_page, wait_until
from tests.web.live_server import LiveServer
from tests.web.test_browser import chromium, make_server  # noqa: F401  (fixture)

AXE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, speech_cache: Path) -> Iterator[LiveServer]:
    with make_server(tmp_path_factory.mktemp("axe"), speech_cache) as live:
        yield live


#: The rules axe need not run here. A violation's impact is its rule's own, else the highest of
#: its failing checks'; a rule with neither above moderate can never reach the list
#: :func:`serious` returns, so it is left out (a fifth to a third of axe's time on these pages).
#: A check without a stated impact keeps its rule.
MILD_RULES = """
(() => {
  const checks = axe._audit.data.checks;
  const mild = (impact) => impact === "minor" || impact === "moderate";
  return axe._audit.rules
    .filter((r) => !["serious", "critical"].includes(r.impact)
      && [...r.any, ...r.all, ...r.none].every((c) => mild(checks[c.id || c]?.impact)))
    .map((r) => r.id);
})()
"""


def serious(page: Any) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations'], rules: Object.fromEntries("
        f"{MILD_RULES.strip()}.map((id) => [id, {{enabled: false}}]))}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_check_finds_serious_problems_and_skips_only_milder_rules(chromium: Any) -> None:  # noqa: F811
    """A page with an unnamed button, an image without alt text and grey-on-grey text: each is
    reported, and the rules left out are only ones whose every outcome is minor or moderate."""
    context = chromium.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_content(
        '<html lang="en"><title>t</title><main><h1>t</h1><button></button>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><p style="color:#777;'
        'background:#888">faint</p></main></html>'
    )
    found = " ".join(serious(page))
    for rule in ("button-name", "image-alt", "color-contrast"):
        assert rule in found, found
    skipped = set(page.evaluate(MILD_RULES))
    impacts = page.evaluate(
        """(() => {
          const checks = axe._audit.data.checks;
          return axe._audit.rules.map((r) => [r.id, r.impact || null,
            [...r.any, ...r.all, ...r.none].map((c) => checks[c.id || c]?.impact || null)]);
        })()"""
    )
    context.close()
    by_rule = {rule: (own, checks) for rule, own, checks in impacts}
    assert {"color-contrast", "button-name", "image-alt", "label", "region"} <= set(by_rule)
    assert "region" in skipped  # moderate at most: its problems were never in the list
    assert not skipped & {"color-contrast", "button-name", "image-alt", "label"}
    for rule in skipped:
        own, checks = by_rule[rule]
        assert own in (None, "minor", "moderate"), rule
        assert set(checks) <= {"minor", "moderate"}, rule


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_page_and_state(chromium: Any, server: LiveServer, device: dict[str, Any]) -> None:  # noqa: F811
    context = chromium.new_context(**device, bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    page.goto(server.url + "/?speed=20")
    found["tonight, safety questions"] = serious(page)
    answer_safety_in_page(page)
    found["tonight, ready"] = serious(page)
    page.click("#start")
    wait_until(page, "(window.solemateLog || []).filter(e => e.event === 'enter').length >= 3")
    found["player"] = serious(page)
    page.keyboard.press("Space")
    found["player, paused"] = serious(page)
    page.reload()
    page.wait_for_selector("#p-overlay:not([hidden])")
    found["player, resume overlay"] = serious(page)
    page.click("#btn-sound")
    for _ in range(40):
        if page.is_visible("#p-done"):
            break
        page.keyboard.press("PageDown")
    page.wait_for_selector("#p-done:not([hidden])")
    found["player, after-rating"] = serious(page)
    for path in ("/morning", "/journal", "/print?minutes=12&voice=partner", "/play?session=99999"):
        page.goto(server.url + path)
        found[path] = serious(page)
    page.goto(server.url + "/morning")
    page.fill("#sol_min", "")
    page.click("#diary-form button[type=submit]")
    found["morning with errors"] = serious(page)
    context.close()
    assert {name: problems for name, problems in found.items() if problems} == {}
