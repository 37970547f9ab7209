"""HTML pages: the explorer at `/`. Static assets from static/, plotly.js's cartesian bundle
from static/vendor/plotly/ (no CDN, nothing leaves the machine).

Assets are served under a content-hash prefix, /static/<hash>/..., with an immutable
cache: a browser fetches each once per version of the tree, and a new version has new
URLs. The page's ES modules come as one script made of them (app/bundle.py) under the
prefix, and what they fetch by relative URL inherits it. The old unhashed /static/...
paths keep working with a cache that revalidates.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import Headers
from starlette.types import Scope

from app import __version__, api
from app.bundle import bundle
from app.deps import SettingsDep
from app.i18n import LANGUAGES
from app.lean import lean_route

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
TEMPLATES = ROOT / "templates"
templates = Jinja2Templates(directory=TEMPLATES)
router = APIRouter(include_in_schema=False)
# plotly.js's cartesian bundle (npm plotly.js-cartesian-dist-min, the same version as the plotly
# package's full bundle, MIT, static/vendor/plotly/LICENSE) registering only the traces the page
# draws (scatter, bar, heatmap, contour; static/vendor/plotly/README.md): 1.5 MB instead of
# 4.8 MB, and evaluated in half the time of the whole cartesian bundle; evaluating plotly is the
# page load's longest main-thread task (tests/bench/bench_browser.py).
BUNDLER = Path(__file__).with_name("bundle.py")  # app/bundle.py, which makes the page's script
PLOTLY = STATIC / "vendor" / "plotly" / "plotly-page.min.js"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # the unhashed paths: use the copy only after asking if it changed


def tree_hash(root: Path = STATIC) -> str:
    """12 hex digits of SHA-256 over every static file's path and bytes (plotly's among them),
    and over the code that makes the page's bundle of them (another bundler, another bundle)."""
    digest = hashlib.sha256(BUNDLER.read_bytes())
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


STATIC_HASH = tree_hash()
STATIC_PREFIX = f"/static/{STATIC_HASH}"


class CachedStatic(StaticFiles):
    """StaticFiles with one Cache-Control for every file it serves, gzipped once per file
    version for clients that accept it (plotly.min.js is 4.8 MB: compressing it anew for
    every student would cost the server more than the rest of their first visit)."""

    def __init__(self, *, cache_control: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.cache_control = cache_control

    def file_response(self, *args: Any, **kwargs: Any) -> Any:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = self.cache_control
        return response

    async def get_response(self, path: str, scope: Scope) -> Response:
        return await gzipped(await super().get_response(path, scope), scope)


async def gzipped(response: Response, scope: Scope) -> Response:
    """A whole file's 200 as gzip from the cache, when the client accepts gzip."""
    accepts = "gzip" in Headers(scope=scope).get("accept-encoding", "")
    if not (accepts and isinstance(response, FileResponse) and response.status_code == 200):
        return response  # 304, 206 (a range), or a client without gzip: as StaticFiles made it
    stat = os.stat(response.path)
    if stat.st_size < 1000:
        return response
    body = await run_in_threadpool(_gzip, str(response.path), stat.st_mtime_ns, stat.st_size)
    headers = {k: v for k, v in response.headers.items() if k not in ("content-length", "accept-ranges")}
    return Response(body, headers={**headers, "content-encoding": "gzip", "vary": "Accept-Encoding"})


@functools.lru_cache(maxsize=256)  # the whole static tree gzipped is about 2 MB
def _gzip(path: str, mtime_ns: int, size: int) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


BUNDLE_NAME = "bundle.js"  # the page's modules as one script (app/bundle.py), beside them
MADE = (BUNDLE_NAME, f"{BUNDLE_NAME}.map")  # the files made of the modules: the script, its source map
MADE_PATHS = {f"{prefix}/js/{name}": name for name in MADE for prefix in (STATIC_PREFIX, "/static")}
assert not (STATIC / "js" / BUNDLE_NAME).exists(), "the bundle's name is taken by a module"


@functools.cache
def made_files() -> dict[str, tuple[str, bytes, tuple[bytes, dict[str, str] | None]]]:
    """The bundle and its source map (each: its media type, plain, gzipped as the pages are),
    made once a server, as the hash of the tree is: a module edited while the server runs is
    the page's after a restart, as its URL is."""
    made = bundle(STATIC / "js", "main.js", BUNDLE_NAME)
    out = {}
    for name, media_type, text in zip(
        MADE, ("text/javascript", "application/json"), (made.script, made.source_map), strict=True
    ):
        plain = text.encode()
        out[name] = (media_type, plain, api.gzipped(plain, True, api.GZIP_KEPT_LEVEL))
    return out


def page_context() -> dict[str, Any]:
    return {"version": __version__, "static": STATIC_PREFIX, "languages": LANGUAGES, "script": BUNDLE_NAME}


def json_in_html(data: bytes) -> str:
    """JSON as the text of a <script type="application/json"> data block: every "<" as its
    JSON escape, so no "</script>" or "<!--" in a string can end the block early."""
    return data.decode().replace("<", "\\u003c")


@functools.lru_cache(maxsize=8)
def rendered(
    name: str, version: tuple[int, int], meta: bytes
) -> tuple[bytes, tuple[bytes, dict[str, str] | None]]:
    """A page as HTML, plain and gzipped, for one version of its template (size, mtime) and
    the server's /meta: the same for every visitor, so rendered and compressed once, not for
    each student of a class (~1.2 ms of server CPU a page), and anew when the template is
    edited, as Jinja2 would."""
    html = templates.get_template(name).render({**page_context(), "meta": json_in_html(meta)}).encode()
    return html, api.gzipped(html, True, api.GZIP_KEPT_LEVEL)  # as GZipMiddleware would: not under 1000 bytes


def page(name: str, request: Request, meta: bytes = b"") -> Response:
    """`meta`: /meta's answer, for a page that carries it (the same bytes object each time)."""
    stat = os.stat(TEMPLATES / name)  # each page is one template file (no extends, no include)
    plain, (packed, headers) = rendered(name, (stat.st_size, stat.st_mtime_ns), meta)
    return HTMLResponse(packed, headers=headers) if api.accepts_gzip(request) else HTMLResponse(plain)


async def explorer(request: Request, settings: SettingsDep) -> Response:
    # The page reads its state from the URL itself (static/js/urlstate.js): one source of truth.
    return page("index.html", request, api.meta_for(settings)[0])


# Every student's first request: lean, as a Step (app/lean.py; ~0.5 ms of FastAPI's routing
# and dependency solving of its ~0.75 ms of server CPU).
EXPLORER_ROUTE = lean_route(router, "/", explorer, "GET", response_class=HTMLResponse)


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request) -> Response:
    """Swagger UI from the repo (static/vendor), not from a CDN, started by a script file."""
    return page("docs.html", request)


