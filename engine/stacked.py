"""The batch loss at many parameter vectors at once, bit for bit as Network computes each.

`losses(net, thetas, x, y)[i]` is `net.batch_loss(net.forward(x), y)` with net's
parameters set to thetas[i]: the same numbers, not merely close ones. Every point's
arrays are a stack, (k, B, n) where the net has (B, n), so a layer is a handful of NumPy
calls for all k points instead of per point; a small net's forward pass is mostly the
cost of its calls, not of its arithmetic.

Identical bits come from making each point's work the very same operations on the same
shapes and memory layout as Network.forward and Loss.mean:
- a stacked matmul calls BLAS once per point with that point's (B, n_in) × (n_in, n_out)
  operands, strided as the net's (Wᵀ is a transposed view in both), so the same kernel;
  one product of (B, n_in) with every point's weights side by side would pick another;
- sums and dot products run along the same axis with the same length: a batch-norm
  mean over rows (sequential row after row), a row's softmax normaliser or a point's
  loss terms along contiguous memory (pairwise), np.vdot's BLAS dot as a matmul of a
  (1, N) row with an (N, 1) column (which NumPy hands to the same dot);
- elementwise functions see contiguous arrays, as in the net, so the same SIMD loops.
Any change to Network.forward or Loss.mean must be mirrored here: the test
tests/engine/test_chain.py checks the two agree exactly on many configs.
"""

from __future__ import annotations

import numpy as np

from engine.config import RunConfig
from engine.losses import fused_terms, reduce_sum
from engine.network import BN_EPS, Network
from engine.training import is_weight

Array = np.ndarray


def dots(a: Array, b: Array) -> Array:
    """np.vdot(a[i], b[i]) per point i, for stacks of shape (k, …) (b may be shared: (1, …))."""
    rows = a.reshape(len(a), 1, -1)  # (k, 1, N) @ (k, N, 1): a dot product per point
    return (rows @ b.reshape(len(b), -1, 1))[:, 0, 0]


def sums(terms: Array) -> Array:
    """reduce_sum(terms[i], axis=None) per point: each point's terms are contiguous."""
    return reduce_sum(terms.reshape(len(terms), -1), axis=1)


def losses(net: Network, thetas: Array, x: Array, y: Array) -> Array:
    """The batch loss (mean ℓ_s, no penalty) of the batch (x, y) at each row of thetas."""
    k, B = len(thetas), len(y)
    params = {slot.name: thetas[:, slot.start : slot.stop] for slot in net.layout}  # (k, size) views
    last = len(net.specs) - 1
    a = x  # (B, n_in): the same rows for every point, broadcast by the first product
    for l, s in enumerate(net.specs):
        W = params[f"W{l}"].reshape(k, s.n_out, s.n_in)
        z = a @ W.transpose(0, 2, 1)
        z += params[f"b{l}"][:, None, :]
        u = z
        if s.batch_norm:  # training mode: every point has its own batch statistics
            mean = reduce_sum(z, axis=1, keepdims=True) / B
            var = reduce_sum(np.square(z - mean), axis=1, keepdims=True) / B
            inv_std = 1.0 / np.sqrt(var + BN_EPS)
            z_hat = (z - mean) * inv_std
            u = params[f"gamma{l}"][:, None, :] * z_hat + params[f"beta{l}"][:, None, :]
        if l < last:
            a = s.activation.f(u)
    return _output_losses(net, z, u, y)


def _output_losses(net: Network, z: Array, u: Array, y: Array) -> Array:
    """net.batch_loss per point from the output layer's z and u, (k, B, K)."""
    B = len(y)
    if net.softmax_ce:  # as Network.forward keeps lse, and softmax_cross_entropy uses it
        m = np.maximum.reduce(u, axis=2, keepdims=True)
        e = u - m
        np.exp(e, out=e)
        lse = (m + np.log(reduce_sum(e, axis=2, keepdims=True)))[:, :, 0]
        return (dots(lse, reduce_sum(y, axis=1)[None]) - dots(y[None], z)) / B
    if net.fused:  # sigmoid with bce, from the logits
        return sums(fused_terms(z, y)) / B
    p = net.specs[-1].activation.f(u)
    loss = net.loss
    if loss.weight is not None:  # squared errors: weight·(d·d)/B, d = ŷ − y
        d = p - y
        return loss.weight(y.shape[1]) * dots(d, d) / B
    return sums(loss.terms(p, y)) / B


def penalties(config: RunConfig, net: Network, thetas: Array) -> Array:
    """training.penalty_value at each row of thetas, with the same sums in the same order."""
    l1, l2 = config.l1, config.l2
    value = np.zeros(len(thetas))
    for slot in net.layout:
        if is_weight(slot.name):
            W = thetas[:, slot.start : slot.stop]
            value += l1 * sums(np.abs(W)) + 0.5 * l2 * sums(W * W)
    return value
