"""Every config field and limit is defined once, in Python (engine/config.py FIELDS and LIMITS,
app/urlstate.py PAGE_PARAMS): the request schema, the URL parser, /api/v1/meta and the page all
read that table. These tests fail if a copy appears, or if a copy's values drift."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.schemas import RunConfigIn
from app.settings import Settings
from app.urlstate import FIELD_OF, PAGE_PARAMS
from engine.config import DEFAULTS, FIELD_NAMES, FIELDS, LIMITS
from engine.presets import PRESETS
from tests.support import ROOT

JS = {path.name: path.read_text() for path in (ROOT / "static" / "js").glob("*.js")}


def code_only(source: str) -> str:
    """JavaScript without its // comments (a comment may mention a limit; code may not)."""
    return re.sub(r"(?<![:\"'\\])//.*$", "", source, flags=re.MULTILINE)


def without_timers(source: str) -> str:
    """Lines that set a timer hold durations in ms (10000: ten seconds), not limits."""
    return "\n".join(line for line in source.splitlines() if not re.search(r"set(Timeout|Interval)\(", line))


META_FIXTURE = ROOT / "tests" / "js" / "meta.json"
META_PARTS = ("fields", "limits", "phases", "url")  # what the page's pure modules read


def meta_parts(meta: dict) -> dict:
    return {key: meta[key] for key in META_PARTS}


def test_the_table_is_the_config():
    assert tuple(FIELDS) == FIELD_NAMES  # every RunConfig field, in order, and nothing else
    for name, spec in FIELDS.items():
        spec.check(getattr(DEFAULTS, name))  # the defaults lie inside the ranges


def test_the_request_schema_is_the_table():
    schema = RunConfigIn.model_json_schema()["properties"]
    assert list(schema) == ["preset", *FIELDS]
    for name, spec in FIELDS.items():
        kinds = schema[name].get("anyOf", [schema[name]])
        number = next((k for k in kinds if k.get("type") in ("number", "integer")), None)
        if spec.kind in ("int", "float"):
            assert (number["minimum"], number["maximum"]) == (spec.lo, spec.hi), name
        if spec.choices:
            assert next(k for k in kinds if "enum" in k)["enum"] == list(spec.choices), name
    assert list(schema["preset"]["anyOf"][0]["enum"]) == list(PRESETS)


@pytest.mark.parametrize(("field", "value"), [("momentum", 0.9999995), ("eps", 1e-301), ("clip", 1e13)])
def test_schema_and_config_refuse_the_same_values(field, value):
    """Once, momentum < 1 passed the schema and then failed the config's ≤ 0.999999."""
    from pydantic import ValidationError

    from engine.config import ConfigError, RunConfig

    with pytest.raises(ValidationError):
        RunConfigIn(**{field: value})
    with pytest.raises(ConfigError):
        RunConfig.from_dict({field: value})


def test_meta_serves_the_table(tmp_path):
    with TestClient(
        create_app(Settings(db=tmp_path / "store.sqlite3", allowed_hosts=["testserver"]))
    ) as client:
        meta = client.get("/api/v1/meta").json()
    # The node tests (tests/js/) read /meta from this file: it must be what the server sends.
    # To refresh it: .venv/bin/python -m tests.test_one_table
    assert json.loads(META_FIXTURE.read_text()) == meta_parts(meta), f"{META_FIXTURE} is stale"
    assert [f["name"] for f in meta["fields"]] == list(FIELDS)
    momentum = next(f for f in meta["fields"] if f["name"] == "momentum")
    assert momentum["max"] == FIELDS["momentum"].hi and momentum["default"] == DEFAULTS.momentum
    url = {p["url"]: p["field"] for p in meta["url"]["config"]}
    assert url == {"preset": "preset", **FIELD_OF}
    assert set(meta["url"]["page"]) == set(PAGE_PARAMS)
    assert meta["phases"]["by_layers"]["2"] == "forward:0 forward:1 loss backward:1 backward:0 update".split()


def test_the_page_has_no_table_of_its_own():
    """The page's URL names and phases come from /meta; urlstate.js and store.js only hold what it sent."""
    for name in FIELDS:
        assert f'"{name}", "' not in JS["urlstate.js"], name  # no ["url", "field", "type"] rows
    assert "forward:${l}`);" not in JS["store.js"]  # phases() is not built again in the page


