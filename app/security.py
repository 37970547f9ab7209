"""Browser defences, on every response: the page is safe to open from any link.

- Only the configured hosts are served (BPX_ALLOWED_HOSTS; localhost by default), so a
  web page on another name that resolves to 127.0.0.1 (DNS rebinding) reads nothing.
- Requests that change state (anything but GET/HEAD/OPTIONS) are refused when the
  browser says they come from another site (Sec-Fetch-Site, else Origin): another page
  cannot reset a student's run or fill the store (CSRF). Scripts and curl send neither
  header and are served as before.
- Content-Security-Policy: scripts only from this server and never inline, nothing
  framed, nothing sent elsewhere; plus X-Content-Type-Options, Referrer-Policy and
  X-Frame-Options for browsers that do not read frame-ancestors.
- A URL longer than MAX_URL_BYTES gets a JSON 414 (uvicorn's parser refuses longer ones
  with a JSON 400, see app/protocol.py).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Plotly sets inline styles (style="" and <style>), hence 'unsafe-inline' for styles only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
READ = frozenset({b"host", b"sec-fetch-site", b"origin"})  # the request headers the defences read
MAX_URL_BYTES = 60_000


def host_name(host: str) -> str:
    """ "localhost:8000" -> "localhost", "[::1]:8000" -> "[::1]"."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if ":" in host else host


class BrowserDefences:
    def __init__(self, app: ASGIApp, allowed_hosts: list[str]):
        self.app = app
        self.any_host = "*" in allowed_hosts
        self.allowed = {h.lower() for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        headers = {  # the three it reads (the last of each, as a dict of them all would keep)
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in READ
        }
        host = headers.get("host", "")
        refusal = self._refusal(scope, headers, host)
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope, headers: dict[str, str], host: str) -> JSONResponse | None:
        if not self.any_host and host_name(host) not in self.allowed:
            return _error(
                421,
                ["header", "host"],
                f"this server does not serve the host {host[:100]!r}",
                "a host in BPX_ALLOWED_HOSTS: " + ", ".join(sorted(self.allowed)),
                "host",
            )
        if len(scope.get("raw_path", b"")) + len(scope.get("query_string", b"")) > MAX_URL_BYTES:
            return _error(
                414,
                ["query"],
                "the URL is too long",
                f"at most {MAX_URL_BYTES} bytes; store large values with POST /api/v1/blobs",
                "too_long",
            )
        if scope["method"] not in SAFE_METHODS and _cross_site(headers, host):
            return _error(
                403,
                ["header", "origin"],
                "a request that changes state came from another site",
                "requests from this server's own pages, or from scripts (no Origin header)",
                "cross_site",
            )
        return None


def _cross_site(headers: dict[str, str], host: str) -> bool:
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")  # "none": typed in the address bar, a bookmark
    origin = headers.get("origin")
    if origin is None:
        return False  # not a browser's cross-origin request (curl, scripts, same-origin GET forms)
    return origin == "null" or urlsplit(origin).netloc.lower() != host.lower()


def _error(status: int, loc: list[str], msg: str, allowed: str, code: str) -> JSONResponse:
    item = {"loc": loc, "msg": msg, "type": code, "code": code, "allowed": allowed}
    return JSONResponse({"detail": [item]}, status_code=status)
