"""Compact frames draw the same network as the float64 State (app/frames.py, static/js/frames.js)."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.browser

# Encode the same State twice for the painter — from GET /state (float64 JSON) and from a compact
# one: GET /state?format=compact (8-bit image weights, float32, byte pixels) or the last of three
# played frames (the stream's format=compact: half floats, the image layer's rows' top put into
# the first frame's whole matrices, pixels as rows sent once) — and compare what is painted: the same edges and arrows, each edge's colour (its alpha over the canvas, per channel,
# in levels of 255) and width, each neuron's fill and each input pixel's grey level. Canvas
# pixels themselves are not compared: Skia draws a 0.999 px line and a 1.001 px line differently.
COMPARE = """async ({ runId, views, played, sample = null, sampled = false }) => {
  const E = await import('/static/js/encode.js');
  const L = await import('/static/js/layout.js');
  const S = await import('/static/js/store.js');
  S.model.meta ??= await (await fetch('/api/v1/meta')).json(); // the phases are the server's
  const { revealed } = S;
  const { decodeFrame } = await import('/static/js/frames.js');
  const get = async (query) => (await fetch(`/api/v1/runs/${runId}/state${query}`)).json();
  const fields = 'step,loss,batch,layers.activation,layers.a,layers.delta,layers.W,layers.dW,layers.dW_applied';
  const stream = () => new Promise((done, fail) => { // the run stops at the last frame's step
    const source = new EventSource(`/api/v1/runs/${runId}/stream?format=compact&rate=40&max_frames=3&fields=${fields}`
      + (sample === null ? '' : `&sample=${sample}`));
    const frames = [];
    source.addEventListener('state', (e) => frames.push(JSON.parse(e.data)));
    source.addEventListener('end', () => { source.close(); done(frames); });
    source.onerror = () => { source.close(); fail(new Error('stream')); };
  });
  let packed;
  let partial = false;
  if (played) {
    const frames = await stream();
    const rows = new Map();
    for (const frame of frames) packed = decodeFrame(frame, packed, rows);
    partial = frames.at(-1).layers[0].W.dtype === 'top' && ['f16', 'row', 'mean'].includes(frames.at(-1).layers[1].a.dtype);
  } else {
    packed = decodeFrame(await get('?format=compact'));
  }
  const states = [await get(''), packed];
  if (states[0].step !== packed.step) throw new Error(`steps ${states[0].step} and ${packed.step}`);
  const colour = { pos: [59, 130, 246], neg: [239, 68, 68], none: [128, 128, 128] };
  const level = (c, alpha) => c.map((v) => Math.round(alpha * v + (1 - alpha) * 20));
  const out = {};
  for (const opts of views) {
    // `sampled`: the State a Step click brings, only the sample the view draws (app/sampled.py)
    if (sampled) states[1] = decodeFrame(await get(`?format=compact&sample=${opts.sample}`));
    const drawn = states.map((state) => {
      const scene = { state, inputShape: [28, 28], probe: null,
                      opts: { scale: 'layer', phase: '', sel: '', highlight: null, ...opts } };
      const columns = L.layoutColumns(L.columnSizes(state.layers), [28, 28], 900, 500);
      const show = revealed(state.layers.length, '');
      return { edges: E.encodeEdges(scene, columns, show), nodes: E.encodeNodes(scene, columns, show) };
    });
    const [a, b] = drawn;
    const diff = { edges: a.edges.length, sameEdges: true, colourLevels: 0, width: 0, fillLevels: 0, pixelLevels: 0 };
    a.edges.forEach((e, k) => {
      const f = b.edges[k];
      if (!f || e.l !== f.l || e.i !== f.i || e.j !== f.j || e.color !== f.color || e.arrow?.dir !== f.arrow?.dir) {
        diff.sameEdges = false;
        return;
      }
      const [ce, cf] = [level(colour[e.color], e.alpha), level(colour[f.color], f.alpha)];
      diff.colourLevels = Math.max(diff.colourLevels, ...ce.map((v, c) => Math.abs(v - cf[c])));
      diff.width = Math.max(diff.width, Math.abs(e.width - f.width));
    });
    a.nodes.forEach((n, k) => {
      const m = b.nodes[k];
      if (n.image) {
        n.pixels.forEach((p, q) => {
          diff.pixelLevels = Math.max(diff.pixelLevels, Math.abs(Math.round(255 * p) - Math.round(255 * m.pixels[q])));
        });
      } else {
        diff.fillLevels = Math.max(diff.fillLevels, Math.abs(Math.round(255 * n.fill) - Math.round(255 * m.fill)));
      }
    });
    diff.packed = states[1].approx === true;
    diff.partial = partial;
    out[`${opts.view}/${opts.sample}`] = diff;
  }
  return out;
}"""


VIEWS = [
    {"view": "gradients", "sample": "0"},
    {"view": "gradients", "sample": "mean"},
    {"view": "weights", "sample": "mean"},
    {"view": "applied", "sample": "3"},
]


def check_same_picture(result: dict) -> None:
    for name, diff in result.items():
        assert diff["packed"] and diff["edges"] > 96, name
        assert diff["sameEdges"], name  # the same edges, colours and arrows
        assert diff["colourLevels"] <= 1 and diff["fillLevels"] <= 1 and diff["pixelLevels"] <= 1, (
            name,
            diff,
        )
        assert diff["width"] < 0.05, (name, diff)  # px


def test_a_compact_frame_draws_the_picture_of_the_full_state(page, server):
    p = page.open("?preset=digits&step=20")
    run_id = p.evaluate("window.__bpx.runId")
    full = httpx.get(f"{server.url}/api/v1/runs/{run_id}/state").content
    packed = httpx.get(f"{server.url}/api/v1/runs/{run_id}/state?format=compact").content
    assert len(packed) * 5 < len(full)
    check_same_picture(p.evaluate(COMPARE, {"runId": run_id, "views": VIEWS, "played": False}))


def test_one_samples_rows_draw_the_picture_of_the_full_state(page, server):
    """A big net's State at rest carries one sample's z, a, ∂ℓ/∂a, δ and pixels, or their mean
    (app/sampled.py): the network drawn from it is the float64 State's."""
    p = page.open("?preset=digits&step=20")
    run_id = p.evaluate("window.__bpx.runId")
    views = [*VIEWS, {"view": "gradients", "sample": "31"}, {"view": "weights", "sample": "7"}]
    check_same_picture(
        p.evaluate(COMPARE, {"runId": run_id, "views": views, "played": False, "sampled": True})
    )


