"""The stores, SQLite and PostgreSQL, through one suite: concurrent writers lose nothing,
caps hold under concurrency, each owner lists their own, bad databases are never touched."""

from __future__ import annotations

import hashlib
import multiprocessing
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest

from app.store import SQLiteStore, StoreError, open_store
from app.store.schema import SCHEMA_VERSION
from tests.support import free_port


@pytest.fixture
def store(store_target):
    store = open_store(store_target, pool_size=4)
    yield store
    store.close()


def test_parallel_writers_lose_nothing(store_target):
    open_store(store_target).close()

    def writer(k: int) -> None:
        store = open_store(store_target, pool_size=2)  # its own connections, as another worker would have
        try:
            for i in range(25):
                assert store.save(f"{k}-{i}", "me", f"run {k}.{i}", "{}", most=10_000)
                assert store.put_link(f"L{k}-{i}", "{}", most=10_000)
        finally:
            store.close()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(writer, range(8)))
    store = open_store(store_target)
    assert store.count_saved() == 200 and len(store.list_saved("me", 1000)) == 200
    assert store.get_link("L7-24") == "{}"
    store.close()


def test_compare_and_set_step(store):
    store.create_run("r", "{}")
    assert store.set_step("r", 5, expected=0)
    assert not store.set_step("r", 9, expected=0)  # someone else moved it
    assert store.get_run("r") == ("{}", 5)
    assert store.get_run("nope") is None


def test_concurrent_compare_and_set_loses_no_update(store_target):
    """20 writers on two store objects (two replicas), each adding 1 by compare-and-set."""
    replicas = [open_store(store_target, pool_size=4) for _ in range(2)]
    replicas[0].create_run("r", "{}")

    def add_one(k: int) -> None:
        store = replicas[k % 2]
        while True:
            step = store.get_run("r")[1]
            if store.set_step("r", step + 1, expected=step):
                return

    with ThreadPoolExecutor(20) as pool:
        list(pool.map(add_one, range(20)))
    assert replicas[1].get_run("r") == ("{}", 20)
    for store in replicas:
        store.close()


def test_cap_holds_under_concurrent_saves(store_target):
    """40 concurrent saves over two replicas with room for 10 store exactly 10 (was 13)."""
    replicas = [open_store(store_target, pool_size=8) for _ in range(2)]

    def save(k: int) -> bool:
        return replicas[k % 2].save(f"s{k}", f"owner{k % 3}", f"run {k}", "{}", most=10)

    with ThreadPoolExecutor(40) as pool:
        stored = list(pool.map(save, range(40)))
    assert sum(stored) == 10 and replicas[0].count_saved() == 10
    for store in replicas:
        store.close()


def test_the_link_cap_holds_under_concurrent_links(store_target):
    replicas = [open_store(store_target, pool_size=8) for _ in range(2)]
    with ThreadPoolExecutor(20) as pool:
        stored = list(pool.map(lambda k: replicas[k % 2].put_link(f"L{k}", "{}", most=7), range(30)))
    assert sum(stored) == 7 and replicas[0].count_links() == 7
    for store in replicas:
        store.close()


def test_the_value_cap_holds_under_concurrent_values(store_target):
    """Values take the same capped insert as links and saved runs: 30 over two replicas with
    room for 7 store 7, and a value already held is accepted again when the store is full."""
    replicas = [open_store(store_target, pool_size=8) for _ in range(2)]
    with ThreadPoolExecutor(20) as pool:
        stored = list(pool.map(lambda k: replicas[k % 2].put_blob(f"B{k}", "[]", most=7), range(30)))
    assert sum(stored) == 7 and replicas[0].count_blobs() == 7
    held = next(f"B{k}" for k, ok in enumerate(stored) if ok)
    assert replicas[1].put_blob(held, "[]", most=7)  # the same value needs no room
    assert not replicas[1].put_blob("new", "[]", most=7)
    for store in replicas:
        store.close()


def test_each_owner_lists_their_own_newest_first_in_pages(store):
    for k in range(7):
        store.save(f"a{k}", "alice", f"alice {k}", f'{{"query": "step={k}"}}', most=100)
    store.save("b0", "bob", "bob's", '{"query": "step=1"}', most=100)
    first, second = store.list_saved("alice", 4), store.list_saved("alice", 4, offset=4)
    assert [row[1] for row in first + second] == [f"alice {k}" for k in reversed(range(7))]
    assert first[0] == ("a6", "alice 6", '{"query": "step=6"}', pytest.approx(first[0][3]))
    assert [row[0] for row in store.list_saved("bob", 10)] == ["b0"]
    assert store.list_saved("carol", 10) == []
    assert store.get_saved("b0")[0] == "bob's"  # anyone with the id opens it
    assert not store.delete_saved("b0", "alice")  # but only its owner deletes it
    assert store.delete_saved("b0", "bob") and store.get_saved("b0") is None


