"""POST /runs/{id}/step (and the other lean routes: creating a run, pausing, the page, a
run's State and rows) through its lean entrance (app/lean.py) answers exactly what FastAPI's
own route answers: the same State bits, the same 4xx errors word for word, the same headers
(the browser defences' among them: the lean way passes the app's own middlewares too)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import fastapi.routing
import pytest
from fastapi.testclient import TestClient
from starlette.routing import Match

from app.lean import Entrance
from app.main import create_app
from tests.api.conftest import settings_for

JSON = "application/json"
ONE = b'{"steps": 1}'
# With one step in the body: plain queries, and every way a query can be wrong
QUERIES = [
    "?digits=5",
    "?fields=step,loss,layers.W",
    "?fields=step&fields=loss",  # repeated: the last one, as FastAPI takes it
    "?include=history,preview,neurons,grid&since=2&grid=5",
    "?include=grid&grid=2&format=compact&digits=3",
    "?sample=1&format=compact",
    "?sample=mean&fields=layers.a,step",
    "?sample=x",
    "?sample=999999",
    "?somebody=else",  # unknown parameters are ignored
    "?digits=%2B7",  # "+7"
    "?digits=0",
    "?digits=18",
    "?digits=x",
    "?digits=",
    "?digits=%EF%BC%95",  # a full-width 5
    "?format=xml",
    "?fields=nope",
    "?fields=" + "step," * 500,
    "?include=nope",
    "?include=grid&grid=1",
    "?since=-1",
]
# With no query: plain bodies, and every way a body can be wrong
BODIES = [
    b'{"steps": 1}',
    b'{"steps": 3}',
    b"{}",  # steps defaults to 1
    b'{"steps": "5"}',
    b'{"steps": true}',
    b'{"steps": 0}',
    b'{"steps": 1.0}',
    b'{"steps": 10000000}',
    b'{"steps": 1, "more": 2}',
    b"[1]",
    b"null",
    b"",
    b'{"steps": 1',
    b'{"steps": NaN}',
    b'\xff{"steps": 1}',
    b"[" * 100_000 + b"]" * 100_000,
]
# (query, body, content type)
CASES = (
    [(query, ONE, JSON) for query in QUERIES]
    + [("", body, JSON) for body in BODIES]
    + [
        ("?digits=17&format=compact", b'{"steps": 2}', JSON),
        ("?digits=0&grid=1", b'{"steps": "x"}', JSON),  # errors in the query and the body together
        ("", ONE, "application/json; charset=utf-8"),
        ("", ONE, "text/plain"),
        ("", ONE, ""),
    ]
)


@contextmanager
def served(tmp_path: Path, lean: bool, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A client of the app with its lean entrance, or without (every request passes the
    entrance by: the routes as FastAPI serves them)."""
    with monkeypatch.context() as patch:
        if not lean:
            patch.setattr(Entrance, "matches", lambda self, scope: (Match.NONE, {}))
        with TestClient(create_app(settings_for(tmp_path))) as client:
            yield client


def assert_alike(lean: list, full: list, cases: list) -> None:
    """Each case answered alike through the lean entrance and by FastAPI's route."""
    for case, (one, other) in enumerate(zip(lean, full, strict=True)):
        assert one == other, cases[case]


def answers(tmp_path: Path, lean: bool, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, list, bytes]]:
    out = []
    with served(tmp_path, lean, monkeypatch) as client:
        run_id = client.post("/api/v1/runs", json={"preset": "xor", "seed": 7}).json()["id"]
        for query, body, content_type in CASES + [("", ONE, JSON)]:
            headers = {"content-type": content_type} if content_type else {}
            r = client.post(f"/api/v1/runs/{run_id}/step{query}", content=body, headers=headers)
            out.append((r.status_code, sorted(r.headers.multi_items()), r.content))
        for method, path in [
            ("POST", "/api/v1/runs/nope/step"),
            ("GET", f"/api/v1/runs/{run_id}/step"),
            ("POST", f"/api/v1/runs/{run_id}/step/"),
            ("POST", "/api/v1/runs//step"),
        ]:
            r = client.request(method, path, json={"steps": 1})
            out.append((r.status_code, sorted(r.headers.multi_items()), r.content))
    return out


