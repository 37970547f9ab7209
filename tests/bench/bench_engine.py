"""Engine benchmark: one training step of Run against baselines timed in the same run.

Baselines: a minimal vectorised NumPy step (forward, loss, backward, SGD; nothing kept),
a naive per-sample Python loop, and PyTorch on the CPU when it is installed. Ours is
Run.advance(1): every intermediate kept, the loss, per-layer gradient norms, the update
recorded. It is timed twice: the training step alone (what the baselines do), and as the
product runs it, which adds a whole-data evaluation every n steps (at most a quarter of
the training it watches, by design: see trainer.eval_interval).
Figures are microseconds per step (best block) and ratios (median of paired blocks).
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

from engine.config import RunConfig
from engine.trainer import Run

CASES = [  # (name, hidden, batch size)
    ("2-2-1 batch 4", (2,), 4),
    ("784-16-16-10 batch 32", (16, 16), 32),
    ("784-16-16-10 batch 256", (16, 16), 256),
    ("784-128-64-10 batch 256", (128, 64), 256),
]


def per_step_us(step: Callable[[], None], steps: int, repeats: int = 7) -> float:
    step()  # warm caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        times.append((time.perf_counter() - start) / steps)
    return min(times) * 1e6  # the least disturbed repeat


def paired(ours: Callable[[], None], base: Callable[[], None], steps: int, rounds: int = 21):
    """Alternate blocks of `steps` calls of ours and of the baseline. This machine's speed
    drifts by up to 2x within seconds (its neighbours), so the ratio within each pair is far
    steadier than either time: we report the median ratio, and each side's best block in µs."""
    ours(), base()
    ratios, best_ours, best_base = [], math.inf, math.inf
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(steps):
            ours()
        middle = time.perf_counter()
        for _ in range(steps):
            base()
        end = time.perf_counter()
        ratios.append((middle - start) / (end - middle))
        best_ours, best_base = min(best_ours, middle - start), min(best_base, end - middle)
    return best_ours / steps * 1e6, best_base / steps * 1e6, statistics.median(ratios)


def config_for(hidden: tuple[int, ...], batch: int) -> RunConfig:
    if hidden == (2,):
        return RunConfig.from_dict({"dataset": "xor", "n_samples": 4, "hidden": [2]})
    return RunConfig.from_dict(
        {
            "dataset": "digits",
            "n_samples": 5000,
            "hidden": list(hidden),
            "activation": "sigmoid",
            "output_activation": "softmax",
            "loss": "cross_entropy",
            "batch_size": batch,
            "learning_rate": 0.5,
        }
    )


def minimal_numpy_step(run: Run, batch: int) -> Callable[[], None]:
    """The least a vectorised step can do: sigmoid hidden layers, the output's fused δ,
    a mini-batch gathered from shuffled rows (as SGD must), nothing kept."""
    x_all, y_all = run.dataset.x_train, run.dataset.y_train
    Ws = [run.net.params[f"W{l}"].copy() for l in range(run.n_layers)]
    bs = [run.net.params[f"b{l}"].copy() for l in range(run.n_layers)]
    softmax = run.config.output_activation == "softmax"
    n, state = len(x_all), {"k": 0}
    order = np.random.default_rng(0).permutation(n)

    def step() -> None:
        k = state["k"]
        state["k"] = (k + batch) % (n - batch + 1) if batch < n else 0
        rows = order[k : k + batch]
        x, y = (x_all[rows], y_all[rows]) if batch < n else (x_all, y_all)
        acts = [x]
        for W, b in zip(Ws[:-1], bs[:-1], strict=True):
            acts.append(1.0 / (1.0 + np.exp(-(acts[-1] @ W.T + b))))
        z = acts[-1] @ Ws[-1].T + bs[-1]
        if softmax:
            e = np.exp(z - z.max(axis=1, keepdims=True))
            out = e / e.sum(axis=1, keepdims=True)
            delta = out - y
        else:
            out = 1.0 / (1.0 + np.exp(-z))
            delta = (out - y) * out * (1.0 - out)
        for l in range(len(Ws) - 1, -1, -1):
            dW, db = delta.T @ acts[l] / len(x), delta.mean(axis=0)
            if l:
                delta = (delta @ Ws[l]) * acts[l] * (1.0 - acts[l])
            Ws[l] -= 0.5 * dW
            bs[l] -= 0.5 * db

    return step


