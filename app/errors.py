"""Every failure is a JSON 4xx that names the field and what is allowed; never a 500
for bad input. The shape follows FastAPI's own validation errors: {detail: [{loc, msg, type}]}."""

from __future__ import annotations

import json
import logging
import math
import re

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.lanes import Busy, ClientGone, Stopped
from app.runs import RunNotFound
from app.shutdown import shutting_down
from app.store.errors import StoreUnavailable
from engine.config import ConfigError

log = logging.getLogger("bpx")


# pydantic's error types, named as ConfigError codes so the page translates both alike
PYDANTIC_CODES = {
    "literal_error": "choice",
    "greater_than_equal": "range",
    "less_than_equal": "range",
    "greater_than": "range",
    "less_than": "range",
    "int_parsing": "integer",
    "int_from_float": "integer",
    "int_type": "integer",
    "float_parsing": "number",
    "too_long": "too_many",
    "string_too_long": "too_long",
    "bool_parsing": "boolean",
    "bool_type": "boolean",
    "finite_number": "not_finite",
    "extra_forbidden": "unknown_field",
}
CHOICE = re.compile(r"'([^']*)'")  # one choice of pydantic's "'a', 'b' or 'c'"
BOUND_WORDS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "max_length": "at most"}
STORE_RETRY_AFTER = 5  # seconds: a restarting database is usually back by then


class NotFound(LookupError):
    """A missing link, saved run, ...: 404 with its location."""

    def __init__(self, loc: list[str], message: str):
        super().__init__(message)
        self.loc = loc


def json_scalar(value: object) -> object:
    """The offending value where JSON can carry it (not NaN, not a whole array, no lone
    UTF-16 surrogate: "\ud800" is echoed as its escape, which UTF-8 can carry)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value if isinstance(value, int | float | str | bool) and len(str(value)) <= 200 else None


def text(value: str) -> str:
    """A message that may quote input: safe to encode as UTF-8."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def field_loc(field: str) -> list[str | int]:
    """ "weights[0].W" -> ["weights", 0, "W"], the way pydantic spells a location."""
    # ASCII digits only: "²" is a digit to str.isdigit that int() refuses (a URL parameter named so was a 500)
    return [
        int(part) if part.isascii() and part.isdigit() else part for part in re.findall(r"[^.\[\]]+", field)
    ]


def config_error_response(error: ConfigError, where: str = "body") -> JSONResponse:
    item = {
        "loc": [where, *field_loc(error.field)],
        "msg": text(error.message),
        "type": "value_error",
        "allowed": error.allowed,
        "code": error.code,  # the kind of error, so the page can say it in its own language
        "value": json_scalar(error.value),
    }
    if error.most is not None:  # a number a client can use (the page steps in chunks of a budget's)
        item["most"] = error.most
    if error.least is not None:  # with most: the range, which the page says in its own words
        item["least"] = error.least
    return JSONResponse({"detail": [item]}, status_code=422)


