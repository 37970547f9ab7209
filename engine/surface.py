"""The loss surface around the current point, along two parameters.

L(θ + u·e_p + v·e_q) on the current batch (data mean + penalty: the loss the update
follows) over a grid of offsets u, v from −r to r, every other parameter held where it
is. The grid's middle offset is exactly 0, so its centre is the loss at the current
point. With it: the gradient restricted to the two parameters (the arrow −∇), the
step the optimizer is about to take, and where the two parameters were on the last steps
(the path, given by the caller; it is a projection: the other parameters moved too).

The grid is evaluated as one batched forward pass, G grid points at once: layers below
the lower of the two parameters are the same for every point and are not recomputed;
in the layers that hold p or q a point's z differs from the current z only in neuron i's
column, by u·a_prev[:, j] (a weight) or u (a bias).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.config import ConfigError, check_whole
from engine.losses import reduce_sum
from engine.network import BN_EPS, Network

if TYPE_CHECKING:
    from engine.trainer import Run

Array = np.ndarray
MAX_POINTS = 41  # per side
WORK_BUDGET = 100_000_000  # multiply-adds per surface: fewer grid points beyond it
ELEMENTWISE = 30  # an activation or loss term (exp, log, temporaries) costs about 30 multiply-adds
CHUNK_FLOATS = 2_000_000  # floats of one chunk's widest layer, (G_chunk, B, width)
_NAME = re.compile(r"^(W|b)(\d+):(\d+)(?::(\d+))?$")


@dataclass(frozen=True)
class Coordinate:
    """One parameter: W[layer][i][j] (j given) or b[layer][i]."""

    layer: int
    i: int
    j: int | None

    @property
    def name(self) -> str:
        return f"W{self.layer}" if self.j is not None else f"b{self.layer}"

    @property
    def index(self) -> tuple[int, ...]:
        return (self.i, self.j) if self.j is not None else (self.i,)

    def label(self) -> str:
        return f"{self.name}:{self.i}" + (f":{self.j}" if self.j is not None else "")


def parse_coordinate(field: str, text: str, net: Network) -> Coordinate:
    """'W1:0:2' is W1[0][2], 'b1:0' is b1[0]; a ConfigError naming `field` otherwise."""
    # in signs, not words: a page in any language shows it as it is (static/js/api.js)
    allowed = f"W<l>:<i>:<j>, b<l>:<i>; l = 0…{len(net.specs) - 1}"
    m = _NAME.match(text.strip())
    if m is None or (m[1] == "W") != (m[4] is not None):
        raise ConfigError(field, f"{text!r} names no weight or bias", allowed, code="parameter", value=text)
    layer, i = int(m[2]), int(m[3])
    j = int(m[4]) if m[4] is not None else None
    if layer >= len(net.specs):
        raise ConfigError(field, f"layer {layer} is out of range", allowed, code="range", value=text)
    spec = net.specs[layer]
    if i >= spec.n_out or (j is not None and j >= spec.n_in):
        shape = f"{spec.n_out}×{spec.n_in}" if j is not None else f"{spec.n_out}"
        raise ConfigError(field, f"{text!r} is outside {m[1]}{layer} ({shape})", allowed, "range", text)
    return Coordinate(layer, i, j)


def flat_index(net: Network, c: Coordinate) -> int:
    slot = next(s for s in net.layout if s.name == c.name)
    return slot.start + int(np.ravel_multi_index(c.index, slot.shape))


def points_within_budget(net: Network, batch: int, lowest: int, asked: int) -> int:
    """The most points per side (odd, ≤ asked) whose grid costs at most WORK_BUDGET."""
    specs = net.specs
    per_point = (
        batch
        * (  # products above the lowest layer, and the elementwise work of each layer
            sum(s.n_in * s.n_out for s in specs[lowest + 1 :])
            + ELEMENTWISE * sum(s.n_out for s in specs[lowest:])
        )
    )
    n = asked
    while n > 3 and n * n * per_point > WORK_BUDGET:
        n -= 2
    return n


def grid_losses(run: Run, cs: tuple[Coordinate, Coordinate], du: Array, dv: Array) -> Array:
    """The batch loss (+ penalty) at offsets (du[g], dv[g]) of the two parameters, g = 0..G−1."""
    plan, net = run.plan(), run.net
    passed = plan.passed
    y, B = passed.y, len(passed.y)
    low = min(c.layer for c in cs)
    base = passed.layers[low].a_prev  # the same for every grid point
    offsets = (du, dv)
    widest = max(s.n_out for s in net.specs[low:])
    chunk = max(1, CHUNK_FLOATS // (B * widest))
    out = np.empty(len(du))
    for start in range(0, len(du), chunk):
        part = slice(start, start + chunk)
        a = base[None]  # (1, B, n): broadcast over the grid points until the first change
        for l in range(low, len(net.specs)):
            s = net.specs[l]
            W, b = net.params[f"W{l}"], net.params[f"b{l}"]
            G = len(du[part])
            z = (a.reshape(-1, a.shape[2]) @ W.T).reshape(a.shape[0], B, s.n_out)  # one 2-D BLAS product
            z += b
            if z.shape[0] == 1:
                z = np.repeat(z, G, axis=0)
            for c, d in zip(cs, offsets, strict=True):
                if c.layer == l:
                    z[:, :, c.i] += d[part][:, None] * (a[:, :, c.j] if c.j is not None else 1.0)
            u = z
            if s.batch_norm:  # training mode: every grid point has its own batch statistics
                mean = reduce_sum(z, axis=1) / B
                var = reduce_sum(np.square(z - mean[:, None]), axis=1) / B
                z_hat = (z - mean[:, None]) * (1.0 / np.sqrt(var[:, None] + BN_EPS))
                u = net.params[f"gamma{l}"] * z_hat + net.params[f"beta{l}"]
            if l == len(net.specs) - 1:
                out[part] = _losses(net, u, y)
            else:
                a = s.activation.f(u)
    return out + _penalties(run, cs, offsets)


def _losses(net: Network, u: Array, y: Array) -> Array:
    """Mean ℓ_s per grid point from the output layer's pre-activations u, (G, B, K)."""
    B = u.shape[1]
    name = net.specs[-1].activation.name
    if name == "softmax":
        m = u.max(axis=2, keepdims=True)
        lse = m + np.log(reduce_sum(np.exp(u - m), axis=2, keepdims=True))
        if net.softmax_ce:  # ℓ = Σ_k y_k (lse − z_k), as the engine's fused form
            return reduce_sum(reduce_sum(y * (lse - u), axis=2), axis=1) / B
        p = np.exp(u - lse)
    elif net.fused:  # sigmoid with bce, from the logits
        return reduce_sum(reduce_sum(np.logaddexp(0.0, u) - y * u, axis=2), axis=1) / B
    else:
        p = net.specs[-1].activation.f(u)
    return reduce_sum(reduce_sum(net.loss.terms(p, y), axis=2), axis=1) / B


