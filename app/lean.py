"""A route's plainly valid requests answered without FastAPI's per-request machinery.

FastAPI solves a route's dependencies anew for every request, looking again at each
parameter's annotation (is it a sequence, a model, a form?) before validating it, and a
request walks every included router's routes and two exit stacks before it gets there: for
POST /runs/{id}/step, with its six query parameters, its body and its StateRequest, that
cost more server CPU than the XOR step itself (bench_classroom). A `LeanRoute` is an
APIRoute as any other (the same signature, so /docs and openapi.json are unchanged, and
FastAPI serves it as before); `LeanApp.serve_first` gives it an entrance, ahead of the app's
middleware stack (below), which uses what FastAPI built from the signature directly: each query parameter
given is validated by its own field (the same validators, bounds, aliases and defaults),
the body by the body's field, the endpoint's dependencies are called with what they name,
then the endpoint, inside the same exception handling.

A request it does not take as plainly valid (any parameter or body in error, a body that
is not `application/json`, ...) goes on through the router to FastAPI's own route,
unchanged: every error is FastAPI's, word for word, and only requests that FastAPI would
accept take the lean way. What the lean way supports is checked when the app is built (a
dependency it cannot solve is a TypeError at start-up, not a different answer later).

The entrances come before FastAPI's middleware stack, not first in its router (`LeanApp`):
under a class stepping at once the worker's event loop is the bottleneck, and of the Step's
CPU on it, FastAPI's layers around the app's own took ~28 % (its telemetry check, which
reads the environment on every request, its telemetry and body-limit middlewares, the exit
stack, the router trying each route, request_response; py-spy --gil, bench_classroom). A
lean request passes the app's own middlewares (the browser defences, the foreground count,
the body limit, ...), fresh instances of the same ones, with the same exception handlers
(ExceptionMiddleware) and the same last resort for an unexpected error
(ServerErrorMiddleware); one it passes on goes from there to FastAPI's router, as any
other. FastAPI's telemetry (OpenTelemetry, which this app does not configure) does not see
lean requests.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from copy import deepcopy
from typing import Any, cast

from fastapi import FastAPI, Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import ResponseValidationError
from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
from fastapi.routing import APIRoute, APIRouter
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NO_ANSWER = object()  # not plainly valid: FastAPI's route answers
ENTRANCE = "bpx.lean_entrance"  # in the scope: the entrance that took the request


class Solver:
    """Calls one dependant (the endpoint, or one of its dependencies) from a request:
    its path and query parameters, the Request, its body, and its own dependencies."""

    def __init__(self, dependant: Dependant, body_field: Any = None):
        unsupported = (
            dependant.header_params
            or dependant.cookie_params
            or dependant.websocket_param_name
            or dependant.http_connection_param_name
            or dependant.response_param_name
            or dependant.background_tasks_param_name
            or dependant.security_scopes_param_name
            or (dependant.body_params and body_field is None)
            or len(dependant.body_params) > 1
        )
        if unsupported or not inspect.iscoroutinefunction(dependant.call):
            raise TypeError(f"a lean route cannot solve {dependant.call!r}: give it to FastAPI")
        self.call = dependant.call
        self.request_name = dependant.request_param_name
        self.path = [(f, f.name, f.alias, ("path", f.alias)) for f in dependant.path_params]
        self.query = [(f, f.name, f.alias, ("query", f.alias), missing(f)) for f in dependant.query_params]
        self.body_name = dependant.body_params[0].name if dependant.body_params else None
        self.body_field = body_field
        self.dependencies: list[tuple[str | None, Solver]] = [
            (d.name, Solver(d)) for d in dependant.dependencies
        ]

    async def solve(self, request: Request, body: Any) -> Any:
        """The dependant's answer; NO_ANSWER when a value is missing or not valid."""
        values: dict[str, Any] = {}
        path_params = request.path_params
        for field, name, alias, loc in self.path:
            value, errors = field.validate(path_params[alias], values, loc=loc)
            if errors:
                return NO_ANSWER
            values[name] = value
        query = request.query_params
        for field, name, alias, loc, (default, copied) in self.query:
            raw = query.get(alias)  # the last one when repeated, as FastAPI takes it
            if raw is None:
                if default is NO_ANSWER:
                    return NO_ANSWER
                values[name] = deepcopy(default) if copied else default
                continue
            value, errors = field.validate(raw, values, loc=loc)
            if errors:
                return NO_ANSWER
            values[name] = value
        if self.body_name is not None:
            value, errors = self.body_field.validate(body, values, loc=("body",))
            if errors:
                return NO_ANSWER
            values[self.body_name] = value
        if self.request_name is not None:
            values[self.request_name] = request
        for dependency, solver in self.dependencies:
            value = await solver.solve(request, body)
            if value is NO_ANSWER:
                return NO_ANSWER
            if dependency is not None:  # a dependency without a name is run for its effect
                values[dependency] = value
        return await self.call(**values)


IMMUTABLE = (type(None), bool, int, float, str, bytes)


def missing(field: Any) -> tuple[Any, bool]:
    """A parameter's value when the request leaves it out, as FastAPI gives it (a deep copy
    of the default; not needed for a value nothing can change), and whether to copy it;
    NO_ANSWER when FastAPI would refuse or validate it."""
    info = field.field_info
    if info.is_required() or info.validate_default:
        return NO_ANSWER, False
    return field.default, not isinstance(field.default, IMMUTABLE)


class LeanRoute(APIRoute):
    """An APIRoute whose plainly valid requests its entrance answers (LeanApp.serve_first)."""


