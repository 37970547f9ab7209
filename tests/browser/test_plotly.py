"""The page's plotly.js registers every trace type the page draws (static/vendor/plotly/README.md:
the bundle's register list is cut to them)."""

from __future__ import annotations

import pytest

from tests.api.test_security import plotly_traces_used

pytestmark = pytest.mark.browser


def test_the_pages_plotly_draws_every_trace_type_the_page_uses(page):
    p = page.open("?preset=xor")
    p.wait_for_function("window.Plotly")
    registered = set(p.evaluate("Object.keys(Plotly.PlotSchema.get().traces)"))
    assert plotly_traces_used() <= registered, plotly_traces_used() - registered
    assert registered == {"scatter", "bar", "heatmap", "contour"}  # and nothing the page never draws
