"""Fixtures every test folder may use: a real PostgreSQL for the store tests, and nginx.

One cluster per test session, one empty database per test. Without PostgreSQL
installed the tests that need it are skipped, saying why, except on CI (CI=true),
where .ci/run installs it and a missing or failing PostgreSQL fails them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import app  # noqa: F401 - first: one BLAS thread per thread, as the server runs (app/__init__.py)
from tests import proxy
from tests.postgres import Cluster, binaries


def missing(what: str, install: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed on CI: .ci/run must `apt-get install {install}`")
    pytest.skip(f"{what} is not installed here (apt-get install {install}); CI runs these tests")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    bin_dir = binaries()
    if bin_dir is None:
        missing("PostgreSQL (initdb, pg_ctl)", "postgresql")
    cluster = Cluster(bin_dir).start()  # a cluster that will not start fails loudly
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def nginx_installed() -> None:
    if not proxy.installed():
        missing("nginx", "nginx")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request, tmp_path: Path) -> str | Path:
    """What BPX_DB would say, for each kind of store: a fresh, empty store."""
    if request.param == "sqlite":
        return tmp_path / "store.sqlite3"
    return request.getfixturevalue("postgres").new_database()