def test_no_limit_is_written_into_the_page():
    limits = {
        *LIMITS.values(),
        *(v for k, v in Settings().model_dump().items() if k.startswith("max_") and isinstance(v, int)),
        *(
            spec.hi
            for spec in FIELDS.values()
            if spec.hi is not None and spec.hi % 1 and len(repr(spec.hi)) > 4
        ),  # 0.999999
    }
    limits = {v for v in limits if v >= 100 or 0 < v < 1}  # not 1, 8 or 64: every file has those
    # Written out (10000, 10_000, 0.999999); 1e4 is how the page writes a display threshold, not a limit.
    number = re.compile(r"(?<![\w.#-])(\d[\d_]*(?:\.\d+)?)(?![\w.])")
    found = [
        (name, literal)
        for name, source in JS.items()
        for literal in number.findall(without_timers(code_only(source)))
        if float(literal.replace("_", "")) in limits
    ]
    assert not found, f"limits written into the page (read them from meta.limits): {found}"


def top_level_keys(source: str, start: int) -> set[str]:
    """The keys of the object literal that opens at source[start] ("{"): `{ quiz: f({ from, to }), phase }`
    is quiz and phase; what nested brackets hold belongs to other objects."""
    depth, part, parts = 0, "", []
    for char in source[start:]:
        depth += char in "({["
        depth -= char in ")}]"
        if depth == 0:
            break
        if depth == 1 and char == ",":
            parts.append(part)
            part = ""
        elif depth == 1 and char != "{":
            part += char
    keys = set()
    for piece in [*parts, part]:
        match = re.match(r"\s*(\w+)\s*(?::|$)", piece)  # `name: value` or the shorthand `name`
        if match:
            keys.add(match.group(1))
    return keys


def page_names_used(source: str) -> set[str]:
    """The page model's names a module reads or sets. In static/js the name `page` means the page
    model (store.js model.page) and nothing else: a local alias (`const page = model.page`), a
    parameter it is passed as (compare.js draw(page)), the hook that returns it (why.js page()),
    a copy (dataedit.js before.page). Other pages are named for what they are (share.js's batch of
    saved runs, quiz.js's host), so that this scan can take every `page.X` at its word."""
    source = code_only(source)
    used = set(re.findall(r"\bpage(?:\(\))?\.(\w+)", source))  # also model.page.X, this.page.X
    used |= set(re.findall(r"\bpage\[\"(\w+)\"\]", source))
    for call in re.finditer(r"(?:Object\.assign\(model\.page, |\bsetPage\()(?=\{)", source):
        used |= top_level_keys(source, call.end())
    for handler in re.finditer(r"on\(\"page\", \(?(\w+)\)? =>", source):  # "view" in changes
        end = source.find("\n  on(", handler.end())
        used |= set(re.findall(rf"\"(\w+)\" in \(?{handler.group(1)}\b", source[handler.end() : end]))
    used |= set(re.findall(r"URLSearchParams\([^)]*\)\.(?:has|get)\(\"(\w+)\"\)", source))
    return used


def test_every_url_parameter_the_page_uses_is_in_the_one_table():
    used = {name: page_names_used(source) for name, source in JS.items()}
    readers = {name for name, names in used.items() if names}
    # The scan sees the modules that read the model in each of the ways above; if one of these is
    # missing, the scan's patterns no longer match the page.
    assert {"main.js", "status.js", "networkpanel.js", "compare.js", "why.js", "quiz.js"} <= readers
    known = set(PAGE_PARAMS) | set(FIELD_OF)
    unknown = {name: sorted(names - known) for name, names in used.items() if names - known}
    assert not unknown, (
        f"page names that the one table (app/urlstate.py PAGE_PARAMS) does not have: {unknown}; "
        "if `page` there is not the page model, give it another name"
    )
    for name, lesson in PRESETS.items():
        assert set(lesson.view) <= set(PAGE_PARAMS), (name, set(lesson.view) - set(PAGE_PARAMS))


if __name__ == "__main__":  # write tests/js/meta.json from the server's /meta
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        with TestClient(
            create_app(Settings(db=Path(folder) / "store.sqlite3", allowed_hosts=["testserver"]))
        ) as client:
            parts = meta_parts(client.get("/api/v1/meta").json())
    META_FIXTURE.write_text(json.dumps(parts, ensure_ascii=False, indent=1) + "\n")


def test_every_field_has_a_control():
    """A field added to the table shows up in the settings panel (controls.js GROUPS), or the
    page could not set what a URL can."""
    source = JS["controls.js"]
    groups = source[
        source.index("export const GROUPS") : source.index("};", source.index("export const GROUPS"))
    ]
    shown = set(re.findall(r'"([a-z_0-9]+)"', groups))
    assert shown == {
        name for name, spec in FIELDS.items() if spec.kind != "json"
    }  # data, weights: edited elsewhere
