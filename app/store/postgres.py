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

import psycopg
from psycopg_pool import ConnectionPool

from app.store.errors import StoreError, password_of, redact
from app.store.schema import SCHEMA_VERSION, ForeignSchema, stored_version, upgrade
from app.store.sql import Params, SQLStore

CONNECT_TIMEOUT = 10  # seconds: an unreachable database stops start-up, it does not hang it


def lock_key(name: str) -> int:
    """A stable 32-bit key for pg_advisory_xact_lock, the same on every replica."""
    return zlib.crc32(f"backprop-explorer:{name}".encode())


@functools.cache
def dialect(sql: str) -> str:
    return sql.replace("?", "%s")


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
            timeout=30,
            open=True,
            name="bpx-store",
        )

    def _message(self, error: Exception) -> str:
        text = str(error).strip()
        password = password_of(self.url)
        if password:
            text = text.replace(password, "***")  # a driver message may echo the URL it was given
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
            if version == SCHEMA_VERSION and tables >= {"meta", "runs", "links", "saved", "blobs"}:
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

    def _rows(self, sql: str, params: Params = ()) -> list[tuple]:
        with self.pool.connection() as conn:
            return conn.execute(dialect(sql), params).fetchall()

    def _write(self, sql: str, params: Params = ()) -> int:
        with self.pool.connection() as conn:
            return conn.execute(dialect(sql), params).rowcount

    def _insert_capped(self, table: str, most: int, sql: str, params: Params) -> bool:
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(table),))
            (count,) = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchall()[0]
            room = int(count) < most
            if room:
                conn.execute(dialect(sql), params)
        return room
