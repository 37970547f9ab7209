"""Every screen sees everything: nothing cut off in any language, the phone's header one row,
compare readable at any depth."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

OVERFLOW = (Path(__file__).parent / "overflow.js").read_text()
SIZES = [(1280, 720), (768, 1024), (390, 844)]
LANGUAGES = ["en", "zh-Hans", "zh-Hant"]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_no_control_text_is_cut_off(make_page, lang, width, height):
    """Each select is wide enough for every one of its choices, each button, chip and label for
    its text, and no number breaks across two lines: a deep net, a selected weight, a long phase."""
    page = make_page(width, height)
    p = page.open(f"?preset=vanishing&step=5&phase=backward:1&sel=e:2:1:1&lang={lang}")
    assert p.evaluate(OVERFLOW) == []
    if width < 700:  # the phone's folded header, unfolded: the lesson picker and the rest
        p.locator("#btn-more").click()
        assert p.evaluate(OVERFLOW) == []
    page.shot(f"layout-uncut-{lang}-{width}")


def test_the_longest_lesson_title_shows_whole_on_a_desktop(make_page):
    page = make_page(1280, 720)
    p = page.open("?preset=digits_sse")
    assert p.evaluate(OVERFLOW) == []
    lesson = p.locator("#lesson").bounding_box()
    assert lesson["y"] + lesson["height"] < 50  # and the header is still one row
    page.shot("layout-long-lesson")


def test_the_phone_header_is_one_row_and_unfolds_on_demand(make_page):
    page = make_page(390, 844)
    p = page.open("?preset=xor")
    header = p.locator(".topbar").bounding_box()
    assert header["height"] <= 50, header
    for control in ("#btn-step", "#btn-play", "#btn-phase", "#step-input", "#btn-more"):
        assert p.locator(control).is_visible(), control
    assert p.locator(".stage").bounding_box()["y"] < 60
    page.shot("layout-phone-header")
    p.locator("#btn-more").click()
    assert p.locator("#btn-more").get_attribute("aria-expanded") == "true"
    for control in ("#lesson", "#speed", "#btn-copy", "#btn-share", "#lang", "#btn-help"):
        assert p.locator(control).is_visible(), control
    page.shot("layout-phone-header-open")
    p.locator("#lesson").select_option("sgd")
    p.wait_for_function("window.__bpx.model.config.preset === 'sgd'")
    page.wait_idle()
    p.locator("#btn-more").click()
    assert p.locator(".topbar").bounding_box()["height"] <= 50
