"""What a student sees and does on the explorer page."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.conftest import share_and_save

pytestmark = pytest.mark.browser


def state_of(server, page):
    run_id = page.evaluate("window.__bpx.runId")
    return httpx.get(f"{server.url}/api/v1/runs/{run_id}/state").json()


def test_lesson_loads_with_its_explanation(page):
    p = page.open("?preset=xor")
    assert p.locator("#lesson").input_value() == "xor"
    assert "The classic XOR problem" in p.locator("#inspector").inner_text()  # from the catalogue
    assert p.locator("#lesson option:checked").inner_text() == "XOR with 2-2-1 sigmoid"
    assert (
        "blue ↑: loss falls if w grows (∂L/∂w < 0)" in p.locator("#legend").inner_text()
    )  # always on screen
    assert p.evaluate("window.__bpx.edges.length") == 6
    page.shot("xor-lesson")


def test_step_by_phase_walks_forward_then_back(page):
    p = page.open("?preset=xor")
    seen = []
    for _ in range(6):
        p.keyboard.press("ArrowRight")
        page.wait_idle()
        seen.append(p.evaluate("window.__bpx.model.page.phase"))
    assert seen == ["forward:0", "forward:1", "loss", "backward:1", "backward:0", "update"]
    assert "phase=update" in p.url
    # in the gradient view an edge's colour appears only once its backward phase is reached
    p.keyboard.press("ArrowRight")  # the update happens: step 1, first phase again
    page.wait_idle()
    assert p.evaluate("window.__bpx.step") == 1
    assert p.evaluate("window.__bpx.model.page.phase") == "forward:0"
    assert {e["color"] for e in p.evaluate("window.__bpx.edges")} == {"none"}
    page.shot("phase-forward")


def test_edge_colour_and_arrow_follow_the_gradient_sign(page, server):
    p = page.open("?preset=xor&step=7&view=gradients")
    state = state_of(server, p)
    edges = p.evaluate("window.__bpx.edges")
    assert len(edges) == 6
    for e in edges:
        g = state["layers"][e["l"]]["dW"][e["i"]][e["j"]]
        assert e["color"] == ("pos" if g < 0 else "neg"), (e, g)  # blue ↑ when ∂L/∂w < 0
        assert e["arrow"] == ("up" if g < 0 else "down")
    p.keyboard.press("1")  # weights view: blue positive weights
    p.wait_for_function("window.__bpx.view === 'weights'")  # drawn on the next animation frame
    for e in p.evaluate("window.__bpx.edges"):
        w = state["layers"][e["l"]]["W"][e["i"]][e["j"]]
        assert e["color"] == ("pos" if w > 0 else "neg")
    page.shot("xor-weights")


def test_copied_url_opens_the_same_numbers_elsewhere(page, make_page, server):
    p = page.open("?preset=minibatch")
    p.keyboard.press("n")
    page.wait_idle()
    p.locator("#step-input").fill("37")
    p.locator("#step-input").press("Enter")
    page.wait_idle()
    p.keyboard.press("3")
    p.keyboard.press("c")
    p.wait_for_function("window.__bpx.copied")
    link = p.evaluate("window.__bpx.copied")
    assert "step=37" in link and "view=applied" in link
    first = state_of(server, p)
    other = make_page()  # a fresh browser context: nothing shared but the link
    q = other.open(link.split("/", 3)[3])
    second = state_of(server, q)
    assert q.evaluate("window.__bpx.runId") != p.evaluate("window.__bpx.runId")
    assert first == second  # same loss, weights, gradients: bit for bit
    assert q.evaluate("window.__bpx.model.page.view") == "applied"
    other.shot("shared-link")


def test_keyboard_shortcuts(page):
    p = page.open("?preset=xor")
    p.keyboard.press("n")
    page.wait_idle()
    assert p.evaluate("window.__bpx.step") == 1
    p.keyboard.press("e")  # one epoch of a full-batch run is one step
    page.wait_idle()
    assert p.evaluate("window.__bpx.step") == 2
    p.keyboard.press("2")
    assert p.evaluate("window.__bpx.model.page.view") == "gradients"
    p.keyboard.press("?")
    assert p.locator("#help").is_visible()
    page.shot("help")
    p.keyboard.press("Escape")
    assert not p.locator("#help").is_visible()
    p.keyboard.press("r")
    page.wait_idle()
    assert p.evaluate("window.__bpx.step") == 0


def test_inspector_shows_the_api_numbers(page, server):
    p = page.open("?preset=xor&step=3")
    edge = next(e for e in p.evaluate("window.__bpx.edges") if e["l"] == 1)
    box = p.locator("#network").bounding_box()
    x = box["x"] + edge["x1"] + 0.3 * (edge["x2"] - edge["x1"])
    y = box["y"] + edge["y1"] + 0.3 * (edge["y2"] - edge["y1"])
    p.mouse.click(x, y)
    p.wait_for_selector("#fd-check")
    page.wait_idle()
    sel = p.evaluate("window.__bpx.model.page.sel")
    _, l, i, j = sel.split(":")
    run_id = p.evaluate("window.__bpx.runId")
    chain = httpx.get(f"{server.url}/api/v1/runs/{run_id}/chain", params={"layer": l, "i": i, "j": j}).json()
    text = p.locator("#inspector").inner_text()
    assert f"W{l}[{i}][{j}]" in text
    assert p.locator("#inspector math").count() >= 2  # the chain rule, written in MathML
    assert f"{chain['dW']:.6g}"[:6] in text.replace("−", "-")
    assert "agree" in p.locator("#fd-check").inner_text()
    # hovering a factor lights up where it comes from
    p.locator("#inspector .term[data-term='a']").first.hover()
    assert p.evaluate("window.__bpx.model.page.sel") == sel
    page.shot("inspector-edge")


def test_chinese_interface(page):
    p = page.open("?preset=xor&lang=zh-Hans")
    assert p.locator("#btn-step").inner_text() == "单步"
    assert "经典 XOR 问题" in p.locator("#inspector").inner_text()
    p.locator("#lang").select_option("zh-Hant")
    page.wait_idle()
    assert p.locator("#btn-step").inner_text() == "單步"
    assert "經典 XOR 問題" in p.locator("#inspector").inner_text()  # the lesson's words follow the menu
    assert p.locator("#lesson option:checked").inner_text() == "XOR：2-2-1 sigmoid 網路"
    assert p.locator("#sample option[value='0']").inner_text() == "樣本 0"  # it kept its first words once
    assert "lang=zh-Hant" in p.url
    # text drawn inside the plots follows the language too, not only the page's own
    assert "單步之後" in p.locator("#plot-loss").inner_text()
    assert "隱藏層 1" in p.locator("#plot-neurons").inner_text()
    page.shot("chinese")


def test_digit_lesson(page, server):
    p = page.open("?preset=digits")
    assert "13,002" in p.locator("#n-params").inner_text()
    lab = p.locator("#digit-lab")
    assert lab.is_visible()
    # what one "2" wants: pick the next training image of class 2
    p.locator("#dl-class").select_option("2")
    p.wait_for_function("document.querySelector('#dl-label').textContent.startsWith('label 2')")
    row = int(p.locator("#dl-row").input_value())
    run_id = p.evaluate("window.__bpx.runId")
    example = httpx.get(f"{server.url}/api/v1/runs/{run_id}/example", params={"row": row}).json()
    assert example["y"][2] == 1
    assert "13,002 entries" in lab.inner_text()
    assert p.locator("#dl-inner .vrow").count() > 10  # the ∇C list, scrollable
    p.locator("#dl-example-show").click()  # that one image's own arrows, drawn on the network
    p.wait_for_function("!document.querySelector('#probe-chip').hidden")
    edge = next(e for e in p.evaluate("window.__bpx.edges") if e["l"] == 2)
    g = example["grads"]["W2"][edge["i"]][edge["j"]]
    assert edge["color"] == ("pos" if g < 0 else "neg")
    # the same State asked again (the lab's whole matrices: under load, answered after the
    # click) keeps the arrows the student asked for; the next step ends them
    p.evaluate("window.__bpx.model.run.refresh()")
    assert p.locator("#probe-chip").is_visible()
    step = p.evaluate("window.__bpx.step")
    p.locator("#btn-step").click()
    p.wait_for_function(f"window.__bpx.step === {step + 1}")
    p.wait_for_function("document.querySelector('#probe-chip').hidden")
    # draw a "1" and see the network's answer
    p.locator("#dl-pad").scroll_into_view_if_needed()
    pad = p.locator("#dl-pad").bounding_box()
    p.mouse.move(pad["x"] + 98, pad["y"] + 30)
    p.mouse.down()
    p.mouse.move(pad["x"] + 100, pad["y"] + 170, steps=12)
    p.mouse.up()
    p.wait_for_function("document.querySelector('#dl-probs .main-svg') !== null")
    p.locator("#dl-show").click()
    p.wait_for_function("!document.querySelector('#probe-chip').hidden")
    lab.scroll_into_view_if_needed()
    page.shot("digit-lab")
    # what each first-layer neuron looks for: its 784 weights as a 28×28 image
    p.wait_for_function("document.querySelectorAll('#plot-neurons canvas').length === 16", timeout=10_000)
    page.shot("digits")


def test_a_training_image_the_set_lacks_is_said_and_the_field_goes_back(page):
    """Typing 99999 (or 12.5) as the digit lab's training image threw an uncaught error: no
    notice, and the field kept 99999 beside the picture and label of the image before."""
    p = page.open("?preset=digits")
    p.locator("#digit-lab").scroll_into_view_if_needed()
    p.wait_for_function("document.querySelector('#dl-label').textContent.startsWith('label 2')")
    for typed in ("99999", "12.5"):
        p.locator("#dl-row").fill(typed)
        p.locator("#dl-row").press("Enter")
        page.wait_idle()
        assert p.locator("#toast").is_visible() and "row" in p.locator("#toast").inner_text()
        if typed == "99999":  # the set's 4000 training rows, not "≤ 5000" (any set's most)
            assert "0 to 3999" in p.locator("#toast").inner_text()
        assert p.locator("#dl-row").input_value() == "3"  # the image still shown (the lesson's 2)
    assert p.evaluate("window.__bpx.errors.length") == 2
    assert not [m for m in page.problems if "page error" in m], page.problems
    page.problems.clear()  # the refused requests' 422s in the console are the server's answer
    p.locator("#dl-row").fill("7")
    p.locator("#dl-row").press("Enter")
    page.wait_idle()
    assert p.locator("#dl-row").input_value() == "7"


def test_drawing_digits_warns_of_nothing_in_the_console(page):
    """Each stroke on the pad is read back to ask the network (mnistify): from the second one on
    Chrome warned "Multiple readback operations using getImageData are faster with the
    willReadFrequently attribute set to true"."""
    warnings: list[str] = []
    page.page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    p = page.open("?preset=digits")
    p.locator("#dl-pad").scroll_into_view_if_needed()
    pad = p.locator("#dl-pad").bounding_box()
    for k in range(3):  # three strokes, each answered
        p.mouse.move(pad["x"] + 60 + 40 * k, pad["y"] + 30)
        p.mouse.down()
        p.mouse.move(pad["x"] + 60 + 40 * k, pad["y"] + 170, steps=8)
        p.mouse.up()
        page.wait_idle()
    p.locator("#dl-show").click()
    p.wait_for_function("!document.querySelector('#probe-chip').hidden")
    assert not warnings, warnings


