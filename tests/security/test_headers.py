"""Security headers on every kind of page: CSP that lets hls.js, WHEP and the live WebSocket work; HSTS on HTTPS only."""

import subprocess
import sys

import pytest

from tests import processes
from tests.security.conftest import client_as

pytestmark = pytest.mark.django_db


def policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.parametrize("url", ["/login/", "/cameras/", "/api/cameras/", "/health", "/no-such-page/"])
def test_every_response_has_the_content_security_policy_and_no_sniffing(url, alice):
    response = client_as(alice).get(url)
    csp = policy(response)
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_the_policy_lets_hls_js_play_from_the_media_servers_origin(settings, alice):
    settings.ALLOWED_HOSTS = ["vms.example.org"]
    settings.MEDIA_HLS_BASE_URL = "http://127.0.0.1:8888"
    settings.MEDIA_WEBRTC_BASE_URL = "https://media.example.org:8889/webrtc"
    csp = policy(client_as(alice).get("/cameras/", HTTP_HOST="vms.example.org"))
    assert {"'self'", "blob:", "http://127.0.0.1:8888", "https://media.example.org:8889"} <= set(csp["media-src"])
    assert {"'self'", "blob:"} <= set(csp["worker-src"])
    assert {"http://127.0.0.1:8888", "https://media.example.org:8889"} <= set(csp["connect-src"])
    # The console's own WebSocket, and no other host's.
    assert {"ws://vms.example.org", "wss://vms.example.org"} <= set(csp["connect-src"])
    assert "ws:" not in csp["connect-src"] and "*" not in csp["connect-src"]


def test_a_same_origin_media_path_adds_no_origin(settings, alice):
    settings.MEDIA_HLS_BASE_URL = "/hls"
    settings.MEDIA_WEBRTC_BASE_URL = "/webrtc"
    csp = policy(client_as(alice).get("/cameras/"))
    assert csp["media-src"] == ["'self'", "blob:"]


def test_console_templates_have_no_inline_scripts_styles_or_handlers():
    """What the policy forbids must not be in the pages: inline <script>, style= and on*= attributes."""
    import re

    from django.conf import settings

    bad = []
    for template in settings.BASE_DIR.joinpath("templates").rglob("*.html"):
        text = template.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", r"\sstyle=", r"\son[a-z]+=", r"javascript:"):
            bad += [f"{template.name}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert not bad


def test_a_request_for_a_host_not_allowed_is_refused_with_the_policy(alice):
    response = client_as(alice).get("/cameras/", HTTP_HOST="evil.example.org")
    assert response.status_code == 400
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_hsts_is_sent_on_https_behind_the_proxy_and_not_on_http(settings, alice):
    settings.SECURE_HSTS_SECONDS = 31536000
    client = client_as(alice)
    https = client.get("/cameras/", HTTP_X_FORWARDED_PROTO="https")
    assert https["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/cameras/")


def test_hsts_seconds_come_from_the_environment():
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)"
    env = processes.test_env(SECURE_HSTS_SECONDS="63072000")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip().splitlines()[-1] == "63072000"
