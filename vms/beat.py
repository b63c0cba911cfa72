"""Beat's scheduler: django-celery-beat's DatabaseScheduler, made to notice every schedule change.

django-celery-beat (2.9) reloads the schedule when the change-tracking timestamp
(`PeriodicTasks.last_update`) grows past the one it saw last. When it has seen
none — the first check after beat starts, or the first after the tracking row
was deleted (a database flush) — it only records the timestamp, so a camera
added in that moment kept no frames flowing until the next change or the
five-minute full sync. Here any move of the timestamp is a change: at worst
one reload too many.
"""

from django_celery_beat.schedulers import DatabaseScheduler as BaseDatabaseScheduler


class DatabaseScheduler(BaseDatabaseScheduler):
    def schedule_changed(self):
        seen = self._last_timestamp
        changed = super().schedule_changed()  # records the current timestamp in _last_timestamp
        return changed or self._last_timestamp != seen


def interval_schedules_ensure(schedules, periodic_task_model, interval_schedule_model, using="default"):
    """Create the missing ones of an app's `schedules` [(name, task, every N seconds)]; the models are the real
    ones or a migration's historical ones (the apps' data migrations and post_migrate hooks call this)."""
    for name, task, seconds in schedules:
        if periodic_task_model.objects.using(using).filter(name=name).exists():
            continue
        interval, _ = interval_schedule_model.objects.using(using).get_or_create(every=seconds, period="seconds")
        periodic_task_model.objects.using(using).create(
            name=name, task=task, interval=interval, enabled=True, expire_seconds=seconds
        )
