"""A Step click is one round trip (issue #15): its answer carries what the visible panels
draw (app/extras.py), panels off screen ask nothing, and nothing is asked twice."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest

from tests.browser.clicks import Recorder, repeats

pytestmark = pytest.mark.browser

# The budget: requests per Step click in each lesson's default view at 1280×720.
BUDGET = {"xor": 2, "digits": 3}


@pytest.mark.parametrize("preset", BUDGET)
def test_a_step_click_is_one_round_trip(page, preset):
    recorder = Recorder(page.page, page.base)
    p = page.open(f"?preset={preset}")
    p.wait_for_function("window.Plotly", timeout=60_000)  # the plots draw from what the click brought
    for n, click in enumerate(recorder.step_clicks(3)):
        paths = [f"{r.method} {r.url}" for r in click]
        assert len(click) <= BUDGET[preset], (n, paths)
        assert not repeats(click), (n, paths)
        assert any(r.path.endswith("/step") for r in click), paths


def test_opening_a_run_asks_once_for_its_state_history_and_side_plots(page):
    """A page opening a run asks GET /state with the parts a Step's answer carries: not the
    history, the preview, the grid and the neuron check each on its own (5 requests, 100
    students loading at once: 500 more in the burst); and the plots draw from that answer.
    /meta's answer comes with the page: no request waits for it."""
    recorder = Recorder(page.page, page.base)
    p = page.open("?preset=xor")
    p.wait_for_function("window.Plotly", timeout=60_000)
    recorder.settle()
    api = [r for r in recorder.done if r.path.startswith("/api/")]
    paths = [f"{r.method} {r.path}" for r in api]
    assert sorted(paths) == [
        "GET /api/v1/runs/{id}/data",
        "GET /api/v1/runs/{id}/state",
        "POST /api/v1/runs",
    ], paths
    state = next(r for r in api if r.path.endswith("/state"))
    asked = parse_qs(urlsplit(state.url).query)
    assert set(asked["include"][0].split(",")) == {"history", "preview", "neurons", "grid"}
    assert not repeats(recorder.done)
    drawn = p.evaluate(
        """() => ({ history: window.__bpx.model.history.step.length,
                    preview: document.querySelector('#plot-preview .main-svg') !== null,
                    boundary: document.querySelector('#plot-boundary .main-svg') !== null })"""
    )
    assert drawn == {"history": 0, "preview": True, "boundary": True}


def test_a_panel_scrolled_into_view_asks_once_for_the_step_shown(page):
    recorder = Recorder(page.page, page.base)
    p = page.open("?preset=digits")
    recorder.step_clicks(2)  # the lab is below the fold: no gradients of an image, no confusion matrix
    recorder.done.clear()
    p.locator("#digit-lab").scroll_into_view_if_needed()
    p.wait_for_function("document.querySelector('#dl-acc').textContent.includes('step 2')", timeout=30_000)
    recorder.settle()
    asked = [r.path.rsplit("/", 1)[-1] for r in recorder.done]
    assert asked.count("example") == 1 and asked.count("confusion") == 1, asked
    assert not repeats(recorder.done)


