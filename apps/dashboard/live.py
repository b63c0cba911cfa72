"""Pushing events to the console: one helper, used by every service that notifies."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

# Groups a console joins: everything about camera status, detections and
# system notifications. Per-camera groups are `camera.{id}`.
STATUS = "status"
DETECTIONS = "detections"
NOTIFICATIONS = "notifications"
CONSOLE_GROUPS = (STATUS, DETECTIONS, NOTIFICATIONS)


def push(group, event, payload):
    """Send `payload` (JSON-serialisable) as event `event` to every console in `group`."""
    async_to_sync(get_channel_layer().group_send)(group, {"type": "console.event", "event": event, "payload": payload})
