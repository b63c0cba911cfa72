"""Pushing events to the console: one helper, used by every service that notifies."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

# Groups a console joins: everything about camera status, detections and
# system notifications. Per-camera groups are `camera.{id}`.
STATUS = "status"
DETECTIONS = "detections"
NOTIFICATIONS = "notifications"
CONSOLE_GROUPS = (STATUS, DETECTIONS, NOTIFICATIONS)


def push(group, event, payload):
    """Send `payload` (JSON-serialisable) as event `event` to every console in `group`.

    Best effort: a console that misses a push reloads the truth from the database;
    Redis being down must not fail the change that caused the push.
    """
    try:
        async_to_sync(get_channel_layer().group_send)(
            group, {"type": "console.event", "event": event, "payload": payload}
        )
    except Exception as exc:
        logger.warning("live push %s to %s lost: %s", event, group, exc.__class__.__name__)
