"""What a Step's answer may carry besides the State: the numbers the page's visible panels
draw for the new step, so that a Step click is one round trip (issue #15, docs/api.md).

`POST /runs/{id}/step?include=history,preview,neurons,grid` answers
``{"state": <State>, "history": …, "preview": …, "neurons": …, "grid": …}``, each part the
same as its own endpoint would answer at the new step:

- history: the rows after `since` (GET /history?since=);
- preview: the batch loss along the coming update (GET /preview, 41 points up to α = 2);
- neurons: dead and saturated hidden neurons (GET /neurons);
- grid: every neuron's output over a `grid` × `grid` lattice of the input plane (a net with two
  inputs), spanning the training data with a tenth of its range around it: the decision
  boundary, the neuron maps and the node pictures. Drawn only as colours, so each neuron's
  values travel as bytes between that neuron's lo and hi (app/frames.py `levels`), at most
  half a level of 255 of its range off; POST /predict with the same points has the exact numbers.

`GET /runs/{id}/state?include=…` carries the same parts at the run's step, for a page opening
a run, and `POST /pause?include=…` at the step it goes to. `GET /runs/{id}/grid` answers the
grid alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Query, Response

from app.budget import Shape, check_rows
from app.deps import LanesDep, Manager, SettingsDep
from app.frames import layer_levels
from app.responses import GridOut
from app.schemas import ERRORS
from app.serialize import dumps
from app.settings import Settings
from engine.config import LIMITS, ConfigError
from engine.health import WORK_BUDGET as HEALTH_WORK
from engine.health import neuron_health
from engine.preview import loss_along_update
from engine.trainer import Run

EXTRAS = ("history", "preview", "neurons", "grid")
Include = Annotated[
    str | None,
    Query(
        max_length=100,
        description="parts the answer carries besides the State, comma-separated: history, preview, "
        "neurons, grid (app/extras.py); the answer is then {state, <part>: …}",
    ),
]
Since = Annotated[
    int,
    Query(ge=0, le=LIMITS["max_replay_steps"], description="the reader's step: only history rows after it"),
]
GridPoints = Annotated[int, Query(ge=2, le=100, description="lattice points per side")]
PREVIEW_ALPHAS = np.linspace(0.0, 2.0, 41)  # GET /preview's defaults: what the page draws
GRID_PAD = 0.1  # of the data's range on each side, as the boundary plot shows it

# How a part's JSON is made: once for every run of the config at the step that asks the
# same `question` (RunManager.sharer; the question names all the part depends on besides
# the config and the step), or by `make()` for a run alone.
Share = Callable[[Hashable, Callable[[], bytes]], bytes]


def parse_include(include: str | None) -> tuple[str, ...]:
    if not include:
        return ()
    names = tuple(dict.fromkeys(n.strip() for n in include.split(",") if n.strip()))
    unknown = [n for n in names if n not in EXTRAS]
    if unknown:
        raise ConfigError(
            "include", f"unknown part {unknown[0]!r}", ", ".join(EXTRAS), code="choice", value=unknown[0]
        )
    return names


def extras_work(shape: Shape, include: tuple[str, ...], grid: int, settings: Settings) -> int:
    """The extras' forward passes, in parameter·rows (app/budget.py), checked like their endpoints'."""
    work = 0
    if "preview" in include:
        work += check_rows(shape, len(PREVIEW_ALPHAS) * shape.batch, settings, field="include")
    if "grid" in include:
        if shape.sizes[0] != 2:
            raise ConfigError(
                "include",
                "a grid of the input plane needs a net with 2 inputs",
                "history, preview, neurons",
                code="needs_2d",
                value=shape.sizes[0],
            )
        work += check_rows(shape, grid * grid, settings, field="grid")
    if "neurons" in include:
        work += min(
            shape.n_params * shape.rows, HEALTH_WORK
        )  # engine/health.py checks fewer rows of a big net
    return work


def axis(lo: float, hi: float, n: int) -> np.ndarray:
    pad = GRID_PAD * ((hi - lo) or 1.0)
    return np.linspace(lo - pad, hi + pad, n)


@functools.lru_cache(maxsize=64)
def lattice(box: tuple[float, float, float, float], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """xs, ys and the n·n points (row r of the lattice is ys[r]) spanning `box` (x lo, x hi,
    y lo, y hi), made once per data set and size: a class pausing together asks for the grid
    of one data set at a hundred steps (~15 of XOR's ~70 µs a grid). Read-only: shared."""
    xs, ys = axis(box[0], box[1], n), axis(box[2], box[3], n)
    points = np.column_stack([np.tile(xs, n), np.repeat(ys, n)])
    for array in (xs, ys, points):
        array.flags.writeable = False
    return xs, ys, points


def grid_of(run: Run, n: int) -> dict[str, Any]:
    """Each neuron's output over the lattice: row r of the lattice is ys[r], column c is xs[c];
    `layers[l]` holds one row of n·n values per neuron of layer l (as colour levels)."""
    x = run.dataset.x_train
    lo, hi = x.min(axis=0), x.max(axis=0)
    xs, ys, points = lattice((float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])), n)
    with np.errstate(all="ignore"):
        activations = run.activations(points)
    return {"xs": xs, "ys": ys, "layers": layer_levels(activations)}


