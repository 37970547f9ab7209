"""Every lesson is a valid config that shows what its text says it shows."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from engine.config import ConfigError
from engine.presets import PRESETS, load_lessons, resolve
from engine.trainer import Run
from tests.support import ROOT

LESSONS = [
    "xor",
    "chain",
    "digits",
    "vanishing",
    "exploding",
    "clipping",
    "lr_low",
    "lr_high",
    "lr_decay",
    "sgd",
    "momentum",
    "adagrad",
    "adam",
    "minibatch",
    "fullbatch",
    "batchnorm",
    "init_zero",
    "init_large",
    "squared_error",
    "cross_entropy",
]


def test_design_lessons_are_all_there():
    assert set(LESSONS) <= set(PRESETS)


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_is_a_valid_config(name):
    Run(resolve({"preset": name}))
    assert PRESETS[name].steps > 0


def test_lessons_are_files_in_menu_order():
    assert list(load_lessons()) == list(PRESETS)
    orders = [p.order for p in PRESETS.values()]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)  # no two share a place


def test_a_malformed_lesson_file_names_itself(tmp_path):
    (tmp_path / "broken.json").write_text('{"order": 1, "steps": 10, "config": {}}')
    with pytest.raises(ValueError, match="broken.json"):
        load_lessons(tmp_path)
    (tmp_path / "broken.json").write_text(
        '{"order": 1, "steps": 10, "texts": {"title": "t"}, "view": {}, "config": {}}'
    )
    with pytest.raises(ValueError, match="broken.json: texts"):
        load_lessons(tmp_path)


def test_a_lesson_is_one_file(tmp_path):
    (tmp_path / "b.json").write_text(
        '{"order": 2, "steps": 5, "texts": {"title": "lesson.b.title", "watch": "lesson.b.watch"},'
        ' "view": {"view": "weights"}, "config": {"dataset": "xor", "learning_rate": 0.5}}'
    )
    (tmp_path / "a.json").write_text((tmp_path / "b.json").read_text().replace('"order": 2', '"order": 1'))
    lessons = load_lessons(tmp_path)
    assert list(lessons) == ["a", "b"]
    assert lessons["b"].config == {"dataset": "xor", "learning_rate": 0.5} and lessons["b"].view == {
        "view": "weights"
    }


def test_a_lesson_compares_with_other_lessons_by_name(tmp_path):
    lesson = (
        '{"order": 1, "steps": 5, "texts": {"title": "t", "watch": "w"}, "view": {},'
        ' "compare": COMPARE, "config": {"dataset": "xor"}}'
    )
    (tmp_path / "b.json").write_text(lesson.replace("COMPARE", "[]"))
    (tmp_path / "a.json").write_text(lesson.replace("COMPARE", '["b"]'))
    assert load_lessons(tmp_path)["a"].compare == ("b",)
    for wrong in ('["nope"]', '["a"]', '"b"'):
        (tmp_path / "a.json").write_text(lesson.replace("COMPARE", wrong))
        with pytest.raises(ValueError, match="a.json: compare"):
            load_lessons(tmp_path)


DATA_FIELDS = ("dataset", "n_samples", "noise", "test_ratio", "seed")


def test_every_lesson_whose_text_asks_for_a_comparison_offers_it_on_the_same_data():
    """sgd's text says "compare with momentum, Adagrad and Adam": the compare menu offered only
    "SGD vs Adam" (and in the Adam lesson compared Adam with Adam). A lesson names the lessons it
    compares with (its compare menu's first items, network B taking their settings); each runs on
    the same data, so the two networks differ only where the lessons do."""
    catalogue = json.loads((ROOT / "static/i18n/en.json").read_text(encoding="utf-8"))
    for name, lesson in PRESETS.items():
        # "Compare with …", "compare its first hundred steps with …" (not "the loss compares ŷ")
        asks = re.search(r"\b[Cc]ompare (with|its)\b", catalogue[lesson.texts["watch"]]) is not None
        assert asks == bool(lesson.compare), name
        a = resolve({"preset": name}).to_dict()
        for other in lesson.compare:
            b = resolve({"preset": other}).to_dict()
            assert {k: a[k] for k in DATA_FIELDS} == {k: b[k] for k in DATA_FIELDS}, (name, other)
            assert a["hidden"] == b["hidden"], (name, other)


def test_fields_override_the_preset():
    config = resolve({"preset": "xor", "learning_rate": 0.1, "hidden": [3]})
    assert config.learning_rate == 0.1 and config.hidden == (3,) and config.dataset == "xor"
    assert resolve({"preset": "chain", "dataset": "moons"}).data is None  # its own rows went with it


def test_unknown_preset_names_the_field():
    with pytest.raises(ConfigError) as error:
        resolve({"preset": "nope"})
    assert error.value.field == "preset" and "xor" in error.value.allowed


def test_xor_lesson_learns_xor():
    run = Run(resolve({"preset": "xor"}))
    run.advance(PRESETS["xor"].steps)
    prediction = run.predict(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]))[:, 0]
    assert prediction[[1, 2]].min() > 0.9 and prediction[[0, 3]].max() < 0.1


def test_digit_network_has_13002_parameters():
    assert Run(resolve({"preset": "digits"})).n_params == 784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10 == 13002


def test_vanishing_gradients_vanish_with_sigmoid_not_relu():
    sigmoid = Run(resolve({"preset": "vanishing"})).state()
    relu = Run(resolve({"preset": "vanishing_relu"})).state()
    ratio = sigmoid.layers[0].grad_norm / sigmoid.layers[-1].grad_norm
    assert ratio < 1e-3  # six σ′ ≤ ¼ factors between the output and the first layer
    assert relu.layers[0].grad_norm / relu.layers[-1].grad_norm > 0.1


def test_clipping_tames_exploding():
    wild, tamed = Run(resolve({"preset": "exploding"})), Run(resolve({"preset": "clipping"}))
    assert tamed.state().clipped and tamed.state().grad_norm > 1.0
    wild.advance(300)
    tamed.advance(300)
    assert wild.diverged or wild.state().loss > 10 * tamed.state().loss
    assert not tamed.diverged


def test_zero_init_keeps_hidden_neurons_identical():
    run = Run(resolve({"preset": "init_zero"}))
    run.advance(200)
    W = run.state().layers[0].W
    assert np.abs(W).max() > 0.01  # they learn, but as one neuron
    np.testing.assert_array_equal(W, np.broadcast_to(W[0], W.shape))


def test_learning_rate_lessons_order():
    losses = {}
    for name in ("lr_low", "lr_good", "lr_high"):
        run = Run(resolve({"preset": name}))
        run.advance(300)
        losses[name] = run.evaluate()["train_loss"]
    assert losses["lr_good"] < losses["lr_low"] < losses["lr_high"]


def trained(name: str, steps: int | None = None) -> Run:
    run = Run(resolve({"preset": name}))
    run.advance(PRESETS[name].steps if steps is None else steps)
    return run


def test_batch_norm_carries_the_gradient_through_the_deep_sigmoid_net():
    plain, normed = Run(resolve({"preset": "vanishing"})), Run(resolve({"preset": "batchnorm"}))
    assert plain.state().layers[0].grad_norm < 1e-4 < 1e-2 < normed.state().layers[0].grad_norm
    plain.advance(1000)
    normed.advance(1000)
    assert plain.evaluate()["train_accuracy"] < 0.6 < 0.95 < normed.evaluate()["train_accuracy"]


def test_large_initialisation_learns_worse_than_xavier():
    large, xavier = trained("init_large", 1000), trained("init_xavier", 1000)
    assert xavier.evaluate()["train_loss"] < 0.1 < 0.5 < large.evaluate()["train_loss"]


def test_plain_sgd_is_still_stalled_on_the_spiral_when_the_other_optimizers_have_learnt_it():
    stalled = trained("sgd", 3000).evaluate()["train_accuracy"]
    for name in ("momentum", "adagrad", "adam"):
        assert PRESETS[name].steps == 3000
        assert trained(name).evaluate()["train_accuracy"] > 0.9 > 0.7 > stalled, name


def test_cross_entropy_corrects_a_confident_start_faster_than_squared_error():
    # same net, same confident (σ = 3) start: the first ten steps tell them apart
    sse, bce = trained("squared_error", 10), trained("cross_entropy", 10)
    assert bce.evaluate()["train_accuracy"] > sse.evaluate()["train_accuracy"] + 0.2
