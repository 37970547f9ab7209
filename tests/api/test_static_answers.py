"""Static files answered from memory (app/static_answers.py): the same answer as the app's,
anew when the file changes, and everything but a plain GET left to the app."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient

from app import pages
from app.security import HEADERS
from app.static_answers import StaticAnswers

P = pages.STATIC_PREFIX
FILES = [
    f"{P}/js/api.js",  # hashed: immutable
    "/static/js/api.js",  # plain: revalidated
    f"{P}/vendor/plotly.min.js",  # plotly's route, not a mount
    "/static/vendor/plotly.min.js",
    f"{P}/css/app.css",
    "/static/docs/swagger-init.js",  # under 1000 bytes: never gzipped
]


def answer(response) -> tuple:
    headers = [(k, v) for k, v in response.headers.multi_items() if k != "date"]
    return response.status_code, headers, response.content


@pytest.fixture
def app_down(monkeypatch):
    """After this, the app's own static serving fails: only memory can answer."""

    def down() -> None:
        def refuse(*args, **kwargs):
            raise AssertionError("the app was asked")

        monkeypatch.setattr(pages.CachedStatic, "get_response", refuse)
        monkeypatch.setattr(pages, "gzipped", refuse)

    return down


@pytest.mark.parametrize("path", FILES)
@pytest.mark.parametrize("encoding", ["gzip, deflate, br", "identity"])
def test_a_file_is_answered_again_from_memory_as_the_app_answered_it(client, app_down, path, encoding):
    first = client.get(path, headers={"accept-encoding": encoding})
    assert first.status_code == 200
    app_down()
    again = client.get(path, headers={"accept-encoding": encoding})
    assert answer(again) == answer(first)
    assert dict(HEADERS)[b"content-security-policy"].decode() == again.headers["content-security-policy"]
    on_disk = pages.static_file(path).read_bytes()  # type: ignore[union-attr]
    assert again.content == on_disk  # (httpx undoes the gzip)
    assert (again.headers.get("content-encoding") == "gzip") == (
        encoding != "identity" and len(on_disk) >= 1000
    )


def test_gzip_and_identity_are_remembered_apart(client, app_down):
    path = f"{P}/js/api.js"
    zipped = client.get(path, headers={"accept-encoding": "gzip"})
    plain = client.get(path, headers={"accept-encoding": "identity"})
    app_down()
    remembered = client.get(path, headers={"accept-encoding": "gzip"})
    assert answer(remembered) == answer(zipped) and remembered.headers["content-encoding"] == "gzip"
    assert answer(client.get(path, headers={"accept-encoding": "identity"})) == answer(plain)
    assert "content-encoding" not in plain.headers and zipped.content == plain.content


def test_conditional_and_range_requests_are_the_apps(client):
    path = "/static/js/api.js"
    first = client.get(path, headers={"accept-encoding": "identity"})
    client.get(path, headers={"accept-encoding": "identity"})  # remembered by now
    not_modified = client.get(path, headers={"if-none-match": first.headers["etag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["cache-control"] == pages.REVALIDATE
    since = client.get(path, headers={"if-modified-since": first.headers["last-modified"]})
    assert since.status_code == 304
    part = client.get(path, headers={"accept-encoding": "identity", "range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == first.content[:10]
    head = client.head(path, headers={"accept-encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert client.post(path).status_code == 405


@pytest.mark.parametrize("path", ["/static/js/../js/api.js", "/static//js/api.js", "/static/js/./api.js"])
def test_a_path_not_spelled_plainly_is_not_remembered(client, path):
    client.get(path)
    client.get(path)
    answers = next(m for m in middlewares(client.app) if isinstance(m, StaticAnswers)).answers
    assert not any(key[0] == path for key in answers)


def middlewares(app: FastAPI):
    layer = app.middleware_stack
    while layer is not None:
        yield layer
        layer = getattr(layer, "app", None)


def test_an_edited_file_is_answered_anew(tmp_path):
    (tmp_path / "a.js").write_text("one = 1;\n" * 200)
    inner = FastAPI()
    inner.mount("/static", StaticFiles(directory=tmp_path))
    app = StaticAnswers(inner, file_of=lambda path: tmp_path / path.removeprefix("/static/"))
    with TestClient(app) as client:
        before = [client.get("/static/a.js").content for _ in range(2)]
        (tmp_path / "a.js").write_text("two = 2;\n" * 300)
        after = client.get("/static/a.js")
    assert before == [("one = 1;\n" * 200).encode()] * 2
    assert after.content == ("two = 2;\n" * 300).encode()
    assert after.headers["content-length"] == str(len(after.content))


def test_a_missing_file_is_the_apps_404_every_time(client):
    for _ in range(2):
        response = client.get("/static/js/nope.js")
        assert response.status_code == 404


def asgi_get(path: str) -> dict:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "root_path": "",
        "headers": [(b"accept-encoding", b"gzip")],
    }


class SlowFiles:
    """An app that answers a file once let go (as StaticFiles does after its thread hops)."""

    def __init__(self, folder):
        self.folder, self.calls, self.go = folder, 0, asyncio.Event()

    async def __call__(self, scope, receive, send) -> None:
        self.calls += 1
        await self.go.wait()
        body = (self.folder / scope["path"].removeprefix("/static/")).read_bytes()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"%d" % len(body))],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def get(answers: StaticAnswers, path: str) -> list[dict]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    await answers(asgi_get(path), receive, send)
    return sent


def test_a_class_arriving_at_once_has_a_file_made_once(tmp_path):
    (tmp_path / "a.js").write_text("one = 1;\n" * 500)
    files = SlowFiles(tmp_path)
    answers = StaticAnswers(files, file_of=lambda path: tmp_path / path.removeprefix("/static/"))

    async def class_arrives() -> list[list[dict]]:
        students = [asyncio.create_task(get(answers, "/static/a.js")) for _ in range(20)]
        await asyncio.sleep(0.05)  # all of them asked before the first answer is made
        files.go.set()
        return await asyncio.gather(*students)

    sent = asyncio.run(class_arrives())
    assert files.calls == 1
    assert all(s[-1]["body"] == ("one = 1;\n" * 500).encode() for s in sent)


def test_when_the_first_student_leaves_the_others_are_answered(tmp_path):
    (tmp_path / "a.js").write_text("one = 1;\n" * 500)
    files = SlowFiles(tmp_path)
    answers = StaticAnswers(files, file_of=lambda path: tmp_path / path.removeprefix("/static/"))

    async def first_leaves() -> list[list[dict]]:
        first = asyncio.create_task(get(answers, "/static/a.js"))
        await asyncio.sleep(0.01)
        others = [asyncio.create_task(get(answers, "/static/a.js")) for _ in range(5)]
        await asyncio.sleep(0.01)
        first.cancel()
        await asyncio.sleep(0.01)
        files.go.set()
        return await asyncio.gather(*others)

    sent = asyncio.run(first_leaves())
    assert files.calls == 2  # the first, gone; then one of the others, for them all
    assert all(s[-1]["body"] == ("one = 1;\n" * 500).encode() for s in sent)
