"""Video behind the access policy, on real MediaMTX: `authMethod: http` asks Django's
/internal/media-auth for every HLS playlist and segment, WHEP offer and RTSP read.

MediaMTX hands Django a browser's `Authorization: Bearer` as `token` (HLS and WHEP alike) and an
RTSP client's user and password as they are; measured on v1.20.1, and why the design chose
`authMethod: http` (docs/design.md, "Video access").
"""

import time

import pytest
import requests
import yaml

from tests import processes
from tests.streaming.conftest import distinct_free_ports, ffprobe_streams, make_camera, mediamtx_available  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

READER_PASSWORD = "Reader-S3cret-77"
API_USER, API_PASSWORD = "vms-api", "Api-S3cret-88"
TOKEN_SECONDS = 6  # long enough for an on-demand source to start under load, short for the expiry test


@pytest.fixture(scope="module")
def django_for_media(django_db_setup, django_db_blocker):
    server = processes.start_asgi_server(
        env=processes.test_env(MEDIA_READER_PASSWORD=READER_PASSWORD, MEDIA_TOKEN_SECONDS=TOKEN_SECONDS,
                               MEDIAMTX_API_USER=API_USER, MEDIAMTX_API_PASSWORD=API_PASSWORD),
        name="video-asgi",
    )
    yield server
    server.stop()


@pytest.fixture
def video(django_for_media, make_camera, tmp_path, alice, settings):  # noqa: F811 (the imported fixture)
    """Two cameras on real MediaMTX, which asks Django who may read them."""
    if not mediamtx_available():
        pytest.skip("needs real MediaMTX (MEDIAMTX_BIN)")
    from apps.cameras.models import Camera
    from apps.devtools.mediamtx import Ports, binary, local_config

    source = make_camera(width=320, height=240)
    cameras = [Camera.objects.create(name=f"Cam {i}", rtsp_url=source.url) for i in (1, 2)]
    ports = Ports(*distinct_free_ports(6))
    config = local_config(ports=ports, record_path=tmp_path / "rec", auth_address=f"{django_for_media.base_url}/internal/media-auth")
    config["paths"] = {camera.path_name: {"source": source.url, "sourceOnDemand": True, "rtspTransport": "tcp"} for camera in cameras}
    path = tmp_path / "mediamtx.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    server = processes.Process(f"video-mediamtx-{ports.api}", [binary(), str(path)])
    processes.wait_for(lambda: processes.port_open(ports.hls) and processes.port_open(ports.rtsp), timeout=20, what="MediaMTX")
    # This process drives MediaMTX's API as the app does (the sweep that kicks sessions out).
    from apps.streaming.client import media_server

    settings.MEDIAMTX_API_URL = f"http://127.0.0.1:{ports.api}"
    settings.MEDIAMTX_API_USER, settings.MEDIAMTX_API_PASSWORD = API_USER, API_PASSWORD
    media_server.cache_clear()
    yield {
        "cameras": cameras,
        "hls": lambda camera: f"http://127.0.0.1:{ports.hls}/{camera.path_name}/index.m3u8",
        "whep": lambda camera: f"http://127.0.0.1:{ports.webrtc}/{camera.path_name}/whep",
        "rtsp": lambda camera, auth="": f"rtsp://{auth}127.0.0.1:{ports.rtsp}/{camera.path_name}",
        "playback": f"http://127.0.0.1:{ports.playback}",
    }
    server.stop()
    media_server.cache_clear()


