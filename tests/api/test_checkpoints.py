"""Checkpoints shared through the store (app/runs.py): a worker behind restores what another
computed instead of replaying it, bit for bit the run a replay gives, history and
evaluations included; the store keeps a bounded number of them; another config's or
engine's are never read. Two RunManagers on one store file stand for two workers."""

from __future__ import annotations

import sqlite3

import orjson
import pytest

from app.api import state_json
from app.runs import RunManager, checkpoint_version
from app.settings import Settings
from app.store import Checkpoints, open_store
from app.store import sql as store_sql
from app.timelines import Timeline
from engine.presets import resolve
from engine.trainer import Run


@pytest.fixture
def counted(monkeypatch):
    """Every update any Run applies, counted (one entry per advance call: its n)."""
    stepped: list[int] = []
    advance = Run.advance
    monkeypatch.setattr(Run, "advance", lambda self, n=1: stepped.append(n) or advance(self, n))
    return stepped


def workers(tmp_path, n: int = 2, **settings) -> list[RunManager]:
    """n workers: a store object and a RunManager each, on one SQLite file."""
    return [RunManager(open_store(tmp_path / "store.sqlite3"), Settings(**settings)) for _ in range(n)]


def everything(run: Run) -> bytes:
    """All a State or a history answer reads, and the optimizer's state, as bytes."""
    return b"|".join(
        [
            state_json(run, None, None),
            orjson.dumps(run.history.to_dict(), option=orjson.OPT_SERIALIZE_NUMPY),
            orjson.dumps(run.diverged_at),
            run.net.flat.tobytes(),
            *(v.tobytes() for v in run.net.running.values()),
            *(v.tobytes() for v in run.optimizer.slots.values()),
            orjson.dumps(run.optimizer.t),
        ]
    )


def replayed(preset: str, steps: int) -> bytes:
    run = Run(resolve({"preset": preset}))
    run.advance(steps)
    return everything(run)


@pytest.mark.parametrize(
    ("preset", "steps"),
    [("xor", 1237), ("batchnorm", 1061), ("adam", 1003), ("momentum", 700), ("digits", 523)],
)
def test_a_run_restored_from_another_worker_is_the_replayed_run_bit_for_bit(tmp_path, counted, preset, steps):
    """Worker A steps the run (crossing history chunk boundaries: their rows carry the
    chunks); worker B, which never saw it, reads it: it restores A's checkpoint and replays
    nothing, and has the same parameters, optimizer state, history and evaluations; stepping
    on from there it stays the same run."""
    a, b = workers(tmp_path)
    run_id, _ = a.create(resolve({"preset": preset}), lambda run: None)
    a.step(run_id, steps, lambda run: None)
    counted.clear()
    got = b.read(run_id, everything)
    assert counted == []  # not one update replayed
    assert got == replayed(preset, steps)
    b.step(run_id, 37, lambda run: None)
    assert a.read(run_id, everything) == b.read(run_id, everything) == replayed(preset, steps + 37)


def test_a_pause_on_the_other_worker_after_a_stream_restores_what_the_stream_told(tmp_path, counted):
    """A stream on A tells the store its step now and then (with a checkpoint); the page's
    pause lands on B: B restores the last told step and replays only the frames after it,
    not the whole run from step 0."""
    a, b = workers(tmp_path)
    run_id, _ = a.create(resolve({"preset": "xor"}), lambda run: None)
    pauses = a.pauses(run_id)
    for target in (300, 600, 900, 1200):  # frames that tell the store
        a.stream_frame(run_id, target, 300, 10.0, pauses, lambda run: None)
    for target in (1250, 1300):  # frames it is not told of
        a.stream_frame(run_id, target, 300, 10.0, pauses, lambda run: None, tell=False)
    expected = replayed("xor", 1290)
    counted.clear()
    assert b.pause(run_id, 1290, everything) == expected
    assert sum(counted) == 90  # from 1200, which A told with its checkpoint


