"""What consoles, events, APIs and webhooks see of a detection."""

from django.urls import reverse


def clip_url(detection):
    """The console's URL of the detection's clip (behind login, never the media server's), or None where its
    camera does not record: the same rule as the detection page's player."""
    if not detection.camera.records:
        return None
    return reverse("recordings:detection-clip", args=[detection.pk])


def detection_public(detection):
    return {
        "id": detection.pk,
        "camera_id": detection.camera_id,
        "camera_name": detection.camera.name,
        "plate_text": detection.plate_text,
        "plate_confidence": detection.plate_confidence,
        "vehicle_class": detection.vehicle_class,
        "vehicle_confidence": detection.vehicle_confidence,
        "first_seen": detection.first_seen.isoformat(),
        "last_seen": detection.last_seen.isoformat(),
        "readings": detection.readings,
        "snapshot_url": detection.snapshot.url if detection.snapshot else None,
        "plate_crop_url": detection.plate_crop.url if detection.plate_crop else None,
        "clip_url": clip_url(detection),
        # The allow list (residents) the plate was on when stored, or None: a resident, not a visitor.
        "allow_list": detection.allow_list or None,
    }
