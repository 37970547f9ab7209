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

import functools
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, TypeVar

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from app.api import FrameFormat, Wanted, state_json
from app.budget import check_state_size, check_steps
from app.deps import Digits, LanesDep, Manager, RunId, SettingsDep
from app.frames import PLAYING, WHOLE_SECONDS
from app.lanes import ClientGone, ShouldStop, Stopped
from app.schemas import ERRORS
from engine.config import LIMITS

router = APIRouter(prefix="/api/v1/runs", tags=["stream"], responses=ERRORS)
T = TypeVar("T")
CATCH_UP = 10  # a frame advances at most this many frames' worth of steps
FRAME_WORK_SECONDS = 0.06  # and steps for at most this long: a slow net still shows several frames a second
# ... and at most this share of a frame's interval (1 / rate): the rest is left for building and
# encoding the State and sending it, so frames come at the rate asked for and never queue.
FRAME_WORK_SHARE = 0.5
MIN_RATE = 0.1  # frames per second: a stream sends at least one frame every 10 s


@router.get(
    "/{run_id}/stream",
    response_class=EventSourceResponse,
    summary="Play: States as Server-Sent Events, at the rate the client sets",
)
async def stream(
    request: Request,
    run_id: RunId,
    manager: Manager,
    lanes: LanesDep,
    settings: SettingsDep,
    wanted: Wanted,
    rate: Annotated[float, Query(ge=MIN_RATE, description="frames per second")] = 30.0,
    steps_per_frame: Annotated[int, Query(ge=1, le=LIMITS["max_steps_per_request"])] = 1,
    max_frames: Annotated[int | None, Query(ge=1, le=10**9)] = None,
    digits: Digits = None,
    frame_format: FrameFormat = "json",
) -> AsyncIterator[ServerSentEvent]:
    rate = min(rate, settings.max_stream_rate)
    frames_allowed = min(max_frames or settings.max_stream_frames, settings.max_stream_frames)
    limit = LIMITS["max_replay_steps"]
    most = min(steps_per_frame * CATCH_UP, LIMITS["max_steps_per_request"])  # one frame's work is bounded

    def plan() -> int:  # before the first frame: this net may do `most` steps a frame
        shape, replay, build = manager.plan(run_id)
        check_state_size(shape, wanted, digits, settings)
        return build + check_steps(shape, most, settings, field="steps_per_frame", replay=replay)

    heavy = await anyio.to_thread.run_sync(plan) > settings.cheap_work

    async def work(fn: Callable[[ShouldStop], T]) -> T:
        """A frame of a large net is heavy work: the heavy lane, stopped when the client leaves."""
        if heavy:
            return await lanes.heavy(fn, None)
        return await anyio.to_thread.run_sync(fn, lanes.shutting_down.is_set)

    start_step = await work(lambda stop: manager.read(run_id, lambda run: run.step, stop))
    pauses = await work(lambda stop: manager.pauses(run_id))
    work_seconds = frame_work_seconds(rate)
    rows_sent: set[int] = set()  # compact frames send each training row's inputs once
    whole_sent = [-WHOLE_SECONDS]  # when a compact frame last carried its wide matrices whole

    def frame(target: int, stop: ShouldStop) -> tuple[bytes, int, bool] | None:
        def read(run) -> tuple[bytes, int, bool]:
            if frame_format == "compact":
                now = time.monotonic()
                whole = now - whole_sent[0] >= WHOLE_SECONDS
                if whole:
                    whole_sent[0] = now
                return state_json(run, digits, wanted, PLAYING, rows_sent, whole), run.step, run.diverged
            return state_json(run, digits, wanted), run.step, run.diverged

        return manager.stream_frame(run_id, target, most, work_seconds, pauses, read, stop)

    start_time = time.monotonic()
    reason, step = "max_frames", start_step
    try:
        for sent in range(frames_allowed):
            if await request.is_disconnected():
                return
            due = start_time + sent / rate
            await anyio.sleep(max(0.0, due - time.monotonic()))
            elapsed_frames = (time.monotonic() - start_time) * rate
            target = start_step + round(max(elapsed_frames, sent + 1) * steps_per_frame)
            framed = await work(functools.partial(frame, target))
            if framed is None:  # paused (POST /pause) while this stream was still open
                return
            data, step, diverged = framed
            yield ServerSentEvent(raw_data=data.decode(), event="state", id=str(step))
            if diverged or step >= limit:
                reason = "diverged" if diverged else "limit"
                break
    except (ClientGone, Stopped):
        return  # the client left, or the server is stopping: that is how a stream ends, not an error
    yield ServerSentEvent(data={"reason": reason, "step": step}, event="end")


def frame_work_seconds(rate: float) -> float:
    """How long one frame may step: a share of the frame's interval, never over the cap."""
    return min(FRAME_WORK_SECONDS, FRAME_WORK_SHARE / rate)
