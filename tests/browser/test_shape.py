"""+ and − on the network shape it by hand, in step with the hidden-layers field and the URL."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def press(page, action: str, layer: int | None = None):
    p = page.page
    before = p.evaluate("window.__bpx.runId")
    selector = f"#shape button[data-action='{action}']" + (
        f"[data-layer='{layer}']" if layer is not None else ""
    )
    p.locator(selector).click()
    p.wait_for_function(f"window.__bpx.runId !== '{before}'")
    page.wait_idle()


def shown(p):
    """The hidden sizes as the text field, the URL and the drawn network each say them."""
    field = p.locator("#f-hidden").input_value()
    url = p.evaluate("new URLSearchParams(location.search).get('hidden')")
    columns = p.evaluate(
        "(() => { const n = {}; for (const d of window.__bpx.network.drawn.nodes) n[d.col] = (n[d.col] || 0) + 1;"
        " return Object.values(n); })()"
    )
    return field, url, columns[1:-1]


def test_plus_and_minus_shape_the_network_and_keep_field_and_url_in_step(page):
    p = page.open("?preset=xor")
    assert shown(p)[0] == "2"
    press(page, "add-neuron", 0)
    assert shown(p) == ("3", "3", [3])
    press(page, "add-layer")  # a new layer as wide as the last
    assert shown(p) == ("3,3", "3,3", [3, 3])
    press(page, "remove-neuron", 1)
    assert shown(p) == ("3,2", "3,2", [3, 2])
    page.shot("shape-3-2")
    press(page, "remove-layer")
    assert shown(p) == ("3", "3", [3])
    # the field typed by hand: the buttons follow it
    p.locator("#f-hidden").fill("4,1")
    p.locator("#f-hidden").press("Enter")
    p.wait_for_function("window.__bpx.model.resolved.hidden.join() === '4,1'")
    page.wait_idle()
    assert p.locator("#shape button[data-action='add-neuron']").count() == 2
    # the limits of /api/v1/meta: at least one neuron a layer, at most eight hidden layers
    assert p.locator("#shape button[data-action='remove-neuron'][data-layer='1']").is_disabled()
    assert not p.locator("#shape button[data-action='remove-neuron'][data-layer='0']").is_disabled()
    p = page.open("?preset=xor&hidden=1,1,1,1,1,1,1,1")
    assert p.locator("#shape button[data-action='add-layer']").is_disabled()
    assert not p.locator("#shape button[data-action='remove-layer']").is_disabled()
    page.shot("shape-eight-layers")


@pytest.mark.parametrize(("width", "height"), [(768, 1024), (390, 844)])
def test_the_shape_buttons_sit_over_their_columns_on_small_screens(make_page, width, height):
    page = make_page(width, height)
    p = page.open("?preset=xor&hidden=4,3")
    canvas = p.locator("#network").bounding_box()
    nodes = p.evaluate("window.__bpx.network.drawn.nodes")
    for layer in (0, 1):
        box = p.locator(f"#shape .shape-pair:has([data-layer='{layer}'])").bounding_box()
        x = next(n["x"] for n in nodes if n["col"] == layer + 1)
        assert abs(box["x"] + box["width"] / 2 - (canvas["x"] + x)) < 2
        assert box["y"] + box["height"] <= canvas["y"] + min(n["y"] - n["r"] for n in nodes)
    page.shot(f"shape-{width}")
