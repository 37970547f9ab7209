"""Why a weight moves, on the page: who pulls it, the loss around it, dead neurons."""

from __future__ import annotations

import math

import httpx
import pytest

pytestmark = pytest.mark.browser


def state_of(server, page):
    run_id = page.evaluate("window.__bpx.runId")
    return httpx.get(f"{server.url}/api/v1/runs/{run_id}/state").json()


def open_why(page, query: str):
    """The page with the why panel on screen: it asks for its numbers only then."""
    p = page.open(query)
    p.locator("#why").scroll_into_view_if_needed()
    p.wait_for_function("window.__bpx.why")
    page.wait_idle()
    return p


def click_bar(p, k: int) -> None:
    """Click the k-th bar of the shares chart (plotly draws one path per bar)."""
    bar = p.locator("#plot-shares .bars .point path").nth(k)
    p.locator("#plot-shares").scroll_into_view_if_needed()
    box = bar.bounding_box()
    p.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_xor_shares_add_up_and_a_bar_selects_its_sample(page, server):
    p = open_why(page, "?preset=xor&step=30&sel=e:1:0:1")
    why = p.evaluate("window.__bpx.why")
    state = state_of(server, p)
    shares = why["shares"]
    assert len(shares["shares"]) == 4 and shares["parameter"] == "W1"
    assert sum(shares["shares"]) == pytest.approx(state["layers"][1]["dW"][0][1], rel=1e-12)
    assert p.locator("#plot-shares .bars .point path").count() == 4
    strongest = shares["order"][0]  # sorted: the first bar pushes the weight up hardest
    click_bar(p, 0)
    page.wait_idle()
    assert p.locator("#sample").input_value() == str(strongest)
    assert f"sample={strongest}" in p.url
    # the loss surface of this weight and its neuron's bias, centred on the current point
    surface = why["surface"]
    assert surface["parameters"] == ["W1:0:1", "b1:0"]
    c = surface["points"] // 2
    assert surface["loss"][c][c] == pytest.approx(state["loss"], abs=1e-12)
    assert len(surface["path"]) == 21  # the last 20 steps and now
    assert p.locator("#plot-surface .contour").count() == 1
    assert p.locator("#surface-p").inner_text() == "W1:0:1"
    page.shot("why-xor")


def test_under_batch_norm_the_surface_is_not_flat_along_a_cancelled_bias(page):
    """Batch norm takes a hidden layer's bias out with the batch mean: a weight's surface pairs
    it with the next weight into its neuron (it was the bias: a flat axis, the lesson's surface
    taught nothing), and a bias's surface says why it is flat."""
    p = open_why(page, "?preset=batchnorm&step=50&sel=e:2:1:3")
    assert p.evaluate("window.__bpx.why.surface.parameters") == ["W2:1:3", "W2:1:4"]
    assert p.locator("#surface-q").get_attribute("placeholder") == "W2:1:4, its next weight"
    assert p.locator("#surface-note").inner_text() == ""
    p = open_why(page, "?preset=batchnorm&step=50")  # the lesson's own selection: a neuron, its bias
    assert p.evaluate("window.__bpx.why.surface.parameters") == ["b0:0", "W0:0:0"]
    assert p.locator("#surface-q").get_attribute("placeholder") == "W0:0:0, its first weight"
    assert (
        p.locator("#surface-note")
        .inner_text()
        .startswith("Batch norm subtracts the batch mean, and b0:0 with it")
    )


def test_the_second_parameter_can_be_typed_and_a_bad_one_is_explained(page):
    p = open_why(page, "?preset=xor&step=10&sel=e:0:1:0")
    p.fill("#surface-q", "W0:0:1")
    p.press("#surface-q", "Enter")
    page.wait_idle()
    assert p.evaluate("window.__bpx.why.surface.parameters") == ["W0:1:0", "W0:0:1"]
    assert p.locator("#surface-q").get_attribute("aria-invalid") == "false"
    p.fill("#surface-q", "W9:0:0")
    p.press("#surface-q", "Enter")
    page.wait_idle()
    page.problems.clear()  # the refused request logs a console error by design
    note = p.locator("#surface-note").inner_text()
    assert "W9:0:0" in note and "b<l>:<i>; l = 0…1" in note, note
    assert note.startswith("Second parameter: "), note  # in words, not the API's letter ("q: ")
    assert p.locator("#surface-q").get_attribute("aria-invalid") == "true"  # and marked, for a screen reader
    # said once: the plot points to it (it said the same sentence again, under the field's)
    said = p.locator("#plot-surface .annotation-text").first.text_content()
    assert said == "No surface: see the second parameter above", said