CREATE_CASES = [
    ({"preset": "xor"}, JSON),
    ({"preset": "xor", "seed": 5, "learning_rate": 0.05, "hidden": [3, 2]}, JSON),
    ({"dataset": "spiral", "hidden": [8], "activation": "relu", "optimizer": "adam"}, JSON),
    ({"dataset": "custom", "data": {"x": [[1, 2], [3, 4]], "y": [[0], [1]]}, "hidden": [2]}, JSON),
    (
        {
            "hidden": [3],
            "weights": [{"W": [[1, 2], [3, 4], [5, 6]], "b": [0, 0, 0]}, {"W": [[1, 2, 3]], "b": [1]}],
        },
        JSON,
    ),
    ({}, JSON),
    ({"preset": "nonsense"}, JSON),
    ({"activation": "swish"}, JSON),
    ({"hidden": [100000]}, JSON),
    ({"learning_rate": "fast"}, JSON),
    ({"learning_rate": 1e-300}, JSON),
    ({"seed": -1}, JSON),
    ({"bogus": 1}, JSON),
    ({"loss": "cross_entropy", "output_activation": "relu"}, JSON),
    ({"dataset": "custom", "data": {"x": [[1, 2]], "y": [[0], [1]]}}, JSON),
    ({"preset": "xor"}, "text/plain"),
    ([1], JSON),
]


def created(tmp_path: Path, lean: bool, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, list, object]]:
    """Each case's answer, its run id left out (ids are random)."""
    out: list[tuple[int, list, object]] = []
    with served(tmp_path, lean, monkeypatch) as client:
        for body, content_type in CREATE_CASES:
            r = client.post("/api/v1/runs", content=json.dumps(body), headers={"content-type": content_type})
            answer = r.json()
            if r.status_code == 201:
                assert client.get(f"/api/v1/runs/{answer.pop('id')}").status_code == 200
            headers = sorted((k, v) for k, v in r.headers.multi_items() if k != "content-length")  # the id's
            out.append((r.status_code, headers, answer))
    return out


def test_creating_a_run_answers_as_fastapi_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    lean = created(tmp_path / "lean", True, monkeypatch)
    full = created(tmp_path / "full", False, monkeypatch)
    assert_alike(lean, full, CREATE_CASES)
    statuses = [status for status, _, _ in lean]
    assert statuses[:6] == [201] * 6 and 422 in statuses  # both kinds were tried


def test_lean_route_answers_as_fastapi_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    lean = answers(tmp_path / "lean", True, monkeypatch)
    full = answers(tmp_path / "full", False, monkeypatch)
    assert [status for status, _, _ in lean] == [status for status, _, _ in full]
    assert_alike(lean, full, CASES + [("", "", "")] * 5)
    statuses = [status for status, _, _ in lean]
    assert statuses.count(200) >= 10 and 422 in statuses and 404 in statuses  # both kinds were tried


PAUSE_QUERIES = [q for q in QUERIES if q != "?somebody=else"] + [
    "?step=2",
    "?step=0&include=history&since=0",
    "?step=4&format=compact",
    "?step=-1",
    "?step=x",
    "?step=99999999999",
]


def paused(tmp_path: Path, lean: bool, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, list, bytes]]:
    """A pause answers as a Step does: each query's answer, after the same steps."""
    out = []
    with served(tmp_path, lean, monkeypatch) as client:
        run_id = client.post("/api/v1/runs", json={"preset": "xor", "seed": 7}).json()["id"]
        for query in PAUSE_QUERIES:
            client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 2})
            r = client.post(f"/api/v1/runs/{run_id}/pause{query}")
            out.append((r.status_code, sorted(r.headers.multi_items()), r.content))
        r = client.post("/api/v1/runs/nope/pause")
        out.append((r.status_code, sorted(r.headers.multi_items()), r.content))
    return out