def test_a_digit_drawn_by_keyboard(page):
    """The pad took only a mouse or a finger: the keys draw too (arrows move the pen, Enter puts
    it down and lifts it, each lift asks the network, Delete clears), and a live region says
    where the pen is in the network's 28 × 28."""
    p = page.open("?preset=digits")
    p.locator("#dl-pad").scroll_into_view_if_needed()
    ink = (
        "(() => { const c = document.querySelector('#dl-pad'); const d = c.getContext('2d')"
        ".getImageData(0, 0, c.width, c.height).data; let n = 0; for (let k = 3; k < d.length; k += 4) n += d[k] > 0; return n; })()"
    )
    p.locator("#dl-pad").focus()
    assert p.locator("#dl-pen").is_visible()
    assert p.locator("#dl-pad-said").inner_text() == "Pen at column 15, row 15 of 28, lifted"
    for _ in range(6):
        p.keyboard.press("ArrowUp")  # to the top of a "1", the pen up: no ink
    assert p.evaluate(ink) == 0
    p.keyboard.press("Enter")
    for _ in range(12):
        p.keyboard.press("ArrowDown")
    assert p.locator("#dl-pad-said").inner_text().startswith("Drawing at column 15, row ")
    p.keyboard.press("Enter")  # lifted: the network is asked
    p.wait_for_function("document.querySelector('#dl-probs .main-svg') !== null")
    drawn = p.evaluate(ink)
    assert drawn > 16 * 100  # a stroke 16 px wide down ~60% of the pad
    p.keyboard.press("ArrowRight")  # the pen moves up: no ink on the way
    assert p.evaluate(ink) == drawn
    p.keyboard.press("Delete")
    assert p.evaluate(ink) == 0 and p.locator("#dl-pad-said").inner_text() == "Pad cleared"
    p.keyboard.press("Escape")
    assert not p.locator("#dl-pen").is_visible()
    assert not page.problems