def test_blobs_keep_the_first_payload(store):
    store.put_blob("c", "first", most=10)
    store.put_blob("c", "second", most=10)
    assert store.get_blob("c") == "first" and store.count_blobs() == 1


def test_times_keep_float64(store):
    """PostgreSQL's REAL is float32 (a 2-minute grain in today's epoch seconds): the schema
    says DOUBLE PRECISION, and the time comes back as it went in."""
    before = time.time()
    store.save("s", "me", "n", "{}", most=10)
    created = store.get_saved("s")[2]
    assert before <= created <= time.time() and created != float(np.float32(created))


def test_a_newer_schema_is_refused(store_target):
    open_store(store_target).close()
    if isinstance(store_target, Path):
        db = sqlite3.connect(store_target)
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
        db.commit()
        db.close()
    else:
        with psycopg.connect(store_target, autocommit=True) as conn:
            conn.execute(
                "UPDATE meta SET value = %s WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),)
            )
    with pytest.raises(StoreError, match=f"schema version {SCHEMA_VERSION + 1}"):
        open_store(store_target)


# -- SQLite: files that are not ours ----------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_foreign_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "other.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE precious (x)")
    db.execute("INSERT INTO precious VALUES ('keep me')")
    db.commit()
    db.close()
    before = digest(path)
    with pytest.raises(StoreError, match="other.sqlite3.*left untouched"):
        SQLiteStore(path)
    # not switched to WAL: the same bytes, and no -wal or -shm beside it
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite3"]


