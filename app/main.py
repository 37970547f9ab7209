"""create_app(): the ASGI application (uvicorn app.main:app)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from starlette.types import Message, Scope

from app import __version__, api, blobs, code, errors, extras, insight, sharing, stream
from app.compressed import GZipTheRest
from app.deps import Services
from app.foreground import CountForeground, Foreground
from app.lanes import Lanes
from app.lean import LeanApp
from app.runs import RunManager
from app.security import BrowserDefences
from app.settings import Settings
from app.shutdown import AnswerOnShutdown, InFlight
from app.static_answers import StaticAnswers
from app.store import open_store

DESCRIPTION = """
See backpropagation: every number of every step, exact and replayable.

A run is a pure function of its config (seed included): the State at step t is the
same bits on any server, so ids and page URLs can be shared. See docs/state.md for
the State, and GET /api/v1/meta for choices, defaults, limits and lessons.
"""


def settle_garbage_collector() -> None:
    """Once started: what start-up made (modules, routes, schemas, lessons) lives as long as
    the process, so the cyclic collector stops scanning it (gc.freeze), and it runs after
    10,000 new containers rather than 700. A request makes hundreds: with a class stepping at
    once the collector ran every few requests, and each full pass over the start-up heap took
    0.1-0.4 s (bench_classroom, one worker: 1160-1250 -> 1015-1020 µs of server CPU a step,
    static files 590 -> 565 µs; loaded machine)."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


async def build_routes(app: FastAPI) -> None:
    """FastAPI works out each included router's routes (their fields, their dependencies)
    when the first request walks them: 50 ms of one worker's first request, with the class
    that arrived with it waiting. A request for a path no route has walks them all, here,
    before the first visitor."""
    scope: Scope = {  # no "app": the router answers a plain 404
        "type": "http",
        "method": "GET",
        "path": "/-/",
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "http_version": "1.1",
        "scheme": "http",
        "server": None,
        "client": None,
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        pass

    await app.router(scope, receive, send)


def create_app(settings: Settings | None = None) -> LeanApp:
    settings = settings or Settings()
    foreground = Foreground()
    in_flight = InFlight()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_store(settings.db, settings.db_pool)  # a bad store stops start-up, named
        lanes = Lanes(settings.heavy_threads, settings.heavy_queue, settings.cheap_work)
        app.state.services = Services(settings, store, RunManager(store, settings), lanes, foreground)
        await run_in_threadpool(api.preset_list)  # the lessons' parameter counts, before the first visitor
        await build_routes(app)
        settle_garbage_collector()
        try:
            yield
        finally:
            lanes.stop_all()  # work still running stops at its next chunk
            await in_flight.settled()  # requests cut short by the shutdown send their last word
            store.close()

    app = LeanApp(
        title="Backprop Explorer",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )

    try:
        from app import pages
    except ImportError:  # the pages are optional for the API alone
        pages = None  # type: ignore[assignment]

    errors.install(app)
    # Outermost last: the browser defences see (and add headers to) every response.
    app.add_middleware(errors.BodyLimit, max_bytes=settings.max_body_bytes)
    # every request but a stream, while it runs: frames wait for them (app/foreground.py)
    app.add_middleware(CountForeground, foreground=foreground)
    # not a run's State answers, which come gzipped from their thread (api.gzipped), nor streams
    app.add_middleware(GZipTheRest, minimum_size=api.GZIP_AT_LEAST, compresslevel=api.GZIP_LEVEL)
    if pages is not None:  # a file's answer as the app made it, remembered, before all the rest
        app.add_middleware(StaticAnswers, file_of=pages.static_file)
    # a request cut short by SIGTERM answers JSON (a stream: its end event), with the defences' headers
    app.add_middleware(AnswerOnShutdown, in_flight=in_flight)
    app.add_middleware(BrowserDefences, allowed_hosts=settings.allowed_hosts)
    app.include_router(api.meta)
    app.include_router(api.runs)
    app.include_router(extras.router)
    app.include_router(stream.router)
    app.include_router(api.snapshot)
    app.include_router(sharing.router)
    app.include_router(blobs.router)
    app.include_router(code.router)
    app.include_router(insight.router)
    # a class starting its runs, opening them, pausing, stepping (and opening the page, below)
    for route in (api.CREATE_ROUTE, api.DATA_ROUTE, api.STATE_ROUTE, api.STEP_ROUTE, api.PAUSE_ROUTE):
        app.serve_first(route)
    if pages is None:
        return app
    app.serve_first(pages.EXPLORER_ROUTE)
    pages.mount_static(app)
    app.include_router(pages.router)
    return app


app = create_app()