def _penalties(run: Run, cs: tuple[Coordinate, Coordinate], offsets: tuple[Array, Array]) -> Array:
    """The L1/L2 penalty at each grid point: the current one, changed only in the two weights."""
    config = run.config
    plan = run.plan()
    if not (config.l1 or config.l2):
        return np.zeros(len(offsets[0]))
    out = np.full(len(offsets[0]), plan.penalty)
    for c, d in zip(cs, offsets, strict=True):
        if c.j is None:
            continue  # biases carry no penalty
        w = float(run.net.params[c.name][c.index])
        moved = w + d
        out += config.l1 * (np.abs(moved) - abs(w)) + 0.5 * config.l2 * (moved * moved - w * w)
    return out


def auto_radius(step: Array, path: Array | None, centre: Array) -> float:
    """Wide enough for the path and a few steps, and never so narrow that the bowl is a plane."""
    reach = 3.0 * float(np.hypot(*step)) if np.all(np.isfinite(step)) else 0.0
    if path is not None and len(path):
        far = np.max(np.abs(path - centre))
        if math.isfinite(far):
            reach = max(reach, 1.25 * float(far))
    return float(min(max(reach, 1.0), 100.0))


def loss_surface(
    run: Run,
    first: Coordinate,
    second: Coordinate,
    points: int = 21,
    radius: float | None = None,
    path: Array | None = None,
) -> dict[str, Any]:
    """loss[r][c]: the loss at first = centre[0] + offsets[c], second = centre[1] + offsets[r]."""
    check_whole("points", points, 3, MAX_POINTS)
    if points % 2 == 0:
        raise ConfigError(
            "points", f"{points} is even", "an odd number, so the centre is a grid point", "odd", points
        )
    if radius is not None and not (math.isfinite(radius) and 0 < radius <= 1000):
        raise ConfigError("radius", f"{radius!r} is out of range", "0 < radius ≤ 1000", "range", radius)
    if first == second:
        raise ConfigError(
            "q", "the two parameters are the same", "two different parameters", "same_parameter"
        )
    net, plan = run.net, run.plan()
    ks = [flat_index(net, c) for c in (first, second)]
    centre = net.flat[ks].copy()
    grad, step = plan.grad[ks], plan.update[ks]
    r = auto_radius(step, path, centre) if radius is None else radius
    used = points_within_budget(net, len(plan.passed.y), min(first.layer, second.layer), points)
    c = used // 2
    offsets = r * (np.arange(used) - c) / c  # the middle one exactly 0: the centre is the current point
    du, dv = np.meshgrid(offsets, offsets)  # du along columns (first), dv along rows (second)
    with np.errstate(all="ignore"):
        losses = grid_losses(run, (first, second), du.ravel(), dv.ravel()).reshape(used, used)
    return {
        "step": run.step,
        "parameters": [first.label(), second.label()],
        "centre": centre,
        "loss_at_centre": plan.passed.loss + plan.penalty,
        "radius": r,
        "points": used,
        "points_asked": points,
        "offsets": offsets,
        "first": centre[0] + offsets,
        "second": centre[1] + offsets,
        "loss": losses,
        "gradient": grad,
        "update": step,
        "path": path if path is not None else np.empty((0, 2)),
        "finite": bool(np.all(np.isfinite(losses))),
    }
