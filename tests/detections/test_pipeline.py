"""The AI chain end to end: beat → grab_frame → detect → persist, through the real broker, workers and channel layer."""

import asyncio
import json
import subprocess
import sys
import time

import pytest
import websockets
from django.conf import settings
from kombu import Connection, Exchange, Queue

from apps.cameras.services import camera_create, camera_set_zones, camera_update
from apps.detections.models import Detection
from apps.streaming.client import media_server as media_server_client
from tests import processes
from tests.accounts.test_login import console_login
from vms import pipeline_metrics

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.ai]


@pytest.fixture(scope="module")
def demo_plates():
    from apps.devtools.simcam.demo_video import demo_video_path, read_plates

    return {item["text"]: item["vehicle"] for item in read_plates(demo_video_path())["plates"]}


@pytest.fixture(scope="module")
def pipeline(media_server, django_db_setup, django_db_blocker):
    """Simulated camera, and every process of the pipeline, wired to the test's media server."""
    camera_port = processes.free_port()
    env = processes.test_env(
        MEDIAMTX_API_URL=media_server.api_url,
        MEDIA_RTSP_BASE_URL=f"rtsp://127.0.0.1:{media_server.rtsp_port}",
        MEDIA_HLS_BASE_URL=f"http://127.0.0.1:{media_server.hls_port}",
        # The budget itself is tested below; here a slow shared CI machine must not drop every frame.
        PIPELINE_FRAME_BUDGET_SECONDS=20,
    )
    started = [
        processes.Process(
            f"fakecamera-{camera_port}",
            [sys.executable, "manage.py", "fakecamera", "--port", str(camera_port), "gate=demo"],
            env=env,
        )
    ]
    try:
        processes.wait_for(lambda: started[0].check_alive() and "gate" in started[0].output(), 180, what="camera")
        started.append(processes.start_celery_worker("provision,probe,persist,events,default", env=env, name="io",
                                                     pool="threads", concurrency=4))
        started.append(processes.start_celery_worker("frames", env=env, name="frames", pool="threads",
                                                     concurrency=4))
        started.append(processes.start_celery_worker("detect", env=dict(env, PIPELINE_PRELOAD_MODELS="1"),
                                                     name="detect", pool="prefork", concurrency=1))
        beat = processes.Process(
            "beat",
            [str(processes.VENV_BIN / "celery"), "-A", "vms", "beat", "--loglevel", "INFO", "--max-interval", "1"],
            env=env,
        )
        started.append(beat)
        yield {"camera_url": f"rtsp://127.0.0.1:{camera_port}/gate", "env": env, "processes": started}
    finally:
        for proc in reversed(started):
            proc.stop()


@pytest.fixture
def wired(settings, media_server):
    settings.MEDIAMTX_API_URL = media_server.api_url
    settings.MEDIA_RTSP_BASE_URL = f"rtsp://127.0.0.1:{media_server.rtsp_port}"
    media_server_client.cache_clear()
    yield
    media_server_client.cache_clear()


def diagnosis(pipeline, camera):
    """What each stage saw, so a failure of this long chain says where it stopped."""
    lines = [f"metrics: {pipeline_metrics.camera_snapshot(camera.pk)}"]
    try:
        lines.append(f"media path: {media_server_client().path_state(f'cam_{camera.pk}')}")
    except Exception as error:  # the diagnosis must not hide the failure
        lines.append(f"media path: {error!r}")
    queues = subprocess.run(["rabbitmqctl", "-q", "list_queues", "-p", settings.TEST_VHOST, "name", "messages",
                             "consumers"], capture_output=True, text=True, timeout=60)
    lines.append(f"queues:\n{queues.stdout}{queues.stderr}")
    for proc in pipeline["processes"]:
        lines.append(f"--- {proc.name} (alive={proc.alive()}):\n{proc.output()[-2500:]}")
    return "\n".join(lines)


def counter(camera_id, name):
    return pipeline_metrics.camera_snapshot(camera_id).get(name, 0)


async def watch_console(base_url, cookie, until, timeout):
    """Messages pushed to a logged-in console's WebSocket until `until(message)` or the timeout."""
    url = base_url.replace("http://", "ws://") + "/ws/console/"
    headers = {"Cookie": f"sessionid={cookie}", "Origin": base_url}
    async with websockets.connect(url, additional_headers=headers) as ws:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
            except asyncio.TimeoutError:
                break
            if until(message):
                return message
    return None


