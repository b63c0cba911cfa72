"""Every role × the video a browser can ask for, as compose serves it: HAProxy in front of the app
and of real MediaMTX, which asks the app about every request. The statuses are MEDIA_ENTRY_RULES
(tests/security/access_rules.py), so a stream endpoint without a rule has no row to pass."""

import time

import pytest
import requests

from tests import processes
from tests.accounts.test_login import console_login
from tests.deploy.conftest import echo_server  # noqa: F401 (a fixture)
from tests.deploy.test_haproxy import EntryPoint
from tests.security.access_rules import MEDIA_ENTRY_RULES
from tests.security.conftest import ROLES
from tests.streaming.conftest import make_camera, mediamtx_available  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]

API_USER, API_PASSWORD = "vms-api", "Entry-api-S3cret"
PASSWORDS = {"no role": "x-irrelevant-1"}  # the `nobody` fixture's; the others have the suite's


@pytest.fixture
def compose_like(django_db_setup, make_camera, echo_server, settings, monkeypatch, alice):  # noqa: F811 (fixtures)
    """HAProxy → web and real MediaMTX (asking web); one camera provisioned on it."""
    if not mediamtx_available():
        pytest.skip("needs real MediaMTX (MEDIAMTX_BIN)")
    from apps.cameras.services import camera_create
    from apps.streaming import services, tasks
    from apps.streaming.client import media_server
    from tests.streaming.conftest import MediaMTXServer

    port = processes.free_port()
    mediamtx = MediaMTXServer(name="entry-mediamtx", auth_url=f"http://127.0.0.1:{port}/internal/media-auth")
    env = processes.test_env(
        MEDIAMTX_API_URL=mediamtx.api_url, MEDIAMTX_API_USER=API_USER, MEDIAMTX_API_PASSWORD=API_PASSWORD,
        MEDIA_HLS_BASE_URL="/hls", MEDIA_WEBRTC_BASE_URL="/webrtc", API_RATE_LIMIT="",
    )
    web = processes.start_asgi_server(env=env, name="entry-asgi", port=port)
    proxy = EntryPoint(web, mediamtx, echo_server, webrtc_address=f"127.0.0.1:{mediamtx.ports.webrtc}",
                       API_RATE_PER_MIN=100000, STREAM_RATE_PER_MIN=100000)
    settings.MEDIAMTX_API_URL = mediamtx.api_url
    settings.MEDIAMTX_API_USER, settings.MEDIAMTX_API_PASSWORD = API_USER, API_PASSWORD
    media_server.cache_clear()
    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    camera = camera_create(actor=alice, name="Gate", rtsp_url=make_camera(width=320, height=240).url)
    services.camera_provision(camera.pk)
    yield proxy, camera
    proxy.stop()
    web.stop()
    mediamtx.stop()
    media_server.cache_clear()


def until_started(get):
    """MediaMTX answers 404/500 while an on-demand source starts; who may is answered before that."""
    deadline = time.monotonic() + 30
    while True:
        response = get()
        if response.status_code not in (404, 500) or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


def what_each_role_gets(base, camera, users):
    found = {}
    segment_url = None
    for role in ROLES:
        user = users[role]
        if user is None:
            browser = requests.Session()
        else:
            browser, response = console_login(base, user.username, PASSWORDS.get(role, None) or _suite_password())
            # Logged in: sent on from the login page (a user with no role lands on a 403 page saying so).
            assert response.history and response.history[0].status_code == 302, (role, response.status_code)
        grant = browser.get(f"{base}/api/streaming/cameras/{camera.pk}/watch-token", timeout=10)
        token = grant.json()["token"] if grant.status_code == 200 else ""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        playlist = until_started(lambda: browser.get(f"{base}/hls/{camera.path_name}/index.m3u8", headers=headers, timeout=10))
        segment = 0
        if playlist.status_code == 200:
            media = browser.get(requests.compat.urljoin(playlist.url, last_uri(playlist.text)), headers=headers, timeout=10)
            segment_url = requests.compat.urljoin(media.url, last_uri(media.text))
            segment = browser.get(segment_url, headers=headers, timeout=10).status_code
        offer = browser.post(f"{base}/webrtc/{camera.path_name}/whep", data="v=0\r\n", timeout=10,
                             headers=headers | {"Content-Type": "application/sdp"})
        found[role] = {"watch-token": grant.status_code, "hls playlist": playlist.status_code,
                       "hls segment": segment, "whep offer": offer.status_code}
    return found, segment_url


def last_uri(playlist_text):
    return [line for line in playlist_text.splitlines() if line and not line.startswith("#")][-1]


def _suite_password():
    from tests.conftest import PASSWORD

    return PASSWORD


def test_each_role_gets_the_video_the_rules_say_through_the_entry_point(compose_like, users):
    proxy, camera = compose_like
    found, segment_url = what_each_role_gets(proxy.base_url, camera, users)
    wrong = [
        f"{row}: expected {dict(zip(ROLES, expected))}, got { {role: found[role][row] for role in ROLES} }"
        for row, expected in MEDIA_ENTRY_RULES.items()
        if tuple(found[role][row] for role in ROLES) != expected
    ]
    assert not wrong, "\n".join(wrong)
    # A segment's address, without the session that a token opened, shows nothing.
    bare = segment_url.split("?", 1)[0]
    assert requests.get(bare, timeout=10).status_code != 200
