"""What a request cut short by the server's shutdown answers.

On SIGTERM uvicorn stops accepting connections, gives the requests in flight
`BPX_SHUTDOWN_SECONDS` (app/__main__.py), then cancels the tasks still running. A
cancelled task that had not answered yet got uvicorn's own plain-text 500, past the
browser defences (app/security.py), and an open stream was cut off mid-response. Here,
just inside the defences (so every answer still carries their headers):

- a request with no answer started gets the app's JSON 503, code `shutting_down`, with
  Retry-After: another worker or replica, or this one restarted, will answer it;
- a stream (Server-Sent Events) gets its `end` event, reason `shutting_down`, at the step
  of the last frame it sent, and then the end of the response, so the client reads a
  stream that ended, not a broken connection.

Only a cancellation of the request's own task reaches this far: a client leaving a stream
is absorbed by the response that was sending it.
"""

from __future__ import annotations

import asyncio
import time

import orjson
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

RETRY_AFTER = 5  # seconds: a restarted server, or another worker, is usually answering by then
EVENT_STREAM = b"text/event-stream"
SETTLE_SECONDS = 1.0  # the most the shutdown waits for cancelled requests to answer


def shutting_down() -> JSONResponse:
    """The 503 of a request the server will not finish: it may be sent again."""
    item = {
        "loc": [],
        "msg": "the server is shutting down; send the request again",
        "type": "shutting_down",
        "code": "shutting_down",
    }
    return JSONResponse(
        {"detail": [item]},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER), "Connection": "close"},
    )


def end_event(step: int | None) -> bytes:
    """A stream's last event when the server stops it (app/stream.py sends the others)."""
    return b"event: end\ndata: " + orjson.dumps({"reason": "shutting_down", "step": step}) + b"\n\n"


def last_id(chunk: bytes) -> int | None:
    """The `id:` (a frame's step) that ends an event chunk, if it ends with one."""
    at = chunk.rfind(b"\nid: ", max(0, len(chunk) - 40))
    if at < 0:
        return None
    digits = chunk[at + 5 :].strip()
    return int(digits) if digits.isdigit() else None


class InFlight:
    """The requests AnswerOnShutdown has not seen end. uvicorn, once it has cancelled them,
    shuts the app down and then the process at once (re-raising SIGTERM): the app's shutdown
    first gives them a moment to send what they answer here (a stream's end takes a few turns
    of the event loop through the response's task group)."""

    def __init__(self) -> None:
        self.count = 0

    async def settled(self, seconds: float = SETTLE_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while self.count and time.monotonic() < deadline:
            await asyncio.sleep(0.01)  # only while shutting down


class AnswerOnShutdown:
    def __init__(self, app: ASGIApp, in_flight: InFlight):
        self.app = app
        self.in_flight = in_flight

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = complete = stream = False
        step: int | None = None

        async def watched(message: Message) -> None:
            nonlocal started, complete, stream, step
            if message["type"] == "http.response.start":
                started = True
                stream = any(
                    k == b"content-type" and v.startswith(EVENT_STREAM) for k, v in message["headers"]
                )
            elif message["type"] == "http.response.body":
                if stream and (found := last_id(message.get("body", b""))) is not None:
                    step = found
                complete = not message.get("more_body", False)
            await send(message)

        self.in_flight.count += 1
        try:
            await self.app(scope, receive, watched)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()  # answered here: the task ends as one that finished
            if complete:
                return
            if not started:
                await shutting_down()(scope, receive, send)
            elif stream:
                await send({"type": "http.response.body", "body": end_event(step), "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            else:  # half an answer sent: nothing can be said now, the connection closes
                raise
        finally:
            self.in_flight.count -= 1
