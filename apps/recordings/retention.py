"""Retention: rows and files past their settings go, in batches, oldest first. 0 days keeps them forever.

Recordings are pruned by MediaMTX after each camera's retention days (`recordDeleteAfter`); here,
events mode drops the segments with no detection (or alert) near them, and the disk guard
makes room when the disk runs low, oldest first.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.cameras.models import Camera, RecordingMode, StatusChange
from apps.detections.models import Detection, ProcessedFrame
from apps.recordings import segments
from apps.recordings.selectors import clip_window
from vms.times import site_time
from apps.watchlists.models import WebhookDelivery
from vms import events

logger = logging.getLogger(__name__)

BATCH = 1000


def _policies():
    """(what, model, time field, days): one line per kind of row kept for a while."""
    return [
        ("detections", Detection, "last_seen", settings.RETENTION_DETECTION_DAYS),
        ("processed_frames", ProcessedFrame, "at", settings.RETENTION_PROCESSED_FRAME_DAYS),
        ("webhook_deliveries", WebhookDelivery, "at", settings.RETENTION_WEBHOOK_DELIVERY_DAYS),
        ("status_changes", StatusChange, "at", settings.RETENTION_STATUS_CHANGE_DAYS),
        ("audit_entries", AuditEntry, "at", settings.RETENTION_AUDIT_DAYS),
    ]


def retention_prune(*, now=None):
    """Delete what is older than its setting; returns how many rows of each kind went."""
    now = now or timezone.now()
    counts = {}
    for what, model, field, days in _policies():
        counts[what] = 0
        if days <= 0:
            continue
        old = model.objects.filter(**{f"{field}__lt": now - timedelta(days=days)}).order_by(field)
        if model is Detection:
            old = old.filter(kept_clips__isnull=True)  # kept evidence is never pruned
        cutoff = now - timedelta(days=days)
        while ids := list(old.values_list("pk", flat=True)[:BATCH]):
            counts[what] += _delete(model, ids, cutoff)
    if any(counts.values()):
        logger.info("retention: %s", {what: n for what, n in counts.items() if n})
    return counts


def _delete(model, ids, cutoff):
    with transaction.atomic():
        if model is AuditEntry:
            # The audit log is append-only in the database; this transaction alone may delete what is
            # older than the cutoff (apps/audit/migrations/0003).
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('vms.audit_retention_before', %s, true)", [cutoff.isoformat()])
        rows = model.objects.filter(pk__in=ids)
        files = []
        if model is Detection:
            files = [name for pair in rows.values_list("snapshot", "plate_crop") for name in pair if name]
        deleted = rows.delete()[1].get(model._meta.label, 0)
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    return deleted


def events_prune(*, now=None):
    """Events-mode cameras: delete the segments older than RECORDING_EVENTS_HOLD_MINUTES that no detection's
    clip window (first_seen − CLIP_PRE_SECONDS to last_seen + CLIP_POST_SECONDS) touches. Returns how many."""
    now = now or timezone.now()
    hold = now - timedelta(minutes=settings.RECORDING_EVENTS_HOLD_MINUTES)
    deleted = 0
    for camera in Camera.objects.filter(recording_mode=RecordingMode.EVENTS):
        old = [segment for segment in segments.camera_segments(camera.path_name) if segment.end < hold]
        if not old:
            continue
        windows = [clip_window(first_seen=first, last_seen=last) for first, last in Detection.objects.filter(
            camera=camera, last_seen__gte=old[0].start - timedelta(seconds=settings.CLIP_POST_SECONDS),
            first_seen__lte=old[-1].end + timedelta(seconds=settings.CLIP_PRE_SECONDS),
        ).values_list("first_seen", "last_seen")]
        windows = [(start, start + timedelta(seconds=seconds)) for start, seconds in windows]
        for segment in old:
            if not segments.overlaps(segment, windows):
                segment.path.unlink(missing_ok=True)
                deleted += 1
    return deleted


def disk_guard():
    """Below RECORDING_MIN_FREE_MB free under RECORDINGS_ROOT, delete the oldest segments until there is enough
    again; say so on `vms.events` (system.notification) and on the dashboard. Returns how many went."""
    want = settings.RECORDING_MIN_FREE_MB * 2**20
    if segments.free_bytes() >= want:
        return 0
    deleted = []
    for segment in segments.all_segments():
        if segments.free_bytes() >= want:
            break
        segment.path.unlink(missing_ok=True)
        deleted.append(segment)
    free_mb = segments.free_bytes() // 2**20
    message = (f"Recording disk low: {free_mb} MiB free under {settings.RECORDINGS_ROOT} (wanted "
               f"{settings.RECORDING_MIN_FREE_MB} MiB); deleted the {len(deleted)} oldest recorded segments"
               + (f", back to {site_time(deleted[-1].end)}." if deleted else "; nothing left to delete."))
    logger.warning(message)
    notice = {"kind": "recording.disk_low", "level": "warning", "title": "Recording disk low", "message": message}
    disk_notice_set(events.publish("system.notification", notice))
    return len(deleted)


DISK_NOTICE_KEY = "recordings:disk-notice"


def disk_notice_set(notice):
    from django.core.cache import cache

    cache.set(DISK_NOTICE_KEY, notice, timeout=24 * 3600)


def disk_notice():
    """The last disk guard notice of the past day, for the dashboard; None when there is none."""
    from django.core.cache import cache

    return cache.get(DISK_NOTICE_KEY)
