"""REST API v1: one router per resource (meta, runs, snapshot), composed in main.py.

Numbers travel as JSON built by orjson (app/serialize.py): full float64 precision
unless `digits` asks for fewer, and only the `fields` asked for.
"""

from __future__ import annotations

import functools
import hashlib
import zlib
from collections.abc import Callable, Hashable
from typing import Annotated, Any, Literal, TypeVar

import numpy as np
from fastapi import APIRouter, Query, Request, Response

from app import __version__
from app.blobs import dereference
from app.budget import (
    Shape,
    chain_cost,
    check_rows,
    check_state_size,
    check_steps,
    data_rows_cost,
    example_cost,
    predict_cost,
)
from app.deps import (
    Column,
    Digits,
    Fields,
    LanesDep,
    Layer,
    Manager,
    Row,
    Services,
    ServicesDep,
    SettingsDep,
    StateRequest,
    StateRequestDep,
    Store,
    Wanted,
)
from app.extras import GridPoints, Include, Since, extras_work, parse_include, preview_of, step_answer
from app.frames import AT_REST, batch_as_rows, compact, image_edges_only
from app.i18n import translations
from app.lean import LeanRoute, lean_route
from app.page_params import PAGE_PATTERNS
from app.responses import (
    ChainOut,
    ConfusionOut,
    DataPageOut,
    ExampleOut,
    HistoryOut,
    MetaOut,
    PreviewOut,
    StateOut,
    StepWithOut,
)
from app.runs import config_key
from app.sampled import one_sample
from app.schemas import ERRORS, STATE_DOC, PredictIn, PredictOut, RunConfigIn, RunOut, StepIn
from app.serialize import LAYER_FIELDS, MAX_DIGITS, STATE_FIELDS, dumps, select
from app.settings import Settings
from app.urlstate import COMPARE_PREFIX, PAGE_PARAMS, URL_NAMES, config_from_query, step_from_query
from engine.chain import chain
from engine.config import (
    DEFAULTS,
    FIELDS,
    LIMITS,
    ConfigError,
    RunConfig,
    too_many,
)
from engine.evaluation import confusion
from engine.nudges import one_example
from engine.phases import phases
from engine.presets import PRESETS, resolve
from engine.trainer import Run

T = TypeVar("T")


def json_response(value: Any, digits: int | None = None, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(value, digits), media_type="application/json", headers=headers)


def state_json(
    run: Run,
    digits: int | None,
    fields: set[str] | None,
    packing: dict[str, Any] | None = None,
    rows_known: set[int] | None = None,
    whole: bool = True,
    one: int | str | None = None,
    edges: set[str] | None = None,
) -> bytes:
    """A State as JSON; `packing` compact (app/frames.py), then the batch's inputs as rows
    not sent before (`rows_known`) and, unless `whole`, a net on images' first layer's matrices
    as the edges the network view draws (or those named in `edges`); with `one`, the per-sample
    arrays of that sample alone, or their mean (app/sampled.py)."""
    state = run.state().to_dict()
    state = select(state, fields) if fields else state
    if one is not None:
        state = one_sample(state, one)
    if rows_known is not None and "batch" in state:
        state["batch"] = batch_as_rows(state["batch"], rows_known)
    if (not whole or edges) and state.get("layers") and len(run.dataset.input_shape) == 2:
        state["layers"][0] = image_edges_only(state["layers"][0], None if not whole else edges)
    return dumps(compact(state, **packing) if packing else state, digits)


def packing_of(frame: str) -> dict[str, Any] | None:
    return AT_REST if frame == "compact" else None


def state_of(asked: StateRequest, run: Run) -> bytes:
    return state_json(
        run, asked.digits, asked.wanted, packing_of(asked.frame), one=asked.sample, edges=asked.edges
    )


Answer = tuple[bytes, dict[str, str] | None]  # a body as sent, and its headers (gzipped())


