"""The pages (app/pages.py): rendered once per version of their template, the same bytes as
Jinja2 renders them, gzipped when the client accepts it."""

from __future__ import annotations

import os

import pytest
from fastapi.templating import Jinja2Templates

from app import pages


@pytest.mark.parametrize(("path", "name"), [("/", "index.html"), ("/docs", "docs.html")])
def test_a_page_is_its_template_rendered_gzipped_or_not(client, path, name):
    html = pages.templates.get_template(name).render(pages.page_context())
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
