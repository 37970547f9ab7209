"""Learning-rate schedules: the rate used by update number t (t = 0 for the first)."""

from __future__ import annotations

import math


def learning_rate(schedule: str, base: float, t: int, decay: float, decay_steps: int) -> float:
    if schedule == "constant":
        return base
    if schedule == "step":  # multiply by `decay` every `decay_steps` updates
        return base * decay ** (t // decay_steps)
    if schedule == "exponential":  # smooth version: `decay` per `decay_steps` updates
        return base * decay ** (t / decay_steps)
    if schedule == "cosine":  # from base down to base·decay over decay_steps, then flat
        progress = min(t, decay_steps) / decay_steps
        floor = base * decay
        return floor + 0.5 * (base - floor) * (1.0 + math.cos(math.pi * progress))
    raise ValueError(f"unknown schedule {schedule!r}")
