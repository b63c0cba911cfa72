"""Retention: rows and files past their settings go, in batches, oldest first. 0 days keeps them forever.

Recordings themselves are pruned by MediaMTX (`recordDeleteAfter`, each camera's retention days).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.cameras.models import StatusChange
from apps.detections.models import Detection, ProcessedFrame
from apps.watchlists.models import WebhookDelivery

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
        while ids := list(old.values_list("pk", flat=True)[:BATCH]):
            counts[what] += _delete(model, ids)
    if any(counts.values()):
        logger.info("retention: %s", {what: n for what, n in counts.items() if n})
    return counts


def _delete(model, ids):
    with transaction.atomic():
        rows = model.objects.filter(pk__in=ids)
        files = []
        if model is Detection:
            files = [name for pair in rows.values_list("snapshot", "plate_crop") for name in pair if name]
        deleted = rows.delete()[1].get(model._meta.label, 0)
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    return deleted
