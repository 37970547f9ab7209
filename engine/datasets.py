"""Data sets: the 2-D toys of TensorFlow Playground, the XOR truth table, and real digits.

Every set is a pure function of the config: randomness only through a Generator made
from the run's seed and a per-purpose stream number, so data never shifts when some
other random use is added. Inputs are rows; targets are (n, k) float64.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.config import RunConfig

DATA_STREAM, SPLIT_STREAM = 10, 11
MNIST = Path(__file__).with_name("data") / "mnist_5k.npz"
XOR_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_LABELS = np.array([0, 1, 1, 0])


@dataclass(frozen=True)
class Dataset:
    x_train: np.ndarray  # (n, d)
    y_train: np.ndarray  # (n, k) targets
    x_test: np.ndarray  # (m, d); m may be 0
    y_test: np.ndarray
    kind: str  # "classification" or "regression"
    n_classes: int  # 0 for regression
    input_shape: tuple[int, ...]  # (2,) for the toys, (28, 28) for digits

    @property
    def n_inputs(self) -> int:
        return self.x_train.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.y_train.shape[1]

    def labels(self, y: np.ndarray) -> np.ndarray:
        """Class of each row of a target matrix: argmax, or y > 0.5 for one column."""
        return (y[:, 0] > 0.5).astype(int) if y.shape[1] == 1 else y.argmax(axis=1)


@functools.cache
def mnist() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 MNIST digits shipped with the engine: uint8 images (28×28), labels."""
    with np.load(MNIST) as archive:
        return archive["images"], archive["labels"]


def _xor(rng: np.random.Generator, n: int, noise: float):
    x = np.resize(XOR_CORNERS, (n, 2)) + noise * rng.normal(size=(n, 2))
    return x, np.resize(XOR_LABELS, n)


def _circle(rng: np.random.Generator, n: int, noise: float):
    """Inner disk (class 1) inside a ring (class 0)."""
    label = np.arange(n) % 2
    radius = np.where(label == 1, rng.uniform(0.0, 0.5, n), rng.uniform(0.7, 1.0, n))
    angle = rng.uniform(0.0, 2 * np.pi, n)
    x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return x + noise * rng.normal(size=(n, 2)), label


def _gauss(rng: np.random.Generator, n: int, noise: float):
    """Two Gaussian blobs centred at ±(0.5, 0.5)."""
    label = np.arange(n) % 2
    centre = np.where(label[:, None] == 1, 0.5, -0.5)
    return centre + (0.2 + noise) * rng.normal(size=(n, 2)), label


def _spiral(rng: np.random.Generator, n: int, noise: float):
    """Two interleaved arms, each turning 1¾ times."""
    label = np.arange(n) % 2
    t = rng.uniform(0.0, 1.0, n)
    angle = 3.5 * np.pi * t + np.pi * label
    x = np.column_stack([t * np.cos(angle), t * np.sin(angle)])
    return x + noise * rng.normal(size=(n, 2)), label


def _moons(rng: np.random.Generator, n: int, noise: float):
    label = np.arange(n) % 2
    angle = rng.uniform(0.0, np.pi, n)
    x = np.where(
        label[:, None] == 0,
        np.column_stack([np.cos(angle), np.sin(angle)]),
        np.column_stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)]),
    )
    x = (x - [0.5, 0.25]) / 1.5  # centred, within about [-1, 1]
    return x + noise * rng.normal(size=(n, 2)), label


def _plane(rng: np.random.Generator, n: int, noise: float):
    """Regression: y = (x₁ + x₂)/2, a tilted plane."""
    x = rng.uniform(-1.0, 1.0, (n, 2))
    return x, (x.sum(axis=1) / 2 + noise * rng.normal(size=n))[:, None]


def _gauss_reg(rng: np.random.Generator, n: int, noise: float):
    """Regression: a few Gaussian bumps, up and down (Playground's reg-gauss)."""
    x = rng.uniform(-1.0, 1.0, (n, 2))
    bumps = [(-0.5, -0.5, 1.0), (0.5, 0.5, 1.0), (-0.5, 0.5, -1.0), (0.5, -0.5, -1.0)]
    y = sum(s * np.exp(-((x[:, 0] - cx) ** 2 + (x[:, 1] - cy) ** 2) / 0.1) for cx, cy, s in bumps)
    return x, (y + noise * rng.normal(size=n))[:, None]


TOYS = {
    "xor": _xor,
    "circle": _circle,
    "gauss": _gauss,
    "spiral": _spiral,
    "moons": _moons,
    "plane": _plane,
    "gauss_reg": _gauss_reg,
}
REGRESSION = ("plane", "gauss_reg")


def _digits(rng: np.random.Generator, n: int, noise: float):
    images, labels = mnist()
    rows = rng.permutation(len(images))[:n]  # the file is sorted by class: mix it
    x = images[rows].reshape(len(rows), -1) / 255.0
    if noise:
        x = np.clip(x + noise * rng.normal(size=x.shape), 0.0, 1.0)
    return x, labels[rows].astype(int)


def make_dataset(config: RunConfig, *, one_hot_binary: bool = False) -> Dataset:
    """The data a config names, split into train and test.

    Binary classes give one target column in {0, 1}, or two one-hot columns with
    `one_hot_binary` (for a softmax output); more classes are always one-hot.
    """
    rng = np.random.default_rng([config.seed, DATA_STREAM])
    n, noise, name = config.n_samples, config.noise, config.dataset
    input_shape: tuple[int, ...]
    if name == "custom":
        assert config.data is not None
        x, y = np.array(config.data["x"], dtype=np.float64), np.array(config.data["y"], dtype=np.float64)
        classification = bool(np.isin(y, (0.0, 1.0)).all())
        if classification and y.shape[1] == 1 and one_hot_binary:
            y = np.column_stack([1.0 - y[:, 0], y[:, 0]])
        if classification:
            return _split(config, x, y, "classification", max(2, y.shape[1]), (x.shape[1],))
        return _split(config, x, y, "regression", 0, (x.shape[1],))
    if name == "digits":
        x, labels = _digits(rng, n, noise)
        input_shape = (28, 28)
    else:
        x, labels = TOYS[name](rng, n, noise)
        input_shape = (2,)
    if name in REGRESSION:
        return _split(config, x, labels.astype(np.float64), "regression", 0, input_shape)
    n_classes = 10 if name == "digits" else 2
    if n_classes == 2 and not one_hot_binary:
        y = labels[:, None].astype(np.float64)
    else:
        y = np.eye(n_classes)[labels]
    return _split(config, x.astype(np.float64), y, "classification", n_classes, input_shape)


def _split(
    config: RunConfig, x: np.ndarray, y: np.ndarray, kind: str, n_classes: int, input_shape: tuple[int, ...]
) -> Dataset:
    """A seeded test set of round(test_ratio·n) rows; training rows keep their order."""
    n = len(x)
    n_test = min(int(round(config.test_ratio * n)), n - 1)
    test = np.sort(np.random.default_rng([config.seed, SPLIT_STREAM]).permutation(n)[:n_test])
    train = np.setdiff1d(np.arange(n), test)
    return Dataset(x[train], y[train], x[test], y[test], kind, n_classes, tuple(input_shape))