def lean_route(
    router: APIRouter, path: str, endpoint: Callable[..., Any], method: str, **kwargs: Any
) -> LeanRoute:
    """Add `endpoint` to `router` as a LeanRoute (FastAPI's add_api_route, `kwargs` its own),
    and give it back for LeanApp.serve_first."""
    router.add_api_route(path, endpoint, methods=[method], route_class_override=LeanRoute, **kwargs)
    return cast(LeanRoute, router.routes[-1])


class LeanApp(FastAPI):
    """FastAPI, with its lean entrances (serve_first) tried before its middleware stack."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.entrances: list[Entrance] = []
        self.lean_methods: frozenset[str] = frozenset()  # the entrances' (any other request goes past them)
        self.lean_stack: ASGIApp | None = None

    def serve_first(self, route: LeanRoute) -> None:
        """Call once every route is included: the entrance answers its route's plainly
        valid requests before FastAPI sees them."""
        self.entrances.append(Entrance(route))
        self.lean_methods |= self.entrances[-1].lean_methods
        self.lean_stack = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.root_path:  # as FastAPI.__call__ does, before the entrances match the path
            scope["root_path"] = self.root_path
        if scope["type"] == "http" and scope["method"] in self.lean_methods:
            for entrance in self.entrances:
                match, child_scope = entrance.matches(scope)
                if match is Match.FULL:
                    scope.update(child_scope)
                    scope["app"], scope[ENTRANCE] = self, entrance
                    if self.lean_stack is None:
                        self.lean_stack = self._build_lean_stack()
                    await self.lean_stack(scope, receive, send)
                    return
        await super().__call__(scope, receive, send)

    def _build_lean_stack(self) -> ASGIApp:
        """As FastAPI's build_middleware_stack, with the entrance where the router was."""
        error_handler = None
        handlers = {}
        for key, value in self.exception_handlers.items():
            if key in (500, Exception):
                error_handler = value
            else:
                handlers[key] = value
        app: ASGIApp = ExceptionMiddleware(
            LeanEnd(AsyncExitStackMiddleware(self.router)), handlers=handlers, debug=self.debug
        )
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return ServerErrorMiddleware(app, handler=error_handler, debug=self.debug)


class LeanEnd:
    """The innermost of the lean stack: the entrance that took the request answers it; what
    it passes on goes to `rest` (FastAPI's router), past the entrance."""

    def __init__(self, rest: ASGIApp):
        self.rest = rest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        entrance: Entrance = scope[ENTRANCE]
        response = await entrance.answer(Request(scope, receive))
        if isinstance(response, PassedOn):
            await self.rest(scope, response.replay(receive), send)
        else:
            await response(scope, receive, send)


class Entrance(Route):
    """The lean way in for one LeanRoute: the same path, only its methods, not in /docs."""

    def __init__(self, route: LeanRoute):
        self.solver = Solver(route.dependant, route.body_field)
        self.route = route
        # An answer that is not a Response is serialised as FastAPI's own fast path does: by
        # the response model's field, straight to JSON bytes, with the route's status code.
        self.serialises = route.response_field is not None and isinstance(
            route.response_class, DefaultPlaceholder
        )
        methods = sorted(route.methods or ())
        self.lean_methods = frozenset(methods)
        # a Route for its path matching only: LeanEnd calls `answer`
        super().__init__(route.path, self.answer, methods=methods, include_in_schema=False)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        # Only the full match: another method on this path is FastAPI's to refuse (its 405).
        if scope["method"] not in self.lean_methods:
            return Match.NONE, {}
        match, child_scope = super().matches(scope)
        return (match, child_scope) if match is Match.FULL else (Match.NONE, {})

    async def answer(self, request: Request) -> Response | PassedOn:
        body: Any = None
        raw = b""
        if self.solver.body_name is not None:
            # Only the one plain JSON content type, with a body that parses; anything else
            # is FastAPI's to read (and, when wrong, to answer with its own error).
            if request.headers.get("content-type") != "application/json":
                return PassedOn(raw, read=False)
            raw = await request.body()
            try:
                body = json.loads(raw) if raw else NO_ANSWER
            except Exception:  # not UTF-8, not JSON, nested too deeply: FastAPI says which
                body = NO_ANSWER
            if body is NO_ANSWER:
                return PassedOn(raw)
        if request.app.dependency_overrides:  # FastAPI's solver honours them, this one does not
            return PassedOn(raw, read=self.solver.body_name is not None)
        answer = await self.solver.solve(request, body)
        if answer is NO_ANSWER:
            return PassedOn(raw, read=self.solver.body_name is not None)
        return answer if isinstance(answer, Response) else self.serialised(answer)

    def serialised(self, answer: Any) -> Response:
        route, field = self.route, self.route.response_field
        if not self.serialises or field is None:
            raise TypeError(f"a lean route without a response model returns a Response, not {type(answer)}")
        value, errors = field.validate(answer, {}, loc=("response",))
        if errors:  # the server's own mistake: FastAPI's 500 says it the same way
            raise ResponseValidationError(errors=errors, body=answer)
        content = field.serialize_json(
            value,
            include=route.response_model_include,
            exclude=route.response_model_exclude,
            by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none,
        )
        return Response(content, media_type="application/json", status_code=route.status_code or 200)


class PassedOn:
    """Not plainly valid: the request goes on to FastAPI's own route, with its body as it
    came (`read`: the entrance has read it from the client)."""

    def __init__(self, body: bytes, read: bool = True):
        self.raw, self.read = body, read

    def replay(self, receive: Receive) -> Receive:
        replayed = not self.read

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": self.raw, "more_body": False}
            return await receive()  # after the body: the disconnect, when it comes

        return replay
