"""Why a weight moves: who pulls it, the loss surface around it, neurons that pass no gradient.

Three read-only views of a run at its current step, each bounded by construction: the
shares are one column of the batch, the surface at most 41×41 points on one batch with a
work budget (engine/surface.py), the neuron check at most a budget of rows. Surfaces and
neuron checks are cached per (config, step, query): a run is a pure function of its config.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from app.api import json_response
from app.budget import check_steps, check_work, chunk_steps, step_work
from app.deps import WIDEST, Digits, LanesDep, Layer, Manager, Row, ServicesDep
from app.lanes import ShouldStop
from app.responses import Real
from app.runs import LiveRun, config_key, never
from app.schemas import ERRORS
from app.serialize import dumps
from engine.health import neuron_health
from engine.network import Network
from engine.recent import Recent
from engine.shares import weight_shares
from engine.surface import MAX_POINTS, Coordinate, flat_index, loss_surface, parse_coordinate
from engine.surface import WORK_BUDGET as SURFACE_WORK
from engine.trainer import Run

router = APIRouter(prefix="/api/v1/runs", tags=["insight"], responses=ERRORS)
MAX_PATH = 50  # past steps a surface draws the path of
CACHED = 64


class SharesOut(BaseModel):
    layer: int
    i: int
    j: int | None = Field(description="the input of W[layer][i][j]; null for the bias b[layer][i]")
    parameter: str = Field(description="W<layer> or b<layer>")
    step: int
    value: Real = Field(description="the parameter's current value")
    batch_size: int
    rows: list[int] = Field(description="training-set row of each sample in the batch")
    shares: list[Real] = Field(description="δ_s·a_s/B (a bias: δ_s/B) per sample; < 0 pushes w up")
    order: list[int] = Field(description="sample indices, most negative share (pushes up hardest) first")
    sum: Real = Field(description="exact sum of the shares: the data part of ∂L/∂w")
    mean: Real = Field(description="the average share, sum / B")
    penalty: Real = Field(description="the L1/L2 part of ∂L/∂w, which no sample pulls")
    gradient: Real = Field(description="∂L/∂w the update uses: sum + penalty")
    pushes_up: list[int] = Field(description="samples pushing w up hardest (negative shares)")
    pushes_down: list[int] = Field(description="samples pushing w down hardest (positive shares)")
    diverged: bool
    form: str = Field(description="per_sample; batch_norm when the samples are coupled through μ_B, σ²_B")


class SurfaceOut(BaseModel):
    step: int
    parameters: list[str] = Field(description="[p, q] as W<l>:<i>:<j> or b<l>:<i>")
    centre: list[Real] = Field(description="current values of p and q")
    loss_at_centre: Real = Field(description="the batch loss (+ penalty) at the current point")
    radius: float
    points: int = Field(description="grid points per side actually used (fewer than asked on a big net)")
    points_asked: int
    offsets: list[float]
    first: list[Real] = Field(description="values of p along the columns")
    second: list[Real] = Field(description="values of q along the rows")
    loss: list[list[Real]] = Field(description="loss[r][c] at p = first[c], q = second[r]")
    gradient: list[Real] = Field(description="∂L/∂p, ∂L/∂q: the arrow is its negative")
    update: list[Real] = Field(description="the step the optimizer is about to take in p, q")
    path: list[list[Real]] = Field(description="(p, q) on the last steps, oldest first, ending at the centre")
    finite: bool


class LayerHealthOut(BaseModel):
    activation: str
    inactive: list[float] = Field(description="per neuron: share of rows with u ≤ 0 (ReLU, leaky ReLU)")
    flat: list[float] = Field(description="per neuron: share of rows with f′(u) < threshold")
    dead: list[bool] = Field(description="ReLU with u ≤ 0 on every row: no gradient reaches it")
    saturated: list[bool] = Field(description="sigmoid or tanh with f′(u) < threshold on most rows")


class HealthOut(BaseModel):
    step: int
    rows: int = Field(description="training rows checked (all, unless the net is too big)")
    of_rows: int
    threshold: float
    most: float
    layers: list[LayerHealthOut] = Field(description="one per hidden layer")
    dead: int
    saturated: int
    hidden: int


# The grid: engine/surface.py's budget in multiply-adds, a third of it in parameter·rows (a step's
# P·B counts three passes per batch row)
GRID_WORK = SURFACE_WORK // 3
surfaces: Recent[tuple, bytes] = Recent(CACHED)  # the newest few answers, as JSON
healths: Recent[tuple, bytes] = Recent(CACHED)


@router.get(
    "/{run_id}/shares",
    response_model=SharesOut,
    summary="Each sample's share δ_s·a_s/B of ∂L/∂W[layer][i][j] (or of ∂L/∂b[layer][i] without j)",
)
async def get_shares(
    run_id: str,
    manager: Manager,
    lanes: LanesDep,
    layer: Layer,
    i: Row,
    j: Annotated[int | None, Query(ge=0, lt=WIDEST, description="j: the input; omit for the bias")] = None,
    digits: Digits = None,
) -> Response:
    return await lanes.cheap(
        manager.read, run_id, lambda run: json_response(weight_shares(run, layer, i, j), digits)
    )


def partner_of(c: Coordinate, net: Network) -> Coordinate:
    """The second parameter when none is asked: a weight's own neuron's bias (a bias's: its
    first weight). Under batch norm the layer's bias is taken out again with the batch mean,
    so the loss does not depend on it (∂L/∂b is 0 up to rounding) and the surface would be
    flat along it: there, a weight's partner is the next weight into the same neuron."""
    if c.j is None:
        return Coordinate(c.layer, c.i, 0)
    spec = net.specs[c.layer]
    if spec.batch_norm and spec.n_in > 1:
        return Coordinate(c.layer, c.i, (c.j + 1) % spec.n_in)
    return Coordinate(c.layer, c.i, None)