@pytest.mark.parametrize(
    "lang, shares_said, surface_said",
    [
        ("en", "diverged at step 286: every sample's share", "diverged at step 286: the loss is NaN"),
        ("zh-Hant", "訓練在第 286 步發散：每個樣本", "訓練在第 286 步發散：這一點周圍"),
    ],
)
def test_a_diverged_run_says_it_has_nothing_finite_to_draw(page, lang, shares_said, surface_said):
    """At step 300 the exploding lesson's numbers are NaN: the shares chart drew empty axes with
    only "mean NaN", and the surface kept an old path with no contours and no word why."""
    p = open_why(page, f"?preset=exploding&step=300&sel=e:6:0:0&lang={lang}")
    why = p.evaluate("window.__bpx.why")
    assert why["shares"]["shares"] and not any(math.isfinite(v) for v in why["shares"]["shares"])

    def said(plot: str) -> tuple[str, int]:
        return p.evaluate(
            f"""() => {{ const el = document.querySelector('{plot}');
            return [(el.layout.annotations || []).map((a) => a.text.replace(/<br>/g, ' ')).join(' '),
                    el.data.length]; }}"""
        )

    text, traces = said("#plot-shares")
    assert shares_said in text and traces == 0, text
    text, traces = said("#plot-surface")
    assert surface_said in text and traces == 0, text


def test_digit_net_shows_the_images_pushing_each_way(page):
    p = open_why(page, "?preset=digits&step=20&sel=e:0:3:400")
    shares = p.evaluate("window.__bpx.why.shares")
    assert shares["batch_size"] == 32
    ups = p.locator("#shares-images .why-row").first.locator("button")
    assert ups.count() == min(6, len(shares["pushes_up"])) > 0
    ups.first.click()
    page.wait_idle()
    assert p.locator("#sample").input_value() == str(shares["pushes_up"][0])
    assert p.locator("#shares-images .why-thumb.picked").count() == 1
    assert p.evaluate("window.__bpx.why.surface.parameters") == ["W0:3:400", "b0:3"]
    page.shot("why-digits")


def test_dead_relus_are_explained_in_the_inspector(page, server):
    p = page.open("?preset=dying_relu&step=300")
    run_id = p.evaluate("window.__bpx.runId")
    health = httpx.get(f"{server.url}/api/v1/runs/{run_id}/neurons").json()
    assert health["dead"] >= 12
    dead = health["layers"][0]["dead"].index(True)
    p.goto(f"{server.url}/?preset=dying_relu&step=300&sel=n:1:{dead}")
    page.wait_idle()
    section = p.locator("#neuron-health")
    assert section.locator("[data-state=dead]").count() == 1
    assert "100%" in section.inner_text() and "the weights into it stop changing" in section.inner_text()
    page.shot("why-dead-relu")


def test_dead_neurons_are_crossed_out_on_the_network(page, server):
    p = page.open("?preset=dying_relu&step=300")
    run_id = p.evaluate("window.__bpx.runId")
    health = httpx.get(f"{server.url}/api/v1/runs/{run_id}/neurons").json()
    p.wait_for_function("(window.__bpx.marks || []).length > 0")
    marks = p.evaluate("window.__bpx.marks")
    dead = {(m["col"], m["i"]) for m in marks if m["flag"] == "dead"}
    truth = {(l + 1, i) for l, layer in enumerate(health["layers"]) for i, d in enumerate(layer["dead"]) if d}
    assert dead == truth and len(truth) >= 12
    assert p.locator("#health-stat").inner_text() == f"{len(truth)}/24 dead"
    page.shot("why-dead-on-network")