@pytest.mark.parametrize("preset", ["xor", "adam"])
def test_a_pause_on_the_other_worker_takes_the_frame_its_own_streams_published(
    tmp_path, counted, preset, monkeypatch
):
    """A class plays on two workers, and a page's pause lands on the worker that did not
    stream its run: that worker's streams of the lesson (other students') published the
    frame the page shows, and the run leaps there (LiveRun.leap), past its checkpoint marks,
    instead of restoring the store's checkpoint and replaying the frames after it: bit for
    bit the replayed run, history and optimizer state included."""
    a, b = workers(tmp_path, checkpoint_every=50)
    config = resolve({"preset": preset})
    mine = a.create(config, lambda run: None)[0]
    other = b.create(config, lambda run: None)[0]
    b.read(mine, lambda run: None)  # the page opened on b: the run is cached there at step 0
    frames(b, other, [300, 600, 900, 1200, 1290])  # another student's stream, on b
    pauses = a.pauses(mine)
    for target in (300, 600, 900, 1200):  # this page's stream, on a, which told the store
        a.stream_frame(mine, target, 300, 10.0, pauses, lambda run: None)
    a.stream_frame(mine, 1290, 300, 10.0, pauses, lambda run: None, tell=False)
    expected = [replayed(preset, 1290), replayed(preset, 1297)]
    written = []
    put = store_sql.SQLStore.put_checkpoints
    monkeypatch.setattr(
        store_sql.SQLStore, "put_checkpoints", lambda *args: written.append(args) or put(*args)
    )
    counted.clear()
    assert b.pause(mine, 1290, everything) == expected[0]
    assert sum(counted) == 0  # without the leap: 1200's checkpoint read, 90 steps replayed
    assert written == []  # and what it took, b did not compute: not b's to write
    assert b.step(mine, 7, everything) == expected[1] and sum(counted) == 7


def test_a_pause_back_and_a_reset_take_the_newest_checkpoint_at_or_before_the_step(tmp_path, counted):
    a, b, c = workers(tmp_path, 3)
    run_id, _ = a.create(resolve({"preset": "adam"}), lambda run: None)
    for _ in range(3):
        a.step(run_id, 400, lambda run: None)  # checkpoints at 400, 800, 1200
    b.read(run_id, lambda run: None)  # B at 1200
    a.reset(run_id, lambda run: None)
    at_5, at_850 = replayed("adam", 5), replayed("adam", 850)
    counted.clear()
    assert b.step(run_id, 5, everything) == at_5  # B goes back to 0, then 5 steps
    assert sum(counted) == 5
    counted.clear()
    assert c.pause(run_id, 850, everything) == at_850  # C: from 800
    assert sum(counted) == 50


def test_a_worker_that_replays_little_does_not_read_the_store(tmp_path, counted, monkeypatch):
    """A few steps of a small net cost less than reading a checkpoint: stepped, not read."""
    a, b = workers(tmp_path)
    run_id, _ = a.create(resolve({"preset": "xor"}), lambda run: None)
    a.step(run_id, 600, lambda run: None)
    b.read(run_id, lambda run: None)
    a.step(run_id, 3, lambda run: None)
    reads = []
    get = store_sql.SQLStore.get_checkpoint
    monkeypatch.setattr(store_sql.SQLStore, "get_checkpoint", lambda *args: reads.append(args) or get(*args))
    counted.clear()
    assert b.read(run_id, lambda run: run.step) == 603
    assert reads == [] and sum(counted) == 3


def test_the_store_keeps_a_few_states_a_run_and_a_bounded_number_of_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(store_sql, "PRUNE_EVERY", 1)
    monkeypatch.setattr(store_sql, "TIDY_EVERY", 1)  # every write tidies (the next test: every few)
    a, b = workers(tmp_path, checkpoints_per_run=2, max_checkpoint_rows=12)
    store = a.store
    runs = [a.create(resolve({"preset": "xor"}), lambda run: None)[0] for _ in range(3)]
    for run_id in runs:
        for _ in range(8):
            a.step(run_id, 250, lambda run: None)  # 2,000 steps: 4 chunks, 8 states written
            rows, states = store.count_checkpoints(run_id)
            assert states <= 2 and rows <= 2 + 4
        assert store.count_checkpoints()[0] <= 12
    # the newest run kept its rows, the oldest lost them (written longest ago): both answer right
    assert store.count_checkpoints(runs[-1]) == (5, 2)  # chunks 500..2000 (2000 with its state), 1750
    assert store.count_checkpoints(runs[0]) == (0, 0)
    for run_id in (runs[0], runs[-1]):
        assert b.read(run_id, everything) == replayed("xor", 2000)


