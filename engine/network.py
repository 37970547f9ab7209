"""The multilayer perceptron: a forward and a backward pass that keep every intermediate.

Parameters live in one flat vector, layer after layer (W0, b0, γ0, β0, W1, …); `params`
names views into it ("W0", "b0", "gamma0", "beta0", …), which is what the view and the
snapshots speak. The gradient of a pass has the same layout. Penalties, clipping, the
optimizer and the update then work on whole vectors: one NumPy call per step instead of
one per parameter, which is most of a small net's step. A pass returns plain arrays with
the names the view uses: z, a, delta, dW, db.

Batch norm (hidden layers only) sits between z and the activation:
u = γ·ẑ + β with ẑ = (z − μ_B)/√(σ²_B + ε), a = f(u).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.activations import ACTIVATIONS, Activation
from engine.losses import LOSSES, fused_value, is_fused, mean_loss, reduce_sum

Array = np.ndarray
BN_EPS = 1e-5
BN_MOMENTUM = 0.1  # running = (1 − m)·running + m·batch, as torch.nn.BatchNorm1d


@dataclass(frozen=True)
class LayerSpec:
    n_in: int
    n_out: int
    activation: Activation
    batch_norm: bool


@dataclass(frozen=True, slots=True)
class Slot:
    """Where one named parameter lives in the flat vector."""

    name: str
    shape: tuple[int, ...]
    start: int
    stop: int


def param_layout(specs: list[LayerSpec]) -> tuple[list[Slot], list[tuple[int, int]]]:
    """Every parameter's place in the flat vector, and each weight layer's stretch of it."""
    slots: list[Slot] = []
    spans: list[tuple[int, int]] = []
    stop = 0
    for l, s in enumerate(specs):
        shapes = [(f"W{l}", (s.n_out, s.n_in)), (f"b{l}", (s.n_out,))]
        if s.batch_norm:
            shapes += [(f"gamma{l}", (s.n_out,)), (f"beta{l}", (s.n_out,))]
        first = stop
        for name, shape in shapes:
            start, stop = stop, stop + math.prod(shape)
            slots.append(Slot(name, shape, start, stop))
        spans.append((first, stop))
    return slots, spans


@dataclass(slots=True)
class LayerPass:
    """What one weight layer computed on one batch (forward, then backward)."""

    a_prev: Array
    z: Array
    a: Array
    bn: dict[str, Array] | None = None  # mean, var, inv_std, z_hat, u
    lse: Array | None = None  # log Σ exp z per row, for a softmax output (its cross-entropy needs it)
    delta: Array | None = None  # ∂ℓ_s/∂z per sample (B·∂L/∂z under batch norm)
    dL_da: Array | None = None  # ∂ℓ_s/∂a per sample
    delta_u: Array | None = None  # ∂ℓ_s/∂u per sample, batch norm only


def filled(value: Array | None) -> Array:
    """A LayerPass field that the backward pass has filled in (delta, dL_da, delta_u)."""
    assert value is not None, "read after backward()"
    return value


@dataclass(slots=True)
class Pass:
    layers: list[LayerPass]
    y: Array
    losses: Array  # ℓ_s, shape (B,)
    flat_grads: Array  # ∂(mean ℓ_s)/∂params, laid out as Network.flat
    grads: dict[str, Array]  # the same, as named views

    @property
    def loss(self) -> float:
        return mean_loss(self.losses)


class Network:
    def __init__(self, specs: list[LayerSpec], loss: str, params: dict[str, Array]):
        self.specs = specs
        self.loss_name = loss
        self.loss = LOSSES[loss]
        self.fused = is_fused(specs[-1].activation.name, loss)
        self.softmax_ce = self.fused and specs[-1].activation.name == "softmax"
        self.layout, self.layer_spans = param_layout(specs)
        # views() runs on every pass: slices made once, and vectors need no reshape
        self._cuts = [
            (s.name, slice(s.start, s.stop), s.shape if len(s.shape) > 1 else None) for s in self.layout
        ]
        flat = np.empty(self.layout[-1].stop)
        for slot in self.layout:
            flat[slot.start : slot.stop] = np.asarray(params[slot.name], dtype=np.float64).ravel()
        self.set_flat(flat)
        self.keys = [(f"W{l}", f"b{l}") for l in range(len(specs))]  # formatted once, not every pass
        self.running: dict[str, Array] = {}  # batch-norm running mean/var, for evaluation
        for l, s in enumerate(specs):
            if s.batch_norm:
                self.running[f"mean{l}"] = np.zeros(s.n_out)
                self.running[f"var{l}"] = np.ones(s.n_out)

    @property
    def n_params(self) -> int:
        return self.flat.size

    def views(self, flat: Array) -> dict[str, Array]:
        """A vector laid out like the parameters (a gradient, an update), as named arrays."""
        return {
            name: flat[cut] if shape is None else flat[cut].reshape(shape) for name, cut, shape in self._cuts
        }

    def set_flat(self, flat: Array) -> None:
        self.flat = flat
        self.params = self.views(flat)

    def apply(self, update: Array) -> None:
        """p ← p + Δp, in place: `params` stay views of `flat`. Whoever keeps parameters
        beyond a step (a State, a checkpoint) keeps copies."""
        self.flat += update

    def forward(self, x: Array, train: bool = True) -> list[LayerPass]:
        p = self.params
        out: list[LayerPass] = []
        a = x
        last = len(self.specs) - 1
        for l, s in enumerate(self.specs):
            W, b = self.keys[l]
            z = a @ p[W].T
            z += p[b]
            bn = None
            u = z
            if s.batch_norm:
                if train:
                    mean = reduce_sum(z) / len(z)
                    var = reduce_sum(np.square(z - mean)) / len(z)
                else:
                    mean, var = self.running[f"mean{l}"], self.running[f"var{l}"]
                inv_std = 1.0 / np.sqrt(var + BN_EPS)
                z_hat = (z - mean) * inv_std
                u = p[f"gamma{l}"] * z_hat + p[f"beta{l}"]
                bn = {"mean": mean, "var": var, "inv_std": inv_std, "z_hat": z_hat, "u": u}
            if l == last and self.softmax_ce:  # keep log Σ exp z: cross-entropy is lse − Σ y·z
                m = u.max(axis=1, keepdims=True)
                e = np.exp(u - m)
                total = reduce_sum(e, axis=1, keepdims=True)
                out.append(LayerPass(a, z, e / total, bn, lse=(m + np.log(total))[:, 0]))
                return out
            a_prev, a = a, s.activation.f(u)
            out.append(LayerPass(a_prev, z, a, bn))
        return out

    def sample_losses(self, layers: list[LayerPass], y: Array) -> Array:
        if self.softmax_ce:  # Σ_k y_k (lse − z_k), from the normaliser the forward pass kept
            out = layers[-1]
            return out.lse * reduce_sum(y, axis=1) - reduce_sum(y * out.z, axis=1)
        if self.fused:
            return fused_value(self.specs[-1].activation.name, layers[-1].z, y)
        return self.loss.value(layers[-1].a, y)

    def backward(self, layers: list[LayerPass], y: Array) -> tuple[Array, dict[str, Array]]:
        """Fill delta (and dL_da) of every layer; return the data-loss gradient, laid out
        as `flat`, and its named views.

        The vectorised rule per layer: dW = δᵀ a_prev / B, db = mean δ, ∂ℓ/∂a_prev = δ W.
        """
        p = self.params
        flat = np.empty(self.flat.size)
        grads = self.views(flat)  # each product below is written straight into its place
        B = y.shape[0]
        last = len(layers) - 1
        out = layers[last]
        if self.fused:
            out.delta = out.a - y  # ∂ℓ/∂a is left for the view to compute: not needed here
        else:
            out.dL_da = self.loss.grad(out.a, y)
        for l in range(last, -1, -1):
            s, lp = self.specs[l], layers[l]
            if lp.delta is None:
                lp.delta = self._delta(l, s, lp, grads)
            W, b = self.keys[l]
            np.matmul(lp.delta.T, lp.a_prev, out=grads[W])
            grads[W] /= B
            reduce_sum(lp.delta, axis=0, out=grads[b])
            grads[b] /= B  # = mean; np.mean costs 3x more here
            if l > 0:
                layers[l - 1].dL_da = lp.delta @ p[W]
        return flat, grads

    def _delta(self, l: int, s: LayerSpec, lp: LayerPass, grads: dict[str, Array]) -> Array:
        if lp.bn is None:
            return s.activation.vjp(lp.z, lp.a, filled(lp.dL_da))
        bn = lp.bn
        d_u = s.activation.vjp(bn["u"], lp.a, filled(lp.dL_da))
        lp.delta_u = d_u
        z_hat = bn["z_hat"]
        B = len(d_u)
        dgamma = reduce_sum(d_u * z_hat, axis=0, out=grads[f"gamma{l}"])
        dgamma /= B
        dbeta = reduce_sum(d_u, axis=0, out=grads[f"beta{l}"])
        dbeta /= B
        d_hat = d_u * self.params[f"gamma{l}"]
        # B·∂L/∂z: the batch-norm backward, every sample coupled through μ_B and σ²_B
        return bn["inv_std"] * (d_hat - reduce_sum(d_hat) / B - z_hat * reduce_sum(d_hat * z_hat) / B)

    def run(self, x: Array, y: Array) -> Pass:
        layers = self.forward(x)
        losses = self.sample_losses(layers, y)
        return Pass(layers, y, losses, *self.backward(layers, y))

    def update_running(self, layers: list[LayerPass]) -> None:
        for l, lp in enumerate(layers):
            if lp.bn is None:
                continue
            B = lp.z.shape[0]
            unbiased = lp.bn["var"] * (B / (B - 1)) if B > 1 else lp.bn["var"]
            m = BN_MOMENTUM
            self.running[f"mean{l}"] = (1 - m) * self.running[f"mean{l}"] + m * lp.bn["mean"]
            self.running[f"var{l}"] = (1 - m) * self.running[f"var{l}"] + m * unbiased

    def predict(self, x: Array) -> Array:
        return self.forward(x, train=False)[-1].a

    def copy(self) -> Network:
        twin = Network(self.specs, self.loss_name, self.params)  # copies them into its own vector
        twin.running = {k: v.copy() for k, v in self.running.items()}
        return twin


def build_specs(
    n_in: int, hidden: tuple[int, ...], n_out: int, activation: str, output_activation: str, batch_norm: bool
) -> list[LayerSpec]:
    sizes = [n_in, *hidden, n_out]
    last = len(sizes) - 2
    return [
        LayerSpec(
            sizes[l],
            sizes[l + 1],
            ACTIVATIONS[output_activation if l == last else activation],
            batch_norm and l < last,
        )
        for l in range(len(sizes) - 1)
    ]