def test_pausing_answers_as_fastapi_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    lean = paused(tmp_path / "lean", True, monkeypatch)
    full = paused(tmp_path / "full", False, monkeypatch)
    assert_alike(lean, full, PAUSE_QUERIES + ["unknown run"])
    statuses = [status for status, _, _ in lean]
    assert statuses.count(200) >= 10 and 422 in statuses and statuses[-1] == 404


OPENING_GETS = [
    "/",
    "/?preset=xor&step=3&lang=zh-Hant",
    "/api/v1/runs/{run}/state",
    "/api/v1/runs/{run}/state?include=history,preview,neurons,grid&since=0&grid=5",
    "/api/v1/runs/{run}/state?fields=step,loss&format=compact&digits=3",
    "/api/v1/runs/{run}/state?include=nope",
    "/api/v1/runs/{run}/state?digits=%EF%BC%95",
    "/api/v1/runs/{run}/state?since=-1",
    "/api/v1/runs/nope/state",
    "/api/v1/runs/{run}/data",
    "/api/v1/runs/{run}/data?split=train&start=1&count=2&with_x=false&digits=4",
    "/api/v1/runs/{run}/data?split=test&start=1&count=2",
    "/api/v1/runs/{run}/data?split=train&count=2000",
    "/api/v1/runs/{run}/data?split=nope",
    "/api/v1/runs/{run}/data?start=50357158763227954005671936",
    "/api/v1/runs/{run}/data?count=0",
    "/api/v1/runs/{run}/data?with_x=maybe",
    "/api/v1/runs/nope/data",
]


def opened(tmp_path: Path, lean: bool, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, list, bytes]]:
    """What a page opening a run asks for with GET (the page, the State, the rows), gzipped
    and not, after the same two steps."""
    out = []
    with served(tmp_path, lean, monkeypatch) as client:
        run_id = client.post("/api/v1/runs", json={"preset": "xor", "seed": 7}).json()["id"]
        client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 2})
        for path in OPENING_GETS:
            for encoding in ("gzip", "identity"):
                r = client.get(path.replace("{run}", run_id), headers={"accept-encoding": encoding})
                out.append((r.status_code, sorted(r.headers.multi_items()), r.content))
    return out


def test_opening_a_run_answers_as_fastapi_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    lean = opened(tmp_path / "lean", True, monkeypatch)
    full = opened(tmp_path / "full", False, monkeypatch)
    assert_alike(lean, full, [path for path in OPENING_GETS for _ in ("gzip", "identity")])
    statuses = [status for status, _, _ in lean]
    assert statuses.count(200) >= 16 and 422 in statuses and 404 in statuses  # both kinds were tried


def test_plain_steps_skip_dependency_solving(client: TestClient, monkeypatch: pytest.MonkeyPatch):
    solved = []
    solve = fastapi.routing.solve_dependencies

    async def counting(*args, **kwargs):
        solved.append(kwargs["dependant"].call.__name__)
        return await solve(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counting)
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    solved.clear()
    answer = client.post(f"/api/v1/runs/{run_id}/step?digits=3&include=history", json={"steps": 2})
    assert answer.json()["state"]["step"] == 2
    assert solved == []
    assert client.post(f"/api/v1/runs/{run_id}/step?digits=0", json={"steps": 1}).status_code == 422
    assert solved == ["step_run"]  # an error is FastAPI's to say
    solved.clear()
    for path in ("/", f"/api/v1/runs/{run_id}/state?include=history", f"/api/v1/runs/{run_id}/data?count=4"):
        assert client.get(path).status_code == 200
    assert solved == []  # a page opening a run: the lean way too


