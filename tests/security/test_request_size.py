"""Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE are refused with 413 before any parser reads them; never a 500."""

import json
import select
import socket

import pytest

from tests.security.conftest import client_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000


def big_json():
    return json.dumps({"name": "x" * 20_000, "rtsp_url": "rtsp://192.0.2.1/live"})


@pytest.mark.parametrize("url", ["/api/cameras/", "/api/streaming/cameras/{camera}/provision", "/api/auth/token/"])
def test_an_oversized_json_body_gets_a_413_json_answer_on_the_apis(url, alice, objects):
    from apps.cameras.models import Camera

    before = Camera.objects.count()
    response = client_as(alice, api=True).post(url.format(camera=objects["camera"].pk), big_json(), content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: at most 10000 bytes."}
    assert Camera.objects.count() == before


def test_an_oversized_form_gets_a_413_page_on_the_console(alice):
    response = client_as(alice).post("/cameras/add/", {"name": "x" * 20_000, "rtsp_url": "rtsp://192.0.2.1/live"})
    assert response.status_code == 413
    assert "Request body too large" in response.content.decode()


def test_a_body_under_the_limit_still_works(alice):
    response = client_as(alice, api=True).post(
        "/api/cameras/", {"name": "Small", "rtsp_url": "rtsp://192.0.2.1/live"}, content_type="application/json"
    )
    assert response.status_code == 201


def test_the_limit_is_set_explicitly():
    from vms import settings as project_settings

    assert project_settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024


# --- on the real ASGI server: a chunked body declares no length (vms.security.AsgiBodyLimit) -------

FIFTY_MB = 50 * 1024 * 1024


def send_chunked(base_url, path, total=FIFTY_MB, chunk=64 * 1024):
    """Stream `total` bytes as a chunked body until the server answers; (bytes sent, raw answer)."""
    host, port = base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n".encode()
    )
    frame = f"{chunk:x}\r\n".encode() + b"x" * chunk + b"\r\n"
    sent = 0
    sock.settimeout(2)
    try:
        while sent < total and not select.select([sock], [], [], 0)[0]:
            sock.sendall(frame)
            sent += chunk
        if sent >= total:
            sock.sendall(b"0\r\n\r\n")
    except (TimeoutError, BrokenPipeError, ConnectionResetError):
        pass  # the server stopped reading: its answer is on the way
    sock.settimeout(10)
    answer = b""
    try:
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    finally:
        sock.close()
    return sent, answer


@pytest.mark.parametrize("path", ["/api/cameras/", "/login/"])
def test_a_chunked_50_mb_body_is_refused_with_413_without_being_read_whole(asgi_server, path):
    sent, answer = send_chunked(asgi_server.base_url, path)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # The limit is 1 MiB; what was sent past it sits in socket buffers, never read by the app.
    assert sent < FIFTY_MB / 5, f"{sent} bytes went in before the answer"


def test_a_small_chunked_body_still_reaches_the_app(asgi_server):
    sent, answer = send_chunked(asgi_server.base_url, "/api/auth/token/", total=1, chunk=16)
    # Through to DRF: the 16 x's are not JSON (400), not refused for size.
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]


def test_a_declared_50_mb_body_is_refused_before_it_is_sent(asgi_server):
    host, port = asgi_server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"POST /api/cameras/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {FIFTY_MB}\r\n\r\n".encode())
        assert sock.recv(65536).startswith(b"HTTP/1.1 413")
