"""Fixtures for the deployment tests: repository paths, the reference files, HAProxy on loopback."""

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The external specifications, vendored unchanged (docs/reference/README.md).
REFERENCE = REPO / "docs" / "reference"
HAPROXY_CFG = REPO / "deploy" / "haproxy" / "haproxy.cfg"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


class EchoHandler(BaseHTTPRequestHandler):
    """Answers every request with the path and headers it received, as JSON."""

    def _echo(self):
        body = json.dumps({"method": self.command, "path": self.path, "headers": dict(self.headers)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Echo", "1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_DELETE = _echo

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def echo_server():
    """A tiny HTTP server on a free loopback port that says which path and headers reached it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.address = f"127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()
