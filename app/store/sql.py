"""Every query of the store, written once for SQLite and PostgreSQL.

A subclass says how to run a statement (`_rows`, `_write`) and how to insert under a
cap so that concurrent writers cannot pass it (`_insert_capped`: a count and an insert
that nobody else's insert can come between). Placeholders are `?`; the PostgreSQL
store turns them into psycopg's `%s`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from app.store.schema import HISTORY_CHUNK
from engine.recent import Recent

Params = tuple[Any, ...]
T = TypeVar("T")
CheckpointRow = tuple[int, bytes | None, bytes]  # step, state (None: history only), tail
# The total cap on checkpoint rows is checked every this many checkpoint writes of a store
# object (a COUNT over the table each write would cost more than the write): the table may
# pass it by what that many writes add.
PRUNE_EVERY = 32
# A run's rows are tidied (its older states dropped) every this many writes of them from one
# store object, so a run holds at most `keep` + TIDY_EVERY - 1 states from each writer; the
# counts are kept for this many runs (a run not among them is tidied at its next write).
TIDY_EVERY = 8
TIDY_RUNS = 4096


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchall(self) -> list[Any]: ...


Execute = Callable[[str, Params], Cursor]


@dataclass(frozen=True)
class Checkpoints:
    """One run's checkpoint rows to write (app/runs.py makes them), and the caps to keep."""

    version: str
    rows: list[CheckpointRow]
    keep: int  # states kept per run (older rows lose theirs)
    most: int  # rows kept in the whole table


# `updated` of a write: now, or just after the time held if the clock has not passed it
LATER = "updated = CASE WHEN updated < ? THEN ? ELSE updated + 0.000001 END"