def test_play_streams_and_pause_stops(page):
    p = page.open("?preset=xor")
    hint = "Take a step to draw this curve"
    assert hint in p.locator("#plot-loss").inner_text()  # nothing to plot at step 0
    p.keyboard.press(" ")
    p.wait_for_function("window.__bpx.step >= 20", timeout=15_000)
    # streamed points alone (no reload of the history) replace the hint with axes
    p.wait_for_function(f"!document.querySelector('#plot-grad').innerText.includes({hint!r})", timeout=5_000)
    p.keyboard.press(" ")
    page.wait_idle()
    step = p.evaluate("window.__bpx.step")
    p.wait_for_timeout(400)
    assert p.evaluate("window.__bpx.step") == step and step >= 20
    frames = p.evaluate("window.__bpx.frameTimes")
    assert frames and max(frames) < 200  # drawing never stalls the page


# Records what the toast showed: it hides itself after a few seconds, which a loaded machine can
# take to reach the first check.
RECORD_TOAST = """new MutationObserver(() => {
  const el = document.getElementById("toast");
  if (el && !el.hidden) window.__toastShown = el.textContent;
}).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });"""


def test_bad_link_explains_and_falls_back(page):
    page.page.add_init_script(RECORD_TOAST)
    p = page.open("?hidden=0&lr=5")
    p.wait_for_function("window.__toastShown")
    assert "Hidden layers: 0 is out of range" in p.evaluate("window.__toastShown")
    assert p.evaluate("window.__bpx.model.config") == {"preset": "xor"}
    page.problems.clear()  # the refused request logs a console error by design


