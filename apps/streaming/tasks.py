"""Thin Celery wrappers (queue `provision`); the work is in services.py."""

from celery import shared_task

from apps.streaming import services
from apps.streaming.client import MediaServerError

# The media server may be restarting: retry with back-off (2 s, 4 s, … up to 2 min), then give up to reconcile.
RETRIED = {"autoretry_for": (MediaServerError,), "max_retries": 8, "retry_backoff": 2, "retry_backoff_max": 120}


@shared_task(name="streaming.provision_camera", **RETRIED)
def provision_camera(camera_id):
    services.camera_provision(camera_id)


@shared_task(name="streaming.deprovision_path", **RETRIED)
def deprovision_path(path_name):
    services.path_deprovision(path_name)


@shared_task(name="streaming.reconcile", expires=25)
def reconcile():
    from apps.cameras.schedules import ai_schedules_reconcile

    ai_schedules_reconcile()
    return services.paths_reconcile()


@shared_task(name="streaming.monitor_status", expires=4)
def monitor_status():
    for camera_id in services.stream_status_poll():
        probe_camera.delay(camera_id)


@shared_task(name="streaming.probe_camera", expires=30)
def probe_camera(camera_id):
    return services.camera_probe(camera_id)


@shared_task(name="streaming.media_sessions_sweep", expires=9)
def media_sessions_sweep():
    from apps.streaming.media_auth import media_sessions_sweep

    return media_sessions_sweep()


# On the events queue with the watch lists' webhooks (the webhook worker): 2 s, 4 s, … up to 10 min.
@shared_task(name="events.camera_health_webhook", ignore_result=True, autoretry_for=(services.CameraHealthWebhookFailed,),
             max_retries=8, retry_backoff=2, retry_backoff_max=600)
def camera_health_webhook(camera_id, kind, message_id):
    services.camera_health_webhook_send(camera_id=camera_id, kind=kind, message_id=message_id)
