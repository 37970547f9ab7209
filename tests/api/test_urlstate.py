"""The page URL <-> RunConfig table round-trips every config."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.urlstate import config_from_query, query_from_config
from engine.config import ACTIVATIONS, INITS, OPTIMIZERS, SCHEDULES, RunConfig

configs = st.builds(
    lambda **f: RunConfig.from_dict(f),
    dataset=st.sampled_from(["xor", "circle", "spiral", "moons"]),
    n_samples=st.integers(4, 500),
    noise=st.floats(0, 1),
    hidden=st.lists(st.integers(1, 16), max_size=4),
    activation=st.sampled_from(ACTIVATIONS),
    init=st.sampled_from(INITS),
    optimizer=st.sampled_from(OPTIMIZERS),
    learning_rate=st.floats(0, 10),
    schedule=st.sampled_from(SCHEDULES),
    clip=st.none() | st.floats(0.01, 100),
    l2=st.floats(0, 1),
    batch_norm=st.booleans(),
    batch_size=st.integers(0, 64),
    seed=st.integers(0, 2**32 - 1),
)


@settings(max_examples=200, deadline=None)
@given(config=configs)
def test_url_round_trip(config):
    assert config_from_query(query_from_config(config)) == config


def test_custom_data_and_weights_travel_as_json():
    config = RunConfig.from_dict(
        {
            "dataset": "custom",
            "data": {"x": [[0.5, 1.0], [2.0, 3.0]], "y": [[0], [1]]},
            "hidden": [1],
            "weights": [{"W": [[0.25, -1.5]], "b": [0.1]}, {"W": [[2.0]], "b": [-0.3]}],
        }
    )
    assert config_from_query(query_from_config(config)) == config


def test_defaults_make_an_empty_query():
    assert query_from_config(RunConfig()) == {}
