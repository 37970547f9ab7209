"""The multilayer perceptron: a forward and a backward pass that keep every intermediate.

Parameters live in one dict keyed by name ("W0", "b0", "gamma0", "beta0", …) so the
optimizer, the clipping and the snapshots all speak the same names. A pass returns
plain arrays with the names the view uses: z, a, delta, dW, db.

Batch norm (hidden layers only) sits between z and the activation:
u = γ·ẑ + β with ẑ = (z − μ_B)/√(σ²_B + ε), a = f(u).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.activations import ACTIVATIONS, Activation
from engine.losses import LOSSES, fused_value, is_fused

Array = np.ndarray
BN_EPS = 1e-5
BN_MOMENTUM = 0.1  # running = (1 − m)·running + m·batch, as torch.nn.BatchNorm1d


@dataclass(frozen=True)
class LayerSpec:
    n_in: int
    n_out: int
    activation: Activation
    batch_norm: bool


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


@dataclass(slots=True)
class Pass:
    layers: list[LayerPass]
    y: Array
    losses: Array  # ℓ_s, shape (B,)
    grads: dict[str, Array] = field(default_factory=dict)  # of the data loss (mean ℓ_s)

    @property
    def loss(self) -> float:
        return float(self.losses.sum()) / len(self.losses)  # the mean, without np.mean's overhead


class Network:
    def __init__(self, specs: list[LayerSpec], loss: str, params: dict[str, Array]):
        self.specs = specs
        self.loss_name = loss
        self.loss = LOSSES[loss]
        self.fused = is_fused(specs[-1].activation.name, loss)
        self.softmax_ce = self.fused and specs[-1].activation.name == "softmax"
        self.params = params
        self.keys = [(f"W{l}", f"b{l}") for l in range(len(specs))]  # formatted once, not every pass
        self.running: dict[str, Array] = {}  # batch-norm running mean/var, for evaluation
        for l, s in enumerate(specs):
            if s.batch_norm:
                self.running[f"mean{l}"] = np.zeros(s.n_out)
                self.running[f"var{l}"] = np.ones(s.n_out)

    @property
    def n_params(self) -> int:
        return sum(p.size for p in self.params.values())

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
                    mean = z.sum(axis=0) / len(z)
                    var = np.square(z - mean).sum(axis=0) / len(z)
                else:
                    mean, var = self.running[f"mean{l}"], self.running[f"var{l}"]
                inv_std = 1.0 / np.sqrt(var + BN_EPS)
                z_hat = (z - mean) * inv_std
                u = p[f"gamma{l}"] * z_hat + p[f"beta{l}"]
                bn = {"mean": mean, "var": var, "inv_std": inv_std, "z_hat": z_hat, "u": u}
            if l == last and self.softmax_ce:  # keep log Σ exp z: cross-entropy is lse − Σ y·z
                m = u.max(axis=1, keepdims=True)
                e = np.exp(u - m)
                total = e.sum(axis=1, keepdims=True)
                out.append(LayerPass(a, z, e / total, bn, lse=(m + np.log(total))[:, 0]))
                return out
            a_prev, a = a, s.activation.f(u)
            out.append(LayerPass(a_prev, z, a, bn))
        return out

    def sample_losses(self, layers: list[LayerPass], y: Array) -> Array:
        if self.softmax_ce:  # Σ_k y_k (lse − z_k), from the normaliser the forward pass kept
            out = layers[-1]
            return out.lse * y.sum(axis=1) - (y * out.z).sum(axis=1)
        if self.fused:
            return fused_value(self.specs[-1].activation.name, layers[-1].z, y)
        return self.loss.value(layers[-1].a, y)

    def backward(self, layers: list[LayerPass], y: Array) -> dict[str, Array]:
        """Fill delta (and dL_da) of every layer; return the data-loss gradients.

        The vectorised rule per layer: dW = δᵀ a_prev / B, db = mean δ, ∂ℓ/∂a_prev = δ W.
        """
        p = self.params
        grads: dict[str, Array] = {}
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
            dW = lp.delta.T @ lp.a_prev
            dW /= B  # in place: one array less per layer on the hot path
            db = lp.delta.sum(axis=0)
            db /= B  # = mean; np.mean costs 3x more here
            grads[W], grads[b] = dW, db
            if l > 0:
                layers[l - 1].dL_da = lp.delta @ p[W]
        return grads

    def _delta(self, l: int, s: LayerSpec, lp: LayerPass, grads: dict[str, Array]) -> Array:
        if lp.bn is None:
            return s.activation.vjp(lp.z, lp.a, lp.dL_da)
        bn = lp.bn
        d_u = s.activation.vjp(bn["u"], lp.a, lp.dL_da)
        lp.delta_u = d_u
        z_hat = bn["z_hat"]
        B = len(d_u)
        grads[f"gamma{l}"] = (d_u * z_hat).sum(axis=0) / B
        grads[f"beta{l}"] = d_u.sum(axis=0) / B
        d_hat = d_u * self.params[f"gamma{l}"]
        # B·∂L/∂z: the batch-norm backward, every sample coupled through μ_B and σ²_B
        return bn["inv_std"] * (d_hat - d_hat.sum(axis=0) / B - z_hat * (d_hat * z_hat).sum(axis=0) / B)

    def run(self, x: Array, y: Array) -> Pass:
        layers = self.forward(x)
        result = Pass(layers, y, self.sample_losses(layers, y))
        result.grads = self.backward(layers, y)
        return result

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
        twin = Network(self.specs, self.loss_name, {k: v.copy() for k, v in self.params.items()})
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
