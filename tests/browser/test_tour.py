"""The guided tour in a real browser: the XOR tour to the end in each language, every number on
every card equal to the API's, the matching neurons lit, the NumPy beside it; the digits' tour."""

from __future__ import annotations

import json
import math
import urllib.request

import pytest

pytestmark = pytest.mark.browser

TITLES = {
    "en": ("Forward: layer 1", "The update"),
    "zh-Hans": ("前向：第 1 层", "更新"),
    "zh-Hant": ("前向：第 1 層", "更新"),
}


def api_state(server, run_id: str) -> dict:
    with urllib.request.urlopen(f"{server.url}/api/v1/runs/{run_id}/state") as response:
        return json.load(response)


def check_numbers(p, state: dict) -> int:
    """Every number on the card is the API's number at its path (or the sum of those at its
    paths: the weight an update leaves), and shows it to 4 digits."""
    numbers = p.eval_on_selector_all(
        "#tour .tour-formula .num",
        "els => els.map((e) => [e.dataset.path ?? e.dataset.sum, e.dataset.value, e.textContent])",
    )
    assert numbers, "a card without numbers"

    def at(path: str) -> float:
        want = state
        for key in path.split("."):
            want = want[int(key)] if isinstance(want, list) else want[key]
        return want

    for path, value, shown in numbers:
        want = sum(at(one) for one in path.split(" "))
        assert float(value) == want, (path, value, want)
        assert math.isclose(float(shown), want, rel_tol=5e-4, abs_tol=1e-12), (path, shown, want)
    return len(numbers)


@pytest.mark.parametrize("lang", ["en", "zh-Hans", "zh-Hant"])
def test_xor_tour_to_the_end(page, server, lang):
    p = page.open(f"?preset=xor&lang={lang}&step=2")
    assert p.locator("#btn-tour").is_visible()
    p.click("#btn-tour")
    page.wait_idle()
    p.wait_for_selector("#tour .tour-code code:not(:empty)")
    state = api_state(server, p.evaluate("() => window.__bpx.runId"))
    assert p.locator("#tour-title").inner_text() == TITLES[lang][0]
    assert p.locator("#tour [data-act=back]").is_disabled()
    seen_phases = []
    for k in range(1, 8):
        assert p.locator("#tour-count").inner_text() == f"{k} / 7"
        assert "tour=" + str(k) in p.url
        check_numbers(p, state)
        assert p.locator("#tour .tour-code code").inner_text().startswith("def ")
        lit = p.evaluate("() => window.__bpx.network.opts.highlight")
        assert lit["nodes"] or lit["edges"]
        seen_phases.append(p.evaluate("() => window.__bpx.model.page.phase"))
        if k < 7:
            p.click("#tour [data-act=next]")
            page.wait_idle()
    assert seen_phases == [
        "forward:0",
        "forward:1",
        "loss",
        "backward:1",
        "backward:0",
        "backward:1",
        "update",
    ]
    assert p.locator("#tour-title").inner_text() == TITLES[lang][1]
    p.click("#tour [data-act=back]")
    assert p.locator("#tour-count").inner_text() == "6 / 7"
    p.click("#tour [data-act=next]")
    p.click("#tour [data-act=close]")
    page.wait_idle()
    assert p.locator("#tour").is_hidden() and "tour=" not in p.url


def test_a_tour_link_opens_its_card(page, server):
    p = page.open("?preset=xor&lang=en&tour=4")
    p.wait_for_selector("#tour .tour-formula .num")
    assert p.locator("#tour-count").inner_text() == "4 / 7"
    assert p.evaluate("() => [window.__bpx.model.page.phase, window.__bpx.model.page.sample]") == [
        "backward:1",
        "3",
    ]
    check_numbers(p, api_state(server, p.evaluate("() => window.__bpx.runId")))


def test_digits_tour_tells_what_a_two_wants(page, server):
    p = page.open("?preset=digits&lang=en&tour=1")
    p.wait_for_selector("#tour .tour-formula .num")
    state = api_state(server, p.evaluate("() => window.__bpx.runId"))
    row = int(p.evaluate("() => window.__bpx.model.page.sample"))
    assert state["batch"]["y"][row].index(1.0) == 2  # the card is about an image of a 2
    titles = []
    for k in range(1, 4):
        check_numbers(p, state)
        titles.append(p.locator("#tour-title").inner_text())
        if k < 3:
            p.click("#tour [data-act=next]")
            page.wait_idle()
    assert titles == [
        "What one 2 wants from the output layer",
        "What the 2 wants from each hidden neuron",
        "The average over the batch",
    ]