def recent_path(
    live: LiveRun, cs: tuple[Coordinate, Coordinate], steps: int, should_stop: ShouldStop = never
) -> np.ndarray:
    """(p, q) after each of the last `steps` updates, ending at the current step: the run
    goes back (from its nearest checkpoint) and forward again to the same bits."""
    run = live.run
    now = run.step
    back = min(steps, now)
    ks = [flat_index(run.net, c) for c in cs]
    if back == 0:
        return run.net.flat[ks][None].copy()
    live.move_to(now - back, should_stop, chunk_steps(live.shape))
    out = [run.net.flat[ks].copy()]
    for _ in range(back):
        live.advance(1, should_stop)
        out.append(run.net.flat[ks].copy())
    return np.array(out)


def path_work(live: LiveRun, steps: int) -> int:
    """The work of recent_path: back to the checkpoint before the path's start, then forward."""
    now = live.run.step
    back = min(steps, now)
    return 0 if back == 0 else step_work(live.shape) * (live.distance(now - back) + back)


@router.get(
    "/{run_id}/surface",
    response_model=SurfaceOut,
    summary="The batch loss over a grid of two parameters around their current values",
    description="p and q name parameters as W<layer>:<i>:<j> or b<layer>:<i> (default q: p's neuron's "
    "bias; under batch norm, which cancels that bias, the next weight into p's neuron). "
    f"At most {MAX_POINTS}×{MAX_POINTS} points (odd, so the centre is the current point); a "
    "big net × batch gets fewer (`points` says how many). radius: half the grid's width in parameter "
    "units (default: enough for the path and a few steps, at least 1). path: past steps to trace.",
)
async def get_surface(
    run_id: str,
    request: Request,
    services: ServicesDep,
    p: Annotated[str, Query(max_length=40, description="e.g. W1:0:2")],
    q: Annotated[str | None, Query(max_length=40, description="e.g. b1:0")] = None,
    points: Annotated[int, Query(ge=3, le=MAX_POINTS)] = 21,
    radius: Annotated[float | None, Query(gt=0, le=1000)] = None,
    path: Annotated[int, Query(ge=0, le=MAX_PATH)] = 20,
    digits: Digits = None,
) -> Response:
    manager, settings = services.runs, services.settings

    def plan() -> int:
        """The path's steps and the grid, within the budget; the replay to the path's start
        depends on the run's checkpoints, checked under its lock (answer)."""
        shape, replay, build = manager.plan(run_id)
        work = build + check_steps(shape, replay, settings, field="step")
        return work + check_work(
            shape, step_work(shape) * (1 + path) + GRID_WORK, settings, "path", "the surface", path
        )

    def answer(live: LiveRun, should_stop: ShouldStop) -> Response:
        run = live.run
        first = parse_coordinate("p", p, run.net)
        second = parse_coordinate("q", q, run.net) if q is not None else partner_of(first, run.net)
        key = (config_key(run.config), run.step, first, second, points, radius, path, digits)

        def make() -> bytes:
            check_work(
                live.shape,
                path_work(live, path) + GRID_WORK,
                settings,
                "path",
                "the surface and its path",
                path,
            )
            trail = recent_path(live, (first, second), path, should_stop)
            return dumps(loss_surface(run, first, second, points, radius, trail), digits)

        return Response(surfaces.get(key, make), media_type="application/json")

    def work(should_stop: ShouldStop) -> Response:
        return manager.read_live(run_id, lambda live: answer(live, should_stop), should_stop)

    return await services.lanes.run(plan, work, request)


@router.get(
    "/{run_id}/neurons",
    response_model=HealthOut,
    summary="Dead (ReLU) and saturated (sigmoid, tanh) hidden neurons over the training set",
)
async def get_neurons(run_id: str, manager: Manager, lanes: LanesDep, digits: Digits = None) -> Response:
    def answer(run: Run) -> Response:
        key = (config_key(run.config), run.step, digits)
        return Response(
            healths.get(key, lambda: dumps(neuron_health(run), digits)), media_type="application/json"
        )

    return await lanes.cheap(manager.read, run_id, answer)
