"""A camera end to end through the real broker, worker and stand-in media server."""

import json
import sys

import pytest
from kombu import Connection, Exchange, Queue
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.cameras.models import Camera, StatusChange
from apps.streaming import services
from apps.streaming.client import media_server as media_server_client
from tests import processes

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Sup3r-Secret-Pw"


@pytest.fixture(scope="module")
def cameras_server():
    """Simulated cameras: `gate` plays the demo video, `frozen` a still picture."""
    port = processes.free_port()
    proc = processes.Process(
        f"fakecamera-{port}",
        [sys.executable, "manage.py", "fakecamera", "--port", str(port), "gate=demo", "frozen=still"],
        env=processes.test_env(),
    )
    processes.wait_for(lambda: proc.check_alive() and "frozen" in proc.output(), timeout=180, what="fake cameras")
    proc.url = lambda name: f"rtsp://127.0.0.1:{port}/{name}"
    yield proc
    proc.stop()


@pytest.fixture
def wired(settings, media_server):
    """This process and its workers talk to the test's stand-in media server."""
    settings.MEDIAMTX_API_URL = media_server.api_url
    settings.MEDIA_RTSP_BASE_URL = f"rtsp://127.0.0.1:{media_server.rtsp_port}"
    settings.MEDIA_HLS_BASE_URL = f"http://127.0.0.1:{media_server.hls_port}"
    media_server_client.cache_clear()
    yield processes.test_env(
        MEDIAMTX_API_URL=settings.MEDIAMTX_API_URL,
        MEDIA_RTSP_BASE_URL=settings.MEDIA_RTSP_BASE_URL,
        MEDIA_HLS_BASE_URL=settings.MEDIA_HLS_BASE_URL,
    )
    media_server_client.cache_clear()


@pytest.fixture
def provision_worker(wired):
    worker = processes.start_celery_worker(queues="provision", env=wired, name="provision-worker")
    yield worker
    worker.stop()


