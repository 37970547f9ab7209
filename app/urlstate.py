"""The page's URL query <-> RunConfig: one declarative table, shared by the pages,
the snapshot endpoint and short links.

A URL names config fields by their API names, except `lr` for learning_rate; lists are
comma-separated (`hidden=4,2`), booleans 1/0/true/false, and custom data or explicit
weights are JSON, or "@<code>" of a stored value (app/blobs.py). Parameters that are not
config fields (step, phase, sel, view, …) belong to the page and are passed through untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from app.blobs import dereference
from app.store import Store
from engine.config import DEFAULTS, FIELD_NAMES, LIMITS, ConfigError, RunConfig, check_whole
from engine.presets import resolve

URL_NAMES = {"learning_rate": "lr"}  # field -> its URL name, where they differ
FIELD_OF = {URL_NAMES.get(name, name): name for name in FIELD_NAMES}
JSON_FIELDS = ("data", "weights")
PAGE_PARAMS = (
    "step",
    "phase",
    "sel",
    "view",
    "sample",
    "scale",
    "palette",
    "theme",
    "lang",
    "compare",
    "row",
    "speed",
    "motion",
    "tab",
    "quiz",
    "tour",
    "pics",
)


def _parse(field: str, text: str) -> Any:
    if field in JSON_FIELDS:
        if text.startswith("@"):  # a stored value's code (app/blobs.py), resolved with the store
            return text
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise ConfigError(field, f"is not valid JSON ({error})") from None
    if field == "hidden":
        return text  # RunConfig parses "4,2" itself (and "" as no hidden layer)
    default = getattr(DEFAULTS, field)
    if isinstance(default, bool):
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(field, f"{text!r} is not a boolean", "1, 0, true or false")
    # Text that is not a number stays text: RunConfig's check then names the field, its
    # range and the kind of error, as it does for a JSON body.
    if isinstance(default, int) and field != "clip":
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(default, float) or field == "clip":
        if field == "clip" and text in ("", "none", "off"):
            return None
        try:
            return float(text)
        except ValueError:
            return text
    return text


def config_fields(query: Mapping[str, str]) -> dict[str, Any]:
    """The config part of a query, parsed, with `preset` kept."""
    fields: dict[str, Any] = {}
    for name, text in query.items():
        if name == "preset":
            fields["preset"] = text
        elif name in FIELD_OF:
            fields[FIELD_OF[name]] = _parse(FIELD_OF[name], text)
        elif name not in PAGE_PARAMS and not name.startswith("b_"):  # b_*: a compare run's overrides
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
        key = URL_NAMES.get(name, name)
        if name in JSON_FIELDS:
            out[key] = orjson.dumps(config.to_dict()[name]).decode()
        elif name == "hidden":
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
        step: Any = int(text)
    except ValueError:
        step = text
    check_whole("step", step, 0, LIMITS["max_replay_steps"])
    return step
