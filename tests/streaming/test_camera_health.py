"""Why a camera has no video, in words: "Test connection" names each failure, the stream state carries the
source's error on both media servers (MediaMTX's API does not expose it: the app asks the camera), and a
camera offline too long notifies operators until it is back."""

import json
import logging
import socket
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.cameras.models import Camera
from apps.streaming import services
from apps.streaming.client import media_server as media_server_client
from tests.processes import free_port
from tests.watchlists.conftest import notifications, system_notifications  # noqa: F401  (the fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Wr0ng-but-S3cret"


@pytest.fixture(autouse=True)
def provisioned_here(monkeypatch):
    """Cameras are provisioned by the tests that need it, on their own media server, not by a queued task."""
    from apps.streaming import tasks

    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)


@pytest.fixture
def closed_port():
    return f"rtsp://127.0.0.1:{free_port()}/live"


@pytest.fixture
def silent_camera():
    """A TCP port that accepts and never answers (a camera hung, or behind a black-holing firewall)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"rtsp://127.0.0.1:{listener.getsockname()[1]}/live"
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    listener.close()


def camera_at(alice, url, username="", password=""):
    from apps.cameras.services import camera_create

    return camera_create(actor=alice, name=f"Cam {free_port()}", rtsp_url=url, username=username, password=password)


def connection_answer(client, user, camera):
    client.force_login(user)
    response = client.post(f"/cameras/{camera.pk}/test-connection/")
    assert response.status_code == 200, response.content
    return response.json()


# --- Test connection: each failure in words --------------------------------------------------------


def test_a_closed_port_is_connection_refused(client, olivia, alice, closed_port):
    answer = connection_answer(client, olivia, camera_at(alice, closed_port))
    assert answer["ok"] is False and answer["kind"] == "refused"
    assert answer["message"].startswith("connection refused")


def test_a_name_that_does_not_resolve_is_dns(client, olivia, alice):
    answer = connection_answer(client, olivia, camera_at(alice, "rtsp://nosuchhost.invalid:554/live"))
    assert answer["kind"] == "dns" and "host name was not found" in answer["message"]


def test_a_path_the_camera_does_not_have_is_404(client, olivia, alice, make_camera):
    source = make_camera()
    answer = connection_answer(client, olivia, camera_at(alice, source.url.replace("/stream", "/no-such-stream")))
    assert answer["kind"] == "not_found" and answer["message"].startswith("404 not found")


def test_a_wrong_password_is_401_and_never_shown_or_logged(client, olivia, alice, make_camera, caplog):
    source = make_camera(login=("admin", "right-password"))
    camera = camera_at(alice, source.url, username="admin", password=PASSWORD)
    with caplog.at_level(logging.DEBUG):
        client.force_login(olivia)
        response = client.post(f"/cameras/{camera.pk}/test-connection/")
    answer = response.json()
    assert answer["kind"] == "unauthorized" and answer["message"].startswith("401 unauthorized")
    assert PASSWORD not in response.content.decode() and PASSWORD not in caplog.text
    entry = AuditEntry.objects.get(action="camera.test_connection")
    assert entry.changes == {"result": "unauthorized"} and PASSWORD not in json.dumps(entry.changes)


def test_the_right_password_connects_and_names_codec_and_size(client, olivia, alice, make_camera):
    source = make_camera(width=320, height=240, login=("admin", PASSWORD))
    answer = connection_answer(client, olivia, camera_at(alice, source.url, username="admin", password=PASSWORD))
    assert answer == {"ok": True, "kind": "ok", "message": "connected: H264 320×240", "codec": "h264",
                      "width": 320, "height": 240}


def test_a_codec_the_console_cannot_play_is_named(client, olivia, alice, make_camera):
    source = make_camera(codec="mjpeg")
    answer = connection_answer(client, olivia, camera_at(alice, source.url))
    assert answer["kind"] == "codec" and answer["message"].startswith("codec not supported") and "mjpeg" in answer["message"]


def test_a_camera_that_never_answers_is_a_timeout_within_the_setting(client, olivia, alice, silent_camera, settings):
    settings.CAMERA_TEST_SECONDS = 2
    started = timezone.now()
    answer = connection_answer(client, olivia, camera_at(alice, silent_camera))
    assert answer["kind"] == "timeout" and answer["message"].startswith("timeout")
    assert (timezone.now() - started).total_seconds() < 5


def test_a_server_without_ffprobe_says_so_rather_than_failing(client, olivia, alice, closed_port, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    answer = connection_answer(client, olivia, camera_at(alice, closed_port))
    assert answer["kind"] == "error" and "ffprobe is not installed" in answer["message"]


def test_a_viewer_may_not_test_a_connection(client, victor, alice, closed_port):
    camera = camera_at(alice, closed_port)
    client.force_login(victor)
    assert client.post(f"/cameras/{camera.pk}/test-connection/").status_code == 403
    assert not AuditEntry.objects.filter(action="camera.test_connection").exists()


def test_the_api_tests_a_connection_for_operators(client, olivia, victor, alice, closed_port):
    camera = camera_at(alice, closed_port)
    client.force_login(olivia)
    answer = client.post(f"/api/streaming/cameras/{camera.pk}/test-connection").json()
    assert answer["kind"] == "refused"
    client.force_login(victor)
    assert client.post(f"/api/streaming/cameras/{camera.pk}/test-connection").status_code == 403


# --- The stream state says why, on both media servers -----------------------------------------------


@pytest.fixture
def wired(settings, each_media_server):
    settings.MEDIAMTX_API_URL = each_media_server.api_url
    settings.MEDIA_RTSP_BASE_URL = each_media_server.rtsp_url("x").rsplit("/x", 1)[0]
    media_server_client.cache_clear()
    yield each_media_server
    media_server_client.cache_clear()


def provisioned_at(alice, url, **login):
    camera = camera_at(alice, url, **login)
    services.camera_provision(camera.pk)
    return camera


def poll_and_probe():
    for camera_id in services.stream_status_poll():
        services.camera_probe(camera_id)


@pytest.mark.parametrize(
    "source, reason",
    [
        ("closed", "source failed: connection refused"),
        ("missing_path", "source failed: 404 not found"),
        ("wrong_password", "source failed: 401 unauthorized"),
        ("dns", "source failed: DNS"),
    ],
)
def test_a_provisioned_camera_without_video_is_offline_with_the_source_error(
    wired, alice, make_camera, closed_port, source, reason
):
    if source == "closed":
        camera = provisioned_at(alice, closed_port)
    elif source == "dns":
        camera = provisioned_at(alice, "rtsp://nosuchhost.invalid:554/live")
    elif source == "missing_path":
        camera = provisioned_at(alice, make_camera().url.replace("/stream", "/gone"))
    else:
        camera = provisioned_at(alice, make_camera(login=("admin", "right")).url, username="admin", password=PASSWORD)
    try:
        # The media server took the path: provisioned, but its API says only "not ready", never why.
        assert Camera.objects.get(pk=camera.pk).provision_state == "ready"
        state = media_server_client().path_state(camera.path_name)
        assert {key: state[key] for key in ("ready", "readyTime", "online", "onlineTime", "source", "tracks", "readers")} == {
            "ready": False, "readyTime": None, "online": True, "onlineTime": "0001-01-01T00:00:00Z",
            "source": {"type": "rtspSource", "id": ""}, "tracks": [], "readers": [],
        }
        assert not [key for key in state if "error" in key.lower() and key != "inboundFramesInError"]
        poll_and_probe()
        camera.refresh_from_db()
        assert camera.stream_state == "offline" and camera.stream_reason.startswith(reason), camera.stream_reason
        assert PASSWORD not in camera.stream_reason
        assert camera.status_changes.get().reason == camera.stream_reason
    finally:
        services.path_deprovision(camera.path_name)


def test_the_api_and_the_push_carry_the_reason_and_one_state(client, victor, alice, closed_port, settings):
    camera = camera_at(alice, closed_port)
    Camera.objects.filter(pk=camera.pk).update(provision_state="ready")
    settings.CAMERA_TEST_SECONDS = 3
    services.camera_set_stream_state(camera_id=camera.pk, state="offline", reason="no video through the media server")
    # A better-known cause for the same state: shown, with no new row or event.
    services.camera_set_stream_state(camera_id=camera.pk, state="offline", reason="source failed: connection refused")
    assert camera.status_changes.count() == 1
    client.force_login(victor)
    stream = client.get(f"/api/streaming/cameras/{camera.pk}").json()
    assert stream["stream_reason"] == "source failed: connection refused"
    assert (stream["state"], stream["state_label"], stream["state_reason"]) == (
        "offline", "Offline", "source failed: connection refused"
    )
    assert client.get(f"/api/cameras/{camera.pk}/").json()["stream_reason"] == "source failed: connection refused"


# --- Offline too long: a notification, cleared on recovery ---------------------------------------------


def test_a_camera_offline_past_the_setting_notifies_once_and_recovery_clears_it(
    alice, closed_port, settings, notifications, system_notifications  # noqa: F811
):
    settings.CAMERA_OFFLINE_ALERT_SECONDS = 60
    settings.STREAM_STATE_HOLD_SECONDS = 0
    camera = camera_at(alice, closed_port)
    services.camera_set_stream_state(camera_id=camera.pk, state="offline", reason="source failed: connection refused")

    Camera.objects.filter(pk=camera.pk).update(stream_state_since=timezone.now() - timedelta(seconds=59))
    assert services.camera_health_notify() == ([], [])  # not long enough

    Camera.objects.filter(pk=camera.pk).update(stream_state_since=timezone.now() - timedelta(seconds=61))
    assert services.camera_health_notify() == ([camera.pk], [])
    assert services.camera_health_notify() == ([], [])  # once, not every poll
    [event] = system_notifications(1)
    assert event["type"] == "system.notification" and event["kind"] == "camera.offline"
    assert event["camera"]["id"] == camera.pk and "connection refused" in event["message"]
    assert event["level"] == "warning"
    assert Camera.objects.get(pk=camera.pk).health_alerted_at is not None

    services.camera_set_stream_state(camera_id=camera.pk, state="online")
    assert services.camera_health_notify() == ([], [camera.pk])
    assert services.camera_health_notify() == ([], [])
    [event] = system_notifications(1)
    assert event["kind"] == "camera.recovered" and event["camera"]["id"] == camera.pk
    assert Camera.objects.get(pk=camera.pk).health_alerted_at is None

    # The consoles got the same two, as toasts' input (event camera.health).
    pushed = [m["payload"] for m in notifications.events(timeout=1) if m.get("event") == "camera.health"]
    assert [(body["kind"], body["camera"]["id"]) for body in pushed] == [
        ("camera.offline", camera.pk), ("camera.recovered", camera.pk)
    ]
    assert pushed[0]["title"] == f"Camera {camera.name} is offline"


def test_camera_health_reaches_the_webhook_signed_and_retried_and_never_logs_its_url(
    alice, closed_port, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from standardwebhooks.webhooks import Webhook

    from apps.streaming import tasks
    from tests.watchlists.test_webhooks import Receiver

    receiver = Receiver([500, 200])  # the first attempt fails: the task retries
    try:
        secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
        settings.CAMERA_HEALTH_WEBHOOK_URL = receiver.url + "?token=receivers-secret"
        settings.CAMERA_HEALTH_WEBHOOK_SECRET = secret
        settings.CAMERA_OFFLINE_ALERT_SECONDS = 60
        settings.STREAM_STATE_HOLD_SECONDS = 0
        run = lambda *args: tasks.camera_health_webhook.apply(args=args)  # noqa: E731
        monkeypatch.setattr(tasks.camera_health_webhook, "delay", run)
        camera = camera_at(alice, closed_port)
        services.camera_set_stream_state(camera_id=camera.pk, state="offline", reason="source failed: connection refused")
        Camera.objects.filter(pk=camera.pk).update(stream_state_since=timezone.now() - timedelta(seconds=61))
        with django_capture_on_commit_callbacks(execute=True):
            services.camera_health_notify()
        assert len(receiver.requests) == 2
        first, second = receiver.requests
        assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]  # one message, retried
        body = Webhook(secret).verify(second["raw"], second["headers"])
        assert body["kind"] == "camera.offline" and body["camera"]["id"] == camera.pk
        assert "connection refused" in body["message"]
        assert "receivers-secret" not in caplog.text
    finally:
        receiver.stop()


def test_a_camera_health_webhook_url_that_is_no_url_stops_start_up():
    import subprocess
    import sys

    from tests.processes import test_env

    result = subprocess.run([sys.executable, "manage.py", "check"], env=test_env(CAMERA_HEALTH_WEBHOOK_URL="ftp://x"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["CAMERA_HEALTH_WEBHOOK_URL: not an http:// or https:// URL"]


def test_a_frozen_camera_notifies_too_and_zero_turns_it_off(alice, closed_port, settings):
    camera = camera_at(alice, closed_port)
    Camera.objects.filter(pk=camera.pk).update(stream_state="frozen", stream_state_since=timezone.now() - timedelta(hours=1))
    settings.CAMERA_OFFLINE_ALERT_SECONDS = 0
    assert services.camera_health_notify() == ([], [])
    settings.CAMERA_OFFLINE_ALERT_SECONDS = 30
    assert services.camera_health_notify() == ([camera.pk], [])


def test_a_bad_offline_alert_setting_stops_start_up():
    import subprocess
    import sys

    from tests.processes import test_env

    for bad in ("soon", "-5", "nan"):
        result = subprocess.run([sys.executable, "manage.py", "check"], env=test_env(CAMERA_OFFLINE_ALERT_SECONDS=bad),
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        assert result.stderr.strip().splitlines() == [
            f"CAMERA_OFFLINE_ALERT_SECONDS: {bad!r} is not a number of seconds (0 or more; 0 turns the notification off)"
        ]
