"""Sharing: short links, saved runs, export/import of weights, and a runnable snippet.

Everything shared is a page URL query (config + step + view state): a run is a pure
function of its config, so the query is the whole moment. Short links and saved runs
store that query in the store; codes are random (72 bits), not guessable. A saved run
is opened by anyone holding its id, and listed only to the browser that saved it.
"""

from __future__ import annotations

import hashlib
import pprint
import secrets
import time
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import PlainTextResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from app.api import json_response, run_out
from app.deps import LanesDep, Manager, SettingsDep, Store
from app.errors import NotFound
from app.page_params import check_page_params
from app.responses import ExportOut
from app.schemas import ERRORS, RunOut
from app.store.errors import store_full
from app.urlstate import config_from_query, step_from_query
from engine.config import DEFAULTS, LIMITS, ConfigError
from engine.presets import resolve
from engine.trainer import Run

router = APIRouter(tags=["sharing"], responses=ERRORS)
MAX_QUERY = 100_000
EXPORT_FORMAT = "backprop-explorer/1"


class QueryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(
        description="a page URL's query string, without '?'",
        max_length=MAX_QUERY,
        examples=["preset=xor&step=40&sel=e:1:0:1&view=gradients"],
    )


class SaveIn(QueryIn):
    name: Annotated[str, Field(min_length=1, max_length=200, description="a name to find it by")]


class LinkOut(BaseModel):
    code: str = Field(description="the short link's code")
    url: str = Field(description="the short link: /s/<code> opens the page")


class LinkQueryOut(BaseModel):
    code: str
    query: str = Field(description="the page URL's query string, without '?'")


class SavedOut(BaseModel):
    id: str
    name: str
    query: str
    created: float


def checked_query(query: str, store: Store) -> str:
    """The query, if its config resolves and its step is in range (else a 422 naming the field)."""
    from urllib.parse import parse_qsl

    pairs = dict(parse_qsl(query.lstrip("?"), keep_blank_values=True))
    config = config_from_query(pairs, store)
    step_from_query(pairs)
    check_page_params(pairs, config)
    return query.lstrip("?")


@router.post(
    "/api/v1/links",
    status_code=201,
    response_model=LinkOut,
    summary="A short link to a page URL (config, step, view)",
)
def create_link(body: QueryIn, store: Store, settings: SettingsDep) -> LinkOut:
    query = checked_query(body.query, store)
    code = secrets.token_urlsafe(9)  # 12 characters, 72 random bits
    most = settings.max_links
    if not store.put_link(code, orjson.dumps({"query": query}).decode(), most):  # counted atomically
        raise store_full("query", "links", most, " links")
    return LinkOut(code=code, url=f"/s/{code}")


def stored_link(store: Store, code: str) -> str:
    payload = store.get_link(code) if len(code) <= 64 else None
    if payload is None:
        raise NotFound(["path", "code"], f"no link {code!r}")
    return orjson.loads(payload)["query"]


@router.get("/api/v1/links/{code}", response_model=LinkQueryOut, summary="The page query behind a short link")
def get_link(code: str, store: Store) -> LinkQueryOut:
    return LinkQueryOut(code=code, query=stored_link(store, code))


@router.get("/s/{code}", summary="Open a short link", response_class=RedirectResponse, status_code=307)
def open_link(code: str, store: Store) -> RedirectResponse:
    return RedirectResponse(f"/?{stored_link(store, code)}", status_code=307)


# -- saved runs: reachable by their link, listed only to their owner -----------------------------

OWNER_COOKIE = "bpx_owner"
OWNER_PATH = "/api/v1/saved"  # the browser sends the cookie to these endpoints and nowhere else
OWNER_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie


def owner_of(token: str | None) -> str | None:
    """What the store keeps for a browser: a hash of its owner token, so the store alone
    (a backup, a replica's log) cannot be used to list or delete anyone's runs."""
    if not token or len(token) > 64:
        return None
    return hashlib.sha256(token.encode()).hexdigest()