def test_a_known_plate_is_detected_stored_published_and_pushed(
    pipeline, wired, alice, victor, asgi_server, demo_plates
):
    with Connection(settings.CELERY_BROKER_URL) as conn:
        queue = Queue("test-detections", Exchange("vms.events", type="topic", durable=True),
                      routing_key="detection.created", auto_delete=True)
        with conn.SimpleQueue(queue) as published:
            # An overview camera: the whole chain, YOLO's vehicle, then the plate on it, then OCR.
            camera = camera_create(actor=alice, name="Gate", rtsp_url=pipeline["camera_url"], ai_enabled=True)
            session, _ = console_login(asgi_server.base_url, "victor")
            pushed = asyncio.run(
                watch_console(
                    asgi_server.base_url,
                    session.cookies["sessionid"],
                    until=lambda m: m["event"] == "detection.created" and m["payload"]["plate_text"] in demo_plates,
                    timeout=240,
                )
            )
            if pushed is None:
                pytest.fail(f"no detection of a demo plate was pushed to the console\n{diagnosis(pipeline, camera)}")
            detection = Detection.objects.get(pk=pushed["payload"]["id"])
            assert detection.camera_id == camera.pk and detection.plate_text in demo_plates
            assert detection.vehicle_class in set(demo_plates.values())  # YOLO found the vehicle
            assert detection.snapshot and detection.plate_crop
            event = json.loads(published.get(timeout=30).body)
            assert event["type"] == "detection.created" and event["version"] == 1
            assert event["detection"]["plate_text"] in demo_plates
    # The push and the event go out inside persist; its counter moves just after.
    processes.wait_for(lambda: counter(camera.pk, "persisted") > 0, timeout=10, what="persisted counted")
    snapshot = pipeline_metrics.camera_snapshot(camera.pk)
    assert snapshot["grabbed"] > 0
    assert snapshot["latency_ms"]["frame_to_persisted"]["p50"] is not None

    # Paused: the schedule stops, no more frames are grabbed.
    camera_update(actor=alice, camera=camera, enabled=False)
    time.sleep(3)
    grabbed = counter(camera.pk, "grabbed")
    time.sleep(5)
    assert counter(camera.pk, "grabbed") == grabbed


def test_a_detection_outside_the_zones_is_not_stored(pipeline, wired, alice):
    camera = camera_create(actor=alice, name="Zoned", rtsp_url=pipeline["camera_url"], ai_enabled=True,
                           plate_camera=True)
    # The sky in the top left corner: the demo's vehicles and plates are never there.
    camera_set_zones(actor=alice, camera=camera, zones=[{"name": "sky", "points": [[0, 0], [0.2, 0], [0, 0.2]]}])
    try:
        processes.wait_for(lambda: counter(camera.pk, "grabbed") >= 20, timeout=120, what="20 frames grabbed")
    except TimeoutError as error:
        pytest.fail(f"{error}\n{diagnosis(pipeline, camera)}")
    assert not Detection.objects.filter(camera=camera).exists()
    camera_update(actor=alice, camera=camera, enabled=False)


def test_an_expired_frame_is_counted_dropped_and_not_detected(pipeline, wired, alice, monkeypatch):
    from apps.streaming import tasks
    from workers.pipeline import detect

    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: None)
    camera = camera_create(actor=alice, name="Late", rtsp_url=pipeline["camera_url"])
    ref = {"camera_id": camera.pk, "frame_id": "late-frame", "frame_time": time.time() - 60}
    # Through the broker to the running detect worker: it is refused there, not merely late.
    detect.apply_async(args=[ref], headers={"camera_id": camera.pk})
    processes.wait_for(
        lambda: pipeline_metrics.camera_snapshot(camera.pk)["dropped"].get("expired", 0) == 1, timeout=30,
        what="the expired frame counted",
    )
    snapshot = pipeline_metrics.camera_snapshot(camera.pk)
    assert snapshot["detected"] == 0 and snapshot["persisted"] == 0
    assert not Detection.objects.filter(camera=camera).exists()
