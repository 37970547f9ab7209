"""The pages (app/pages.py): rendered once per version of their template, the same bytes as
Jinja2 renders them, gzipped when the client accepts it; the explorer's page carries /meta's
answer."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from fastapi.templating import Jinja2Templates
from fastapi.testclient import TestClient

from app import pages
from app.main import create_app
from tests.api.conftest import settings_for


@pytest.mark.parametrize(("path", "name"), [("/", "index.html"), ("/docs", "docs.html")])
def test_a_page_is_its_template_rendered_gzipped_or_not(client, path, name):
    meta = pages.json_in_html(client.get("/api/v1/meta").content)
    html = pages.templates.get_template(name).render({**pages.page_context(), "meta": meta})
    for _ in range(2):
        packed = client.get(path, headers={"accept-encoding": "gzip, deflate, br"})
        plain = client.get(path, headers={"accept-encoding": "identity"})
        assert packed.text == plain.text == html  # (httpx undoes the gzip)
        assert "content-encoding" not in plain.headers
        if len(html.encode()) >= 1000:  # as GZipMiddleware compresses, and says so
            assert packed.headers["content-encoding"] == "gzip"
            assert packed.headers["vary"] == plain.headers["vary"] == "Accept-Encoding"
        else:
            assert "content-encoding" not in packed.headers and "vary" not in packed.headers
        assert plain.headers["content-type"] == packed.headers["content-type"] == "text/html; charset=utf-8"


def test_an_edited_template_is_rendered_anew(client, tmp_path, monkeypatch):
    (tmp_path / "index.html").write_text("<p>one {{ version }}</p>" + " " * 2000)
    monkeypatch.setattr(pages, "TEMPLATES", tmp_path)
    monkeypatch.setattr(pages, "templates", Jinja2Templates(directory=tmp_path))
    assert client.get("/").text.startswith(f"<p>one {pages.__version__}</p>")
    assert client.get("/", headers={"accept-encoding": "identity"}).text.startswith("<p>one ")
    (tmp_path / "index.html").write_text("<p>two</p>")
    os.utime(tmp_path / "index.html", ns=(1, 1))  # another version even within the clock's tick
    assert client.get("/").text == "<p>two</p>"


META_BLOCK = re.compile(r'<script type="application/json" id="meta">(.*?)</script>', re.S)


@pytest.mark.parametrize("max_live_runs", [None, 7])
def test_the_page_carries_its_servers_meta(tmp_path: Path, max_live_runs):
    """The explorer's page carries GET /api/v1/meta's answer (the page starts without asking
    for it), this server's: its settings' limits, not another's rendered before."""
    overrides = {} if max_live_runs is None else {"max_live_runs": max_live_runs}
    with TestClient(create_app(settings_for(tmp_path, **overrides))) as client:
        (carried,) = META_BLOCK.findall(client.get("/").text)
        meta = client.get("/api/v1/meta").json()
    assert json.loads(carried) == meta
    if max_live_runs is not None:
        assert meta["limits"]["max_live_runs"] == max_live_runs


def test_json_in_a_page_cannot_end_its_block():
    text = '{"a": "</script><script>alert(1)</script><!-- x"}'
    inside = pages.json_in_html(text.encode())
    assert "<" not in inside and json.loads(inside) == json.loads(text)