def frames(manager: RunManager, run_id: str, targets: list[int]) -> list[bytes]:
    """A stream's frames toward `targets`, each read as everything a State says."""
    pauses = manager.pauses(run_id)
    return [manager.stream_frame(run_id, t, 10_000, 60.0, pauses, everything, tell=False) for t in targets]


@pytest.mark.parametrize("preset", ["xor", "batchnorm", "adam", "digits"])
def test_a_stream_takes_the_steps_another_run_of_its_config_took(tmp_path, counted, preset, monkeypatch):
    """A class plays one lesson: a run whose config another run already played takes that
    run's frame ends (app/timelines.py) and steps only past them, and every frame is the
    replayed run's, bit for bit; a run of another config takes none of them."""
    (manager,) = workers(tmp_path, n=1, checkpoint_every=50)
    config = resolve({"preset": preset})
    first, second = (manager.create(config, lambda run: None)[0] for _ in range(2))
    targets = [5, 10, 15, 20, 45, 50, 55, 60]
    played = frames(manager, first, targets)
    assert sum(counted) == 60
    counted.clear()
    plans = []
    make_plan = Run._make_plan
    monkeypatch.setattr(Run, "_make_plan", lambda self: plans.append(self.step) or make_plan(self))
    assert frames(manager, second, targets) == played
    assert sum(counted) == 0  # every frame's steps came from the first run's ends...
    # ... and the plan its State shows, with them (but the digit net's: too big for MIN_ENDS of
    # them to fit the config's share, its own State makes it)
    assert plans == (targets if preset == "digits" else [])
    expected = [replayed_everything(preset, 62), replayed_everything(preset, 73)]
    counted.clear()
    assert frames(manager, second, [62, 73]) == expected
    assert sum(counted) == 13  # nobody had been there
    other = manager.create(resolve({"preset": preset, "seed": 7}), lambda run: None)[0]
    counted.clear()
    frames(manager, other, [5, 10])
    assert sum(counted) == 10


@pytest.mark.parametrize("preset", ["xor", "batchnorm", "adam", "digits"])
def test_a_step_takes_the_steps_and_the_answers_another_run_of_its_config_made(
    tmp_path, counted, preset, monkeypatch
):
    """Students stepping on from where their classmates stepped: a Step takes the ends other
    runs of its config published (app/timelines.py) and the answer made there for the same
    question, and is bit for bit the replayed run; another question is answered anew, a
    run of another config shares nothing."""
    (manager,) = workers(tmp_path, n=1, checkpoint_every=50, max_cache_mb=2048)  # room for 4 digit answers
    config = resolve({"preset": preset})
    first, second = (manager.create(config, lambda run: None)[0] for _ in range(2))
    made: list[int] = []

    def read(run: Run) -> bytes:
        made.append(run.step)
        return everything(run)

    def steps(run_id: str, sizes: list[int], question: str = "everything") -> list[bytes]:
        return [manager.step(run_id, n, read, question=question) for n in sizes]

    answered = steps(first, [1, 1, 3, 60])
    assert sum(counted) == 65 and made == [1, 2, 5, 65]
    assert answered == [replayed(preset, step) for step in (1, 2, 5, 65)]
    counted.clear()
    made.clear()
    plans: list[int] = []
    make_plan = Run._make_plan
    monkeypatch.setattr(Run, "_make_plan", lambda self: plans.append(self.step) or make_plan(self))
    assert steps(second, [1, 1, 3]) == answered[:3]
    assert sum(counted) == 0 and made == [] and plans == []  # nothing stepped, nothing built
    assert steps(second, [60]) == answered[3:] and made == []
    assert sum(counted) == 45 + 15  # to its own mark at 50 (the end at 65 lies past it), then on
    assert manager.read(second, everything) == replayed(preset, 65)  # its own state, not only the answer
    assert manager.read(second, read, question="asked otherwise") == answered[3] and made == [65]
    other = manager.create(resolve({"preset": preset, "seed": 7}), lambda run: None)[0]
    counted.clear()
    made.clear()
    steps(other, [1, 1])
    assert sum(counted) == 2 and made == [1, 2]


