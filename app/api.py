"""REST API v1: one router per resource (meta, runs, snapshot), composed in main.py.

Numbers travel as JSON built by orjson (app/serialize.py): full float64 precision
unless `digits` asks for fewer, and only the `fields` asked for.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from app import __version__
from app.blobs import dereference
from app.i18n import translations
from app.runs import LiveRun, RunManager, config_key
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
)
from engine.evaluation import confusion
from engine.nudges import one_example
from engine.phases import phases
from engine.presets import PRESETS, resolve
from engine.preview import loss_along_update
from engine.trainer import Run


def get_manager(request: Request) -> RunManager:
    return request.app.state.runs


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


Manager = Annotated[RunManager, Depends(get_manager)]


def get_live(run_id: str, manager: Manager) -> LiveRun:
    """The run at its stored step; 404 before any work starts (streams included)."""
    return manager.get(run_id)


Live = Annotated[LiveRun, Depends(get_live)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
Digits = Annotated[
    int | None, Query(ge=1, le=MAX_DIGITS, description="significant digits (default: all, repr-exact)")
]
Fields = Annotated[
    str | None,
    Query(
        max_length=2000,
        description="comma-separated State fields to return, "
        "e.g. step,loss,layers.W,layers.dW (default: all)",
    ),
]


def json_response(value: Any, digits: int | None = None, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(value, digits), media_type="application/json", headers=headers)


def parse_fields(fields: str | None) -> set[str] | None:
    if fields is None:
        return None
    names = {f.strip() for f in fields.split(",") if f.strip()}
    allowed = set(STATE_FIELDS) | {f"layers.{k}" for k in LAYER_FIELDS}
    unknown = sorted(names - allowed)
    if unknown:
        raise ConfigError("fields", f"unknown field {unknown[0]!r}", ", ".join(sorted(allowed)))
    return names


def wanted_fields(fields: Fields = None) -> set[str] | None:
    return parse_fields(fields)


Wanted = Annotated[set[str] | None, Depends(wanted_fields)]


def state_json(live: LiveRun, digits: int | None, fields: set[str] | None) -> bytes:
    state = live.run.state().to_dict()
    return dumps(select(state, fields) if fields else state, digits)


def run_out(run_id: str, live: LiveRun) -> RunOut:
    return RunOut(id=run_id, config=live.run.config.to_dict(), step=live.run.step, n_params=live.run.n_params)


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
                "steps": p.steps,
                "config": config.to_dict(),
                "n_params": Run(config).n_params,
            }
        )
    return out


meta = APIRouter(prefix="/api/v1", tags=["meta"])


@meta.get("/meta", summary="Options, defaults, limits, presets, version")
def get_meta(settings: SettingsDep) -> dict[str, Any]:
    return {
        "version": __version__,
        "choices": {spec.name: spec.choices for spec in FIELDS.values() if spec.choices},
        "defaults": DEFAULTS.to_dict(),
        "limits": {
            **LIMITS,
            "max_body_bytes": settings.max_body_bytes,
            "max_live_runs": settings.max_live_runs,
            "max_stream_rate": settings.max_stream_rate,
            "max_stream_frames": settings.max_stream_frames,
            "max_predict_rows": settings.max_predict_rows,
            "max_significant_digits": MAX_DIGITS,
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
                name: {"type": kind, "default": default} for name, (kind, default) in PAGE_PARAMS.items()
            },
            "compare_prefix": COMPARE_PREFIX,
        },
        "state_fields": {"top": STATE_FIELDS, "layer": LAYER_FIELDS},
    }


# -- runs ---------------------------------------------------------------------------------------

runs = APIRouter(prefix="/api/v1/runs", tags=["runs"], responses=ERRORS)


@runs.post("", status_code=201, response_model=RunOut, summary="Create a run from a RunConfig")
def create_run(body: RunConfigIn, manager: Manager, request: Request) -> RunOut:
    run_id, live = manager.create(resolve(dereference(body.fields(), request.app.state.store)))
    return run_out(run_id, live)


@runs.get("/{run_id}", response_model=RunOut, summary="A run's config and current step")
def get_run(run_id: str, live: Live) -> RunOut:
    with live.lock:
        return run_out(run_id, live)


@runs.get("/{run_id}/state", responses=STATE_DOC, summary="The State at the current step")
def get_state(live: Live, wanted: Wanted, digits: Digits = None) -> Response:
    with live.lock:
        return Response(state_json(live, digits, wanted), media_type="application/json")


@runs.post("/{run_id}/step", responses=STATE_DOC, summary="Apply n updates; returns the new State")
def step_run(run_id: str, body: StepIn, manager: Manager, wanted: Wanted, digits: Digits = None) -> Response:
    live = manager.step(run_id, body.steps)
    with live.lock:
        return Response(state_json(live, digits, wanted), media_type="application/json")


@runs.post("/{run_id}/reset", response_model=RunOut, summary="Back to step 0")
def reset_run(run_id: str, manager: Manager) -> RunOut:
    live = manager.reset(run_id)
    with live.lock:
        return run_out(run_id, live)


@runs.get("/{run_id}/history", summary="Per-step loss, learning rate, gradient norms; evaluations")
def get_history(live: Live, digits: Digits = None) -> Response:
    with live.lock:
        return json_response(live.run.history.to_dict(), digits)


@runs.post("/{run_id}/predict", response_model=PredictOut, summary="The network's output for input rows")
def predict(body: PredictIn, live: Live, settings: SettingsDep) -> Response:
    n_in = live.run.dataset.n_inputs
    if len(body.x) > settings.max_predict_rows:
        raise ConfigError("x", f"{len(body.x)} rows is too many", f"at most {settings.max_predict_rows}")
    if not body.x or any(len(row) != n_in for row in body.x):
        raise ConfigError("x", "rows must all have the network's input width", f"{n_in} numbers per row")
    x = np.array(body.x, dtype=np.float64)  # finite: PredictIn refuses NaN and infinity
    with live.lock:
        activations = live.run.activations(x)
    return json_response({"y": activations[-1], **({"layers": activations} if body.layers else {})})


@runs.get("/{run_id}/confusion", summary="Confusion matrix on held-out data, and examples it gets wrong")
def get_confusion(live: Live, split: Literal["train", "test"] = "test") -> Response:
    with live.lock:
        return json_response(confusion(live.run, split))


@runs.get("/{run_id}/preview", summary="Batch loss along the update about to be applied: L(θ + α·Δθ)")
def get_preview(
    live: Live,
    points: Annotated[int, Query(ge=2, le=201)] = 41,
    until: Annotated[float, Query(gt=0, le=10)] = 2.0,
) -> Response:
    alphas = np.linspace(0.0, until, points)
    with live.lock:
        return json_response(
            {"alpha": alphas, "loss": loss_along_update(live.run, alphas), "step": live.run.step}
        )


@runs.get("/{run_id}/data", summary="The run's data set rows (train or test), a page at a time")
def get_data(
    live: Live,
    split: Literal["train", "test"] = "train",
    start: Annotated[int, Query(ge=0)] = 0,
    count: Annotated[int, Query(ge=1, le=LIMITS["max_samples"])] = 1000,
    with_x: Annotated[bool, Query(description="false: targets only (cheap, for picking rows)")] = True,
    digits: Digits = None,
) -> Response:
    ds = live.run.dataset
    x, y = (ds.x_train, ds.y_train) if split == "train" else (ds.x_test, ds.y_test)
    page = {
        "split": split,
        "start": start,
        "total": len(x),
        "kind": ds.kind,
        "n_classes": ds.n_classes,
        "input_shape": ds.input_shape,
        "y": y[start : start + count],
    }
    if with_x:
        page["x"] = x[start : start + count]
    return json_response(page, digits)


@runs.get(
    "/{run_id}/chain", summary="Chain-rule factors of ∂L/∂W[layer][i][j], with a finite-difference check"
)
def get_chain(
    live: Live,
    layer: Annotated[int, Query(ge=0, le=64)],
    i: Annotated[int, Query(ge=0, le=4096)],
    j: Annotated[int, Query(ge=0, le=4096)],
    digits: Digits = None,
) -> Response:
    with live.lock:
        return json_response(chain(live.run, layer, i, j), digits)


@runs.get("/{run_id}/example", summary="One training example's nudges and gradient vs batch and full data")
def get_example(live: Live, row: Annotated[int, Query(ge=0)] = 0, digits: Digits = None) -> Response:
    with live.lock:
        return json_response(one_example(live.run, row), digits)


# -- snapshot: a pure function of the page's URL --------------------------------------------------

snapshot = APIRouter(prefix="/api/v1", tags=["snapshot"], responses=ERRORS)


@snapshot.get(
    "/snapshot",
    responses=STATE_DOC,
    summary="The State for a page URL's config at its `step`",
    description="Takes the page's query parameters (RunConfig fields, `lr` for learning_rate, "
    "`hidden=4,2`, `preset`, `step`; page-only parameters are ignored). A pure function of the "
    "query, so it carries a strong ETag and may be cached forever.",
)
async def get_snapshot(
    request: Request, manager: Manager, wanted: Wanted, digits: Digits = None, fields: Fields = None
) -> Response:
    query = {k: v for k, v in request.query_params.items() if k not in ("digits", "fields")}
    config = config_from_query(query, request.app.state.store)
    step = step_from_query(query)
    tag = (
        '"' + hashlib.sha256(f"{config_key(config)}|{step}|{digits}|{fields}".encode()).hexdigest()[:32] + '"'
    )
    headers = {"ETag": tag, "Cache-Control": "public, max-age=31536000, immutable"}
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers=headers)

    def compute() -> bytes:
        live = manager.at(config, step)
        with live.lock:
            live.move_to(step)
            return state_json(live, digits, wanted)

    return Response(await run_in_threadpool(compute), media_type="application/json", headers=headers)
