"""Every number on screen is the server's number, shown as what it is (issue #13)."""

from __future__ import annotations

import httpx
import pytest

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
