"""Per-step records of a run: the loss curve, learning rate, gradient norms, evaluations.

A stretch of them goes to bytes and back exactly (`segment_bytes`, `extend_bytes`): a
checkpoint shared through the store carries the history a worker that did not compute it
lacks (app/runs.py). Numbers are float64 bytes as they are, NaN and ±inf included; the
little that is not a number (the evaluations' steps, their keys, which values are None)
is a JSON header. Nothing is unpickled.
"""

from __future__ import annotations

import bisect
import itertools
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

FLOAT = np.dtype("<f8")


@dataclass
class History:
    step: list[int] = field(default_factory=list)  # the update's number t (0 = first)
    loss: list[float] = field(default_factory=list)  # batch loss + penalty before update t
    lr: list[float] = field(default_factory=list)
    grad_norms: list[list[float]] = field(default_factory=list)  # per weight layer
    eval_step: list[int] = field(default_factory=list)  # evaluated after this many updates
    evals: list[dict[str, float | None]] = field(default_factory=list)

    def record(self, step: int, loss: float, lr: float, grad_norms: list[float]) -> None:
        self.step.append(step)
        self.loss.append(loss)
        self.lr.append(lr)
        self.grad_norms.append(grad_norms)

    def record_eval(self, step: int, metrics: dict[str, float | None]) -> None:
        self.eval_step.append(step)
        self.evals.append(metrics)

    def copy(self) -> History:
        return self.prefix(len(self.step), len(self.evals))

    def prefix(self, n_steps: int, n_evals: int) -> History:
        """The history as it was after n_steps updates and n_evals evaluations. Records are
        only ever appended, so a checkpoint need not copy them: it keeps the lengths."""
        return History(
            self.step[:n_steps],
            self.loss[:n_steps],
            self.lr[:n_steps],
            self.grad_norms[:n_steps],
            self.eval_step[:n_evals],
            self.evals[:n_evals],
        )

    def extend(self, other: History, n_steps: int, n_evals: int) -> None:
        """Append `other`'s records after this history's own, up to n_steps updates and
        n_evals evaluations: `other` is a later history of the same run (or of a run of the
        same config), whose first records are this one's."""
        have, evals = len(self.step), len(self.evals)
        self.step += other.step[have:n_steps]
        self.loss += other.loss[have:n_steps]
        self.lr += other.lr[have:n_steps]
        self.grad_norms += other.grad_norms[have:n_steps]
        self.eval_step += other.eval_step[evals:n_evals]
        self.evals += other.evals[evals:n_evals]

    def n_evals_at(self, step: int) -> int:
        """Evaluations made after at most `step` updates."""
        return bisect.bisect_right(self.eval_step, step)

    def segment_bytes(self, start: int, end: int) -> bytes:
        """The records of updates start..end-1 and the evaluations made after more than
        `start` and at most `end` updates (the first, at 0, every run makes when built)."""
        if not 0 <= start <= end <= len(self.step):
            raise ValueError(f"no records {start}..{end} in a history of {len(self.step)}")
        first, last = self.n_evals_at(start), self.n_evals_at(end)
        evals = self.evals[first:last]
        keys = list(evals[0]) if evals else []
        if any(list(e) != keys for e in evals):
            raise ValueError("evaluations with different keys")
        values = [e[k] for e in evals for k in keys]
        n_layers = len(self.grad_norms[start]) if end > start else 0
        header = orjson.dumps(
            {
                "start": start,
                "end": end,
                "layers": n_layers,
                "eval_step": self.eval_step[first:last],
                "keys": keys,
                "none": [i for i, v in enumerate(values) if v is None],
            }
        )
        numbers = np.concatenate(
            [
                np.asarray(self.loss[start:end], dtype=FLOAT),
                np.asarray(self.lr[start:end], dtype=FLOAT),
                # flattened as they come: a list of short lists through asarray cost 2-3x
                # (a stream's every tell shares its chunk: 500 XOR steps 100 -> 44 µs)
                np.fromiter(itertools.chain.from_iterable(self.grad_norms[start:end]), dtype=FLOAT),
                np.asarray([0.0 if v is None else v for v in values], dtype=FLOAT),
            ]
        )
        return struct.pack("<I", len(header)) + header + numbers.tobytes()

    def extend_bytes(self, data: bytes) -> None:
        """Append a segment made by `segment_bytes`; it must begin where this history ends
        (ValueError if not, or if the bytes do not read as a segment)."""
        try:
            self._extend_bytes(data)
        except (struct.error, KeyError, TypeError, IndexError) as error:
            raise ValueError(f"not a history segment: {error!r}") from error

    def _extend_bytes(self, data: bytes) -> None:
        (size,) = struct.unpack_from("<I", data)
        head = orjson.loads(data[4 : 4 + size])
        start, end, n_layers = int(head["start"]), int(head["end"]), int(head["layers"])
        eval_step, keys, none = head["eval_step"], head["keys"], set(head["none"])
        n = end - start
        if (
            start != len(self.step)
            or n < 0
            or (self.eval_step and eval_step and eval_step[0] <= self.eval_step[-1])
        ):
            raise ValueError(f"a segment from {start} does not follow a history of {len(self.step)}")
        numbers = np.frombuffer(data, dtype=FLOAT, offset=4 + size)
        if numbers.size != n * (2 + n_layers) + len(eval_step) * len(keys):
            raise ValueError("a segment of the wrong length")
        loss, lr = numbers[:n].tolist(), numbers[n : 2 * n].tolist()
        norms = numbers[2 * n : n * (2 + n_layers)].reshape(n, n_layers).tolist()
        values = numbers[n * (2 + n_layers) :].tolist()
        self.step.extend(range(start, end))
        self.loss.extend(loss)
        self.lr.extend(lr)
        self.grad_norms.extend(norms)
        for i, at in enumerate(eval_step):
            row = range(i * len(keys), (i + 1) * len(keys))
            self.record_eval(
                int(at), {k: None if j in none else values[j] for k, j in zip(keys, row, strict=True)}
            )

    def nbytes(self) -> int:
        per_step = 8 * (3 + (len(self.grad_norms[0]) if self.grad_norms else 0)) + 64
        return per_step * len(self.step) + 200 * len(self.evals)

    def to_dict(self, since: int = 0) -> dict[str, Any]:
        """The records a reader at step `since` lacks: updates since..now and the evaluations
        made after more than `since` updates (since=0: everything)."""
        first_eval = bisect.bisect_right(self.eval_step, since) if since else 0
        evals = self.evals[first_eval:]
        keys = sorted(set().union(*self.evals))  # in C: a Python loop over 200 evaluations took 50 µs
        return {
            "step": self.step[since:],
            "loss": self.loss[since:],
            "lr": self.lr[since:],
            "grad_norms": self.grad_norms[since:],
            "eval_step": self.eval_step[first_eval:],
            **{k: [e.get(k) for e in evals] for k in keys},
        }
