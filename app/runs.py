"""Live runs: a bounded cache of engine Runs with checkpoints, rebuilt by replay.

The store holds each run's config and step, and is the truth: a worker that finds a
run missing (evicted, restarted, or created by another worker) rebuilds it from its
config, and a cached run at another step is moved there — forward by stepping,
backward from the nearest checkpoint. Because a run is a pure function of its config,
every rebuild gives the same bits.

Checkpoints are shared through the store too, so a worker (or replica) that is behind
restores the newest one instead of replaying what another computed: whoever computed
enough since the last one it knows is stored writes one (a stream when it tells the
store its step, in the same transaction; a Step, a pause or a read after their work),
and whoever would replay more than reading one costs reads one. The state at step t is
a function of (config, t), so a stored checkpoint never goes stale: a reset or a pause
back only means the newest at or before the step wanted is taken. A checkpoint carries the
history since the last HISTORY_CHUNK boundary; the boundaries' rows carry their chunk,
so a restored run's history is its own prefix, the chunks after it and the tail, exactly
what the replay would have recorded. Rows are keyed by the run and a version naming its
config and this engine: another's are never read.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import secrets
import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar

import orjson

from app import __version__
from app.budget import (
    Shape,
    build_work,
    check_steppable,
    check_steps,
    checkpoint_work,
    chunk_steps,
    step_work,
)
from app.lanes import ShouldStop, Stopped
from app.refs import by_reference, with_values
from app.settings import Settings
from app.store import Checkpoints, Store
from app.store.schema import HISTORY_CHUNK
from app.timelines import Timeline, Timelines
from engine.config import LIMITS, ConfigError, RunConfig, check_whole
from engine.trainer import Checkpoint, Run

T = TypeVar("T")


StoredRow = tuple[str, int]  # a run's config (JSON) and step, as the store holds them


def never() -> bool:
    return False


class RunNotFound(LookupError):
    def __init__(self, run_id: str):
        super().__init__(f"no run with id {run_id!r}")
        self.run_id = run_id


@dataclass
class LiveRun:
    key: str
    run: Run
    lock: threading.RLock = field(default_factory=threading.RLock)
    checkpoints: dict[int, Checkpoint] = field(default_factory=dict)
    every: int = 500
    pauses: int = 0  # a stream that started before the latest pause stops stepping (app/stream.py)
    # The ends of the last few streamed frames: a pause goes back to the frame its page showed
    # (a few frames behind the stream) by a copy, not by replaying from the last checkpoint.
    recent: deque[Checkpoint] = field(default_factory=lambda: deque(maxlen=RECENT_FRAMES))
    # A stream in this worker tells the store its step only now and then (stream_frame): till
    # then the run is ahead of the store, and this worker's readers follow the run, not the store.
    ahead: Ahead | None = None
    # Checkpoints shared through the store (RunManager._restore, _share): their version ("": a
    # config-keyed snapshot, not shared), the steps up to which nothing is this worker's to
    # write (know_shared), and the chunk boundary up to which the history chunks all are.
    version: str = ""
    shared: set[int] = field(default_factory=set)
    chunks: int = 0

    def __post_init__(self) -> None:
        self.checkpoints[0] = self.run.checkpoint()
        self.shape = Shape.of_config(self.run.config)

    def nbytes(self) -> int:
        per_checkpoint = 3 * self.run.net.flat.nbytes
        return self.run.nbytes() + per_checkpoint * (len(self.checkpoints) + len(self.recent))

    def move_to(self, step: int, should_stop: ShouldStop = never, chunk: int = 1_000_000) -> None:
        """Bring the run to `step`: resume from the nearest checkpoint, then step forward."""
        best = self._resume_from(step)
        if best is not None:
            self.run.resume(best)
        self.advance(step - self.run.step, should_stop, chunk)

    def _resume_from(self, step: int) -> Checkpoint | None:
        """The checkpoint in memory that move_to resumes from (a mark, or a recent frame's
        end), or None if it steps on from where the run is."""
        run = self.run
        if run.step <= step <= run.step + self.every:
            return None
        marks = sorted(self.checkpoints)
        best = self.checkpoints[marks[bisect.bisect_right(marks, step) - 1]]
        near = [c for c in self.recent if best.step < c.step <= step]
        if near:
            best = max(near, key=lambda c: c.step)
        return best if best.step > run.step or step < run.step else None

    def advance(self, n: int, should_stop: ShouldStop = never, chunk: int = 1_000_000) -> None:
        """n updates, checkpointing every `every` steps on the way; between chunks of at
        most `chunk` steps, `should_stop()` may end the work early (Stopped)."""
        run = self.run
        target = run.step + n
        while run.step < target:
            if should_stop():
                raise Stopped
            next_mark = (run.step // self.every + 1) * self.every
            run.advance(min(target, next_mark, run.step + chunk) - run.step)
            if run.step % self.every == 0 and run.step not in self.checkpoints:
                self._keep(run.checkpoint())

    def catch_up(self, timeline: Timeline, upto: int) -> Checkpoint | None:
        """Forward to the newest frame end another run of this config published in
        (step, upto], if there is one (app/timelines.py); never past a mark this run keeps a
        checkpoint at, which it keeps when it lands on one. The end taken, if any."""
        run = self.run
        next_mark = (run.step // self.every + 1) * self.every
        shared = timeline.newest(run.step, min(upto, next_mark))
        if shared is None:
            return None
        run.catch_up(*shared)
        if run.step == next_mark and run.step not in self.checkpoints:
            self._keep(run.checkpoint())
        return shared[0]

    def leap(self, timeline: Timeline, step: int) -> None:
        """Forward to the newest end another run of this config published in (step now,
        `step`], past any marks: a run brought from far, such as a pause in another worker
        than its stream's (that worker's own streams of the config published the ends), which
        restored a checkpoint from the store and replayed ~75 XOR steps (~4 ms of CPU a pause,
        100 students, 2 workers). The marks it leaps over keep no checkpoint of its own: going
        back there starts from an earlier one, or from the store's."""
        found = timeline.newest(self.run.step, step)
        if found is not None:
            self.run.catch_up(*found)
            self.know_shared(self.run.step)  # another run's work: not this worker's to write

    def distance(self, step: int) -> int:
        """Steps of work to bring the run to `step` (move_to's path)."""
        best = self._resume_from(step)
        return step - (self.run.step if best is None else best.step)

    def know_shared(self, step: int) -> None:
        """Nothing up to `step` is this worker's to write: the store holds the state there
        (this worker wrote or read it), or the run leapt there on another run's work (a pause
        that wrote it again spent ~20% more CPU)."""
        self.shared.add(step)
        if len(self.shared) > MAX_KNOWN_SHARED:
            self.shared.remove(min(self.shared))

    def _keep(self, checkpoint: Checkpoint) -> None:
        """At most MAX_CHECKPOINTS, thinned evenly: drop every other one when full."""
        self.checkpoints[checkpoint.step] = checkpoint
        if len(self.checkpoints) > MAX_CHECKPOINTS:
            marks = sorted(self.checkpoints)
            for mark in marks[1:-1:2]:
                del self.checkpoints[mark]


