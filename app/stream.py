"""Live training over Server-Sent Events.

GET /api/v1/runs/{id}/stream advances the run in real time and sends a State per
frame. Training time follows the wall clock (rate × steps_per_frame steps a second);
a frame is computed only after the previous one was handed to the client, so a slow
client gets fewer frames that each skip more steps — nothing piles up on the server.
Closing the connection pauses; controls stay plain HTTP.

A frame late by the server's doing (it took longer than its interval to build: the server
is busy with other streams or requests) is not made up: the stream's clock waits for it, so a
busy server sends frames of `steps_per_frame` steps as often as it can, rather than frames
that each step more and so make it busier still. Only time the client took to receive is
caught up, by at most CATCH_UP frames' worth of steps.

The store hears the stream's step every TELL_SECONDS and when it stops, not every frame (a
class of 100 XOR streams wrote it 2,000 times a second): RunManager.stream_frame.

Events: `state` (data: a State, id: its step), then one `end` event (data:
{"reason": "max_frames" | "limit" | "diverged" | "max_seconds", "step": n}) when the stream
stops by itself (max_seconds: open for BPX_MAX_STREAM_SECONDS; the page opens the next one). A
comment line (`: keep-alive`) goes out when HEARTBEAT_SECONDS pass without a frame. With `include=preview,neurons,grid` (app/extras.py), the first frame and then one
every EXTRAS_SECONDS of the stream's clock (on the same steps for a class's streams, which
share the parts) is preceded by an `extras` event (data: {"step": n, and each part as
a Step's answer carries it}) for the step of the `state` event that follows it: the side
plots a page redraws while playing come with the frames instead of as requests of their own.
With `history` among them, an extras event carries the history rows since the one before
(the first: since `since`, the page's own): a page pausing then asks only for the last
half second's rows, not for all it played (a class pausing together after 10 s of XOR
asked for 2,000 rows each, ~3 ms of CPU a pause in the same second).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import time
import weakref
from collections.abc import AsyncIterator, Callable, Hashable
from dataclasses import dataclass
from typing import Annotated, TypeVar

import anyio
import orjson
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.api import state_json
from app.budget import check_state_size, check_steps, step_work
from app.deps import (
    Digits,
    ForegroundDep,
    FrameFormat,
    LanesDep,
    Manager,
    RunId,
    SettingsDep,
    Wanted,
    parse_fields,
)
from app.extras import GridPoints, Include, Since, extra_parts, extras_work, parse_include
from app.frames import PLAYING, WHOLE_SECONDS
from app.lanes import CheapPool, ClientGone, ShouldStop, Stopped
from app.sampled import SampleQuery, parse_sample
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
EXTRAS_SECONDS = 0.5  # as often as the page redraws its side plots while playing (static/js/catchup.js)
EXTRAS_LATE = 2 * EXTRAS_SECONDS  # a stream behind its clock has them this often, whatever its step
HEARTBEAT_SECONDS = 15.0  # a comment line when no frame was sent this long: proxies keep the connection
HEARTBEAT = b": keep-alive\n\n"
# A stream tells the store its step this often, and when it stops (RunManager.stream_frame).
TELL_SECONDS = 0.5


class EventStream(StreamingResponse):
    """Server-Sent Events written here, event by event (FastAPI's own SSE response passes
    each event through two more tasks and a keep-alive timer: a stream sends often enough
    without pings, and 100 streams at 40 frames a second pay for every hop)."""

    media_type = "text/event-stream"


SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # no proxy holds frames back


@router.get(
    "/{run_id}/stream",
    response_class=EventStream,
    summary="Play: States as Server-Sent Events, at the rate the client sets",
)
async def stream(
    run_id: RunId,
    manager: Manager,
    lanes: LanesDep,
    foreground: ForegroundDep,
    settings: SettingsDep,
    wanted: Wanted,
    rate: Annotated[float, Query(ge=MIN_RATE, description="frames per second")] = 30.0,
    steps_per_frame: Annotated[int, Query(ge=1, le=LIMITS["max_steps_per_request"])] = 1,
    max_frames: Annotated[int | None, Query(ge=1, le=10**9)] = None,
    digits: Digits = None,
    frame_format: FrameFormat = "json",
    include: Include = None,
    since: Since = 0,
    grid: GridPoints = 40,
    whole_fields: Annotated[
        str | None,
        Query(
            description="format=compact: fields sent only in the frames that carry the image layer's "
            "matrices whole (one every half second), for the views that redraw that often (app/frames.py)"
        ),
    ] = None,
    sample: SampleQuery = None,
) -> EventStream:
    rate = min(rate, settings.max_stream_rate)
    frames_allowed = min(max_frames or settings.max_stream_frames, settings.max_stream_frames)
    limit = LIMITS["max_replay_steps"]
    most = min(steps_per_frame * CATCH_UP, LIMITS["max_steps_per_request"])  # one frame's work is bounded
    parts = parse_include(include)
    slow = parse_fields(whole_fields, "whole_fields") or set()
    every = wanted | slow if wanted is not None else None  # the fields of a whole frame

    def plan() -> int:
        """A 422 if this net may not do `most` steps a frame; the work of bringing the run to
        its stored step (building it, replaying)."""
        shape, replay, build = manager.plan(run_id)
        check_state_size(shape, every, digits, settings)
        check_steps(
            shape,
            steps_per_frame,
            settings,
            field="steps_per_frame",
            replay=replay,
            per=CATCH_UP,
            cap=LIMITS["max_steps_per_request"],
        )
        extras_work(shape, parts, grid, settings)  # a 422 if a part does not apply or is too much
        return build + step_work(shape) * replay

    # Before the response starts, so that too much work is a 422 naming the field, not a
    # stream that breaks after its headers were sent. Bringing the run to its step may be
    # long work (a run rebuilt by replay): the heavy lane. A frame never is (it steps for at
    # most half its interval), so frames share the server's threads: a class of digit-net
    # streams queued one frame at a time for the heavy lane's one thread.
    heavy_start = await anyio.to_thread.run_sync(plan) > settings.cheap_work

    builders = frame_builders()

    async def work(fn: Callable[[ShouldStop], T]) -> T:
        return await builders.run(fn, lanes.shutting_down.is_set)

    def start(stop: ShouldStop) -> int:
        return manager.read(run_id, lambda run: run.step, stop)

    start_step = await (lanes.heavy(start, None) if heavy_start else work(start))
    # a pause from now on ends this stream; its config's shared answers go under `version`
    pauses, version = await work(lambda stop: manager.stream_start(run_id))
    work_seconds = frame_work_seconds(rate)
    one = parse_sample(sample)  # the per-sample arrays of the sample the page draws (app/sampled.py)
    # compact frames send each training row's inputs once, or with `sample` that row's (or the mean)
    rows_sent: set[int] | None = set() if one is None else None
    whole_sent = [-WHOLE_SECONDS]  # when a compact frame last carried its wide matrices whole
    # The extras come with the first frame at or past each multiple of `extras_every` steps:
    # every EXTRAS_SECONDS of the stream's clock, and on the same steps for a class's streams,
    # which then share the parts (extra_parts); or, for a stream falling behind its clock,
    # after EXTRAS_LATE whatever the step.
    extras_every = steps_per_frame * max(1, round(EXTRAS_SECONDS * rate))
    extras_due = [0]  # the step from which a frame comes with the extras
    extras_sent = [-EXTRAS_SECONDS]  # when a frame last came with them
    history_sent = [since]  # the history rows the client has: those since come with the next extras
    told = [-TELL_SECONDS]  # when a frame last told the store its step

    def tell_store(stop: ShouldStop | None = None) -> None:
        manager.tell(run_id)

    def shared(run, question: Hashable, make: Callable[[], bytes]) -> bytes:
        """A frame's State: the same bytes for every stream of the config at this step that
        asks the same way (app/timelines.py), once this stream has sent every training row's
        inputs (compact frames send a row's inputs once per stream: till then a frame is its own)."""
        if frame_format == "compact" and rows_sent is not None and len(rows_sent) < len(run.dataset.x_train):
            return make()
        return manager.shared_answer(version, run.step, (frame_format, digits, one, question), make)

    def frame(target: int, stop: ShouldStop, tell: bool) -> tuple[bytes, int, bool] | None:
        def read(run) -> tuple[bytes, int, bool]:
            now = time.monotonic()
            event = b""
            if parts and (run.step >= extras_due[0] or now - extras_sent[0] >= EXTRAS_LATE):
                extras_sent[0] = now
                extras_due[0] = (run.step // extras_every + 1) * extras_every
                share = functools.partial(manager.shared_answer, version, run.step)
                extras = (
                    b'{"step":'
                    + str(run.step).encode()
                    + extra_parts(run, parts, history_sent[0], grid, digits, share)
                    + b"}"
                )
                history_sent[0] = len(run.history.step)
                event = b"event: extras\ndata: " + extras + b"\n\n"
            if frame_format == "compact":
                whole = now - whole_sent[0] >= WHOLE_SECONDS
                if whole:
                    whole_sent[0] = now
                fields = every if whole else wanted
                state = shared(
                    run,
                    (whole, frozenset(fields) if fields is not None else None),
                    lambda: state_json(run, digits, fields, PLAYING, rows_sent, whole, one),
                )
            else:
                state = shared(
                    run,
                    frozenset(every) if every is not None else None,
                    lambda: state_json(run, digits, every, one=one),
                )
            event += b"event: state\ndata: " + state + b"\nid: " + str(run.step).encode() + b"\n\n"
            return event, run.step, run.diverged

        return manager.stream_frame(run_id, target, most, work_seconds, pauses, read, stop, tell)

    async def play() -> AsyncIterator[bytes]:
        # The response hands each event straight to the connection, and is cancelled when the
        # client leaves (Starlette listens for the disconnect): the time a `yield` takes is
        # the client's, which is what the schedule makes up for and nothing else.
        schedule = Schedule(rate, steps_per_frame, time.monotonic(), start_step)
        free = schedule.start_time  # when the stream was last free to build a frame
        reason, step = "max_frames", start_step
        told_at_end = False
        closes = schedule.start_time + settings.max_stream_seconds
        last_sent = schedule.start_time
        try:
            for sent in range(frames_allowed):
                # asyncio's own sleep: anyio's looks up its backend on every call, a twentieth
                # of a played XOR frame's CPU (py-spy, 100 streams)
                while (wait := min(schedule.due(sent), closes) - time.monotonic()) > 0:
                    quiet = time.monotonic() - last_sent
                    if quiet >= HEARTBEAT_SECONDS:
                        yield HEARTBEAT
                        last_sent, quiet = time.monotonic(), 0.0
                    await asyncio.sleep(min(wait, HEARTBEAT_SECONDS - quiet))
                now = time.monotonic()
                if now >= closes:  # open long enough: the client opens the next stream
                    reason = "max_seconds"
                    break
                tell = now - told[0] >= TELL_SECONDS
                if tell:
                    told[0] = now
                await foreground.quiet()  # a click, a pause, a page loading go first (app/foreground.py)
                framed = await work(functools.partial(frame, schedule.target(sent, now), tell=tell))
                schedule.built(sent, free, time.monotonic())
                if framed is None:  # paused (POST /pause) while this stream was still open
                    return
                events, step, diverged = framed
                yield events
                free = last_sent = time.monotonic()
                if diverged or step >= limit:
                    reason = "diverged" if diverged else "limit"
                    break
            await work(tell_store)
            told_at_end = True
        except (ClientGone, Stopped):
            return  # the client left, or the server is stopping: that is how a stream ends, not an error
        finally:
            if not told_at_end:  # the client left (this task is cancelled): the store hears it anyway
                with contextlib.suppress(RuntimeError):  # no event loop: the server is stopping
                    frame_builders().submit(tell_store)
        yield b"event: end\ndata: " + orjson.dumps({"reason": reason, "step": step}) + b"\n\n"

    return EventStream(play(), headers=SSE_HEADERS)


# Frames built at once in a worker, whatever the number of streams: as many as there are cores.
# A thread more only contends for them (and for the GIL): 30 digit-net streams in one worker
# built each frame in 10.6 ms of CPU with 40 threads at it and in 4.3 ms with 2 (10 frames/s
# each instead of 4.6); 100 XOR streams 2.95 -> 2.05 ms. The frames wait for those threads in a
# plain pool's queue, handed over by the event loop directly: anyio's to_thread with a limiter
# cost an XOR frame a quarter of its CPU more (100 XOR streams, 2 workers: 1050 -> 811 µs of
# server CPU a frame, 10 -> 21 frames/s each; bench_students, loaded machine). The queue is the
# cheap lane's kind (app/lanes.py CheapPool): a concurrent.futures pool's Futures and locks
# were a tenth of a played frame's GIL time (py-spy, 100 XOR streams).
FRAME_BUILDERS = os.cpu_count() or 2
_builders: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CheapPool] = weakref.WeakKeyDictionary()


def frame_builders() -> CheapPool:
    """The worker's threads that build frames (a pool per event loop: tests run several)."""
    loop = asyncio.get_running_loop()
    if loop not in _builders:
        _builders[loop] = CheapPool(FRAME_BUILDERS, "bpx-frames")
    return _builders[loop]


def frame_work_seconds(rate: float) -> float:
    """How long one frame may step: a share of the frame's interval, never over the cap."""
    return min(FRAME_WORK_SECONDS, FRAME_WORK_SHARE / rate)


@dataclass
class Schedule:
    """When a stream's frames are due and which step each shows: training time follows the
    stream's clock, which is the wall clock less the time the server lost building frames."""

    rate: float
    steps_per_frame: int
    start_time: float
    start_step: int
    lost: float = 0.0  # seconds frames took to build beyond their interval: not made up

    def due(self, sent: int) -> float:
        return self.start_time + self.lost + sent / self.rate

    def target(self, sent: int, now: float) -> int:
        """The step frame `sent` shows: the stream's clock's, and at least one frame on;
        rounded down to a multiple of steps_per_frame past the stream's first step, so that
        the streams of a class land on the same steps and share them (app/timelines.py)."""
        elapsed_frames = (now - self.start_time - self.lost) * self.rate
        step = self.start_step + round(max(elapsed_frames, sent + 1) * self.steps_per_frame)
        common = step - step % self.steps_per_frame
        return common if common > self.start_step else step

    def built(self, sent: int, free: float, now: float) -> None:
        """Frame `sent` was ready at `now`; the stream was free to build it from `free` (the
        previous frame handed on) or from when it was due, whichever came later. What it
        took past one interval was the server's time: the clock does not count it."""
        self.lost += max(0.0, now - max(self.due(sent), free) - 1 / self.rate)
