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

While the app makes a file's answer, the same requests wait for it: a class arriving at
once asks for each file ~100 times within that time, and each would read and gzip it
anew (plotly: ~0.1 s of CPU each). Everything else goes to the app as before: HEAD,
conditional requests (304s), ranges (206s), errors, a path spelled in any but its one
plain way. The outer middleware (app/security.py) adds the browser defences to these
answers as to any other.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Request headers that make StaticFiles answer other than a plain 200 (304, 206).
CONDITIONAL = frozenset({b"range", b"if-range", b"if-none-match", b"if-modified-since"})
MAX_BYTES = 64_000_000  # the whole static tree, plain and gzipped, is ~5 MB
LEFT = object()  # told to those waiting when the request making the answer is cancelled


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
        # the answers being made, and those waiting for them
        self.making: dict[tuple[str, bool], asyncio.Future[Answer | object | None]] = {}

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
        while True:
            answer = self.answers.get(key)
            if answer is not None and version_of(answer.file) == answer.version:
                await send({"type": "http.response.start", "status": 200, "headers": list(answer.headers)})
                await send({"type": "http.response.body", "body": answer.body})
                return
            making = self.making.get(key)
            if making is None:
                break
            # shielded: a waiter whose client leaves does not cancel the others' wait
            made = await asyncio.shield(making)
            if made is None:  # not an answer to remember (a 404, ...): each asks the app, as before
                await self.app(scope, receive, send)
                return
            # made, or LEFT (its maker's client left before it was made: one of the waiting makes it)
        file = self.file_of(path)
        if file is None:
            await self.app(scope, receive, send)
            return
        made = self.making[key] = asyncio.get_running_loop().create_future()
        try:
            await self._answer_and_remember(scope, receive, send, key, file, made)
        except BaseException:
            if not made.done():
                made.set_result(LEFT)
            raise
        finally:
            del self.making[key]
            if not made.done():
                made.set_result(None)

    async def _answer_and_remember(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: tuple[str, bool],
        file: Path,
        made: asyncio.Future[Answer | object | None],
    ) -> None:
        version = version_of(file)
        status, headers, chunks = 0, list[tuple[bytes, bytes]](), list[bytes]()

        async def send_and_keep(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":  # kept before the outer middleware adds its own
                status, headers = (
                    message["status"],
                    [(bytes(k), bytes(v)) for k, v in message.get("headers", [])],
                )
            elif message["type"] == "http.response.body" and status == 200:
                chunks.append(message.get("body", b""))
                # whole: those waiting are answered now, not once this client has read it all
                if not message.get("more_body", False) and not made.done():
                    made.set_result(self._remember(key, file, version, headers, b"".join(chunks)))
            await send(message)

        await self.app(scope, receive, send_and_keep)

    def _remember(
        self,
        key: tuple[str, bool],
        file: Path,
        version: tuple[int, int] | None,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> Answer | None:
        old = self.answers.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        if version is None or dict(headers).get(b"content-length") != str(len(body)).encode():
            return None  # not one whole answer of known length
        if version_of(file) != version or self.size + len(body) > MAX_BYTES:
            return None  # the file changed while it was read
        answer = self.answers[key] = Answer(file, version, headers, body)
        self.size += len(body)
        return answer