def test_a_played_frame_draws_the_picture_of_the_full_state(page, server):
    p = page.open("?preset=digits&step=20")
    run_id = p.evaluate("window.__bpx.runId")
    for _ in range(3):  # a frame is whole every half second (app/frames.py): a busy machine may send two
        result = p.evaluate(COMPARE, {"runId": run_id, "views": VIEWS, "played": True})
        if all(diff["partial"] for diff in result.values()):
            break
    assert all(diff["partial"] for diff in result.values()), "no played frame with only the rows' top"
    check_same_picture(result)


@pytest.mark.parametrize("sample", ["5", "mean"])
def test_a_frame_played_for_one_sample_draws_that_samples_picture(page, server, sample):
    """A stream with `sample=` sends, of the per-sample arrays, that row or the batch mean
    (app/sampled.py): every view of that sample is drawn as from the float64 State."""
    p = page.open("?preset=digits&step=20")
    run_id = p.evaluate("window.__bpx.runId")
    views = [{"view": view, "sample": sample} for view in ("gradients", "weights", "applied")]
    for _ in range(3):
        result = p.evaluate(COMPARE, {"runId": run_id, "views": views, "played": True, "sample": sample})
        if all(diff["partial"] for diff in result.values()):
            break
    assert all(diff["partial"] for diff in result.values()), "no played frame with only the rows' top"
    check_same_picture(result)


def played_then_paused(page, query: str):
    """The page at `query`, played past step 5 and paused: (the page, its run id)."""
    p = page.open(query)
    p.click("#btn-play")
    p.wait_for_function("window.__bpx.step >= 5", timeout=20_000)
    p.click("#btn-play")
    page.wait_idle()
    return p, p.evaluate("window.__bpx.runId")


def test_after_playing_the_inspector_shows_the_exact_numbers(page, server):
    """Played frames carry half floats (4-significant-digit cells would differ); once paused,
    the inspector's z, a, ∂ℓ/∂a and δ are the float64 State's, as the REST API gives them."""
    p, run_id = played_then_paused(page, "?preset=digits&view=gradients&sample=mean&sel=n:1:3")
    exact = httpx.get(f"{server.url}/api/v1/runs/{run_id}/state").json()
    assert exact["step"] == p.evaluate("window.__bpx.step")
    layer = exact["layers"][0]
    want = p.evaluate(
        """async (layer) => {
          const { fmt } = await import('/static/js/store.js');
          return layer.z.map((z, s) => [z[3], layer.a[s][3], layer.dL_da[s][3], layer.delta[s][3]].map((v) => fmt.num(v, 4)));
        }""",
        layer,
    )
    p.wait_for_function("document.querySelectorAll('#inspector tbody tr').length === 32")
    rows = [r.split("\t")[1:] for r in p.locator("#inspector tbody tr").all_inner_texts()]
    assert rows == want


def test_after_playing_an_edges_chain_rule_is_the_step_shown(page, server):
    p, run_id = played_then_paused(page, "?preset=digits&view=gradients&sample=mean&sel=e:1:2:3")
    chain = httpx.get(f"{server.url}/api/v1/runs/{run_id}/chain", params={"layer": 1, "i": 2, "j": 3}).json()
    assert chain["step"] == p.evaluate("window.__bpx.step")
    want = p.evaluate("async (v) => (await import('/static/js/store.js')).fmt.num(v, 6)", chain["dW"])
    p.wait_for_function(f"document.querySelector('#inspector').innerText.includes('{want}')", timeout=10_000)
