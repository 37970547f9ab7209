"""One example's gradient equals the engine's per-sample δ·aᵀ, and the zoom-out adds up."""

from __future__ import annotations

import numpy as np
import pytest

from engine.config import ConfigError, RunConfig
from engine.nudges import cosine, one_example
from engine.trainer import Run


@pytest.fixture(scope="module")
def run() -> Run:
    config = RunConfig.from_dict(
        {
            "dataset": "custom",
            "data": {
                "x": [[i / 7, (i * 3 % 7) / 7, (i % 2)] for i in range(7)],
                "y": [[1.0 if i % 3 == k else 0.0 for k in range(3)] for i in range(7)],
            },
            "hidden": [4],
            "output_activation": "sigmoid",
            "loss": "sse",
            "seed": 2,
        }
    )
    return Run(config)


def test_one_example_gradient_is_its_row_of_the_batch(run):
    state = run.state()  # full batch, data order: batch row s is training row s
    for row in (0, 4):
        ex = one_example(run, row)
        for l, layer in enumerate(state.layers):
            a_prev = state.batch["x"] if l == 0 else state.layers[l - 1].a
            np.testing.assert_allclose(
                ex["grads"][f"W{l}"], np.outer(layer.delta[row], a_prev[row]), rtol=1e-13
            )


def test_nudges_sum_to_minus_dC_da(run):
    ex = one_example(run, 3)
    out = ex["output"]
    np.testing.assert_allclose(ex["output_nudges"], -2 * (out - ex["y"]), rtol=1e-14)  # sse
    assert ex["output_nudges"][int(np.argmax(ex["y"]))] > 0  # the true class is pulled up
    for ask in ex["asks"]:
        np.testing.assert_allclose(ask["wants"].sum(axis=0), ask["sum"], rtol=1e-12, atol=1e-15)


def test_batch_mean_of_examples_is_the_full_gradient(run):
    examples = [one_example(run, r)["gradient"] for r in range(7)]
    full = one_example(run, 0)["full_gradient"]
    np.testing.assert_allclose(np.mean(examples, axis=0), full, rtol=1e-12, atol=1e-15)
    assert one_example(run, 0)["cosine"]["batch_full"] == pytest.approx(1.0)  # full batch here


def test_cosine_and_bad_row():
    assert cosine(np.array([1.0, 0.0]), np.array([0.0, 2.0])) == 0.0
    assert cosine(np.array([0.0, 0.0]), np.array([1.0, 0.0])) is None
    with pytest.raises(ConfigError):
        one_example(Run(RunConfig()), 10**6)


def test_confusion_matrix_counts_every_test_row():
    from engine.evaluation import confusion
    from engine.presets import resolve

    run = Run(resolve({"preset": "digits", "n_samples": 600}))
    before = confusion(run)
    assert before["matrix"].sum() == len(run.dataset.x_test) == 120
    assert before["accuracy"] == np.trace(before["matrix"]) / 120
    run.advance(400)
    after = confusion(run)
    assert after["accuracy"] > 0.5 > 0.1 + before["accuracy"]  # well above chance (10%) within 400 steps
    for true_class, rows in after["wrong"].items():
        for item in rows:
            assert run.dataset.labels(run.dataset.y_test[[item["row"]]])[0] == true_class != item["predicted"]
