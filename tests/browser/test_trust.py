"""Every number on screen is the server's number, shown as what it is (issue #13)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support import ROOT

pytestmark = pytest.mark.browser


def state_of(server, page, **params):
    run_id = page.evaluate("window.__bpx.runId")
    return httpx.get(f"{server.url}/api/v1/runs/{run_id}/state", params=params).json()


def test_a_diverged_run_shows_nan_and_the_step_it_diverged_at(page, server):
    p = page.open("?preset=exploding&step=300&sel=n:7:0")
    state = state_of(server, p)
    assert state["loss"] == "NaN" and state["diverged_at"] is not None
    assert p.locator("#loss-value").inner_text() == "NaN"  # was "0"
    flag = p.locator("#diverged")
    assert flag.is_visible() and str(state["diverged_at"]) in flag.inner_text()
    output = next(n for n in p.evaluate("window.__bpx.nodes") if n["col"] == 7)
    assert output["label"] == "NaN" and output["delta"] == "δ NaN"  # were "0" and "δ 0"
    cells = p.locator("#inspector td.num").all_inner_texts()
    assert cells and set(cells) == {"NaN"}  # z, a, ∂ℓ/∂a, δ of the output neuron, every sample
    p.wait_for_function("document.querySelector('#plot-loss')._fullLayout?.shapes?.length > 0")
    marks = p.evaluate("document.querySelector('#plot-loss')._fullLayout.shapes.map((s) => s.x0)")
    assert marks == [state["diverged_at"]]  # the loss plot marks where the curve ends
    page.shot("trust-diverged")
    # a weight's check: NaN on both sides is no verdict on backprop (it said "✗ ... differ" in red)
    p = page.open("?preset=exploding&step=300&sel=e:6:0:0")
    p.wait_for_selector("#fd-check")
    assert p.locator("#fd-check").inner_text() == "– not checked: NaN or ∞ (the run diverged)"


def hover_edge(p, l, i, j) -> str:
    edge = next(e for e in p.evaluate("window.__bpx.edges") if (e["l"], e["i"], e["j"]) == (l, i, j))
    box = p.locator("#network").bounding_box()
    p.mouse.move(box["x"] + (edge["x1"] + edge["x2"]) / 2, box["y"] + (edge["y1"] + edge["y2"]) / 2)
    return p.locator("#tooltip").inner_text()


def test_one_sample_means_one_sample_in_arrow_tooltip_and_inspector(page, server):
    p = page.open("?preset=xor&step=300&sample=2&view=gradients&sel=e:0:0:0")
    state = state_of(server, p)
    x, delta = state["batch"]["x"][2], state["layers"][0]["delta"][2]
    own = delta[0] * x[0]  # sample 2's ∂ℓ/∂w for W0[0][0]: δ_0 · x_0
    mean = state["layers"][0]["dW"][0][0]
    assert (own > 0) != (mean > 0)  # the case of the issue: the two point opposite ways
    edge = next(e for e in p.evaluate("window.__bpx.edges") if (e["l"], e["i"], e["j"]) == (0, 0, 0))
    assert edge["arrow"] == ("down" if own > 0 else "up")
    tip = hover_edge(p, 0, 0, 0)
    assert "sample 2" in tip and f"{-own:.5g}"[:6] in tip and ("↓" if own > 0 else "↑") in tip
    assert f"{mean:.5g}"[:5] not in tip  # the batch mean was what the tooltip showed
    inspector = p.locator("#inspector").inner_text()
    assert "sample 2 (the arrow)" in inspector and ("↓" if own > 0 else "↑") in inspector
    assert "mean over 4 samples" in inspector  # the batch mean is there too, and says so
    p.locator("#sample").select_option("mean")
    page.wait_idle()
    tip = hover_edge(p, 0, 0, 0)
    assert "batch mean of 4" in tip and ("↑" if mean < 0 else "↓") in tip
    page.shot("trust-sample-vs-batch")


def test_a_phase_shows_only_what_it_has_computed(page):
    # B2 = backward:1: layer 1's gradients exist, layer 0's (computed in B1) do not yet
    p = page.open("?preset=xor&step=5&phase=backward:1&sel=e:0:0:0")
    kv = p.locator("#inspector dl.kv").first.inner_text()
    assert kv.count("not yet") == 3  # ∂L/∂w, its nudge, and the update (made in U)
    assert "finite differences agree" not in p.locator("#inspector").inner_text()
    assert "not yet" in hover_edge(p, 0, 0, 0)
    assert "full width = ? · " in p.locator("#legend").inner_text()  # layer 0's scale: not yet either
    p.goto(p.url.replace("sel=e%3A0%3A0%3A0", "sel=e:1:0:0").replace("sel=e:0:0:0", "sel=e:1:0:0"))
    page.wait_idle()
    assert p.locator("#inspector dl.kv").first.inner_text().count("not yet") == 1  # only the update
    # F1: the hidden layer's z and a exist, the output's do not; no δ anywhere
    p = page.open("?preset=xor&step=5&phase=forward:0&sel=n:2:0")
    cells = p.locator("#inspector td.num").all_inner_texts()
    assert cells and set(cells) == {"not yet"}
    p = page.open("?preset=xor&step=5&phase=forward:0&sel=n:1:0")
    rows = [r.split("\t") for r in p.locator("#inspector tbody tr").all_inner_texts()]
    assert all(r[1] != "not yet" and r[2] != "not yet" and r[3:] == ["not yet", "not yet"] for r in rows), (
        rows
    )
    page.shot("trust-phase-forward")


def test_a_phase_before_the_loss_shows_no_measure_that_reads_the_outputs(page):
    """At step 50 in F1, the batch loss read "…" while the loss plot's all-data point at step 50
    (a full batch: the same number) and the accuracy were shown; the clipped flag showed in L,
    before the gradient it is about was computed."""
    p = page.open("?preset=xor&step=50&phase=forward:0")
    trace = "document.querySelector('#plot-loss').data.find((tr) => tr.name === 'all training data')"
    p.wait_for_function(f"{trace} !== undefined")
    assert 50 not in p.evaluate(f"[...{trace}.x]")
    assert p.locator("#accuracy-stat").is_hidden() and p.locator("#loss-value").inner_text() == "…"
    p.locator("#timeline [data-phase='loss']").click()
    p.wait_for_function(f"[...{trace}.x].includes(50)")
    assert p.locator("#accuracy-stat").is_visible()
    p = page.open("?preset=clipping&step=3&phase=loss")
    assert p.locator("#clipped").is_hidden()
    p.locator("#timeline [data-phase='update']").click()
    p.wait_for_function("!document.querySelector('#clipped').hidden")


def test_with_a_penalty_the_loss_plot_says_which_curves_include_it(page, server):
    """The batch curve (what the step minimises) includes the L2 term; the all-data and test
    measures do not: unnamed, the gap between them read as the data's (dying ReLUs, l2 = 0.01:
    0.7024 = 0.6876 + 0.0148 beside an all-data 0.7635)."""
    p = page.open("?preset=dying_relu&l2=0.01&step=50")
    p.wait_for_function("document.querySelector('#plot-loss').data?.length > 2")
    names = p.evaluate("document.querySelector('#plot-loss').data.map((tr) => tr.name)")
    assert "batch + penalty" in names and "all training data (no penalty)" in names, names
    state = state_of(server, p)
    assert state["penalty"] > 0
    batch = p.evaluate(
        "document.querySelector('#plot-loss').data.find((tr) => tr.name === 'batch + penalty')"
    )
    history = httpx.get(f"{server.url}/api/v1/runs/{p.evaluate('window.__bpx.runId')}/history").json()
    assert batch["y"][-1] == history["loss"][-1]  # the batch's loss and its penalty, as the API's rows
    p = page.open("?preset=dying_relu&step=50")  # no penalty: plain names
    p.wait_for_function("document.querySelector('#plot-loss').data?.length > 2")
    assert "batch" in p.evaluate("document.querySelector('#plot-loss').data.map((tr) => tr.name)")


def lab_ready(p):
    p.locator("#digit-lab").scroll_into_view_if_needed()  # the lab asks for its numbers when on screen
    p.wait_for_function(
        "document.querySelector('#dl-asks')?._fullLayout && document.querySelector('#dl-acc')?.textContent",
        timeout=60_000,
    )


def test_the_digit_lab_shows_every_row_of_one_layer_back_and_the_sum(page):
    p = page.open("?preset=digits")
    lab_ready(p)
    axis = p.evaluate(
        "(() => { const el = document.querySelector('#dl-asks');"
        " return { range: el._fullLayout.yaxis.range, rows: el.data[0].y }; })()"
    )
    assert axis["rows"] == [str(k) for k in range(10)] + ["Σ"]
    low, high = sorted(axis["range"])
    assert low <= -0.5 and high >= len(axis["rows"]) - 0.5  # was [8.5, −0.5]: row 9 and Σ cut off


def test_the_digits_lesson_opens_on_an_image_of_a_2_as_its_text_asks(page):
    p = page.open("?preset=digits")
    lab_ready(p)
    p.wait_for_function("document.querySelector('#dl-label').textContent")
    assert p.locator("#dl-label").inner_text().startswith("label 2")  # "Pick one image of a 2"
    p.locator("#dl-row").fill("7")
    p.locator("#dl-row").press("Enter")
    p.wait_for_function("window.__bpx.model.page.row === 7")
    p.locator("#btn-step").click()  # the URL follows the image: a link reopens on it
    page.wait_idle()
    assert "row=7" in p.url


def test_digits_it_gets_wrong_shows_each_image_once(page, server):
    p = page.open("?preset=digits")
    lab_ready(p)
    run_id = p.evaluate("window.__bpx.runId")
    wrong = httpx.get(f"{server.url}/api/v1/runs/{run_id}/confusion").json()["wrong"]
    expected = sorted(r["row"] for rows in wrong.values() for r in rows[:2])
    rows = p.evaluate("[...document.querySelectorAll('#dl-wrong .thumb')].map((t) => Number(t.dataset.row))")
    assert sorted(rows) == expected  # on load: 39 thumbnails for 20 images
    p.locator("#btn-step").click()
    page.wait_idle()
    p.wait_for_timeout(500)
    rows = p.evaluate("[...document.querySelectorAll('#dl-wrong .thumb')].map((t) => Number(t.dataset.row))")
    assert len(rows) == len(set(rows))


def test_adding_a_point_says_the_run_restarts_and_offers_undo(page, server):
    p = page.open("?preset=xor&step=20")
    before = state_of(server, p)
    p.wait_for_function("document.querySelector('#plot-boundary .nsewdrag')")
    box = p.locator("#plot-boundary .nsewdrag").bounding_box()
    p.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.4)
    p.wait_for_function("window.__bpx.model.config.dataset === 'custom'")
    page.wait_idle()
    assert p.evaluate("window.__bpx.step") == 0
    note = p.locator("#toast")
    assert note.is_visible() and "step 0" in note.inner_text() and "step 20" in note.inner_text()
    page.shot("trust-data-undo")
    p.locator("#toast-action").click()
    p.wait_for_function("window.__bpx.model.config.dataset !== 'custom' && window.__bpx.step === 20")
    page.wait_idle()
    after = state_of(server, p)
    assert after["loss"] == before["loss"] and after["layers"][0]["W"] == before["layers"][0]["W"]
    assert "dataset=custom" not in p.url


def test_the_vanishing_lesson_opens_with_the_view_that_shows_its_point(page):
    p = page.open("?preset=vanishing")
    assert p.evaluate("window.__bpx.model.page.scale") == "global"
    edges = p.evaluate("window.__bpx.edges")
    widest = {l: max(e["width"] for e in edges if e["l"] == l) for l in range(7)}
    assert widest[0] < 0.5 < 3 < widest[6]  # the first layers fade; per layer they all looked equal
    assert "scale" not in p.url  # the lesson's own view: the link stays short
    p.locator("#scale").select_option("layer")  # the student's choice is a URL like any other
    page.wait_idle()
    assert "scale=layer" in p.url
    page.shot("trust-vanishing-global")


def test_lessons_open_with_their_views_from_the_menu_and_from_a_link(page, server):
    presets = {p["name"]: p for p in httpx.get(f"{server.url}/api/v1/meta").json()["presets"]}
    p = page.open("?preset=vanishing")
    for name in ("momentum", "chain", "xor"):
        p.locator("#lesson").select_option(name)
        page.wait_idle()
        view = {"view": "gradients", "scale": "layer", "sel": "", **presets[name]["view"]}
        page_now = p.evaluate("window.__bpx.model.page")
        assert {key: page_now[key] for key in view} == view, name  # every field the lesson sets
    p = page.open("?preset=chain")
    assert p.evaluate("window.__bpx.model.page.sel") == "e:1:0:0"  # "click the last weight": clicked
    assert "W1[0][0]" in p.locator("#inspector h2").inner_text()
    assert "1 samples" not in p.locator("#inspector").inner_text()  # a batch of one is said so


def test_a_lesson_that_opens_on_a_selection_keeps_its_words_above_it(page, server):
    words = json.loads((ROOT / "static/i18n/en.json").read_text(encoding="utf-8"))
    for lesson in ("chain", "batchnorm"):
        p = page.open(f"?preset={lesson}")
        assert p.evaluate("window.__bpx.model.page.sel")  # it opens on a weight or a neuron...
        above = p.locator("#inspector .lesson-words")
        assert above.get_attribute("open") is not None, lesson  # ...with the lesson's words open above it
        assert words[f"lesson.{lesson}.watch"] in above.inner_text()
        assert p.locator("#inspector .lesson-words + h2").count() == 1  # then the selection's own numbers
    above.locator("summary").click()  # folded by the student: folded at the next step too
    p.keyboard.press("n")
    page.wait_idle()
    assert p.evaluate("window.__bpx.model.state.step") == 1
    assert p.locator("#inspector .lesson-words").get_attribute("open") is None
    p.keyboard.press("Escape")  # nothing selected: the words alone, as every lesson opens
    page.wait_idle()
    assert p.locator("#inspector .lesson-words").count() == 0
    assert words["lesson.batchnorm.watch"] in p.locator("#inspector #watch").inner_text()


def test_a_first_visit_opens_the_first_lesson(page):
    p = page.open("")
    assert p.locator("#lesson").input_value() == "xor"
    assert "XOR" in p.locator("#inspector").inner_text()  # its words: what to watch
    assert "preset=xor" in p.url


SCAN = """(() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const n = walker.currentNode; const el = n.parentElement;
    if (!el || el.closest("script,style,[hidden]") || el.closest("#weights-table, math, #lang")) continue;
    const s = n.textContent.trim(); if (s) texts.push(["text", el.id || el.tagName, s]);
  }
  for (const el of document.querySelectorAll("[title],[aria-label],[placeholder]")) {
    for (const a of ["title", "aria-label", "placeholder"]) if (el.getAttribute(a)) texts.push([a, el.id || el.tagName, el.getAttribute(a)]);
  }
  const tip = document.getElementById("tooltip"); if (tip) texts.push(["tooltip", "tooltip", tip.textContent]);
  return JSON.stringify(texts);
})()"""


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_a_chinese_page_says_nothing_in_english(page, lang):
    from tests.test_i18n import LATIN_IN_CHINESE, latin_words

    p = page.open(f"?preset=xor&step=3&sel=e:0:0:0&lang={lang}")
    hover_edge(p, 0, 0, 0)
    english = {
        (where, text)
        for kind, where, text in json.loads(p.evaluate(SCAN))
        if any(w not in LATIN_IN_CHINESE for w in latin_words(text))
    }
    assert not english, english  # text, titles (tooltips), labels and the network's tooltip


def test_settings_that_do_not_apply_are_not_shown(page):
    p = page.open("?preset=chain")  # one example of its own, and its own first weights
    shown = p.evaluate("[...document.querySelectorAll('#controls [name]')].map((e) => e.name)")
    assert "n_samples" not in shown and "noise" not in shown and "init" not in shown  # was "Samples 200"
    assert "momentum" not in shown and "beta1" not in shown  # plain SGD
    assert "test_ratio" in shown and "learning_rate" in shown
    p = page.open("?preset=adam")
    shown = p.evaluate("[...document.querySelectorAll('#controls [name]')].map((e) => e.name)")
    assert {"beta1", "beta2", "eps", "n_samples"} <= set(shown) and "momentum" not in shown


NUMBERS = """async ([layer, i, j, s, prev]) => {
  const { fmt } = await import('/static/js/store.js');
  const { short } = await import('/static/js/encode.js');
  const mean = (rows) => rows.reduce((sum, r) => sum + r[i], 0) / rows.length;
  const pick = (rows) => (s === null ? mean(rows) : rows[s][i]);
  return {
    table: layer.z.map((z, k) => [z[i], layer.a[k][i], layer.dL_da[k][i], layer.delta[k][i]].map((v) => fmt.num(v, 4))),
    tip: [pick(layer.a), pick(layer.z), pick(layer.delta)].map((v) => short(v, 5)),
    grad: s === null ? null : fmt.num(layer.delta[s][i] * prev[s][j], 6),
  };
}"""


def select(p, sel: str) -> None:
    """As a click on the network selects (networkpanel.js)."""
    p.evaluate("(sel) => window.__bpx.network.dispatchEvent(new CustomEvent('select', { detail: sel }))", sel)


def test_the_digit_nets_numbers_are_the_float64_states_at_each_step_and_sample(page, server):
    """A Step on the digit net brings one sample's rows (app/sampled.py): the inspector's neuron
    table and an edge's gradient for the sample shown, and the network's tooltip, are still the
    numbers of GET /state, after Steps and after choosing another sample."""
    p = page.open("?preset=digits&step=2&view=gradients&sample=3&sel=n:2:5")
    run_id = p.evaluate("window.__bpx.runId")
    for sample, steps in (("3", 0), ("3", 1), ("7", 0), ("mean", 1), ("31", 2)):
        if p.evaluate("window.__bpx.model.page.sample") != sample:
            p.locator("#sample").select_option(sample)
            page.wait_idle()
        for _ in range(steps):
            p.click("#btn-step")
            page.wait_idle()
        state = httpx.get(f"{server.url}/api/v1/runs/{run_id}/state").json()
        assert state["step"] == p.evaluate("window.__bpx.step")
        s = None if sample == "mean" else int(sample)
        want = p.evaluate(NUMBERS, [state["layers"][1], 5, 4, s, state["layers"][0]["a"]])
        # the neuron: every sample's z, a, ∂ℓ/∂a, δ in the inspector; the sample shown in the tooltip
        p.wait_for_function("document.querySelectorAll('#inspector tbody tr').length === 32")
        rows = [r.split("\t")[1:] for r in p.locator("#inspector tbody tr").all_inner_texts()]
        assert rows == want["table"], (sample, state["step"])
        tip = p.evaluate("window.__bpx.network.describe({ kind: 'n', col: 2, i: 5 })")
        a, z, delta = want["tip"]
        assert f"a = {a}\nz = {z}\nδ = {delta}" in tip, (sample, tip, want["tip"])
        if s is None:
            continue
        # an edge into that neuron: the sample's own ∂ℓ/∂w = δ · a_prev, in the inspector
        select(p, "e:1:5:4")
        page.wait_idle()
        p.wait_for_selector("#fd-check")
        assert want["grad"] in p.locator("#inspector").inner_text(), (sample, want["grad"])
        select(p, "n:2:5")
        page.wait_idle()


def test_the_accuracy_the_lessons_quote_is_on_the_page(page, server):
    """Dying ReLUs: 'over 90% accuracy around step 200 ... falls to 50%': the page showed no
    accuracy at all. Under the network, the share of training rows classified right, measured at
    the step shown; beside it the loss, said to be the batch's (clipping's '52' is the training
    loss, the dotted curve; the number beside the network was 39.5, the batch's)."""
    p = page.open("?preset=dying_relu&step=200")
    state = state_of(server, p)
    assert state["metrics"]["at_step"] == 200
    assert (
        p.locator("#accuracy-value").inner_text()
        == f"{100 * state['metrics']['train_accuracy']:.1f}%"
        == "93.5%"
    )
    assert p.locator("#loss-value").locator("xpath=..").inner_text().startswith("batch loss")
    p = page.open("?preset=digits&step=330")  # measured every hundred steps: not beside step 330's loss
    assert state_of(server, p)["metrics"]["at_step"] != 330
    assert p.locator("#accuracy-stat").is_hidden()


