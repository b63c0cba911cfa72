import asyncio
import itertools
import json
import socket
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from apps.cameras.models import Camera
from tests.netstub import Resolver

_frames = itertools.count()


def api_as(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


@pytest.fixture(autouse=True)
def resolver(monkeypatch):
    stub = Resolver(socket.getaddrinfo)
    stub.names["example.org"] = ["93.184.215.14"]  # public: saved, and never reached by a test
    monkeypatch.setattr(socket, "getaddrinfo", stub)
    return stub


@pytest.fixture
def allow_loopback(settings):
    """Webhooks to 127.0.0.1 allowed, for tests whose receiver listens there."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def camera(db):
    return Camera.objects.create(name="Gate", rtsp_url="rtsp://192.0.2.10/live")


def see(camera, text, *, at=None, confidence=0.9, vehicle_box=(0.2, 0.3, 0.6, 0.9), watchlists=True):
    """One frame in which `camera` reads plate `text`, through what the persist task runs: detections, then
    the watch lists (`watchlists=False`: the detection only, for tests that call `alert_match` themselves)."""
    from apps.detections.services import detection_record
    from workers.pipeline import persist_readings

    written = (persist_readings if watchlists else detection_record)(
        camera_id=camera.pk,
        frame_id=f"test-frame-{next(_frames)}",
        frame_time=at or timezone.now(),
        vehicles=[{"label": "car", "confidence": 0.9, "box": list(vehicle_box)}],
        plates=[{"text": text, "format": "br", "confidence": confidence, "box": [0.35, 0.75, 0.45, 0.8], "vehicle": 0}],
    )
    return written[0][0]


def later(seconds):
    return timezone.now() + timedelta(seconds=seconds)


class GroupListener:
    """A channel in a Channels group, as a console would be."""

    def __init__(self, group):
        self.layer = get_channel_layer()
        self.channel = async_to_sync(self.layer.new_channel)()
        async_to_sync(self.layer.group_add)(group, self.channel)
        self.group = group

    def receive(self, timeout=5):
        async def one():
            return await asyncio.wait_for(self.layer.receive(self.channel), timeout)

        return async_to_sync(one)()

    def events(self, timeout=2):
        """Every message until none arrives for `timeout` seconds."""
        received = []
        while True:
            try:
                received.append(self.receive(timeout))
            except (asyncio.TimeoutError, TimeoutError):
                return received

    def close(self):
        async_to_sync(self.layer.group_discard)(self.group, self.channel)


@pytest.fixture
def notifications():
    listener = GroupListener("notifications")
    yield listener
    listener.close()


@pytest.fixture
def system_notifications():
    """A queue bound to `vms.events` for `system.notification`, as another system would bind one."""
    from django.conf import settings
    from kombu import Connection, Exchange, Queue

    with Connection(settings.CELERY_BROKER_URL) as conn:
        queue = Queue(
            "test-system-notification", Exchange("vms.events", type="topic", durable=True),
            routing_key="system.notification", auto_delete=True,
        )
        with conn.SimpleQueue(queue) as events:
            while True:  # leftovers of an earlier run
                try:
                    events.get(timeout=0.2).ack()
                except events.Empty:
                    break

            def bodies(count, timeout=10):
                got = []
                for _ in range(count):
                    message = events.get(timeout=timeout)
                    got.append(json.loads(message.body) if isinstance(message.body, (str, bytes)) else message.body)
                    message.ack()
                return got

            yield bodies
