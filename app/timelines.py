"""What the runs of one config reached, shared between them while they play.

A run is a function of its config (seed included): every run of a config holds the same
bits at step t, whoever stepped it there. A class playing one lesson therefore steps one
run a hundred times over: 100 students on XOR, five steps a frame at 40 frames a second,
are 20,000 updates a second of the same few thousand steps. Each stream publishes the end
of every frame it builds (a Checkpoint, which it makes anyway: RunManager.stream_frame), and
a frame of another run of the config takes the newest end within its own frame's steps and
steps only what is left (Run.catch_up, tested bit for bit against stepping), with the plan
of the end's step that the publisher's State made, so its own State makes none. Streams
land on common steps because their frames end on multiples of their steps per frame
(app/stream.py Schedule.target).

Answers are shared too: a frame's State, a Step's, a pause's or a GET /state's answer is the
same bytes for every run of the config at its step asked the same way (Timeline.answer,
through RunManager: app/stream.py asks only once the stream has sent every training row's
inputs, which compact frames send once per stream). A class opening a lesson asks for the
same first State thirty times within a second, and students stepping on from a pause at one
step ask for the same next one; and a Step publishes its end as a frame does, so the next run
of the config to step there catches up instead of stepping.

Bounded: a quarter of BPX_MAX_CACHE_MB in all, counted with the live runs in that budget
(RunManager._evict), for the TIMELINE_CONFIGS configs played most recently. Of a config's
share, half for its history: the ends share one, its records up to the furthest end, rather
than each holding on to the history of the run that published it, and an end whose history
would pass that half is not kept. A quarter for the ends (at most TIMELINE_ENDS; of nets
whose parameters and optimizer slots take at most TIMELINE_CHECKPOINT_BYTES, every lesson's:
the digit net's 104 kB are copied in ~35-100 µs where a step of it costs ~500 µs; at steps
up to TIMELINE_STEPS; a plan only if MIN_ENDS ends with it fit), and a quarter for the
answers (at most TIMELINE_ANSWERS).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from engine.history import History
from engine.recent import Recent
from engine.trainer import Checkpoint, StepPlan

TIMELINE_CONFIGS = 8
TIMELINE_ENDS = 256
TIMELINE_ANSWERS = 256
TIMELINE_CHECKPOINT_BYTES = 128 * 1024
TIMELINE_STEPS = 20_000
MIN_ENDS = 32  # ends with their plans a config's share holds at least, else plans are not kept
END_OBJECTS_BYTES = 2048  # an end's Python objects besides its arrays (a Network, an Optimizer, views)
Answer = TypeVar("Answer")  # a body (bytes), or a body and its headers (app/api.py Answer)


def answer_nbytes(answer: Any) -> int:
    return len(answer) if isinstance(answer, bytes) else len(answer[0])


def arrays_nbytes(checkpoint: Checkpoint) -> int:
    net = checkpoint.net
    return net.flat.nbytes + sum(v.nbytes for v in net.running.values()) + checkpoint.optimizer.nbytes()


def plan_nbytes(plan: StepPlan) -> int:
    """A plan's own arrays: the gradients, the update, the slots and each layer's pass (its
    inputs, the batch's rows, are the data set's)."""
    arrays = [plan.grad, plan.update, plan.penalty_grad, *plan.slots.values()]
    for layer in plan.passed.layers:
        arrays += [
            layer.z,
            layer.a,
            layer.lse,
            layer.delta,
            layer.dL_da,
            layer.delta_u,
            *(layer.bn or {}).values(),
        ]
    return sum(v.nbytes for v in arrays if v is not None) + END_OBJECTS_BYTES


class Timeline:
    """The newest frame ends of one config, by step, and their history."""

    def __init__(self, most_bytes: int, ends: int = TIMELINE_ENDS):
        self.most_bytes, self.most = most_bytes, ends
        self.history = History()  # append-only: every end's part of it is its first records
        self._ends: OrderedDict[int, tuple[Checkpoint, StepPlan | None, int]] = OrderedDict()  # and size
        self._answers: OrderedDict[tuple[int, Hashable], Any] = OrderedDict()  # by step and question
        self._ends_bytes = self._answers_bytes = 0  # kept as they change: the budget asks often
        self._lock = threading.Lock()

    def publish(self, end: Checkpoint, plan: StepPlan | None) -> None:
        """Keep `end` (a run's checkpoint, not to be changed after) and the run's plan at its
        step, if it made one (its State did), if it is shareable."""
        size = arrays_nbytes(end) + END_OBJECTS_BYTES
        if end.step > TIMELINE_STEPS or size > TIMELINE_CHECKPOINT_BYTES:
            return
        if plan is not None:  # its passes grow with the batch: kept if MIN_ENDS such ends fit
            with_plan = size + plan_nbytes(plan)
            plan, size = (plan, with_plan) if self.most_bytes // 4 // with_plan >= MIN_ENDS else (None, size)
        per_step = end.history.nbytes() / max(1, len(end.history.step))
        if per_step * end.step > self.most_bytes // 2:  # its history would take too much
            return
        with self._lock:
            if end.step in self._ends:
                return
            if len(self.history.step) < end.step:  # its records, the same as every run's of the config
                self.history.extend(end.history, end.step, end.n_evals)
            shared = Checkpoint(end.step, end.net, end.optimizer, self.history, end.n_evals, end.diverged_at)
            self._ends[end.step] = shared, plan, size
            self._ends_bytes += size
            while len(self._ends) > self.most or self._ends_bytes > self.most_bytes // 4:
                self._ends_bytes -= self._ends.popitem(last=False)[1][2]  # the oldest published

    def has(self, step: int) -> bool:
        """An end at `step` is kept (a Step need not copy its run's state to publish it)."""
        return step in self._ends

    def newest(self, after: int, upto: int) -> tuple[Checkpoint, StepPlan | None] | None:
        """The end at the highest step in (after, upto], if any, and its plan."""
        with self._lock:
            found = self._ends.get(upto)  # most often: streams end their frames on common steps
            if found is None:
                if upto - after <= len(self._ends):  # a Step's or a frame's few steps: each looked up
                    step = next((s for s in range(upto - 1, after, -1) if s in self._ends), None)
                else:
                    step = max((s for s in self._ends if after < s <= upto), default=None)
                if step is None:
                    return None
                found = self._ends[step]
            return found[0], found[1]

    def answer(self, step: int, question: Hashable, make: Callable[[], Answer]) -> Answer:
        """What `make()` gives for a run of this config at `step` (the same for every run
        there, if `question` names all it depends on besides), made once and kept for the next
        run to ask: the newest TIMELINE_ANSWERS used, in a quarter of the config's share."""
        key = (step, question)
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
                return found
        made = make()  # outside the lock: two runs may both make it, neither waits
        size = answer_nbytes(made)
        with self._lock:
            if key not in self._answers and size <= self.most_bytes // 4:
                self._answers[key] = made
                self._answers_bytes += size
                while len(self._answers) > TIMELINE_ANSWERS or self._answers_bytes > self.most_bytes // 4:
                    self._answers_bytes -= answer_nbytes(self._answers.popitem(last=False)[1])
        return made

    def nbytes(self) -> int:
        return self._answers_bytes + self._ends_bytes + self.history.nbytes()


class Timelines:
    def __init__(self, most_bytes: int, configs: int = TIMELINE_CONFIGS):
        self.most_bytes = most_bytes
        self._timelines: Recent[str, Timeline] = Recent(configs)

    def of(self, version: str) -> Timeline:
        """The timeline of the config (and engine) that `version` names (app/runs.py's
        checkpoint_version: never a run of another config or engine)."""
        return self._timelines.get(version, lambda: Timeline(self.most_bytes // self._timelines.size))

    def nbytes(self) -> int:
        return sum(timeline.nbytes() for timeline in self._timelines.values())