def test_the_newest_end_within_a_runs_steps_is_found_however_far_it_looks():
    """Timeline.newest looks each step up when the steps are fewer than the ends kept, and
    goes over the ends when they are fewer: the same answer either way."""
    run = Run(resolve({"preset": "xor"}))
    timeline = Timeline(2**26)
    for step in (3, 7, 8, 20):
        run.advance(step - run.step)
        timeline.publish(run.checkpoint(), None)

    def found(after: int, upto: int) -> int | None:
        end = timeline.newest(after, upto)
        return None if end is None else end[0].step

    # (after, upto] against the four ends: fewer steps than ends (looked up), more (gone over)
    assert [found(3, 6), found(7, 10), found(5, 7), found(0, 2)] == [None, 8, 7, None]
    assert [found(3, 9), found(8, 19), found(0, 100), found(8, 20)] == [8, None, 20, 20]


def test_a_pause_back_to_a_frame_taken_from_another_run_is_that_frame(tmp_path, counted):
    """A frame that took another run's end and stepped no further keeps that end as its
    recent frame (no copy of its own): a pause back there is the replayed run, its history
    the records up to that step, not the longer history the ends share."""
    (manager,) = workers(tmp_path, n=1, checkpoint_every=50)
    config = resolve({"preset": "adam"})
    first, second = (manager.create(config, lambda run: None)[0] for _ in range(2))
    frames(manager, first, [5, 10, 15, 20, 25])
    expected = replayed_everything("adam", 10)
    counted.clear()
    frames(manager, second, [5, 10, 15])
    assert manager.pause(second, 10, everything) == expected
    assert sum(counted) == 0


def test_a_run_catching_up_keeps_its_checkpoint_marks(tmp_path, counted):
    """A frame takes another run's end only up to the next mark of its own (checkpoint_every),
    and keeps the mark when it lands on it: a pause back goes there by a copy, not a replay."""
    (manager,) = workers(tmp_path, n=1, checkpoint_every=50)
    config = resolve({"preset": "xor"})
    first, second = (manager.create(config, lambda run: None)[0] for _ in range(2))
    frames(manager, first, [40, 45, 50, 55, 60])
    expected = [replayed_everything("xor", 60)]
    counted.clear()
    assert frames(manager, second, [60]) == expected
    assert sum(counted) == 10  # took 50 (its mark), stepped 10: not 60's end, past the mark
    assert 50 in manager.live(second)[0].checkpoints


