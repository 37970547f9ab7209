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


@pytest.mark.parametrize("width", [390, 360])
def test_on_a_phone_the_lesson_and_its_eta_come_right_under_the_network(make_page, width):
    """The lesson's words sat under the settings, a screen and a half down; the epoch and η (the
    lr_decay lesson: "the current η is shown beside the step") only under ⋯; at 360 px the stats
    under the network ran off both sides."""
    page = make_page(width, 844)
    p = page.open("?preset=lr_decay&step=250")
    assert p.locator("#watch").bounding_box()["y"] < p.locator("#controls").bounding_box()["y"]
    assert p.locator("#epoch-foot").is_visible() and "η 0.75" in p.locator("#epoch-foot").inner_text()
    p = page.open("?preset=dying_relu&step=250")
    page.wait_idle()
    for stat in ("#epoch-foot", "#loss-value", "#accuracy-value", "#health-stat"):
        box = p.locator(stat).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (stat, box)


BAR_ROWS = """() => {
  const tops = [...document.querySelectorAll(".stage-bar > *")]
    .filter((el) => el.getClientRects().length > 0)
    .map((el) => { const r = el.getBoundingClientRect(); return r.top + r.height / 2; });
  return Math.max(...tops) - Math.min(...tops) < 12 ? 1 : 2;
}"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_stage_bar_is_one_row_on_a_desktop(make_page, lang):
    """At 1280×720 the network's button bar (views, sample, scale, pictures, tour, quiz,
    compare) takes one row, none of its text cut, also with the quiz's longer "Leave quiz":
    a second row cost the network 40 px of height."""
    page = make_page(1280, 720)
    p = page.open(f"?preset=xor&lang={lang}")
    for control in ("#btn-pictures", "#btn-tour", "#btn-quiz", "#btn-compare"):
        assert p.locator(control).is_visible(), control
    assert p.evaluate(BAR_ROWS) == 1
    assert p.locator(".stage-bar").bounding_box()["height"] < 50
    assert p.evaluate(OVERFLOW) == []
    assert p.locator("#btn-compare").get_attribute("aria-label") and p.locator("#btn-compare").get_attribute(
        "title"
    )
    p.click("#btn-quiz")
    p.wait_for_function("document.querySelector('#btn-quiz').getAttribute('aria-pressed') === 'true'")
    assert p.evaluate(BAR_ROWS) == 1
    assert p.evaluate(OVERFLOW) == []
    page.shot(f"layout-stage-bar-{lang}")


PHASE_ROWS = """() => new Set([...document.querySelectorAll("#timeline li:not(.sep)")]
  .map((li) => Math.round(li.getBoundingClientRect().top))).size"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_three_layer_nets_phases_are_one_row_on_a_desktop(make_page, lang):
    """Digits at 1280×720: the ten phase chips (F1 F2 F3 L B3 B2 B1 U all) and the stats beside
    them take one line; "all" dropped to a second line, 30 px of the network's height."""
    page = make_page(1280, 720)
    p = page.open(f"?preset=digits&lang={lang}")
    assert p.locator("#timeline li:not(.sep)").count() == 9
    assert p.evaluate(PHASE_ROWS) == 1
    stats, timeline = p.locator(".stage-foot .stats").bounding_box(), p.locator("#timeline").bounding_box()
    assert abs((stats["y"] + stats["height"] / 2) - (timeline["y"] + timeline["height"] / 2)) < 6
    assert p.evaluate(OVERFLOW) == []
    page.shot(f"layout-phases-digits-{lang}")


NODES_APART = """(view) => {
  const nodes = view.drawn.nodes.filter((n) => !n.image);
  const touching = [];
  for (const a of nodes) for (const b of nodes) {
    if (a.col < b.col && Math.hypot(a.x - b.x, a.y - b.y) < a.r + b.r) touching.push([a.col, a.i, b.col, b.i]);
  }
  return touching.length;
}"""


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_compare_shows_both_deep_nets_readably_at_every_width(make_page, width, height):
    """Vanishing lesson, sigmoid vs ReLU: 8 columns of neurons in each pane, none merged into its
    neighbour; the panes side by side on a wide stage, one above the other on a narrow one."""
    page = make_page(width, height)
    p = page.open("?preset=vanishing&b_activation=relu&b_init=he&step=3")
    p.wait_for_function("window.__bpx.compare.view.drawn.nodes.length > 0")
    assert p.evaluate(f"({NODES_APART})(window.__bpx.compare.view)") == 0
    a, b = p.locator("#network").bounding_box(), p.locator("#network-b").bounding_box()
    if width >= 1100:
        assert b["x"] >= a["x"] + a["width"] - 1 and abs(a["y"] - b["y"]) < 1
    else:
        assert b["y"] >= a["y"] + a["height"] - 1 and b["width"] > 0.9 * a["width"]
    assert min(a["width"], b["width"]) > 300 and min(a["height"], b["height"]) > 120
    # the page's words, not the raw values
    assert p.locator("#label-a").inner_text() == "A: Activation = sigmoid, Initialiser = Xavier"
    assert p.locator("#label-b").inner_text() == "B: Activation = ReLU, Initialiser = He"
    # one compact key for the 14 gradient curves instead of 14 legend entries
    assert p.locator("#plot-grad .legend .traces").count() == 0
    key = p.locator(".layer-key")
    assert key.inner_text().split() == ["W0", "W6", "A", "B"]  # the inspector's names
    assert key.locator(".swatches i").count() == 7
    assert p.evaluate(OVERFLOW) == []
    page.shot(f"compare-deep-{width}")


