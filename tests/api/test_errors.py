"""Bad input of every kind: a 4xx JSON detail naming the field and what is allowed."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.api.conftest import settings_for
from tests.support import ROOT


def names(response) -> list[str]:
    return [str(part) for item in response.json()["detail"] for part in item["loc"]]


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"activation": "swish"}, "activation", 422),
        ({"hidden": [100000]}, "hidden", 422),
        ({"hidden": [4] * 40}, "hidden", 422),
        ({"learning_rate": -3}, "learning_rate", 422),
        ({"n_samples": 10**9}, "n_samples", 422),
        ({"preset": "nonsense"}, "preset", 422),
        ({"bogus": 1}, "bogus", 422),
        ({"loss": "cross_entropy", "output_activation": "relu"}, "loss", 422),
        ({"dataset": "custom", "data": {"x": [[1, 2], [3]], "y": [[0], [1]]}}, "data", 422),
        ({"dataset": "custom", "data": {"x": [[1, 2]], "y": [[0], [1]]}}, "data", 422),
        ({"hidden": [3], "weights": [{"W": [[1, 2]], "b": [0]}, {"W": [[1]], "b": [0]}]}, "weights", 422),
        ({"seed": -1}, "seed", 422),
    ],
)
def test_bad_config(client, body, field, status):
    response = client.post("/api/v1/runs", json=body)
    assert response.status_code == status, response.text
    assert field in names(response), response.text


def test_nan_in_json_is_refused(client):
    response = client.post(
        "/api/v1/runs", content=b'{"learning_rate": NaN}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422 and "learning_rate" in names(response)
    assert response.json()["detail"][0]["code"] == "not_finite"  # said as such, not as "≤ 1000"


def test_malformed_json(client):
    response = client.post(
        "/api/v1/runs", content=b'{"hidden": [2,', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "json_invalid"
    assert "character 14" in response.json()["detail"][0]["msg"]  # where it went wrong


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"dataset": "\xff\xfe"}'],
    ids=["nested too deeply", "not UTF-8"],
)
def test_unreadable_body_is_said_like_malformed_json(client, body):
    response = client.post("/api/v1/runs", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["code"] == "json_invalid"


def test_body_too_large(client):
    response = client.post(
        "/api/v1/runs", content=b"[" + b"1," * 3_000_000 + b"1]", headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and "bytes" in response.json()["detail"][0]["allowed"]


def test_missing_run(client):
    for method, path in [
        ("get", "/api/v1/runs/zzz"),
        ("get", "/api/v1/runs/zzz/state"),
        ("post", "/api/v1/runs/zzz/reset"),
        ("get", "/api/v1/runs/zzz/stream"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 404 and "run_id" in names(response)


@pytest.fixture
def run_id(client) -> str:
    return client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]


def test_too_many_steps(client, run_id):
    response = client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 10**7})
    assert response.status_code == 422 and "steps" in names(response)
    assert client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 0}).status_code == 422


def test_replay_limit(client, run_id):
    for _ in range(10):
        assert client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 10_000}).status_code == 200
    response = client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 1})
    assert response.status_code == 422 and "at most 0 more" in response.json()["detail"][0]["allowed"]
    item = response.json()["detail"][0]
    assert (item["code"], item["value"], item["most"]) == ("replay_limit", 1, 0)


def test_a_state_too_large_to_send_says_its_size(tmp_path):
    settings = settings_for(tmp_path, max_response_mb=1)
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/v1/snapshot?preset=digits")
    item = response.json()["detail"][0]
    assert response.status_code == 422 and item["loc"] == ["query", "fields"], response.text
    assert (item["code"], item["most"]) == ("response_size", 1) and item["value"] > 1


def test_too_many_predict_rows_says_the_most(client, run_id):
    most = client.app.state.services.settings.max_predict_rows
    response = client.post(f"/api/v1/runs/{run_id}/predict", json={"x": [[0, 0]] * (most + 1)})
    item = response.json()["detail"][0]
    assert response.status_code == 422 and (item["code"], item["value"], item["most"]) == (
        "too_many",
        most + 1,
        most,
    )


def test_too_long_a_list_says_how_long_and_the_most(client):
    """pydantic's too_long is a too_many: the page words it with the same numbers."""
    item = client.post("/api/v1/runs", json={"hidden": [2] * 9}).json()["detail"][0]
    assert (item["code"], item["value"], item["most"]) == ("too_many", 9, 8)


@pytest.mark.parametrize("name", ["", "   "], ids=["no characters", "white space"])
def test_an_empty_saved_run_name_is_empty(client, name):
    response = client.post("/api/v1/saved", json={"name": name, "query": "preset=xor"})
    assert response.status_code == 422 and response.json()["detail"][0]["code"] == "empty", response.text


