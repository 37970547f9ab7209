"""Short links, saved runs, export/import and the Python snippet."""

from __future__ import annotations

import numpy as np
import pytest


def test_short_link_round_trip(client):
    query = "preset=minibatch&step=12&view=applied&sel=e:1:0:3&lang=zh-Hant"
    made = client.post("/api/v1/links", json={"query": query})
    assert made.status_code == 201
    code = made.json()["code"]
    opened = client.get(f"/s/{code}", follow_redirects=False)
    assert opened.status_code == 307 and opened.headers["location"] == f"/?{query}"
    assert client.get(f"/api/v1/links/{code}").json()["query"] == query


def test_codes_are_unguessable(client):
    codes = {client.post("/api/v1/links", json={"query": "preset=xor"}).json()["code"] for _ in range(50)}
    assert len(codes) == 50 and all(len(c) >= 12 for c in codes)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("hidden=0", "hidden"),
        ("preset=nope", "preset"),
        ("preset=xor&step=-3", "step"),
        ("colour=red", "colour"),
        # the page's own parameters the page could not draw (it left them out): not stored either
        ("preset=xor&scale=huge", "scale"),
        ("preset=xor&speed=0", "speed"),
        ("preset=xor&speed=10001", "speed"),
        ("preset=xor&theme=pink", "theme"),
        ("preset=xor&pics=maybe", "pics"),
        ("preset=xor&quiz=garbage", "quiz"),
        ("preset=xor&step=abc", "step"),
    ],
)
def test_bad_link_query(client, query, field):
    response = client.post("/api/v1/links", json={"query": query})
    assert response.status_code == 422 and field in str(response.json()["detail"][0]["loc"])


def test_a_link_with_the_page_s_own_values_is_kept(client):
    query = (
        "preset=xor&step=12&scale=global&speed=7&theme=light&palette=cb&pics=0&quiz=0-5.1.2.1&tour=3&row=2"
    )
    response = client.post("/api/v1/links", json={"query": query})
    assert response.status_code in (200, 201), response.text


def test_unknown_link(client):
    response = client.get("/s/doesnotexist")
    assert response.status_code == 404 and response.json()["detail"][0]["loc"] == ["path", "code"]


def test_export_then_import_starts_from_the_same_weights(client):
    run_id = client.post("/api/v1/runs", json={"preset": "momentum"}).json()["id"]
    client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 25})
    exported = client.get(f"/api/v1/runs/{run_id}/export").json()
    assert exported["format"] == "backprop-explorer/1" and exported["step"] == 25
    imported = client.post("/api/v1/import", json=exported)
    assert imported.status_code == 201
    new_id = imported.json()["id"]
    state = client.get(f"/api/v1/runs/{new_id}/state").json()
    for layer, given in zip(state["layers"], exported["weights"], strict=True):
        assert layer["W"] == given["W"] and layer["b"] == given["b"]
    again = client.post("/api/v1/import", json=exported).json()["id"]  # deterministic from there on
    for rid in (new_id, again):
        client.post(f"/api/v1/runs/{rid}/step", json={"steps": 7})
    assert (
        client.get(f"/api/v1/runs/{new_id}/state").content
        == client.get(f"/api/v1/runs/{again}/state").content
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"format": "something-else/9"}, "format"),
        ({"weights": [{"W": [[1.0]], "b": [0.0]}]}, "weights"),
        ({"config": {"hidden": [0]}}, "hidden"),
        ({"config": None}, "config"),
    ],
)
def test_bad_import_files(client, change, field):
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    exported = {**client.get(f"/api/v1/runs/{run_id}/export").json(), **change}
    response = client.post("/api/v1/import", json=exported)
    assert response.status_code == 422 and field in str(response.json()["detail"][0]["loc"]), response.text


def test_snippet_is_python_that_names_the_run(client):
    run_id = client.post("/api/v1/runs", json={"preset": "adam", "seed": 5}).json()["id"]
    client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 42})
    text = client.get(f"/api/v1/runs/{run_id}/snippet").text
    compile(text, "snippet", "exec")
    assert "STEP = 42" in text and "'optimizer': 'adam'" in text and "'seed': 5" in text


def test_snippet_writes_python_booleans_and_none(client):
    """JSON's true/false/null are not Python: the script must evaluate to the run's config."""
    import ast

    config = {"preset": "xor", "batch_norm": True, "clip": None, "seed": 3}
    run_id = client.post("/api/v1/runs", json=config).json()["id"]
    text = client.get(f"/api/v1/runs/{run_id}/snippet").text
    assignment = next(
        node
        for node in ast.parse(text).body
        if isinstance(node, ast.Assign) and node.targets[0].id == "CONFIG"
    )
    fields = ast.literal_eval(assignment.value)
    assert fields["batch_norm"] is True and fields["seed"] == 3


def test_snippet_reproduces_the_numbers(client, monkeypatch):
    """Run the snippet for real, its httpx client pointed at the in-process app."""
    import httpx

    run_id = client.post("/api/v1/runs", json={"preset": "xor", "learning_rate": 0.7}).json()["id"]
    client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 9})
    expected = client.get(f"/api/v1/runs/{run_id}/state").json()
    text = client.get(f"/api/v1/runs/{run_id}/snippet").text
    printed: list[tuple] = []
    monkeypatch.setattr(httpx, "Client", lambda base_url, timeout: _Prefixed(client, base_url))
    exec(compile(text, "snippet", "exec"), {"print": lambda *a: printed.append(a), "__name__": "__main__"})
    assert printed[0] == ("step", 9, "loss", expected["loss"])
    assert np.array_equal(printed[1][1], expected["layers"][0]["W"])


class _Prefixed:
    def __init__(self, client, base_url: str):
        self.client, self.prefix = client, base_url.split("://", 1)[1].split("/", 1)[1]

    def post(self, path, **kwargs):
        return self.client.post(f"/{self.prefix}{path}", **kwargs)

    def get(self, path, **kwargs):
        return self.client.get(f"/{self.prefix}{path}", **kwargs)


def test_links_are_capped_so_uploads_cannot_fill_the_disk(client):
    client.app.state.services.settings.max_links = 3
    for _ in range(3):
        assert client.post("/api/v1/links", json={"query": "preset=xor"}).status_code == 201
    full = client.post("/api/v1/links", json={"query": "preset=xor"})
    item = full.json()["detail"][0]
    assert full.status_code == 422 and (item["code"], item["most"]) == ("store_full", 3)
    huge = client.post("/api/v1/links", json={"query": "preset=xor&" + "x" * 200_000})
    assert huge.status_code == 422 and "query" in str(huge.json()["detail"][0]["loc"])