def test_compare_labels_follow_the_language(page):
    p = page.open("?preset=sgd&b_optimizer=adam&b_lr=0.01&lang=zh-Hant")
    assert p.locator("#label-b").inner_text() == "B: 最佳化器 = Adam，學習率 η = 0.01"  # a Chinese comma
    p.locator("#lang").select_option("en")
    page.wait_idle()
    assert p.locator("#label-b").inner_text() == "B: Optimizer = Adam, Learning rate η = 0.01"
    assert p.locator("#label-a").inner_text() == "A: Optimizer = SGD, Learning rate η = 0.3"
    p = page.open("?preset=xor&b_batch_norm=true")
    assert p.locator("#label-b").inner_text() == "B: Batch norm = on"


def test_a_compare_label_too_long_for_its_pane_says_the_values_in_short(page):
    """The digit net's panes are narrow: "Optimizer = Adam, Learning rate η = 0.0…" cut off
    the value that differs. Short, it is whole; the words stay the label's tooltip."""
    p = page.open("?preset=digits&b_optimizer=adam&b_lr=0.001")
    label = p.locator("#label-b")
    p.wait_for_function("document.getElementById('label-b').title.includes('loss')")
    assert label.get_attribute("title").startswith(
        "B: Optimizer = Adam, Learning rate η = 0.001 · batch loss 2."
    )
    assert label.inner_text() == "B: Adam, η = 0.001"
    assert p.locator("#label-a").inner_text() == "A: SGD, η = 0.5"
    assert p.evaluate("(l => l.scrollWidth <= l.clientWidth)(document.getElementById('label-b'))")


INSPECTOR_FIT = """() => {
  const el = document.getElementById("inspector");
  const table = el.querySelector("table");
  const cells = [...table.querySelectorAll("tbody td")];
  return { sideways: el.scrollWidth - el.clientWidth, folded: table.classList.contains("folded"),
           cells: cells.length, rows: table.querySelectorAll("tbody tr").length,
           cut: cells.filter((td) => td.scrollWidth > td.clientWidth + 1).length };
}"""


@pytest.mark.parametrize(
    ("query", "folded"),
    [
        ("?preset=vanishing&step=5&phase=backward:1&sel=e:2:1:1", False),  # -2.797e-4: one line each
        ("?preset=init_large&step=5&sel=e:2:0:0", True),  # -1.030e-17 in every column: two lines each
    ],
)
def test_the_inspectors_per_sample_table_fits_its_panel(make_page, query, folded):
    """At 1280×720 an edge's six columns (s, a_j, f′, ∂ℓ/∂a, δ, a_j·δ) fit the ~330 px inspector:
    it scrolled sideways once numbers stopped wrapping. Every number is there, none cut."""
    page = make_page(1280, 720)
    p = page.open(query)
    p.wait_for_selector("#inspector table")
    fit = p.evaluate(INSPECTOR_FIT)
    assert fit["sideways"] <= 0, fit
    assert fit["folded"] is folded, fit
    assert fit["cells"] == 6 * fit["rows"] and fit["cut"] == 0, fit
    assert p.evaluate(OVERFLOW) == []
    page.shot(f"layout-inspector-{'folded' if folded else 'one-line'}")
    p.set_viewport_size({"width": 768, "height": 1024})  # the inspector goes full width: one line
    p.wait_for_function("!document.querySelector('#inspector table').classList.contains('folded')")
    assert p.evaluate(INSPECTOR_FIT)["sideways"] <= 0


def test_a_touch_screen_is_told_to_tap_the_phases_not_to_press_an_arrow_key(make_page):
    page = make_page(820, 1180, has_touch=True, is_mobile=True)
    p = page.open("?preset=momentum")
    hint = p.locator("#inspector .muted").last.inner_text()
    assert "Tap the phase buttons under the network" in hint and "→" not in hint, hint