def test_a_bad_boolean_in_a_page_url_and_in_a_body_is_said_alike(client):
    by_url = client.get("/api/v1/snapshot?preset=xor&batch_norm=maybe").json()["detail"][0]
    by_body = client.post("/api/v1/runs", json={"batch_norm": "maybe"}).json()["detail"][0]
    assert by_url["code"] == by_body["code"] == "boolean" and by_url["value"] == by_body["value"] == "maybe"


def test_an_imported_file_keeps_the_code_of_its_error(client):
    """POST /import names the field config.<name>: the code, value and most go with it."""
    exported = client.get(f"/api/v1/runs/{client.post('/api/v1/runs', json={}).json()['id']}/export").json()
    exported["config"]["activation"] = "swish"
    item = client.post("/api/v1/import", json=exported).json()["detail"][0]
    assert item["loc"] == ["body", "config", "activation"] and (item["code"], item["value"]) == (
        "choice",
        "swish",
    )


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"layer": 9, "i": 0, "j": 0}, "layer", "range"),
        ({"layer": 0, "i": 7, "j": 0}, "i", "range"),
        ({"layer": 0, "i": 0, "j": 5}, "j", "range"),
        ({"layer": "x", "i": 0, "j": 0}, "layer", "integer"),
        ({"i": 0, "j": 0}, "layer", "missing"),
    ],
)
def test_bad_chain_query(client, run_id, params, field, code):
    response = client.get(f"/api/v1/runs/{run_id}/chain", params=params)
    assert response.status_code == 422 and field in names(response), response.text
    assert response.json()["detail"][0]["code"] == code  # the kind the page words in its language


@pytest.mark.parametrize("x", [[[1, 2, 3]], [[1]], [[1, 2], [3]], [], "nope"])
def test_bad_predict(client, run_id, x):
    response = client.post(f"/api/v1/runs/{run_id}/predict", json={"x": x})
    assert response.status_code == 422 and "x" in names(response), response.text


def test_predict_refuses_non_finite(client, run_id):
    response = client.post(
        f"/api/v1/runs/{run_id}/predict",
        content=b'{"x": [[1, Infinity]]}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422 and "x" in names(response)
    assert response.json()["detail"][0]["code"] == "not_finite"


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("preset=xor&step=-1", "step", "range"),
        ("preset=xor&step=10000000", "step", "range"),
        ("preset=xor&step=x", "step", "integer"),
        ("seed=1.5", "seed", "integer"),
        ("hidden=4,x", "hidden", "layer_sizes"),
        ("lr=fast", "learning_rate", "number"),
        ("batch_norm=maybe", "batch_norm", "boolean"),
        ("flavour=1", "flavour", "unknown_field"),
        ("²=1", "²", "unknown_field"),  # a digit to str.isdigit that int() refuses: was a 500
        ("preset=xor&data={oops", "data", "not_json"),
        ("preset=xor&weights=oops", "weights", "not_json"),
        ('dataset=custom&data={"x":[[1]]}', "data", "keys"),
    ],
)
def test_bad_snapshot_query(client, query, field, code):
    response = client.get(f"/api/v1/snapshot?{query}")
    assert response.status_code == 422 and field in names(response), response.text
    item = response.json()["detail"][0]
    assert item["code"] == code
    if code in ("range", "integer", "number"):  # said with the range a URL may ask for, in parts too
        assert " to " in item["allowed"] and item["least"] < item["most"]


def test_bad_fields_and_digits(client, run_id):
    assert "fields" in names(client.get(f"/api/v1/runs/{run_id}/state?fields=step,colour"))
    assert client.get(f"/api/v1/runs/{run_id}/state?digits=40").status_code == 422


def test_errors_carry_a_code_for_translation(client):
    item = client.post("/api/v1/runs", json={"hidden": [0]}).json()["detail"][0]
    assert (item["code"], item["value"], item["allowed"]) == ("range", 0, "1 to 512")
    assert (item["least"], item["most"]) == (1, 512)  # the range in parts: the page says "1 到 512"
    item = client.post("/api/v1/runs", json={"preset": "nope"}).json()["detail"][0]
    assert item["code"] == "choice" and item["value"] == "nope"
    item = client.post("/api/v1/runs", json={"activation": "nope"}).json()["detail"][0]
    assert item["choices"] == ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]  # not "... or 'linear'"


# A run on 1-D data (one input): "{run}" in a path below is its id.
ONE_INPUT = {"dataset": "custom", "data": {"x": [[0], [1]], "y": [[0], [1]]}}

