"""What the console, the events and the webhooks see of an alert."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from apps.detections.presenters import detection_public


def alert_cameras(alert):
    """The cameras that saw the alert's plate, first sighting first, each once."""
    names = []
    for sighting in alert.sightings.all():
        name = sighting.detection.camera.name
        if name not in names:
            names.append(name)
    return names or [alert.detection.camera.name]


def alert_public(alert):
    """What the console, the events and the webhooks see of an alert (console-relative URLs)."""
    detection = alert.detection
    return {
        "id": alert.pk,
        "watchlist_id": alert.watchlist_id,
        "watchlist_name": alert.watchlist.name,
        "pattern": alert.pattern,
        "note": alert.note,
        "plate_text": alert.plate_text,
        "camera_id": detection.camera_id,
        "camera_name": detection.camera.name,
        "cameras": alert_cameras(alert),
        "sightings": alert.sighting_count,
        "created_at": alert.created_at.isoformat(),
        "last_seen_at": alert.last_seen_at.isoformat(),
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "acknowledged_by": alert.acknowledged_by.username if alert.acknowledged_by else None,
        "detection": detection_public(detection),
    }


def absolute(path):
    """A console path as a link from outside (PUBLIC_BASE_URL); None stays None."""
    return f"{settings.PUBLIC_BASE_URL}{path}" if path else None


def alert_links(alert):
    """Absolute console links for systems outside: each page and file behind the console's login and role
    check (the snapshot through /media/, the clip streamed by Django), never a media-server address."""
    detection = detection_public(alert.detection)
    alerts = reverse("watchlists:alerts") + "?" + urlencode({"state": "all", "watchlist": alert.watchlist_id,
                                                              "plate": alert.plate_text})
    return {
        "alerts": absolute(alerts),
        "detection": absolute(reverse("detections:detail", args=[alert.detection_id])),
        "snapshot": absolute(detection["snapshot_url"]),
        "clip": absolute(detection["clip_url"]),
    }
