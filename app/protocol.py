"""uvicorn's HTTP protocol, answering a request its parser refuses in JSON.

A URL longer than the parser takes (about 64 kB) or a malformed request line never
reaches the application; uvicorn answers it with a plain-text 400. The API promises JSON
errors that say what is allowed, so this subclass writes one (`python -m app` uses it).

uvicorn never times out a client that sends its headers or body slowly (or never
finishes them), so ~20,000 such sockets ran the worker out of file descriptors and it
answered nobody. A connection past BPX_MAX_CONNECTIONS (at most half the descriptor limit)
is answered a JSON 503 at once and closed. That keeps the server answering its own
descriptors' worth of clients; on an untrusted network put nginx in front, which times
slow clients out (README).
"""

from __future__ import annotations

import functools
import resource

import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app.security import HEADERS, MAX_URL_BYTES
from app.settings import Settings


@functools.cache
def max_connections() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    cap = Settings().max_connections
    return cap if soft == resource.RLIM_INFINITY else max(1, min(cap, soft // 2))


class JsonErrorsProtocol(HttpToolsProtocol):
    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        super().connection_made(transport)
        if len(self.connections) > max_connections():
            self._refuse(
                503,
                {
                    "loc": [],
                    "msg": "the server has as many connections open as it takes; try again shortly",
                    "type": "busy",
                    "code": "busy",
                    "most": max_connections(),
                },
                [b"retry-after: 2\r\n"],
            )

    def send_400_response(self, msg: str) -> None:
        self._refuse(
            400,
            {
                "loc": ["request"],
                "msg": "the request could not be read: malformed, or its URL or headers too long",
                "type": "bad_request",
                "code": "bad_request",
                "allowed": f"a URL of at most {MAX_URL_BYTES} bytes",
            },
        )

    def _refuse(self, status: int, item: dict, extra: list[bytes] | None = None) -> None:
        """Answer `item` as the JSON error and close the connection, before any application."""
        body = orjson.dumps({"detail": [item]})
        head = [STATUS_LINE[status], *(extra or [])]
        for name, value in [*self.server_state.default_headers, *HEADERS]:
            head.extend([name, b": ", value, b"\r\n"])
        head.extend(
            [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(head))
        self.transport.close()
