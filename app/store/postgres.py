"""The PostgreSQL store (psycopg 3, a connection pool): any number of hosts on one database.

Statements run in autocommit, each one atomic. The two places where order between
replicas matters are single statements or short transactions: the compare-and-set of a
run's step is one conditional UPDATE (the row lock makes the second writer re-check its
condition and miss), and an insert under a cap takes a transaction-scoped advisory lock
named after the table, so concurrent saves on any replica count one after another.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool

from app.store.errors import StoreError, StoreUnavailable, password_of, redact
from app.store.schema import SCHEMA_VERSION, TABLE_NAMES, ForeignSchema, stored_version, upgrade
from app.store.sql import Execute, Params, SQLStore

T = TypeVar("T")

CONNECT_TIMEOUT = 10  # seconds: an unreachable database stops start-up, it does not hang it
# seconds a request waits for a pooled connection: queries take milliseconds, so a longer
# wait means the database is down or swamped, and the request is better answered 503 now
POOL_WAIT = 5


def lock_key(name: str) -> int:
    """A stable 32-bit key for pg_advisory_xact_lock, the same on every replica."""
    return zlib.crc32(f"backprop-explorer:{name}".encode())


@functools.cache
def dialect(sql: str) -> str:
    """`?` placeholders as psycopg's `%s`; SQL's own `%` (modulo) doubled, as psycopg reads it."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresStore(SQLStore):
    def __init__(self, url: str, pool_size: int = 10):
        self.url = url
        self.shown = redact(url)
        try:
            with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT, autocommit=True) as conn:
                self._prepare(conn)
        except (psycopg.Error, ForeignSchema) as error:
            raise StoreError(self._message(error)) from error
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
            timeout=POOL_WAIT,
            open=True,
            name="bpx-store",
        )

    def _said(self, error: Exception) -> str:
        """What the driver said, without the password (a driver message may echo the URL)."""
        text = str(error).strip()
        password = password_of(self.url)
        return text.replace(password, "***") if password else text

    def _message(self, error: Exception) -> str:
        text = self._said(error)
        what = "a foreign schema" if isinstance(error, ForeignSchema) else "unreachable or refused"
        return (
            f"cannot use the database {self.shown} ({what}): {text}. Nothing in it was changed; "
            f"check that PostgreSQL runs there and BPX_DB names an empty database or a Backprop "
            f"Explorer store."
        )

    def _prepare(self, conn: psycopg.Connection) -> None:
        """Check, then create or upgrade, in one transaction; replicas starting together take
        turns (an advisory lock), so the tables are made once."""
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key("schema"),))
            tables = {
                row[0]
                for row in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                )
            }
            row = (
                conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                if "meta" in tables
                else None
            )
            version = stored_version(tables, row[0] if row else None)
            if version == SCHEMA_VERSION and tables >= TABLE_NAMES:
                return  # nothing to write: replicas starting later change nothing
            for statement in upgrade(version):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO meta VALUES ('schema_version', %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(SCHEMA_VERSION),),
            )

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def _reached(self) -> Iterator[None]:
        """The server stopped, restarted or went out of reach, or no connection came within
        POOL_WAIT (psycopg's PoolTimeout is an OperationalError too): StoreUnavailable. The
        pool drops a broken connection when it comes back and makes new ones as it can."""
        try:
            yield
        except psycopg.OperationalError as error:
            raise StoreUnavailable(
                f"the database {self.shown} does not answer: {self._said(error)}"
            ) from error

    def _rows(self, sql: str, params: Params = ()) -> list[tuple]:
        with self._reached(), self.pool.connection() as conn:
            return conn.execute(dialect(sql), params).fetchall()

    def _write(self, sql: str, params: Params = ()) -> int:
        with self._reached(), self.pool.connection() as conn:
            return conn.execute(dialect(sql), params).rowcount

    def _insert_capped(self, table: str, most: int, sql: str, params: Params) -> bool:
        with self._reached(), self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(table),))
            (count,) = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchall()[0]
            room = int(count) < most
            if room:
                conn.execute(dialect(sql), params)
        return room

    def _checkpoint_turn(self, execute: Execute, run_id: str) -> None:
        # Two replicas writing one run's checkpoints would lock its rows in either order
        # (an upsert, then the other rows' states dropped): one at a time, as SQLite does.
        execute("SELECT pg_advisory_xact_lock(?)", (lock_key(f"checkpoints:{run_id}"),))

    def _transaction(self, work: Callable[[Execute], T]) -> T:
        with self._reached(), self.pool.connection() as conn, conn.transaction():

            def execute(sql: str, params: Params = ()) -> Any:
                return conn.execute(dialect(sql), params)

            return work(execute)
