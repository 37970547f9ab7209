"""The page's URL query <-> RunConfig: one declarative table, shared by the pages,
the snapshot endpoint and short links.

A URL names config fields by their API names, except `lr` for learning_rate; lists are
comma-separated (`hidden=4,2`), booleans 1/0/true/false, and custom data or explicit
weights are JSON, or "@<code>" of a stored value (app/blobs.py). Parameters that are not
config fields (PAGE_PARAMS: step, phase, sel, view, …) belong to the page and are passed
through untouched. The names and kinds come from engine/config.py FIELDS; the page reads the
same table from GET /api/v1/meta (`url`), so the two parsers cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from app.blobs import dereference
from app.store import Store
from engine.config import DEFAULTS, FIELD_NAMES, FIELDS, LIMITS, ConfigError, RunConfig, check_whole
from engine.presets import resolve

URL_NAMES = {
    spec.name: spec.url for spec in FIELDS.values() if spec.url
}  # field -> its URL name, where they differ
FIELD_OF = {spec.url_name: name for name, spec in FIELDS.items()}
# The page's own parameters: name -> (type, default). The page reads this table from
# GET /api/v1/meta (url.page), so a parameter added here is one the page can carry.
PAGE_PARAMS: dict[str, tuple[str, Any]] = {
    "step": ("int", 0),
    "phase": ("str", ""),  # "" shows the whole step; else one of engine/phases.py
    "sel": ("str", ""),  # the selected node or edge
    "view": ("str", "gradients"),  # what the edges show: weights, gradients, applied
    "sample": ("str", "mean"),  # the batch row the network shows, or its mean
    "scale": ("str", "layer"),
    "palette": ("str", "default"),
    "theme": ("str", "dark"),
    "lang": ("str", ""),  # "" follows the browser
    "speed": ("int", 1),
    "quiz": ("str", ""),  # the quiz's range and score (static/js/quiz.js)
    "tour": ("str", ""),  # the guided tour's place
    "pics": ("str", "auto"),  # pictures inside the nodes: auto (small 2-D nets), 1, 0
    "row": ("int", 0),  # the digit lab's training image (the digits lessons open on a 2)
}
COMPARE_PREFIX = "b_"  # b_<url name>: a compare run's override of one field


def _parse(field: str, text: str) -> Any:
    spec = FIELDS[field]
    if spec.kind == "json":
        if text.startswith("@"):  # a stored value's code (app/blobs.py), resolved with the store
            return text
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise ConfigError(field, f"is not valid JSON ({error})", code="not_json") from None
    if spec.kind == "list":
        return text  # RunConfig parses "4,2" itself (and "" as no hidden layer)
    if not text.isascii():
        return text  # int() and float() read "５" and "٣" as digits; a URL's numbers are ASCII
    if spec.kind == "bool":
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(
            field, f"{text!r} is not a boolean", "1, 0, true or false", code="boolean", value=text
        )
    if spec.nullable and text in ("", "none", "off"):
        return None
    # Text that is not a number stays text: RunConfig's check then names the field, its
    # range and the kind of error, as it does for a JSON body.
    try:
        return int(text) if spec.kind == "int" else float(text) if spec.kind == "float" else text
    except ValueError:
        return text


def config_fields(query: Mapping[str, str]) -> dict[str, Any]:
    """The config part of a query, parsed, with `preset` kept."""
    fields: dict[str, Any] = {}
    for name, text in query.items():
        if name == "preset":
            fields["preset"] = text
        elif name in FIELD_OF:
            fields[FIELD_OF[name]] = _parse(FIELD_OF[name], text)
        elif name not in PAGE_PARAMS and not name.startswith(COMPARE_PREFIX):
            raise ConfigError(
                name,
                "unknown URL parameter",
                ", ".join([*FIELD_OF, "preset", *PAGE_PARAMS]),
                code="unknown_field",
            )
    return fields


def config_from_query(query: Mapping[str, str], store: Store | None = None) -> RunConfig:
    """The config a page URL names; a store resolves "@<code>" values (none: they are refused)."""
    return resolve(dereference(config_fields(query), store))


def query_from_config(config: RunConfig) -> dict[str, str]:
    """The shortest query for a config: only fields that differ from the defaults."""
    out: dict[str, str] = {}
    for name in FIELD_NAMES:
        value = getattr(config, name)
        if value == getattr(DEFAULTS, name):
            continue
        key = FIELDS[name].url_name
        if FIELDS[name].kind == "json":
            out[key] = orjson.dumps(config.to_dict()[name]).decode()
        elif FIELDS[name].kind == "list":
            out[key] = ",".join(str(h) for h in value)
        elif isinstance(value, bool):
            out[key] = "1" if value else "0"
        elif value is None:
            out[key] = "none"
        else:
            out[key] = repr(value) if isinstance(value, float) else str(value)
    return out


def step_from_query(query: Mapping[str, str]) -> int:
    """The URL's step: a whole number from 0 to the replay limit (else a ConfigError)."""
    text = query.get("step", "0")
    try:
        step: Any = int(text) if text.isascii() else text  # not "５": int() reads it as 5
    except ValueError:
        step = text
    check_whole("step", step, 0, LIMITS["max_replay_steps"])
    return step
