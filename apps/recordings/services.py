"""Writes on evidence: keeping a clip (the evidence lock), purging an archived camera with everything it recorded."""

import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from apps.accounts.policy import require
from apps.audit.services import audit_record
from apps.detections.models import Detection
from apps.recordings.models import KeptClip
from apps.recordings.selectors import detection_clip_window
from apps.streaming.client import MediaServerError, NoRecording, PathNotFound, playback_server
from apps.watchlists.models import Alert


def detection_clip_keep(*, actor, detection, reason):
    """Copy a detection's clip out of the recordings into the app's storage, for good (operators and admins).

    Kept clips are exempt from retention (and so is their detection); the audit log says who kept it and why.
    """
    require(actor, "clip.keep", message="Keeping a clip needs the operator role.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the clip is kept (it goes in the audit log)."})
    if len(reason) > 300:
        raise ValidationError({"reason": "At most 300 characters."})
    start, seconds = detection_clip_window(detection)
    try:
        upstream = playback_server().clip(detection.camera.path_name, start, seconds)
    except (NoRecording, PathNotFound):
        raise ValidationError("Nothing is recorded around this detection: there is no clip to keep.") from None
    except MediaServerError:
        raise ValidationError("The media server cannot play recordings now; try again shortly.") from None
    with upstream, tempfile.TemporaryFile() as copy:
        for chunk in upstream.iter_content(64 * 1024):
            copy.write(chunk)
        copy.seek(0)
        with transaction.atomic():
            clip = KeptClip(camera=detection.camera, detection=detection, start=start, duration_seconds=seconds,
                            reason=reason, kept_by=actor)
            clip.file.save(f"detection_{detection.pk}.mp4", File(copy), save=False)
            clip.save()
            audit_record(actor=actor, action="clip.keep", target=detection,
                         changes={"reason": reason, "start": start.isoformat(), "seconds": seconds,
                                  "file": clip.file.name})
    return clip


def camera_purge(*, actor, camera, confirm_name):
    """Delete an archived camera for good: its detections and their files, its alerts, its recordings (admins).

    `confirm_name` must be the camera's name, typed: there is no undo. The audit entry
    (which outlives the camera) says who purged it and how much went.
    """
    require(actor, "camera.purge", message="Purging a camera's evidence needs the admin role.")
    if not camera.archived:
        raise ValidationError("Only a deleted (archived) camera can be purged; delete it first.")
    if (confirm_name or "").strip() != camera.name:
        raise ValidationError({"confirm_name": f"Type the camera's name, {camera.name}, to purge it."})
    recordings = Path(settings.RECORDINGS_ROOT) / camera.path_name
    with transaction.atomic():
        detections = Detection.objects.filter(camera=camera)
        files = [name for pair in detections.values_list("snapshot", "plate_crop") for name in pair if name]
        clips = KeptClip.objects.filter(camera=camera)
        files += list(clips.values_list("file", flat=True))
        counts = {
            "kept_clips": clips.count(),
            "detections": detections.count(),
            "alerts": Alert.objects.filter(detection__camera=camera).count(),
            "files": len(files),
        }
        audit_record(actor=actor, action="camera.purge", target=camera, changes=counts | {"name": camera.name})
        clips.delete()
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
