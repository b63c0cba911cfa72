"""The entry point: deploy/haproxy/haproxy.cfg, run as it is on loopback ports in front of the real app
(uvicorn) and the stand-in media server, routes, upgrades WebSockets and rate-limits."""

import asyncio
import socket
import subprocess

import pytest
import requests

from tests import processes
from tests.accounts.test_login import console_login
from tests.deploy.conftest import HAPROXY, HAPROXY_CFG
from tests.test_websocket import receive_one

pytestmark = pytest.mark.django_db(transaction=True)

FLOWER = ("flower-admin", "flower-secret")
STATS = ("stats-admin", "stats-secret")


class EntryPoint:
    def __init__(self, asgi_server, media_server, echo_server, webrtc_address=None, **limits):
        self.port, self.stats_port, self.ice_port = (processes.free_port() for _ in range(3))
        env = {
            "PATH": "/usr/sbin:/usr/bin:/bin",
            "HAPROXY_BIND": f"127.0.0.1:{self.port}",
            "HAPROXY_STATS_BIND": f"127.0.0.1:{self.stats_port}",
            "HAPROXY_ICE_BIND": f"127.0.0.1:{self.ice_port}",
            "WEB_ADDR": asgi_server.base_url.removeprefix("http://"),
            "MEDIAMTX_HLS_ADDR": f"127.0.0.1:{media_server.hls_port}",
            # No WebRTC in the stand-in: an echo server shows what MediaMTX would receive.
            "MEDIAMTX_WEBRTC_ADDR": webrtc_address or echo_server.address,
            "MEDIAMTX_ICE_ADDR": echo_server.address,
            "FLOWER_ADDR": echo_server.address,
            "FLOWER_USER": FLOWER[0], "FLOWER_PASSWORD": FLOWER[1],
            "STATS_USER": STATS[0], "STATS_PASSWORD": STATS[1],
        }
        env.update({key: str(value) for key, value in limits.items()})
        self.process = processes.Process(f"haproxy-{self.port}", [HAPROXY, "-db", "-f", str(HAPROXY_CFG)], env=env)
        self.base_url = f"http://127.0.0.1:{self.port}"
        processes.wait_until_answers(self.process, f"{self.base_url}/haproxy-health", timeout=15, what="haproxy")
        # The web server's health check must have passed before `web` takes traffic.
        processes.wait_for(lambda: requests.get(f"{self.base_url}/health", timeout=2).status_code == 200,
                           timeout=15, what="web behind haproxy")

    def stop(self):
        self.process.stop()


@pytest.fixture(scope="module")
def entry_point(asgi_server, media_server, echo_server):
    # Limits high enough that the routing tests never meet them; the rate tests start their own.
    proxy = EntryPoint(asgi_server, media_server, echo_server, API_RATE_PER_MIN=1000, STREAM_RATE_PER_MIN=1000)
    yield proxy
    proxy.stop()


