"""Beat's scheduler (vms/beat.py) notices every change of the schedules in the database."""

import pytest
from celery.utils.imports import symbol_by_name
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from vms.celery import app

# Beat reads the database outside any test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def started_beat():
    """The configured scheduler, after its first read of the database."""
    scheduler = symbol_by_name(app.conf.beat_scheduler)(app=app, lazy=True)
    scheduler.schedule
    return scheduler


def add_schedule(name):
    interval, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name=name, task="system.ping", interval=interval)


def test_a_schedule_added_right_after_beat_started_is_run():
    beat = started_beat()
    add_schedule("ai: camera 1")
    assert "ai: camera 1" in beat.schedule


def test_a_schedule_added_after_the_change_tracking_row_was_deleted_is_run():
    beat = started_beat()
    beat.schedule
    PeriodicTasks.objects.all().delete()  # what a database flush does
    assert "ai: camera 1" not in beat.schedule
    add_schedule("ai: camera 1")
    assert "ai: camera 1" in beat.schedule


def test_a_paused_schedule_stops_being_run():
    add_schedule("ai: camera 1")
    beat = started_beat()
    beat.schedule
    assert "ai: camera 1" in beat.schedule
    PeriodicTask.objects.filter(name="ai: camera 1").update(enabled=False)
    PeriodicTasks.update_changed()
    assert "ai: camera 1" not in beat.schedule
