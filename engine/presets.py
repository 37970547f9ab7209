"""The lessons: one data file each in engine/lessons/<name>.json (docs/lessons.md).

A lesson is a base config; fields given beside it (in a URL or a request) override it.
Its words are not here: `texts` names keys of the i18n catalogues (static/i18n/*.json),
so the engine stays free of prose and a new language touches no lesson file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.config import ConfigError, RunConfig

LESSON_DIR = Path(__file__).with_name("lessons")
LESSON_KEYS = ("order", "steps", "texts", "view", "config")
# a guided tour: a list of cards, {"kind", "text", …}; lessons to compare with, by name (docs/lessons.md)
OPTIONAL_KEYS = ("tour", "compare")
TOUR_KINDS = (
    "forward",
    "loss",
    "delta_out",
    "delta_hidden",
    "dW",
    "update",
    "wants_output",
    "wants_hidden",
    "batch_average",
)


@dataclass(frozen=True)
class Preset:
    name: str
    config: dict[str, Any]
    texts: dict[str, str]  # role ("title", "watch") -> i18n catalogue key
    view: dict[str, Any]  # page parameters the lesson opens with (app/urlstate.py PAGE_PARAMS)
    steps: int  # a good number of steps to watch it for
    order: int  # its place in the lesson menu
    tour: list[dict[str, Any]] | None = None  # cards, each with a kind, an i18n `text` key, a layer
    compare: tuple[str, ...] = ()  # lessons its text asks to compare with: network B takes their settings


def load_lesson(path: Path) -> Preset:
    """One lesson file; a malformed one fails loudly at import, naming the file and key."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not set(LESSON_KEYS) <= set(doc) <= {*LESSON_KEYS, *OPTIONAL_KEYS}:
        raise ValueError(
            f"{path.name}: a lesson has the keys {', '.join(LESSON_KEYS)} (and may have {', '.join(OPTIONAL_KEYS)})"
        )
    if set(doc["texts"]) != {"title", "watch"}:
        raise ValueError(f"{path.name}: texts names a 'title' and a 'watch' key")
    tour = doc.get("tour")
    for card in tour or []:
        if card.get("kind") not in TOUR_KINDS or not isinstance(card.get("text"), str):
            raise ValueError(f"{path.name}: a tour card has a kind ({', '.join(TOUR_KINDS)}) and a text key")
    compare = doc.get("compare", [])
    if not isinstance(compare, list) or not all(isinstance(name, str) for name in compare):
        raise ValueError(f"{path.name}: compare lists lesson names")
    return Preset(
        path.stem,
        doc["config"],
        doc["texts"],
        doc["view"],
        int(doc["steps"]),
        int(doc["order"]),
        tour,
        tuple(compare),
    )


def load_lessons(folder: Path = LESSON_DIR) -> dict[str, Preset]:
    lessons = [load_lesson(path) for path in folder.glob("*.json")]
    names = {p.name for p in lessons}
    for lesson in lessons:
        if unknown := [name for name in lesson.compare if name not in names or name == lesson.name]:
            raise ValueError(f"{lesson.name}.json: compare names {unknown}, not another lesson")
    return {p.name: p for p in sorted(lessons, key=lambda p: (p.order, p.name))}


PRESETS: dict[str, Preset] = load_lessons()


def resolve(values: Mapping[str, Any]) -> RunConfig:
    """A config from `preset` (optional) plus explicit fields, which win."""
    fields = dict(values)
    name = fields.pop("preset", None)
    if name is None:
        return RunConfig.from_dict(fields)
    if name not in PRESETS:
        raise ConfigError("preset", f"unknown preset {name!r}", ", ".join(PRESETS), code="choice", value=name)
    base = dict(PRESETS[name].config)
    if "dataset" in fields or "data" in fields:  # other data: the preset's own rows no longer apply
        base.pop("data", None)
    if {"dataset", "data", "hidden", "output_activation"} & fields.keys():  # another shape
        base.pop("weights", None)
    return RunConfig.from_dict({**base, **fields})
