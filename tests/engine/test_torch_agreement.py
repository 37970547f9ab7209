"""The optimizers agree with torch.optim for the same settings (docs/conventions.md), where torch is
installed (the optional `bench` extra); elsewhere the plain-float reference in
test_training.py is the truth."""

from __future__ import annotations

import numpy as np
import pytest

from engine.trainer import Run

from .helpers import xor

torch = pytest.importorskip("torch")

OPTIMIZERS = {
    "sgd": lambda p, c: torch.optim.SGD(p, lr=c.learning_rate),
    "momentum": lambda p, c: torch.optim.SGD(p, lr=c.learning_rate, momentum=c.momentum),
    "nesterov": lambda p, c: torch.optim.SGD(p, lr=c.learning_rate, momentum=c.momentum, nesterov=True),
    "adagrad": lambda p, c: torch.optim.Adagrad(p, lr=c.learning_rate, eps=c.eps),
    "rmsprop": lambda p, c: torch.optim.RMSprop(p, lr=c.learning_rate, alpha=c.beta2, eps=c.eps),
    "adam": lambda p, c: torch.optim.Adam(p, lr=c.learning_rate, betas=(c.beta1, c.beta2), eps=c.eps),
}


@pytest.mark.parametrize("kind", list(OPTIMIZERS))
def test_same_updates_as_torch_optim(kind):
    run = Run(xor(hidden=[3], optimizer=kind, learning_rate=0.05, seed=11))
    names = list(run.net.params)
    tensors = [torch.tensor(run.net.params[n].copy(), requires_grad=True) for n in names]
    opt = OPTIMIZERS[kind](tensors, run.config)
    for _ in range(6):
        grads = run.net.views(
            run.plan().grad
        )  # the gradient our engine shows; torch applies its own rule to it
        for tensor, name in zip(tensors, names, strict=True):
            tensor.grad = torch.tensor(grads[name])
        opt.step()
        run.advance(1)
        for tensor, name in zip(tensors, names, strict=True):
            np.testing.assert_allclose(run.net.params[name], tensor.detach().numpy(), rtol=1e-10, atol=1e-14)
