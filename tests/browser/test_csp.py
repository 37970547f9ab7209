"""The page and the API docs work under the server's Content-Security-Policy (no inline
script, nothing from another origin): every other browser test bypasses it so that
Playwright can evaluate its own predicates, so this one drives the page without bypass
and polls from Python instead."""

from __future__ import annotations

import time


def until(page, expression: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(expression):
            return
        time.sleep(0.1)
    raise AssertionError(f"never true: {expression}")


IDLE = "!!(window.__bpx && window.__bpx.rendered > 0 && window.__bpx.busy === 0 && !window.__bpx.sidePending)"


def test_the_page_steps_and_plays_under_the_policy(make_page):
    watched = make_page(bypass_csp=False)
    p = watched.page
    response = p.goto(f"{watched.base}/?preset=xor")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    until(p, IDLE)
    p.click("#btn-step")
    until(p, "window.__bpx.step === 1")
    p.click("#btn-play")  # play: the stream, plots drawing, plotly loaded
    until(p, "window.__bpx.step >= 10")
    p.click("#btn-play")
    until(p, IDLE)
    assert p.evaluate("typeof window.Plotly") == "object"
    assert not watched.problems, watched.problems  # a CSP violation is a console error


def test_the_api_docs_render_under_the_policy(make_page):
    watched = make_page(bypass_csp=False)
    p = watched.page
    p.goto(f"{watched.base}/docs")
    until(p, "document.querySelectorAll('.opblock').length > 10")
    assert not watched.problems, watched.problems
