"""`python -m app`: serve the explorer (BPX_HOST, BPX_PORT, BPX_WORKERS)."""

from __future__ import annotations

import sys

import uvicorn

from app.settings import Settings
from app.store import StoreError, is_url, open_store, redact


def main() -> None:
    settings = Settings()
    try:
        open_store(settings.db, pool_size=1).close()  # fail now, naming the store, not on the first request
    except StoreError as error:
        sys.exit(f"Backprop Explorer cannot start: {error}")
    print(
        f"Backprop Explorer on http://{'localhost' if settings.host == '127.0.0.1' else settings.host}:"
        f"{settings.port}  (store: {redact(str(settings.db)) if is_url(settings.db) else settings.db})",
        flush=True,
    )
    uvicorn.run(
        "app.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="warning",
        http="app.protocol:JsonErrorsProtocol",
        # On SIGTERM: requests get this long, then they are cancelled and their work stops
        # at its next chunk (app/lanes.py); the process exits within a few seconds.
        timeout_graceful_shutdown=max(1, round(settings.shutdown_seconds)),
    )


if __name__ == "__main__":
    main()
