"""Writes on evidence: purging an archived camera with everything it recorded."""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from apps.accounts.roles import ADMIN
from apps.audit.services import audit_record
from apps.detections.models import Detection
from apps.watchlists.models import Alert


def camera_purge(*, actor, camera, confirm_name):
    """Delete an archived camera for good: its detections and their files, its alerts, its recordings (admins).

    `confirm_name` must be the camera's name, typed: there is no undo. The audit entry
    (which outlives the camera) says who purged it and how much went.
    """
    if actor is None or not actor.is_authenticated or not actor.has_role(ADMIN):
        raise PermissionDenied("Purging a camera's evidence needs the admin role.")
    if not camera.archived:
        raise ValidationError("Only a deleted (archived) camera can be purged; delete it first.")
    if (confirm_name or "").strip() != camera.name:
        raise ValidationError({"confirm_name": f"Type the camera's name, {camera.name}, to purge it."})
    recordings = Path(settings.RECORDINGS_ROOT) / camera.path_name
    with transaction.atomic():
        detections = Detection.objects.filter(camera=camera)
        files = [name for pair in detections.values_list("snapshot", "plate_crop") for name in pair if name]
        counts = {
            "detections": detections.count(),
            "alerts": Alert.objects.filter(detection__camera=camera).count(),
            "files": len(files),
        }
        audit_record(actor=actor, action="camera.purge", target=camera, changes=counts | {"name": camera.name})
        detections.delete()
        camera.delete()
        transaction.on_commit(lambda: _delete_files(files, recordings))
    return counts


def _delete_files(names, recordings):
    for name in names:
        default_storage.delete(name)
    # Where this process sees the media server's disk (make run, one box); elsewhere MediaMTX's
    # own retention (recordDeleteAfter) removes them.
    shutil.rmtree(recordings, ignore_errors=True)
