"""Values a URL names as "@<code>": stored once, the same bits as the value written out."""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx
import orjson
import pytest

from app.store import SQLiteStore, open_store
from tests.support import Server

WEIGHTS = [{"W": [[0.5, -0.25], [1.5, 0.75]], "b": [0.125, -0.5]}, {"W": [[1, -2]], "b": [0.0625]}]


def store_value(client, value) -> str:
    made = client.post("/api/v1/blobs", json={"value": value})
    assert made.status_code == 201, made.text
    return made.json()["ref"]


def test_a_reference_runs_the_same_numbers_as_the_weights_it_names(client):
    ref = store_value(client, WEIGHTS)
    inline = client.post("/api/v1/runs", json={"preset": "xor", "weights": WEIGHTS}).json()
    by_ref = client.post("/api/v1/runs", json={"preset": "xor", "weights": ref}).json()
    assert by_ref["config"]["weights"] == inline["config"]["weights"]  # the run keeps the value itself
    states = [
        client.post(f"/api/v1/runs/{run['id']}/step", json={"steps": 7}).content for run in (inline, by_ref)
    ]
    assert states[0] == states[1]


def test_the_code_is_the_value_s_own(client):
    first, again = store_value(client, WEIGHTS), store_value(client, WEIGHTS)
    as_floats = store_value(client, orjson.loads(orjson.dumps(WEIGHTS).replace(b"[1,-2]", b"[1.0,-2.0]")))
    other = store_value(client, [{**WEIGHTS[0], "b": [0.125, -0.5000001]}, WEIGHTS[1]])
    assert first == again == as_floats and other != first
    code = first[1:]
    assert client.get(f"/api/v1/blobs/{code}").json()["value"][1]["W"] == [[1.0, -2.0]]


def test_snapshots_and_links_accept_a_reference(client):
    ref = store_value(client, WEIGHTS)
    inline = client.get(f"/api/v1/snapshot?preset=xor&step=5&weights={quote(orjson.dumps(WEIGHTS).decode())}")
    by_ref = client.get(f"/api/v1/snapshot?preset=xor&step=5&weights={ref}")
    assert by_ref.status_code == 200 and by_ref.content == inline.content
    link = client.post("/api/v1/links", json={"query": f"preset=xor&weights={ref}&step=5"})
    assert link.status_code == 201
    custom = store_value(client, {"x": [[0, 0], [0, 1], [1, 0], [1, 1]], "y": [[0], [1], [1], [0]]})
    assert client.post("/api/v1/runs", json={"dataset": "custom", "data": custom}).status_code == 201


class StoreWatch:
    """The app's store, noting each stored value read while the event loop runs in the calling
    thread: a read there (a round trip on PostgreSQL) holds up every other request."""

    def __init__(self, store):
        self.store, self.on_loop = store, []

    def __getattr__(self, name):
        return getattr(self.store, name)

    def get_blob(self, code):
        try:
            asyncio.get_running_loop()
            self.on_loop.append(code)
        except RuntimeError:  # a worker thread
            pass
        return self.store.get_blob(code)


def test_a_snapshot_reads_stored_values_off_the_event_loop(client):
    ref = store_value(client, WEIGHTS)
    services = client.app.state.services
    services.store = watch = StoreWatch(services.store)
    assert client.get(f"/api/v1/snapshot?preset=xor&step=5&weights={ref}").status_code == 200
    assert client.get("/api/v1/snapshot?preset=xor&step=5&weights=@AAAAAAAAAAAAAAAAAAAAAA").status_code == 422
    assert not watch.on_loop


@pytest.mark.parametrize(
    ("send", "field"),
    [
        (
            {"json": {"preset": "xor", "weights": "@AAAAAAAAAAAAAAAAAAAAAA"}},
            "weights",
        ),  # well formed, unknown
        ({"json": {"preset": "xor", "weights": "@short"}}, "weights"),
        ({"json": {"dataset": "custom", "data": "@AAAAAAAAAAAAAAAAAAAAAA"}}, "data"),
    ],
)
def test_unknown_or_malformed_references_are_refused_by_name(client, send, field):
    response = client.post("/api/v1/runs", **send)
    assert response.status_code == 422
    assert field in str(response.json()["detail"][0]["loc"])


