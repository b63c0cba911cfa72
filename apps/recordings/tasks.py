"""Thin Celery wrappers (queue `default`); the work is in retention.py."""

from celery import shared_task

from apps.recordings import retention


@shared_task(name="recordings.prune", expires=3000)
def prune():
    return retention.retention_prune()
