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


def serious_violations(p) -> list:
    if not p.evaluate("typeof axe !== 'undefined'"):
        p.add_script_tag(content=AXE)
    result = p.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("lang", ["en", "zh-Hans", "zh-Hant"])
def test_every_lesson_compare_and_dialogs_are_clean_in_every_language(page, lang):
    p = page.open(f"?preset=xor&lang={lang}")
    lessons = p.evaluate(
        "[...document.querySelectorAll('#lesson option')].map((o) => o.value).filter(Boolean)"
    )
    assert len(lessons) >= 20
    found = {}
    for lesson in lessons:
        p.locator("#lesson").select_option(lesson)
        p.wait_for_function(f"window.__bpx.model.config.preset === '{lesson}'")
        page.wait_idle()
        if problems := serious_violations(p):
            found[lesson] = problems
    p = page.open(f"?preset=vanishing&b_activation=relu&b_init=he&step=2&lang={lang}")
    found["compare"] = serious_violations(p)
    for opener, dialog in (("#btn-help", "#help"), ("#btn-share", "#share")):
        p.locator(opener).click()
        p.wait_for_selector(f"{dialog}:not([hidden])")
        page.wait_idle()
        found[dialog] = serious_violations(p)
        p.keyboard.press("Escape")
    assert not {k: v for k, v in found.items() if v}, found
