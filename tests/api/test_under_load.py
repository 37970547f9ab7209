"""A real server under abuse: abandoned expensive requests, SIGTERM mid-work, concurrent
steps, monster URLs, clients that leave a stream."""

from __future__ import annotations

import http.client
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

# ~1.8e9 parameter·rows: inside the default budget, tens of seconds of work on this machine
HEAVY = "/api/v1/snapshot?dataset=spiral&hidden=64,64&n_samples=5000&step=80&fields=step&seed={seed}"


def abandon(url: str) -> None:
    try:
        httpx.get(url, timeout=2)
    except httpx.HTTPError:
        pass


def test_abandoned_expensive_requests_leave_the_server_answering(server_factory):
    server = server_factory()
    with ThreadPoolExecutor(40) as pool:
        futures = [pool.submit(abandon, server.url + HEAVY.format(seed=seed)) for seed in range(40)]
        # Once the 40 have reached the server the heavy lane is full, and one more gets an answer
        # at once, not a place in a queue without end. (A loaded machine can take a while to send
        # the 40: an ask that finds room is abandoned like them, and the next one asks again.)
        deadline = time.monotonic() + 20
        while True:
            try:
                busy = httpx.get(server.url + HEAVY.format(seed=99), timeout=2)
                break
            except httpx.TimeoutException:
                assert time.monotonic() < deadline, "the heavy lane never said it was full"
        assert busy.status_code == 503 and int(busy.headers["retry-after"]) > 0
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            assert httpx.get(server.url + "/api/v1/meta", timeout=5).status_code == 200
            assert httpx.get(server.url + "/", timeout=5).status_code == 200
            time.sleep(0.2)
        for future in futures:
            future.result()
    run = httpx.post(server.url + "/api/v1/runs", json={"preset": "xor"}, timeout=5).json()
    assert httpx.post(f"{server.url}/api/v1/runs/{run['id']}/step", json={}, timeout=5).status_code == 200


def test_sigterm_stops_the_server_while_it_computes(server_factory):
    server = server_factory()
    with ThreadPoolExecutor(2) as pool:
        pool.submit(abandon, server.url + HEAVY.format(seed=1))
        time.sleep(1.0)  # the work has started
        start = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=15)  # was: minutes, until SIGKILL
        assert time.monotonic() - start < 15


def test_concurrent_single_steps_each_answer_their_own_step(server_factory):
    server = server_factory()
    run_id = httpx.post(server.url + "/api/v1/runs", json={"preset": "xor"}).json()["id"]

    def step(_: int) -> int:
        response = httpx.post(
            f"{server.url}/api/v1/runs/{run_id}/step?fields=step", json={"steps": 1}, timeout=30
        )
        return response.json()["step"]

    with ThreadPoolExecutor(20) as pool:
        steps = list(pool.map(step, range(20)))
    assert sorted(steps) == list(range(1, 21))  # each request saw the step it made


def test_a_monster_url_gets_a_json_error(server_factory):
    server = server_factory()
    for size in (61_000, 70_000, 200_000):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/api/v1/snapshot?preset=xor&x=" + "a" * size)
        response = connection.getresponse()
        assert 400 <= response.status < 500
        assert response.getheader("content-type") == "application/json", (size, response.read()[:100])
        connection.close()


def test_a_client_leaving_a_stream_is_not_an_error(server_factory):
    server = server_factory()
    run_id = httpx.post(server.url + "/api/v1/runs", json={"preset": "digits"}).json()["id"]
    for _ in range(3):
        with httpx.stream("GET", f"{server.url}/api/v1/runs/{run_id}/stream?rate=60&steps_per_frame=20") as r:
            for line in r.iter_lines():
                if line.startswith("data:"):
                    break  # leave mid-stream
    time.sleep(1)
    assert httpx.get(server.url + "/api/v1/meta").status_code == 200
    server.stop()
    output = server.process.stdout.read().decode()
    assert "Traceback" not in output and "ERROR" not in output, output


def test_connections_past_the_cap_are_answered_503_not_left_hanging(tmp_path):
    """Slow clients (headers never finished) held a socket each for ever: ~20,000 exhausted the
    file descriptors and the server answered nobody. Past BPX_MAX_CONNECTIONS a connection is
    answered at once, in JSON, and closed; once the slow ones go, the server answers again."""
    import socket

    from tests.support import Server

    server = Server(tmp_path / "store.sqlite3", env={"BPX_MAX_CONNECTIONS": "4"}).start()
    try:
        slow = []
        for _ in range(4):
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(b"GET /api/v1/meta HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")  # never finished
            slow.append(sock)
        time.sleep(0.3)
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        connection.request("GET", "/api/v1/meta")
        response = connection.getresponse()
        assert response.status == 503 and response.getheader("content-type") == "application/json"
        assert int(response.getheader("retry-after")) > 0
        assert "frame-ancestors 'none'" in response.getheader("content-security-policy")
        assert response.read().startswith(b'{"detail":[{')
        for sock in slow:
            sock.close()
        time.sleep(0.3)
        assert httpx.get(server.url + "/api/v1/meta", timeout=5).status_code == 200
    finally:
        server.stop()
