"""The server's shared parts, injected into handlers (FastAPI dependencies).

create_app() builds one `Services` per application in its lifespan; handlers name what
they need (`Store`, `Manager`, `SettingsDep`, `LanesDep`, `RunId`) and never read
`request.app.state` themselves, so a test can build the app with other parts and a
handler's signature says everything it touches. The getters are `async def`: FastAPI runs
a plain `def` dependency in a worker thread, a hop per dependency per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Query, Request

from app.foreground import Foreground
from app.frames import MATRICES
from app.lanes import Lanes
from app.runs import RunManager, StoredRow
from app.sampled import SampleQuery, parse_sample
from app.serialize import LAYER_FIELDS, MAX_DIGITS, STATE_FIELDS
from app.settings import Settings
from app.store import Store as StoreProtocol
from engine.config import LIMITS, ConfigError


@dataclass
class Services:
    settings: Settings
    store: StoreProtocol
    runs: RunManager
    lanes: Lanes
    foreground: Foreground


async def services(request: Request) -> Services:
    return request.app.state.services


async def get_settings(request: Request) -> Settings:
    return request.app.state.services.settings


async def get_store(request: Request) -> StoreProtocol:
    return request.app.state.services.store


async def get_manager(request: Request) -> RunManager:
    return request.app.state.services.runs


async def get_lanes(request: Request) -> Lanes:
    return request.app.state.services.lanes


async def get_foreground(request: Request) -> Foreground:
    return request.app.state.services.foreground


ServicesDep = Annotated[Services, Depends(services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
Store = Annotated[StoreProtocol, Depends(get_store)]
Manager = Annotated[RunManager, Depends(get_manager)]
LanesDep = Annotated[Lanes, Depends(get_lanes)]
ForegroundDep = Annotated[Foreground, Depends(get_foreground)]


async def known_run(run_id: str, manager: Manager, lanes: LanesDep) -> str:
    """The run's id, once the store knows it: 404 before any work starts (streams included).
    The store is asked in the cheap lane (as a plain `def`, FastAPI sent this to anyio's 40
    threads, a hop dearer in CPU and contending for the GIL). A stream names it; handlers that
    read a run need not: RunManager raises RunNotFound (404) in their own hop."""
    await lanes.cheap(manager.require, run_id)
    return run_id


RunId = Annotated[str, Depends(known_run)]

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

# A weight's coordinates, bounded by the config limits (the run's own shape is checked next,
# with the range it allows): at most max_hidden_layers + 1 weight layers, none wider than
# the widest layer a config may have.
WIDEST = max(LIMITS["max_inputs"], LIMITS["max_layer_width"], LIMITS["max_outputs"])
Layer = Annotated[int, Query(ge=0, le=LIMITS["max_hidden_layers"], description="weight layer, from 0")]
Row = Annotated[int, Query(ge=0, lt=WIDEST, description="i: the neuron (row of W)")]
Column = Annotated[int, Query(ge=0, lt=WIDEST, description="j: the input (column of W)")]


def parse_fields(fields: str | None, name: str = "fields") -> set[str] | None:
    if fields is None:
        return None
    names = {f.strip() for f in fields.split(",") if f.strip()}
    allowed = set(STATE_FIELDS) | {f"layers.{k}" for k in LAYER_FIELDS}
    unknown = sorted(names - allowed)
    if unknown:
        raise ConfigError(
            name, f"unknown field {unknown[0]!r}", ", ".join(sorted(allowed)), code="choice", value=unknown[0]
        )
    return names


EdgesOnly = Annotated[
    str | None,
    Query(
        max_length=100,
        description="of a net on images, the first layer's matrices sent as each row's 8 largest "
        "(`dtype: top`, the edges the network view draws; app/frames.py), comma-separated: "
        "layers.W, layers.dW, layers.dW_applied, layers.dW_penalty",
    ),
]
IMAGE_MATRICES = tuple(f"layers.{k}" for k in sorted(MATRICES))  # layers.W, layers.dW, …


def parse_edges_only(edges_only: str | None) -> set[str] | None:
    """The layer keys (W, dW, …) named; a name that is not one of an image layer's matrices is a 422."""
    if not edges_only:
        return None
    names = {f.strip() for f in edges_only.split(",") if f.strip()}
    unknown = sorted(names - set(IMAGE_MATRICES))
    if unknown:
        raise ConfigError(
            "edges_only",
            f"not a matrix of a layer {unknown[0]!r}",
            ", ".join(IMAGE_MATRICES),
            code="choice",
            value=unknown[0],
        )
    return {name.split(".", 1)[1] for name in names}


async def wanted_fields(fields: Fields = None) -> set[str] | None:
    return parse_fields(fields)


Wanted = Annotated[set[str] | None, Depends(wanted_fields)]

FrameFormat = Annotated[
    Literal["json", "compact"],
    Query(
        alias="format",
        description="compact: large arrays as base64 binary for drawing (app/frames.py); json: all float64",
    ),
]


@dataclass
class StateRequest:
    """A request answered with a run's State (GET state, POST step): which run, how the
    State is wanted, and the parts that serve it."""

    run_id: str
    request: Request
    services: Services
    wanted: set[str] | None
    digits: int | None
    frame: Literal["json", "compact"]
    sample: int | str | None = None  # only this batch sample's per-sample rows (app/sampled.py)
    edges: set[str] | None = None  # an image's first-layer matrices as each row's top (app/frames.py)
    row: StoredRow | None = None  # the store's row as the work's plan read it (app/api.py plan_state)


async def state_request(
    run_id: str,  # the work's plan answers 404 for an unknown run, in the same thread hop
    request: Request,
    fields: Fields = None,
    digits: Digits = None,
    frame: FrameFormat = "json",
    sample: SampleQuery = None,
    edges_only: EdgesOnly = None,
) -> StateRequest:
    # One dependency with no dependencies of its own: FastAPI solves each dependency anew
    # per request, and the four a State request had cost a small net's step more CPU than
    # its JSON.
    return StateRequest(
        run_id,
        request,
        request.app.state.services,
        parse_fields(fields),
        digits,
        frame,
        parse_sample(sample),
        parse_edges_only(edges_only),
    )


StateRequestDep = Annotated[StateRequest, Depends(state_request)]