def hls_status(url, token=None):
    """The playlist's status as a player sees it (cookies kept, MediaMTX's cookie check followed)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    deadline = time.monotonic() + 20
    while True:
        response = requests.Session().get(url, headers=headers, timeout=10)
        # 404 / 500 while the on-demand source starts; auth is answered before that.
        if response.status_code not in (404, 500) or time.monotonic() > deadline:
            return response.status_code
        time.sleep(0.5)


def test_hls_needs_a_token_for_that_camera(video, victor):
    from apps.streaming.media_auth import watch_token

    one, two = video["cameras"]
    token = watch_token(user=victor, camera=one)
    assert hls_status(video["hls"](one)) == 401
    assert hls_status(video["hls"](one), token) == 200
    assert hls_status(video["hls"](two), token) == 401
    assert hls_status(video["hls"](one), token[:-4] + "AAAA") == 401


def test_an_expired_token_stops_the_player(video, victor):
    from apps.streaming.media_auth import watch_token

    one = video["cameras"][0]
    token = watch_token(user=victor, camera=one)
    assert hls_status(video["hls"](one), token) == 200
    time.sleep(TOKEN_SECONDS + 1.5)
    assert hls_status(video["hls"](one), token) == 401


def test_a_whep_offer_needs_the_token(video, victor):
    from apps.streaming.media_auth import watch_token

    one = video["cameras"][0]
    offer = {"data": "v=0\r\n", "headers": {"Content-Type": "application/sdp"}, "timeout": 10}
    assert requests.post(video["whep"](one), **offer).status_code == 401
    token = watch_token(user=victor, camera=one)
    offer["headers"]["Authorization"] = f"Bearer {token}"
    # Past the auth: the offer itself ("v=0") is what MediaMTX refuses now.
    assert requests.post(video["whep"](one), **offer).status_code == 400


def test_rtsp_readers_need_their_own_credential(video):
    one = video["cameras"][0]
    assert ffprobe_streams(video["rtsp"](one)) is None
    assert ffprobe_streams(video["rtsp"](one, "vms-reader:wrong@")) is None
    streams = ffprobe_streams(video["rtsp"](one, f"vms-reader:{READER_PASSWORD}@"), timeout=20)
    assert streams and streams["codec_name"] == "h264"


def test_the_api_needs_the_apps_credential(video):
    from apps.streaming.client import MediaServerClient, MediaServerError, media_server

    assert media_server().info()["version"]
    with pytest.raises(MediaServerError) as refused:
        MediaServerClient(media_server().base_url).info()
    assert refused.value.status == 401


def test_after_logout_the_open_video_is_cut_off(video, victor):
    from django.test import Client

    from apps.streaming.media_auth import media_sessions_sweep
    from tests.conftest import PASSWORD

    one = video["cameras"][0]
    console = Client()
    console.login(username="victor", password=PASSWORD)
    token = console.get(f"/api/streaming/cameras/{one.pk}/watch-token").json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    player = requests.Session()  # keeps MediaMTX's session (cookie check followed)

    def playlist():
        return player.get(video["hls"](one), headers=headers, timeout=10)

    first = processes.wait_for(lambda: (r := playlist()).status_code == 200 and r, timeout=30, what="the HLS playlist")
    variant = requests.compat.urljoin(first.url, next(line for line in first.text.splitlines() if line and not line.startswith("#")))
    assert player.get(variant, headers=headers, timeout=10).status_code == 200
    assert media_sessions_sweep() == 0  # still logged in: nothing is cut off
    assert player.get(variant, headers=headers, timeout=10).status_code == 200

    console.post("/logout/")
    assert media_sessions_sweep() == 1
    after = player.get(variant, headers=headers, timeout=10)
    assert after.status_code in (401, 404), (after.status_code, after.text[:200])
    assert playlist().status_code == 401


def test_the_stand_in_asks_the_app_the_same_way(django_for_media, make_camera, victor):  # noqa: F811
    """`make run` without MediaMTX is protected too: the stand-in's API, HLS and playback ask /internal/media-auth."""
    from apps.cameras.models import Camera
    from apps.streaming.client import MediaServerClient, MediaServerError
    from apps.streaming.media_auth import watch_token
    from tests.streaming.conftest import StandInMediaServer

    source = make_camera(width=320, height=240)
    one, two = (Camera.objects.create(name=f"Cam {i}", rtsp_url=source.url) for i in (1, 2))
    server = StandInMediaServer(name="video-standin", auth_url=f"{django_for_media.base_url}/internal/media-auth")
    try:
        with pytest.raises(MediaServerError) as refused:
            MediaServerClient(server.api_url).info()
        assert refused.value.status == 401
        app = MediaServerClient(server.api_url, API_USER, API_PASSWORD)
        for camera in (one, two):
            app.path_add(camera.path_name, {"source": source.url, "sourceOnDemand": True})
        token = watch_token(user=victor, camera=one)
        assert hls_status(server.hls_url(one.path_name)) == 401
        assert hls_status(server.hls_url(one.path_name), token) == 200
        assert hls_status(server.hls_url(two.path_name), token) == 401
        listing = {"params": {"path": one.path_name}, "timeout": 10}
        assert requests.get(f"{server.playback_url}/list", **listing).status_code == 401
        assert requests.get(f"{server.playback_url}/list", auth=(API_USER, API_PASSWORD), **listing).status_code != 401
    finally:
        server.stop()


def test_the_playback_server_answers_only_the_app(video, victor):
    from apps.streaming.client import PlaybackClient
    from apps.streaming.media_auth import watch_token

    one = video["cameras"][0]
    listing = {"params": {"path": one.path_name}, "timeout": 10}
    assert requests.get(f"{video['playback']}/list", **listing).status_code == 401
    assert requests.get(f"{video['playback']}/list", auth=("vms-api", "wrong"), **listing).status_code == 401
    # The app's credential is let in (nothing recorded yet: an empty list, not a refusal).
    assert PlaybackClient(video["playback"], API_USER, API_PASSWORD).spans(one.path_name) == []
    # A browser's watch token is a grant for its camera's recordings too (MEDIA_RULES), not another's.
    token = {"Authorization": f"Bearer {watch_token(user=victor, camera=one)}"}
    assert requests.get(f"{video['playback']}/list", headers=token, **listing).status_code != 401
    other = {"params": {"path": video["cameras"][1].path_name}, "timeout": 10}
    assert requests.get(f"{video['playback']}/list", headers=token, **other).status_code == 401