def answer_of(
    asked: StateRequest, parts: tuple[str, ...], since: int, grid: int
) -> tuple[Callable[[Run], Answer], Hashable]:
    """How a State request (GET /state, a Step, a pause) is answered at the run's step: the
    State, or with `parts` a Step's answer carrying them, gzipped if the client takes it; and
    the question naming all the answer depends on besides the run's config and step, under
    which runs of one config share it (RunManager.answer): a class opening a lesson asks for
    the same first State, students stepping on from one step for the same next one."""
    gzip = accepts_gzip(asked.request)

    def read(run: Run) -> Answer:
        state = state_of(asked, run)
        if not parts:
            return gzipped(state, gzip)
        share = asked.services.runs.sharer(asked.run_id, run.step)
        return gzipped(step_answer(run, state, parts, since, grid, asked.digits, share), gzip)

    question = (
        "answer",  # not a stream's frame (app/stream.py asks for those: bytes, not an Answer)
        asked.digits,
        frozenset(asked.wanted) if asked.wanted is not None else None,
        asked.frame,
        asked.sample,
        frozenset(asked.edges) if asked.edges is not None else None,
        parts,
        since if "history" in parts else None,
        grid if "grid" in parts else None,
        gzip,
    )
    return read, question


def plan_state(asked: StateRequest) -> tuple[Shape, int, int]:
    """Before the work, in its thread: the run's plan (RunManager.plan) with the State's size
    checked. The store's row it reads is kept in `asked.row` for the work: one read, not two."""
    asked.row = asked.services.runs.row(asked.run_id)
    shape, replay, build = asked.services.runs.plan(asked.run_id, asked.row)
    check_state_size(shape, asked.wanted, asked.digits, asked.services.settings)
    return shape, replay, build


async def read_within(
    run_id: str,
    request: Request,
    services: Services,
    cost: Callable[[Shape], int],
    read: Callable[[Run], T],
) -> T:
    """`read(run)` at the run's step, once `cost(shape)` has checked the work and the answer's
    size before any work starts (a 422 naming the field if over), as a State's request is:
    heavy work in the heavy lane, stopped when its client leaves (app/lanes.py)."""
    manager, settings = services.runs, services.settings

    def plan() -> int:
        shape, replay, build = manager.plan(run_id)
        return build + check_steps(shape, replay, settings, field="step") + cost(shape)

    return await services.lanes.run(plan, lambda stop: manager.read(run_id, read, stop), request)


def run_out(run_id: str, run: Run) -> RunOut:
    return RunOut(id=run_id, config=run.config.to_dict(), step=run.step, n_params=run.n_params)


def state_response(body: bytes, headers: dict[str, str] | None = None) -> Response:
    return Response(body, media_type="application/json", headers=headers)


# An answer made for one request is compressed at level 1 (app/main.py's GZipMiddleware
# too): five times as fast as level 6 for ~5 % more bytes (a class pausing after 10 s of
# XOR: 2,000 history rows, 168 kB of JSON, 6.5 -> 1.2 ms of CPU, 66.5 -> 69.7 kB). An answer
# made once and kept (/meta, the pages; static files in app/pages.py) at level 9.
GZIP_AT_LEAST, GZIP_LEVEL, GZIP_KEPT_LEVEL = 1000, 1, 9
GZIPPED = {"content-encoding": "gzip", "vary": "Accept-Encoding"}


def gzipped(body: bytes, accepts_gzip: bool, level: int = GZIP_LEVEL) -> tuple[bytes, dict[str, str] | None]:
    """The answer as GZipMiddleware would send it (which then passes it on as it is), made
    in the lane's thread with the answer: not on the event loop, which every request shares."""
    if not accepts_gzip or len(body) < GZIP_AT_LEAST:
        return body, None
    return zlib.compress(body, level, wbits=31), GZIPPED


def accepts_gzip(request: Request) -> bool:
    return "gzip" in request.headers.get("accept-encoding", "")


# -- meta ---------------------------------------------------------------------------------------


@functools.cache
def preset_list() -> list[dict[str, Any]]:
    out = []
    for p in PRESETS.values():
        config = resolve({"preset": p.name})
        out.append(
            {
                "name": p.name,
                "title": translations(p.texts["title"]),
                "texts": p.texts,
                "view": p.view,
                "tour": p.tour,
                "compare": list(p.compare),
                "steps": p.steps,
                "config": config.to_dict(),
                "n_params": Run(config).n_params,
            }
        )
    return out


