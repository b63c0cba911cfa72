"""The streaming app's periodic work, run by beat from the database. Defined here only.

The data migration and the post_migrate hook (after every migrate and database
flush) both call `schedules_ensure`, so beat always has them.
"""

# name, task, every N seconds
SCHEDULES = [
    ("streaming: reconcile media server paths", "streaming.reconcile", 30),
    ("streaming: monitor stream status", "streaming.monitor_status", 5),
]


def schedules_ensure(periodic_task_model, interval_schedule_model, using="default", schedules=SCHEDULES):
    """Create the schedules that are missing (the models: real, or a migration's historical ones).

    Other apps pass their own `schedules` (same shape): one way of keeping beat's schedules.
    """
    for name, task, seconds in schedules:
        if periodic_task_model.objects.using(using).filter(name=name).exists():
            continue
        interval, _ = interval_schedule_model.objects.using(using).get_or_create(every=seconds, period="seconds")
        periodic_task_model.objects.using(using).create(
            name=name, task=task, interval=interval, enabled=True, expire_seconds=seconds
        )


def ensure_periodic_schedules(sender=None, using="default", **kwargs):
    """post_migrate receiver."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    schedules_ensure(PeriodicTask, IntervalSchedule, using=using)
