"""Every query of the store, written once for SQLite and PostgreSQL.

A subclass says how to run a statement (`_rows`, `_write`) and how to insert under a
cap so that concurrent writers cannot pass it (`_insert_capped`: a count and an insert
that nobody else's insert can come between). Placeholders are `?`; the PostgreSQL
store turns them into psycopg's `%s`.
"""

from __future__ import annotations

import math
import time
from typing import Any

Params = tuple[Any, ...]


class SQLStore:
    def _rows(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _write(self, sql: str, params: Params = ()) -> int:
        """Run a statement; the number of rows it changed."""
        raise NotImplementedError

    def _insert_capped(self, table: str, most: int, sql: str, params: Params) -> bool:
        """Run the insert `sql` only if `table` holds fewer than `most` rows, atomically."""
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
        writers that expected the same step exactly one succeeds."""
        if expected is None:
            changed = self._write(
                "UPDATE runs SET step = ?, updated = ? WHERE id = ?", (step, time.time(), run_id)
            )
        else:
            changed = self._write(
                "UPDATE runs SET step = ?, updated = ? WHERE id = ? AND step = ?",
                (step, time.time(), run_id, expected),
            )
        return changed == 1

    def get_position(self, run_id: str) -> tuple[int, float] | None:
        """The run's step and when it was last written: every write changes the second, so a
        stream that tells the store its step only now and then can tell whether anyone else
        wrote meanwhile, even a write of the same step (a pause at the step the store held)."""
        row = self._one("SELECT step, updated FROM runs WHERE id = ?", (run_id,))
        return (int(row[0]), float(row[1])) if row else None

    def set_position(self, run_id: str, step: int, expected: tuple[int, float]) -> tuple[int, float] | None:
        """Set the step only if the store still holds `expected` (get_position's); the new
        position, or None if someone wrote meanwhile."""
        now = time.time()
        if now == expected[1]:  # the clock did not move: the new position must differ from the old
            now = math.nextafter(now, math.inf)
        changed = self._write(
            "UPDATE runs SET step = ?, updated = ? WHERE id = ? AND step = ? AND updated = ?",
            (step, now, run_id, expected[0], expected[1]),
        )
        return (step, now) if changed == 1 else None

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