def test_share_dialog_short_link_and_saved_run(page, make_page, server):
    p = page.open("?preset=momentum&step=15&view=weights")
    short = share_and_save(p, "momentum at 15")
    page.shot("share-dialog")
    p.keyboard.press("Escape")
    other = make_page()
    q = other.open(short.split("/", 3)[3])
    assert q.evaluate("window.__bpx.step") == 15 and q.evaluate("window.__bpx.model.page.view") == "weights"
    assert state_of(server, q) == state_of(server, p)
    q.locator("#btn-share").click()  # another browser: the link opens, the saved run is not listed
    q.wait_for_function("document.querySelector('#saved-list').children.length > 0")
    assert q.locator("#saved-list").inner_text() == "Nothing saved yet"


def test_an_imported_digit_net_is_a_url_that_reloads(page, make_page, server, tmp_path):
    p = page.open("?preset=digits")
    run_id = p.evaluate("window.__bpx.runId")
    httpx.post(f"{server.url}/api/v1/runs/{run_id}/step", json={"steps": 30}).raise_for_status()
    exported = tmp_path / "digits.json"
    exported.write_bytes(httpx.get(f"{server.url}/api/v1/runs/{run_id}/export").content)
    assert exported.stat().st_size > 100_000  # 13,002 numbers: far more than a URL may carry
    # the import is in the share dialog, whose module comes with it (views.js)
    p.locator("#btn-share").click()
    p.wait_for_selector("#share:not([hidden])")
    p.locator("#import-json").set_input_files(str(exported))
    p.wait_for_function(
        "window.__bpx.runId !== " + repr(run_id) + " && location.search.includes('weights=%40')"
        " || location.search.includes('weights=@')"
    )
    page.wait_idle()
    assert len(p.url) < 2_000  # the weights are stored once and named by their code
    q = make_page().open(p.url.split("/", 3)[3])
    assert state_of(server, q) == state_of(server, p)
    assert (
        state_of(server, q)["layers"][0]["W"]
        == httpx.get(f"{server.url}/api/v1/runs/{run_id}/state").json()["layers"][0]["W"]
    )  # the imported net starts from the exported weights


def test_your_own_data_by_keyboard(page):
    """The plane takes the focus: arrows move a cursor, Enter adds a point of the chosen class
    where it is, Delete removes the nearest, and a live region says so; the page's own keys
    (→ is the next phase) are not pressed meanwhile."""
    p = page.open("?preset=fullbatch")
    p.wait_for_selector("#plot-boundary .nsewdrag")
    rows = "window.__bpx.model.resolved.data ? window.__bpx.model.resolved.data.x : null"
    before = p.evaluate("window.__bpx.model.data.total")
    p.locator("#data-tools [data-class='0']").click()
    p.locator("#plot-boundary").focus()
    assert p.locator("#plane-cursor").is_visible()
    centre = p.locator("#plane-cursor").bounding_box()
    for _ in range(3):
        p.keyboard.press("ArrowRight")
    p.keyboard.press("ArrowUp")
    moved = p.locator("#plane-cursor").bounding_box()
    assert moved["x"] > centre["x"] + 10 and moved["y"] < centre["y"] - 3  # right and up, as drawn
    said = p.locator("#plane-said").inner_text()
    assert said.startswith("Cursor at (")
    x, y = (float(v) for v in said.split("(")[1].rstrip(")").split(", "))
    p.keyboard.press("Enter")
    p.wait_for_function("window.__bpx.model.resolved.dataset === 'custom'")
    page.wait_idle()
    added = p.evaluate(rows)
    assert len(added) == before + 1
    assert abs(added[-1][0] - x) < 0.01 and abs(added[-1][1] - y) < 0.01  # where the cursor said
    assert p.evaluate("window.__bpx.model.resolved.data.y.at(-1)") == [0]  # the chosen class
    assert p.evaluate("window.__bpx.step") == 0 and p.evaluate("window.__bpx.model.page.phase") == ""
    # "data changed… Undo" is said clear of the plane being edited (it covered the cursor)
    toast, plane = p.locator("#toast").bounding_box(), p.locator("#plot-boundary").bounding_box()
    assert toast["y"] + toast["height"] <= plane["y"] or toast["y"] >= plane["y"] + plane["height"]
    p.locator("#plot-boundary").focus()
    p.keyboard.press("Enter")  # a second point: the first stays, and so does every other
    p.wait_for_function(f"({rows}).length === {before + 2}")  # each edit lost the test share (a fifth)
    page.wait_idle()
    p.locator("#plot-boundary").focus()
    p.keyboard.press("Delete")  # the shown point nearest to the cursor
    p.wait_for_function(f"({rows}).length === {before + 1}")
    assert p.locator("#plane-said").inner_text().startswith("Point at (")
    p.keyboard.press("Escape")
    assert not p.locator("#plane-cursor").is_visible()


def test_a_link_to_values_this_server_lacks_explains_in_chinese(page):
    p = page.open("?preset=xor&weights=@AAAAAAAAAAAAAAAAAAAAAA&lang=zh-Hans")
    assert "不在此服务器上" in p.locator("#toast").inner_text()
    assert p.evaluate("window.__bpx.model.config") == {"preset": "xor"}  # the default lesson instead
    page.problems.clear()  # the refused request logs a console error by design


