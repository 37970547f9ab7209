"""A Run: config + seed -> a deterministic sequence of training steps.

State t is the parameters after t updates plus everything backprop computes on the
batch that update t+1 will use. It depends on nothing but the config: stepping t
times, replaying from scratch and resuming from a checkpoint give the same bits.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

import numpy as np
import orjson

from engine import training
from engine.config import LIMITS, ConfigError, RunConfig, too_many
from engine.datasets import Dataset, make_dataset
from engine.history import FLOAT, History
from engine.initializers import init_weights
from engine.network import LayerPass, Network, Pass, build_specs
from engine.optimizers import Optimizer
from engine.quiet import quietly
from engine.recent import Recent
from engine.schedules import learning_rate
from engine.state import State, build_state

Arrays = dict[str, np.ndarray]
# Independent random streams, one per purpose, all from the run's seed.
INIT_STREAM, SHUFFLE_STREAM = 1, 2
EVAL_INTERVALS = (10, 20, 50, 100, 200, 500, 1000)
EVAL_BUDGET = 1_000_000  # multiply-adds: below it the State evaluates at its own step


def eval_interval(eval_macs: int, batch_macs: int) -> int:
    """Steps between two recorded evaluations: as few as 10, and enough that evaluating
    (one forward pass per row) costs at most a quarter of the training it watches
    (forward + backward, three passes per batch row). Rough µs: 10 per 10⁵ multiply-adds
    plus fixed Python costs."""
    eval_us, step_us = 15 + eval_macs / 1e4, 30 + 3 * batch_macs / 1e4
    return next((k for k in EVAL_INTERVALS if k * step_us >= 4 * eval_us), EVAL_INTERVALS[-1])


def accuracy(prediction: np.ndarray, y: np.ndarray) -> float:
    """Share of rows classified right: threshold 0.5 for one output, argmax otherwise."""
    if y.shape[1] == 1:
        right = np.count_nonzero((prediction > 0.5) == (y > 0.5))
    else:
        right = np.count_nonzero(prediction.argmax(axis=1) == y.argmax(axis=1))
    return int(right) / len(y)


DATA_FIELDS = ("dataset", "n_samples", "noise", "test_ratio", "seed")


SHARED_DATASETS = 8
_datasets: Recent[tuple, Dataset] = Recent(SHARED_DATASETS)
FIRST_EVALUATIONS = 256  # configs whose step-0 evaluation is kept (a few floats each)
_first_evaluations: Recent[RunConfig, dict[str, float | None]] = Recent(FIRST_EVALUATIONS)


def shared_dataset(config: RunConfig, one_hot_binary: bool) -> Dataset:
    """Runs whose data settings agree share one read-only copy of the data (31 MB for
    the digits), so a live run costs only its parameters, optimizer state and history."""
    data = config.data
    key = (
        *(getattr(config, f) for f in DATA_FIELDS),
        one_hot_binary,
        None if data is None else (data["x"], data["y"]),
    )

    def make() -> Dataset:
        dataset = make_dataset(config, one_hot_binary=one_hot_binary)
        for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test):
            array.setflags(write=False)
        return dataset

    return _datasets.get(key, make)


@dataclass(slots=True)
class StepPlan:
    """Everything about update t+1 before it is applied."""

    step: int
    index: np.ndarray  # rows of the training set in this batch
    passed: Pass
    penalty: float
    penalty_grad: np.ndarray | None  # flat, as Network.flat; None when there is no penalty
    grad: np.ndarray  # data + penalty, flat (named: net.views): the dW, db shown
    lr: float
    layer_norms: list[float]  # ‖∇‖ of each weight layer's parameters
    grad_norm: float
    clipped: bool
    update: np.ndarray  # what the optimizer will add to the parameter vector
    slots: Arrays


@dataclass(frozen=True)
class Checkpoint:
    step: int
    net: Network
    optimizer: Optimizer
    history: History  # shared, append-only: the checkpoint's part is its first n entries
    n_evals: int
    diverged_at: int | None

    def to_bytes(self) -> bytes:
        """Everything but the history that this step is made of, as bytes that
        Run.resume_bytes reads back exactly (a checkpoint shared through the store)."""
        return state_bytes(self.step, self.net, self.optimizer, self.diverged_at)


def state_bytes(step: int, net: Network, optimizer: Optimizer, diverged_at: int | None) -> bytes:
    """The parameters, batch-norm running statistics and optimizer slots as float64 bytes,
    the scalars in a JSON header before them: nothing to unpickle (the store that keeps
    them may be shared)."""
    arrays = [("flat", net.flat)]
    arrays += [(f"running:{k}", v) for k, v in net.running.items()]
    arrays += [(f"slot:{k}", v) for k, v in optimizer.slots.items()]
    header = orjson.dumps(
        {
            "step": step,
            "t": optimizer.t,
            "diverged_at": diverged_at,
            "arrays": [[name, int(v.size)] for name, v in arrays],
        }
    )
    body = b"".join(np.ascontiguousarray(v, dtype=FLOAT).tobytes() for _, v in arrays)
    return struct.pack("<I", len(header)) + header + body


class Run:
    def __init__(self, config: RunConfig):
        self.config = config
        softmax = config.output_activation == "softmax"
        self.dataset: Dataset = shared_dataset(config, softmax)
        n_in, n_out = self.dataset.x_train.shape[1], self.dataset.y_train.shape[1]
        if softmax and n_out < 2:
            raise ConfigError(
                "output_activation",
                "softmax needs at least 2 outputs, this data has 1",
                "sigmoid, tanh, relu, leaky_relu or linear for a single output",
                code="softmax_outputs",
                value=config.output_activation,
            )
        if config.loss == "cross_entropy" and n_out < 2:
            # −Σ_k y_k·log ŷ_k over one output is −y·log ŷ: the rows with y = 0 count for nothing
            raise ConfigError(
                "loss",
                "cross_entropy sums −y·log ŷ over the classes: with one output the rows with y = 0 count for nothing",
                "bce for one output (cross_entropy with softmax over 2 or more)",
                code="cross_entropy_outputs",
                value=config.loss,
            )
        if n_in > LIMITS["max_inputs"]:
            raise too_many("dataset", n_in, "inputs", LIMITS["max_inputs"])
        specs = build_specs(
            n_in, config.hidden, n_out, config.activation, config.output_activation, config.batch_norm
        )
        self._initial = Network(specs, config.loss, _initial_params(config, specs))
        if self._initial.n_params > LIMITS["max_parameters"]:
            raise too_many("hidden", self._initial.n_params, "parameters", LIMITS["max_parameters"])
        n = len(self.dataset.x_train)
        self.batch_size = n if config.batch_size == 0 else min(config.batch_size, n)
        self.batches_per_epoch = math.ceil(n / self.batch_size)
        self._all_rows = np.arange(n)
        self._perm_epoch, self._perm = -1, self._all_rows
        self._eval_cost = (n + len(self.dataset.x_test)) * self._initial.n_params
        # steps between two recorded evaluations; a benchmark times whole cycles of them
        self.eval_every = eval_interval(self._eval_cost, self.batch_size * self._initial.n_params)
        self.reset()

    # -- the sequence of steps ------------------------------------------------------

    def reset(self) -> None:
        self.net = self._initial.copy()
        c = self.config
        self.optimizer = Optimizer(c.optimizer, c.momentum, c.beta1, c.beta2, c.eps)
        self.history = History()
        self.step = 0
        self.diverged_at: int | None = None  # the first step whose loss or ‖∇‖ was NaN/inf
        self._plan: StepPlan | None = None
        self.history.record_eval(0, self._first_evaluation())

    def _first_evaluation(self) -> dict[str, float | None]:
        """The evaluation at step 0, a function of the config alone (its seed makes the
        weights): runs of one config share it. A class opening the digit lesson built 30 runs
        at once, each passing all 6,000 rows through the net at step 0 (~8 ms of 9 a run)."""
        c = self.config
        if c.data is not None or c.weights is not None:  # not hashable, and seldom shared
            return self.evaluate()
        return dict(_first_evaluations.get(c, self.evaluate))  # a copy: the history's own

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def n_params(self) -> int:
        return self.net.n_params

    @property
    def n_layers(self) -> int:
        return len(self.net.specs)

    def epoch(self, step: int | None = None) -> int:
        return (self.step if step is None else step) // self.batches_per_epoch

    def batch_index(self, step: int) -> np.ndarray:
        n = len(self.dataset.x_train)
        if self.batch_size >= n:  # full batch: every row, in data order
            return self._all_rows
        epoch, k = divmod(step, self.batches_per_epoch)
        if epoch != self._perm_epoch:  # a fresh seeded shuffle each epoch
            rng = np.random.default_rng([self.config.seed, SHUFFLE_STREAM, epoch])
            self._perm, self._perm_epoch = rng.permutation(n), epoch
        return self._perm[k * self.batch_size : (k + 1) * self.batch_size]

    def plan(self) -> StepPlan:
        """Forward, loss, backward and the proposed update for the current step (cached)."""
        if self._plan is None:
            self._plan = self._make_plan()
        return self._plan

    @quietly
    def _make_plan(self) -> StepPlan:
        c, t = self.config, self.step
        index = self.batch_index(t)
        x, y = self.dataset.x_train, self.dataset.y_train
        if index is not self._all_rows:
            x, y = x[index], y[index]
        net = self.net
        passed = net.run(x, y)
        pen, pen_grad, grad = training.add_penalty(c, net, passed.grad)
        squares = self.layer_squares(grad)
        norm = math.sqrt(sum(squares))
        used, clipped = training.clip(c, grad, norm)
        lr = learning_rate(c.schedule, c.learning_rate, t, c.decay, c.decay_steps)
        update, slots = self.optimizer.propose(used, lr)
        norms = [math.sqrt(q) for q in squares]
        return StepPlan(t, index, passed, pen, pen_grad, grad, lr, norms, norm, clipped, update, slots)

    @quietly
    def advance(self, n: int = 1) -> None:
        """Apply n updates."""
        for _ in range(n):
            plan = self._plan or self._make_plan()
            self.net.apply(plan.update)
            self.optimizer.commit(plan.slots)
            if self.net.running:
                self.net.update_running(plan.passed.layers)
            loss = plan.passed.loss + plan.penalty
            if self.diverged_at is None and not (math.isfinite(loss) and math.isfinite(plan.grad_norm)):
                self.diverged_at = plan.step
            self.history.record(plan.step, loss, plan.lr, plan.layer_norms)
            self.step += 1
            self._plan = None
            if self.step % self.eval_every == 0:
                self.history.record_eval(self.step, self.evaluate())

    def layer_squares(self, grad: np.ndarray) -> list[float]:
        """‖∇‖² of each weight layer's parameters (one stretch of the flat gradient each)."""
        squares = []
        for start, stop in self.net.layer_spans:  # a BLAS dot per layer: no squared copy of ∇
            part = grad[start:stop]
            squares.append(float(np.vdot(part, part)))
        return squares

    def metrics(self) -> dict[str, float | None]:
        """Current evaluation where cheap, else the latest recorded one; `at_step` says which."""
        if self._eval_cost <= EVAL_BUDGET:
            return {**self.evaluate(), "at_step": self.step}
        return {**self.history.evals[-1], "at_step": self.history.eval_step[-1]}

    # -- looking at the run -----------------------------------------------------------

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.activations(x)[-1]

    def activations(self, x: np.ndarray) -> list[np.ndarray]:
        """Every layer's activation for input rows, in evaluation mode (batch-norm running stats)."""
        with np.errstate(all="ignore"):
            return [lp.a for lp in self.net.forward(np.asarray(x, dtype=np.float64), train=False)]

    def evaluate(self) -> dict[str, float | None]:
        """Loss and accuracy on the whole training and test sets (evaluation mode)."""
        ds = self.dataset
        out: dict[str, float | None] = {}
        for split, x, y in (("train", ds.x_train, ds.y_train), ("test", ds.x_test, ds.y_test)):
            if len(x) == 0:
                out[f"{split}_loss"] = out[f"{split}_accuracy"] = None
                continue
            if split == "train" and self.batch_size >= len(x) and not self.net.running:
                # Full batch without batch norm: the next step's own forward pass is this very
                # evaluation, row for row, bit for bit; the step reuses it, so it costs nothing.
                passed = self.plan().passed
                loss, prediction = passed.loss, passed.layers[-1].a
            else:
                layers, loss = self._evaluation_pass(x, y)
                prediction = layers[-1].a
            out[f"{split}_loss"] = loss if math.isfinite(loss) else None
            out[f"{split}_accuracy"] = accuracy(prediction, y) if ds.kind == "classification" else None
        return out

    @quietly
    def _evaluation_pass(self, x: np.ndarray, y: np.ndarray) -> tuple[list[LayerPass], float]:
        layers = self.net.forward(x, train=False)
        return layers, self.net.batch_loss(layers, y)

    def gradient(self, rows: np.ndarray | None = None) -> np.ndarray:
        """∂L/∂params of the mean loss (+ penalty) over the given training rows (all when
        None), at the current weights: the full-data ∇C that mini-batches estimate. Flat,
        laid out as net.flat."""
        ds = self.dataset
        x, y = (ds.x_train, ds.y_train) if rows is None else (ds.x_train[rows], ds.y_train[rows])
        with np.errstate(all="ignore"):
            return training.add_penalty(self.config, self.net, self.net.run(x, y).grad)[2]

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(
            self.step,
            self.net.copy(),
            self.optimizer.copy(),
            self.history,
            len(self.history.evals),
            self.diverged_at,
        )

    @classmethod
    def restore(cls, config: RunConfig, checkpoint: Checkpoint) -> Run:
        run = cls(config)
        run.resume(checkpoint)
        return run

    def resume(self, checkpoint: Checkpoint) -> None:
        self.net = checkpoint.net.copy()
        self.optimizer = checkpoint.optimizer.copy()
        self.history = checkpoint.history.prefix(checkpoint.step, checkpoint.n_evals)
        self.step, self.diverged_at, self._plan = checkpoint.step, checkpoint.diverged_at, None

    def catch_up(self, checkpoint: Checkpoint, plan: StepPlan | None = None) -> None:
        """Go forward to `checkpoint`, taken by another run of this very config at a later
        step: the bits stepping there would give, since a run is a function of its config
        (seed included). The history records in between come from the checkpoint's history,
        which holds them as this run would have recorded them. `plan`: that run's plan at
        the checkpoint's step, if it made one (read-only once made: shared as it is)."""
        if not self.step <= checkpoint.step:
            raise ValueError(f"a checkpoint at step {checkpoint.step} is behind step {self.step}")
        self.history.extend(checkpoint.history, checkpoint.step, checkpoint.n_evals)
        self.net = checkpoint.net.copy()
        self.optimizer = checkpoint.optimizer.copy()
        self.step, self.diverged_at = checkpoint.step, checkpoint.diverged_at
        self._plan = plan if plan is not None and plan.step == checkpoint.step else None

    def planned(self) -> StepPlan | None:
        """The plan of the current step if it was made (plan() makes it)."""
        return self._plan

    def checkpoint_bytes(self) -> bytes:
        """checkpoint().to_bytes(), without copying the parameters first."""
        return state_bytes(self.step, self.net, self.optimizer, self.diverged_at)

    def resume_bytes(self, data: bytes, history: History) -> None:
        """Go to the step whose `state_bytes` these are, with `history` (its records up to
        that step). ValueError, and the run unchanged, if the bytes are not of this net."""
        try:
            self._resume_bytes(data, history)
        except (struct.error, KeyError, TypeError, IndexError) as error:
            raise ValueError(f"not a checkpoint: {error!r}") from error

    def _resume_bytes(self, data: bytes, history: History) -> None:
        (size,) = struct.unpack_from("<I", data)
        head = orjson.loads(data[4 : 4 + size])
        step, diverged_at = int(head["step"]), head["diverged_at"]
        numbers = np.frombuffer(data, dtype=FLOAT, offset=4 + size)
        got: Arrays = {}
        at = 0
        for name, n in head["arrays"]:
            got[name], at = numbers[at : at + n].copy(), at + n
        net = self._initial.copy()
        wanted = {"flat": net.flat.size, **{f"running:{k}": v.size for k, v in net.running.items()}}
        slots = {k.removeprefix("slot:"): v for k, v in got.items() if k.startswith("slot:")}
        if (
            at != numbers.size
            or {k: v.size for k, v in got.items() if not k.startswith("slot:")} != wanted
            or any(k not in ("v", "m", "s") or v.size != net.flat.size for k, v in slots.items())
            or len(history.step) != step
            or (diverged_at is not None and not 0 <= int(diverged_at) < step)
        ):
            raise ValueError("a checkpoint of another net, or a history of another step")
        net.set_flat(got["flat"])
        net.running = {k: got[f"running:{k}"].reshape(v.shape) for k, v in net.running.items()}
        c = self.config
        optimizer = Optimizer(c.optimizer, c.momentum, c.beta1, c.beta2, c.eps)
        optimizer.slots, optimizer.t = slots, int(head["t"])
        self.net, self.optimizer, self.history = net, optimizer, history
        self.step, self.diverged_at, self._plan = step, diverged_at, None

    def state(self) -> State:
        return build_state(self)

    def nbytes(self) -> int:
        """Memory of this run alone: the data set is shared (see shared_dataset)."""
        return 3 * self.net.flat.nbytes + self.optimizer.nbytes() + self.history.nbytes()