def test_the_step_is_documented_as_before(client: TestClient):
    step = client.get("/openapi.json").json()["paths"]["/api/v1/runs/{run_id}/step"]["post"]
    names = {p["name"] for p in step["parameters"]}
    assert names == {
        "run_id",
        "fields",
        "digits",
        "format",
        "sample",
        "edges_only",
        "include",
        "since",
        "grid",
    }
    assert step["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/StepIn")
    assert "422" in step["responses"] and "200" in step["responses"]


def test_a_step_answer_is_gzipped_as_the_middleware_would(client: TestClient):
    """Compressed in the lane's thread (app/api.py gzipped): the same bytes once decoded, the
    same headers as GZipMiddleware gives; small answers and clients without gzip get it plain."""
    ids = [client.post("/api/v1/runs", json={"preset": "xor", "seed": 3}).json()["id"] for _ in range(2)]
    zipped = client.post(
        f"/api/v1/runs/{ids[0]}/step", json={"steps": 2}, headers={"accept-encoding": "gzip"}
    )
    plain = client.post(
        f"/api/v1/runs/{ids[1]}/step", json={"steps": 2}, headers={"accept-encoding": "identity"}
    )
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"] == "Accept-Encoding"
    assert int(zipped.headers["content-length"]) < len(plain.content)
    assert "content-encoding" not in plain.headers
    assert zipped.content == plain.content  # decoded by the client
    small = client.post(f"/api/v1/runs/{ids[0]}/step?fields=step", json={"steps": 1})
    assert "content-encoding" not in small.headers and small.json() == {"step": 3}


def test_every_answer_is_compressed_once_where_it_is_made_or_by_the_middleware(client: TestClient):
    """A run's State answers (Step, pause, GET /state) are gzipped in their thread and go past
    the middleware (app/compressed.py): compressed once, decoded to the plain answer; the
    app's other JSON answers are compressed by the middleware; a stream never is."""
    run_id, twin = (client.post("/api/v1/runs", json={"preset": "xor", "seed": 4}).json()["id"] for _ in "ab")
    for each in (run_id, twin):
        client.post(f"/api/v1/runs/{each}/step?fields=step", json={"steps": 300})
    page = "include=history,neurons,preview,grid"
    asked = [  # (method, path, body, and the path of the same answer asked plainly)
        ("POST", f"/api/v1/runs/{run_id}/step?{page}", {"steps": 1}, f"/api/v1/runs/{twin}/step?{page}"),
        ("POST", f"/api/v1/runs/{run_id}/pause?{page}", None, None),
        ("GET", f"/api/v1/runs/{run_id}/state?{page}", None, None),
        ("GET", f"/api/v1/runs/{run_id}/history", None, None),  # the middleware's
    ]
    for method, path, body, plainly in asked:
        zipped = client.request(method, path, json=body, headers={"accept-encoding": "gzip"})
        plain = client.request(method, plainly or path, json=body, headers={"accept-encoding": "identity"})
        assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"] == "Accept-Encoding"
        assert int(zipped.headers["content-length"]) < len(plain.content) // 2, path
        assert zipped.json() == plain.json() and "content-encoding" not in plain.headers
    streamed = client.get(f"/api/v1/runs/{run_id}/stream?max_frames=2", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in streamed.headers and streamed.text.startswith("event: state")


def test_the_routes_are_worked_out_before_the_first_visitor(tmp_path, monkeypatch):
    """FastAPI works out its included routers' routes when a request first walks them (50 ms
    of a worker's first request on a slow machine, the class that came with it waiting):
    app/main.py's start-up walks them all, so no visitor's request does."""
    built: list[str] = []
    build = fastapi.routing._IncludedRouter._build_effective_context
    monkeypatch.setattr(
        fastapi.routing._IncludedRouter,
        "_build_effective_context",
        lambda self, route: built.append(getattr(route, "path", "?")) or build(self, route),
    )
    with TestClient(create_app(settings_for(tmp_path))) as client:
        at_start = len(built)
        assert at_start > 20  # every API route, once
        assert client.get("/api/v1/runs/nope").status_code == 404  # walks every router
        assert client.get("/api/v1/saved").status_code == 200
    assert len(built) == at_start