def preview_of(run: Run, alphas: np.ndarray = PREVIEW_ALPHAS) -> dict[str, Any]:
    """The batch loss along the update about to be applied, L(θ + α·Δθ) (GET /preview)."""
    return {"alpha": alphas, "loss": loss_along_update(run, alphas), "step": run.step}


def step_answer(
    run: Run,
    state: bytes,
    include: tuple[str, ...],
    since: int,
    grid: int,
    digits: int | None,
    share: Share,
) -> bytes:
    """The State's JSON (already built) with the extras asked for, at the run's new step."""
    return b'{"state":' + state + extra_parts(run, include, since, grid, digits, share) + b"}"


def extra_parts(
    run: Run, include: tuple[str, ...], since: int, grid: int, digits: int | None, share: Share
) -> bytes:
    """The parts asked for at the run's step, as JSON object members (`,"name":value` each):
    a Step's answer carries them after its State, a stream's `extras` event after its step.

    Only the history depends on the reader (its `since`): the other parts go through `share`,
    so that a class whose pages last heard at different steps still makes each part once per
    step (100 XOR students pausing together made them 75 times at 20 steps)."""
    parts = []
    for name in include:
        if name == "history":
            value = dumps(run.history.to_dict(since), digits)
        else:
            question = ("part", name, grid if name == "grid" else None, digits)
            value = share(question, functools.partial(_part_json, run, name, grid, digits))
        parts += [b',"', name.encode(), b'":', value]
    return b"".join(parts)


def _part_json(run: Run, name: str, grid: int, digits: int | None) -> bytes:
    value: Any
    if name == "preview":
        value = preview_of(run)
    elif name == "neurons":
        value = neuron_health(run)
    else:
        value = grid_of(run, grid)
    return dumps(value, digits)


router = APIRouter(prefix="/api/v1/runs", tags=["runs"], responses=ERRORS)


@router.get(
    "/{run_id}/grid",
    response_model=GridOut,
    summary="Every neuron's output over a lattice of the input plane, as colour levels (2 inputs)",
)
async def get_grid(
    run_id: str, manager: Manager, lanes: LanesDep, settings: SettingsDep, points: GridPoints = 40
) -> Response:
    def answer(run: Run) -> Response:
        if run.dataset.n_inputs != 2:
            raise ConfigError(
                "run_id",
                "a grid of the input plane needs a net with 2 inputs",
                "a run on 2-D data",
                code="needs_2d",
                value=run.dataset.n_inputs,
            )
        check_rows(Shape.of_config(run.config), points * points, settings, field="points")
        return Response(dumps(grid_of(run, points)), media_type="application/json")

    return await lanes.cheap(manager.read, run_id, answer)