meta = APIRouter(prefix="/api/v1", tags=["meta"])


# What /api/v1/meta says of the server's settings: the rest of its answer is the same for every
# server of this version.
META_SETTINGS = (
    "max_body_bytes",
    "max_live_runs",
    "max_stream_rate",
    "max_stream_frames",
    "max_stream_seconds",
    "max_predict_rows",
    "max_work",
    "cheap_work",
    "max_response_mb",
)


def meta_of(limits: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": __version__,
        "choices": {spec.name: spec.choices for spec in FIELDS.values() if spec.choices},
        "defaults": DEFAULTS.to_dict(),
        "limits": {
            **LIMITS,
            "max_body_bytes": limits["max_body_bytes"],
            "max_live_runs": limits["max_live_runs"],
            "max_stream_rate": limits["max_stream_rate"],
            "max_stream_frames": limits["max_stream_frames"],
            "max_stream_seconds": limits["max_stream_seconds"],
            "max_predict_rows": limits["max_predict_rows"],
            "max_significant_digits": MAX_DIGITS,
            "max_work": limits["max_work"],
            "cheap_work": limits["cheap_work"],
            "max_response_mb": limits["max_response_mb"],
        },
        "presets": preset_list(),
        "fields": [spec.to_dict() for spec in FIELDS.values()],
        "phases": {
            "rule": "forward:0..L-1, loss, backward:L-1..0, update",
            "by_layers": {n: phases(n) for n in range(1, LIMITS["max_hidden_layers"] + 2)},
        },
        "url": {
            "renamed": URL_NAMES,
            "config": [{"url": "preset", "field": "preset", "type": "str"}]
            + [{"url": spec.url_name, "field": spec.name, "type": spec.url_type} for spec in FIELDS.values()],
            "page": {
                name: {"type": kind, "default": default, "pattern": PAGE_PATTERNS.get(name)}
                for name, (kind, default) in PAGE_PARAMS.items()
            },
            "compare_prefix": COMPARE_PREFIX,
        },
        "state_fields": {"top": STATE_FIELDS, "layer": LAYER_FIELDS},
    }


@functools.lru_cache(maxsize=16)
def meta_answer(settings: tuple[tuple[str, Any], ...]) -> tuple[bytes, bytes]:
    """/meta's JSON, plain and gzipped, for these settings: built, checked by MetaOut and
    compressed once per server, not for each of a class's pages (28 kB of JSON: ~2.5 ms of
    server CPU a request, compression included)."""
    body = MetaOut.model_validate(meta_of(dict(settings))).model_dump_json(by_alias=True).encode()
    return body, zlib.compress(body, GZIP_KEPT_LEVEL, wbits=31)


def meta_for(settings: Settings) -> tuple[bytes, bytes]:
    """meta_answer for the server's settings."""
    return meta_answer(tuple((name, getattr(settings, name)) for name in META_SETTINGS))


@meta.get("/meta", response_model=MetaOut, summary="Options, defaults, limits, presets, version")
async def get_meta(request: Request, settings: SettingsDep) -> Response:
    plain, compressed = meta_for(settings)
    if accepts_gzip(request):
        return Response(compressed, media_type="application/json", headers=GZIPPED)
    return Response(plain, media_type="application/json")


# -- runs ---------------------------------------------------------------------------------------

runs = APIRouter(prefix="/api/v1/runs", tags=["runs"], responses=ERRORS)


async def create_run(body: RunConfigIn, manager: Manager, store: Store, lanes: LanesDep) -> RunOut:
    def create() -> RunOut:  # off the event loop: "@code" values are read from the store, a net is built
        config = resolve(dereference(body.fields(), store))
        run_id, out = manager.create(config, lambda run: run_out("", run))
        return out.model_copy(update={"id": run_id})

    return await lanes.cheap(create)


# A class starting at once: plainly valid requests skip FastAPI's per-request routing and
# dependency solving (app/lean.py, main.py serves it first); errors and docs are FastAPI's.
CREATE_ROUTE = lean_route(
    runs,
    "",
    create_run,
    "POST",
    status_code=201,
    response_model=RunOut,
    summary="Create a run from a RunConfig",
)


