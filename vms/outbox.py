"""Queueing work that must not be lost, when the broker may be down.

The rows themselves are the outbox: a camera saved with `provision_state=pending`
stays pending until the media server has its path, and the reconcile pass
(beat, every 30 s) provisions every camera whose path is missing or stale; a
webhook delivery is written `pending` with its alert, and the webhook sweeper
(beat) sends those left pending. So when RabbitMQ is unreachable the request
still succeeds; the task that could not be sent is logged, and the periodic
pass does the work once the broker is back.
"""

import logging

logger = logging.getLogger(__name__)


def enqueue(task, *args, countdown=None):
    """Send a task now if the broker answers; otherwise leave it to the periodic pass over the pending rows."""
    try:
        # How long this may block is CELERY_TASK_PUBLISH_RETRY_POLICY (seconds, not minutes).
        return task.delay(*args) if countdown is None else task.apply_async(args=args, countdown=countdown)
    except Exception as exc:  # broker unreachable: the pending row is the durable record
        logger.warning("could not queue %s%r (%s); the periodic pass will do it", task.name, args,
                       exc.__class__.__name__)
        return None
