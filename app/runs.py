"""Live runs: a bounded cache of engine Runs with checkpoints, rebuilt by replay.

The store holds each run's config and step, and is the truth: a worker that finds a
run missing (evicted, restarted, or created by another worker) rebuilds it from its
config, and a cached run at another step is moved there — forward by stepping,
backward from the nearest checkpoint. Because a run is a pure function of its config,
every rebuild gives the same bits.
"""

from __future__ import annotations

import bisect
import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from app.settings import Settings
from app.store import Store
from engine.config import LIMITS, ConfigError, RunConfig, check_whole
from engine.trainer import Checkpoint, Run


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

    def __post_init__(self) -> None:
        self.checkpoints[0] = self.run.checkpoint()

    def nbytes(self) -> int:
        per_checkpoint = 3 * self.run.net.flat.nbytes
        return self.run.nbytes() + per_checkpoint * len(self.checkpoints)

    def move_to(self, step: int) -> None:
        """Bring the run to `step`: resume from the nearest checkpoint, then step forward."""
        run = self.run
        if step < run.step or step - run.step > self.every:
            marks = sorted(self.checkpoints)
            best = marks[bisect.bisect_right(marks, step) - 1]
            if best > run.step or step < run.step:
                run.resume(self.checkpoints[best])
        self.advance(step - run.step)

    def advance(self, n: int) -> None:
        """n updates, checkpointing every `every` steps on the way."""
        run = self.run
        target = run.step + n
        while run.step < target:
            next_mark = (run.step // self.every + 1) * self.every
            run.advance(min(target, next_mark) - run.step)
            if run.step % self.every == 0 and run.step not in self.checkpoints:
                self._keep(run.checkpoint())

    def _keep(self, checkpoint: Checkpoint) -> None:
        """At most MAX_CHECKPOINTS, thinned evenly: drop every other one when full."""
        self.checkpoints[checkpoint.step] = checkpoint
        if len(self.checkpoints) > MAX_CHECKPOINTS:
            marks = sorted(self.checkpoints)
            for mark in marks[1:-1:2]:
                del self.checkpoints[mark]


MAX_CHECKPOINTS = 40


def config_json(config: RunConfig) -> str:
    return orjson.dumps(config.to_dict(), option=orjson.OPT_SORT_KEYS).decode()


def config_key(config: RunConfig) -> str:
    """Canonical name of a config: the snapshot cache key and the ETag."""
    return hashlib.sha256(config_json(config).encode()).hexdigest()


class RunManager:
    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings
        self._live: OrderedDict[str, LiveRun] = OrderedDict()
        self._lock = threading.Lock()

    # -- the cache -------------------------------------------------------------------------

    def _cached(self, key: str, make: Callable[[], LiveRun]) -> LiveRun:
        with self._lock:
            live = self._live.get(key)
            if live is not None:
                self._live.move_to_end(key)
                return live
        live = make()
        with self._lock:
            live = self._live.setdefault(key, live)  # another thread may have built it first
            self._live.move_to_end(key)
            self._evict()
        return live

    def _evict(self) -> None:
        budget = self.settings.max_cache_mb * 2**20
        while len(self._live) > 1 and (
            len(self._live) > self.settings.max_live_runs
            or sum(v.nbytes() for v in self._live.values()) > budget
        ):
            self._live.popitem(last=False)

    def forget(self, key: str) -> None:
        """Drop a run from memory (tests use it to force a rebuild by replay)."""
        with self._lock:
            self._live.pop(key, None)

    @property
    def live_count(self) -> int:
        return len(self._live)

    # -- runs with ids (stored) --------------------------------------------------------------

    def create(self, config: RunConfig) -> tuple[str, LiveRun]:
        run = Run(config)  # raises ConfigError before anything is stored
        run_id = secrets.token_urlsafe(12)
        self.store.create_run(run_id, config_json(config))
        live = self._cached(run_id, lambda: LiveRun(run_id, run, every=self.settings.checkpoint_every))
        return run_id, live

    def get(self, run_id: str) -> LiveRun:
        """The live run, at the step the store says (the lock is the caller's to take)."""
        row = self.store.get_run(run_id)
        if row is None:
            raise RunNotFound(run_id)
        config_text, step = row
        live = self._cached(
            run_id,
            lambda: LiveRun(
                run_id,
                Run(RunConfig.from_dict(orjson.loads(config_text))),
                every=self.settings.checkpoint_every,
            ),
        )
        with live.lock:
            live.move_to(step)
        return live

    def step(self, run_id: str, n: int) -> LiveRun:
        limit = LIMITS["max_replay_steps"]
        while True:
            live = self.get(run_id)
            with live.lock:
                start = live.run.step
                if start + n > limit:
                    raise ConfigError(
                        "steps",
                        f"step {start} + {n} would pass the replay limit",
                        f"at most {limit - start} more steps for this run (limit {limit})",
                    )
                live.advance(n)
                # Optimistic: if another worker stepped this run meanwhile, redo from its step.
                if self.store.set_step(run_id, live.run.step, expected=start):
                    return live

    def reset(self, run_id: str) -> LiveRun:
        live = self.get(run_id)
        with live.lock:
            live.move_to(0)
            self.store.set_step(run_id, 0)
        return live

    # -- snapshots (keyed by config, never stored) ---------------------------------------------

    def at(self, config: RunConfig, step: int) -> LiveRun:
        """A run of `config` at `step`, from the config-keyed cache; the caller holds the lock."""
        check_whole("step", step, 0, LIMITS["max_replay_steps"])
        key = "config:" + config_key(config)
        live = self._cached(key, lambda: LiveRun(key, Run(config), every=self.settings.checkpoint_every))
        return live
