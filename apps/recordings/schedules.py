"""The recordings app's periodic work (beat, from the database), kept by `vms.beat.interval_schedules_ensure`."""

from vms.beat import interval_schedules_ensure

# name, task, every N seconds
SCHEDULES = [
    ("recordings: prune what is past its retention", "recordings.prune", 3600),
    ("recordings: watch recording cameras for gaps and the disk", "recordings.watch", 5),
]


def ensure_periodic_schedules(sender=None, using="default", **kwargs):
    """post_migrate receiver."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    interval_schedules_ensure(SCHEDULES, PeriodicTask, IntervalSchedule, using=using)
