"""Browser defences on every response; hosts; requests from other sites; compression; hashed static."""

from __future__ import annotations

import gzip
import hashlib
import re

import pytest

from tests.support import ROOT

PATHS = ["/", "/api/v1/meta", "/api/v1/runs/nope", "/static/css/app.css", "/docs", "/openapi.json"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_defences(client, path):
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]  # never inline script
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


DATA_BLOCK = '<script type="application/json" id="meta">'  # data the page reads, never run


def test_the_pages_have_no_inline_script(client):
    for path in ("/", "/docs"):
        html = client.get(path).text
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or tag == DATA_BLOCK, tag  # every script is a file
        assert not re.search(r"\son[a-z]+=", html), "inline event handlers"
        code = html.replace(DATA_BLOCK, "<data>")
        assert not re.search(r"<script[^>]*>\s*[^<\s]", code), "script with a body"


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "127.0.0.2"])
def test_only_configured_hosts_are_served(client, host):
    response = client.get("/api/v1/saved", headers={"host": host})
    assert response.status_code == 421 and response.json()["detail"][0]["loc"] == ["header", "host"]


def test_localhost_with_a_port_is_served(client):
    assert client.get("/api/v1/meta", headers={"host": "localhost:8000"}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"origin": "http://evil.example"},
        {"origin": "null"},
    ],
)
def test_state_changes_from_another_site_are_refused(client, headers):
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 3})
    response = client.post(f"/api/v1/runs/{run_id}/reset", headers=headers)
    assert response.status_code == 403 and response.json()["detail"][0]["code"] == "cross_site"
    assert client.get(f"/api/v1/runs/{run_id}").json()["step"] == 3  # not reset
    assert client.post("/api/v1/runs", json={"preset": "xor"}, headers=headers).status_code == 403


def test_state_changes_from_the_page_itself_are_served(client):
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    same = {"sec-fetch-site": "same-origin", "origin": "http://testserver"}
    assert client.post(f"/api/v1/runs/{run_id}/reset", headers=same).status_code == 200
    assert (
        client.post(f"/api/v1/runs/{run_id}/reset", headers={"origin": "http://testserver"}).status_code
        == 200
    )


def test_reading_from_another_site_is_not_a_state_change(client):
    assert client.get("/api/v1/meta", headers={"sec-fetch-site": "cross-site"}).status_code == 200


