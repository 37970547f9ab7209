"""schemathesis fuzzes the whole OpenAPI schema: no input may cause a 5xx."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from app.main import create_app
from app.settings import Settings

app = create_app(
    Settings(
        db=Path(tempfile.mkdtemp()) / "fuzz.sqlite3",
        max_stream_frames=3,
        allowed_hosts=["testserver", "localhost"],
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def lifespan():
    from fastapi.testclient import TestClient

    with TestClient(app):  # the store and run cache exist while fuzzing
        yield


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    if case.path.endswith("/stream"):
        case.query = {**(case.query or {}), "max_frames": 2, "rate": 120}
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
