"""Fixtures: the ASGI app in-process, and real uvicorn servers on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.support import Server


def settings_for(tmp_path: Path, **overrides) -> Settings:
    """TestClient sends `Host: testserver`, which the app serves only when told to."""
    return Settings(db=tmp_path / "store.sqlite3", allowed_hosts=["testserver", "localhost"], **overrides)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(tmp_path))) as c:  # `with`: lifespan runs
        yield c


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[callable]:
    started: list[Server] = []

    def make(workers: int = 1, db: Path | None = None, port: int | None = None) -> Server:
        server = Server(db or tmp_path / "store.sqlite3", workers, port).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def parts_made(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Each part of a Step's answer or a stream's extras actually made (app/extras.py), as
    (name, step): not those sent as another run's answer made them."""
    from app import extras

    made: list[tuple[str, int]] = []
    part_json = extras._part_json

    def counting(run, name, grid, digits):
        made.append((name, run.step))
        return part_json(run, name, grid, digits)

    monkeypatch.setattr(extras, "_part_json", counting)
    return made
