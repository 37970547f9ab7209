"""axe-core (vendored, MPL-2.0) audits the explorer: no serious or critical violations."""

from __future__ import annotations

import pytest

from tests.support import ROOT

pytestmark = pytest.mark.browser
AXE = (ROOT / "tests" / "browser" / "vendor" / "axe.min.js").read_text()


@pytest.mark.parametrize(
    "query", ["?preset=xor", "?preset=xor&theme=light&sel=e:1:0:1", "?preset=digits&lang=zh-Hans"]
)
def test_no_serious_accessibility_violations(page, query):
    p = page.open(query)
    p.add_script_tag(content=AXE)
    result = p.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, serious


def test_everything_is_reachable_by_keyboard(page):
    p = page.open("?preset=xor")
    seen = set()
    for _ in range(120):
        p.keyboard.press("Tab")
        seen.add(
            p.evaluate(
                "document.activeElement.id || document.activeElement.name || document.activeElement.tagName"
            )
        )
    for control in (
        "lesson",
        "btn-step",
        "btn-play",
        "btn-copy",
        "lang",
        "f-learning_rate",
        "f-optimizer",
        "inspector",
    ):
        assert control in seen, (control, sorted(seen))
