"""The server's seams: dependencies from app/deps.py, locks in app/runs.py, a declared
response for every route."""

from __future__ import annotations

import re

from tests.support import ROOT

APP = {path.name: path.read_text() for path in (ROOT / "app").glob("*.py")}


def test_handlers_read_no_app_state():
    readers = [
        name for name, source in APP.items() if "app.state" in source and name not in ("deps.py", "main.py")
    ]
    assert not readers, f"request.app.state read outside app/deps.py: {readers}"


def test_run_locks_are_taken_in_one_place():
    takers = [name for name, source in APP.items() if re.search(r"\.lock\b", source) and name != "runs.py"]
    assert not takers, f"a run's lock taken outside app/runs.py: {takers}"


def test_every_route_declares_its_response(client):
    """Each JSON route's success answer has a schema in /openapi.json (its response model)."""
    undeclared = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            ok = next(
                (operation["responses"][c] for c in ("200", "201") if c in operation["responses"]), None
            )
            if ok is None:
                continue  # 204, 307: no body
            content = ok.get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if "application/json" in content and (not schema or schema == {"type": "object"}):
                undeclared.append(f"{method.upper()} {path}")
    assert not undeclared, undeclared