def api_as(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def configured_paths():
    return {item["name"]: item for item in media_server_client().path_configs()}


@pytest.mark.slow
def test_a_camera_created_through_the_api_becomes_ready_then_online(alice, cameras_server, provision_worker):
    response = api_as(alice).post(
        "/api/cameras/", {"name": "Gate", "rtsp_url": cameras_server.url("gate")}, format="json"
    )
    assert response.status_code == 201
    camera = Camera.objects.get(pk=response.json()["id"])
    processes.wait_for(lambda: camera.path_name in configured_paths(), timeout=30, what="path in the media server")
    conf = configured_paths()[camera.path_name]
    assert conf["source"] == cameras_server.url("gate") and conf["sourceOnDemand"] is True
    processes.wait_for(
        lambda: Camera.objects.get(pk=camera.pk).provision_state == "ready", timeout=30, what="provisioned"
    )
    assert services.camera_probe(camera.pk) == "online"
    assert Camera.objects.get(pk=camera.pk).stream_state == "online"
    services.path_deprovision(camera.path_name)


def test_reconcile_restores_every_path_and_removes_orphans(alice, wired, cameras_server, media_server, monkeypatch):
    from apps.cameras.services import camera_create
    from apps.streaming import tasks

    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    cameras = [camera_create(actor=alice, name=f"Cam {i}", rtsp_url=cameras_server.url("gate")) for i in range(3)]
    client = media_server_client()
    client.path_add("cam_999", {"source": cameras_server.url("gate")})
    # As after a restart of the media server: none of our paths are there.
    for camera in cameras:
        try:
            client.path_delete(camera.path_name)
        except Exception:
            pass
    summary = services.paths_reconcile()
    paths = configured_paths()
    assert all(camera.path_name in paths for camera in cameras)
    assert "cam_999" not in paths and "cam_999" in summary["deleted"]
    assert sorted(summary["added"]) == sorted(c.path_name for c in cameras)
    # A drifted path is replaced, a matching one is left alone.
    client.path_patch(cameras[0].path_name, {"source": "rtsp://127.0.0.1:1/elsewhere"})
    summary = services.paths_reconcile()
    assert summary["replaced"] == [cameras[0].path_name] and summary["added"] == []
    assert configured_paths()[cameras[0].path_name]["source"] == cameras_server.url("gate")
    for camera in cameras:
        client.path_delete(camera.path_name)


def test_reconcile_with_one_undecryptable_camera_provisions_the_others(alice, wired, cameras_server, monkeypatch):
    from cryptography.fernet import Fernet

    from apps.cameras.services import camera_create
    from apps.streaming import tasks

    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    cameras = [
        camera_create(actor=alice, name=f"Cam {i}", rtsp_url=cameras_server.url("gate"), username="u", password=SECRET)
        for i in range(3)
    ]
    # Stored under a key this installation no longer has (FIELD_ENCRYPTION_KEY changed since).
    lost = Fernet(Fernet.generate_key()).encrypt(SECRET.encode()).decode()
    Camera.objects.filter(pk=cameras[1].pk).update(password_encrypted=lost)
    summary = services.paths_reconcile()
    paths = configured_paths()
    assert cameras[0].path_name in paths and cameras[2].path_name in paths
    assert cameras[1].path_name not in paths and summary["errors"] == [cameras[1].path_name]
    states = dict(Camera.objects.values_list("pk", "provision_state"))
    assert [states[c.pk] for c in cameras] == ["ready", "error", "ready"]
    assert "FIELD_ENCRYPTION_KEY" in Camera.objects.get(pk=cameras[1].pk).provision_error
    # Provisioning that camera alone records the same error instead of failing the task.
    assert services.camera_provision(cameras[1].pk).provision_state == "error"
    for camera in (cameras[0], cameras[2]):
        media_server_client().path_delete(camera.path_name)


def test_a_dead_camera_goes_offline_and_a_still_one_frozen_with_events(alice, wired, cameras_server, monkeypatch):
    from apps.cameras.services import camera_create
    from apps.streaming import tasks

    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    dead = camera_create(actor=alice, name="Dead", rtsp_url=f"rtsp://127.0.0.1:{processes.free_port()}/nothing")
    still = camera_create(actor=alice, name="Still", rtsp_url=cameras_server.url("frozen"))
    live = camera_create(actor=alice, name="Live", rtsp_url=cameras_server.url("gate"))
    for camera in (dead, still, live):
        services.camera_provision(camera.pk)

    from django.conf import settings

    with Connection(settings.CELERY_BROKER_URL) as conn:
        queue = Queue("test-camera-status", Exchange("vms.events", type="topic", durable=True),
                      routing_key="camera.status", auto_delete=True)
        with conn.SimpleQueue(queue) as events:
            assert services.camera_probe(dead.pk) == "offline"
            assert services.camera_probe(still.pk) == "frozen"
            assert services.camera_probe(live.pk) == "online"
            bodies = [events.get(timeout=10) for _ in range(3)]
            received = {json.loads(m.body)["camera_name"]: json.loads(m.body)["state"] for m in bodies}
            for m in bodies:
                m.ack()
    assert received == {"Dead": "offline", "Still": "frozen", "Live": "online"}
    assert StatusChange.objects.get(camera=dead).reason.startswith("source failed: connection refused")
    for camera in (dead, still, live):
        services.path_deprovision(camera.path_name)


@pytest.mark.slow
def test_passwords_never_leave_the_database(alice, cameras_server, provision_worker, client, caplog):
    from django.conf import settings

    with Connection(settings.CELERY_BROKER_URL) as conn:
        # A copy of every provisioning task message and every event.
        spy_tasks = Queue("test-spy-provision", Exchange("provision", type="direct"), routing_key="provision",
                          auto_delete=True)
        spy_events = Queue("test-spy-events", Exchange("vms.events", type="topic", durable=True), routing_key="#",
                           auto_delete=True)
        with conn.SimpleQueue(spy_tasks) as task_messages, conn.SimpleQueue(spy_events) as event_messages:
            url = cameras_server.url("gate").replace("rtsp://", f"rtsp://admin:{SECRET}@")
            created = api_as(alice).post("/api/cameras/", {"name": "Secret", "rtsp_url": url}, format="json")
            assert created.status_code == 201
            camera = Camera.objects.get(pk=created.json()["id"])
            processes.wait_for(lambda: Camera.objects.get(pk=camera.pk).provision_state == "ready", timeout=30,
                               what="provisioned")
            services.camera_probe(camera.pk)
            seen = [created.content.decode()]
            seen.append(api_as(alice).get(f"/api/cameras/{camera.pk}/").content.decode())
            seen.append(api_as(alice).get(f"/api/streaming/cameras/{camera.pk}").content.decode())
            client.force_login(alice)
            seen.append(client.get("/cameras/").content.decode())
            seen.append(client.get(f"/cameras/{camera.pk}/").content.decode())
            for messages in (task_messages, event_messages):
                while True:
                    try:
                        message = messages.get(timeout=2)
                    except messages.Empty:
                        break
                    seen.append(message.body if isinstance(message.body, str) else json.dumps(message.body))
                    message.ack()
    seen.append(provision_worker.output())
    seen.append(caplog.text)
    assert any("admin:***@" in text for text in seen)
    assert not [text[:200] for text in seen if SECRET in text]
    # The media server itself must get the real credentials.
    assert SECRET in configured_paths()[camera.path_name]["source"]
    services.path_deprovision(camera.path_name)


def test_a_recording_camera_is_pulled_all_the_time_with_the_recorder_on_and_reconcile_repairs_it(
    alice, wired, cameras_server, monkeypatch, settings
):
    from apps.cameras.services import camera_create
    from apps.streaming import tasks

    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    camera = camera_create(actor=alice, name="Gate", rtsp_url=cameras_server.url("gate"),
                           recording_mode="continuous", recording_retention_days=3)
    plain = camera_create(actor=alice, name="Lane", rtsp_url=cameras_server.url("gate"))
    services.camera_provision(camera.pk)
    services.camera_provision(plain.pk)
    conf = configured_paths()[camera.path_name]
    assert conf["record"] is True and conf["sourceOnDemand"] is False
    assert conf["recordFormat"] == "fmp4" and conf["recordDeleteAfter"] == "3d"
    assert conf["recordPath"] == f"{settings.RECORDINGS_ROOT}/%path/%Y-%m-%d_%H-%M-%S-%f"
    assert conf["recordSegmentDuration"] == services.go_duration(settings.RECORDING_SEGMENT_SECONDS)
    assert configured_paths()[plain.path_name]["record"] is False
    # Provisioned as wanted, nothing drifts; the recorder switched off behind our back is switched on again.
    assert services.paths_reconcile()["replaced"] == []
    media_server_client().path_patch(camera.path_name, {"record": False, "sourceOnDemand": True})
    assert services.paths_reconcile()["replaced"] == [camera.path_name]
    assert configured_paths()[camera.path_name]["record"] is True
    for each in (camera, plain):
        media_server_client().path_delete(each.path_name)


@pytest.mark.parametrize(
    "seconds, written", [(1, "1s"), (90, "1m30s"), (600, "10m0s"), (3600, "1h0m0s"), (86400, "1d"), (7 * 86400, "7d")]
)
def test_durations_are_written_the_way_mediamtx_writes_them_back(seconds, written):
    assert services.go_duration(seconds) == written
