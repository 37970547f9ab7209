"""The page by keyboard alone: keys do what they say, dialogs hold the focus, the network is reachable."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

FOCUSED = "document.activeElement.id || document.activeElement.className || document.activeElement.tagName"


def test_space_on_a_focused_button_presses_that_button_not_play(page):
    p = page.open("?preset=xor")
    p.locator("#btn-step").focus()
    p.keyboard.press(" ")
    page.wait_idle()
    assert p.evaluate("window.__bpx.step") == 1
    assert not p.evaluate("window.__bpx.model.playing")
    p.locator("#btn-help").focus()
    p.keyboard.press(" ")
    assert p.locator("#help").is_visible()
    p.keyboard.press("Escape")
    # with the focus on no control, Space still plays and pauses
    p.evaluate("document.activeElement.blur()")
    p.keyboard.press(" ")
    assert p.evaluate("window.__bpx.model.playing")
    p.keyboard.press(" ")
    page.wait_idle()
    assert not p.evaluate("window.__bpx.model.playing")


def test_g_opens_an_empty_jump_field(page):
    p = page.open("?preset=xor&step=2")
    p.keyboard.press("g")
    field = p.locator("#step-input")
    assert p.evaluate(FOCUSED) == "step-input"
    assert field.input_value() == "" and field.get_attribute("placeholder") == "2"
    p.keyboard.type("500")
    p.keyboard.press("Enter")
    page.wait_idle()
    assert p.evaluate("window.__bpx.step") == 500  # not 2500
    assert p.evaluate(FOCUSED) == "network"  # the keyboard lands on what changed, not on the page's body
    p.keyboard.press("n")  # ...where the shortcuts work
    page.wait_idle()
    assert p.evaluate("window.__bpx.step") == 501
    p.locator("#btn-step").focus()
    p.keyboard.press("g")
    p.keyboard.press("Escape")  # changed its mind: the field shows the step again
    assert p.evaluate(FOCUSED) == "btn-step" and field.input_value() == "501"  # back where it was


@pytest.mark.parametrize(("opener", "dialog"), [("#btn-help", "#help"), ("#btn-share", "#share")])
def test_a_dialog_keeps_the_focus_and_gives_it_back(page, opener, dialog):
    p = page.open("?preset=xor")
    p.locator(opener).focus()
    p.keyboard.press("Enter")
    p.wait_for_selector(f"{dialog}:not([hidden])")
    inside = f"document.querySelector('{dialog}').contains(document.activeElement)"
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        p.keyboard.press(key)
        assert p.evaluate(inside), (key, p.evaluate(FOCUSED))
    page.shot(f"keys-dialog-{dialog[1:]}")
    p.keyboard.press("Escape")
    assert not p.locator(dialog).is_visible()
    assert p.evaluate(FOCUSED) == opener[1:]
    # keys typed in a dialog are the dialog's: `r` there does not reset the run behind it
    p.keyboard.press("Enter")
    p.keyboard.press("n")
    assert p.evaluate("window.__bpx.step") == 0


def test_a_skip_link_reaches_the_network_and_tab_meets_the_views_before_the_settings(page):
    p = page.open("?preset=xor")
    p.keyboard.press("Tab")
    assert p.evaluate("document.activeElement.classList.contains('skip-link')")
    assert p.locator(".skip-link").is_visible()
    page.shot("keys-skip-link")
    p.keyboard.press("Enter")
    assert p.evaluate(FOCUSED) == "network"
    p = page.open("?preset=xor")
    order = []
    for _ in range(80):
        p.keyboard.press("Tab")
        order.append(p.evaluate("document.activeElement.dataset.view || document.activeElement.id"))
    assert order.index("weights") < order.index("network") < order.index("f-dataset"), order


def test_the_network_by_keyboard_alone(page):
    p = page.open("?preset=xor&step=3")
    p.locator("#network").focus()
    assert p.evaluate(FOCUSED) == "network"
    said = p.locator("#net-said")
    sel = "window.__bpx.model.page.sel"
    p.keyboard.press("ArrowDown")
    assert p.evaluate(sel) == "n:0:0"
    p.keyboard.press("ArrowDown")
    p.keyboard.press("ArrowRight")  # the weight straight ahead of input 2
    page.wait_idle()
    assert p.evaluate(sel) == "e:0:1:1"
    assert p.evaluate("window.__bpx.model.page.phase") == ""  # → here is the canvas's, not the next phase
    w = p.evaluate("window.__bpx.model.state.layers[0].W[1][1]")
    assert said.inner_text().startswith("Weight from neuron 1 of the input to neuron 1 of layer 1")
    assert f"{w:.4f}"[:5] in said.inner_text()  # its value, as the tooltip prints it
    p.keyboard.press("ArrowRight")
    page.wait_idle()
    assert p.evaluate(sel) == "n:1:1"
    assert said.inner_text().startswith("Neuron 1 of layer 1")
    page.shot("keys-network-selection")
    p.keyboard.press("Enter")  # the inspector, showing that neuron
    assert p.evaluate(FOCUSED) == "inspector"
    assert p.locator("#inspector h2").inner_text() == "Neuron 1 of layer 1"
    p.keyboard.press("Escape")  # back to the canvas, selection kept
    assert p.evaluate(FOCUSED) == "network" and p.evaluate(sel) == "n:1:1"
    p.keyboard.press("Escape")  # the selection goes
    assert p.evaluate(sel) == "" and p.evaluate(FOCUSED) == "network"
    p.keyboard.press("Escape")  # and the canvas is left
    assert p.evaluate(FOCUSED) != "network"


def focused_key(p) -> str:
    return p.evaluate(
        "document.activeElement.id || document.activeElement.dataset.focus || document.activeElement.tagName"
    )


def test_redrawn_controls_keep_the_focus(page):
    """A settings field, a phase chip, a + on the network, the tour's Next: each is drawn anew
    by what it does, and the focus fell to the page's body each time (Tab began again at the top)."""
    p = page.open("?preset=xor")
    runs = []
    p.on(
        "request",
        lambda r: runs.append(r.url) if r.method == "POST" and r.url.endswith("/api/v1/runs") else None,
    )
    p.locator("#f-activation").focus()
    p.keyboard.press("ArrowDown")  # tanh: the run restarts once the choice settles
    p.wait_for_function("window.__bpx.model.resolved.activation === 'tanh'")
    page.wait_idle()
    assert focused_key(p) == "f-activation"
    p.locator("#timeline [data-phase='forward:1']").focus()
    p.keyboard.press("Enter")
    page.wait_idle()
    assert focused_key(p) == "phase:forward:1" and p.evaluate("window.__bpx.model.page.phase") == "forward:1"
    p.keyboard.press("Escape")  # back to the whole step
    neurons = p.evaluate("window.__bpx.model.resolved.hidden[0]")
    p.locator("[data-focus='shape:add-neuron:0']").focus()
    p.keyboard.press("Enter")
    p.wait_for_function(f"window.__bpx.model.resolved.hidden[0] === {neurons + 1}")
    page.wait_idle()
    assert focused_key(p) == "shape:add-neuron:0"
    # arrowing through the lesson menu loads the lesson it stops at, not every one on the way
    runs.clear()
    p.locator("#lesson").focus()
    for _ in range(3):
        p.keyboard.press("ArrowDown")
    p.wait_for_function("window.__bpx.model.config.preset === 'digits_sse'")
    page.wait_idle()
    assert len(runs) == 1, runs


