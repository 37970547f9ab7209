"""The store: run configs and steps, short links, saved runs, and values URLs refer to.

Everything a replica needs to rebuild any run lives here, so the servers stay
stateless. `Store` is the interface; SQLite (stdlib sqlite3, WAL) implements it for one
host. Several hosts would share PostgreSQL behind the same methods (docs/api.md).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, config TEXT NOT NULL, step INTEGER NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS links (code TEXT PRIMARY KEY, payload TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS saved (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, payload TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (code TEXT PRIMARY KEY, payload TEXT NOT NULL, created REAL NOT NULL);
"""


class StoreError(RuntimeError):
    """The database cannot be used; the message names the file and what to do."""


class Store(Protocol):
    def create_run(self, run_id: str, config: str) -> None: ...
    def get_run(self, run_id: str) -> tuple[str, int] | None: ...
    def set_step(self, run_id: str, step: int, expected: int | None = None) -> bool: ...
    def put_link(self, code: str, payload: str) -> None: ...
    def get_link(self, code: str) -> str | None: ...
    def count_links(self) -> int: ...
    def put_blob(self, code: str, payload: str) -> None: ...
    def get_blob(self, code: str) -> str | None: ...
    def count_blobs(self) -> int: ...
    def save(self, saved_id: str, name: str, payload: str) -> None: ...
    def list_saved(self) -> list[tuple[str, str, float]]: ...
    def get_saved(self, saved_id: str) -> tuple[str, str, float] | None: ...
    def delete_saved(self, saved_id: str) -> bool: ...
    def count_saved(self) -> int: ...


class SQLiteStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = self._db()
            version = self._check(db)
            with db:  # every table is CREATE IF NOT EXISTS: a store from before `blobs` gains it
                db.executescript(SCHEMA)
                if version is None:
                    db.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                    )
        except (sqlite3.DatabaseError, OSError) as error:
            raise StoreError(
                f"cannot use the database {self.path}: {error}. It was left untouched; move it "
                f"aside or point BPX_DB at another file."
            ) from error

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

    def _check(self, db: sqlite3.Connection) -> int | None:
        """The schema version of an existing store, None for a new empty file."""
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return None
        if "meta" not in tables:
            raise sqlite3.DatabaseError("not a Backprop Explorer store (no meta table)")
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None or int(row[0]) != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"schema version {row and row[0]}, this server knows {SCHEMA_VERSION}"
            )
        problem = db.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {problem}")
        return SCHEMA_VERSION

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- runs ------------------------------------------------------------------------------

    def create_run(self, run_id: str, config: str) -> None:
        now = time.time()
        self._db().execute("INSERT INTO runs VALUES (?, ?, 0, ?, ?)", (run_id, config, now, now))

    def get_run(self, run_id: str) -> tuple[str, int] | None:
        row = self._db().execute("SELECT config, step FROM runs WHERE id = ?", (run_id,)).fetchone()
        return (row[0], int(row[1])) if row else None

    def set_step(self, run_id: str, step: int, expected: int | None = None) -> bool:
        """Set the step; with `expected`, only if nobody moved it meanwhile (another worker)."""
        if expected is None:
            cur = self._db().execute(
                "UPDATE runs SET step = ?, updated = ? WHERE id = ?", (step, time.time(), run_id)
            )
        else:
            cur = self._db().execute(
                "UPDATE runs SET step = ?, updated = ? WHERE id = ? AND step = ?",
                (step, time.time(), run_id, expected),
            )
        return cur.rowcount == 1

    # -- short links --------------------------------------------------------------------------

    def put_link(self, code: str, payload: str) -> None:
        self._db().execute("INSERT INTO links VALUES (?, ?, ?)", (code, payload, time.time()))

    def get_link(self, code: str) -> str | None:
        row = self._db().execute("SELECT payload FROM links WHERE code = ?", (code,)).fetchone()
        return row[0] if row else None

    def count_links(self) -> int:
        return int(self._db().execute("SELECT COUNT(*) FROM links").fetchone()[0])

    # -- values that URLs refer to by code -----------------------------------------------------

    def put_blob(self, code: str, payload: str) -> None:
        """Content-addressed: storing the same code twice keeps the first (the same) payload."""
        self._db().execute("INSERT OR IGNORE INTO blobs VALUES (?, ?, ?)", (code, payload, time.time()))

    def get_blob(self, code: str) -> str | None:
        row = self._db().execute("SELECT payload FROM blobs WHERE code = ?", (code,)).fetchone()
        return row[0] if row else None

    def count_blobs(self) -> int:
        return int(self._db().execute("SELECT COUNT(*) FROM blobs").fetchone()[0])

    # -- saved runs ---------------------------------------------------------------------------

    def save(self, saved_id: str, name: str, payload: str) -> None:
        self._db().execute("INSERT INTO saved VALUES (?, ?, ?, ?)", (saved_id, name, payload, time.time()))

    def list_saved(self) -> list[tuple[str, str, float]]:
        return [
            (r[0], r[1], r[2])
            for r in self._db().execute("SELECT id, name, created FROM saved ORDER BY created DESC, id")
        ]

    def get_saved(self, saved_id: str) -> tuple[str, str, float] | None:
        row = (
            self._db()
            .execute("SELECT name, payload, created FROM saved WHERE id = ?", (saved_id,))
            .fetchone()
        )
        return (row[0], row[1], row[2]) if row else None

    def delete_saved(self, saved_id: str) -> bool:
        return self._db().execute("DELETE FROM saved WHERE id = ?", (saved_id,)).rowcount == 1

    def count_saved(self) -> int:
        return int(self._db().execute("SELECT COUNT(*) FROM saved").fetchone()[0])