def test_json_and_static_files_are_gzipped_when_accepted(client):
    run_id = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
    for path in (f"/api/v1/runs/{run_id}/state", "/static/js/main.js", "/api/v1/meta"):
        response = client.get(path, headers={"accept-encoding": "gzip"})
        assert response.headers.get("content-encoding") == "gzip", path
        plain = client.get(path, headers={"accept-encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert len(gzip.compress(plain.content)) < len(plain.content)


def test_static_files_have_hashed_immutable_urls(client):
    html = client.get("/").text
    main = re.search(r'src="(/static/([0-9a-f]{12})/js/bundle\.js)"', html)
    assert main, html[:500]
    response = client.get(main[1])
    assert response.status_code == 200 and "immutable" in response.headers["cache-control"]
    prefix = f"/static/{main[2]}"
    assert "immutable" in client.get(f"{prefix}/i18n/en.json").headers["cache-control"]
    assert "immutable" in client.get(f"{prefix}/vendor/plotly.min.js").headers["cache-control"]
    assert "immutable" in client.get(f"{prefix}/js/main.js").headers["cache-control"]  # each module too
    for old in (
        "/static/js/main.js",
        "/static/js/bundle.js",
    ):  # the unhashed paths still work, and revalidate
        response = client.get(old)
        assert response.status_code == 200 and response.headers["cache-control"] == "no-cache"


def test_the_hash_follows_the_content(tmp_path):
    from app.pages import tree_hash

    (tmp_path / "a.js").write_text("1")
    first = tree_hash(tmp_path)
    (tmp_path / "a.js").write_text("2")
    assert tree_hash(tmp_path) != first


def test_static_files_are_gzipped_once_and_decompress_to_the_file(client):
    from app.pages import STATIC_PREFIX

    for path in (
        f"{STATIC_PREFIX}/vendor/plotly.min.js",
        f"{STATIC_PREFIX}/js/main.js",
        f"{STATIC_PREFIX}/js/bundle.js",
        "/static/css/app.css",
    ):
        plain = client.get(path, headers={"accept-encoding": "identity"})
        packed = client.get(path, headers={"accept-encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip" and packed.headers["vary"] == "Accept-Encoding"
        assert plain.headers["vary"] == "Accept-Encoding"  # once, not once from the answer and once more
        assert packed.content == plain.content  # httpx decompresses: gzipped once, not twice
        assert packed.headers["cache-control"] == plain.headers["cache-control"]
        assert int(packed.headers["content-length"]) < len(plain.content) / 2


def plotly_traces_used() -> set[str]:
    """The trace types the page's scripts draw (`type: "…"` in static/js, less axis types)."""
    used = set()
    for script in (ROOT / "static" / "js").glob("*.js"):
        used |= set(re.findall(r'\btype: "(\w+)"', script.read_text()))
    return used - {"category", "line", "log", "linear", "date", "f32", "i8", "u8"}


def test_the_plotly_bundle_served_has_every_trace_the_page_draws():
    """The page gets plotly's cartesian bundle (a third of the full one's parse on load): a
    trace type the page starts to use must be in it, or that plot stays empty (that the bundle
    registers them: tests/browser/test_plotly.py)."""
    from app.pages import PLOTLY

    traces = set(re.findall(r'moduleType:"trace",name:"(\w+)"', PLOTLY.read_text()))
    used = plotly_traces_used()
    assert {"scatter", "heatmap", "contour", "bar"} <= used <= traces, used - traces


# static/vendor/plotly/README.md: the published bundle, and the places the page's differs in —
# its register list, and its evaluation: compiled while it downloads (the factory in parentheses)
# and run in three tasks (two groups of modules first, then the rest and the register list); and
# no other origin named for map outlines (the geo traces the bundle leaves out).
PUBLISHED_SHA256 = "79542150855a52c567260e3137095dbe2b744e6d702a5cabe67da246942fba7a"
PAGE_CHANGES = [  # (published, page's)
    (
        "register([hZ(),e$(),xJ(),HJ(),rK(),aQ(),yQ(),oee(),Fee(),lse(),Kse(),Cue()])",
        "register([hZ(),xJ(),yQ()])",
    ),
    ("Eue.exports=Due});return qHe();})();", "Eue.exports=Due});return[eP,_U,qHe];})();"),
    (
        'topojsonURL:{valType:"string",noBlank:!0,dflt:"https://cdn.plot.ly/un/"}',
        'topojsonURL:{valType:"string",noBlank:!0,dflt:""}',
    ),
    ('this, () => {\n"use strict";', 'this, (() => {\n"use strict";'),
    (
        "window.Plotly = Plotly;\nreturn Plotly;\n}));",
        "(function next(parts){var part=parts.shift();if(parts.length){part();setTimeout(next,0,parts)}"
        "else window.Plotly=part()})(Plotly.slice());\nreturn Plotly;\n})));",
    ),
]


def test_the_plotly_bundle_is_the_published_one_but_for_its_register_list_and_staging():
    from app.pages import PLOTLY

    bundle = PLOTLY.read_text()
    for published, page in PAGE_CHANGES:
        assert bundle.count(page) == 1, page
        bundle = bundle.replace(page, published)
    assert hashlib.sha256(bundle.encode()).hexdigest() == PUBLISHED_SHA256


def test_the_page_loads_its_modules_as_one_script(client):
    """One <script>: the bundle of main.js and every module it imports, directly or not, or
    with import() (app/bundle.py); without it a cold page asked for each module."""
    from app.pages import STATIC_PREFIX

    html = client.get("/").text
    scripts = re.findall(r'<script type="module" src="([^"]+)"></script>', html)
    assert scripts == [f"{STATIC_PREFIX}/js/bundle.js"] and "modulepreload" not in html
    bundled = set(re.findall(r"^// ---- ([\w.-]+) ----$", client.get(scripts[0]).text, re.M))
    deep = {"encode.js", "layout.js", "hittest.js", "frames.js", "plots.js"}  # imported by imported ones
    lazy = {"quiz.js", "tour.js", "compareview.js", "digits.js", "share.js"}  # import()ed when opened
    assert {"main.js"} | deep | lazy <= bundled <= {p.name for p in (ROOT / "static" / "js").glob("*.js")}
    # its source map, beside it, names each module's file there (the browser's tools show them)
    assert client.get(scripts[0]).text.endswith("//# sourceMappingURL=bundle.js.map\n")
    source_map = client.get(f"{scripts[0]}.map")
    assert "immutable" in source_map.headers["cache-control"]
    assert set(source_map.json()["sources"]) == bundled
    assert f'<link rel="preload" href="{STATIC_PREFIX}/vendor/plotly.min.js" as="script">' in html
