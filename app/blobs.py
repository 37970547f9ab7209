"""Values a URL names as "@<code>" instead of carrying them: explicit weights, custom data.

A page URL holds the whole config, so a link rebuilds the same run anywhere. The weights
of an imported digit net are 13,002 numbers, about 250 kB of JSON: too long for a URL a
server accepts. The page stores such a value once and the URL carries `weights=@<code>`.
The code is a hash of the value, so the same value always gets the same code and a code
always means the same value: a snapshot stays a pure function of its URL.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

import orjson
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from app.deps import SettingsDep, Store
from app.errors import NotFound
from app.refs import REF_FIELDS, code_of, parsed
from app.schemas import ERRORS, REF_PATTERN, DataIn, WeightsIn
from app.store.errors import store_full
from engine.config import LIMITS, ConfigError, too_many

router = APIRouter(tags=["sharing"], responses=ERRORS)
REF = re.compile(REF_PATTERN)


def dereference(fields: dict[str, Any], store: Store | None) -> dict[str, Any]:
    """Config fields with every "@<code>" replaced by the value stored under it."""
    out = dict(fields)
    for name in REF_FIELDS:
        value = out.get(name)
        if not isinstance(value, str):
            continue
        match = REF.fullmatch(value)
        if match is None:
            raise ConfigError(
                name,
                f"{value[:40]!r} is not a reference",
                "JSON, or @<code> from POST /api/v1/blobs",
                code="not_json",
                value=value[:40],
            )
        payload = store.get_blob(match[1]) if store is not None else None
        if payload is None:
            raise ConfigError(
                name,
                f"refers to {value}, which this server does not hold",
                "a reference from this server's /api/v1/blobs",
                code="unknown_ref",
                value=value,
            )
        out[name] = parsed(payload)
    return out


class BlobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Annotated[
        list[WeightsIn] | DataIn,
        Field(description="what a config field would hold: `weights` [{W, b}] or `data` {x, y}"),
    ]

    def canonical(self) -> Any:
        """The value as plain JSON, every number a float; refused unless every number is finite
        and the value is within what a config may hold (rows, layers, parameters)."""
        self.check_size()
        value = (
            [w.model_dump() for w in self.value] if isinstance(self.value, list) else self.value.model_dump()
        )
        bad = next((v for v in _numbers(value) if not math.isfinite(v)), None)
        if bad is not None:
            raise ConfigError(
                "value",
                "holds a number that is not finite",
                "finite numbers only",
                code="not_finite",
                value=bad,
            )
        return value

    def check_size(self) -> None:
        if isinstance(self.value, list):
            layers = len(self.value)
            if layers > LIMITS["max_hidden_layers"] + 1:
                raise too_many("value", layers, "layers", LIMITS["max_hidden_layers"] + 1)
            n = sum(len(w.b) + sum(len(row) for row in w.W) for w in self.value)
            if n > LIMITS["max_parameters"]:
                raise too_many("value", n, "parameters", LIMITS["max_parameters"])
            return
        rows = len(self.value.x)
        if rows > LIMITS["max_custom_rows"]:
            raise too_many("value.x", rows, "rows", LIMITS["max_custom_rows"])
        for name, matrix, things, limit in (
            ("value.x", self.value.x, "inputs", "max_inputs"),
            ("value.y", self.value.y, "outputs", "max_outputs"),
        ):
            widest = max((len(r) for r in matrix), default=0)
            if widest > LIMITS[limit]:
                raise too_many(name, widest, things, LIMITS[limit])


def _numbers(value: Any):
    if isinstance(value, float):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)


class BlobValueOut(BaseModel):
    code: str
    value: Any = Field(description="the stored value, as POSTed")


class BlobOut(BaseModel):
    code: str
    ref: str = Field(description='what a URL or config puts in place of the value: "@" + code')


@router.post("/api/v1/blobs", status_code=201, response_model=BlobOut, summary="Store a value a URL can name")
def create_blob(body: BlobIn, store: Store, settings: SettingsDep) -> BlobOut:
    limit = settings.max_blobs
    value = body.canonical()
    code = code_of(value)
    if not store.put_blob(code, orjson.dumps(value).decode(), limit):  # counted atomically
        raise store_full("value", "values", limit)
    return BlobOut(code=code, ref=f"@{code}")


@router.get("/api/v1/blobs/{code}", response_model=BlobValueOut, summary="A stored value")
def get_blob(code: str, store: Store) -> dict[str, Any]:
    payload = store.get_blob(code) if len(code) <= 64 else None
    if payload is None:
        raise NotFound(["path", "code"], f"no stored value {code!r}")
    return {"code": code, "value": orjson.loads(payload)}
