"""Debian's nginx running deploy/nginx.conf, with the ports moved to free ones.

The config is the repo's own: only its listen port and its two upstream ports are
replaced, and as root a `user root;` line is added (nginx's workers would otherwise
switch to `nobody`). Pid, logs and temp files go to a temp prefix; `daemon off` keeps
it a child of the test, stopped by its pid.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support import ROOT, free_port

NGINX = "/usr/sbin/nginx"
CONFIG = ROOT / "deploy" / "nginx.conf"


def installed() -> bool:
    return os.access(NGINX, os.X_OK) or shutil.which("nginx") is not None


class Nginx:
    def __init__(self, upstreams: list[int]):
        self.upstreams = upstreams
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.prefix = Path(tempfile.mkdtemp(prefix="bpx-nginx-"))
        self.process: subprocess.Popen | None = None

    def config(self) -> str:
        text = CONFIG.read_text()
        assert "listen 127.0.0.1:8000;" in text and "server 127.0.0.1:8001;" in text
        text = text.replace("listen 127.0.0.1:8000;", f"listen 127.0.0.1:{self.port};")
        text = text.replace(
            "server 127.0.0.1:8001;\n        server 127.0.0.1:8002;\n",
            "".join(f"server 127.0.0.1:{port};\n        " for port in self.upstreams).rstrip() + "\n",
        )
        text = text.replace("error_log stderr warn;", "error_log error.log warn;")
        # which replica answered each request, so a test can see the round-robin
        text = text.replace(
            "access_log off;",
            "log_format upstream '$upstream_addr $request';\n    access_log access.log upstream;",
        )
        if os.geteuid() == 0:
            text = "user root;\n" + text
        return text

    def start(self) -> Nginx:
        conf = self.prefix / "nginx.conf"
        conf.write_text(self.config())
        binary = NGINX if os.access(NGINX, os.X_OK) else shutil.which("nginx")
        self.process = subprocess.Popen(
            [
                binary,
                "-p",
                str(self.prefix),
                "-c",
                str(conf),
                "-e",
                str(self.prefix / "error.log"),
                "-g",
                "daemon off;",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"nginx did not listen in 20 s: {self.log()}")

    def answered_by(self) -> dict[int, int]:
        """Requests each upstream port answered, from the access log."""
        counts = dict.fromkeys(self.upstreams, 0)
        path = self.prefix / "access.log"
        for line in path.read_text().splitlines() if path.exists() else []:
            for address in line.split(" ", 1)[0].split(","):
                port = int(address.rsplit(":", 1)[-1]) if ":" in address else None
                if port in counts:
                    counts[port] += 1
        return counts

    def log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.prefix, ignore_errors=True)
