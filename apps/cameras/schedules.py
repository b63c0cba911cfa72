"""The AI frame schedule of each camera: one django-celery-beat PeriodicTask per enabled, AI-enabled camera.

Only the camera services and the reconcile pass call this; never edit these
tasks by hand (the reconcile pass puts them back).
"""

import json

from django_celery_beat.models import IntervalSchedule, PeriodicTask

from apps.cameras.models import Camera

GRAB_TASK = "pipeline.grab_frame"


def schedule_name(camera_id):
    return f"ai: camera {camera_id}"


def _interval(camera):
    microseconds = int(round(1_000_000 / camera.ai_fps))
    interval, _ = IntervalSchedule.objects.get_or_create(every=microseconds, period=IntervalSchedule.MICROSECONDS)
    return interval, microseconds / 1_000_000


def ai_schedule_sync(camera):
    """Create, change or pause the camera's frame schedule to match it. Returns the task, or None."""
    name = schedule_name(camera.pk)
    if not camera.ai_enabled:
        PeriodicTask.objects.filter(name=name).delete()
        return None
    interval, seconds = _interval(camera)
    wanted = {
        "task": GRAB_TASK,
        "interval": interval,
        "args": json.dumps([camera.pk]),
        "queue": "frames",
        # A tick that waited longer than one period is stale: the next one is coming.
        "expire_seconds": max(1, int(round(seconds))),
        "enabled": camera.enabled,
    }
    task = PeriodicTask.objects.filter(name=name).first()
    if task is None:
        return PeriodicTask.objects.create(name=name, **wanted)
    if any(getattr(task, field) != value for field, value in wanted.items()):
        for field, value in wanted.items():
            setattr(task, field, value)
        task.save()
    return task


def ai_schedule_remove(camera_id):
    PeriodicTask.objects.filter(name=schedule_name(camera_id)).delete()


def ai_schedules_reconcile():
    """Repair missing or stale schedules and remove those of cameras that are gone."""
    for camera in Camera.objects.all():
        ai_schedule_sync(camera)
    owned = {schedule_name(pk) for pk in Camera.objects.values_list("pk", flat=True)}
    PeriodicTask.objects.filter(task=GRAB_TASK).exclude(name__in=owned).delete()
