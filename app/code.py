"""The code behind the step: engine/reference.py's lines for each quantity, for the tour to show."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter

from app.responses import CodeOut
from engine import reference

router = APIRouter(prefix="/api/v1", tags=["meta"])


@cache
def _code() -> dict[str, str]:
    return reference.code()


@router.get(
    "/code",
    response_model=CodeOut,
    summary="The plain-NumPy lines that compute each quantity of a step (engine/reference.py)",
)
def get_code() -> dict[str, dict[str, str]]:
    return {"quantities": _code()}
