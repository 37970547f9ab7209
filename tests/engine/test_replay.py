"""Runs are exact: the state at step t is the same bits however it is reached."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.config import RunConfig
from engine.network import Network
from engine.phases import phases
from engine.presets import resolve
from engine.trainer import Run

from .helpers import xor


def assert_same_state(a, b):
    da, db = a.to_dict(), b.to_dict()
    assert da.keys() == db.keys()
    for key in ("step", "epoch", "lr", "loss", "penalty", "diverged", "grad_norm", "clipped"):
        assert da[key] == db[key], key
    np.testing.assert_array_equal(da["batch"]["index"], db["batch"]["index"])
    for la, lb in zip(a.layers, b.layers, strict=True):
        for name in ("W", "b", "z", "a", "delta", "dW", "db", "dW_applied", "db_applied"):
            np.testing.assert_array_equal(getattr(la, name), getattr(lb, name), err_msg=name)


def minibatch_config(**extra) -> RunConfig:
    return RunConfig.from_dict(
        {
            "dataset": "custom",
            "data": {
                "x": [[i / 10, (i * 7 % 10) / 10] for i in range(10)],
                "y": [[i % 2] for i in range(10)],
            },
            "hidden": [3],
            "batch_size": 3,
            "optimizer": "adam",
            "learning_rate": 0.05,
            "batch_norm": True,
            **extra,
        }
    )


def test_step_by_step_equals_all_at_once_equals_checkpoint():
    config = minibatch_config()
    one = Run(config)
    for _ in range(23):
        one.advance(1)
    many = Run(config)
    many.advance(23)
    assert_same_state(one.state(), many.state())
    early = Run(config)
    early.advance(9)
    checkpoint = early.checkpoint()
    early.advance(100)  # moving on must not disturb the checkpoint
    resumed = Run.restore(config, checkpoint)
    resumed.advance(14)
    assert_same_state(resumed.state(), many.state())
    assert resumed.history.loss == many.history.loss


@pytest.mark.parametrize("preset", ["xor", "batchnorm", "adam", "digits"])
def test_catching_up_with_another_run_of_the_config_is_stepping_there(preset):
    """A run taking another run's later checkpoint (of the same config) is, bit for bit, the
    run stepped there: parameters, optimizer slots, batch-norm statistics, the history with its
    evaluations, the next State; and it steps on as the stepped one does. The other run moving
    on, and this one stepping after, leave the checkpoint and each other alone."""
    config = resolve({"preset": preset})
    stepped, ahead, behind = Run(config), Run(config), Run(config)
    stepped.advance(57)
    behind.advance(12)
    ahead.advance(57)
    checkpoint = ahead.checkpoint()
    ahead.advance(31)  # its history grows past the checkpoint's records
    behind.catch_up(checkpoint)
    assert behind.checkpoint_bytes() == stepped.checkpoint_bytes()
    assert behind.history.to_dict() == stepped.history.to_dict()
    assert_same_state(behind.state(), stepped.state())
    behind.advance(31)
    stepped.advance(31)
    assert behind.checkpoint_bytes() == stepped.checkpoint_bytes() == ahead.checkpoint_bytes()
    assert behind.history.to_dict() == stepped.history.to_dict() == ahead.history.to_dict()
    with pytest.raises(ValueError, match="behind"):
        behind.catch_up(checkpoint)  # never backwards: that is resume()'s work


def test_a_network_copy_is_its_own_both_ways():
    """A copy shares what never changes (the layout) and nothing that does: parameters, their
    named views, batch-norm running statistics."""
    run = Run(minibatch_config())
    run.advance(3)
    net = run.net
    twin = net.copy()
    before = {name: v.copy() for name, v in net.params.items()}
    running = {name: v.copy() for name, v in net.running.items()}
    assert running  # the config has batch norm: running statistics to keep apart
    twin.apply(np.full(twin.n_params, 0.5))
    twin.running = {name: v + 1.0 for name, v in twin.running.items()}
    for name, v in net.params.items():
        np.testing.assert_array_equal(v, before[name], err_msg=name)
        np.testing.assert_array_equal(twin.params[name], before[name] + 0.5, err_msg=name)
    for name, v in net.running.items():
        np.testing.assert_array_equal(v, running[name], err_msg=name)
    net.apply(np.full(net.n_params, -0.25))
    np.testing.assert_array_equal(twin.params["W0"], before["W0"] + 0.5)
    # and it computes as a network laid out anew from its parameters
    x = run.dataset.x_train[:5]
    anew = Network(twin.specs, twin.loss_name, twin.params)
    np.testing.assert_array_equal(twin.forward(x)[-1].a, anew.forward(x)[-1].a)


def test_looking_does_not_change_the_run():
    config = minibatch_config()
    watched, unwatched = Run(config), Run(config)
    for _ in range(7):
        watched.state()
        watched.advance(1)
    unwatched.advance(7)
    assert_same_state(watched.state(), unwatched.state())


def test_a_state_is_a_snapshot_that_later_steps_leave_alone():
    run = Run(minibatch_config())
    run.advance(4)
    state = run.state()
    kept = {name: getattr(state.layers[0], name).copy() for name in ("W", "b", "dW", "dW_applied")}
    kept["gamma"] = state.layers[0].bn["gamma"].copy()
    run.advance(3)  # the run updates its parameter vector in place
    assert not np.array_equal(run.state().layers[0].W, kept["W"])
    for name, before in kept.items():
        now = state.layers[0].bn["gamma"] if name == "gamma" else getattr(state.layers[0], name)
        np.testing.assert_array_equal(now, before, err_msg=name)


def test_runs_of_one_config_share_the_step_zero_evaluation_bit_for_bit():
    """The first evaluation is kept per config (Run._first_evaluation): a run built after
    another of its config carries what its own weights give, and owns its copy."""
    import engine.trainer as trainer

    config = resolve({"preset": "minibatch", "seed": 12345})
    trainer._first_evaluations.discard(config)
    first, second = Run(config), Run(config)
    assert config in trainer._first_evaluations
    assert second.history.evals[0] == second.evaluate() == first.history.evals[0]  # == on floats: bits
    second.history.evals[0]["train_loss"] = -1.0
    assert Run(config).history.evals[0] == first.evaluate()
    other = Run(resolve({"preset": "minibatch", "seed": 12346}))
    assert other.history.evals[0] == other.evaluate() != first.history.evals[0]


def test_reset_returns_to_step_zero():
    run = Run(minibatch_config())
    first = run.state()
    run.advance(5)
    run.reset()
    assert_same_state(run.state(), first)


def test_minibatches_cover_each_epoch_once():
    run = Run(minibatch_config())  # 10 rows, batches of 3 -> 4 batches an epoch
    assert run.batches_per_epoch == 4
    for epoch in range(3):
        rows = np.concatenate([run.batch_index(epoch * 4 + k) for k in range(4)])
        assert sorted(rows.tolist()) == list(range(10))
    assert not np.array_equal(run.batch_index(0), run.batch_index(4))  # reshuffled


@settings(max_examples=25, deadline=None)
@given(
    hidden=st.lists(st.integers(1, 5), min_size=0, max_size=3),
    batch=st.integers(0, 6),
    seed=st.integers(0, 2**32 - 1),
    steps=st.integers(0, 4),
)
def test_shapes_and_determinism(hidden, batch, seed, steps):
    config = xor(hidden=hidden, batch_size=batch, seed=seed)
    run = Run(config)
    run.advance(steps)
    state = run.state()
    B = len(state.batch["index"])
    size = 4 if batch in (0, 4, 5, 6) else batch
    k = steps % -(-4 // size)  # batch number within the epoch; the last one may be short
    assert B == min(size, 4 - k * size)
    sizes = [2, *hidden, 1]
    for l, layer in enumerate(state.layers):
        assert layer.W.shape == layer.dW.shape == layer.dW_applied.shape == (sizes[l + 1], sizes[l])
        assert layer.z.shape == layer.a.shape == layer.delta.shape == (B, sizes[l + 1])
    twin = Run(config)
    twin.advance(steps)
    assert_same_state(state, twin.state())
    assert len(phases(len(state.layers))) == 2 * len(state.layers) + 2


def test_the_exploding_lesson_diverges_without_a_warning():
    run = Run(resolve({"preset": "exploding"}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reported in the State, not warned about on the way
        while not run.diverged and run.step < 2_000:
            run.advance(1)
            state = run.state()  # at every step: the loss, the metrics, the evaluation
    assert state.diverged and run.diverged


def test_divergence_is_reported_not_raised():
    run = Run(
        xor(
            hidden=[8, 8],
            activation="relu",
            output_activation="linear",
            init="normal",
            init_scale=30.0,
            learning_rate=50.0,
        )
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reported in the State, not warned about on the way
        for _ in range(60):
            run.advance(5)
            state = run.state()
            run.evaluate()
    assert state.diverged and run.diverged
    assert not np.isfinite(state.loss)


def test_phases_order():
    assert phases(2) == ["forward:0", "forward:1", "loss", "backward:1", "backward:0", "update"]


@pytest.mark.parametrize("preset", ["xor", "exploding"])
def test_a_history_goes_to_bytes_and_back_exactly(preset):
    """Segments of a history (as checkpoints shared through the store carry them), read back
    one after another, are the history: every float's bits, NaN and ±inf of a diverged run,
    the evaluations and their Nones."""
    run = Run(resolve({"preset": preset}))
    run.advance(1_234)
    whole = run.history
    again = Run(resolve({"preset": preset})).history  # a run as built: step 0's evaluation only
    for start in range(0, 1_234, 500):
        again.extend_bytes(whole.segment_bytes(start, min(start + 500, 1_234)))

    def bits(values) -> bytes:
        return np.asarray(values, dtype=np.float64).tobytes()

    assert again.step == whole.step
    assert bits(again.loss) == bits(whole.loss) and bits(again.lr) == bits(whole.lr)
    assert bits(again.grad_norms) == bits(whole.grad_norms)
    assert again.eval_step == whole.eval_step
    assert [list(e) for e in again.evals] == [list(e) for e in whole.evals]
    numbers = [[np.nan if v is None else v for v in e.values()] for e in whole.evals]
    assert bits([[np.nan if v is None else v for v in e.values()] for e in again.evals]) == bits(numbers)
    assert [[v is None for v in e.values()] for e in again.evals] == [
        [v is None for v in e.values()] for e in whole.evals
    ]
    if preset == "exploding":
        assert not np.isfinite(whole.loss).all()  # the numbers that JSON could not carry


def test_history_since_is_the_tail_of_the_whole():
    """history.to_dict(since) is what a reader at step `since` lacks: the rows after it and
    the evaluations made after it, every evaluation key named even when none is new."""
    run = Run(resolve({"preset": "xor"}))
    run.advance(45)
    whole = run.history.to_dict()
    keys = set(whole) - {"step", "loss", "lr", "grad_norms", "eval_step"}
    assert keys and all(len(whole[k]) == len(whole["eval_step"]) > 1 for k in keys)
    for since in (0, 1, whole["eval_step"][1], 44, 45):
        tail = run.history.to_dict(since)
        assert set(tail) == set(whole)
        for name in ("step", "loss", "lr", "grad_norms"):
            assert tail[name] == whole[name][since:], (since, name)
        new = [i for i, at in enumerate(whole["eval_step"]) if at > since or since == 0]
        assert tail["eval_step"] == [whole["eval_step"][i] for i in new]
        for k in keys:
            assert tail[k] == [whole[k][i] for i in new], (since, k)
