"""Each lesson's text says what its run does: its claims, checked on the numbers.

The texts are static/i18n/en.json `lesson.<name>.watch` (the same story in every language).
Lessons whose claims are checked in test_presets.py are named in CHECKED_ELSEWHERE; every
other lesson has a test here, and a new lesson without one fails
test_every_lesson_has_its_claims_checked.
"""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pytest

from engine.config import RunConfig
from engine.gradcheck import numeric_partial
from engine.presets import PRESETS, resolve
from engine.state import State
from engine.trainer import Run
from tests.support import ROOT

TEXTS = json.loads((ROOT / "static" / "i18n" / "en.json").read_text())

CHECKED_ELSEWHERE = {  # lesson -> the test of test_presets.py (or its own file) that checks it
    "init_zero": "test_zero_init_keeps_hidden_neurons_identical",
    "init_large": "test_large_initialisation_learns_worse_than_xavier",
    "init_xavier": "test_large_initialisation_learns_worse_than_xavier",
    "batchnorm": "test_batch_norm_carries_the_gradient_through_the_deep_sigmoid_net",
    "vanishing_relu": "test_vanishing_gradients_vanish_with_sigmoid_not_relu",
    "squared_error": "test_cross_entropy_corrects_a_confident_start_faster_than_squared_error",
    "cross_entropy": "test_cross_entropy_corrects_a_confident_start_faster_than_squared_error",
    "dying_relu": "test_health.py test_the_lessons_large_learning_rate_kills_relus_and_leaky_relu_keeps_them_learning",
}


def watch(name: str) -> str:
    return TEXTS[f"lesson.{name}.watch"]


@cache
def history(name: str, steps: int) -> tuple[list[float], dict[int, dict], dict[int, State]]:
    """Batch losses of the first `steps` updates, and evaluations and states at a few marks."""
    run = Run(resolve({"preset": name}))
    marks = sorted({0, 10, 100, 300, 1000, 3000, steps} & set(range(steps + 1)))
    evals, states = {}, {}
    for m in marks:
        run.advance(m - run.step)
        evals[m], states[m] = run.evaluate(), run.state()
    return list(run.history.loss), evals, states


def train_loss(name: str, step: int) -> float:
    return history(name, PRESETS[name].steps)[1][step]["train_loss"]


def test_every_lesson_has_its_claims_checked():
    here = {n.removeprefix("test_").split("__")[0] for n in globals() if n.startswith("test_")}
    missing = set(PRESETS) - here - set(CHECKED_ELSEWHERE)
    assert not missing, f"lessons whose text no test checks: {sorted(missing)}"


def test_xor__the_loss_sits_on_a_plateau_then_falls():
    assert "plateau" in watch("xor")
    losses = history("xor", 3000)[0]
    assert max(losses[100:300]) - min(losses[100:300]) < 0.002  # flat for hundreds of steps
    assert min(losses[100:300]) > 0.12 > 0.01 > train_loss("xor", 3000)


def test_chain__three_factors_and_finite_differences_agree():
    state = history("chain", PRESETS["chain"].steps)[2][0]
    hidden, out = state.layers
    a_prev, a, y = hidden.a[0, 0], out.a[0, 0], state.batch["y"][0, 0]
    sigma_prime = a * (1 - a)
    assert out.dW[0, 0] == pytest.approx(a_prev * sigma_prime * 2 * (a - y), rel=1e-12)
    numeric = numeric_partial(Run(resolve({"preset": "chain"})), "W1", (0, 0))
    assert numeric == pytest.approx(out.dW[0, 0], rel=1e-7)  # "agrees to many digits"


def test_digits__the_image_wants_its_own_output_up_and_the_others_down():
    state = history("digits", 10)[2][0]
    out = state.layers[-1]
    for s, target in enumerate(state.batch["y"]):
        k = int(np.argmax(target))
        nudge = -out.delta[s]
        assert nudge[k] > 0 and (np.delete(nudge, k) < 0).all()


def test_digits_sse__squared_error_learns_the_digits_slower_than_cross_entropy():
    assert "learning speed" in watch("digits_sse")
    sse = history("digits_sse", 300)[1][300]["train_accuracy"]
    ce = history("digits", 300)[1][300]["train_accuracy"]
    assert sse < ce