def test_your_own_data_by_clicks_and_csv(page, tmp_path):
    p = page.open("?preset=fullbatch")
    p.wait_for_selector("#plot-boundary .nsewdrag")
    box = p.locator("#plot-boundary .nsewdrag").bounding_box()
    before = p.evaluate("window.__bpx.model.data.total")
    p.locator("#data-tools [data-class='0']").click()
    p.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.3)
    p.wait_for_function("window.__bpx.model.resolved.dataset === 'custom'")
    page.wait_idle()
    assert (
        p.evaluate("window.__bpx.model.resolved.data.x.length") == before + 1
    )  # the training rows + the click
    assert "dataset=custom" in p.url and "data=" in p.url  # the points travel in the link
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n0.1,0.2,1\n0.3,oops,0\n")
    p.locator("#csv-upload").set_input_files(str(bad))
    p.wait_for_function("document.querySelector('#toast').textContent.includes('Row 2, column 2')")
    good = tmp_path / "good.csv"
    good.write_text("x1,x2,label\n" + "\n".join(f"{i / 10},{(i * 3 % 10) / 10},{i % 2}" for i in range(10)))
    p.locator("#csv-upload").set_input_files(str(good))
    p.wait_for_function("window.__bpx.model.data && window.__bpx.model.data.total === 8")  # 10 rows, 20% test
    page.wait_idle()
    page.shot("custom-data")


def test_compare_mode_steps_both_runs_in_lock_step(page, server):
    p = page.open("?preset=sgd&b_optimizer=adam&b_lr=0.01")
    assert p.locator("#network-b").is_visible() and "Optimizer = Adam" in p.locator("#label-b").inner_text()
    p.keyboard.press("n")
    page.wait_idle()
    p.keyboard.press("n")
    page.wait_idle()
    run_b = p.evaluate("window.__bpx.compare.runId")
    b = httpx.get(f"{server.url}/api/v1/runs/{run_b}").json()
    assert b["step"] == 2 and b["config"]["optimizer"] == "adam" and b["config"]["learning_rate"] == 0.01
    snap = httpx.get(
        f"{server.url}/api/v1/snapshot",
        params={"preset": "sgd", "optimizer": "adam", "lr": 0.01, "step": 2, "fields": "loss"},
    ).json()
    assert httpx.get(f"{server.url}/api/v1/runs/{run_b}/state", params={"fields": "loss"}).json() == snap
    # keys pressed faster than the server answers: B still ends on A's step, not past it
    for _ in range(10):
        p.keyboard.press("n")
    page.wait_idle()
    steps = [
        httpx.get(f"{server.url}/api/v1/runs/{r}").json()["step"]
        for r in (p.evaluate("window.__bpx.runId"), run_b)
    ]
    assert steps == [12, 12]
    # nothing hidden (the screen-reader table of weights) makes the page scroll past its content
    blank = p.evaluate(
        "document.documentElement.scrollHeight - document.querySelector('main').getBoundingClientRect().bottom"
        " - window.scrollY"
    )
    assert blank < 40
    assert "b_optimizer=adam" in p.url
    page.shot("compare")


def test_compare_marks_the_dead_neurons_of_run_b(page, server):
    """Sigmoid vs ReLU on XOR: ReLU's hidden neurons die (δ 0 for every row), and run A's pane
    crosses its dead neurons out, but run B's pane never marked any. B's Steps now carry its
    neuron health too, and its pane marks what the server says of run B."""
    p = page.open("?preset=xor&b_activation=relu&b_init=he")

    def dead_b() -> tuple[set, set]:  # marked in B's pane, dead by the server
        run_b = p.evaluate("window.__bpx.compare.runId")
        health = httpx.get(f"{server.url}/api/v1/runs/{run_b}/neurons").json()
        expected = {
            (l + 1, i)
            for l, layer in enumerate(health["layers"])
            for i, dead in enumerate(layer["dead"])
            if dead
        }
        assert expected, health  # He-initialised ReLUs on XOR: a neuron dead from step 0
        p.wait_for_function(
            "(n) => (window.__bpx.marksB || []).filter((m) => m.flag === 'dead').length === n",
            arg=len(expected),
        )
        return {
            (m["col"], m["i"]) for m in p.evaluate("window.__bpx.marksB") if m["flag"] == "dead"
        }, expected

    marked, expected = dead_b()
    assert marked == expected
    assert not [m for m in p.evaluate("window.__bpx.marks") if m["flag"] == "dead"]  # A's sigmoids live
    p.keyboard.press("n")
    page.wait_idle()
    assert p.evaluate("window.__bpx.compare.state.step") == 1
    marked, expected = dead_b()
    assert marked == expected


