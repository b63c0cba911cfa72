"""Thin Celery wrappers (queue `default`); the work is in retention.py and watch.py."""

from celery import shared_task

from apps.recordings import retention, watch


@shared_task(name="recordings.prune", expires=3000)
def prune():
    return retention.retention_prune() | {"event_segments": retention.events_prune()}


@shared_task(name="recordings.watch", expires=4)
def watch_gaps():
    retention.disk_guard()
    return len(watch.recordings_watch())