class SQLStore:
    def _rows(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _write(self, sql: str, params: Params = ()) -> int:
        """Run a statement; the number of rows it changed."""
        raise NotImplementedError

    def _insert_capped(self, table: str, most: int, sql: str, params: Params) -> bool:
        """Run the insert `sql` only if `table` holds fewer than `most` rows, atomically."""
        raise NotImplementedError

    def _transaction(self, work: Callable[[Execute], T]) -> T:
        """`work(execute)` in one transaction that writes: all of it or nothing."""
        raise NotImplementedError

    def _one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _count(self, table: str) -> int:
        return int(self._rows(f"SELECT COUNT(*) FROM {table}")[0][0])

    # -- runs ------------------------------------------------------------------------------

    def create_run(self, run_id: str, config: str) -> None:
        now = time.time()
        self._write("INSERT INTO runs VALUES (?, ?, 0, ?, ?)", (run_id, config, now, now))

    def get_run(self, run_id: str) -> tuple[str, int] | None:
        row = self._one("SELECT config, step FROM runs WHERE id = ?", (run_id,))
        return (row[0], int(row[1])) if row else None

    def set_step(self, run_id: str, step: int, expected: int | None = None) -> bool:
        """Set the step; with `expected`, only if nobody moved it meanwhile (another worker or
        replica). One conditional UPDATE: both databases lock the row for it, so of two
        writers that expected the same step exactly one succeeds. `updated` always moves on,
        even within one tick of the clock, as set_position's does: a stream that compares it
        with what it last heard never misses a write of the same step (a pause)."""
        now = time.time()
        if expected is None:
            changed = self._write(f"UPDATE runs SET step = ?, {LATER} WHERE id = ?", (step, now, now, run_id))
        else:
            changed = self._write(
                f"UPDATE runs SET step = ?, {LATER} WHERE id = ? AND step = ?",
                (step, now, now, run_id, expected),
            )
        return changed == 1

    def get_position(self, run_id: str) -> tuple[int, float] | None:
        """The run's step and when it was last written: every write changes the second, so a
        stream that tells the store its step only now and then can tell whether anyone else
        wrote meanwhile, even a write of the same step (a pause at the step the store held)."""
        row = self._one("SELECT step, updated FROM runs WHERE id = ?", (run_id,))
        return (int(row[0]), float(row[1])) if row else None

    def set_position(
        self,
        run_id: str,
        step: int,
        expected: tuple[int, float],
        checkpoints: Checkpoints | None = None,
    ) -> tuple[int, float] | None:
        """Set the step only if the store still holds `expected` (get_position's); the new
        position, or None if someone wrote meanwhile. With `checkpoints`: written after it, if
        the step was (a cache of what any worker could compute, so not in its transaction: a
        writer holds the store's turn for one statement, not for the run's whole write)."""
        now = time.time()
        if now == expected[1]:  # the clock did not move: the new position must differ from the old
            now = math.nextafter(now, math.inf)
        changed = self._write(
            "UPDATE runs SET step = ?, updated = ? WHERE id = ? AND step = ? AND updated = ?",
            (step, now, run_id, expected[0], expected[1]),
        )
        if changed != 1:
            return None
        if checkpoints is not None:
            self.put_checkpoints(run_id, checkpoints)
        return (step, now)

    # -- checkpoints (app/runs.py): a cache any worker or replica fills and reads ----------------

    _checkpoint_writes = 0
    _tidy_counts: Recent[str, list[Any]] | None = None

    def put_checkpoints(self, run_id: str, checkpoints: Checkpoints) -> None:
        """Write the rows (a row already there keeps its state if the new one has none): one
        statement, as most writes are, or, when the run is due a tidy, in a transaction that
        then tidies it (_tidy_checkpoints)."""
        rows = checkpoints.rows
        values = ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(rows))
        now = time.time()
        upsert = (
            f"INSERT INTO checkpoints VALUES {values} ON CONFLICT (run_id, version, step)"
            " DO UPDATE SET state = COALESCE(excluded.state, checkpoints.state), created = excluded.created",
            tuple(
                v for step, state, tail in rows for v in (run_id, checkpoints.version, step, state, tail, now)
            ),
        )
        if len(rows) == 1 and not self._tidy_due(run_id, checkpoints.version):
            self._write(*upsert)
        else:

            def write_and_tidy(execute: Execute) -> None:
                self._checkpoint_turn(execute, run_id)
                execute(*upsert)
                self._tidy_checkpoints(execute, run_id, checkpoints)

            self._transaction(write_and_tidy)
        self._count_checkpoint_write(checkpoints.most)

    def _tidy_due(self, run_id: str, version: str) -> bool:
        """Whether this write tidies the run's rows: its first from this store object, one of
        another version than the last, and every TIDY_EVERY-th. A write is otherwise a single
        statement: under load every statement of a transaction waits for the GIL again while
        the store's turn is held (a stream's tell, seven statements, held it 6-8 ms)."""
        if self._tidy_counts is None:
            self._tidy_counts = Recent(TIDY_RUNS)
        seen = self._tidy_counts.get(run_id, lambda: [None, 0])
        due = seen[0] != version or seen[1] % TIDY_EVERY == TIDY_EVERY - 1
        seen[0], seen[1] = version, 0 if due else seen[1] + 1
        return due

    def _checkpoint_turn(self, execute: Execute, run_id: str) -> None:
        """Writers of one run's checkpoints take turns (SQLite's writers always do)."""

    @staticmethod
    def _tidy_checkpoints(execute: Execute, run_id: str, checkpoints: Checkpoints) -> None:
        """Keep the run's `keep` newest states; a row without one is kept only at a chunk
        boundary, where the history of its chunk is. Rows of another version (an older
        engine) go."""
        execute("DELETE FROM checkpoints WHERE run_id = ? AND version <> ?", (run_id, checkpoints.version))
        execute(
            "UPDATE checkpoints SET state = NULL WHERE run_id = ? AND state IS NOT NULL AND step NOT IN"
            " (SELECT step FROM checkpoints WHERE run_id = ? AND state IS NOT NULL"
            " ORDER BY created DESC, step DESC LIMIT ?)",
            (run_id, run_id, checkpoints.keep),
        )
        execute(
            f"DELETE FROM checkpoints WHERE run_id = ? AND state IS NULL AND step % {HISTORY_CHUNK} <> 0",
            (run_id,),
        )

    def _count_checkpoint_write(self, most: int) -> None:
        """Every PRUNE_EVERY writes, the whole table is brought under `most` rows by dropping
        the runs written longest ago: in a transaction of its own, which holds no run's rows
        while it waits for others' (no deadlock with a writer of a run it drops)."""
        self._checkpoint_writes += 1
        if self._checkpoint_writes % PRUNE_EVERY == 1 or PRUNE_EVERY == 1:
            self._transaction(lambda execute: self._prune_checkpoints(execute, most))

    @staticmethod
    def _prune_checkpoints(execute: Execute, most: int) -> None:
        count = int(execute("SELECT COUNT(*) FROM checkpoints", ()).fetchall()[0][0])
        if count <= most:
            return
        runs = execute(
            "SELECT run_id, COUNT(*), MAX(created) AS latest FROM checkpoints GROUP BY run_id ORDER BY latest",
            (),
        ).fetchall()
        for run_id, rows, _ in runs:
            if count <= most:
                break
            execute("DELETE FROM checkpoints WHERE run_id = ?", (run_id,))
            count -= int(rows)

    def get_checkpoint(
        self, run_id: str, version: str, after: int, upto: int, history_after: int
    ) -> tuple[int, bytes, list[tuple[int, bytes]]] | None:
        """The newest state of the run in (after, upto], its step, and the history tails of
        the rows from `history_after` (exclusive) up to it: the chunk boundaries', then its
        own. One query; None if there is no such state."""
        rows = self._rows(
            "WITH best AS (SELECT MAX(step) AS s FROM checkpoints WHERE run_id = ? AND version = ?"
            " AND step > ? AND step <= ? AND state IS NOT NULL)"
            " SELECT c.step, CASE WHEN c.step = best.s THEN c.state END, c.tail FROM checkpoints AS c, best"
            " WHERE c.run_id = ? AND c.version = ? AND c.step > ? AND c.step <= best.s"
            f" AND (c.step = best.s OR c.step % {HISTORY_CHUNK} = 0) ORDER BY c.step",
            (run_id, version, after, upto, run_id, version, history_after),
        )
        if not rows or rows[-1][1] is None:
            return None
        return int(rows[-1][0]), bytes(rows[-1][1]), [(int(step), bytes(tail)) for step, _, tail in rows]

    def newest_checkpoint(self, run_id: str, version: str, after: int, upto: int) -> int | None:
        """The step of the run's newest state in (after, upto], if any (a plan's estimate)."""
        row = self._one(
            "SELECT MAX(step) FROM checkpoints WHERE run_id = ? AND version = ? AND step > ? AND step <= ?"
            " AND state IS NOT NULL",
            (run_id, version, after, upto),
        )
        return None if row is None or row[0] is None else int(row[0])

    def count_checkpoints(self, run_id: str | None = None) -> tuple[int, int]:
        """Rows, and rows with a state: of one run, or of all."""
        where, params = ("WHERE run_id = ?", (run_id,)) if run_id is not None else ("", ())
        row = self._rows(f"SELECT COUNT(*), COUNT(state) FROM checkpoints {where}", params)[0]
        return int(row[0]), int(row[1])

    # -- short links --------------------------------------------------------------------------

    def put_link(self, code: str, payload: str, most: int) -> bool:
        """Keep a short link; False (nothing stored) if the store already holds `most`."""
        return self._insert_capped(
            "links", most, "INSERT INTO links VALUES (?, ?, ?)", (code, payload, time.time())
        )

    def get_link(self, code: str) -> str | None:
        row = self._one("SELECT payload FROM links WHERE code = ?", (code,))
        return row[0] if row else None

    def count_links(self) -> int:
        return self._count("links")

    # -- values that URLs refer to by code -----------------------------------------------------

    def put_blob(self, code: str, payload: str, most: int) -> bool:
        """Keep a value under its code; False (nothing stored) if the store already holds `most`
        values and not this one. Content-addressed: storing the same code twice keeps the
        first (the same) payload, and needs no room."""
        if self._insert_capped(
            "blobs",
            most,
            "INSERT INTO blobs VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (code, payload, time.time()),
        ):
            return True
        return self.get_blob(code) is not None

    def get_blob(self, code: str) -> str | None:
        row = self._one("SELECT payload FROM blobs WHERE code = ?", (code,))
        return row[0] if row else None

    def count_blobs(self) -> int:
        return self._count("blobs")

    # -- saved runs ---------------------------------------------------------------------------

    def save(self, saved_id: str, owner: str, name: str, payload: str, most: int) -> bool:
        """Keep a saved run for `owner`; False (nothing stored) if the store already holds `most`."""
        return self._insert_capped(
            "saved",
            most,
            "INSERT INTO saved (id, name, payload, created, owner) VALUES (?, ?, ?, ?, ?)",
            (saved_id, name, payload, time.time(), owner),
        )

    def list_saved(self, owner: str, limit: int, offset: int = 0) -> list[tuple[str, str, str, float]]:
        """(id, name, payload, created) of `owner`'s saved runs, newest first, in one query."""
        return [
            (r[0], r[1], r[2], float(r[3]))
            for r in self._rows(
                "SELECT id, name, payload, created FROM saved WHERE owner = ?"
                " ORDER BY created DESC, id LIMIT ? OFFSET ?",
                (owner, limit, offset),
            )
        ]

    def get_saved(self, saved_id: str) -> tuple[str, str, float] | None:
        row = self._one("SELECT name, payload, created FROM saved WHERE id = ?", (saved_id,))
        return (row[0], row[1], float(row[2])) if row else None

    def delete_saved(self, saved_id: str, owner: str) -> bool:
        """Only its owner deletes a saved run (others who hold the link may open it)."""
        return self._write("DELETE FROM saved WHERE id = ? AND owner = ?", (saved_id, owner)) == 1

    def count_saved(self) -> int:
        return self._count("saved")