@dataclass(frozen=True)
class Ahead:
    """The store holds `told` (step, when written); this worker's stream has the run at `step`."""

    told: tuple[int, float]
    step: int


def follow(live: LiveRun, told: tuple[int, float]) -> Ahead:
    """The run's step now that the store holds `told` (under the run's lock). If someone else
    wrote since this worker's stream last heard: a step forward from there, and the run goes on
    from the later of the two steps (step N is the same bits whoever computed it: a stream's
    frames never go back while another worker steps); a step back (a reset, a pause at an
    earlier frame), and it goes back there. (A pause elsewhere between the two comes from a
    page that closed this stream first.)"""
    ahead = live.ahead
    if ahead is None or told[0] < ahead.told[0]:
        ahead = Ahead(told, told[0])
    elif ahead.told != told:
        ahead = Ahead(told, max(told[0], ahead.step))
    live.ahead = ahead
    return ahead


MAX_CHECKPOINTS = 40
MAX_KNOWN_SHARED = 16  # steps a live run remembers the store holds (it writes after enough work since)
# A checkpoint is written when the work since the newest the worker knows is stored is this many
# times what writing it costs: a write is paid at once, a read saved only if another worker asks.
SHARE_FACTOR = 2
CHECKPOINT_FORMAT = 1  # the bytes' layout (engine/trainer.py state_bytes, engine/history.py)
RECENT_FRAMES = 8  # frames a stream may be ahead of what its page showed when it pauses
TRIM_STEPS = 500


