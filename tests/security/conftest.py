"""Objects of every kind for the security tests, and clients as each role."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

ROLES = ("anonymous", "no role", "viewer", "operator", "admin")
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


@pytest.fixture(autouse=True)
def no_api_rate_limit(settings):
    """These tests call the APIs far faster than a person; the rate limit has its own tests."""
    settings.API_RATE_LIMIT = ""


@pytest.fixture
def nobody(make_user):
    """Logged in, but given no role (as a user created in the Django admin starts)."""
    from apps.accounts.models import User

    return User.objects.create_user("nobody", password="x-irrelevant-1")


@pytest.fixture
def users(alice, olivia, victor, nobody):
    return {"anonymous": None, "no role": nobody, "viewer": victor, "operator": olivia, "admin": alice}


def client_as(user, *, api=False, **kwargs):
    """A test client: JWT for the APIs, the session for the console."""
    client = Client(**kwargs)
    if user is not None:
        if api:
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {AccessToken.for_user(user)}"
        else:
            client.force_login(user)
    return client


@pytest.fixture
def objects(users, settings, tmp_path):
    """One of each: camera with a zone, mosaic (the operator's, shared), watch list, detection with a snapshot, alert."""
    from apps.cameras.models import Camera, Zone
    from apps.detections.models import Detection
    from apps.mosaics.services import mosaic_create
    from apps.watchlists.models import Alert, WatchList

    settings.MEDIA_ROOT = tmp_path / "media"
    camera = Camera.objects.create(name="Gate", rtsp_url="rtsp://192.0.2.1/live")
    Zone.objects.create(camera=camera, name="Lane", points=[[0, 0], [1, 0], [1, 1]])
    mosaic = mosaic_create(actor=users["operator"], name="Front", camera_ids=[camera.pk], shared=True)
    watchlist = WatchList.objects.create(name="Stolen", created_by=users["admin"])
    now = timezone.now()
    detection = Detection(camera=camera, first_seen=now - timedelta(seconds=5), last_seen=now, frame_time=now,
                          plate_text="ABC1D23", vehicle_class="car")
    detection.snapshot.save("snap.jpg", ContentFile(JPEG), save=False)
    detection.save()
    alert = Alert.objects.create(detection=detection, watchlist=watchlist, pattern="ABC1D23", plate_text="ABC1D23")
    return {
        "camera": camera, "mosaic": mosaic, "watchlist": watchlist, "detection": detection, "alert": alert,
        "user": users["viewer"], "snapshot": detection.snapshot.name,
    }
