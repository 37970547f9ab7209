"""The SQLite store: concurrent writers lose nothing; bad files are never wiped."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.store import SQLiteStore, StoreError


def test_parallel_writers_lose_nothing(tmp_path):
    path = tmp_path / "s.sqlite3"
    SQLiteStore(path).close()

    def writer(k: int) -> None:
        store = SQLiteStore(path)  # its own connection, as another worker would have
        for i in range(25):
            store.save(f"{k}-{i}", f"run {k}.{i}", "{}")
            store.put_link(f"L{k}-{i}", "{}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(writer, range(8)))
    store = SQLiteStore(path)
    assert store.count_saved() == 200 and len(store.list_saved()) == 200
    assert store.get_link("L7-24") == "{}"


def test_compare_and_set_step(tmp_path):
    store = SQLiteStore(tmp_path / "s.sqlite3")
    store.create_run("r", "{}")
    assert store.set_step("r", 5, expected=0)
    assert not store.set_step("r", 9, expected=0)  # someone else moved it
    assert store.get_run("r") == ("{}", 5)


def test_foreign_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "other.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE precious (x)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="other.sqlite3"):
        SQLiteStore(path)
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("precious",)]


def test_garbage_file_is_refused(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(StoreError, match="left untouched"):
        SQLiteStore(path)
    assert path.read_bytes() == b"\x00garbage" * 1000