def test_compare_legend_names_the_scale_of_each_pane(page, server):
    """Each pane scales its edges to its own largest value: at step 5 of SGD vs Adam, B's widest
    first-layer edge stood for 0.005 and A's for 0.0023, and the legend named only A's."""

    def widest(run_id: str) -> list[float]:
        state = httpx.get(f"{server.url}/api/v1/runs/{run_id}/state", params={"fields": "layers.dW"}).json()
        return [max(abs(g) for row in layer["dW"] for g in row) for layer in state["layers"]]

    def shown(text: str, pane: str) -> list[float]:
        part = text.split("full width = ", 1)[1].split(f"{pane}: ", 1)[1]
        return [float(v) for v in part.split(";")[0].split("neuron fill")[0].split(" · ")]

    p = page.open("?preset=xor&b_optimizer=adam&b_lr=0.01&step=5")
    for _ in range(2):  # as opened, and after a Step (B's State comes after A's)
        p.wait_for_function("document.querySelector('#legend').textContent.includes('B: ')")
        run_b = p.evaluate("window.__bpx.compare.runId")
        step = p.evaluate("window.__bpx.step")
        p.wait_for_function(f"window.__bpx.compare.state && window.__bpx.compare.state.step === {step}")
        page.wait_idle()
        text = p.locator("#legend").inner_text()
        for pane, run_id in (("A", p.evaluate("window.__bpx.runId")), ("B", run_b)):
            for got, want in zip(shown(text, pane), widest(run_id), strict=True):
                assert got == pytest.approx(want, rel=0.05), (pane, text)
        p.click("#btn-step")
        page.wait_idle()


@pytest.mark.parametrize("b", ["b_lr=-1", "b_lr=abc", "b_activation=nope"])
def test_a_link_whose_network_b_is_refused_opens_a_alone_and_says_why(page, b):
    p = page.open(f"?preset=xor&{b}&step=3")
    assert p.evaluate("window.__bpx.model.state.step") == 3  # A drawn, at its step: not a blank page
    assert p.locator("#lesson").input_value() == "xor"
    toast = p.locator("#toast").inner_text()
    assert toast.startswith("Network B was not started:"), toast
    assert ("Learning rate" if "lr" in b else "Activation") in toast, toast  # naming B's setting
    assert (
        p.evaluate("window.__bpx.compare.active") is False and "b_" not in p.url
    )  # the link no longer carries it
    assert p.locator("#network-b").is_hidden()
    p.locator("#toast-action").click()  # the way to a comparison that runs
    assert p.locator("#compare-menu").is_visible()
    page.problems.clear()  # the refused request logs a console error by design


@pytest.mark.parametrize("phase", ["bogus", "forward:7"])
def test_a_link_to_a_phase_the_net_has_not_shows_the_whole_step(page, phase):
    p = page.open(f"?preset=xor&step=2&phase={phase}")
    assert p.evaluate("window.__bpx.model.page.phase") == "" and "phase=" not in p.url
    assert (
        p.evaluate("window.__bpx.edges.filter((e) => e.arrow).length") > 0
    )  # the gradients drawn, not a blank net
    assert "phase." not in p.locator("#phase-chip").inner_text()  # no catalogue key for words


def test_a_link_s_values_the_page_cannot_read_are_said_and_left_out(page):
    p = page.open("?preset=xor&lr=abc&scale=huge&speed=0&step=2")
    assert (
        p.locator("#toast").inner_text()
        == "This link's scale=huge, speed=0, lr=abc could not be read: left out"
    )
    assert p.evaluate("window.__bpx.model.state.step") == 2  # the rest of the link is opened
    assert p.evaluate("window.__bpx.model.resolved.learning_rate") == 2  # the lesson's, as the page says
    for gone in ("lr=", "scale=", "speed="):
        assert gone not in p.url  # a copied link does not carry them on
    # a quiz of more steps than a quiz has, or ending before it starts: it opened no quiz, silently
    p = page.open("?preset=xor&quiz=0-99999")
    assert p.locator("#toast").inner_text() == "This link's quiz=0-99999 could not be read: left out"
    assert "quiz=" not in p.url and p.locator("#btn-quiz").get_attribute("aria-pressed") == "false"


def test_a_number_field_given_no_number_says_so_and_shows_its_value_again(page):
    p = page.open("?preset=xor")
    field = p.locator("#f-learning_rate")
    field.click()
    p.keyboard.press("ControlOrMeta+a")
    p.keyboard.type("e")  # a number's field takes it, as the start of 1e-3: no number yet
    p.keyboard.press("Tab")
    assert p.locator("#toast").inner_text() == "Learning rate η needs a number: it stays 2"
    assert field.input_value() == "2" and p.evaluate("window.__bpx.model.resolved.learning_rate") == 2


def test_errors_speak_the_page_language(page):
    p = page.open("?hidden=0&lang=zh-Hant")
    text = p.locator("#toast").inner_text()
    assert "隱藏層" in text and "超出範圍" in text
    p = page.open('?lang=zh-Hans&weights=[{"W":[[1]],"b":[0]}]')  # once said in the engine's English
    text = p.locator("#toast").inner_text()
    assert "与网络的形状不符" in text and not re.search(r"[a-z]{3,} [a-z]{3,}", text), text
    page.problems.clear()  # the refused requests log console errors by design


