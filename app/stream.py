"""Live training over Server-Sent Events.

GET /api/v1/runs/{id}/stream advances the run in real time and sends a State per
frame. Training time follows the wall clock (rate × steps_per_frame steps a second);
a frame is computed only after the previous one was handed to the client, so a slow
client gets fewer frames that each skip more steps — nothing piles up on the server.
Closing the connection pauses; controls stay plain HTTP.

Events: `state` (data: a State, id: its step), then one `end` event (data:
{"reason": "max_frames" | "limit" | "diverged", "step": n}) when the stream stops by
itself.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import EventSourceResponse, ServerSentEvent

from app.api import Digits, Live, Manager, SettingsDep, Wanted, state_json
from app.schemas import ERRORS
from engine.config import LIMITS

router = APIRouter(prefix="/api/v1/runs", tags=["stream"], responses=ERRORS)
CATCH_UP = 10  # a frame advances at most this many frames' worth of steps


@router.get(
    "/{run_id}/stream",
    response_class=EventSourceResponse,
    summary="Play: States as Server-Sent Events, at the rate the client sets",
)
async def stream(
    request: Request,
    run_id: str,
    live: Live,
    manager: Manager,
    settings: SettingsDep,
    wanted: Wanted,
    rate: Annotated[float, Query(gt=0, description="frames per second")] = 30.0,
    steps_per_frame: Annotated[int, Query(ge=1, le=LIMITS["max_steps_per_request"])] = 1,
    max_frames: Annotated[int | None, Query(ge=1)] = None,
    digits: Digits = None,
) -> AsyncIterator[ServerSentEvent]:
    rate = min(rate, settings.max_stream_rate)
    frames_allowed = min(max_frames or settings.max_stream_frames, settings.max_stream_frames)
    limit = LIMITS["max_replay_steps"]

    def frame(target: int) -> tuple[bytes, int, bool]:
        current = manager.get(run_id)
        with current.lock:
            most = min(
                steps_per_frame * CATCH_UP, LIMITS["max_steps_per_request"]
            )  # one frame's work is bounded
            n = max(0, min(target - current.run.step, most, limit - current.run.step))
        if n:
            current = manager.step(run_id, n)
        with current.lock:
            return state_json(current, digits, wanted), current.run.step, current.run.diverged

    start_step, start_time = live.run.step, time.monotonic()
    reason = "max_frames"
    for sent in range(frames_allowed):
        if await request.is_disconnected():
            return
        due = start_time + sent / rate
        await anyio.sleep(max(0.0, due - time.monotonic()))
        elapsed_frames = (time.monotonic() - start_time) * rate
        target = start_step + round(max(elapsed_frames, sent + 1) * steps_per_frame)
        data, step, diverged = await run_in_threadpool(frame, target)
        yield ServerSentEvent(raw_data=data.decode(), event="state", id=str(step))
        if diverged or step >= limit:
            reason = "diverged" if diverged else "limit"
            break
    yield ServerSentEvent(data={"reason": reason, "step": step}, event="end")