def naive_loop_step(run: Run, batch: int) -> Callable[[], None]:
    """Per-sample, per-layer Python loop: what a first textbook implementation does."""
    x_all, y_all = run.dataset.x_train, run.dataset.y_train
    Ws = [run.net.params[f"W{l}"].copy() for l in range(run.n_layers)]
    bs = [run.net.params[f"b{l}"].copy() for l in range(run.n_layers)]

    def step() -> None:
        gW = [np.zeros_like(W) for W in Ws]
        gb = [np.zeros_like(b) for b in bs]
        for s in range(min(batch, len(x_all))):
            acts = [x_all[s]]
            for W, b in zip(Ws, bs, strict=True):
                acts.append(1.0 / (1.0 + np.exp(-(W @ acts[-1] + b))))
            delta = (acts[-1] - y_all[s]) * acts[-1] * (1.0 - acts[-1])
            for l in range(len(Ws) - 1, -1, -1):
                gW[l] += np.outer(delta, acts[l])
                gb[l] += delta
                delta = (Ws[l].T @ delta) * acts[l] * (1.0 - acts[l])
        for l in range(len(Ws)):
            Ws[l] -= 0.5 * gW[l] / batch
            bs[l] -= 0.5 * gb[l] / batch

    return step


def torch_step(run: Run, batch: int) -> Callable[[], None] | None:
    try:
        import torch
    except ImportError:
        return None
    sizes = [run.net.specs[0].n_in, *[s.n_out for s in run.net.specs]]
    layers: list[torch.nn.Module] = []
    for l in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[l], sizes[l + 1]).double())
        if l < len(sizes) - 2:
            layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    x = torch.from_numpy(run.dataset.x_train[:batch].copy())
    y = torch.from_numpy(run.dataset.y_train[:batch].copy())
    softmax = run.config.output_activation == "softmax"

    def step() -> None:
        opt.zero_grad()
        out = model(x)
        if softmax:
            loss = torch.nn.functional.cross_entropy(out, y.argmax(dim=1))
        else:
            loss = 0.5 * ((torch.sigmoid(out) - y) ** 2).sum(dim=1).mean()
        loss.backward()
        opt.step()

    return step


def run() -> list[tuple[str, str]]:
    rows = [
        (
            "engine step",
            "µs/step: Run step | minimal NumPy | ratio || with evaluation (every n steps) | ratio"
            " || naive loop || PyTorch CPU | Run step / PyTorch   (ratios: median of paired blocks)",
        )
    ]
    for name, hidden, batch in CASES:
        config = config_for(hidden, batch)
        # The training step alone, as the baselines do it: this run never evaluates.
        stepper = Run(config)
        every, stepper.eval_every = stepper.eval_every, sys.maxsize
        # A run as the product runs it also evaluates the whole train and test sets every
        # `every` steps (a test-curve point): its blocks are whole cycles of those.
        ours = Run(config)
        cycle_us = per_step_us(lambda r=ours: r.advance(1), every, repeats=1) * every
        block = every * max(1, round(30_000 / cycle_us))
        step = lambda r=stepper: r.advance(1)  # noqa: E731
        t_step, t_min, ratio = paired(step, minimal_numpy_step(Run(config), batch), block)
        t_full, _, ratio_full = paired(
            lambda r=ours: r.advance(1), minimal_numpy_step(Run(config), batch), block
        )
        t_naive = per_step_us(naive_loop_step(Run(config), batch), max(10, block // 20), repeats=3)
        ts = torch_step(Run(config), batch)
        torch = "not installed"
        if ts:
            _, t_torch, ratio_torch = paired(step, ts, block)
            torch = f"{t_torch:.0f} | {ratio_torch:.2f}x"
        rows.append(
            (
                name,
                f"{t_step:.0f} | {t_min:.0f} | {ratio:.2f}x || {t_full:.0f} ({every}) | {ratio_full:.2f}x"
                f" || {t_naive:.0f} || {torch}",
            )
        )
    return rows
