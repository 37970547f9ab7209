"""The multilayer perceptron: a forward and a backward pass that keep every intermediate.

Parameters live in one flat vector, layer after layer (W0, b0, γ0, β0, W1, …); `params`
names views into it ("W0", "b0", "gamma0", "beta0", …), which is what the view and the
snapshots speak. The gradient of a pass has the same layout (`views` names its dW, db
when they are shown). Penalties, clipping, the optimizer and the update then work on whole
vectors: one NumPy call per step instead of one per parameter, which is most of a small
net's step. A pass keeps plain arrays with the names the view uses: z, a, delta, dL_da.

Batch norm (hidden layers only) sits between z and the activation:
u = γ·ẑ + β with ẑ = (z − μ_B)/√(σ²_B + ε), a = f(u).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np

from engine.activations import ACTIVATIONS, Activation
from engine.losses import LOSSES, fused_terms, is_fused, reduce_sum, softmax_cross_entropy, total

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
    loss: float  # the batch loss, mean ℓ_s
    grad: Array  # ∂(mean ℓ_s)/∂params, laid out as Network.flat (named: Network.views)


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
        self._slices = {name: cut for name, cut, _ in self._cuts}
        # where backward() writes each layer's dW (as a matrix) and db in a flat gradient
        self._grad_cuts = [
            (self._slices[f"W{l}"], (s.n_out, s.n_in), self._slices[f"b{l}"]) for l, s in enumerate(specs)
        ]
        self.keys = [(f"W{l}", f"b{l}") for l in range(len(specs))]  # formatted once, not every pass
        flat = np.empty(self.layout[-1].stop)
        for slot in self.layout:
            flat[slot.start : slot.stop] = np.asarray(params[slot.name], dtype=np.float64).ravel()
        self.set_flat(flat)
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
        # (W, Wᵀ, b) of each layer for the passes, as views made once: `apply` updates in place
        self._affine = [(self.params[W], self.params[W].T, self.params[b]) for W, b in self.keys]

    def apply(self, update: Array) -> None:
        """p ← p + Δp, in place: `params` stay views of `flat`. Whoever keeps parameters
        beyond a step (a State, a checkpoint) keeps copies."""
        self.flat += update

    def forward(self, x: Array, train: bool = True) -> list[LayerPass]:
        p = self.params
        out: list[LayerPass] = []
        a = x
        last = len(self.specs) - 1
        for l, (s, (_, W_T, b)) in enumerate(zip(self.specs, self._affine, strict=True)):
            z = a @ W_T
            z += b
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
                m = np.maximum.reduce(u, axis=1, keepdims=True)  # u.max without its wrapper
                e = u - m
                np.exp(e, out=e)
                sums = reduce_sum(e, axis=1, keepdims=True)
                lse = (m + np.log(sums))[:, 0]
                e /= sums  # the softmax, in the buffer of its exponentials
                out.append(LayerPass(a, z, e, bn, lse=lse))
                return out
            a_prev, a = a, s.activation.f(u)
            out.append(LayerPass(a_prev, z, a, bn))
        return out

    def batch_loss(self, layers: list[LayerPass], y: Array) -> float:
        """The mean of ℓ_s over the rows of a forward pass."""
        out = layers[-1]
        if self.softmax_ce:  # from the normaliser the forward pass kept
            return softmax_cross_entropy(filled(out.lse), out.z, y)
        if self.fused:  # sigmoid with bce, from the logits
            return total(fused_terms(out.z, y)) / len(y)
        return self.loss.mean(out.a, y)

    def backward(self, layers: list[LayerPass], y: Array) -> Array:
        """Fill delta (and dL_da) of every layer; return the data-loss gradient, laid out
        as `flat` (`views` names its parts).

        The vectorised rule per layer: dW = δᵀ a_prev / B, db = mean δ, ∂ℓ/∂a_prev = δ W.
        """
        flat = np.empty(self.flat.size)  # each product below is written straight into its place
        B = y.shape[0]
        last = len(layers) - 1
        out = layers[last]
        if self.fused:
            out.delta = out.a - y  # ∂ℓ/∂a is left for the view to compute: not needed here
        else:
            out.dL_da = self.loss.grad(out.a, y)
        for l in range(last, -1, -1):
            s, lp, (W_cut, W_shape, b_cut) = self.specs[l], layers[l], self._grad_cuts[l]
            if lp.delta is None:
                if lp.bn is None:
                    lp.delta = s.activation.vjp(lp.z, lp.a, filled(lp.dL_da))
                else:
                    lp.delta = self._batch_norm_delta(l, s, lp, lp.bn, flat)
            np.matmul(lp.delta.T, lp.a_prev, out=flat[W_cut].reshape(W_shape))
            reduce_sum(lp.delta, axis=0, out=flat[b_cut])
            if l > 0:
                layers[l - 1].dL_da = lp.delta @ self._affine[l][0]
        flat /= B  # sums over the batch -> means, every parameter in one call
        return flat

    def _batch_norm_delta(
        self, l: int, s: LayerSpec, lp: LayerPass, bn: dict[str, Array], grad: Array
    ) -> Array:
        """B·∂L/∂z of a batch-norm layer; writes Σ_s ∂ℓ_s/∂γ and Σ_s ∂ℓ_s/∂β into `grad`."""
        d_u = s.activation.vjp(bn["u"], lp.a, filled(lp.dL_da))
        lp.delta_u = d_u
        z_hat = bn["z_hat"]
        B = len(d_u)
        reduce_sum(d_u * z_hat, axis=0, out=grad[self._slices[f"gamma{l}"]])  # backward() divides by B
        reduce_sum(d_u, axis=0, out=grad[self._slices[f"beta{l}"]])
        d_hat = d_u * self.params[f"gamma{l}"]
        # B·∂L/∂z: the batch-norm backward, every sample coupled through μ_B and σ²_B
        return bn["inv_std"] * (d_hat - reduce_sum(d_hat) / B - z_hat * reduce_sum(d_hat * z_hat) / B)

    def run(self, x: Array, y: Array) -> Pass:
        layers = self.forward(x)
        return Pass(layers, y, self.batch_loss(layers, y), self.backward(layers, y))

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
        """A twin with its own parameters and running statistics. What __init__ derives from
        the specs (layout, cuts, keys) never changes, so the twin shares it rather than
        derives it again: a played frame keeps a copy for a pause (XOR 25 -> 6 µs)."""
        twin = copy.copy(self)
        twin.set_flat(self.flat.copy())
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
