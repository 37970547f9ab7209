"""The store's tables, one text for SQLite and PostgreSQL, and how older stores catch up.

Types are ones both databases read the same way: DOUBLE PRECISION is float64 in both
(PostgreSQL's REAL would be float32), BIGINT an integer. Saved runs carry their owner
(a hash of the browser's owner cookie, app/sharing.py) so each student lists their own.

Checkpoints are a cache any worker or replica may fill and read (app/runs.py): a run's
state at a step (`state`, dropped from older rows to keep a few a run) and the history
records since the last HISTORY_CHUNK boundary (`tail`; a row at a boundary carries a whole
chunk and is kept while its run has later checkpoints). `version` names the config and the
engine that computed them: a row of another is never read. Bytes are BYTEA, which
PostgreSQL reads as bytes and SQLite keeps as the blob it is given.
"""

from __future__ import annotations

SCHEMA_VERSION = 3

TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, config TEXT NOT NULL, step BIGINT NOT NULL,"
    " created DOUBLE PRECISION NOT NULL, updated DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS links (code TEXT PRIMARY KEY, payload TEXT NOT NULL,"
    " created DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS saved (id TEXT PRIMARY KEY, name TEXT NOT NULL, payload TEXT NOT NULL,"
    " created DOUBLE PRECISION NOT NULL, owner TEXT)",
    "CREATE TABLE IF NOT EXISTS blobs (code TEXT PRIMARY KEY, payload TEXT NOT NULL,"
    " created DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS checkpoints (run_id TEXT NOT NULL, version TEXT NOT NULL,"
    " step BIGINT NOT NULL, state BYTEA, tail BYTEA NOT NULL, created DOUBLE PRECISION NOT NULL,"
    " PRIMARY KEY (run_id, version, step))",
)
TABLE_NAMES = {"meta", "runs", "links", "saved", "blobs", "checkpoints"}

# From version v to v + 1, run after TABLES (which add any table a store lacks).
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: ("ALTER TABLE saved ADD COLUMN owner TEXT",),  # saved before owners: reachable by link only
    2: (),  # checkpoints: a table of its own (TABLES)
}

INDEXES = ("CREATE INDEX IF NOT EXISTS saved_by_owner ON saved (owner, created DESC, id)",)
# Steps between two history chunks of a run's checkpoints: fixed, as every worker and replica
# must cut a run's history at the same steps (and part of app/runs.py's checkpoint version).
HISTORY_CHUNK = 500


def upgrade(version: int | None) -> list[str]:
    """Statements that bring a store at `version` (None: empty) to SCHEMA_VERSION."""
    statements = list(TABLES)
    for v in range(version or SCHEMA_VERSION, SCHEMA_VERSION):
        statements += MIGRATIONS[v]
    return [*statements, *INDEXES]


class ForeignSchema(Exception):
    """The database holds something that is not a store this server can read."""


def stored_version(tables: set[str], version: str | None) -> int | None:
    """The schema version of an existing store, None for an empty database."""
    if not tables:
        return None
    if "meta" not in tables:
        raise ForeignSchema(
            f"not a Backprop Explorer store (no meta table; it holds {', '.join(sorted(tables))})"
        )
    if version is None or not version.isdigit() or not 1 <= int(version) <= SCHEMA_VERSION:
        raise ForeignSchema(f"schema version {version}, this server knows 1 to {SCHEMA_VERSION}")
    return int(version)