def test_garbage_file_is_refused(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(StoreError, match="left untouched"):
        SQLiteStore(path)
    assert path.read_bytes() == b"\x00garbage" * 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.sqlite3"]


def test_a_version_1_store_is_upgraded_and_keeps_its_saved_runs(tmp_path):
    """Stores from before owners: their saved runs still open by id, and are nobody's to list."""
    path = tmp_path / "v1.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE runs (id TEXT PRIMARY KEY, config TEXT NOT NULL, step INTEGER NOT NULL,
            created REAL NOT NULL, updated REAL NOT NULL);
        CREATE TABLE links (code TEXT PRIMARY KEY, payload TEXT NOT NULL, created REAL NOT NULL);
        CREATE TABLE saved (id TEXT PRIMARY KEY, name TEXT NOT NULL, payload TEXT NOT NULL, created REAL NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        INSERT INTO saved VALUES ('old', 'from before', '{"query": "preset=xor"}', 1.5);
        """
    )
    db.commit()
    db.close()
    store = SQLiteStore(path)
    assert store.get_saved("old") == ("from before", '{"query": "preset=xor"}', 1.5)
    assert store.save("new", "me", "mine", "{}", most=10) and store.count_saved() == 2
    assert [row[0] for row in store.list_saved("me", 10)] == ["new"]
    assert store.count_blobs() == 0  # the table it lacked was added
    store.close()
    assert sqlite3.connect(path).execute("SELECT value FROM meta").fetchone() == (str(SCHEMA_VERSION),)


# -- PostgreSQL: databases that are not ours, and ones that are not there --------------------------


def test_foreign_postgres_schema_is_refused_untouched(postgres):
    url = postgres.new_database()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE precious (x TEXT)")
        conn.execute("INSERT INTO precious VALUES ('keep me')")
    with pytest.raises(StoreError, match=r"127\.0\.0\.1.*foreign schema.*precious"):
        open_store(url)
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
        assert tables == [("precious",)]


def test_unreachable_postgres_is_named_without_its_password():
    url = f"postgresql://bpx:s3cret-pw@127.0.0.1:{free_port()}/course"
    with pytest.raises(StoreError) as caught:
        open_store(url)
    message = str(caught.value)
    assert "s3cret-pw" not in message
    assert "postgresql://bpx:***@127.0.0.1" in message and "/course" in message
    assert "unreachable" in message


def test_two_replicas_starting_together_make_the_tables_once(postgres):
    url = postgres.new_database()
    with ThreadPoolExecutor(6) as pool:
        stores = list(pool.map(lambda _: open_store(url, pool_size=1), range(6)))
    for store in stores:
        store.close()
    store = open_store(url)
    assert store.count_saved() == 0
    store.close()


def test_a_replica_refuses_to_start_on_an_unreachable_database_naming_it_without_password():
    import subprocess
    import sys

    from tests.support import ROOT

    url = f"postgresql://bpx:s3cret-pw@127.0.0.1:{free_port()}/course"
    result = subprocess.run(
        [sys.executable, "-m", "app"],
        cwd=ROOT,
        env={"BPX_DB": url, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "s3cret-pw" not in result.stderr + result.stdout
    assert "cannot start" in result.stderr and "postgresql://bpx:***@127.0.0.1" in result.stderr


def test_one_process_writers_take_turns_before_sqlite_locks(tmp_path):
    """A worker's threads write one at a time (a lock of the store's own), never meeting on
    SQLite's write lock, whose busy handler sleeps at least a millisecond per meeting: under
    100 stepping students that was one sleep a step. With the busy timeout at 0, any meeting
    would be an error here."""
    store = SQLiteStore(tmp_path / "s.sqlite3")
    for k in range(8):
        store.create_run(f"r{k}", "{}")

    def writer(k: int) -> None:
        store._db().execute("PRAGMA busy_timeout = 0")  # this thread's connection
        for step in range(1, 301):
            assert store.set_step(f"r{k}", step, expected=step - 1)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(writer, range(8)))
    assert [store.get_run(f"r{k}")[1] for k in range(8)] == [300] * 8
    store.close()


def step_without_waiting(path: Path, run_id: str, start: Any) -> None:
    """A worker process's writer that refuses to wait at SQLite's lock (busy timeout 0)."""
    store = SQLiteStore(path)
    store._db().execute("PRAGMA busy_timeout = 0")
    start.wait()
    for step in range(1, 501):
        assert store.set_step(run_id, step, expected=step - 1)
    store.close()


def test_worker_processes_take_turns_before_sqlite_locks(tmp_path):
    """Worker processes write one at a time too (a blocking lock on a file beside the
    database), never meeting on SQLite's write lock, where the busy handler polls, sleeping a
    millisecond and more per meeting: under 100 students stepping with two workers that was
    477 sleeps. With the busy timeout at 0 any meeting is an error, and its process fails."""
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    for k in range(3):
        store.create_run(f"r{k}", "{}")
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(3)
    workers = [spawn.Process(target=step_without_waiting, args=(path, f"r{k}", start)) for k in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    assert [store.get_run(f"r{k}")[1] for k in range(3)] == [500] * 3
    store.close()


def test_every_write_of_a_step_moves_its_time_on_even_within_one_clock_tick(store, monkeypatch):
    """A stream compares (step, updated) with what it last heard to find a write in between:
    a pause writing the same step within one tick of the clock must still change it."""
    import app.store.sql as store_sql

    monkeypatch.setattr(store_sql.time, "time", lambda: 1_800_000_000.0)  # a clock that stands still
    store.create_run("r", "{}")
    seen = [store.get_position("r")]
    assert store.set_step("r", 0)
    seen.append(store.get_position("r"))
    assert store.set_step("r", 0, expected=0)
    seen.append(store.get_position("r"))
    assert seen[0][1] < seen[1][1] < seen[2][1]


def test_checkpoints_are_read_by_run_and_version_with_the_history_chunks_before_them(store):
    from app.store import Checkpoints

    store.create_run("r", "{}")
    rows = [(500, None, b"c500"), (1000, b"s1000", b"c1000"), (1234, b"s1234", b"t1234")]
    position = store.get_position("r")
    assert store.set_position("r", 1234, position, Checkpoints("v1", rows, 4, 100)) is not None
    assert store.get_checkpoint("r", "v1", 0, 1300, 0) == (
        1234,
        b"s1234",
        [(500, b"c500"), (1000, b"c1000"), (1234, b"t1234")],
    )
    assert store.get_checkpoint("r", "v1", 0, 1233, 500) == (1000, b"s1000", [(1000, b"c1000")])
    assert store.get_checkpoint("r", "v1", 1234, 2000, 0) is None  # none after 1234
    assert store.get_checkpoint("r", "v2", 0, 2000, 0) is None  # another version's are never read
    assert store.newest_checkpoint("r", "v1", 0, 1100) == 1000
    # a position that someone else moved meanwhile: neither the step nor its checkpoints are written
    assert store.set_position("r", 1500, position, Checkpoints("v1", [(1500, b"s", b"t")], 4, 100)) is None
    assert store.newest_checkpoint("r", "v1", 0, 2000) == 1234
    # a run's oldest states go beyond `keep`; a row left without one stays only at a chunk boundary
    store.put_checkpoints("r", Checkpoints("v1", [(1700, b"s1700", b"t1700")], 1, 100))
    assert store.count_checkpoints("r") == (3, 1)
    assert store.get_checkpoint("r", "v1", 0, 1699, 0) is None
