"""How a classifier does on held-out data: the confusion matrix and the examples it gets wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from engine.trainer import Run


def confusion(run: Run, split: str = "test", examples_per_class: int = 6) -> dict[str, Any]:
    """matrix[t][p]: rows of true class t predicted as p (evaluation mode)."""
    ds = run.dataset
    if ds.kind != "classification":
        return {"split": split, "classification": False}
    x, y = (ds.x_test, ds.y_test) if split == "test" and len(ds.x_test) else (ds.x_train, ds.y_train)
    used = split if x is ds.x_test else "train"
    truth = ds.labels(y)
    predicted = ds.labels(run.predict(x))
    k = max(2, ds.n_classes)
    matrix = np.zeros((k, k), dtype=np.int64)
    np.add.at(matrix, (truth, predicted), 1)
    wrong = {int(c): np.flatnonzero((truth == c) & (predicted != c))[:examples_per_class] for c in range(k)}
    return {
        "split": used,
        "classification": True,
        "matrix": matrix,
        "accuracy": float(np.trace(matrix) / len(x)),
        "wrong": {
            c: [{"row": int(r), "predicted": int(predicted[r])} for r in rows] for c, rows in wrong.items()
        },
        "step": run.step,
    }
