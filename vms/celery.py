"""The Celery app: queues and routing live here and nowhere else."""

import os

from celery import Celery
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vms.settings")

app = Celery("vms")
app.config_from_object("django.conf:settings", namespace="CELERY")

# Each queue is served by the worker process that suits its work: provisioning and
# persistence on `worker`; the picture probe on `probe` and webhooks (queue `events`)
# on `webhooks`, each a worker of its own, so a slow camera or a slow webhook never
# holds up a detection's persist; frames and detection on `worker-ai`.
QUEUES = ("provision", "probe", "frames", "detect", "persist", "events", "default")

app.conf.task_queues = [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES]
app.conf.task_default_queue = "default"
app.conf.task_default_exchange = "default"
app.conf.task_default_routing_key = "default"
app.conf.task_routes = {
    "streaming.probe_camera": {"queue": "probe"},
    "streaming.*": {"queue": "provision"},
    "pipeline.grab_frame": {"queue": "frames"},
    "pipeline.detect": {"queue": "detect"},
    "pipeline.persist": {"queue": "persist"},
    "events.*": {"queue": "events"},
}
# Work that must not be lost is acknowledged only once it is done; a task
# that opts out (a frame grab, which is stale a second later) says so itself.
app.conf.task_acks_late = True
app.conf.task_reject_on_worker_lost = True

app.autodiscover_tasks(["workers"], related_name="tasks")
app.autodiscover_tasks(["workers"], related_name="pipeline")
app.autodiscover_tasks()
