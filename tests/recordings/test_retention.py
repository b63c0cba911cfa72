"""Retention: rows and files older than their settings go; younger ones, and everything when the setting is 0, stay."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.cameras.models import Camera, StatusChange
from apps.detections.models import Detection, ProcessedFrame
from apps.recordings.retention import retention_prune
from apps.watchlists.models import Alert, WatchList, WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(alice, settings, tmp_path):
    """Two of each kind of row, one 40 days old and one 1 day old; the detections with files and an alert.

    (The old detection's alert and its delivery go with it.)"""
    settings.MEDIA_ROOT = tmp_path / "media"
    camera = Camera.objects.create(name="Gate", rtsp_url="rtsp://192.0.2.10/live")
    watchlist = WatchList.objects.create(name="Stolen", created_by=alice)
    made = {}
    for age in (40, 1):
        at = timezone.now() - timedelta(days=age)
        detection = Detection(camera=camera, first_seen=at, last_seen=at, frame_time=at, plate_text=f"ABC{age:04d}")
        detection.snapshot.save(f"snap{age}.jpg", ContentFile(b"jpeg"), save=False)
        detection.plate_crop.save(f"plate{age}.jpg", ContentFile(b"jpeg"), save=False)
        detection.save()
        alert = Alert.objects.create(detection=detection, watchlist=watchlist, pattern="ABC*", plate_text="ABC")
        delivery = WebhookDelivery.objects.create(alert=alert, watchlist=watchlist, url="http://127.0.0.1/", attempt=1)
        frame = ProcessedFrame.objects.create(frame_id=f"frame-{age}", camera=camera)
        change = StatusChange.objects.create(camera=camera, from_state="unknown", to_state="online")
        # Audit entries are append-only in the database (no backdating by UPDATE): written with their time.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO audit_auditentry (at, action, target_type, target_id, target_repr, changes)"
                " VALUES (%s, 'camera.update', 'camera', '1', 'Gate', '{}')", [at],
            )
        for model, pk in ((WebhookDelivery, delivery.pk), (ProcessedFrame, frame.pk), (StatusChange, change.pk)):
            model.objects.filter(pk=pk).update(at=at)
        made[age] = detection
    # An old attempt for a young alert: webhook deliveries have their own setting.
    old = WebhookDelivery.objects.create(alert=alert, watchlist=watchlist, url="http://127.0.0.1/", attempt=0)
    WebhookDelivery.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    return made


def test_rows_and_files_older_than_their_setting_go_and_younger_ones_stay(rows, settings, django_capture_on_commit_callbacks):
    for name in ("DETECTION", "PROCESSED_FRAME", "WEBHOOK_DELIVERY", "STATUS_CHANGE", "AUDIT"):
        setattr(settings, f"RETENTION_{name}_DAYS", 30)
    old_files = [rows[40].snapshot.name, rows[40].plate_crop.name]
    with django_capture_on_commit_callbacks(execute=True):
        counts = retention_prune()
    assert counts == {"detections": 1, "processed_frames": 1, "webhook_deliveries": 1, "status_changes": 1,
                      "audit_entries": 1}
    assert list(Detection.objects.values_list("pk", flat=True)) == [rows[1].pk]
    assert Alert.objects.count() == 1 and WebhookDelivery.objects.count() == 1
    # The fixture's entries only (making alice is audited too, today).
    assert ProcessedFrame.objects.count() == StatusChange.objects.count() == 1
    assert AuditEntry.objects.filter(action="camera.update").count() == 1
    assert not any(default_storage.exists(name) for name in old_files)
    assert default_storage.exists(rows[1].snapshot.name) and default_storage.exists(rows[1].plate_crop.name)


def test_a_retention_of_0_days_keeps_everything(rows, settings):
    for name in ("DETECTION", "PROCESSED_FRAME", "WEBHOOK_DELIVERY", "STATUS_CHANGE", "AUDIT"):
        setattr(settings, f"RETENTION_{name}_DAYS", 0)
    assert not any(retention_prune().values())
    assert Detection.objects.count() == 2 and AuditEntry.objects.filter(action="camera.update").count() == 2


def test_beat_prunes_every_hour():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="recordings.prune")
    assert task.enabled and task.interval.every == 3600 and task.interval.period == "seconds"