def test_api_docs_load_without_a_cdn(page):
    p = page.page
    p.goto(f"{page.base}/docs")
    p.wait_for_selector(".opblock-summary-path", timeout=20_000)  # rendered from the local bundle
    assert "/api/v1/runs" in p.locator("body").inner_text()


def test_controls_restart_the_run_and_refuse_bad_values(page):
    p = page.open("?preset=xor&step=5")
    p.locator("#f-optimizer").select_option("adam")
    p.wait_for_function("window.__bpx.model.resolved.optimizer === 'adam'")
    page.wait_idle()
    assert p.evaluate("window.__bpx.step") == 0 and "optimizer=adam" in p.url
    before = p.evaluate("window.__bpx.runId")
    p.locator("#f-hidden").fill("0")
    p.locator("#f-hidden").press("Enter")
    p.wait_for_function("!document.querySelector('#toast').hidden")
    page.wait_idle()
    assert "Hidden layers" in p.locator("#toast").inner_text()
    assert p.evaluate("window.__bpx.runId") == before  # the old run goes on
    assert p.locator("#f-hidden").input_value() == "2"  # and the control shows what runs
    assert "hidden=0" not in p.url
    page.problems.clear()  # the refused request logs a console error by design


@pytest.mark.parametrize(
    ("lang", "rest"),
    [("en", ": 1.5 is not a whole number"), ("zh-Hant", "：1.5 不是整數")],
)
def test_a_value_that_is_not_a_whole_number_is_said_without_empty_brackets(page, lang, rest):
    """A seed of 1.5 was refused as "Seed: 1.5 is not a whole number ()": the server says no
    allowed range for a value it cannot parse, and the message printed the empty one."""
    from app.i18n import catalogue

    said = catalogue(lang)["field.seed"] + rest  # the field's name as the page's menu has it
    p = page.open(f"?preset=xor&lang={lang}")
    p.locator("#f-seed").fill("1.5")
    p.locator("#f-seed").press("Enter")
    p.wait_for_function("!document.querySelector('#toast').hidden")
    page.wait_idle()
    assert p.locator("#toast").inner_text() == said
    page.problems.clear()  # the refused request logs a console error by design


def test_a_phone_sees_the_network_first_and_full_width(make_page):
    phone = make_page(390, 844)
    p = phone.open("?preset=xor")
    stage, controls = p.locator(".stage").bounding_box(), p.locator("#controls").bounding_box()
    assert stage["y"] < controls["y"]  # the network, then the settings under it
    assert stage["width"] > 350 and stage["height"] > 400
    assert p.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the screen
    phone.shot("phone")


def test_a_deep_nets_phases_all_show_beside_the_stats(page):
    p = page.open("?preset=vanishing")  # 7 weight layers: 17 phase chips
    stage = p.locator(".stage").bounding_box()
    chips = [b.bounding_box() for b in p.locator("#timeline button").all()]
    assert len(chips) == 17
    for chip in chips:  # none cut off by the card's edge
        assert stage["x"] <= chip["x"] and chip["x"] + chip["width"] <= stage["x"] + stage["width"]
        assert chip["y"] + chip["height"] <= stage["y"] + stage["height"]
    timeline, stats = p.locator("#timeline").bounding_box(), p.locator(".stage-foot .stats").bounding_box()
    assert stats["y"] < timeline["y"] + timeline["height"]  # beside the chips, not a row of its own


def test_the_first_point_of_a_curve_is_a_dot_then_a_line(page):
    p = page.open("?preset=xor&step=1")  # one recorded step: a line of one point draws nothing

    def modes(plot):
        return p.evaluate(f"document.getElementById('{plot}').data.map((tr) => tr.mode)")

    assert all("markers" in mode for mode in modes("plot-loss") + modes("plot-grad"))
    p.keyboard.press("n")
    page.wait_idle()
    p.wait_for_function("document.getElementById('plot-loss').data[0].x.length === 2")
    assert modes("plot-loss")[0] == "lines" and set(modes("plot-grad")) == {"lines"}


def test_a_layer_with_no_gradient_is_said_to_have_none(page):
    # all-zero weights: W2 = 0 sends no error back, so every ∂L/∂W1 is exactly 0
    p = page.open("?preset=init_zero")
    scale = p.locator("#legend").inner_text().split("full width = ")[1].split("\n")[0]
    first, second = scale.split(" · ")
    assert first == "0" and float(second) > 0  # not a made-up "1"


def test_a_layer_not_computed_yet_is_a_question_mark_that_says_why(page):
    p = page.open("?preset=xor&step=2&phase=backward:1&view=gradients&scale=layer")
    scale = p.locator("#legend").inner_text().split("full width = ")[1].split("\n")[0]
    scale, note = scale.split(" (")
    first, second = scale.split(" · ")
    assert first == "?" and float(second) > 0  # ∂L/∂W0 comes at B1's turn, the next phase
    assert note == "?: not yet at this phase)"  # said in words too (a touch screen has no hover)
    said = p.locator("#legend [title]").first.get_attribute("title")
    assert said == "not computed yet: this layer's number comes at a later phase of the step"


