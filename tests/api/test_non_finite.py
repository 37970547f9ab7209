"""A diverged run's NaN and ±inf reach the client as themselves, with the step it diverged at.

orjson alone writes them as null, which a page cannot tell from "no value": it showed a
diverged loss as 0."""

from __future__ import annotations

import math

import numpy as np
import orjson
from hypothesis import given
from hypothesis import strategies as st

from app.serialize import count_none, dumps, name_non_finite
from engine.presets import resolve
from engine.trainer import Run


def test_non_finite_numbers_are_named_and_finite_ones_untouched():
    value = {
        "loss": float("nan"),
        "a": np.array([[1.5, np.inf], [-np.inf, np.nan]]),
        "f32": np.float32("inf"),
        "none": None,
        "ok": np.array([0.1 + 0.2]),
    }
    got = orjson.loads(dumps(value))
    assert got == {
        "loss": "NaN",
        "a": [[1.5, "Infinity"], ["-Infinity", "NaN"]],
        "f32": "Infinity",
        "none": None,  # "no value" stays null: distinct from NaN
        "ok": [0.30000000000000004],  # still repr-exact
    }
    assert orjson.loads(dumps(value, digits=3))["a"] == [[1.5, "Infinity"], ["-Infinity", "NaN"]]


def test_genuine_nones_do_not_hide_a_non_finite_number():
    """dumps names numbers only when the JSON holds more nulls than the value has Nones (a
    State always has some: diverged_at, bn); a NaN beside them, or a string that says "null",
    must not be mistaken for one of them."""
    value = {"at": None, "rows": [None, [1.0, float("nan")]], "bn": None, "t": ("null", None)}
    assert orjson.loads(dumps(value)) == {
        "at": None,
        "rows": [None, [1.0, "NaN"]],
        "bn": None,
        "t": ["null", None],
    }
    assert dumps({"at": None, "x": [0.5, None]}) == b'{"at":null,"x":[0.5,null]}'


def test_names_read_back_as_the_same_numbers():
    a = np.array([np.nan, np.inf, -np.inf, 2.0])
    back = [float(v) for v in orjson.loads(dumps(a))]
    assert math.isnan(back[0]) and back[1:] == [math.inf, -math.inf, 2.0]


def nones(value: object) -> int:
    """Independently: every None in the containers, by recursion."""
    if value is None:
        return 1
    if isinstance(value, dict):
        return sum(nones(v) for v in value.values())
    if isinstance(value, list | tuple):
        return sum(nones(v) for v in value)
    return 0


SCALARS = st.none() | st.floats() | st.integers(-(2**53), 2**53) | st.sampled_from(["null", "NaN", ""])
JSONISH = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=6)
        | st.lists(inner, max_size=6).map(tuple)
        | st.dictionaries(st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=40,
)


@given(JSONISH)
def test_counting_nones_never_counts_too_many_and_dumps_names_every_non_finite(value):
    """count_none may count short (lists that mix numbers and containers), which costs dumps
    its slow path; counting too many would let a NaN out as null."""
    assert count_none(value) <= nones(value)
    assert dumps(value) == orjson.dumps(name_non_finite(value))


def test_counting_nones_is_exact_for_what_a_history_holds():
    history = Run(resolve({"preset": "xor"}))
    history.advance(30)
    value = history.history.to_dict(0)
    value["test_loss"] = [None, 0.5, None]  # evaluations not made at a step are None
    value["grad_norms"][3] = [None, 1.0]
    assert count_none(value) == nones(value) >= 3


def first_bad_step(run: Run) -> int:
    """Independently: step one update at a time until the state's loss is not finite."""
    while math.isfinite(run.state().loss):
        run.advance(1)
    return run.step


def test_the_state_says_which_step_diverged(client):
    expected = first_bad_step(Run(resolve({"preset": "exploding"})))
    run_id = client.post("/api/v1/runs", json={"preset": "exploding"}).json()["id"]
    early = client.post(f"/api/v1/runs/{run_id}/step", json={"steps": expected - 1}).json()
    assert early["diverged"] is False and early["diverged_at"] is None
    assert isinstance(early["loss"], float)
    late = client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 20}).json()
    assert late["diverged"] is True and late["diverged_at"] == expected
    assert late["loss"] in ("NaN", "Infinity")
    history = client.get(f"/api/v1/runs/{run_id}/history").json()
    assert history["loss"][expected] in ("NaN", "Infinity")
    assert all(isinstance(v, float) for v in history["loss"][:expected])


def declared_schema(spec: dict, path: str, method: str) -> dict:
    """The 200 answer's schema as /openapi.json declares it, its $refs resolvable."""
    answer = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]
    return {**answer["schema"], "components": spec["components"]}


def test_a_diverged_runs_answers_match_their_declared_models(client):
    """Scripts validate against /openapi.json: the names "NaN", "Infinity" and "-Infinity"
    must be declared where a number can be one (they were declared `number | null`)."""
    from jsonschema_rs import Draft202012Validator  # schemathesis's validator

    spec = client.get("/openapi.json").json()
    run_id = client.post("/api/v1/runs", json={"preset": "exploding"}).json()["id"]
    steps = first_bad_step(Run(resolve({"preset": "exploding"}))) + 5
    state = client.post(f"/api/v1/runs/{run_id}/step", json={"steps": steps}).json()
    assert state["diverged"] is True
    base = "/api/v1/runs/{run_id}"
    answers = {
        (f"{base}/surface", "get"): client.get(f"/api/v1/runs/{run_id}/surface?p=W1:0:0&points=3"),
        (f"{base}/neurons", "get"): client.get(f"/api/v1/runs/{run_id}/neurons"),
        (f"{base}/shares", "get"): client.get(f"/api/v1/runs/{run_id}/shares?layer=1&i=0&j=0"),
        (f"{base}/history", "get"): client.get(f"/api/v1/runs/{run_id}/history"),
        (f"{base}/predict", "post"): client.post(f"/api/v1/runs/{run_id}/predict", json={"x": [[0.5] * 2]}),
    }
    named = 0
    for (path, method), response in answers.items():
        assert response.status_code == 200, (path, response.text)
        body = response.json()
        named += any(name in response.text for name in ('"NaN"', '"Infinity"', '"-Infinity"'))
        errors = list(Draft202012Validator(declared_schema(spec, path, method)).iter_errors(body))
        assert not errors, (path, [str(e)[:200] for e in errors[:3]])
    assert named >= 3  # the check saw names, not only finite numbers
