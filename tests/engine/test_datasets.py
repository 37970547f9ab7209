"""Data sets: shapes, determinism, XOR's truth table, and real digits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.config import DATASETS, RunConfig
from engine.datasets import make_dataset, mnist


def config(**fields) -> RunConfig:
    return RunConfig.from_dict(fields)


def test_xor_is_the_truth_table():
    ds = make_dataset(config(dataset="xor", n_samples=4))
    np.testing.assert_array_equal(ds.x_train, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(ds.y_train, [[0], [1], [1], [0]])


@pytest.mark.parametrize("name", [d for d in DATASETS if d != "custom"])
def test_same_seed_same_bits_other_seed_other_data(name):
    a = make_dataset(config(dataset=name, n_samples=60, noise=0.1, test_ratio=0.25, seed=1))
    b = make_dataset(config(dataset=name, n_samples=60, noise=0.1, test_ratio=0.25, seed=1))
    c = make_dataset(config(dataset=name, n_samples=60, noise=0.1, test_ratio=0.25, seed=2))
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)
    assert len(a.x_train) == 45 and len(a.x_test) == 15
    assert np.isfinite(a.x_train).all()


@pytest.mark.parametrize("name", ["circle", "gauss", "spiral", "moons"])
def test_toy_classes_are_balanced_and_separable_in_principle(name):
    ds = make_dataset(config(dataset=name, n_samples=400))
    labels = ds.labels(ds.y_train)
    assert abs(labels.mean() - 0.5) < 0.01
    # without noise, no point of one class sits on a point of the other
    a, b = ds.x_train[labels == 0], ds.x_train[labels == 1]
    gaps = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    assert gaps.min() > 0


def test_regression_targets():
    ds = make_dataset(config(dataset="plane", n_samples=50))
    np.testing.assert_allclose(ds.y_train[:, 0], ds.x_train.sum(axis=1) / 2)
    assert ds.kind == "regression" and ds.n_classes == 0


def test_digits_are_real_digits():
    images, labels = mnist()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [500] * 10
    ds = make_dataset(config(dataset="digits", n_samples=1000, test_ratio=0.2))
    assert ds.x_train.shape == (800, 784) and ds.y_train.shape == (800, 10)
    assert ds.x_train.min() == 0.0 and ds.x_train.max() == 1.0
    np.testing.assert_array_equal(ds.y_train.sum(axis=1), 1.0)
    labels = ds.labels(ds.y_train)
    assert set(labels.tolist()) == set(range(10))  # shuffled: not just the first class
    ink = [ds.x_train[labels == k].mean() for k in range(10)]
    assert ink[1] < ink[0] and ink[1] == min(ink)  # a "1" is a thin stroke, a "0" a loop
    # strokes are connected: a real digit has far more ink next to ink than noise does
    img = ds.x_train[0].reshape(28, 28) > 0.5
    neighbours = (img[1:, :] & img[:-1, :]).sum()
    assert neighbours > 0.5 * img.sum()


def test_binary_targets_become_one_hot_for_softmax():
    ds = make_dataset(config(dataset="gauss", n_samples=10), one_hot_binary=True)
    assert ds.y_train.shape == (10, 2)
    np.testing.assert_array_equal(ds.y_train.sum(axis=1), 1.0)


def test_custom_data_kinds():
    cls = make_dataset(config(dataset="custom", data={"x": [[0, 1], [1, 0]], "y": [[0], [1]]}))
    reg = make_dataset(config(dataset="custom", data={"x": [[0, 1], [1, 0]], "y": [[0.3], [1]]}))
    assert cls.kind == "classification" and reg.kind == "regression"


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(["xor", "circle", "spiral", "gauss_reg"]),
    n=st.integers(2, 300),
    ratio=st.floats(0.0, 0.9),
    seed=st.integers(0, 2**32 - 1),
)
def test_split_sizes(name, n, ratio, seed):
    ds = make_dataset(config(dataset=name, n_samples=n, test_ratio=ratio, seed=seed))
    assert len(ds.x_train) + len(ds.x_test) == n
    assert len(ds.x_train) >= 1
    assert ds.x_train.shape[1] == 2 and ds.y_train.shape[1] == 1
