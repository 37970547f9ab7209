"""Static files answered from memory, ahead of the middlewares and the router.

A class starting at once loads the page's ~70 files per student. Each went through the
middlewares, FastAPI's router (which tries every API route before the static mounts) and
StaticFiles' thread hops (a stat, then the gzip cache in app/pages.py): ~700 µs of server
CPU a file, and the page's first API calls waited behind them.

The first plain GET of a file is answered by the app as before, and its answer (a 200: its
headers and bytes exactly as the app sent them) is remembered under its path and whether
the client accepts gzip, the only request header the answer depends on. The next such GET
is sent from memory while the file on disk is still the one that answered: the same size
and modification time, one stat on the event loop (microseconds for a file the page cache
holds), so a file edited while the server runs is answered anew, as StaticFiles does.

Everything else goes to the app as before: HEAD, conditional requests (304s), ranges
(206s), errors, a path spelled in any but its one plain way. The outer middleware
(app/security.py) adds the browser defences to these answers as to any other.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Request headers that make StaticFiles answer other than a plain 200 (304, 206).
CONDITIONAL = frozenset({b"range", b"if-range", b"if-none-match", b"if-modified-since"})
MAX_BYTES = 64_000_000  # the whole static tree, plain and gzipped, is ~5 MB


@dataclass(frozen=True)
class Answer:
    file: Path
    version: tuple[int, int]  # the file's (size, mtime_ns) when it answered
    headers: list[tuple[bytes, bytes]]
    body: bytes


def version_of(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


class StaticAnswers:
    """`file_of(path)`: the file a URL path names (None: not a static file's URL)."""

    def __init__(self, app: ASGIApp, file_of: Callable[[str], Path | None]):
        self.app = app
        self.file_of = file_of
        self.answers: dict[tuple[str, bool], Answer] = {}
        self.size = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        if not path.startswith("/static/") or scope["method"] != "GET" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        gzip = False
        for name, value in scope["headers"]:
            if name in CONDITIONAL:
                await self.app(scope, receive, send)
                return
            if name == b"accept-encoding" and not gzip:
                gzip = b"gzip" in value
        key = (path, gzip)
        answer = self.answers.get(key)
        if answer is not None and version_of(answer.file) == answer.version:
            await send({"type": "http.response.start", "status": 200, "headers": list(answer.headers)})
            await send({"type": "http.response.body", "body": answer.body})
            return
        file = self.file_of(path)
        if file is None:
            await self.app(scope, receive, send)
            return
        await self._answer_and_remember(scope, receive, send, key, file, version_of(file))

    async def _answer_and_remember(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: tuple[str, bool],
        file: Path,
        version: tuple[int, int] | None,
    ) -> None:
        status, headers, chunks = 0, list[tuple[bytes, bytes]](), list[bytes]()
        complete = False

        async def send_and_keep(message: Message) -> None:
            nonlocal status, headers, complete
            if message["type"] == "http.response.start":  # kept before the outer middleware adds its own
                status, headers = (
                    message["status"],
                    [(bytes(k), bytes(v)) for k, v in message.get("headers", [])],
                )
            elif message["type"] == "http.response.body" and status:
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)
            await send(message)

        await self.app(scope, receive, send_and_keep)
        self._forget(key)
        if status != 200 or not complete or version is None:
            return
        body = b"".join(chunks)
        if dict(headers).get(b"content-length") != str(len(body)).encode():
            return  # not one whole answer of known length
        if version_of(file) != version or self.size + len(body) > MAX_BYTES:
            return  # the file changed while it was read
        self.answers[key] = Answer(file, version, headers, body)
        self.size += len(body)

    def _forget(self, key: tuple[str, bool]) -> None:
        old = self.answers.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