def test_the_tour_and_the_quiz_take_the_focus_when_opened(page):
    p = page.open("?preset=xor")
    p.locator("#btn-tour").focus()
    p.keyboard.press("Enter")
    page.wait_idle()
    assert focused_key(p) == "next"  # the card's Next, not 15 Tabs away
    p.keyboard.press("Enter")
    page.wait_idle()
    assert focused_key(p) == "next" and "2 /" in p.locator("#tour-count").inner_text()
    p.keyboard.press("Escape")
    p.locator("#btn-quiz").focus()
    p.keyboard.press("Enter")
    p.wait_for_selector("#coach [data-choice]")
    assert p.evaluate("document.activeElement.dataset.choice") is not None  # its first answer


def test_the_compare_menu_by_keyboard(page):
    p = page.open("?preset=xor")
    button = p.locator("#btn-compare")
    button.focus()
    p.keyboard.press("Enter")  # compare mode's module comes with this first press
    p.wait_for_selector("#compare-menu:not([hidden])")
    assert button.get_attribute("aria-expanded") == "true"
    p.keyboard.press("Escape")  # from the button: closed, the focus stays
    assert p.locator("#compare-menu").is_hidden() and focused_key(p) == "btn-compare"
    p.keyboard.press("Enter")
    p.keyboard.press("Tab")
    p.keyboard.press("Escape")  # from an item: closed, the focus back on the button
    assert p.locator("#compare-menu").is_hidden() and focused_key(p) == "btn-compare"
    p.keyboard.press("Enter")
    p.keyboard.press("Tab")
    p.keyboard.press("Enter")  # a suggestion chosen: compare starts, the focus on the button
    p.wait_for_function("window.__bpx.compare.active")
    page.wait_idle()
    assert focused_key(p) == "btn-compare" and button.get_attribute("aria-expanded") == "false"


def test_a_pressed_button_shows_the_focus_ring_too(page):
    p = page.open("?preset=xor")
    p.locator("#data-tools [data-class='1']").focus()
    p.keyboard.press("Shift+Tab")
    p.keyboard.press("Tab")  # focused from the keyboard: :focus-visible
    shadow = p.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert p.evaluate("document.activeElement.getAttribute('aria-pressed')") == "true"
    assert shadow != "none", shadow


def test_a_screen_reader_hears_the_step(page):
    p = page.open("?preset=xor")
    p.keyboard.press("n")
    page.wait_idle()
    assert p.locator("#step-said").inner_text().startswith("Step 1 · epoch")
    assert p.locator("#data-tools [data-class='0']").get_attribute("aria-label") == "Class 0"
    chip = p.locator("#timeline [data-phase='loss']")
    assert chip.get_attribute("aria-label") == f"{chip.inner_text()}: {chip.get_attribute('title')}"
