"""What the console, the events and the webhooks see of an alert."""

from apps.detections.presenters import detection_public


def alert_public(alert):
    """What the console, the events and the webhooks see of an alert."""
    detection = alert.detection
    return {
        "id": alert.pk,
        "watchlist_id": alert.watchlist_id,
        "watchlist_name": alert.watchlist.name,
        "pattern": alert.pattern,
        "plate_text": alert.plate_text,
        "camera_id": detection.camera_id,
        "camera_name": detection.camera.name,
        "created_at": alert.created_at.isoformat(),
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "acknowledged_by": alert.acknowledged_by.username if alert.acknowledged_by else None,
        "detection": detection_public(detection),
    }
