"""HTML pages: the explorer at `/`. Static assets from static/, plotly.js from the installed
plotly package (no CDN, nothing leaves the machine)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app import __version__
from app.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
templates = Jinja2Templates(directory=ROOT / "templates")
router = APIRouter(include_in_schema=False)
PLOTLY = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


@router.get("/", response_class=HTMLResponse)
def explorer(request: Request) -> HTMLResponse:
    # The page reads its state from the URL itself (static/js/urlstate.js): one source of truth.
    return templates.TemplateResponse(request, "index.html", {"version": __version__, "languages": LANGUAGES})


def mount_static(app: FastAPI) -> None:
    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(
            PLOTLY, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
        )

    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
