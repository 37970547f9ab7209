"""SIGTERM with requests still queued or working, and streams open: each gets the app's own
answer (a JSON 503 with the browser defences' headers, a stream its `end` event), and the
process still exits within seconds."""

from __future__ import annotations

import http.client
import signal
import threading
import time

import httpx
import orjson
import pytest

from tests.support import Server

# Tens of seconds of work each (under a budget raised for it), and with the heavy lane's one
# thread the others wait: none can finish in the grace SIGTERM gives (the repro had the digit
# net at step 2600, which a fast machine finishes first).
SLOW = "/api/v1/snapshot?dataset=spiral&hidden=64,64&n_samples=5000&step=2000&fields=step&seed={seed}"
ROOM = {"BPX_MAX_WORK": str(10**11), "BPX_SHUTDOWN_SECONDS": "1"}


def ask(port: int, path: str, answers: list) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        answers.append((response.status, dict(response.getheaders()), response.read()))
    except (OSError, http.client.HTTPException) as error:
        answers.append((None, {}, repr(error).encode()))
    finally:
        connection.close()


def stream_events(url: str, events: list) -> None:
    try:
        with httpx.stream("GET", url, timeout=30) as response:
            for line in response.iter_lines():
                events.append(line)
    except httpx.HTTPError as error:
        events.append(f"error: {error!r}")


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_answers_unfinished_requests_in_json_and_ends_streams(tmp_path, workers):
    server = Server(tmp_path / "store.sqlite3", workers=workers, env=ROOM).start()
    try:
        run_id = httpx.post(server.url + "/api/v1/runs", json={"preset": "xor"}).json()["id"]
        answers: list = []
        events: list = []
        threads = [
            threading.Thread(target=ask, args=(server.port, SLOW.format(seed=seed), answers))
            for seed in range(200, 205)
        ]
        threads.append(
            threading.Thread(
                target=stream_events,
                args=(f"{server.url}/api/v1/runs/{run_id}/stream?rate=5&fields=step", events),
            )
        )
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        start = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        for thread in threads:
            thread.join(30)
        server.process.wait(timeout=15)
        assert time.monotonic() - start < 10
    finally:
        server.stop()
    output = server.process.stdout.read().decode()
    assert len(answers) == 5
    for status, headers, body in answers:
        assert status == 503, (status, body[:200], output)
        assert headers["content-type"] == "application/json", (status, body[:200])
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert orjson.loads(body)["detail"][0]["code"] == "shutting_down"
        assert int(headers["retry-after"]) > 0
    assert "event: end" in events, events[-5:]
    end = orjson.loads(events[events.index("event: end") + 1][len("data: ") :])
    assert end["reason"] == "shutting_down" and end["step"] > 0
    assert not any(e.startswith("error:") for e in events), events[-3:]
    assert "Internal Server Error" not in output and "Exception in ASGI application" not in output, output