@pytest.mark.parametrize(("cache_mb", "bounded"), [(1, True), (512, False)])
def test_what_runs_share_is_counted_in_the_memory_budget(tmp_path, cache_mb, bounded):
    """The frame ends a config's runs share (and their history) take at most a quarter of
    BPX_MAX_CACHE_MB, at every frame."""
    (manager,) = workers(tmp_path, n=1, max_cache_mb=cache_mb)
    run_id, _ = (manager.create(resolve({"preset": "xor"}), lambda run: None)[0] for _ in range(2))
    pauses = manager.pauses(run_id)
    seen = []
    for target in range(5, 3001, 5):
        manager.stream_frame(run_id, target, 10_000, 60.0, pauses, lambda run: None, tell=False)
        seen.append(manager._timelines.nbytes())
    assert (max(seen) <= 2**20 // 4) == bounded


def test_a_run_alone_shares_nothing(tmp_path):
    """A timeline is kept for a config two cached runs share: a class whose every student
    changed a setting (a config each) keeps none, and copies nothing into one."""
    (manager,) = workers(tmp_path, n=1)
    runs = [
        manager.create(resolve({"preset": "xor", "seed": seed}), lambda run: None)[0] for seed in range(3)
    ]
    for run_id in runs:
        frames(manager, run_id, [5, 10, 15])
    assert manager._timelines.nbytes() == 0
    twin = manager.create(resolve({"preset": "xor", "seed": 0}), lambda run: None)[0]
    frames(manager, twin, [5, 10])
    assert manager._timelines.nbytes() > 0
    manager.forget(twin)  # one run of the config again: its timeline is not asked any more
    assert manager._timeline(manager.stream_start(runs[0])[1]) is None


def replayed_everything(preset: str, steps: int) -> bytes:
    run = Run(resolve({"preset": preset}))
    run.advance(steps)
    return everything(run)


def statements(store) -> list[str]:
    """The statements this thread's connection runs from now on (SQLite's own trace)."""
    said: list[str] = []
    store._db().set_trace_callback(said.append)
    return said


def test_a_write_is_one_statement_and_every_few_tidy_the_run(tmp_path, monkeypatch):
    """Under load every statement gives up the GIL and waits to get it back while the store's
    turn is held: a checkpoint write is one statement, and a run's older states are dropped
    every TIDY_EVERY writes (its first write, and one of another version, tidy at once)."""
    monkeypatch.setattr(store_sql, "TIDY_EVERY", 4)
    store = open_store(tmp_path / "store.sqlite3")
    store.create_run("r", "{}")
    monkeypatch.setattr(store, "_count_checkpoint_write", lambda most: None)  # the table's cap: its own test
    said = statements(store)
    states = []
    for step in range(1, 13):
        said.clear()
        store.put_checkpoints("r", Checkpoints("v1", [(step, b"state", b"tail")], 2, 1000))
        assert len(said) == (6 if step in (1, 5, 9) else 1), (step, said)  # BEGIN, 4, COMMIT
        states.append(store.count_checkpoints("r")[1])
    assert states == [1, 2, 3, 4, 2, 3, 4, 5, 2, 3, 4, 5]  # at most keep + TIDY_EVERY - 1
    said.clear()
    store.put_checkpoints("r", Checkpoints("v2", [(13, b"state", b"tail")], 2, 1000))  # a new engine
    assert len(said) == 6 and store.count_checkpoints("r") == (1, 1)  # v1's rows went at once


def test_a_stream_tells_its_step_and_checkpoint_in_two_statements(tmp_path):
    """A stream's tell: the conditional UPDATE of the run's position, then the checkpoint's
    upsert, each alone (no transaction), and nothing written when someone wrote meanwhile."""
    store = open_store(tmp_path / "store.sqlite3")
    store.create_run("r", "{}")
    store.put_checkpoints("r", Checkpoints("v1", [(1, b"state", b"tail")], 2, 1000))  # its tidy write
    said = statements(store)
    told = store.get_position("r")
    said.clear()
    position = store.set_position("r", 7, told, Checkpoints("v1", [(7, b"state", b"tail")], 2, 1000))
    assert position is not None and [s.split()[0] for s in said] == ["UPDATE", "INSERT"]
    said.clear()
    assert store.set_position("r", 9, told, Checkpoints("v1", [(9, b"state", b"tail")], 2, 1000)) is None
    assert [s.split()[0] for s in said] == ["UPDATE"] and store.count_checkpoints("r") == (2, 2)


def test_a_checkpoint_of_another_version_or_unreadable_is_never_restored(tmp_path, counted):
    a, b = workers(tmp_path)
    config = resolve({"preset": "xor"})
    run_id, _ = a.create(config, lambda run: None)
    a.step(run_id, 300, lambda run: None)
    a.store.set_step(run_id, 400)
    run = Run(resolve({"preset": "xor", "learning_rate": 0.3}))  # another config's state at 350
    run.advance(350)
    other = Checkpoints("another", [(350, run.checkpoint_bytes(), run.history.segment_bytes(0, 350))], 4, 100)
    a.store.put_checkpoints(run_id, other)  # under another version: rows of the run's own go
    garbage = Checkpoints(checkpoint_version(config), [(380, b"\x05\x00\x00\x00junk!", b"")], 4, 100)
    a.store.put_checkpoints(run_id, garbage)
    expected = replayed("xor", 400)
    counted.clear()
    assert b.read(run_id, everything) == expected
    assert sum(counted) == 400  # neither read: replayed from 0


def test_a_store_file_from_before_checkpoints_is_upgraded_and_keeps_its_runs(tmp_path):
    from app.store.schema import SCHEMA_VERSION, TABLES

    path = tmp_path / "v2.sqlite3"
    db = sqlite3.connect(path)
    for statement in TABLES[:5]:  # the tables of version 2
        db.execute(statement)
    db.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    db.execute("INSERT INTO runs VALUES ('old', ?, 7, 1.0, 1.0)", (orjson.dumps({"preset": "xor"}).decode(),))
    db.commit()
    db.close()
    store = open_store(path)
    assert store.get_run("old")[1] == 7 and store.count_checkpoints() == (0, 0)
    store.close()
    assert sqlite3.connect(path).execute("SELECT value FROM meta").fetchone() == (str(SCHEMA_VERSION),)
