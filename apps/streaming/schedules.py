"""The streaming app's periodic work, run by beat from the database."""

# name, task, every N seconds
SCHEDULES = [
    ("streaming: reconcile media server paths", "streaming.reconcile", 30),
    ("streaming: monitor stream status", "streaming.monitor_status", 5),
]


def ensure_periodic_schedules(sender=None, using="default", **kwargs):
    """Create the schedules if they are missing (after every migrate and database flush)."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for name, task, seconds in SCHEDULES:
        if PeriodicTask.objects.using(using).filter(name=name).exists():
            continue
        interval, _ = IntervalSchedule.objects.using(using).get_or_create(every=seconds, period="seconds")
        PeriodicTask.objects.using(using).create(
            name=name, task=task, interval=interval, enabled=True, expire_seconds=seconds
        )
