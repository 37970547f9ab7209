"""A database that stops answering while the server runs: every request that needs it gets
a 503 JSON error the client may retry (code store_unavailable, Retry-After), never a 500."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator

import httpx
import pytest

from app.store import SQLiteStore, StoreUnavailable, open_store
from tests.conftest import missing
from tests.postgres import Cluster, binaries
from tests.support import Server

WEIGHTS = [{"W": [[0.5]], "b": [0.25]}]


@pytest.fixture
def own_cluster() -> Iterator[Cluster]:
    """A cluster of this test's own: it is stopped mid-test, which the shared one must not be."""
    bin_dir = binaries()
    if bin_dir is None:
        missing("PostgreSQL (initdb, pg_ctl)", "postgresql")
    cluster = Cluster(bin_dir).start()
    yield cluster
    if cluster.data.exists():  # the test stops it (and removes its directory) unless it failed first
        cluster.stop()


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    (item,) = response.json()["detail"]
    assert item["code"] == "store_unavailable" and item["type"] == "store_unavailable"
    assert int(response.headers["retry-after"]) > 0


def test_a_stopped_postgres_gets_503_not_500(own_cluster):
    server = Server(own_cluster.new_database()).start()  # type: ignore[arg-type]
    try:
        made = httpx.post(f"{server.url}/api/v1/blobs", json={"value": WEIGHTS}, timeout=60)
        assert made.status_code == 201, made.text
        code = made.json()["code"]
        saved = httpx.post(
            f"{server.url}/api/v1/saved", json={"name": "a", "query": "preset=xor"}, timeout=60
        )
        assert saved.status_code == 201, saved.text

        own_cluster.stop()
        # reads and writes, over connections the pool held (now broken) and ones it must make
        assert_unavailable(httpx.get(f"{server.url}/api/v1/blobs/{code}", timeout=60))
        assert_unavailable(
            httpx.post(f"{server.url}/api/v1/blobs", json={"value": [{"W": [[1.0]], "b": [0.0]}]}, timeout=60)
        )
        assert_unavailable(httpx.post(f"{server.url}/api/v1/runs", json={"preset": "xor"}, timeout=60))
        assert_unavailable(httpx.get(f"{server.url}/api/v1/saved/{saved.json()['id']}", timeout=60))
        assert (
            httpx.get(f"{server.url}/api/v1/meta", timeout=60).status_code == 200
        )  # the server still serves
        assert server.process.poll() is None
    finally:
        server.stop()
    log = server.process.stdout.read().decode()
    assert "does not answer" in log and "Traceback" not in log


def test_a_sqlite_file_whose_directory_went_away_is_unavailable(tmp_path):
    folder = tmp_path / "gone"
    store = open_store(folder / "store.sqlite3")
    assert isinstance(store, SQLiteStore)
    store.put_blob("c", "[]", most=10)
    shutil.rmtree(folder)
    raised: list[BaseException] = []

    def another_worker_thread() -> None:  # a thread that has no connection yet opens the file
        try:
            store.get_blob("c")
        except BaseException as error:
            raised.append(error)

    thread = threading.Thread(target=another_worker_thread)
    thread.start()
    thread.join()
    assert len(raised) == 1 and isinstance(raised[0], StoreUnavailable), raised
    assert "gone" in str(raised[0])
    store.close()
