"""The docs describe this repository, in it: docs/state.md lists exactly the fields a State
has, links between docs resolve, and nothing cites notes kept outside the repository."""

from __future__ import annotations

import re
import subprocess

import pytest

from engine.presets import resolve
from engine.trainer import Run
from tests.support import ROOT

DOCS = ROOT / "docs"


def documented_fields(markdown: str) -> dict[str, set[str]]:
    """{section heading: the `names` in the first column of its table}."""
    sections: dict[str, set[str]] = {}
    heading = ""
    for line in markdown.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
        elif m := re.match(r"\|\s*`([A-Za-z_0-9]+)`\s*\|", line):
            sections.setdefault(heading, set()).add(m.group(1))
    return sections


def test_state_md_lists_every_field_of_a_real_state():
    run = Run(resolve({"preset": "batchnorm"}))  # batch norm and a test split: every optional part present
    run.advance(1)
    state = run.state().to_dict()
    layer = state["layers"][0]
    assert layer["bn"] is not None and state["metrics"]["test_loss"] is not None
    documented = documented_fields((DOCS / "state.md").read_text())
    assert documented["Top level"] == set(state)
    assert documented["batch"] == set(state["batch"])
    assert documented["layers[l]"] == set(layer)
    assert documented["layers[l].bn"] == set(layer["bn"])
    assert documented["metrics"] == set(state["metrics"])


def test_the_serializer_offers_the_fields_state_md_lists():
    from app.serialize import LAYER_FIELDS, STATE_FIELDS

    documented = documented_fields((DOCS / "state.md").read_text())
    assert set(STATE_FIELDS) == documented["Top level"]
    assert set(LAYER_FIELDS) == documented["layers[l]"]


@pytest.mark.parametrize("doc", sorted(p.name for p in DOCS.glob("*.md")) + ["../README.md"])
def test_links_between_docs_resolve(doc):
    path = DOCS / doc
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text()):
        assert (path.parent / target).exists(), (doc, target)


def test_the_repo_cites_only_itself():
    """Comments and docs once cited a design note and 'seed' notes that live outside the
    repository; what they need is in docs/ now. ('seed' alone is the RNG's seed.)"""
    pattern = r"\.\./shared|DESIGN\.md|seed[ _-]?00[0-4]|種子|种子|seed notes?\b"
    found = subprocess.run(
        [
            "git",
            "grep",
            "-niE",
            pattern,
            "--",
            "engine",
            "app",
            "static",
            "templates",
            "docs",
            "README.md",
            "tests",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    found = [line for line in found if not line.startswith("tests/test_docs.py:")]
    found = [line for line in found if not re.search(r'"field\.seed":', line)]  # 随机种子: the RNG seed
    assert not found, found


def test_api_md_names_every_endpoint(tmp_path):
    """docs/api.md's table is the API's reference for scripts: every endpoint the server serves
    is in it. GET /runs/{id}/confusion, the short links, export, import and the snippet were not."""
    from app.main import create_app
    from app.settings import Settings

    text = (DOCS / "api.md").read_text()
    named = {
        (method, re.sub(r"\{\w+\}", "{}", path))
        for method, path in re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`?\s]*)", text)
    }
    schema = create_app(Settings(db=tmp_path / "store.sqlite3")).openapi()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if (method.upper(), re.sub(r"\{\w+\}", "{}", path.removeprefix("/api/v1"))) not in named
    ]
    assert not missing, missing
