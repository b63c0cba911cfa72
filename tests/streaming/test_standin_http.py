"""The stand-in media server's HTTP side: a viewer that leaves mid-segment is normal (no traceback in its log),
while a real fault in a handler still is one."""

import socket
import struct
import threading
import time

import pytest

from apps.devtools.mediaserver.hls import serve_hls
from tests import processes


class OneSegment:
    """The muxers' two questions, answered with one big file (or a fault)."""

    def __init__(self, path, fault=None):
        self.path, self.fault = path, fault

    def playlist(self, name):
        return self.path

    def segment(self, name, filename):
        if self.fault:
            raise self.fault
        return self.path


@pytest.fixture
def hls(tmp_path):
    servers = []

    def start(muxers):
        server = serve_hls("127.0.0.1", processes.free_port(), muxers, path_exists=lambda name: True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def ask_and_leave(port, path):
    """Ask for `path`, read a little, and drop the connection with a reset (as a closed tab does)."""
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    client.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    client.recv(1024)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()


def test_a_viewer_leaving_mid_segment_leaves_no_traceback(hls, tmp_path, capfd):
    segment = tmp_path / "seg1.mp4"
    segment.write_bytes(b"\0" * (64 * 1024 * 1024))  # far more than the socket buffers hold
    port = hls(OneSegment(segment))
    for _ in range(3):
        ask_and_leave(port, "/cam/seg1.mp4")
    time.sleep(1)  # the server's threads hit the closed socket
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err, err


def test_a_fault_in_a_handler_is_still_a_traceback(hls, tmp_path, capfd):
    port = hls(OneSegment(tmp_path / "none.mp4", fault=ValueError("a real bug")))
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    client.sendall(b"GET /cam/seg1.mp4 HTTP/1.1\r\nHost: x\r\n\r\n")
    client.recv(1024)
    client.close()
    time.sleep(0.5)
    err = capfd.readouterr().err
    assert "Traceback" in err and "ValueError: a real bug" in err