def config_json(config: RunConfig) -> str:
    return orjson.dumps(config.to_dict(), option=orjson.OPT_SORT_KEYS).decode()


def config_key(config: RunConfig) -> str:
    """Canonical name of a config: the snapshot cache key and the ETag."""
    return hashlib.sha256(config_json(config).encode()).hexdigest()


def checkpoint_version(config: RunConfig) -> str:
    """The name a run's stored checkpoints go under besides its id: its config, this engine
    (the app's version) and the bytes' layout. A checkpoint of any other is never read."""
    name = f"{CHECKPOINT_FORMAT}|{__version__}|{HISTORY_CHUNK}|{config_json(config)}"
    return hashlib.sha256(name.encode()).hexdigest()[:32]


def chunk_base(step: int) -> int:
    """Where the history tail of a checkpoint at `step` (> 0) begins: the chunk boundary before it."""
    return (step - 1) // HISTORY_CHUNK * HISTORY_CHUNK


class RunManager:
    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings
        self._live: OrderedDict[str, LiveRun] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        self._since_trim = 0
        # frame ends the runs of one config share (app/timelines.py): a quarter of the budget
        self._timelines = Timelines(settings.max_cache_mb * 2**20 // 4)
        self._runs_of: Counter[str] = Counter()  # cached runs by version (their config's)

    # -- the cache -------------------------------------------------------------------------

    def _cached(self, key: str, make: Callable[[], LiveRun]) -> LiveRun:
        with self._lock:
            live = self._live.get(key)
            if live is not None:
                self._live.move_to_end(key)
                return live
            building = self._building.setdefault(key, threading.Lock())
        with building:  # one thread builds a run; the others wait for it rather than build it again
            with self._lock:
                live = self._live.get(key)
            if live is None:
                live = make()
            with self._lock:
                if key not in self._live:
                    self._live[key] = live
                    self._runs_of[live.version] += 1
                live = self._live[key]
                self._live.move_to_end(key)
                self._building.pop(key, None)
                self._evict()
        return live

    def _evict(self) -> None:
        budget = self.settings.max_cache_mb * 2**20
        shared = self._timelines.nbytes()  # what runs of one config share (app/timelines.py)
        while len(self._live) > 1 and (
            len(self._live) > self.settings.max_live_runs
            or sum(v.nbytes() for v in self._live.values()) + shared > budget
        ):
            self._gone(self._live.popitem(last=False)[1])

    def forget(self, key: str) -> None:
        """Drop a run from memory (tests use it to force a rebuild by replay)."""
        with self._lock:
            live = self._live.pop(key, None)
            if live is not None:
                self._gone(live)

    def _gone(self, live: LiveRun) -> None:
        """A run left the cache (under the lock)."""
        self._runs_of[live.version] -= 1
        if self._runs_of[live.version] <= 0:
            del self._runs_of[live.version]

    def _timeline(self, version: str) -> Timeline | None:
        """The timeline of a config two cached runs or more share (app/timelines.py): a run
        alone shares nothing, and a class of runs of as many configs makes none."""
        return self._timelines.of(version) if version and self._runs_of.get(version, 0) >= 2 else None

    @property
    def live_count(self) -> int:
        return len(self._live)

    # -- runs with ids (stored) --------------------------------------------------------------

    def create(self, config: RunConfig, read: Callable[[Run], T]) -> tuple[str, T]:
        check_steppable(Shape.of_config(config), self.settings)  # a run no Step could move: a 422
        run = Run(config)  # raises ConfigError before anything is stored
        run_id = secrets.token_urlsafe(12)
        # its custom data and weights kept once among the stored values, under their cap
        stored = by_reference(config.to_dict(), self.store, self.settings.max_blobs)
        self.store.create_run(run_id, orjson.dumps(stored, option=orjson.OPT_SORT_KEYS).decode())
        live = self._cached(run_id, lambda: self._stored_live(run_id, run))
        with live.lock:
            return run_id, read(live.run)

    def stored_config(self, config_text: str) -> RunConfig:
        """A run's config as the store holds it, its values named by code given back."""
        return RunConfig.from_dict(with_values(orjson.loads(config_text), self.store))

    def _stored_live(self, run_id: str, run: Run) -> LiveRun:
        every = self.settings.checkpoint_every
        return LiveRun(run_id, run, every=every, version=checkpoint_version(run.config))

    def row(self, run_id: str) -> StoredRow:
        """The run's stored config (JSON) and step; 404 if the store does not know it."""
        row = self.store.get_run(run_id)
        if row is None:
            raise RunNotFound(run_id)
        return row

    def plan(self, run_id: str, row: StoredRow | None = None) -> tuple[Shape, int, int]:
        """Before any work: the net's shape, the steps of replay that bring it to its stored
        step, and the work of building it if it is not in memory. `row`: the store's row,
        if the caller just read it (the work that follows may reuse it: one read, not two)."""
        config_text, step = row or self.row(run_id)
        with self._lock:
            live = self._live.get(run_id)
        if live is not None:
            ahead = live.ahead  # this worker's stream may have the run ahead of the store
            target = ahead.step if ahead and ahead.told[0] == step else step
            distance = live.distance(target)
            return live.shape, self._replay(run_id, live.version, live.shape, target, distance), 0
        config = self.stored_config(config_text)
        shape = Shape.of_config(config)
        return shape, self._replay(run_id, checkpoint_version(config), shape, step, step), build_work(shape)

    # -- checkpoints shared through the store ---------------------------------------------------

    def _replay(self, run_id: str, version: str, shape: Shape, target: int, distance: int) -> int:
        """Steps of replay to `target` that would start `distance` steps before it, unless the
        store holds a checkpoint since that is worth reading (a plan's estimate)."""
        if distance * step_work(shape) <= checkpoint_work(shape):
            return distance
        best = self.store.newest_checkpoint(run_id, version, target - distance, target)
        return distance if best is None else target - best

    def _move(
        self, live: LiveRun, step: int, should_stop: ShouldStop = never, chunk: int = 1_000_000
    ) -> None:
        """live.move_to(step): forward from the newest end its config's runs published on the
        way, if any (LiveRun.leap); else from the newest checkpoint in the store if that saves
        more replay than reading it costs."""
        timeline = self._timeline(live.version) if live.run.step < step else None
        if timeline is not None:
            live.leap(timeline, step)
        if live.version:
            self._restore(live, step)
        live.move_to(step, should_stop, chunk)

    def _restore(self, live: LiveRun, step: int) -> None:
        distance = live.distance(step)
        if distance * step_work(live.shape) <= checkpoint_work(live.shape):
            return
        run = live.run
        start = step - distance  # where the replay in memory would begin: a checkpoint must be later
        # The history of a restored run: this run's own records up to a chunk boundary (any
        # prefix of a run's history is the run's), then the store's chunks and the tail.
        mine = min(run.step, start) // HISTORY_CHUNK * HISTORY_CHUNK
        found = self.store.get_checkpoint(live.key, live.version, start, step, mine)
        if found is None:
            return
        at, state, tails = found
        history = run.history.prefix(mine, run.history.n_evals_at(mine))
        try:
            for _, tail in tails:
                history.extend_bytes(tail)
            run.resume_bytes(state, history)
        except ValueError:  # a chunk dropped by the store's cap: replay instead
            return
        live.know_shared(at)
        if live.chunks >= mine:
            live.chunks = max(live.chunks, at // HISTORY_CHUNK * HISTORY_CHUNK)

    def _to_share(self, live: LiveRun) -> Checkpoints | None:
        """The rows to write if this worker computed enough since the newest checkpoint it
        knows the store holds at or before the run's step: the chunk boundaries' history it
        has not written yet (with their states where it keeps them), and the run's state at
        its step with the history since the last boundary."""
        run = live.run
        step = run.step
        if not live.version or step == 0:
            return None
        known = max((s for s in live.shared if s <= step), default=0)
        if (step - known) * step_work(live.shape) < SHARE_FACTOR * checkpoint_work(live.shape):
            return None
        rows: list[tuple[int, bytes | None, bytes]] = []
        for boundary in range(live.chunks + HISTORY_CHUNK, step, HISTORY_CHUNK):
            mark = live.checkpoints.get(boundary)
            state = mark.to_bytes() if mark is not None else None
            rows.append((boundary, state, run.history.segment_bytes(boundary - HISTORY_CHUNK, boundary)))
        rows.append((step, run.checkpoint_bytes(), run.history.segment_bytes(chunk_base(step), step)))
        settings = self.settings
        return Checkpoints(live.version, rows, settings.checkpoints_per_run, settings.max_checkpoint_rows)

    def _shared(self, live: LiveRun, written: Checkpoints) -> None:
        """The store now holds `written`."""
        for step, state, _ in written.rows:
            if state is not None:
                live.know_shared(step)
        live.chunks = max(live.chunks, written.rows[-1][0] // HISTORY_CHUNK * HISTORY_CHUNK)

    def _share(self, live: LiveRun) -> None:
        """Write a checkpoint of the run's step if it is worth it (after a Step, a pause, a read)."""
        rows = self._to_share(live)
        if rows is not None:
            self.store.put_checkpoints(live.key, rows)
            self._shared(live, rows)

    def plan_snapshot(self, config: RunConfig, step: int) -> tuple[Shape, int, int]:
        """plan() for a config-keyed snapshot at `step`."""
        with self._lock:
            live = self._live.get("config:" + config_key(config))
        if live is not None:
            return live.shape, live.distance(step), 0
        shape = Shape.of_config(config)
        return shape, step, build_work(shape)

    def require(self, run_id: str) -> None:
        if self.store.get_run(run_id) is None:
            raise RunNotFound(run_id)

    def live(self, run_id: str, row: StoredRow | None = None) -> tuple[LiveRun, int]:
        """The cached run (built at step 0 if missing, but not moved) and its stored step
        (from `row` if given): what a budget check needs before the work of bringing it
        there starts."""
        config_text, step = row or self.row(run_id)
        live = self._cached(run_id, lambda: self._stored_live(run_id, Run(self.stored_config(config_text))))
        return live, step

    # Every lock on a run is taken below, and a request's answer is read while it is held:
    # an answer never carries the step of another request that came in between.

    def stored_step(self, live: LiveRun, fallback: int) -> int:
        """The store's step, read again under the run's lock: a step read before another
        thread's pause or reset took the lock would move the run back where that thread took
        it from (a paused page showed 7468 while the server then said 6770). Or, while this
        worker's stream has the run ahead of what the store was told, the stream's step."""
        position = self.store.get_position(live.key)
        if position is None:
            return fallback
        if live.ahead is None:
            return position[0]
        return follow(live, position).step

    def _start(self, live: LiveRun, stored: int) -> tuple[int, int]:
        """Under the run's lock, with `stored` the store's step read before it: the step to
        start from, and the step the store holds. The same unless this worker's stream has
        the run ahead of the store: then the store is read again (stored_step)."""
        if live.ahead is None:
            return stored, stored
        position = self.store.get_position(live.key)
        if position is None:
            raise RunNotFound(live.key)
        ahead = follow(live, position)
        return ahead.step, ahead.told[0]

    def read(
        self,
        run_id: str,
        read: Callable[[Run], T],
        should_stop: ShouldStop = never,
        row: StoredRow | None = None,
        question: Hashable | None = None,
    ) -> T:
        """`read(run)` at the run's stored step (read again under the lock: `row` only finds
        the run); with a `question`, shared by the runs of its config (answer())."""
        live, step = self.live(run_id, row)
        with live.lock:
            step = self.stored_step(live, step)
            self._move(live, step, should_stop, chunk_steps(live.shape))
            result = self.answer(live, question, read)
            self._share(live)
        self._trim(0)
        return result

    def read_live(self, run_id: str, read: Callable[[LiveRun], T], should_stop: ShouldStop = never) -> T:
        """`read(live)` at the stored step, for views that move the run and bring it back
        (a surface's recent path); it must leave the run at the step it found, unless it
        stops (every read moves the run to its step first)."""
        live, step = self.live(run_id)
        with live.lock:
            self._move(live, self._start(live, step)[0], should_stop, chunk_steps(live.shape))
            return read(live)

    def step(
        self,
        run_id: str,
        n: int,
        read: Callable[[Run], T],
        should_stop: ShouldStop = never,
        row: StoredRow | None = None,
        question: Hashable | None = None,
    ) -> T:
        """n updates, then `read(run)` of the new step, under one lock. `row`: the store's
        row as plan() read it, the first guess of the stored step (a stale one costs a redo).
        Runs of one config share the updates and, with a `question`, the answer (answer()):
        the first to step there publishes its end, as a stream's frame does."""
        limit = LIMITS["max_replay_steps"]
        live, stored = self.live(run_id, row)
        while True:
            with live.lock:
                begin, stored = self._start(live, stored)
                self._move(live, begin, should_stop, chunk_steps(live.shape))
                start = live.run.step
                if start + n > limit:
                    raise ConfigError(
                        "steps",
                        f"step {start} + {n} would pass the replay limit",
                        f"at most {limit - start} more steps for this run (limit {limit})",
                        code="replay_limit",
                        value=n,
                        most=limit - start,
                    )
                timeline = self._timeline(live.version)
                if timeline is not None:
                    live.catch_up(timeline, start + n)  # what another run of the config stepped
                live.advance(start + n - live.run.step, should_stop, chunk_steps(live.shape))
                # Optimistic: the update happens only if the store still says `stored`. If a
                # pause, a reset or another worker moved the run since it was read (before
                # the lock), redo from the step the store says now: one read per step when
                # nobody else moved it, and never an answer built on a stale step.
                if self.store.set_step(run_id, live.run.step, expected=stored):
                    live.ahead = None
                    result = self.answer(live, question, read)
                    self._share(live)
                    if timeline is not None and not timeline.has(live.run.step):
                        timeline.publish(live.run.checkpoint(), live.run.planned())
                    break
            live, stored = self.live(run_id)
        self._trim(n)
        return result

    def stream_frame(
        self,
        run_id: str,
        target: int,
        most: int,
        seconds: float,
        pauses: int,
        read: Callable[[Run], T],
        should_stop: ShouldStop = never,
        tell: bool = True,
    ) -> T | None:
        """A stream's frame under one lock: toward `target`, at most `most` steps and at most
        `seconds` of stepping (at least one step), then `read(run)`; None once the run was
        paused after the stream began (`pauses` is what it counted then).

        `tell`: the store is told the new step. A stream tells it only now and then (and when
        it stops: tell()); between times this worker's readers follow the run (LiveRun.ahead),
        and a frame needs the store not at all."""
        limit = LIMITS["max_replay_steps"]
        while True:
            live = self._cached_only(run_id) or self.live(run_id)[0]
            with live.lock:  # a pause waits for this frame, and the next one sees it
                if live.pauses != pauses:
                    return None
                ahead = live.ahead
                if tell or ahead is None:
                    told = self.store.get_position(run_id)
                    if told is None:
                        raise RunNotFound(run_id)
                    ahead = follow(live, told)
                self._move(live, ahead.step, should_stop, chunk_steps(live.shape))
                start = live.run.step
                n = max(0, min(target - start, most, limit - start))
                deadline = time.monotonic() + seconds
                timeline = self._timeline(live.version)
                taken = None
                if timeline is not None and n:
                    taken = live.catch_up(timeline, start + n)  # what another run of the config stepped
                for _ in range(start + n - live.run.step):
                    live.advance(1, should_stop)
                    if time.monotonic() > deadline:
                        break
                if tell and n:
                    # Only if nobody wrote since the stream last heard (a pause in another
                    # worker writes even the same step): else again, from what it says now.
                    # A checkpoint goes with it, in the same transaction, if worth sharing.
                    rows = self._to_share(live)
                    position = self.store.set_position(run_id, live.run.step, ahead.told, rows)
                    if position is None:
                        live.ahead = Ahead(ahead.told, live.run.step)
                        continue
                    if rows is not None:
                        self._shared(live, rows)
                    ahead = Ahead(position, position[0])
                live.ahead = Ahead(ahead.told, live.run.step)
                result = read(live.run)
                # The frame's end: the end it took if it stepped no further (ends are never
                # changed: kept as they are), else a copy of its state, published
                if taken is not None and taken.step == live.run.step:
                    live.recent.append(taken)
                else:
                    end = live.run.checkpoint()
                    live.recent.append(end)
                    if timeline is not None:
                        timeline.publish(end, live.run.planned())
                break
        self._trim(live.run.step - start)
        return result

    def tell(self, run_id: str) -> None:
        """A stream stopped: the store hears the step it reached, unless someone wrote since."""
        live = self._cached_only(run_id)
        if live is None:
            return
        with live.lock:
            ahead = live.ahead
            if ahead is None or ahead.told[0] == ahead.step:
                return
            rows = self._to_share(live) if live.run.step == ahead.step else None
            position = self.store.set_position(run_id, ahead.step, ahead.told, rows)
            live.ahead = Ahead(position, ahead.step) if position is not None else None
            if position is not None and rows is not None:
                self._shared(live, rows)

    def _cached_only(self, run_id: str) -> LiveRun | None:
        """The cached run, without asking the store (None if not in memory)."""
        with self._lock:
            live = self._live.get(run_id)
            if live is not None:
                self._live.move_to_end(run_id)
            return live

    def stream_start(self, run_id: str) -> tuple[int, str]:
        """What a stream starting now counts from (pauses(): a pause from now on ends it) and
        the version its config's shared answers go under (checkpoint_version), in one read."""
        live, _ = self.live(run_id)
        return live.pauses, live.version

    def answer(self, live: LiveRun, question: Hashable | None, read: Callable[[Run], T]) -> T:
        """`read(run)` at the run's step, under its lock: made once for every run of its config
        there asked the same `question`, which must name everything the answer depends on
        besides the config and the step (app/timelines.py); None, the run's own."""
        if question is None:
            return read(live.run)
        return self.shared_answer(live.version, live.run.step, question, lambda: read(live.run))

    def shared_answer(self, version: str, step: int, question: Hashable, make: Callable[[], T]) -> T:
        """`make()`, made once for every run of the config `version` names at `step`, asked
        the same `question` (app/timelines.py)."""
        timeline = self._timeline(version)
        return timeline.answer(step, question, make) if timeline is not None else make()

    def sharer(self, run_id: str, step: int) -> Callable[[Hashable, Callable[[], T]], T]:
        """shared_answer for the cached run `run_id` at `step`: for the parts of an answer
        that does not share as a whole (app/extras.py extra_parts), read under the run's lock."""
        live = self._cached_only(run_id)
        version = live.version if live is not None else ""
        return functools.partial(self.shared_answer, version, step)

    def pauses(self, run_id: str) -> int:
        """How many times the run was paused: a stream counts from here (stream_frame)."""
        live, _ = self.live(run_id)
        return live.pauses

    def pause(
        self, run_id: str, step: int | None, read: Callable[[Run], T], question: Hashable | None = None
    ) -> T:
        """Stop the run's streams; with `step`, go to it — the frame the client shows — so that
        client and server agree on the step; `read(run)`, shared by `question` (answer()). Back
        by a copy of a recent frame, or forward: a stream in another worker tells the store its
        step only now and then, so the step shown may be ahead of the store's (a 422 if more
        work than a Step may do)."""
        live, stored = self.live(run_id)
        with live.lock:
            stored = self.stored_step(live, stored)
            target = stored if step is None else step
            if target > stored:
                check_steps(live.shape, target - stored, self.settings, field="step")
            live.pauses += 1
            self._move(live, target)
            # Written even when it is the same step: a stream in another worker that would
            # tell the store a later one finds that someone wrote since (set_position).
            self.store.set_step(run_id, target)
            live.ahead = None
            result = self.answer(live, question, read)
            self._share(live)
            return result

    def reset(self, run_id: str, read: Callable[[Run], T]) -> T:
        live, _ = self.live(run_id)
        with live.lock:
            self._move(live, 0)
            self.store.set_step(run_id, 0)
            live.ahead = None
            return read(live.run)

    # -- snapshots (keyed by config, never stored) ---------------------------------------------

    def at(self, config: RunConfig) -> LiveRun:
        """The config-keyed cached run of `config` (built at step 0 if missing, not moved)."""
        key = "config:" + config_key(config)
        return self._cached(key, lambda: LiveRun(key, Run(config), every=self.settings.checkpoint_every))

    def snapshot(
        self, config: RunConfig, step: int, read: Callable[[Run], T], should_stop: ShouldStop = never
    ) -> T:
        check_whole("step", step, 0, LIMITS["max_replay_steps"])
        live = self.at(config)
        with live.lock:
            live.move_to(step, should_stop, chunk_steps(live.shape))
            result = read(live.run)
        self._trim(step)
        return result

    def _trim(self, steps: int = 1) -> None:
        """Checkpoints and history grow as runs step: the memory budget is kept as they do,
        not only when a run is added (summing every run's bytes once per TRIM_STEPS steps)."""
        self._since_trim += steps
        if self._since_trim >= TRIM_STEPS:
            self._since_trim = 0
            with self._lock:
                self._evict()
