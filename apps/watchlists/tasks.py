"""Thin Celery wrappers; names start with `events.` so they run on queue `events`."""

from celery import shared_task

from apps.watchlists import services


@shared_task(name="events.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id):
    """Send one pending webhook delivery (a failure writes the next attempt, pending, with back-off)."""
    delivery = services.webhook_send(delivery_id=delivery_id)
    return delivery and delivery.status


@shared_task(name="events.sweep_webhooks", ignore_result=True)
def sweep_webhooks():
    """Beat: send the deliveries left pending (never queued, or their worker died)."""
    return services.webhook_sweep()