def test_lessons_without_a_tour_have_no_button(page):
    p = page.open("?preset=adam&lang=en")
    assert p.locator("#btn-tour").is_hidden()


@pytest.mark.parametrize("size", [(1280, 720), (768, 1024), (390, 844)])
def test_screenshots(make_page, size):
    watched = make_page(*size)
    p = watched.open("?preset=xor&lang=en&tour=5")
    p.wait_for_selector("#tour .tour-code code:not(:empty)")
    watched.shot(f"tour-{size[0]}")
    box = p.locator("#tour").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= size[0] + 1
    assert p.locator("#network").bounding_box()["height"] >= 200


@pytest.mark.parametrize(
    "query", ["?preset=xor&tour=5", "?preset=xor&quiz=0-5", "?preset=xor&quiz=0-5&theme=light"]
)
def test_cards_pass_an_accessibility_audit(page, query):
    from tests.browser.test_accessibility import AXE

    p = page.open(query + "&lang=en")
    p.wait_for_selector("#tour:not([hidden]), #coach:not([hidden])")
    p.add_script_tag(content=AXE)
    result = p.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, serious


def test_the_cards_highlight_comes_back_after_hovering_the_inspector(page):
    """Hovering a chain-rule factor lights that factor's parts instead; leaving it gave an
    unlit network (the tour card's neurons and edges were lost until the next card)."""
    p = page.open("?preset=xor&step=2&tour=4&sel=e:1:0:0")
    p.wait_for_selector("#tour:not([hidden])")
    p.wait_for_selector("#inspector .term")
    page.wait_idle()
    lit = "() => window.__bpx.network.opts.highlight"
    card = p.evaluate(lit)
    assert card and (card["nodes"] or card["edges"])
    p.locator("#inspector .term").first.hover()
    hovered = p.evaluate(lit)
    assert hovered != card  # the factor's own parts
    p.locator("#tour-title").hover()  # the pointer leaves the inspector
    assert p.evaluate(lit) == card


def test_the_digits_tour_asks_for_the_numbers_its_card_prints_not_the_whole_state(page, server):
    """A card prints one image's δ and a few of a layer's numbers: the page asks for those rows
    and fields (fields=…&sample=<row>), not the whole float64 State (~1 MB on the digit net),
    on opening it and on every card and step after."""
    p = page.open("?preset=digits&lang=en")
    asked: list[tuple[str, int]] = []
    p.on(
        "requestfinished",
        lambda r: (
            "/state" in r.url
            and "format=compact" not in r.url
            and asked.append((r.url, len(r.response().body())))
        ),
    )
    p.click("#btn-tour")
    for k in range(1, 4):
        p.wait_for_function(f"document.querySelector('#tour-count')?.textContent.startsWith('{k} /')")
        page.wait_idle()
        p.wait_for_selector("#tour .tour-formula .num")
        check_numbers(p, api_state(server, p.evaluate("() => window.__bpx.runId")))
        if k < 3:
            p.click("#tour [data-act=next]")
    p.click("#btn-step")
    page.wait_idle()
    p.wait_for_selector("#tour .tour-formula .num")
    check_numbers(p, api_state(server, p.evaluate("() => window.__bpx.runId")))
    for url, size in asked:
        assert "sample=" in url and "fields=" in url, url
        assert size < 20_000, (url, size)  # the whole State is over 1,000,000
    assert len(asked) >= 4  # each card, and the last one again after the step


def test_starting_the_quiz_closes_the_tour_and_unlights_its_card(page):
    """The quiz asks about one neuron: the tour's card must not leave its whole layer lit."""
    p = page.open("?preset=xor&lang=en&tour=1")
    p.wait_for_selector("#tour .tour-formula .num")
    assert p.evaluate("window.__bpx.network.opts.highlight.nodes.length") == 2
    p.click("#btn-quiz")
    page.wait_idle()
    assert p.locator("#tour").is_hidden()
    assert p.evaluate("window.__bpx.network.opts.highlight") is None