def remember_owner(request: Request, response: Response) -> str:
    """The caller's owner hash; a browser without a token gets one in an HttpOnly,
    SameSite=Strict cookie that page scripts cannot read and other sites cannot send."""
    token = request.cookies.get(OWNER_COOKIE) or ""
    if owner_of(token) is None:
        token = secrets.token_urlsafe(24)  # 192 random bits
    response.set_cookie(
        OWNER_COOKIE,
        token,
        max_age=OWNER_MAX_AGE,
        path=OWNER_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return owner_of(token) or ""


class SavedPage(BaseModel):
    items: list[SavedOut] = Field(description="the caller's saved runs, newest first")
    next_offset: int | None = Field(description="`offset` for the next page; null on the last page")


def saved_out(saved_id: str, name: str, payload: str, created: float) -> SavedOut:
    return SavedOut(id=saved_id, name=name, query=orjson.loads(payload)["query"], created=created)


@router.post("/api/v1/saved", status_code=201, response_model=SavedOut, summary="Save a run under a name")
def save_run(
    body: SaveIn, request: Request, response: Response, store: Store, settings: SettingsDep
) -> SavedOut:
    name = body.name.strip()
    if not name:
        raise ConfigError("name", "is empty", "1 to 200 characters", code="empty")
    query = checked_query(body.query, store)
    saved_id = secrets.token_urlsafe(9)
    payload = orjson.dumps({"query": query}).decode()
    # The store counts and inserts as one step: concurrent saves cannot pass the cap.
    if not store.save(saved_id, remember_owner(request, response), name, payload, settings.max_saved_runs):
        raise store_full("name", "saved runs", settings.max_saved_runs, "; delete some first")
    return SavedOut(id=saved_id, name=name, query=query, created=time.time())


@router.get(
    "/api/v1/saved",
    response_model=SavedPage,
    summary="Your saved runs (this browser's), newest first, a page at a time",
)
def list_saved(
    request: Request,
    store: Store,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> SavedPage:
    owner = owner_of(request.cookies.get(OWNER_COOKIE))
    if owner is None:
        return SavedPage(items=[], next_offset=None)
    rows = store.list_saved(owner, limit + 1, offset)  # one more: is there a next page?
    items = [saved_out(*row) for row in rows[:limit]]
    return SavedPage(items=items, next_offset=offset + limit if len(rows) > limit else None)


@router.get("/api/v1/saved/{saved_id}", response_model=SavedOut, summary="One saved run (anyone with its id)")
def get_saved(saved_id: str, store: Store) -> SavedOut:
    row = store.get_saved(saved_id) if len(saved_id) <= 64 else None
    if row is None:
        raise NotFound(["path", "saved_id"], f"no saved run {saved_id!r}")
    name, payload, created = row
    return saved_out(saved_id, name, payload, created)


@router.delete("/api/v1/saved/{saved_id}", status_code=204, summary="Delete one of your saved runs")
def delete_saved(saved_id: str, request: Request, store: Store) -> Response:
    owner = owner_of(request.cookies.get(OWNER_COOKIE))
    if owner is None or not store.delete_saved(saved_id, owner):
        # someone else's run answers as a missing one: a link lets you open it, not delete it
        raise NotFound(["path", "saved_id"], f"no saved run {saved_id!r} of yours")
    return Response(status_code=204)


# -- export / import -----------------------------------------------------------------------------


@router.get(
    "/api/v1/runs/{run_id}/export",
    response_model=ExportOut,
    summary="Config and current weights as one JSON file",
)
async def export_run(run_id: str, manager: Manager, lanes: LanesDep) -> Response:
    def exported(run: Run) -> dict[str, Any]:
        return {
            "format": EXPORT_FORMAT,
            "config": run.config.to_dict(),
            "step": run.step,
            "weights": [{"W": layer.W, "b": layer.b} for layer in run.state().layers],
        }

    return await lanes.cheap(lambda: json_response(manager.read(run_id, exported)))


class ImportIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    format: Literal["backprop-explorer/1"] = Field(description="the export format's name and version")
    config: dict[str, Any] = Field(description="a RunConfig (as exported)")
    weights: list[dict[str, Any]] = Field(description="[{W, b}] per layer: the run starts from them")
    step: int | None = Field(None, description="the step it was exported at (for the record)")


@router.post(
    "/api/v1/import", status_code=201, response_model=RunOut, summary="A new run from an exported file"
)
def import_run(body: ImportIn, manager: Manager) -> RunOut:
    fields = {k: v for k, v in body.config.items() if v is not None and k != "weights"}
    fields.pop("preset", None)
    try:
        config = resolve({**fields, "weights": body.weights})
    except ConfigError as error:
        raise ConfigError(
            error.field if error.field.startswith("weights") else f"config.{error.field}",
            error.message,
            error.allowed,
            error.code,
            error.value,
            error.most,
        ) from None
    run_id, out = manager.create(config, lambda run: run_out("", run))
    return out.model_copy(update={"id": run_id})


# -- a script that reproduces the numbers ------------------------------------------------------------


@router.get(
    "/api/v1/runs/{run_id}/snippet",
    response_class=PlainTextResponse,
    summary="A Python script (httpx) that rebuilds this run through the API and prints its numbers",
)
async def snippet(run_id: str, manager: Manager, lanes: LanesDep, request: Request) -> PlainTextResponse:
    config, step = await lanes.cheap(manager.read, run_id, lambda run: (run.config, run.step))
    defaults = DEFAULTS.to_dict()
    fields = {k: v for k, v in config.to_dict().items() if v != defaults[k]}
    base = str(request.base_url).rstrip("/")
    text = f'''"""Rebuild a Backprop Explorer run through its REST API and print the numbers on screen.

Runs are exact: the same config and step give the same bits on any server.
"""

import httpx

API = httpx.Client(base_url="{base}/api/v1", timeout=120)
CONFIG = {pprint.pformat(fields, indent=4, sort_dicts=False)}
STEP = {step}

run = API.post("/runs", json=CONFIG).json()
done = 0
while done < STEP:
    n = min({LIMITS["max_steps_per_request"]}, STEP - done)  # the most one request takes
    API.post(f"/runs/{{run['id']}}/step", json={{"steps": n}}, params={{"fields": "step"}}).raise_for_status()
    done += n
state = API.get(f"/runs/{{run['id']}}/state").json()
print("step", state["step"], "loss", state["loss"])
for l, layer in enumerate(state["layers"]):
    print(f"layer {{l}}: W =", layer["W"])
    print(f"layer {{l}}: dL/dW =", layer["dW"])
'''
    return PlainTextResponse(text, media_type="text/x-python")
