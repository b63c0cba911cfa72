"""Deleting a camera keeps its evidence; purging it is a separate, typed, audited step for admins."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.cameras.models import Camera
from apps.cameras.services import camera_create, camera_delete
from apps.detections.models import Detection
from apps.mosaics.services import mosaic_create
from apps.watchlists.models import Alert, WatchList

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    from apps.streaming import tasks

    sent = []
    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: sent.append(("provision", camera_id)))
    monkeypatch.setattr(tasks.deprovision_path, "delay", lambda path: sent.append(("deprovision", path)))
    return sent


@pytest.fixture
def evidence(alice, olivia, queued, settings, tmp_path):
    """A camera in a mosaic with one detection (snapshot on disk) that raised an alert, then deleted."""
    settings.MEDIA_ROOT = tmp_path / "media"
    camera = camera_create(actor=alice, name="North gate", rtsp_url="rtsp://192.0.2.10/live")
    mosaic = mosaic_create(actor=olivia, name="Front", camera_ids=[camera.pk], shared=True)
    now = timezone.now()
    detection = Detection(camera=camera, first_seen=now - timedelta(seconds=5), last_seen=now, frame_time=now,
                          plate_text="ABC1D23")
    detection.snapshot.save("snap.jpg", ContentFile(b"jpeg"), save=False)
    detection.save()
    watchlist = WatchList.objects.create(name="Stolen", created_by=alice)
    alert = Alert.objects.create(detection=detection, watchlist=watchlist, pattern="ABC1D23", plate_text="ABC1D23")
    camera_delete(actor=alice, camera=camera)
    camera.refresh_from_db()
    return {"camera": camera, "detection": detection, "alert": alert, "mosaic": mosaic}


def test_deleting_a_camera_keeps_its_detections_and_alerts_searchable_under_its_name(client, victor, evidence):
    client.force_login(victor)
    found = client.get("/detections/", {"plate": "ABC1D23"}).content.decode()
    assert "North gate" in found and f"/detections/{evidence['detection'].pk}/" in found
    assert "North gate" in client.get(f"/detections/{evidence['detection'].pk}/").content.decode()
    assert "ABC1D23" in client.get("/watchlists/alerts/").content.decode()
    assert default_storage.exists(evidence["detection"].snapshot.name)


def test_a_deleted_camera_leaves_the_live_lists(client, victor, evidence):
    client.force_login(victor)
    camera = evidence["camera"]
    assert f'data-camera-id="{camera.pk}"' not in client.get("/cameras/").content.decode()
    assert f"/cameras/{camera.pk}/" not in client.get(f"/mosaics/{evidence['mosaic'].pk}/").content.decode()
    assert camera.pk not in [c["id"] for c in client.get("/api/streaming/cameras").json()]
    assert camera.pk not in [c["id"] for c in client.get("/api/cameras/").json()["results"]]
    assert camera.pk in [c["id"] for c in client.get("/api/cameras/", {"archived": "true"}).json()["results"]]


@pytest.mark.parametrize("user", ["victor", "olivia"])
def test_only_admins_may_purge(client, request, evidence, user):
    client.force_login(request.getfixturevalue(user))
    response = client.post(f"/recordings/cameras/{evidence['camera'].pk}/purge/", {"confirm_name": "North gate"})
    assert response.status_code == 403 and Detection.objects.exists()


def test_purge_needs_the_name_typed_and_loses_nothing_without_it(client, alice, evidence):
    client.force_login(alice)
    page = client.get(f"/recordings/cameras/{evidence['camera'].pk}/purge/").content.decode()
    assert "1 detection with their snapshots" in " ".join(page.split()) and "1 alert" in page
    response = client.post(f"/recordings/cameras/{evidence['camera'].pk}/purge/", {"confirm_name": "north"})
    assert response.status_code == 400 and "Type the camera&#x27;s name, North gate" in response.content.decode()
    assert Detection.objects.exists() and Alert.objects.exists() and Camera.objects.exists()


def test_purge_deletes_the_evidence_and_its_files_and_writes_an_audit_entry(
    client, alice, evidence, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/recordings/cameras/{evidence['camera'].pk}/purge/", {"confirm_name": "North gate"})
    assert response.status_code == 302
    assert not Detection.objects.exists() and not Alert.objects.exists() and not Camera.objects.exists()
    assert not default_storage.exists(evidence["detection"].snapshot.name)
    entry = AuditEntry.objects.get(action="camera.purge")
    assert entry.actor == alice and entry.target_repr == "North gate"
    assert entry.changes == {"kept_clips": 0, "detections": 1, "alerts": 1, "files": 1, "name": "North gate"}


def test_a_camera_in_service_cannot_be_purged(client, alice, queued):
    camera = camera_create(actor=alice, name="Lane", rtsp_url="rtsp://192.0.2.10/live")
    client.force_login(alice)
    assert client.post(f"/recordings/cameras/{camera.pk}/purge/", {"confirm_name": "Lane"}).status_code == 404
    assert Camera.objects.filter(pk=camera.pk).exists()