def test_the_loss_beside_the_network_is_on_the_loss_plot(page, server):
    """After a jump the batch loss beside the network is this step's, before its update, and the
    batch curve ends a step before (a row comes with its update): lr_high showed 62.6 beside a
    curve ending at 8.8. A dot at the curve's end says where that number is; hidden while playing
    and in a phase before the loss."""
    p = page.open("?preset=lr_high&step=3")
    state = state_of(server, p)
    p.wait_for_function("document.querySelector('#plot-loss').data?.at(-1)?.x?.length === 1")
    traces = p.evaluate(
        "document.querySelector('#plot-loss').data.map((tr) => ({x: [...tr.x], y: [...tr.y]}))"
    )
    assert traces[0]["x"][-1] == 2 and traces[-1]["x"] == [3]
    assert traces[-1]["y"] == [state["loss"] + state["penalty"]]
    assert p.locator("#loss-value").inner_text() == f"{state['loss'] + state['penalty']:.6g}"
    p.locator("#timeline [data-phase='forward:0']").click()  # the loss not computed yet: no dot
    p.wait_for_function("document.querySelector('#plot-loss').data.at(-1).x.length === 0")


def test_a_regressions_plane_and_its_data_share_one_colour_scale(page):
    """The plane's colours spanned its own prediction range (a far corner's −3.7 … 1.5) and the
    dots theirs (the targets' −1.0 … 1.1): a dot and the plane under it could match in colour
    and differ by 0.5."""
    p = page.open("?preset=clipping&step=300")
    p.wait_for_function("document.querySelector('#plot-boundary').data?.[0]?.type === 'heatmap'")
    plane, dots = p.evaluate(
        "document.querySelector('#plot-boundary').data.slice(0, 2).map((tr) => "
        "[tr.zmin ?? tr.marker.cmin, tr.zmax ?? tr.marker.cmax, tr.colorscale ?? tr.marker.colorscale, tr.showscale])"
    )
    targets = [row[0] for row in p.evaluate("window.__bpx.model.data.y")]
    assert plane[:3] == dots[:3] and plane[:2] == [min(targets), max(targets)]
    assert plane[3] is True  # with its colour bar