def install(app: FastAPI) -> None:
    @app.exception_handler(ConfigError)
    async def _config(request: Request, error: ConfigError) -> JSONResponse:
        where = "query" if request.method == "GET" else "body"
        return config_error_response(error, where)

    @app.exception_handler(RunNotFound)
    async def _missing(request: Request, error: RunNotFound) -> JSONResponse:
        return JSONResponse(
            {"detail": [{"loc": ["path", "run_id"], "msg": str(error), "type": "not_found"}]}, status_code=404
        )

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, error: NotFound) -> JSONResponse:
        return JSONResponse(
            {"detail": [{"loc": error.loc, "msg": str(error), "type": "not_found"}]}, status_code=404
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        items = []
        for e in error.errors():
            item = {
                "loc": list(e.get("loc", ())),
                "msg": text(e.get("msg", "invalid")),
                "type": e.get("type", "invalid"),
            }
            ctx = e.get("ctx", {})
            if "expected" in ctx:
                item["allowed"] = str(ctx["expected"])
                if item["type"] == "literal_error":  # the choices as a list, for the page's own words
                    item["choices"] = CHOICE.findall(item["allowed"])
            bounds = [f"{word} {ctx[key]}" for key, word in BOUND_WORDS.items() if key in ctx]
            if bounds:
                item["allowed"] = ", ".join(bounds)
            if item["type"] == "json_invalid" and "error" in ctx:  # say what is wrong, and where
                item["loc"] = ["body"]
                item["msg"] = f"not valid JSON: {ctx['error']} at character {e['loc'][-1]}"
            item["code"] = PYDANTIC_CODES.get(item["type"], item["type"])
            item["value"] = json_scalar(e.get("input"))
            if item["type"] == "too_long":  # a list: say how long it is, and the most (error.too_many)
                item["value"], item["most"] = ctx.get("actual_length"), ctx.get("max_length")
            elif item["type"] == "string_too_long":
                item["most"] = ctx.get("max_length")
            elif item["type"] == "string_too_short" and ctx.get("min_length") == 1:
                item["code"] = "empty"  # a name of no characters
            items.append(item)
        return JSONResponse({"detail": items}, status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> JSONResponse | Response:
        # FastAPI answers a body it cannot read at all (not UTF-8, nested too deeply for the
        # parser) with a bare 400 string; say it the way every other unreadable body is said.
        if error.status_code == 400 and error.detail == "There was an error parsing the body":
            item = {
                "loc": ["body"],
                "msg": "the body could not be read as JSON: not UTF-8, or nested too deeply",
                "type": "json_invalid",
                "code": "json_invalid",
            }
            return JSONResponse({"detail": [item]}, status_code=422)
        return await http_exception_handler(request, error)

    @app.exception_handler(Busy)
    async def _busy(request: Request, error: Busy) -> JSONResponse:
        item = {"loc": [], "msg": str(error), "type": "busy", "code": "busy"}
        return JSONResponse(
            {"detail": [item]}, status_code=503, headers={"Retry-After": str(error.retry_after)}
        )

    @app.exception_handler(Stopped)
    async def _stopped(request: Request, error: Stopped) -> JSONResponse:
        return shutting_down()  # its work stopped between chunks: the server is stopping

    @app.exception_handler(StoreUnavailable)
    async def _store_unavailable(request: Request, error: StoreUnavailable) -> JSONResponse:
        # the database is down, not the request wrong: the client may retry; the log says which
        log.warning("%s %s: %s", request.method, request.url.path, error)
        item = {
            "loc": [],
            "msg": "the database does not answer; try again shortly",
            "type": "store_unavailable",
            "code": "store_unavailable",
        }
        return JSONResponse(
            {"detail": [item]}, status_code=503, headers={"Retry-After": str(STORE_RETRY_AFTER)}
        )

    @app.exception_handler(ClientGone)
    async def _gone(request: Request, error: ClientGone) -> Response:
        return Response(status_code=499)  # nobody reads it: the client left before the answer

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:  # the last resort
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error; it has been logged"}, status_code=500)


LONE_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class BodyLimit:
    """413 for a body over the limit, by Content-Length or by what actually arrives (a
    chunked body is read here, up to the limit, before the handler sees it); 422 for a JSON
    body holding a lone UTF-16 surrogate ("\\ud800"), which Python's JSON parser accepts
    and no text can carry."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._reject(send)
            return
        chunks, seen = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left before sending its body
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.max_bytes:
                await self._reject(send)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if LONE_SURROGATE.search(body) and _has_lone_surrogate(body):
            await _lone_surrogate(send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: the disconnect, when it comes

        await self.app(scope, replay, send)

    async def _reject(self, send: Send) -> None:
        response = JSONResponse(
            {
                "detail": [
                    {
                        "loc": ["body"],
                        "msg": "request body too large",
                        "type": "too_large",
                        "allowed": f"at most {self.max_bytes} bytes",
                    }
                ]
            },
            status_code=413,
        )
        await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})


def _has_lone_surrogate(body: bytes) -> bool:
    """Parsed, does any string hold a surrogate that is not half of a pair?"""
    try:
        value = json.loads(body)
    except ValueError:
        return False  # not JSON: the handler says so
    try:
        orjson.dumps(value)  # orjson refuses lone surrogates when it writes UTF-8
    except orjson.JSONEncodeError:
        return True
    return False


async def _lone_surrogate(send: Send) -> None:
    item = {
        "loc": ["body"],
        "msg": "holds a lone UTF-16 surrogate (\\ud800–\\udfff not part of a pair), which is not text",
        "type": "json_invalid",
        "code": "json_invalid",
        "allowed": "JSON text (UTF-8)",
    }
    response = JSONResponse({"detail": [item]}, status_code=422)
    await send({"type": "http.response.start", "status": 422, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})
