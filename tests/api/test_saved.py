"""Saved runs over HTTP, on both stores: reachable by their link, listed only to their owner
(an HttpOnly cookie), paged, one query per page, and the cap holds under concurrent saves."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings


@pytest.fixture
def app(store_target):
    return create_app(Settings(db=store_target, db_pool=8, allowed_hosts=["testserver", "localhost"]))


@pytest.fixture
def client(app):
    with TestClient(app) as c:  # `with`: lifespan runs
        yield c


def save(client, name: str, query: str = "preset=xor"):
    return client.post("/api/v1/saved", json={"name": name, "query": query})


def test_saved_runs_crud(client):
    made = save(client, "  my adam run ", "preset=adam&step=30").json()
    assert made["name"] == "my adam run"
    listed = client.get("/api/v1/saved").json()
    assert [s["id"] for s in listed["items"]] == [made["id"]] and listed["next_offset"] is None
    assert client.get(f"/api/v1/saved/{made['id']}").json()["query"] == "preset=adam&step=30"
    assert client.delete(f"/api/v1/saved/{made['id']}").status_code == 204
    assert client.get(f"/api/v1/saved/{made['id']}").status_code == 404
    assert client.delete(f"/api/v1/saved/{made['id']}").status_code == 404
    assert save(client, "   ").status_code == 422


def test_the_owner_cookie_is_httponly_strict_and_only_for_saved_runs(client):
    cookie = save(client, "mine").headers["set-cookie"].lower()
    assert cookie.startswith("bpx_owner=") and "httponly" in cookie and "samesite=strict" in cookie
    assert "path=/api/v1/saved" in cookie and "max-age=" in cookie


def test_strangers_see_none_of_your_saved_runs_but_open_them_by_link(app, client):
    mine = save(client, "mine").json()
    stranger = TestClient(app)  # another browser: no cookie (and no `with`: the app runs already)
    assert stranger.get("/api/v1/saved").json() == {"items": [], "next_offset": None}
    assert stranger.get(f"/api/v1/saved/{mine['id']}").json()["name"] == "mine"
    assert stranger.delete(f"/api/v1/saved/{mine['id']}").status_code == 404
    theirs = save(stranger, "theirs").json()
    assert [s["name"] for s in stranger.get("/api/v1/saved").json()["items"]] == ["theirs"]
    guesser = TestClient(app, cookies={"bpx_owner": "a-guessed-token"})
    assert guesser.get("/api/v1/saved").json()["items"] == []
    assert [s["id"] for s in client.get("/api/v1/saved").json()["items"]] == [mine["id"]]
    assert client.get(f"/api/v1/saved/{theirs['id']}").status_code == 200


def test_the_list_comes_in_pages(client):
    for k in range(5):
        assert save(client, f"run {k}").status_code == 201
    first = client.get("/api/v1/saved", params={"limit": 2}).json()
    assert [s["name"] for s in first["items"]] == ["run 4", "run 3"] and first["next_offset"] == 2
    last = client.get("/api/v1/saved", params={"limit": 2, "offset": 4}).json()
    assert [s["name"] for s in last["items"]] == ["run 0"] and last["next_offset"] is None
    for params, field in (({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"offset": -1}, "offset")):
        refused = client.get("/api/v1/saved", params=params)
        assert refused.status_code == 422 and field in refused.json()["detail"][0]["loc"]


def test_a_page_is_one_query(app, client):
    """It was one query for the list and one more per saved run."""
    for k in range(6):
        save(client, f"run {k}")
    store = app.state.services.store
    calls = []
    for name in ("_rows", "_write"):
        real = getattr(store, name)
        setattr(store, name, lambda *a, real=real, name=name: calls.append(name) or real(*a))
    assert len(client.get("/api/v1/saved").json()["items"]) == 6
    assert calls == ["_rows"]


def test_saved_runs_limit(app, client):
    app.state.services.settings.max_saved_runs = 2
    for k in range(2):
        assert save(client, f"r{k}").status_code == 201
    refused = save(client, "one too many")
    assert refused.status_code == 422 and "delete some" in refused.json()["detail"][0]["allowed"]
    assert (refused.json()["detail"][0]["code"], refused.json()["detail"][0]["most"]) == ("store_full", 2)


def test_concurrent_saves_stop_at_the_cap(app, client):
    """40 concurrent saves with room for 10 stored 13: the count and the insert were apart."""
    app.state.services.settings.max_saved_runs = 10
    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(lambda k: save(client, f"run {k}").status_code, range(40)))
    assert codes.count(201) == 10 and codes.count(422) == 30
    assert app.state.services.store.count_saved() == 10


def test_concurrent_saves_lose_nothing(client):
    assert save(client, "first").status_code == 201  # the browser now has its owner cookie
    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(lambda k: save(client, f"run {k}").status_code, range(40))) == {201}
    assert len(client.get("/api/v1/saved", params={"limit": 100}).json()["items"]) == 41
