"""Each 2-D lesson, played at its default speed, shows its learning within 10 s of Play.

The page plays STREAM_RATE frames a second of `speed` steps each (static/js/actions.js); a
lesson's default speed is its view's `speed` (engine/lessons/*.json, else 1). The step where
the learning shows is computed from the lesson's own run: the first evaluation at which the
training loss has moved half of its largest move away from the start (down when it learns,
up when its rate is too high), or the step where it diverges.
"""

from __future__ import annotations

import re

import pytest

from app.urlstate import PAGE_PARAMS
from engine.config import RunConfig
from engine.presets import PRESETS
from engine.trainer import Run
from tests.support import ROOT

SECONDS = 10
STREAM_RATE = float(
    re.search(r"const STREAM_RATE = (\d+)", (ROOT / "static/js/actions.js").read_text()).group(1)
)  # type: ignore[union-attr]
MENU = re.search(r'<select id="speed".*?</select>', (ROOT / "templates/index.html").read_text(), re.S).group(
    0
)  # type: ignore[union-attr]
SPEEDS = [int(v) for v in re.findall(r'value="(\d+)"', MENU)]
PLANE = [
    name
    for name, lesson in PRESETS.items()
    if Run(RunConfig.from_dict(lesson.config)).dataset.x_train.shape[1] == 2
]


def learning_shows_at(name: str) -> int:
    lesson = PRESETS[name]
    run = Run(RunConfig.from_dict(lesson.config))
    run.advance(lesson.steps)
    if run.diverged_at is not None:
        return run.diverged_at
    losses = [
        (step, e["train_loss"]) for step, e in zip(run.history.eval_step, run.history.evals, strict=True)
    ]
    start = losses[0][1]
    largest = max(abs(loss - start) for _, loss in losses if loss is not None)
    return next(step for step, loss in losses if loss is not None and abs(loss - start) >= largest / 2)


def default_speed(name: str) -> int:
    return PRESETS[name].view.get("speed", PAGE_PARAMS["speed"][1])


def test_the_plane_lessons_are_found():
    assert {"xor", "momentum", "vanishing", "exploding"} <= set(PLANE)
    assert "digits" not in PLANE and SPEEDS == sorted(SPEEDS) and STREAM_RATE > 0


@pytest.mark.parametrize("name", PLANE)
def test_at_its_default_speed_a_lesson_shows_its_learning_within_10_seconds(name):
    speed = default_speed(name)
    assert speed in SPEEDS, f"{name}: speed {speed} is not on the page's menu {SPEEDS}"
    reached = speed * STREAM_RATE * SECONDS
    shows = learning_shows_at(name)
    assert reached >= shows, (
        f"{name}: {reached:.0f} steps in {SECONDS} s at {speed}×, learning shows at step {shows}"
    )