PLOTLY_PATHS = (f"{STATIC_PREFIX}/vendor/plotly.min.js", "/static/vendor/plotly.min.js")


def static_file(path: str) -> Path | None:
    """The file a static URL path names, when the path is spelled plainly (no "." or ".."
    parts, no empty ones), as app/static_answers.py remembers answers by path."""
    if path in PLOTLY_PATHS:
        return PLOTLY
    if path in MADE_PATHS:
        return BUNDLER  # made once a server by app/bundle.py: remembered as that file's answer
    for prefix in (STATIC_PREFIX + "/", "/static/"):
        if path.startswith(prefix):
            parts = path[len(prefix) :].split("/")
            if any(part in ("", ".", "..") or "\\" in part for part in parts):
                return None
            return STATIC.joinpath(*parts)
    return None


def mount_static(app: FastAPI) -> None:
    made_files()  # now: a module the bundle cannot run as a browser would stops the start (BundleError)

    def plotly(cache_control: str):
        async def plotly_js(request: Request) -> Response:
            response = FileResponse(
                PLOTLY, media_type="text/javascript", headers={"Cache-Control": cache_control}
            )
            return await gzipped(response, request.scope)

        return plotly_js

    def made_file(name: str, cache_control: str):
        async def made(request: Request) -> Response:
            media_type, plain, (packed, gzipped) = made_files()[name]
            headers = {"cache-control": cache_control}
            if not api.accepts_gzip(request):  # GZipTheRest says Vary, as for the pages
                return Response(plain, media_type=media_type, headers=headers)
            return Response(packed, media_type=media_type, headers={**headers, **(gzipped or {})})

        return made

    for path, name in MADE_PATHS.items():
        cache_control = IMMUTABLE if path.startswith(STATIC_PREFIX) else REVALIDATE
        app.add_api_route(path, made_file(name, cache_control), include_in_schema=False)
    app.add_api_route(PLOTLY_PATHS[0], plotly(IMMUTABLE), include_in_schema=False)
    app.add_api_route(PLOTLY_PATHS[1], plotly(REVALIDATE), include_in_schema=False)
    app.mount(STATIC_PREFIX, CachedStatic(directory=STATIC, cache_control=IMMUTABLE), name="static-hashed")
    app.mount("/static", CachedStatic(directory=STATIC, cache_control=REVALIDATE), name="static")
