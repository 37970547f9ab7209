"""Server settings, from BPX_* environment variables (pydantic-settings)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_db_path() -> Path:
    """Under the user's data dir (XDG), so saved runs outlive the checkout."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "backprop-explorer" / "store.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BPX_")

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    db: Path | str = Field(
        default_factory=default_db_path,
        description="the store: a SQLite file, or a postgresql:// URL shared by several hosts",
    )
    db_pool: int = Field(10, description="PostgreSQL connections per worker")
    max_live_runs: int = Field(
        256,
        description="runs kept in memory per worker (a class of 100 stays cached); others are rebuilt by replay",
    )
    max_cache_mb: int = Field(512, description="memory for live runs and their checkpoints per worker")
    checkpoint_every: int = Field(500, description="steps between checkpoints of a live run")
    checkpoints_per_run: int = Field(
        4,
        ge=1,
        description="states of a run kept in the store, shared by workers and replicas (a run's "
        "history since its oldest is kept with them, in chunks of 500 steps)",
    )
    max_checkpoint_rows: int = Field(
        20_000,
        ge=1,
        description="checkpoint rows in the store in all (states and history chunks); beyond it "
        "the runs written longest ago lose theirs (they replay instead)",
    )
    max_body_bytes: int = Field(4_000_000, description="largest request body")
    max_stream_rate: float = Field(120.0, description="most states per second a stream sends")
    max_stream_frames: int = Field(100_000, description="most states one stream sends")
    max_stream_seconds: float = Field(
        1800.0,
        description="longest a stream stays open; it then ends (reason max_seconds) and the page "
        "opens the next one, so no connection is held for days",
    )
    max_predict_rows: int = Field(20_000, description="rows in one predict request")
    max_saved_runs: int = Field(10_000, description="saved runs kept in the store")
    max_links: int = Field(100_000, description="short links kept in the store (each at most 100 kB)")
    max_blobs: int = Field(
        5_000,
        description="stored weights and data sets that URLs and runs name as @code (each at most 4 MB)",
    )
    # What one request may cost (app/budget.py); /api/v1/meta lists them under `limits`.
    max_work: int = Field(
        2_000_000_000,
        description="most work one request may do, in parameter·rows (parameters × batch rows × steps)",
    )
    cheap_work: int = Field(
        # a Step click with the parts its panels draw, on the largest lesson (the digit net:
        # ~28 M, ~15 ms here), and its digit lab's example (the gradient over all 4000 training
        # rows: ~52 M, ~20 ms) are cheap: a class clicking Step or opening the lab must never be
        # told "busy" (the heavy lane holds one job and a queue of eight)
        100_000_000,
        description="work above this runs in the heavy lane (app/lanes.py), not the cheap lane",
    )
    max_response_mb: int = Field(64, description="largest answer, estimated before it is built")
    heavy_threads: int = Field(1, description="threads per worker for expensive requests")
    heavy_queue: int = Field(
        8, description="expensive requests that may wait; beyond that: 503 with Retry-After"
    )
    max_connections: int = Field(
        1500,  # a class of 100 browsers keeps ~600 open (six each)
        ge=1,
        description="open connections per worker (at most half the file-descriptor limit); one more "
        "is answered 503 and closed: slow clients cannot exhaust the descriptors (app/protocol.py)",
    )
    shutdown_seconds: float = Field(
        3.0, description="on SIGTERM, time for requests to finish before they are stopped"
    )
    # Browser defences (app/security.py)
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1", "[::1]"],
        description="Host header values served (DNS rebinding); a deployment adds its name, e.g. "
        'BPX_ALLOWED_HOSTS=\'["explorer.example.org"]\'; ["*"] serves any',
    )