@runs.get("/{run_id}", response_model=RunOut, summary="A run's config and current step")
async def get_run(run_id: str, manager: Manager, lanes: LanesDep) -> RunOut:
    # Handlers that read a run go to the cheap lane, one hop (a `def` with the store-reading
    # RunId took two hops to anyio's 40 threads: wrk, 50 connections, one worker: 770 -> 2,330
    # requests/s, 1.44 -> 0.45 ms of server CPU a request).
    return await lanes.cheap(manager.read, run_id, lambda run: run_out(run_id, run))


async def get_state(
    asked: StateRequestDep, include: Include = None, since: Since = 0, grid: GridPoints = 40
) -> Response:
    """A page opening a run asks once for what a Step's answer would carry (app/extras.py):
    the State, the history and the side plots' numbers, not a request for each."""
    run_id, manager, settings = asked.run_id, asked.services.runs, asked.services.settings
    parts = parse_include(include)

    def plan() -> int:
        shape, replay, build = plan_state(asked)
        work = build + check_steps(shape, replay, settings, field="step")
        return work + extras_work(shape, parts, grid, settings) if parts else work

    read, question = answer_of(asked, parts, since, grid)
    body, headers = await asked.services.lanes.run(
        plan,
        lambda stop: manager.read(run_id, read, stop, asked.row, question),
        asked.request,
        key=("state", run_id, question),
    )
    return state_response(body, headers)


# A page opening a run asks for its State and its rows: lean, as the Step (app/lean.py).
STATE_ROUTE = lean_route(
    runs,
    "/{run_id}/state",
    get_state,
    "GET",
    response_model=StateOut | StepWithOut,
    responses=STATE_DOC,
    summary="The State at the current step (with `include`: {state, and the parts asked for}, as a Step's)",
)


async def step_run(
    body: StepIn,
    asked: StateRequestDep,
    include: Include = None,
    since: Since = 0,
    grid: GridPoints = 40,
) -> Response:
    run_id, manager, settings = asked.run_id, asked.services.runs, asked.services.settings
    parts = parse_include(include)

    def plan() -> int:
        shape, replay, build = plan_state(asked)
        work = build + check_steps(shape, body.steps, settings, replay=replay)
        return work + extras_work(shape, parts, grid, settings) if parts else work

    read, question = answer_of(asked, parts, since, grid)
    answer, headers = await asked.services.lanes.run(
        plan,
        lambda stop: manager.step(run_id, body.steps, read, stop, asked.row, question),
        asked.request,
    )
    return state_response(answer, headers)


# A class of students stepping at once: the Step's plainly valid requests skip FastAPI's
# per-request routing and dependency solving (app/lean.py, main.py serves it first); its
# errors and documentation are FastAPI's.
def state_route(path: str, endpoint: Callable[..., Any], summary: str) -> LeanRoute:
    """A POST that answers a State (or a Step's answer), served by its lean entrance."""
    return lean_route(
        runs,
        path,
        endpoint,
        "POST",
        response_model=StateOut | StepWithOut,
        responses=STATE_DOC,
        summary=summary,
    )


STEP_ROUTE = state_route(
    "/{run_id}/step",
    step_run,
    "Apply n updates; returns the new State (with `include`: {state, and the parts asked for})",
)


@runs.post("/{run_id}/reset", response_model=RunOut, summary="Back to step 0")
async def reset_run(run_id: str, manager: Manager, lanes: LanesDep) -> RunOut:
    return await lanes.cheap(manager.reset, run_id, lambda run: run_out(run_id, run))


@runs.get(
    "/{run_id}/history",
    response_model=HistoryOut,
    summary="Per-step loss, learning rate, gradient norms; evaluations",
)
async def get_history(
    run_id: str,
    manager: Manager,
    lanes: LanesDep,
    digits: Digits = None,
    since: Since = 0,
) -> Response:
    return await lanes.cheap(
        manager.read, run_id, lambda run: json_response(run.history.to_dict(since), digits)
    )