def test_the_networks_tooltip_stays_on_the_page_and_follows_the_step(make_page):
    """On a phone a weight into the output showed its tooltip 14 px past the right edge
    ("W2[0][0] = 0.3460" for 0.34603, its arrow cut off); a tooltip left under the pointer kept
    an old step's numbers through a Step, a new comparison and a whole Play."""
    page = make_page(390, 844)
    p = page.open("?preset=adagrad")
    edges = p.evaluate("window.__bpx.edges")
    last = max(e["l"] for e in edges)
    edge = max((e for e in edges if e["l"] == last), key=lambda e: e["x2"])
    said = hover_edge(p, edge["l"], edge["i"], edge["j"])
    tip = p.locator("#tooltip").bounding_box()
    assert tip["x"] >= 0 and tip["x"] + tip["width"] <= 390, tip
    w = p.evaluate(f"window.__bpx.model.state.layers[{last}].W[{edge['i']}][{edge['j']}]")
    assert f"{w:.5g}"[:6] in said, (w, said)
    p.keyboard.press("n")  # a step, the pointer where it was
    page.wait_idle()
    w = p.evaluate(f"window.__bpx.model.state.layers[{last}].W[{edge['i']}][{edge['j']}]")
    p.wait_for_function(f"document.querySelector('#tooltip').textContent.includes('{f'{w:.5g}'[:6]}')")