def test_the_config_checks():
    env = {"PATH": "/usr/sbin:/usr/bin:/bin", "FLOWER_PASSWORD": "x", "STATS_PASSWORD": "y"}
    result = subprocess.run([HAPROXY, "-c", "-f", str(HAPROXY_CFG)], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


def test_api_and_console_go_to_django(entry_point):
    response = requests.get(f"{entry_point.base_url}/api/me", timeout=5)
    assert response.status_code == 401 and response.json() == {"detail": "Unauthorized"}
    # Django's own JSON 404 under /api/, not HAProxy's or the media server's.
    missing = requests.get(f"{entry_point.base_url}/api/no-such-thing/", timeout=5)
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found."}
    login = requests.get(f"{entry_point.base_url}/login/", timeout=5)
    assert login.status_code == 200 and "csrfmiddlewaretoken" in login.text
    admin = requests.get(f"{entry_point.base_url}/admin/", timeout=5, allow_redirects=False)
    assert admin.status_code == 302 and "/admin/login/" in admin.headers["Location"]
    static = requests.get(f"{entry_point.base_url}/static/css/console.css", timeout=5)
    assert static.status_code == 200 and "Cache-Control" in static.headers


def test_a_request_id_is_set_at_the_edge_and_kept_when_given(entry_point):
    generated = requests.get(f"{entry_point.base_url}/health", timeout=5).headers["X-Request-ID"]
    assert len(generated) == 36  # HAProxy's uuid(), echoed by Django
    given = requests.get(f"{entry_point.base_url}/health", headers={"X-Request-ID": "abc-123"}, timeout=5)
    assert given.headers["X-Request-ID"] == "abc-123"


def test_hls_goes_to_the_media_server_with_the_prefix_stripped(entry_point, media_server):
    direct = requests.get(f"http://127.0.0.1:{media_server.hls_port}/cam_missing/index.m3u8", timeout=5)
    through = requests.get(f"{entry_point.base_url}/hls/cam_missing/index.m3u8", timeout=5)
    assert through.status_code == 404 and through.text == direct.text == "404 page not found"
    assert through.headers.get("Access-Control-Allow-Origin") == "*"  # the stand-in's header, not Django's
    django_404 = requests.get(f"{entry_point.base_url}/cam_missing/index.m3u8", timeout=5)
    assert django_404.status_code == 404 and django_404.text != direct.text


def test_webrtc_goes_to_the_media_server_with_the_prefix_stripped(entry_point):
    response = requests.post(f"{entry_point.base_url}/webrtc/cam_7/whep", data="v=0", timeout=5)
    assert response.headers.get("X-Echo") == "1"
    assert response.json()["path"] == "/cam_7/whep"


def test_webrtc_media_passes_through_the_tcp_port(entry_point):
    with socket.create_connection(("127.0.0.1", entry_point.ice_port), timeout=5) as sock:
        sock.sendall(b"GET /ice HTTP/1.0\r\n\r\n")
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
    assert b'"path": "/ice"' in received


def test_flower_needs_the_admin_credentials(entry_point):
    refused = requests.get(f"{entry_point.base_url}/flower/", timeout=5)
    assert refused.status_code == 401 and "WWW-Authenticate" in refused.headers
    wrong = requests.get(f"{entry_point.base_url}/flower/", auth=(FLOWER[0], "nope"), timeout=5)
    assert wrong.status_code == 401
    allowed = requests.get(f"{entry_point.base_url}/flower/tasks", auth=FLOWER, timeout=5)
    assert allowed.status_code == 200 and allowed.json()["path"] == "/flower/tasks"
    assert "Authorization" not in allowed.json()["headers"]  # the password stops at the edge


def test_metrics_are_not_routed_from_outside(entry_point):
    assert requests.get(f"{entry_point.base_url}/metrics", timeout=5).status_code == 403


def test_the_media_servers_auth_callback_is_not_routed_from_outside(entry_point, asgi_server):
    body = {"action": "read", "path": "cam_1", "token": "x"}
    assert requests.post(f"{entry_point.base_url}/internal/media-auth", json=body, timeout=5).status_code == 403
    # The control: on web itself (where MediaMTX asks) it answers.
    assert requests.post(f"{asgi_server.base_url}/internal/media-auth", json=body, timeout=5).status_code == 401


def test_the_stats_page(entry_point):
    stats = f"http://127.0.0.1:{entry_point.stats_port}/"
    assert requests.get(stats, timeout=5).status_code == 401
    page = requests.get(stats, auth=STATS, timeout=5)
    assert page.status_code == 200 and "Statistics Report" in page.text


def test_a_websocket_upgrades_through_the_entry_point(entry_point, victor):
    session, response = console_login(entry_point.base_url, "victor")
    assert response.status_code == 200 and "sessionid" in session.cookies
    headers = {"Cookie": f"sessionid={session.cookies['sessionid']}", "Origin": entry_point.base_url}
    url = entry_point.base_url.replace("http://", "ws://") + "/ws/console/"
    message = asyncio.run(receive_one(url, headers))
    assert message == {"event": "detection.created", "payload": {"plate": "BRA2E19"}}


def burst(url, count):
    with requests.Session() as http:
        return [http.get(url, timeout=5) for _ in range(count)]


def test_api_requests_past_the_limit_get_429(asgi_server, media_server, echo_server):
    proxy = EntryPoint(asgi_server, media_server, echo_server, API_RATE_PER_MIN=20, STREAM_RATE_PER_MIN=1000)
    try:
        answers = burst(f"{proxy.base_url}/api/me", 21)
        assert [r.status_code for r in answers[:20]] == [401] * 20  # Django answered each
        refused = answers[20]
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
        assert refused.json() == {"detail": "Too many requests."}
        # Another part of the site has its own budget (none on the console).
        assert requests.get(f"{proxy.base_url}/health", timeout=5).status_code == 200
    finally:
        proxy.stop()


def test_streaming_requests_past_the_limit_get_429(asgi_server, media_server, echo_server):
    proxy = EntryPoint(asgi_server, media_server, echo_server, API_RATE_PER_MIN=1000, STREAM_RATE_PER_MIN=30)
    try:
        answers = burst(f"{proxy.base_url}/hls/cam_missing/index.m3u8", 20) + burst(
            f"{proxy.base_url}/webrtc/cam_missing/whep", 10
        )
        assert all(r.status_code in (404, 200) for r in answers)
        refused = burst(f"{proxy.base_url}/hls/cam_missing/index.m3u8", 1)[0]
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
        # The API budget is separate.
        assert requests.get(f"{proxy.base_url}/api/me", timeout=5).status_code == 401
    finally:
        proxy.stop()


def test_the_default_limits_are_the_issue_s():
    text = HAPROXY_CFG.read_text()
    assert "presetenv API_RATE_PER_MIN      100\n" in text and "presetenv STREAM_RATE_PER_MIN   500\n" in text


def test_nothing_under_flower_or_metrics_slips_past(entry_point):
    assert requests.get(f"{entry_point.base_url}/flower/api/workers", timeout=5).status_code == 401
    assert requests.get(f"{entry_point.base_url}/flower", timeout=5).status_code == 401
    assert requests.get(f"{entry_point.base_url}/metrics/", timeout=5).status_code == 403


def raw_answer(entry_point, head):
    """Send a request head (and no body) on a raw socket; the status line of the answer."""
    with socket.create_connection(("127.0.0.1", entry_point.port), timeout=10) as sock:
        sock.sendall(head.encode())
        return sock.recv(65536).split(b"\r\n", 1)[0]


def test_a_declared_body_over_the_limit_is_refused_at_the_edge_before_it_is_sent(entry_point):
    for path in ("/api/cameras/", "/login/", "/webrtc/cam_1/whep"):
        status = raw_answer(entry_point, f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {50 * 1024 * 1024}\r\n\r\n")
        assert status.startswith(b"HTTP/1.1 413 "), (path, status)


def test_a_chunked_body_is_refused_at_the_edge(entry_point):
    status = raw_answer(entry_point, "POST /api/cameras/ HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 411 ")


def test_a_body_under_the_limit_passes_the_edge(entry_point):
    response = requests.post(f"{entry_point.base_url}/api/auth/token/", json={"username": "x", "password": "y"}, timeout=5)
    assert response.status_code == 401