async def pause_run(
    asked: StateRequestDep,
    step: Annotated[
        int | None,
        Query(ge=0, le=LIMITS["max_replay_steps"], description="the streamed step the client shows"),
    ] = None,
    include: Include = None,
    since: Since = 0,
    grid: GridPoints = 40,
) -> Response:
    """A class pauses together (every stream of a lesson ends at once): the cheap lane, one
    thread hop, as a Step (it was a plain handler with a dependency that read the store: two
    hops to anyio's 40 threads, pause p99 224 ms with 100 XOR students, bench_students)."""
    run_id, manager, settings = asked.run_id, asked.services.runs, asked.services.settings
    parts = parse_include(include)

    read, question = answer_of(asked, parts, since, grid)

    def pause() -> Answer:
        if parts:  # refused before the pause, like a Step's (an unknown run: 404 from either)
            extras_work(manager.plan(run_id)[0], parts, grid, settings)
        return manager.pause(run_id, step, read, question)

    return state_response(*await asked.services.lanes.cheap(pause))


PAUSE_ROUTE = state_route(
    "/{run_id}/pause",
    pause_run,
    "Stop this run's streams; optionally go to the step the client shows; returns the State "
    "(with `include`: {state, and the parts asked for}, as a Step's)",
)


@runs.post("/{run_id}/predict", response_model=PredictOut, summary="The network's output for input rows")
async def predict(run_id: str, body: PredictIn, request: Request, services: ServicesDep) -> Response:
    settings = services.settings
    if len(body.x) > settings.max_predict_rows:
        raise too_many("x", len(body.x), "rows", settings.max_predict_rows)

    def answer(run: Run) -> Response:
        n_in = run.dataset.n_inputs
        if not body.x or any(len(row) != n_in for row in body.x):
            raise ConfigError(
                "x",
                "rows must all have the network's input width",
                f"{n_in} numbers per row",
                code="input_width",
                most=n_in,
            )
        activations = run.activations(np.array(body.x, dtype=np.float64))  # finite: PredictIn says so
        return json_response({"y": activations[-1], **({"layers": activations} if body.layers else {})})

    def cost(shape: Shape) -> int:
        return predict_cost(shape, len(body.x), body.layers, settings)

    return await read_within(run_id, request, services, cost, answer)


@runs.get(
    "/{run_id}/confusion",
    response_model=ConfusionOut,
    summary="Confusion matrix on held-out data, and examples it gets wrong",
)
async def get_confusion(
    run_id: str, request: Request, services: ServicesDep, split: Literal["train", "test"] = "test"
) -> Response:
    def cost(shape: Shape) -> int:  # a forward pass over the split's rows (at most all of them)
        return check_rows(shape, shape.rows, services.settings, field="split")

    return await read_within(
        run_id, request, services, cost, lambda run: json_response(confusion(run, split))
    )


@runs.get(
    "/{run_id}/preview",
    response_model=PreviewOut,
    summary="Batch loss along the update about to be applied: L(θ + α·Δθ)",
)
async def get_preview(
    run_id: str,
    manager: Manager,
    lanes: LanesDep,
    settings: SettingsDep,
    points: Annotated[int, Query(ge=2, le=201)] = 41,
    until: Annotated[float, Query(gt=0, le=10)] = 2.0,
) -> Response:
    alphas = np.linspace(0.0, until, points)

    def answer(run: Run) -> Response:
        check_rows(Shape.of_config(run.config), points * run.batch_size, settings, field="points")
        return json_response(preview_of(run, alphas))

    return await lanes.cheap(manager.read, run_id, answer)


async def get_data(
    run_id: str,
    request: Request,
    manager: Manager,
    lanes: LanesDep,
    split: Literal["train", "test"] = "train",
    start: Annotated[int, Query(ge=0, le=LIMITS["max_samples"])] = 0,
    count: Annotated[int, Query(ge=1, le=LIMITS["max_samples"])] = 1000,
    with_x: Annotated[bool, Query(description="false: targets only (cheap, for picking rows)")] = True,
    digits: Digits = None,
) -> Response:
    """Every page asks for it as it opens: one hop to the cheap lane, which also gzips (a plain
    handler was two hops to anyio's 40 threads, and gzip on the event loop)."""

    def page() -> tuple[bytes, dict[str, str] | None]:
        live, _ = manager.live(run_id)  # a 404 for an unknown run; the data set is the config's
        data_rows_cost(live.shape, count, with_x, digits, manager.settings)
        ds = live.run.dataset
        x, y = (ds.x_train, ds.y_train) if split == "train" else (ds.x_test, ds.y_test)
        rows = {
            "split": split,
            "start": start,
            "total": len(x),
            "kind": ds.kind,
            "n_classes": ds.n_classes,
            "input_shape": ds.input_shape,
            "y": y[start : start + count],
        }
        if with_x:
            rows["x"] = x[start : start + count]
        return gzipped(dumps(rows, digits), gzip)

    gzip = accepts_gzip(request)
    return state_response(*await lanes.cheap(page))