def _initial_params(config: RunConfig, specs) -> Arrays:
    params: Arrays = {}
    if config.weights is not None:
        if len(config.weights) != len(specs):
            raise ConfigError(
                "weights",
                f"has {len(config.weights)} layers, the network has {len(specs)}",
                "one {W, b} per weight layer",
                code="weights_shape",
                value=len(config.weights),
            )
        for l, (given, s) in enumerate(zip(config.weights, specs, strict=True)):
            W = np.array(given["W"], dtype=np.float64)
            if W.shape != (s.n_out, s.n_in):
                raise ConfigError(
                    f"weights[{l}].W",
                    f"has shape {W.shape[0]}×{W.shape[1]}",
                    f"layer {l} needs {s.n_out}×{s.n_in} (n_out × n_in)",
                    code="weights_shape",
                    value=f"{W.shape[0]}×{W.shape[1]}",
                )
            params[f"W{l}"] = W
            params[f"b{l}"] = np.array(given["b"], dtype=np.float64)
    else:
        rng = np.random.default_rng([config.seed, INIT_STREAM])
        for l, s in enumerate(specs):
            params[f"W{l}"] = init_weights(config.init, rng, s.n_in, s.n_out, config.init_scale)
            params[f"b{l}"] = np.zeros(s.n_out)
    for l, s in enumerate(specs):
        if s.batch_norm:
            params[f"gamma{l}"] = np.ones(s.n_out)
            params[f"beta{l}"] = np.zeros(s.n_out)
    return params