# The grid a Step carries (colour levels) and POST /predict's float64 numbers at the same
# points, drawn by the page's own painters: the neuron maps (plots.js renderNeuronMaps), the
# pictures inside the nodes (nodepictures.js) and the boundary's values (a 0…1 colour scale).
COMPARE = """async ({ runId }) => {
  const F = await import('/static/js/frames.js');
  const P = await import('/static/js/plots.js');
  const N = await import('/static/js/nodepictures.js');
  const post = async (path, body) => (await fetch(`/api/v1/runs/${runId}/${path}`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
  const answer = await post('step?include=grid', { steps: 1 });
  const grid = answer.grid;
  const n = grid.xs.length;
  const exact = await post('predict', { x: grid.ys.flatMap((y) => grid.xs.map((x) => [x, y])), layers: true });
  const truth = { xs: grid.xs, ys: grid.ys, layers: exact.layers.map((acts) => ({ rows: acts[0].map((_, k) => acts.map((row) => row[k])) })) };
  // the exact numbers in the grid's own order, then the same picture-making as the page
  const exactGrid = { xs: grid.xs, ys: grid.ys, layers: truth.layers.map((l) => ({ exact: l.rows })) };
  const pictures = (g) => {
    const layers = g.layers.map((l) => l.exact ?? F.decodeArray(l));
    const maps = layers.map((neurons, l) => ({ layer: l, w: n, h: n,
      values: neurons.map((v) => Array.from({ length: n }, (_, r) => Array.from(v.slice((n - 1 - r) * n, (n - r) * n))).flat()) }));
    const out = layers.at(-1)[layers.at(-1).length > 1 ? layers.at(-1).length - 1 : 0];
    return { maps, z: Array.from(out) };
  };
  const [a, b] = [pictures(exactGrid), pictures(grid)];
  const compact = F.gridPictures(grid, a.maps.at(-1).values.length > 1 ? a.maps.at(-1).values.length - 1 : 0);
  const pixels = (maps) => { const el = document.createElement('div'); P.renderNeuronMaps(el, maps, () => '');
    return [...el.querySelectorAll('canvas')].map((c) => c.getContext('2d').getImageData(0, 0, c.width, c.height).data); };
  const worst = (xs, ys) => xs.reduce((m, x, k) => Math.max(m, ...Array.from(x, (v, q) => Math.abs(v - ys[k][q]))), 0);
  const colors = { pos: '#3b82f6', neg: '#ef4444', canvas: '#14161c' };
  const activations = window.__bpx.model.state.layers.map((layer) => layer.activation); // as the nodes draw them
  const node = (maps) => maps.map((m, l) => m.values.map((v) =>
    N.pictureCanvas(v, activations[l], n, n, colors).getContext('2d').getImageData(0, 0, n, n).data)).flat();
  return {
    layers: a.maps.length,
    sameAsPage: JSON.stringify(compact.maps) === JSON.stringify(b.maps),
    mapLevels: worst(pixels(a.maps), pixels(b.maps)),
    nodeLevels: worst(node(a.maps), node(b.maps)),
    boundaryLevels: Math.max(...a.z.map((v, k) => Math.abs(Math.round(255 * v) - Math.round(255 * b.z[k])))),
    exactRange: [Math.min(...a.z), Math.max(...a.z)],
  };
}"""


@pytest.mark.parametrize(
    "query", ["?preset=xor&step=1500", "?preset=dying_relu&step=40", "?preset=sgd&step=300"]
)
def test_the_steps_grid_draws_the_picture_of_the_exact_numbers(page, query):
    p = page.open(query)
    result = p.evaluate(COMPARE, {"runId": p.evaluate("window.__bpx.runId")})
    assert result["sameAsPage"]  # the test draws what the page draws
    assert result["layers"] >= 2
    assert result["exactRange"][1] - result["exactRange"][0] > 0.1  # a boundary, not a flat plane
    # each neuron map, node picture and boundary value at most one colour level from the exact one
    assert result["mapLevels"] <= 1, result
    assert result["nodeLevels"] <= 1, result
    assert result["boundaryLevels"] <= 1, result


def test_the_update_view_asks_for_the_update_applied_when_the_step_left_it_out(page, server):
    recorder = Recorder(page.page, page.base)
    p = page.open("?preset=digits&sample=mean")
    recorder.step_clicks(1)  # the gradients view: the Step's State carries no update applied
    recorder.done.clear()
    p.click("#view-mode button[data-view=applied]")
    p.wait_for_function("window.__bpx.model.state.layers[2].dW_applied !== undefined")
    recorder.settle()
    assert [r.path.rsplit("/", 1)[-1] for r in recorder.done] == ["state"]
    assert "dW_applied" in recorder.done[0].url
    run_id = p.evaluate("window.__bpx.runId")
    exact = httpx.get(f"{server.url}/api/v1/runs/{run_id}/state").json()["layers"][2]["dW_applied"]
    edges = [e for e in p.evaluate("window.__bpx.edges") if e["l"] == 2 and exact[e["i"]][e["j"]] != 0]
    assert edges and all(e["color"] == ("pos" if exact[e["i"]][e["j"]] > 0 else "neg") for e in edges)
    recorder.step_clicks(1)  # in the Update view the Step brings it itself
    assert len(recorder.done) == 1 and "dW_applied" in recorder.done[0].url


