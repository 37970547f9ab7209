"""The SQLite store (stdlib sqlite3, WAL): one host, any number of worker processes."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from app.store.errors import StoreError, StoreUnavailable
from app.store.schema import SCHEMA_VERSION, ForeignSchema, stored_version, upgrade
from app.store.sql import Execute, Params, SQLStore

T = TypeVar("T")


class SQLiteStore(SQLStore):
    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        # This process's writers take turns here, not at SQLite's write lock: a writer that
        # finds that lock taken sleeps in SQLite's busy handler, a millisecond at least, and
        # a thread holding it may be waiting for the GIL meanwhile (1 worker, 100 students
        # stepping: one such sleep a step without this lock, none with it).
        self._writing = threading.Lock()
        self._turn = -1  # the writers' lock file, opened once the database is known to be ours
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._inspect()
            self._turn = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            weakref.finalize(self, os.close, self._turn)
            self._prepare()
        except (sqlite3.DatabaseError, ForeignSchema, OSError) as error:
            raise StoreError(
                f"cannot use the database {self.path}: {error}. It was left untouched; move it "
                f"aside or point BPX_DB at another file."
            ) from error

    @property
    def lock_path(self) -> Path:
        """Where the worker processes take turns to write (see _writer): a file of its own
        beside the database, never the database, whose POSIX locks SQLite holds and any close
        of another descriptor of it in this process would drop."""
        return self.path.with_name(self.path.name + "-lock")

    @contextmanager
    def _writer(self) -> Iterator[None]:
        """This process's turn to write, then the worker processes' turn: a blocking lock on
        the lock file (flock), handed over by the kernel the moment its holder lets go. Two
        workers meeting at SQLite's write lock instead poll, a sleep of a millisecond and more
        each time (2 workers, 100 students stepping: 477 such sleeps in a run, 0 with this)."""
        with self._writing:
            fcntl.flock(self._turn, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._turn, fcntl.LOCK_UN)

    def _inspect(self) -> None:
        """Read what the file holds before anything is written to it. A plain connection
        with only reads: no journal mode set, no -wal or -shm file made, so a foreign or
        broken file is refused exactly as it was."""
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            self._version(db)
            problem = db.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {problem}")
        finally:
            db.close()

    def _prepare(self) -> None:
        """Create or upgrade the tables, one worker at a time (BEGIN IMMEDIATE)."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            version = self._version(db)  # again: another worker may have done it meanwhile
            for statement in upgrade(version):  # idempotent: a table a store lacks is added
                db.execute(statement)
            if version != SCHEMA_VERSION:
                db.execute(
                    "INSERT INTO meta VALUES ('schema_version', ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(SCHEMA_VERSION),),
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @staticmethod
    def _version(db: sqlite3.Connection) -> int | None:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        row = (
            db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if "meta" in tables
            else None
        )
        return stored_version(tables, row[0] if row else None)

    def _db(self) -> sqlite3.Connection:
        """One connection per thread (sqlite3 connections are not shared across threads)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=True)
            db.execute("PRAGMA busy_timeout = 30000")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            self._local.db = db
        return db

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    @contextmanager
    def _reached(self) -> Iterator[None]:
        """The file cannot be opened or written (its directory gone, the disk failing, locked
        past the busy timeout): StoreUnavailable. This thread's connection is dropped, so the
        next request opens the file afresh once it is back."""
        try:
            yield
        except sqlite3.OperationalError as error:
            try:
                self.close()
            except sqlite3.Error:
                self._local.db = None
            raise StoreUnavailable(f"the database {self.path} cannot be used: {error}") from error

    def _rows(self, sql: str, params: Params = ()) -> list[tuple]:
        with self._reached():
            return self._db().execute(sql, params).fetchall()

    def _write(self, sql: str, params: Params = ()) -> int:
        with self._writer(), self._reached():
            return self._db().execute(sql, params).rowcount

    def _insert_capped(self, table: str, most: int, sql: str, params: Params) -> bool:
        with self._writer(), self._reached():
            return self._insert_capped_here(table, most, sql, params)

    def _insert_capped_here(self, table: str, most: int, sql: str, params: Params) -> bool:
        # BEGIN IMMEDIATE takes the write lock first: no other writer, in this process or
        # another, can insert between the count and the insert.
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            room = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] < most
            if room:
                db.execute(sql, params)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return room

    def _transaction(self, work: Callable[[Execute], T]) -> T:
        with self._writer(), self._reached():
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db.execute)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return result