def test_xor_nodes_show_what_they_compute_and_the_toggle_hides_it(page):
    p = page.open("?preset=xor&step=3000")
    assert p.locator("#btn-pictures").get_attribute("aria-pressed") == "true"  # a small net: on by default
    p.wait_for_function("(window.__bpx.marks || []).filter((m) => m.picture).length === 3")
    pictured = {(m["col"], m["i"]) for m in p.evaluate("window.__bpx.marks") if m["picture"]}
    assert pictured == {(1, 0), (1, 1), (2, 0)}  # both hidden neurons and the output
    page.shot("why-xor-pictures")
    p.click("#btn-pictures")
    p.wait_for_function("(window.__bpx.marks || []).filter((m) => m.picture).length === 0")
    assert "pics=0" in p.url and p.locator("#btn-pictures").get_attribute("aria-pressed") == "false"


def test_the_digit_net_has_no_plane_to_picture(page):
    p = page.open("?preset=digits")
    assert p.locator("#btn-pictures").is_hidden()
    assert not [m for m in p.evaluate("window.__bpx.marks || []") if m["picture"]]


def test_a_net_without_an_input_plane_says_so_where_the_pictures_would_be(page):
    """The chain-rule lesson has one input: the neurons' panel says why it is empty, as the
    decision boundary beside it does, instead of a blank box."""
    p = page.open("?preset=chain")
    p.locator("#plot-neurons").scroll_into_view_if_needed()
    assert p.locator("#plot-neurons").inner_text().strip() == "Shown for 2-D inputs"
    p.locator("#lang").select_option("zh-Hans")
    page.wait_idle()
    assert p.locator("#plot-neurons").inner_text().strip() == "仅在二维输入时显示"


def test_a_regressions_plane_is_called_its_prediction_not_a_decision_boundary(page):
    p = page.open("?preset=exploding")
    caption = p.locator("figure:has(#plot-boundary) figcaption")
    p.wait_for_function("document.querySelector('#plot-boundary').data?.length > 0")
    assert caption.inner_text() == "Prediction over the plane"
    p.locator("#lang").select_option("zh-Hant")
    page.wait_idle()
    assert caption.inner_text() == "平面上的預測"
    p.locator("#lesson").select_option("xor")
    page.wait_idle()
    p.wait_for_function("document.querySelector('#plot-boundary').data?.length > 0")
    assert caption.inner_text() == "決策邊界"


def test_a_batch_norm_neuron_says_a_is_f_of_u_and_shows_u(page, server):
    """With batch norm a = σ(γ·ẑ + β), not σ(z): the inspector said a = sigmoid(z) beside rows
    where it plainly is not (z = -0.53, a = 0.15). It now writes u out and gives it a column."""
    p = page.open("?preset=batchnorm&sel=n:1:0")
    inspector = p.locator("#inspector")
    assert "a = sigmoid(u)" in inspector.inner_text() and "a = sigmoid(z)" not in inspector.inner_text()
    heads = inspector.locator("table").first.locator("th").all_inner_texts()
    assert heads == ["s", "z", "u", "a", "∂ℓ/∂a", "δ"]
    layer = state_of(server, p)["layers"][0]
    first = inspector.locator("table").first.locator("tbody tr").first.locator("td").all_inner_texts()
    assert float(first[2]) == pytest.approx(layer["bn"]["u"][0][0], rel=1e-3)
    assert float(first[3]) == pytest.approx(1 / (1 + math.exp(-layer["bn"]["u"][0][0])), rel=1e-3)


def test_with_a_penalty_the_shares_say_what_the_bars_add_up_to(page):
    """With L2 on, the bars summed to +1.5e-6 beside ∂L/∂w = −1.05e-6 (the penalty's −2.6e-6 was
    in the gradient, in no bar): the chart says both parts."""
    p = open_why(page, "?preset=xor&l2=0.1&step=100&sel=e:1:0:1")
    shares = p.evaluate("window.__bpx.why.shares")
    assert shares["penalty"] != 0
    data_part = sum(shares["shares"])
    assert data_part == pytest.approx(shares["gradient"] - shares["penalty"], rel=1e-9, abs=1e-15)
    said = p.locator("#plot-shares .annotation-text").last.text_content()
    assert "from the samples (the bars) +" in said and "from the penalty" in said, said