def test_a_jump_back_a_reset_and_a_pause_are_one_request_each(page):
    recorder = Recorder(page.page, page.base)
    p = page.open("?preset=xor")
    p.wait_for_function("window.Plotly", timeout=60_000)
    recorder.step_clicks(3)

    def one(action, done: str) -> None:
        recorder.done.clear()
        action()
        p.wait_for_function(done, timeout=20_000)
        recorder.settle()
        assert [f"{r.method} {r.path}" for r in recorder.done] == ["POST /api/v1/runs/{id}/pause"], (
            recorder.done
        )

    def jump_back():
        p.fill("#step-input", "1")
        p.press("#step-input", "Enter")

    one(jump_back, "window.__bpx.step === 1 && window.__bpx.model.history.step.length === 1")
    one(
        lambda: p.click("#btn-reset"),
        "window.__bpx.step === 0 && window.__bpx.model.history.step.length === 0",
    )
    p.click("#btn-play")
    p.wait_for_function("window.__bpx.step >= 5", timeout=20_000)
    one(lambda: p.click("#btn-play"), "!window.__bpx.model.playing")
    shown = p.evaluate("window.__bpx.step")
    assert (
        p.evaluate("window.__bpx.model.history.step.length") == shown
    )  # the history caught up in the same answer


# How far the first layer's matrices the page would draw whole (frames.js wholeMatrix: the weight
# pictures, the digit lab's maps) are from GET /state's float64 ones, in levels of 127 of each
# row's largest |value| (8 bits a value: at most half a level when whole).
WHOLE = """async ({ runId }) => {
  const { wholeMatrix } = await import('/static/js/frames.js');
  const exact = await (await fetch(`/api/v1/runs/${runId}/state?fields=step,layers.W,layers.dW`)).json();
  const st = window.__bpx.model.state;
  const off = (name) => Math.max(...exact.layers[0][name].map((row, i) => {
    const mine = wholeMatrix(st.layers[0][name])[i];
    const largest = Math.max(...row.map(Math.abs));
    return (127 * Math.max(...row.map((v, j) => Math.abs(mine[j] - v)))) / largest;
  }));
  return { step: exact.step, shown: st.step, W: off('W'), dW: off('dW') };
}"""


# The weight pictures on the page against the same pictures painted from GET /state's float64
# weights: the largest difference of a pixel's channel, in levels of 255.
PICTURES = """async ({ runId }) => {
  const P = await import('/static/js/plots.js');
  const exact = await (await fetch(`/api/v1/runs/${runId}/state?fields=layers.W`)).json();
  const el = document.createElement('div');
  document.body.append(el);
  P.renderNeuronMaps(el, [{ layer: 0, w: 28, h: 28, values: exact.layers[0].W }], () => '');
  const pixels = (root) => [...root.querySelectorAll('canvas')].map((c) => c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
  const [mine, theirs] = [pixels(document.querySelector('#plot-neurons')), pixels(el)];
  el.remove();
  if (mine.length !== theirs.length || !mine.length) return 255;
  return Math.max(...mine.map((m, k) => m.reduce((worst, v, q) => Math.max(worst, Math.abs(v - theirs[k][q])), 0)));
}"""


def edges_only(request) -> list[str]:
    return parse_qs(urlsplit(request.url).query).get("edges_only", [""])[0].split(",")


def test_the_first_layers_matrices_come_whole_only_while_a_view_on_screen_draws_them(page):
    """A digit Step brings the weights whole for the pictures beside the network and the
    gradients only as the edges the network draws; the digit lab, scrolled into view, asks once
    for the State with both whole, and the Steps after bring them whole while it is on screen."""
    recorder = Recorder(page.page, page.base)
    p = page.open("?preset=digits")
    p.wait_for_function("window.Plotly", timeout=60_000)
    run_id = p.evaluate("window.__bpx.runId")
    for click in recorder.step_clicks(2):
        assert len(click) == 1 and edges_only(click[0]) == ["layers.dW"], [r.url for r in click]
    drawn = p.evaluate(WHOLE, {"runId": run_id})
    assert drawn["step"] == drawn["shown"] == 2 and drawn["W"] <= 0.51, drawn
    assert drawn["dW"] > 1, drawn  # only each row's top: the lab, off screen, draws none of it
    assert p.evaluate(PICTURES, {"runId": run_id}) <= 2  # the pictures beside the network
    recorder.done.clear()
    p.locator("#digit-lab").scroll_into_view_if_needed()
    p.wait_for_function("document.querySelector('#dl-acc').textContent.includes('step 2')", timeout=30_000)
    recorder.settle()
    states = [r for r in recorder.done if r.path.endswith("/state") and "format=compact" in r.url]
    assert len(states) == 1 and edges_only(states[0]) == [""], [r.url for r in recorder.done]
    drawn = p.evaluate(WHOLE, {"runId": run_id})
    assert drawn["W"] <= 0.51 and drawn["dW"] <= 0.51, drawn
    (click,) = recorder.step_clicks(1)
    assert [r.path.rsplit("/", 1)[-1] for r in click].count("step") == 1
    assert edges_only(next(r for r in click if r.path.endswith("/step"))) == [""]
    drawn = p.evaluate(WHOLE, {"runId": run_id})
    assert drawn["step"] == drawn["shown"] == 3 and drawn["W"] <= 0.51 and drawn["dW"] <= 0.51, drawn


