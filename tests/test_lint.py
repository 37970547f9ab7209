"""The checks of `make lint`, so CI holds every change to them: ruff and mypy."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=240
    )


def test_ruff_finds_nothing():
    checked = run("ruff", "check", ".")
    assert checked.returncode == 0, checked.stdout
    formatted = run("ruff", "format", "--check", "engine", "app", "tests")
    assert formatted.returncode == 0, formatted.stdout


def test_mypy_finds_nothing():
    typed = run("mypy", "engine", "app")
    assert typed.returncode == 0, typed.stdout
