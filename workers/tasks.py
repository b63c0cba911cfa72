"""Tasks that belong to no single app."""

from celery import shared_task


@shared_task(name="system.ping", ignore_result=False)
def ping(value):
    """Answer what was sent: proves the broker and a worker are alive."""
    return {"pong": value}