def test_vanishing__the_first_layer_gets_ten_thousand_times_less_gradient_and_the_loss_stalls():
    assert "10,000 times smaller" in watch("vanishing") and "0.69" in watch("vanishing")
    norms = [layer.grad_norm for layer in history("vanishing", 2000)[2][0].layers]
    assert all(a < b for a, b in zip(norms, norms[1:], strict=False))  # shrinks toward the input
    assert 3e3 < norms[-1] / norms[0] < 3e4
    assert abs(train_loss("vanishing", 2000) - np.log(2)) < 0.01
    assert PRESETS["vanishing"].view["scale"] == "global"  # the view that shows it


def test_exploding__the_first_layer_gets_the_most_gradient_and_the_run_diverges():
    text = watch("exploding")
    assert "about 120" in text and "about 18" in text and "NaN before step 300" in text
    losses, _, states = history("exploding", 300)
    norms = [layer.grad_norm for layer in states[0].layers]
    assert max(norms) == norms[0] and round(norms[0], -1) == 120 and round(norms[-1]) == 18
    assert losses[10] > 1e6
    run = Run(resolve({"preset": "exploding"}))
    run.advance(300)
    assert run.diverged and run.diverged_at is not None and run.diverged_at < 300


def test_clipping__clipped_from_the_first_step_and_the_loss_falls_below_0_3():
    assert "from about 52 to below 0.3 within 300 steps" in watch("clipping")
    _, evals, states = history("clipping", 300)
    assert states[0].clipped and states[0].grad_norm > 1
    assert round(evals[0]["train_loss"]) == 52 and evals[300]["train_loss"] < 0.3
    assert np.isfinite(states[300].loss)


def test_lr_low__the_loss_creeps_down():
    assert train_loss("lr_good", 1000) < 0.3 < train_loss("lr_low", 1000) < train_loss("lr_low", 0)


def test_lr_good__the_loss_keeps_falling():
    losses = [train_loss("lr_good", m) for m in (0, 10, 100, 300, 1000)]
    assert losses == sorted(losses, reverse=True)


def test_lr_high__the_loss_jumps_and_ends_higher_than_it_started():
    assert "about 10 a step, where they start below 1, and within three steps" in watch("lr_high")
    assert (
        PRESETS["lr_high"].view["scale"] == "global"
    )  # the layers' steps on one scale, as the text compares them
    run = Run(resolve({"preset": "lr_high"}))
    assert np.abs(run.state().layers[1].W).max() < 1
    moves, saturated = [], []
    for _ in range(300):
        st = run.state()
        moves.append([np.abs(layer.dW_applied).max() for layer in st.layers])
        saturated.append(np.mean(np.abs(st.layers[0].a) > 0.99))
        run.advance(1)
    hidden, output = np.array(moves[3:]).T
    assert 9 < np.median(output) < 11 and np.median(hidden) < 0.01
    assert saturated[2] < 0.9 < 0.99 < min(saturated[3:10])
    losses = history("lr_high", 300)[0]
    rises = sum(b > a for a, b in zip(losses, losses[1:], strict=False))
    assert 0.2 * len(losses) < rises < 0.8 * len(losses)  # up and down, not down
    assert train_loss("lr_high", 300) > 10 * train_loss("lr_high", 0)


def test_lr_decay__eta_halves_every_100_steps_and_the_steps_settle():
    states = history("lr_decay", 1000)[2]
    assert states[300].lr == 3.0 * 0.5**3 and states[1000].lr == 3.0 * 0.5**10
    assert train_loss("lr_decay", 1000) < train_loss("lr_good", 1000)


def test_sgd__the_update_is_minus_eta_times_the_arrow_and_it_stalls_longest():
    text = watch("sgd")
    assert "about 0.67" in text and "after about 5000 steps (about 0.15 at step 8000)" in text
    state = history("sgd", 8000)[2][100]
    for layer in state.layers:
        np.testing.assert_allclose(layer.dW_applied, -0.3 * layer.dW, rtol=1e-12, atol=1e-18)
    assert 0.66 < train_loss("sgd", 3000) < 0.68
    # played at its speed, a student sees it break away: the plateau ends after 4000 steps
    losses = history("sgd", 8000)[0]
    assert np.mean(losses[3500:4000]) > 0.65 > 0.6 > np.mean(losses[5500:6000])
    assert 0.14 < train_loss("sgd", 8000) < 0.16


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a.ravel() @ b.ravel() / np.linalg.norm(a) / np.linalg.norm(b))


