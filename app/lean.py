"""A route that answers a plainly valid request without FastAPI's per-request solving.

FastAPI solves a route's dependencies anew for every request, looking again at each
parameter's annotation (is it a sequence, a model, a form?) before validating it: for
POST /runs/{id}/step, with its six query parameters, its body and its StateRequest, that
cost more server CPU than the XOR step itself (bench_classroom). A `LeanRoute` keeps
everything FastAPI built from the endpoint's signature (the same fields, validators,
bounds, aliases and defaults, so /docs and openapi.json are unchanged) and uses them
directly: each query parameter given is validated by its own field, the body by the body's
field, the endpoint's dependencies are called with what they name, then the endpoint.

A request it does not take as plainly valid (any parameter or body in error, a body that
is not `application/json`, ...) goes to FastAPI's own handler, unchanged: every error is
FastAPI's, word for word, and only requests that FastAPI would accept take the lean way.
What the lean way supports is checked when the route is built (a dependency it cannot
solve is a TypeError at start-up, not a different answer later).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Coroutine
from copy import deepcopy
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
NO_ANSWER = object()  # not plainly valid: FastAPI's handler answers


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
        self.path = [(f.name, f.alias) for f in dependant.path_params]
        self.query = [(f, f.name, f.alias, ("query", f.alias)) for f in dependant.query_params]
        self.body_name = dependant.body_params[0].name if dependant.body_params else None
        self.body_field = body_field
        self.dependencies: list[tuple[str | None, Solver]] = [
            (d.name, Solver(d)) for d in dependant.dependencies
        ]

    async def solve(self, request: Request, body: Any) -> Any:
        """The dependant's answer; NO_ANSWER when a value is missing or not valid."""
        values: dict[str, Any] = {}
        path_params = request.path_params
        for name, alias in self.path:
            values[name] = path_params[alias]
        query = request.query_params
        for field, name, alias, loc in self.query:
            raw = query.get(alias)  # the last one when repeated, as FastAPI takes it
            if raw is None:
                if field.field_info.is_required():
                    return NO_ANSWER
                values[name] = deepcopy(field.default)
                if field.field_info.validate_default:
                    return NO_ANSWER
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


class LeanRoute(APIRoute):
    """An APIRoute whose plainly valid requests skip FastAPI's dependency solving (above)."""

    def get_route_handler(self) -> Handler:
        full = super().get_route_handler()
        solver = Solver(self.dependant, self.body_field)
        wants_body = solver.body_name is not None

        async def handler(request: Request) -> Response:
            body: Any = None
            if wants_body:
                # Only the one plain JSON content type, with a body that parses; anything
                # else is FastAPI's to read (and, when wrong, to answer with its own error).
                if request.headers.get("content-type") != "application/json":
                    return await full(request)
                raw = await request.body()  # kept by the Request: FastAPI's handler reads it again
                try:
                    body = json.loads(raw) if raw else NO_ANSWER
                except Exception:  # not UTF-8, not JSON, nested too deeply: FastAPI says which
                    body = NO_ANSWER
                if body is NO_ANSWER:
                    return await full(request)
            answer = await solver.solve(request, body)
            if answer is NO_ANSWER:
                return await full(request)
            if not isinstance(answer, Response):  # FastAPI would serialise it: not this route's way
                raise TypeError(f"a lean route's endpoint returns a Response, not {type(answer).__name__}")
            return answer

        return handler
