"""The loss surface: one batched forward pass over the grid against the plain way, one
engine forward pass per grid point (set the two parameters, training.total_loss), timed in
the same run as paired blocks (see bench_engine.paired). Also the shares and the neuron
check, against what they sit beside: the State, and the whole-data evaluation (the same
forward pass over the training set, plus the test set)."""

from __future__ import annotations

import numpy as np

from engine import training
from engine.health import neuron_health
from engine.presets import resolve
from engine.shares import weight_shares
from engine.surface import Coordinate, loss_surface
from engine.trainer import Run
from tests.bench.bench_engine import paired

POINTS = 21
CASES = [  # (name, preset, p, q)
    ("xor 2-2-1", "xor", Coordinate(1, 0, 1), Coordinate(1, 0, None)),
    ("digits batch 32, W0", "digits", Coordinate(0, 3, 400), Coordinate(0, 3, None)),
    ("digits batch 32, W2", "digits", Coordinate(2, 3, 5), Coordinate(2, 3, None)),
]


def point_by_point(run: Run, p: Coordinate, q: Coordinate):
    plan = run.plan()
    x, y = plan.passed.layers[0].a_prev, plan.passed.y
    offsets = np.linspace(-1.0, 1.0, POINTS)
    net = run.net.copy()

    def surface() -> None:
        for u in offsets:
            for v in offsets:
                net.set_flat(run.net.flat.copy())
                net.params[p.name][p.index] += u
                net.params[q.name][q.index] += v
                training.total_loss(run.config, net, x, y)

    return surface


def run() -> list[tuple[str, str]]:
    rows = [
        (
            "loss surface",
            f"ms per {POINTS}×{POINTS} surface: batched | point by point | ratio (median of pairs)",
        )
    ]
    for name, preset, p, q in CASES:
        r = Run(resolve({"preset": preset}))
        r.plan()
        ours = lambda r=r, p=p, q=q: loss_surface(r, p, q, points=POINTS, radius=1.0)  # noqa: E731
        t_ours, t_base, ratio = paired(ours, point_by_point(r, p, q), 1, rounds=7)
        rows.append((name, f"{t_ours / 1000:.1f} | {t_base / 1000:.1f} | {ratio:.2f}x"))
    digits = Run(resolve({"preset": "digits"}))
    t_shares, t_state, ratio = paired(lambda: weight_shares(digits, 0, 3, 400), digits.state, 20, rounds=7)
    rows.append(("shares vs State (digits)", f"µs: {t_shares:.0f} | {t_state:.0f} | {ratio:.2f}x"))
    t_health, t_eval, ratio = paired(lambda: neuron_health(digits), digits.evaluate, 1, rounds=7)
    rows.append(
        ("neuron check vs evaluation", f"ms: {t_health / 1000:.1f} | {t_eval / 1000:.1f} | {ratio:.2f}x")
    )
    return rows


if __name__ == "__main__":
    for label, figure in run():
        print(f"{label:<28} {figure}")