def test_a_new_look_redraws_the_network_and_the_plots_in_its_colours(page):
    """The canvas and the plots read the look's colours once per look (not in every frame while
    playing): switching the theme still gives both the new ones."""
    p = page.open("?preset=xor")
    p.wait_for_function("document.querySelector('#plot-loss .main-svg')")
    look = """() => { const css = getComputedStyle(document.documentElement);
      return { surface: css.getPropertyValue('--surface').trim(), canvas: css.getPropertyValue('--canvas').trim(),
               plot: document.getElementById('plot-loss').layout.paper_bgcolor,
               network: window.__bpx.network.colors().canvas }; }"""
    before = p.evaluate(look)
    assert before["plot"] == before["surface"] and before["network"] == before["canvas"]
    p.click("#btn-theme")
    p.wait_for_function(
        "(old) => document.getElementById('plot-loss').layout.paper_bgcolor !== old", arg=before["plot"]
    )
    page.wait_idle()
    after = p.evaluate(look)
    assert after["surface"] != before["surface"] and after["canvas"] != before["canvas"]
    assert after["plot"] == after["surface"] and after["network"] == after["canvas"]


def test_the_colour_blind_palette_names_its_own_colours(page):
    """The colour-blind palette draws negative values orange; the legend, the help and the view
    buttons' titles said "red ↓" beside orange arrows."""
    p = page.open("?preset=xor&step=3&palette=cb")
    title = "document.querySelector('#view-mode [data-view=weights]').title"
    assert "orange ↓: loss falls if w shrinks" in p.locator("#legend").inner_text()
    assert "red" not in p.locator("#legend").inner_text()
    assert "orange negative" in p.evaluate(title)
    assert "orange ↓ = it falls" in p.evaluate(
        "document.querySelector('[data-i18n=\"help.legend\"]').textContent"
    )
    p.click("#btn-palette")  # back to red and blue
    page.wait_idle()
    p.wait_for_function("document.querySelector('#legend').textContent.includes('red ↓')")
    assert "orange" not in p.locator("#legend").inner_text() and "red negative" in p.evaluate(title)
    p.click("#btn-palette")
    p.select_option("#lang", "zh-Hans")
    page.wait_idle()
    p.wait_for_function("document.querySelector('#legend').textContent.includes('橙 ↓')")
    assert "红" not in p.locator("#legend").inner_text()


def test_a_huge_value_fits_its_node(page):
    """At step 265 of the exploding lesson the output's value, 1.3e+142, was written in 11px across
    a circle 32 px wide: the two-digit fallback gave the same text, so fillText squeezed it
    to 60% or it ran past the ring. Each label now fits its circle as written (within 10%)."""
    p = page.open("?preset=exploding&step=265")
    labels = p.evaluate(
        """() => { const ctx = document.createElement('canvas').getContext('2d');
        return window.__bpx.network.drawn.nodes.filter((n) => n.label).map((n) => {
          ctx.font = n.labelFont;
          return {label: n.label, width: ctx.measureText(n.label).width, room: 2 * n.r - 4}; }); }"""
    )
    assert labels and labels[-1]["label"] == "1e+142", labels[-1]
    too_wide = [x for x in labels if 0.9 * x["width"] > x["room"]]
    assert not too_wide, too_wide


def test_a_layer_has_one_name_in_the_inspector_and_the_gradient_plot(page):
    """W0 feeds the first hidden layer in the inspector, the tour, the why panel and the API; the
    gradient-norm curves and their key use the same names (they said W1 for that layer)."""
    p = page.open("?preset=vanishing&step=3&sel=e:0:0:0")
    assert "W0[0][0]" in p.locator("#inspector h2").inner_text()
    p.wait_for_function("document.querySelector('#plot-grad').data?.length === 7")
    assert p.evaluate("document.querySelector('#plot-grad').data.map((t) => t.name)") == [
        f"W{l}" for l in range(7)
    ]
    assert p.locator(".layer-key").inner_text().split() == ["W0", "W6"]
    assert "W0 to W6" in p.locator(".layer-key").get_attribute("aria-label")


def test_the_compare_menu_offers_what_the_lesson_asks_to_compare_with(page):
    """sgd's text says "Compare with momentum, Adagrad and Adam": the menu offered only "SGD vs
    Adam" (and in the Adam lesson, Adam against Adam)."""
    p = page.open("?preset=sgd")
    p.click("#btn-compare")
    p.wait_for_selector("#compare-menu:not([hidden]) button")
    items = p.locator("#compare-menu button").all_inner_texts()
    assert items[:3] == [
        "with the lesson “Optimizer: momentum”",
        "with the lesson “Optimizer: Adagrad”",
        "with the lesson “Optimizer: Adam”",
    ], items
    p.locator("#compare-menu button").first.click()
    page.wait_idle()
    b = p.evaluate("window.__bpx.compare.overrides")
    assert b["optimizer"] == "momentum" and b["learning_rate"] == 0.1 and "b_optimizer=momentum" in p.url
    p = page.open("?preset=adam")
    p.click("#btn-compare")
    p.wait_for_selector("#compare-menu:not([hidden]) button")
    assert "SGD vs Adam" not in p.locator("#compare-menu").inner_text()
