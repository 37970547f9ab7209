"""Answers shared by runs of one config at one step.

A run's State at step t is a pure function of its config and t (docs/state.md: the same bits
however it got there), and so is everything a page asks for with it. A class opening a
lesson creates one run per student, all of the same config at step 0, and each page asks
for the same answer: the digit lesson's first State with its side plots cost ~6 ms of CPU
each, 30 times over within a second. The first is kept here under (config, step, what was
asked, and whether gzipped) and the others are sent it.

Only configs without their own data or weights are kept (those are seldom shared, and
large), only answers under MAX_BYTES, and only the MAX_ANSWERS used last.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from engine.recent import Recent
from engine.trainer import Run

MAX_ANSWERS = 64
MAX_BYTES = 1_000_000

Answer = tuple[bytes, dict[str, str] | None]  # the body as sent, and its headers (api.gzipped)
_answers: Recent[Hashable, Answer] = Recent(MAX_ANSWERS)


def shared_answer(run: Run, asked: Hashable, make: Callable[[], Answer]) -> Answer:
    """`make()`, or the answer it gave for another run of this config at this step."""
    config = run.config
    if config.data is not None or config.weights is not None:
        return make()
    return _answers.get((config, run.step, asked), make, keep=lambda answer: len(answer[0]) <= MAX_BYTES)
