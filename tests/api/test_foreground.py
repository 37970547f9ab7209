"""Requests a person waits for go before streams' frames (app/foreground.py): every request but
a stream is counted while it runs, a frame waits for none to run (for a bounded time), and
work sent to the heavy lane no longer counts."""

from __future__ import annotations

import asyncio
import contextlib

from fastapi.testclient import TestClient

from app.foreground import Foreground
from app.main import create_app
from tests.api.conftest import settings_for


def test_a_frame_waits_until_no_request_runs():
    async def scenario() -> None:
        foreground = Foreground()
        foreground.begin()
        foreground.begin()
        waited = asyncio.ensure_future(foreground.quiet(60.0))
        foreground.end()
        await asyncio.sleep(0.3)
        assert not waited.done()  # one request still runs
        foreground.end()
        await asyncio.wait_for(waited, 10)

    asyncio.run(scenario())


def test_a_frame_waits_a_bounded_time_under_steady_requests():
    async def scenario() -> None:
        foreground = Foreground()
        foreground.begin()  # never ends
        for _ in range(3):
            await asyncio.wait_for(foreground.quiet(0.05), 10)
        assert foreground.running == 1
        assert not foreground._waiters  # a frame that gave up waiting is not kept

    asyncio.run(scenario())


def test_a_frame_that_goes_while_waiting_is_not_kept():
    async def scenario() -> None:
        foreground = Foreground()
        foreground.begin()
        waited = asyncio.ensure_future(foreground.quiet(60.0))
        await asyncio.sleep(0)
        waited.cancel()  # its client left
        with contextlib.suppress(asyncio.CancelledError):
            await waited
        assert not foreground._waiters
        foreground.end()

    asyncio.run(scenario())


def spy_counts(client: TestClient, monkeypatch) -> list[tuple[str, int]]:
    """The count of running requests that each call of the run manager's below saw, in order."""
    services = client.app.state.services
    seen: list[tuple[str, int]] = []
    for name in ("read", "stream_frame", "snapshot"):
        original = getattr(services.runs, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            seen.append((_name, services.foreground.running))
            return _original(*args, **kwargs)

        monkeypatch.setattr(services.runs, name, spy)
    return seen


def test_requests_are_counted_while_they_run_but_streams_are_not(tmp_path, monkeypatch):
    with TestClient(create_app(settings_for(tmp_path))) as client:
        seen = spy_counts(client, monkeypatch)
        run = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
        assert client.get(f"/api/v1/runs/{run}/state").status_code == 200
        assert seen == [("read", 1)]
        with client.stream("GET", f"/api/v1/runs/{run}/stream?max_frames=2&rate=100") as frames:
            assert b"event: end" in b"".join(frames.iter_bytes())
        assert {count for _, count in seen[1:]} == {0}  # the stream's reads and frames
        assert ("stream_frame", 0) in seen
        assert client.app.state.services.foreground.running == 0  # each counted once, and let go


def test_a_request_sent_to_the_heavy_lane_no_longer_counts(tmp_path, monkeypatch):
    with TestClient(create_app(settings_for(tmp_path, cheap_work=1))) as client:
        seen = spy_counts(client, monkeypatch)
        answer = client.get("/api/v1/snapshot?preset=xor&step=3&fields=step")
        assert answer.status_code == 200 and answer.json()["step"] == 3
        assert seen == [("snapshot", 0)]
        assert client.app.state.services.foreground.running == 0  # not let go twice
