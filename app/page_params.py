"""The page's own URL parameters (those that name parts of the net: view, sample, sel; and
step, scale, speed, …), checked before a short link or saved run stores them: a shared link
opens a page that draws.

The page reads the same parameters in static/js/urlstate.js and ignores values it
cannot draw; the server refuses them with a 422 naming the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from engine.config import LIMITS, ConfigError, RunConfig
from engine.trainer import shared_dataset

VIEWS = ("weights", "gradients", "applied")
# The values the page can draw, as patterns that both Python and JavaScript read: /meta
# sends them (url.page.<name>.pattern) and the page falls back to the default otherwise.
PAGE_PATTERNS = {
    "view": "^(" + "|".join(VIEWS) + ")$",
    "sample": r"^(mean|\d{1,4})$",
    "sel": r"^(|e:\d{1,4}:\d{1,4}:\d{1,4}|n:\d{1,4}:\d{1,4})$",
    "step": r"^\d{1,9}$",
    "scale": "^(layer|global)$",
    "palette": "^(default|cb)$",
    "theme": "^(dark|light)$",
    "speed": r"^([1-9]\d{0,3}|10000)$",  # steps a frame: the menu's, or any a link names (stream.py's most)
    "pics": "^(auto|1|0)$",
    "quiz": r"^(|\d{1,7}-\d{1,7}(\.\d{1,5}\.\d{1,5}\.\d{1,5})?)$",  # from-to[.right.asked.streak]
    "tour": r"^(|\d{1,3})$",
    "row": r"^\d{1,7}$",
}
# What a page parameter the patterns check (and view, sample, sel: below) may be, in words.
PAGE_ALLOWED = {
    "step": "a whole number from 0",
    "scale": "layer or global",
    "palette": "default or cb",
    "theme": "dark or light",
    "speed": "steps a frame, from 1 to 10000",
    "pics": "auto, 1 or 0",
    "quiz": "<from>-<to>, or <from>-<to>.<right>.<asked>.<streak>",
    "tour": "a card's number",
    "row": "a row's number from 0",
}
SELECTION = re.compile(r"^(?:e:(\d{1,4}):(\d{1,4}):(\d{1,4})|n:(\d{1,4}):(\d{1,4}))$")


def layer_sizes(config: RunConfig) -> list[int]:
    """Neurons per column, inputs first: what `sel` may point at."""
    data = shared_dataset(config, config.output_activation == "softmax")
    return [data.x_train.shape[1], *config.hidden, data.y_train.shape[1]]


def check_page_params(query: Mapping[str, str], config: RunConfig) -> None:
    for name, allowed in PAGE_ALLOWED.items():
        value = query.get(name)
        if value is not None and not re.fullmatch(PAGE_PATTERNS[name], value):
            raise ConfigError(
                name, f"{value[:40]!r} is not a value of {name}", allowed, code="choice", value=value
            )
    view = query.get("view")
    if view is not None and view not in VIEWS:
        raise ConfigError("view", f"{view[:40]!r} is not a view", ", ".join(VIEWS), code="choice", value=view)
    sample = query.get("sample")
    if sample is not None and sample != "mean":
        if not (sample.isascii() and sample.isdigit() and int(sample) < LIMITS["max_batch_size"]):
            raise ConfigError(
                "sample",
                f"{sample[:40]!r} is not a sample",
                f"mean, or a row of the batch from 0 to {LIMITS['max_batch_size'] - 1}",
                code="sample",
                value=sample,
                most=LIMITS["max_batch_size"] - 1,
            )
    sel = query.get("sel")
    if sel:
        match = SELECTION.fullmatch(sel)
        sizes = layer_sizes(config)
        fits = False
        if match and match[1] is not None:  # e:l:i:j, the edge into neuron i of layer l from j
            l, i, j = int(match[1]), int(match[2]), int(match[3])
            fits = l < len(sizes) - 1 and i < sizes[l + 1] and j < sizes[l]
        elif match:  # n:col:i, neuron i of column col (0: the inputs)
            col, i = int(match[4]), int(match[5])
            fits = col < len(sizes) and i < sizes[col]
        if not fits:
            raise ConfigError(
                "sel",
                f"{sel[:40]!r} is not a part of this net",
                "e:<layer>:<to>:<from> or n:<column>:<neuron> within the net's sizes "
                + "→".join(str(s) for s in sizes),
                code="selection",
                value=sel,
            )