# One request for each kind of error the page has words of its own for (static/i18n/*.json,
# "error.<code>"): the server must say each kind, and the page must word each kind it says.
KINDS = {
    "budget": ("get", "/api/v1/snapshot?dataset=spiral&hidden=64,64&n_samples=5000&step=100000", None),
    "choice": ("post", "/api/v1/runs", {"activation": "swish"}),
    "integer": ("post", "/api/v1/runs", {"seed": 1.5}),
    "boolean": ("get", "/api/v1/snapshot?batch_norm=maybe", None),
    "custom_data": ("post", "/api/v1/runs", {"data": {"x": [[1]], "y": [[1]]}}),
    "empty": ("post", "/api/v1/saved", {"name": " ", "query": "preset=xor"}),
    "input_width": ("post", "/api/v1/runs/{run}/predict", {"x": [[1, 2]]}),
    "keys": ("get", '/api/v1/snapshot?dataset=custom&data={"x":[[1]]}', None),
    "layer_sizes": ("get", "/api/v1/snapshot?hidden=4,x", None),
    "needs_2d": ("get", "/api/v1/runs/{run}/state?include=grid", None),
    "not_json": ("get", "/api/v1/snapshot?preset=xor&data={oops", None),
    "not_list": ("post", "/api/v1/runs", {"dataset": "custom", "data": {"x": [], "y": [[1]]}}),
    "odd": ("get", "/api/v1/runs/{run}/surface?p=W0:0:0&q=b0:0&points=4", None),
    "rows_mismatch": ("post", "/api/v1/runs", {"dataset": "custom", "data": {"x": [[1]], "y": [[0], [1]]}}),
    "same_parameter": ("get", "/api/v1/runs/{run}/surface?p=W0:0:0&q=W0:0:0", None),
    "sample": ("post", "/api/v1/links", {"query": "preset=xor&sample=x"}),
    "selection": ("post", "/api/v1/links", {"query": "preset=xor&sel=e:9:9:9"}),
    "softmax_outputs": ("post", "/api/v1/runs", {"dataset": "plane", "output_activation": "softmax"}),
    "cross_entropy_outputs": ("post", "/api/v1/runs", {"preset": "xor", "loss": "cross_entropy"}),
    "too_long": ("post", "/api/v1/saved", {"name": "x" * 201, "query": "preset=xor"}),
    "weights_shape": ("post", "/api/v1/runs", {"hidden": [3], "weights": [{"W": [[1, 2]], "b": [0]}]}),
    "json_invalid": ("post", "/api/v1/runs", b'{"hidden": [2,'),
    "log_loss": ("post", "/api/v1/runs", {"loss": "bce", "output_activation": "linear"}),
    "not_finite": ("post", "/api/v1/runs", b'{"noise": Infinity}'),
    "not_found": ("get", "/api/v1/saved/zzzz", None),
    "number": ("post", "/api/v1/runs", {"learning_rate": "fast"}),
    "ragged": ("post", "/api/v1/runs", {"dataset": "custom", "data": {"x": [[1, 2], [3]], "y": [[0], [1]]}}),
    "range": ("post", "/api/v1/runs", {"hidden": [0]}),
    "too_large": ("post", "/api/v1/runs", b"[" + b"1," * 3_000_000 + b"1]"),
    "too_many": ("post", "/api/v1/runs", {"hidden": [2] * 9}),
    "unknown_field": ("post", "/api/v1/runs", {"flavour": 1}),
    "missing": ("post", "/api/v1/links", {}),
    "unknown_ref": ("get", "/api/v1/snapshot?weights=@" + "A" * 22, None),
}


# Kinds no single request to a healthy server can cause, each with the test that causes it.
SAID_ELSEWHERE = {
    "store_unavailable": "tests/api/test_store_down.py (a database stopped mid-test)",
    "parameter": "tests/api/test_insight.py (a run's loss surface over a parameter it lacks)",
    "replay_limit": "test_replay_limit (100,000 steps of one run first)",
    "store_full": "tests/api/test_saved.py, test_sharing.py, test_blobs.py (a store at its cap)",
    "response_size": "test_a_state_too_large_to_send_says_its_size (a server with BPX_MAX_RESPONSE_MB=1)",
    "busy": "tests/api/test_under_load.py (a full heavy lane answers 503 with Retry-After)",
    "shutting_down": "tests/api/test_shutdown.py (SIGTERM with requests in flight answers 503 with Retry-After)",
    # not said by the server: the page's words for a kind it has none of its own for
    "invalid": "tests/js/api_errors.test.mjs",
}


def test_the_page_has_words_for_exactly_the_kinds_the_server_says():
    words = json.loads((ROOT / "static" / "i18n" / "en.json").read_text())
    worded = {key.removeprefix("error.") for key in words if key.startswith("error.")} - {"allowed"}
    assert worded == set(KINDS) | set(SAID_ELSEWHERE)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_of_error_is_said_with_its_code(client, kind):
    method, path, body = KINDS[kind]
    if "{run}" in path:
        path = path.format(run=client.post("/api/v1/runs", json=ONE_INPUT).json()["id"])
    if isinstance(body, bytes):
        response = client.request(method, path, content=body, headers={"content-type": "application/json"})
    else:
        response = client.request(method, path, json=body)
    assert 400 <= response.status_code < 500, response.text
    first = response.json()["detail"][0]
    assert first.get("code", first["type"]) == kind, response.text
