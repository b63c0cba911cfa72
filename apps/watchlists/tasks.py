"""Thin Celery wrappers; names start with `events.` so they run on queue `events`."""

from celery import shared_task

from apps.watchlists import services


@shared_task(bind=True, name="events.deliver_webhook", max_retries=services.WEBHOOK_MAX_RETRIES)
def deliver_webhook(self, alert_id):
    """POST an alert to its list's webhook; a failed attempt is recorded and retried with back-off."""
    delivery = services.webhook_deliver(alert_id=alert_id, attempt=self.request.retries + 1)
    if delivery is None or delivery.ok:
        return delivery and delivery.status_code
    if self.request.retries >= self.max_retries:
        return delivery.status_code  # given up; every attempt is on the list's page
    raise self.retry(countdown=services.webhook_backoff(self.request.retries))