def test_on_a_phone_the_weight_pictures_come_whole_when_scrolled_to(make_page):
    page = make_page(390, 844)
    recorder = Recorder(page.page, page.base)
    p = page.open("?preset=digits")
    p.wait_for_function("window.Plotly", timeout=60_000)
    run_id = p.evaluate("window.__bpx.runId")
    (click,) = recorder.step_clicks(1)
    assert len(click) == 1 and sorted(edges_only(click[0])) == ["layers.W", "layers.dW"], [
        r.url for r in click
    ]
    recorder.done.clear()
    p.locator("#plot-neurons").scroll_into_view_if_needed()
    p.wait_for_function("window.__bpx.model.run.hasWhole('layers.W')", timeout=30_000)
    recorder.settle()
    refreshed = [r for r in recorder.done if r.path.endswith("/state") and "layers.W" in unquote(r.url)]
    assert len(refreshed) == 1 and edges_only(refreshed[0]) == ["layers.dW"], [r.url for r in recorder.done]
    drawn = p.evaluate(WHOLE, {"runId": run_id})
    assert drawn["step"] == drawn["shown"] == 1 and drawn["W"] <= 0.51, drawn
    assert p.evaluate(PICTURES, {"runId": run_id}) <= 2  # and they are drawn again from it


def test_compare_mode_asks_for_run_b_as_the_page_asks_for_its_own(page, server):
    """On the digit net, run B's Step is as lean as A's (packed, the sample shown, the image
    layer's matrices as the edges drawn; it was the whole float64 State, ~1 MB a step), and B's
    network is drawn from numbers that are B's float64 State's at that step."""
    recorder = Recorder(page.page, page.base)
    p = page.open("?preset=digits&b_optimizer=adam&b_lr=0.01")
    p.wait_for_function("window.Plotly", timeout=60_000)
    run_b = p.evaluate("window.__bpx.compare.runId")
    for click in recorder.step_clicks(2):
        steps_b = [r for r in click if r.path.endswith("/step") and run_b in r.url]
        assert len(steps_b) == 1, [r.url for r in click]
        query = parse_qs(urlsplit(steps_b[0].url).query)
        assert query["format"] == ["compact"] and query["sample"] == ["0"], query
        assert "layers.dW" in edges_only(steps_b[0]), query
        assert steps_b[0].sent < 60_000, steps_b[0].sent
    exact = httpx.get(f"{server.url}/api/v1/runs/{run_b}/state").json()
    assert exact["step"] == 2
    # B draws the sample the page shows: another sample asks for B's State again, once
    for sample in ("0", "7"):
        if sample != "0":
            p.locator("#sample").select_option(sample)
            page.wait_idle()
        shown = p.evaluate(SHOWN_B, int(sample))
        assert shown["step"] == 2 and shown["drawn"] == sample, shown
        for name in ("a", "delta"):  # packed as float32: within float32's rounding of the float64 numbers
            assert shown[name] == pytest.approx(exact["layers"][1][name][int(sample)], rel=1e-6, abs=1e-30)


# Run B's State as its network view holds it: the step, the sample drawn and that sample's rows.
SHOWN_B = """(k) => {
  const compare = window.__bpx.compare, l = compare.state.layers[1];
  return { step: compare.state.step, drawn: compare.view.opts.sample, a: Array.from(l.a[k]), delta: Array.from(l.delta[k]) };
}"""
