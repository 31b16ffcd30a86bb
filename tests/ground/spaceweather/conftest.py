"""A real HTTP server on 127.0.0.1 that serves recorded SWPC products and misbehaves on request.

``swpc_server.behaviour[path] = mode`` makes one path misbehave; modes:

- ``"500"``: HTTP 500 every time; ``"flaky"``: HTTP 503 on the first request, then normal;
- ``"slow"``: wait ``slow_s`` seconds before answering (past the client's timeout);
- ``"malformed"``: a body that is not JSON; ``"truncated-json"``: the first half of the JSON
  with a matching Content-Length; ``"truncated"``: declares the full Content-Length, sends
  half and closes the connection;
- ``"changed"``: the product with its columns renamed (a layout change);
- ``"404"``: not found (a removed product).

Normal responses carry an ``ETag`` and ``Last-Modified`` and honour ``If-None-Match`` with 304.
"""

from __future__ import annotations

import collections
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
LAST_MODIFIED = "Fri, 07 Aug 2026 01:26:00 GMT"


def _rename_columns(data):
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return [{(k if k == "time_tag" else f"{k}_v2"): v for k, v in row.items()} for row in data]
    if isinstance(data, list) and data and isinstance(data[0], list):
        header = [h if h == "time_tag" else f"{h}_v2" for h in data[0]]
        return [header, *data[1:]]
    return data


class SWPCServer:
    def __init__(self, root: Path = DATA) -> None:
        self.root = root
        self.behaviour: dict[str, str] = {}
        self.overrides: dict[str, bytes] = {}
        self.slow_s = 1.0
        self.requests: collections.Counter[str] = collections.Counter()
        self.not_modified: collections.Counter[str] = collections.Counter()
        self.last_headers: dict[str, dict[str, str]] = {}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                path = self.path.split("?", 1)[0].lstrip("/")
                with server.lock:
                    server.requests[path] += 1
                    server.last_headers[path] = dict(self.headers.items())
                    count = server.requests[path]
                mode = server.behaviour.get(path, "ok")
                try:
                    self._answer(path, mode, count)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _send(self, status, body=b"", headers=None, length=None):
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()

            def _answer(self, path, mode, count):
                if mode == "500":
                    return self._send(500, b"Internal Server Error")
                if mode == "flaky" and count == 1:
                    return self._send(503, b"Service Unavailable")
                if mode == "404":
                    return self._send(404, b"Not Found")
                if mode == "slow":
                    time.sleep(server.slow_s)
                body = server.overrides.get(path)
                if body is None:
                    file = (server.root / path).resolve()
                    if server.root.resolve() not in file.parents or not file.is_file():
                        return self._send(404, b"Not Found")
                    body = file.read_bytes()
                if mode == "malformed":
                    return self._send(200, b"<html>Service temporarily unavailable</html>")
                if mode == "truncated-json":
                    return self._send(200, body[: len(body) // 2])
                if mode == "truncated":
                    self.close_connection = True
                    return self._send(200, body[: len(body) // 2], length=len(body))
                if mode == "changed":
                    body = json.dumps(_rename_columns(json.loads(body))).encode()
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                headers = {
                    "Content-Type": "application/json",
                    "ETag": etag,
                    "Last-Modified": LAST_MODIFIED,
                }
                if self.headers.get("If-None-Match") == etag:
                    with server.lock:
                        server.not_modified[path] += 1
                    return self._send(304, b"", headers={"ETag": etag})
                return self._send(200, body, headers=headers)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> SWPCServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset(self) -> None:
        self.behaviour.clear()
        self.overrides.clear()
        self.requests.clear()
        self.not_modified.clear()
        self.last_headers.clear()


@pytest.fixture(scope="session")
def _swpc_server_session():
    server = SWPCServer().start()
    yield server
    server.stop()


@pytest.fixture
def swpc_server(_swpc_server_session):
    """The loopback SWPC server, with behaviours and counters reset for each test."""
    _swpc_server_session.reset()
    yield _swpc_server_session
    _swpc_server_session.reset()


@pytest.fixture
def recorded():
    """Load a recorded product: ``recorded("products/alerts.json")`` -> decoded JSON."""

    def load(path: str):
        return json.loads((DATA / path).read_text())

    return load