def test_momentum__the_step_is_not_parallel_to_the_arrow_and_it_breaks_away_late():
    text = watch("momentum")
    assert "plateau for about two thousand steps" in text and "about 0.21 at step 3000" in text
    state = history("momentum", 3000)[2][100]
    assert cosine(state.layers[0].dW_applied, -state.layers[0].dW) < 0.9
    assert train_loss("momentum", 1000) > 0.6 > 0.22 > train_loss("momentum", 3000) > 0.2
    # still on the plateau at 1900 steps, off it by 2500 (the text said "about a thousand")
    run = Run(resolve({"preset": "momentum"}))
    run.advance(1900)
    assert run.evaluate()["train_loss"] > 0.6
    run.advance(600)
    assert run.evaluate()["train_loss"] < 0.6


def test_adagrad__step_sizes_shrink_yet_it_is_the_fastest_of_the_four():
    text = watch("adagrad")
    assert "fastest" in text and "about 0.18 at step 1000 and 0.07 at step 3000" in text
    assert "freezes" not in text  # what the old text said; the run does not
    states = history("adagrad", 3000)[2]

    def step_sizes(state: State) -> np.ndarray:  # η/√(Σg²) of each weight: |Δw| / |∂L/∂w|
        return np.concatenate([np.abs(ly.dW_applied / ly.dW).ravel() for ly in state.layers])

    assert (step_sizes(states[1000]) < step_sizes(states[100])).all()
    at_1000 = {n: train_loss(n, 1000) for n in ("sgd", "momentum", "adagrad", "adam")}
    assert min(at_1000, key=at_1000.get) == "adagrad" and round(at_1000["adagrad"], 2) == 0.18
    at_3000 = {n: train_loss(n, 3000) for n in ("sgd", "momentum", "adagrad", "adam")}
    assert min(at_3000, key=at_3000.get) == "adagrad" and round(at_3000["adagrad"], 2) == 0.07


def test_adam__every_weight_moves_about_eta_whatever_its_gradient():
    assert "about 0.18 at step 3000" in watch("adam")
    states = history("adam", 3000)[2]
    first = np.concatenate([ly.dW_applied.ravel() for ly in states[0].layers])
    grads = np.concatenate([ly.dW.ravel() for ly in states[0].layers])
    np.testing.assert_allclose(first, -0.01 * np.sign(grads), rtol=1e-2)  # η·g/(|g| + ε)
    assert np.ptp(np.log10(np.abs(grads[grads != 0]))) > 2  # gradients over 2+ decades, steps alike
    for m in (100, 1000, 3000):
        assert max(np.abs(ly.dW_applied).max() for ly in states[m].layers) < 0.02
    assert train_loss("adam", 1000) > 0.6 > 0.19 > train_loss("adam", 3000) > 0.17


def rising_share(losses: list[float]) -> float:
    return sum(b > a for a, b in zip(losses, losses[1:], strict=False)) / (len(losses) - 1)


def test_minibatch__ten_of_160_rows_a_noisy_curve_sixteen_steps_per_pass():
    assert "almost half" in watch("minibatch") and "sixteen" in watch("minibatch")
    run = Run(resolve({"preset": "minibatch"}))
    assert run.batch_size == 10 and len(run.dataset.x_train) == 160 and run.batches_per_epoch == 16
    assert 0.4 < rising_share(history("minibatch", 1000)[0]) < 0.5  # "almost half"


def test_fullbatch__the_true_gradient_and_a_curve_that_almost_never_rises():
    run = Run(resolve({"preset": "fullbatch"}))
    assert run.batch_size == len(run.dataset.x_train) == 160
    assert rising_share(history("fullbatch", 1000)[0]) < 0.05


def test_the_default_settings_are_a_network_that_learns():
    """Custom settings start from the defaults: they learn their data (XOR), not sit at 50%."""
    run = Run(RunConfig())
    run.advance(1000)
    result = run.evaluate()
    assert result["train_accuracy"] == 1.0 and result["train_loss"] < 0.01
