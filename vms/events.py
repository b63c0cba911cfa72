"""Events for other systems: JSON messages on the durable topic exchange `vms.events`.

Routing keys: `detection.created`, `camera.status`, `system.notification`.
Every body has `type` (the routing key), `version`, `at` (UTC, ISO 8601) and
ids; docs/events.md documents each one.
"""

import logging

from django.utils import timezone
from kombu import Exchange

from vms.celery import app

logger = logging.getLogger(__name__)

EXCHANGE = Exchange("vms.events", type="topic", durable=True)
VERSION = 1


def event_body(event_type, data):
    return {"type": event_type, "version": VERSION, "at": timezone.now().isoformat(), **data}


def publish(event_type, data):
    """Publish one event; an unreachable broker is logged, never raised to the caller."""
    body = event_body(event_type, data)
    try:
        with app.producer_or_acquire() as producer:
            producer.publish(
                body,
                exchange=EXCHANGE,
                routing_key=event_type,
                declare=[EXCHANGE],
                serializer="json",
                delivery_mode=2,
                retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
            )
    except Exception as exc:  # the event is lost, the state change that caused it is not
        logger.warning("event %s not published: %s", event_type, exc.__class__.__name__)
    return body