DATA_ROUTE = lean_route(
    runs,
    "/{run_id}/data",
    get_data,
    "GET",
    response_model=DataPageOut,
    summary="The run's data set rows (train or test), a page at a time",
)


@runs.get(
    "/{run_id}/chain",
    response_model=ChainOut,
    summary="Chain-rule factors of ∂L/∂W[layer][i][j], with a finite-difference check",
)
async def get_chain(
    run_id: str,
    request: Request,
    services: ServicesDep,
    layer: Layer,
    i: Row,
    j: Column,
    digits: Digits = None,
) -> Response:
    def cost(shape: Shape) -> int:
        return chain_cost(shape, min(layer, len(shape.sizes) - 2), digits, services.settings)

    def answer(run: Run) -> Response:
        return json_response(chain(run, layer, i, j), digits)

    return await read_within(run_id, request, services, cost, answer)


@runs.get(
    "/{run_id}/example",
    response_model=ExampleOut,
    summary="One training example's nudges and gradient vs batch and full data",
)
async def get_example(
    run_id: str,
    request: Request,
    services: ServicesDep,
    # the bound is the run's own training rows, checked by one_example ("0 to 3999" for the
    # digits), not the most rows any data set may have
    row: Annotated[int, Query(description="a training row, from 0 to the set's rows − 1")] = 0,
    digits: Digits = None,
) -> Response:
    def cost(shape: Shape) -> int:
        return example_cost(shape, row, digits, services.settings)

    def answer(run: Run) -> Response:
        return json_response(one_example(run, row), digits)

    return await read_within(run_id, request, services, cost, answer)


# -- snapshot: a pure function of the page's URL --------------------------------------------------

snapshot = APIRouter(prefix="/api/v1", tags=["snapshot"], responses=ERRORS)


@snapshot.get(
    "/snapshot",
    response_model=StateOut,
    responses=STATE_DOC,
    summary="The State for a page URL's config at its `step`",
    description="Takes the page's query parameters (RunConfig fields, `lr` for learning_rate, "
    "`hidden=4,2`, `preset`, `step`; page-only parameters are ignored). A pure function of the "
    "query, so it carries a strong ETag and may be cached forever.",
)
async def get_snapshot(
    request: Request,
    manager: Manager,
    lanes: LanesDep,
    settings: SettingsDep,
    store: Store,
    wanted: Wanted,
    digits: Digits = None,
    fields: Fields = None,
) -> Response:
    query = {k: v for k, v in request.query_params.items() if k not in ("digits", "fields")}

    def named() -> tuple[RunConfig, int, str]:
        config = config_from_query(query, store)
        step = step_from_query(query)
        key = f"{config_key(config)}|{step}|{digits}|{fields}"
        return config, step, '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'

    # Off the event loop: "@code" values are read from the store (a round trip on PostgreSQL)
    # and a config with its data or weights written out is parsed and hashed.
    config, step, tag = await lanes.cheap(named)
    headers = {"ETag": tag, "Cache-Control": "public, max-age=31536000, immutable"}
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers=headers)

    def plan() -> int:
        shape, distance, build = manager.plan_snapshot(config, step)
        check_state_size(shape, wanted, digits, settings)
        return build + check_steps(shape, distance, settings, field="step")

    body = await lanes.run(
        plan,
        lambda stop: manager.snapshot(config, step, lambda run: state_json(run, digits, wanted), stop),
        request,
        key=tag,  # identical URLs share one computation
    )
    return state_response(body, headers)
