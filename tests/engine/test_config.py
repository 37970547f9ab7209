"""Invalid configs raise one typed error naming the field and what is allowed."""

from __future__ import annotations

import pytest

from engine.config import ConfigError, RunConfig
from engine.trainer import Run

from .helpers import xor


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"activation": "swish"}, "activation"),
        ({"loss": "hinge"}, "loss"),
        ({"hidden": [0]}, "hidden"),
        ({"hidden": [4] * 50}, "hidden"),
        ({"hidden": "4,x"}, "hidden"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"learning_rate": -1}, "learning_rate"),
        ({"batch_size": 1.5}, "batch_size"),
        ({"seed": -1}, "seed"),
        ({"n_samples": 10**9}, "n_samples"),
        ({"bogus": 1}, "bogus"),
        ({"loss": "bce", "output_activation": "linear"}, "loss"),
        ({"loss": "cross_entropy", "output_activation": "tanh"}, "loss"),
        ({"dataset": "custom"}, "data"),
        ({"dataset": "custom", "data": {"x": [[1, 2], [3]], "y": [[0], [1]]}}, "data.x[1]"),
        ({"dataset": "custom", "data": {"x": [[1, 2]], "y": [[0], [1]]}}, "data.y"),
        ({"dataset": "custom", "data": {"x": [[1, float("inf")]], "y": [[0]]}}, "data.x[0][1]"),
    ],
)
def test_bad_config_names_the_field(fields, field):
    with pytest.raises(ConfigError) as error:
        RunConfig.from_dict(fields)
    assert error.value.field == field
    assert error.value.message


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_numbers_are_said_to_be_so(value):
    with pytest.raises(ConfigError) as error:
        RunConfig.from_dict({"learning_rate": value})
    assert (error.value.field, error.value.code) == ("learning_rate", "not_finite")


def test_allowed_values_are_listed():
    with pytest.raises(ConfigError) as error:
        RunConfig.from_dict({"optimizer": "lion"})
    assert "adam" in error.value.allowed and "sgd" in error.value.allowed


def test_explicit_weights_must_fit_the_network():
    with pytest.raises(ConfigError) as error:
        Run(xor(hidden=[3], weights=[{"W": [[1, 2]], "b": [0]}, {"W": [[1, 2, 3]], "b": [0]}]))
    assert error.value.field == "weights[0].W" and "3×2" in error.value.allowed


def test_softmax_needs_two_outputs():
    one_target = {"x": [[0.0], [1.0]], "y": [[0.25], [0.75]]}  # regression: one output column
    with pytest.raises(ConfigError) as error:
        Run(RunConfig.from_dict({"dataset": "custom", "data": one_target, "output_activation": "softmax"}))
    assert error.value.field == "output_activation"


def test_cross_entropy_needs_two_outputs_as_bce_takes_one():
    # −y·log ŷ alone: a net that outputs 1 everywhere would have loss 0 on XOR
    with pytest.raises(ConfigError) as error:
        Run(xor(loss="cross_entropy"))
    assert (
        error.value.field == "loss"
        and error.value.code == "cross_entropy_outputs"
        and "bce" in error.value.allowed
    )
    Run(xor(loss="bce"))
    two = {"x": [[0.0], [1.0]], "y": [[1.0, 0.0], [0.0, 1.0]]}
    Run(
        RunConfig.from_dict(
            {"dataset": "custom", "data": two, "output_activation": "softmax", "loss": "cross_entropy"}
        )
    )


def test_round_trip_through_dict():
    config = RunConfig.from_dict({"hidden": "4,2", "optimizer": "adam", "clip": 1.0})
    assert config.hidden == (4, 2)
    assert RunConfig.from_dict(config.to_dict()) == config