def test_an_unknown_reference_in_a_url_is_a_422(client):
    response = client.get("/api/v1/snapshot?preset=xor&weights=@AAAAAAAAAAAAAAAAAAAAAA")
    assert response.status_code == 422 and "weights" in str(response.json()["detail"][0]["loc"])
    assert response.json()["detail"][0]["code"] == "unknown_ref"  # the page words it in its language
    assert client.get("/api/v1/blobs/nope").status_code == 404


def test_values_must_be_finite_weights_or_data(client):
    nan = b'{"value": [{"W": [[NaN]], "b": [0]}]}'
    response = client.post("/api/v1/blobs", content=nan, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert client.post("/api/v1/blobs", json={"value": {"colour": "red"}}).status_code == 422


def test_the_store_holds_at_most_max_blobs_values(client):
    client.app.state.services.settings.max_blobs = 1
    store_value(client, WEIGHTS)
    assert store_value(client, WEIGHTS)  # the same value again needs no room
    full = client.post("/api/v1/blobs", json={"value": WEIGHTS[:1]})
    assert full.status_code == 422 and "at most 1" in str(full.json())
    assert (full.json()["detail"][0]["code"], full.json()["detail"][0]["most"]) == ("store_full", 1)


def test_concurrent_values_stop_at_the_cap_on_a_real_server(store_target):
    """40 different values POSTed at once to a server with room for 5 store exactly 5: the
    count and the insert were two statements, so concurrent uploads passed BPX_MAX_BLOBS."""
    server = Server(store_target, workers=2, env={"BPX_MAX_BLOBS": "5"}).start()
    try:

        def upload(k: int) -> int:
            value = [{"W": [[float(k)]], "b": [0.0]}]
            return httpx.post(f"{server.url}/api/v1/blobs", json={"value": value}, timeout=60).status_code

        with ThreadPoolExecutor(20) as pool:
            codes = list(pool.map(upload, range(40)))
    finally:
        server.stop()
    assert codes.count(201) == 5 and codes.count(422) == 35, codes
    store = open_store(store_target)
    assert store.count_blobs() == 5
    store.close()


def test_a_store_from_before_blobs_gains_the_table(tmp_path):
    path = tmp_path / "old.sqlite3"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE blobs")  # as a store made before values could be stored
    store = SQLiteStore(path)
    store.put_blob("c", "[]", most=10)
    assert store.get_blob("c") == "[]" and store.count_blobs() == 1


def test_runs_carrying_custom_data_keep_it_once_and_under_the_cap(tmp_path):
    """Twenty POST /runs, each with 3.9 MB of custom data, grew the database by 72 MB, with no
    cap: a run's data and weights are now kept among the stored values (once per value, at most
    max_blobs of them), the run naming them by code; a restarted server (another worker) reads
    the run back whole."""
    from fastapi.testclient import TestClient

    from app.main import create_app
    from tests.api.conftest import settings_for

    def data(k: int) -> dict:
        return {"x": [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [float(k), 1.0]], "y": [[0.0], [1.0], [1.0], [0.0]]}

    settings = settings_for(tmp_path, max_blobs=3)
    with TestClient(create_app(settings)) as client:
        ids = [
            client.post("/api/v1/runs", json={"dataset": "custom", "data": data(1), "seed": s}).json()["id"]
            for s in range(5)
        ]  # one value, five runs: stored once
        assert client.post("/api/v1/runs", json={"dataset": "custom", "data": data(2)}).status_code == 201
        assert client.post("/api/v1/runs", json={"dataset": "custom", "data": data(3)}).status_code == 201
        full = client.post("/api/v1/runs", json={"dataset": "custom", "data": data(4)})
        assert full.status_code == 422 and full.json()["detail"][0]["code"] == "store_full"
        assert full.json()["detail"][0]["loc"][-1] == "data"
        stepped = client.post(f"/api/v1/runs/{ids[2]}/step", json={"steps": 3}).json()
    with sqlite3.connect(settings.db) as db:
        assert db.execute("SELECT COUNT(*) FROM blobs").fetchone()[0] == 3
        stored = db.execute("SELECT config FROM runs WHERE id = ?", (ids[2],)).fetchone()[0]
        assert orjson.loads(stored)["data"].startswith("@") and len(stored) < 1000
    with TestClient(create_app(settings)) as client:  # a new server: the run from the store alone
        run = client.get(f"/api/v1/runs/{ids[2]}").json()
        assert run["config"]["data"] == data(1) and run["step"] == 3
        again = client.get(f"/api/v1/runs/{ids[2]}/state").json()
        assert again["loss"] == stepped["loss"]
