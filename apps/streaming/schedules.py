"""The streaming app's periodic work, run by beat from the database. Defined here only.

The data migration and the post_migrate hook (after every migrate and database
flush) both call `schedules_ensure`, so beat always has them.
"""

from vms.beat import interval_schedules_ensure

# name, task, every N seconds
SCHEDULES = [
    ("streaming: reconcile media server paths", "streaming.reconcile", 30),
    ("streaming: monitor stream status", "streaming.monitor_status", 5),
    # Open video whose watch grant has ended (a role taken away, a deactivation) stops within this.
    ("streaming: end media sessions whose grant ended", "streaming.media_sessions_sweep", 10),
]


def schedules_ensure(periodic_task_model, interval_schedule_model, using="default"):
    """Create the schedules that are missing (the models: real, or a migration's historical ones)."""
    interval_schedules_ensure(SCHEDULES, periodic_task_model, interval_schedule_model, using=using)


def ensure_periodic_schedules(sender=None, using="default", **kwargs):
    """post_migrate receiver."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    schedules_ensure(PeriodicTask, IntervalSchedule, using=using)
