"""uvicorn's HTTP protocol, answering a request its parser refuses in JSON.

A URL longer than the parser takes (about 64 kB) or a malformed request line never
reaches the application; uvicorn answers it with a plain-text 400. The API promises JSON
errors that say what is allowed, so this subclass writes one (`python -m app` uses it).
"""

from __future__ import annotations

import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app.security import HEADERS, MAX_URL_BYTES


class JsonErrorsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        body = orjson.dumps(
            {
                "detail": [
                    {
                        "loc": ["request"],
                        "msg": "the request could not be read: malformed, or its URL or headers too long",
                        "type": "bad_request",
                        "code": "bad_request",
                        "allowed": f"a URL of at most {MAX_URL_BYTES} bytes",
                    }
                ]
            }
        )
        head = [STATUS_LINE[400]]
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
