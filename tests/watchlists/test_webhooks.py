"""Webhooks: each alert is POSTed as JSON to its list's URL; a failure is retried with back-off and every
attempt is recorded (status code or error), the last error shown on the list's page. (The receivers listen on
127.0.0.1, allowed for these tests by WEBHOOK_ALLOWED_HOSTS; tests/watchlists/test_webhook_safety.py holds
what is refused, the signatures and the deliveries that nothing loses.)"""

import json
import os
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings

from apps.watchlists import tasks
from apps.watchlists.models import Alert, WebhookDelivery
from apps.watchlists.services import watchlist_create
from tests import processes
from tests.watchlists.conftest import see


class Receiver:
    """An HTTP server on loopback answering the given status codes in turn (then the last one), per alert."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"headers": dict(self.headers), "body": json.loads(body or b"null"), "raw": body})
                index = min(len(receiver.requests), len(receiver.statuses)) - 1
                self.send_response(receiver.statuses[index])
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/vms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(allow_loopback):
    server = Receiver([500, 200])
    yield server
    server.stop()


def assert_two_attempts_recorded(alert, receiver):
    deliveries = list(WebhookDelivery.objects.filter(alert=alert).order_by("attempt"))
    assert [(d.attempt, d.status, d.status_code, d.error) for d in deliveries] == [
        (1, "failed", 500, "HTTP 500 Internal Server Error"),
        (2, "delivered", 200, ""),
    ]
    assert deliveries[0].message_id == deliveries[1].message_id  # one message, two attempts
    assert len(receiver.requests) == 2
    body = receiver.requests[-1]["body"]
    assert body["type"] == "watchlist.alert" and body["alert"]["id"] == alert.pk
    assert body["alert"]["plate_text"] == "ABC1234" and body["alert"]["watchlist_name"] == "Stolen"
    assert receiver.requests[-1]["headers"]["X-VMS-Alert"] == str(alert.pk)


def run_tasks_here(monkeypatch, settings):
    """The delivery task runs in this process when queued, its retry at once (no back-off)."""
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    run = lambda args=(), **options: tasks.deliver_webhook.apply(args=args)  # noqa: E731
    monkeypatch.setattr(tasks.deliver_webhook, "apply_async", run)
    monkeypatch.setattr(tasks.deliver_webhook, "delay", lambda *args: run(args))


@pytest.mark.django_db
def test_a_failed_delivery_is_retried_and_both_attempts_recorded_run_eagerly(
    camera, olivia, receiver, client, monkeypatch, settings, django_capture_on_commit_callbacks
):
    run_tasks_here(monkeypatch, settings)
    watchlist = watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234"], webhook_url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        see(camera, "ABC1234")
    alert = Alert.objects.get()
    assert_two_attempts_recorded(alert, receiver)

    client.force_login(olivia)
    page = client.get(f"/watchlists/{watchlist.pk}/").content.decode()
    assert "Last error: HTTP 500 Internal Server Error" in page
    assert "The latest delivery succeeded" in page


@pytest.mark.django_db
def test_an_unreachable_webhook_records_the_error_and_gives_up_after_the_last_retry(
    camera, olivia, monkeypatch, settings, allow_loopback, django_capture_on_commit_callbacks
):
    from apps.watchlists import services

    monkeypatch.setattr(services, "WEBHOOK_MAX_RETRIES", 2)
    run_tasks_here(monkeypatch, settings)
    watchlist_create(
        actor=olivia, name="Stolen", entries=["ABC1234"], webhook_url=f"http://127.0.0.1:{processes.free_port()}/x"
    )
    with django_capture_on_commit_callbacks(execute=True):
        see(camera, "ABC1234")
    deliveries = list(WebhookDelivery.objects.order_by("attempt"))
    assert [d.attempt for d in deliveries] == [1, 2, 3]
    assert all(d.status == "failed" and d.status_code is None for d in deliveries)
    assert {d.error for d in deliveries} == {"ConnectionError: could not connect"}  # no URL in it


@pytest.fixture
def events_broker():
    """A RabbitMQ virtual host of this test's own: the shared `vms_test` one may have another run's worker on
    queue `events`, which would take (and drop) this test's task."""
    if not shutil.which("rabbitmqctl"):
        pytest.skip("needs rabbitmqctl to make a virtual host")
    vhost = f"vms_test_webhooks_{os.getpid()}"
    for command in (["add_vhost", vhost], ["set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"]):
        subprocess.run(["rabbitmqctl", "-q", *command], capture_output=True, timeout=60, check=True)
    base = settings.CELERY_BROKER_URL.rsplit("/", 1)[0]
    yield f"{base}/{vhost}"
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True, timeout=60)


@pytest.fixture
def events_worker(django_db_setup, events_broker):
    worker = processes.start_celery_worker(
        queues="events", name="events-worker",
        env=processes.test_env(TEST_CELERY_BROKER_URL=events_broker, WEBHOOK_ALLOWED_HOSTS="127.0.0.1"),
    )
    yield worker
    worker.stop()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(180)
def test_a_real_worker_on_queue_events_retries_after_a_500_and_records_both_attempts(
    camera, olivia, receiver, events_broker, events_worker, monkeypatch
):
    from vms.celery import app

    with app.connection_for_write(events_broker) as connection:
        # The alert's task, sent on commit as always, to the worker's broker; routed to queue `events` by name.
        monkeypatch.setattr(
            tasks.deliver_webhook, "delay",
            lambda delivery_id: tasks.deliver_webhook.apply_async(args=[delivery_id], connection=connection),
        )
        watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234"], webhook_url=receiver.url)
        see(camera, "ABC1234")  # committed: the alert's task is sent on commit
    alert = Alert.objects.get()
    processes.wait_for(
        lambda: WebhookDelivery.objects.filter(alert=alert, status_code=200).exists(),
        timeout=60, what="the second delivery",
    )
    assert_two_attempts_recorded(alert, receiver)
    log = events_worker.output()
    assert log.count("events.deliver_webhook") >= 2  # the first attempt, and the retry the worker queued


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(180)
def test_a_delivery_whose_task_the_broker_refused_is_sent_once_by_beats_sweeper_on_a_real_worker(
    camera, olivia, allow_loopback, events_broker, events_worker, monkeypatch
):
    import time

    from kombu.exceptions import OperationalError

    def broker_refuses(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(tasks.deliver_webhook, "delay", broker_refuses)
    receiver = Receiver([200])
    beat = None
    try:
        watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234"], webhook_url=receiver.url)
        see(camera, "ABC1234")  # committed; its task never reached the broker
        assert WebhookDelivery.objects.get().status == "pending"
        beat = processes.Process(
            "beat-webhooks",
            [str(processes.VENV_BIN / "celery"), "-A", "vms", "beat", "--loglevel", "INFO", "--max-interval", "1"],
            env=processes.test_env(TEST_CELERY_BROKER_URL=events_broker),
        )
        processes.wait_for(lambda: len(receiver.requests) == 1, timeout=60, what="the sweeper's delivery")
        time.sleep(12)  # the next sweep tick finds nothing more to send
        assert "events.sweep_webhooks" in beat.output()
    finally:
        if beat is not None:
            beat.stop()
        receiver.stop()
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().status == "delivered"
