"""The watch lists' periodic work, run by beat from the database. Defined here only.

The data migration and the post_migrate hook (after every migrate and database
flush) both call `schedules_ensure`, so beat always has them.
"""

from vms.beat import interval_schedules_ensure

# name, task, every N seconds
SCHEDULES = [
    ("watchlists: send webhook deliveries left pending", "events.sweep_webhooks", 10),
]


def schedules_ensure(periodic_task_model, interval_schedule_model, using="default"):
    interval_schedules_ensure(SCHEDULES, periodic_task_model, interval_schedule_model, using=using)


def ensure_periodic_schedules(sender=None, using="default", **kwargs):
    """post_migrate receiver."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    schedules_ensure(PeriodicTask, IntervalSchedule, using=using)
