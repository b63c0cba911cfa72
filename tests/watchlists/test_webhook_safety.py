"""Webhooks that cannot be turned inward, that a receiver can verify, and that nothing loses.

DNS is stubbed (conftest `resolver`) and every connection attempt is seen by `connections` (stubbed at
urllib3's connect: anything but 127.0.0.1 is refused there too), so no test reaches past this machine.
"""

import socket
import threading
from datetime import timedelta

import pytest
import urllib3.util.connection
from django.core.exceptions import ValidationError
from django.utils import timezone
from kombu.exceptions import OperationalError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from apps.detections.models import Detection, ProcessedFrame
from apps.watchlists import services, tasks
from apps.watchlists.models import Alert, WatchList, WebhookDelivery
from apps.watchlists.services import watchlist_create, watchlist_rotate_secret, webhook_send, webhook_sweep
from tests.watchlists.conftest import api_as, see
from tests.watchlists.test_webhooks import Receiver

pytestmark = pytest.mark.django_db


class Listener:
    """A TCP socket listening on 127.0.0.1 that counts the connections it is offered."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def stop(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def connections(monkeypatch):
    """Every address a webhook connects to; any but 127.0.0.1 is refused before a packet leaves."""
    seen = []
    real = urllib3.util.connection.create_connection

    def guarded(address, *args, **kwargs):
        seen.append(address[0])
        if address[0] != "127.0.0.1":
            raise OSError(f"test guard: no connection to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", guarded)  # what urllib3's connect calls
    return seen


@pytest.fixture
def queued(monkeypatch):
    """Delivery tasks queued on commit, recorded and not run (a worker that never picks them up)."""
    sent = []
    monkeypatch.setattr(tasks.deliver_webhook, "delay", lambda *args: sent.append(args))
    monkeypatch.setattr(tasks.deliver_webhook, "apply_async", lambda args=(), **kw: sent.append(tuple(args)))
    return sent


INWARD = [
    ("http://127.0.0.1:{port}/hook", "127.0.0.1 is (loopback)"),
    ("http://10.0.0.1/hook", "10.0.0.1 is (private)"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is (link-local)"),
    ("http://[::1]:{port}/hook", "::1 is (loopback)"),
    ("http://0.0.0.0:{port}/hook", "0.0.0.0 is (unspecified)"),
    ("http://224.0.0.1/hook", "224.0.0.1 is (multicast)"),
    ("http://hooks.loop.example:{port}/hook", "hooks.loop.example resolves to 127.0.0.1 (loopback)"),
    ("http://hooks.lan.example/hook", "hooks.lan.example resolves to 10.0.0.1 (private)"),
    ("http://metadata.example/computeMetadata", "metadata.example resolves to 169.254.169.254 (link-local)"),
    ("http://rabbitmq:15672/api/queues", "rabbitmq is an internal name"),
    ("http://web:8000/api/", "web is an internal name"),
]


@pytest.fixture
def inward_names(resolver):
    resolver.names.update({
        "hooks.loop.example": ["127.0.0.1"],
        "hooks.lan.example": ["10.0.0.1"],
        "metadata.example": ["169.254.169.254"],
    })


@pytest.mark.parametrize("url, reason", INWARD)
def test_a_webhook_pointing_inward_is_refused_when_saved_naming_the_field(
    olivia, listener, inward_names, connections, url, reason
):
    url = url.format(port=listener.port)
    with pytest.raises(ValidationError) as exc:
        watchlist_create(actor=olivia, name="Hook", webhook_url=url)
    message = exc.value.message_dict["webhook_url"][0]
    assert message.startswith("Refused:") and reason in message
    response = api_as(olivia).post("/api/watchlists/", {"name": "Hook", "webhook_url": url}, format="json")
    assert response.status_code == 400 and "Refused" in response.json()["webhook_url"][0]
    assert not WatchList.objects.exists()
    assert connections == [] and listener.accepted == 0


def test_the_console_form_shows_the_refusal_and_keeps_the_input(client, olivia, listener):
    client.force_login(olivia)
    url = f"http://127.0.0.1:{listener.port}/hook"
    response = client.post("/watchlists/add/", {"name": "Hook", "kind": "alert", "enabled": "on", "webhook_url": url})
    page = response.content.decode()
    assert response.status_code == 200 and "Refused: 127.0.0.1 is (loopback)" in page and url in page
    assert not WatchList.objects.exists() and listener.accepted == 0


@pytest.mark.parametrize("address, reason", [
    ("127.0.0.1", "loopback"), ("10.0.0.1", "private"), ("169.254.169.254", "link-local"),
])
def test_a_name_that_turns_inward_after_it_was_saved_is_refused_at_delivery_without_connecting(
    camera, olivia, listener, resolver, connections, queued, django_capture_on_commit_callbacks, address, reason
):
    resolver.names["hooks.partner.example"] = ["93.184.215.14"]  # public when saved
    watchlist_create(
        actor=olivia, name="Stolen", entries=["ABC1234"], webhook_url=f"http://hooks.partner.example:{listener.port}/x"
    )
    resolver.names["hooks.partner.example"] = [address]  # DNS rebinding: inward when delivered
    with django_capture_on_commit_callbacks(execute=True):
        see(camera, "ABC1234")
    [(delivery_id,)] = queued
    delivery = webhook_send(delivery_id=delivery_id)
    assert delivery.status == "failed" and delivery.status_code is None
    assert delivery.error == f"Refused: hooks.partner.example resolves to {address} ({reason}): webhooks may only reach public addresses."
    assert WebhookDelivery.objects.count() == 1  # retrying cannot help: no next attempt
    assert connections == [] and listener.accepted == 0


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/x", "http://10.0.0.1/x", "http://169.254.169.254/x"])
def test_an_inward_url_saved_before_the_rule_is_refused_at_delivery(
    camera, olivia, listener, connections, queued, django_capture_on_commit_callbacks, url
):
    watchlist = watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234"], webhook_url="https://example.org/x")
    WatchList.objects.filter(pk=watchlist.pk).update(webhook_url=url.format(port=listener.port))  # an old row
    with django_capture_on_commit_callbacks(execute=True):
        see(camera, "ABC1234")
    delivery = webhook_send(delivery_id=queued[0][0])
    assert delivery.status == "failed" and delivery.error.startswith("Refused:")
    assert connections == [] and listener.accepted == 0


def test_an_allowed_name_is_resolved_once_and_reached_at_that_address_under_its_own_name(
    camera, olivia, resolver, settings, connections, queued, django_capture_on_commit_callbacks
):
    receiver = Receiver([200])
    try:
        settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.site.example"]
        resolver.names["hooks.site.example"] = ["127.0.0.1"]
        port = receiver.server.server_address[1]
        watchlist_create(
            actor=olivia, name="Stolen", entries=["ABC1234"], webhook_url=f"http://hooks.site.example:{port}/in"
        )
        with django_capture_on_commit_callbacks(execute=True):
            see(camera, "ABC1234")
        resolver.asked.clear()
        delivery = webhook_send(delivery_id=queued[0][0])
    finally:
        receiver.stop()
    assert delivery.status == "delivered" and delivery.status_code == 200
    assert resolver.asked.count("hooks.site.example") == 1 and connections == ["127.0.0.1"]
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.site.example:{port}"


def test_an_allowed_network_lets_its_addresses_in(olivia, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["10.20.0.0/16"]
    assert watchlist_create(actor=olivia, name="Lan", webhook_url="http://10.20.3.4:9000/x").webhook_url
    with pytest.raises(ValidationError):
        watchlist_create(actor=olivia, name="Other", webhook_url="http://10.21.0.1/x")


# --- signatures -------------------------------------------------------------------


def test_a_receiver_verifies_each_delivery_with_the_lists_secret_and_a_rotated_secret_replaces_it(
    camera, olivia, allow_loopback, queued, django_capture_on_commit_callbacks
):
    receiver = Receiver([200])
    try:
        watchlist = watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234", "XYZ9876"], webhook_url=receiver.url)
        first_secret = watchlist.new_webhook_secret
        with django_capture_on_commit_callbacks(execute=True):
            see(camera, "ABC1234")
        webhook_send(delivery_id=queued[-1][0])
        second_secret = watchlist_rotate_secret(actor=olivia, watchlist=watchlist)
        with django_capture_on_commit_callbacks(execute=True):
            see(camera, "XYZ9876", vehicle_box=(0.6, 0.1, 0.9, 0.4))
        webhook_send(delivery_id=queued[-1][0])
    finally:
        receiver.stop()
    first, second = receiver.requests
    body = Webhook(first_secret).verify(first["raw"], first["headers"])
    assert body["alert"]["plate_text"] == "ABC1234"
    assert first["headers"]["webhook-id"] == WebhookDelivery.objects.get(alert__plate_text="ABC1234").message_id
    assert Webhook(second_secret).verify(second["raw"], second["headers"])["alert"]["plate_text"] == "XYZ9876"
    with pytest.raises(WebhookVerificationError):
        Webhook(first_secret).verify(second["raw"], second["headers"])
    with pytest.raises(WebhookVerificationError):  # a body changed on the way
        Webhook(first_secret).verify(first["raw"].replace(b"ABC1234", b"ABC1235"), first["headers"])
    assert second_secret not in str(list(WatchList.objects.values()))  # encrypted at rest


def test_the_secret_is_shown_once_and_urls_only_to_operators_and_admins(client, olivia, victor, alice):
    created = api_as(olivia).post(
        "/api/watchlists/", {"name": "Stolen", "webhook_url": "https://example.org/hook?token=s3cr3t"}, format="json"
    )
    secret = created.json()["webhook_secret"]
    assert secret.startswith("whsec_")
    watchlist = WatchList.objects.get()
    for user in (olivia, alice):
        detail = api_as(user).get(f"/api/watchlists/{watchlist.pk}/").json()
        assert detail["webhook_url"].endswith("token=s3cr3t") and "webhook_secret" not in detail
    for body in (api_as(victor).get(f"/api/watchlists/{watchlist.pk}/").content,
                 api_as(victor).get("/api/watchlists/").content):
        assert b"s3cr3t" not in body and b"example.org" not in body and b"whsec_" not in body
    client.force_login(victor)
    for page in ("/watchlists/", f"/watchlists/{watchlist.pk}/"):
        html = client.get(page).content.decode()
        assert "s3cr3t" not in html and "example.org" not in html and secret not in html
    client.force_login(olivia)
    assert "token=s3cr3t" in client.get(f"/watchlists/{watchlist.pk}/").content.decode()
    assert secret not in client.get(f"/watchlists/{watchlist.pk}/").content.decode()

    rotated = client.post(f"/watchlists/{watchlist.pk}/rotate-secret/")
    new_secret = rotated.content.decode().split('id="webhook-secret">')[1].split("<")[0]
    assert new_secret.startswith("whsec_") and new_secret != secret and rotated["Cache-Control"] == "no-store"
    assert new_secret not in client.get(f"/watchlists/{watchlist.pk}/").content.decode()
    api_rotated = api_as(olivia).post(f"/api/watchlists/{watchlist.pk}/rotate-secret/").json()["webhook_secret"]
    assert api_rotated not in (secret, new_secret)
    assert api_as(victor).post(f"/api/watchlists/{watchlist.pk}/rotate-secret/").status_code == 403


# --- never lost -----------------------------------------------------------------------


def test_the_alert_and_its_pending_delivery_commit_with_the_detection(camera, olivia, queued):
    watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234"], webhook_url="https://example.org/hook")
    see(camera, "ABC1234")  # committed, and the worker died before any on-commit work ran
    alert = Alert.objects.get()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.alert_id, delivery.status, delivery.attempt, delivery.claimed_at) == (alert.pk, "pending", 1, None)
    assert queued == []


def test_a_delivery_whose_task_the_broker_refused_is_sent_once_by_the_sweeper(
    camera, olivia, allow_loopback, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(tasks.deliver_webhook, "delay", broker_down)
    receiver = Receiver([200])
    try:
        watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234"], webhook_url=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            see(camera, "ABC1234")  # the task cannot be queued: the detection and the alert stand
        assert Detection.objects.count() == 1 and Alert.objects.count() == 1
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending"
        assert webhook_sweep() == 1
        assert webhook_sweep() == 0  # sent: nothing left for the next tick
        assert webhook_send(delivery_id=delivery.pk) is None  # the task, arriving late after all, sends nothing
    finally:
        receiver.stop()
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().status == "delivered"


def test_the_sweeper_takes_over_a_delivery_whose_sender_died_but_not_one_being_sent(camera, olivia, allow_loopback):
    receiver = Receiver([200])
    try:
        watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234", "XYZ9876"], webhook_url=receiver.url)
        see(camera, "ABC1234")
        see(camera, "XYZ9876", vehicle_box=(0.6, 0.1, 0.9, 0.4))
        dead, alive = WebhookDelivery.objects.order_by("id")
        lease = timedelta(seconds=services.WEBHOOK_CLAIM_LEASE_SECONDS + 1)
        WebhookDelivery.objects.filter(pk=dead.pk).update(claimed_at=timezone.now() - lease)
        WebhookDelivery.objects.filter(pk=alive.pk).update(claimed_at=timezone.now())
        assert webhook_sweep() == 1
    finally:
        receiver.stop()
    assert [r["body"]["alert"]["plate_text"] for r in receiver.requests] == ["ABC1234"]
    assert WebhookDelivery.objects.get(pk=alive.pk).status == "pending"


def test_a_retry_is_not_sent_before_its_back_off(camera, olivia, allow_loopback, settings, queued):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    receiver = Receiver([500, 200])
    try:
        watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234"], webhook_url=receiver.url)
        see(camera, "ABC1234")
        assert webhook_sweep() == 1  # attempt 1 fails: attempt 2 is written, due in about 30 s
        retry = WebhookDelivery.objects.get(attempt=2)
        assert retry.status == "pending" and retry.due_at > timezone.now() + timedelta(seconds=20)
        assert webhook_sweep() == 0 and webhook_send(delivery_id=retry.pk) is None
        WebhookDelivery.objects.filter(pk=retry.pk).update(due_at=timezone.now())
        assert webhook_sweep() == 1
    finally:
        receiver.stop()
    assert [d.status for d in WebhookDelivery.objects.order_by("attempt")] == ["failed", "delivered"]


def test_a_matching_failure_rolls_the_frame_back_so_a_retry_does_it_all(camera, olivia, monkeypatch):
    from workers.pipeline import persist_readings

    watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234"], webhook_url="https://example.org/hook")
    frame = {
        "camera_id": camera.pk, "frame_id": "frame-matching-fails", "frame_time": timezone.now(),
        "vehicles": [{"label": "car", "confidence": 0.9, "box": [0.2, 0.3, 0.6, 0.9]}],
        "plates": [{"text": "ABC1234", "format": "br", "confidence": 0.9, "box": [0.35, 0.75, 0.45, 0.8], "vehicle": 0}],
    }
    real = services._matching_entries

    def broken(detection):
        raise RuntimeError("matching failed")

    monkeypatch.setattr(services, "_matching_entries", broken)
    with pytest.raises(RuntimeError):
        persist_readings(**frame)
    assert not Detection.objects.exists() and not ProcessedFrame.objects.exists() and not Alert.objects.exists()
    monkeypatch.setattr(services, "_matching_entries", real)
    [(detection, created)] = persist_readings(**frame)
    assert created and Alert.objects.get().detection == detection
    assert WebhookDelivery.objects.get().status == "pending"


def test_the_sweeper_runs_from_beat():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="events.sweep_webhooks")
    assert task.enabled and task.interval.every == 10


# --- TLS to a pinned address ----------------------------------------------------------


def self_signed(tmp_path, name):
    """A certificate for `name` (its own CA) and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = timezone.now()
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))
    return cert_file, key_file


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """An HTTPS receiver on 127.0.0.1 serving a certificate for `cert_name`; the client trusts only that
    certificate (requests' CA bundle pointed at it). Records the SNI names it was asked for."""
    import ssl

    import requests.adapters

    made = []

    def start(cert_name):
        cert_file, key_file = self_signed(tmp_path, cert_name)
        monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(cert_file))
        receiver = Receiver([200])
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        receiver.sni = []
        context.sni_callback = lambda sock, server_name, ctx: receiver.sni.append(server_name)
        receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
        made.append(receiver)
        return receiver

    yield start
    for receiver in made:
        receiver.stop()


@pytest.mark.parametrize("cert_name, delivered", [("hooks.site.example", True), ("someone.else.example", False)])
def test_https_to_the_pinned_address_keeps_the_name_for_sni_and_the_certificate_check(
    camera, olivia, resolver, settings, connections, queued, tls_receiver, django_capture_on_commit_callbacks,
    cert_name, delivered,
):
    receiver = tls_receiver(cert_name)
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.site.example"]
    resolver.names["hooks.site.example"] = ["127.0.0.1"]
    port = receiver.server.server_address[1]
    watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234"], webhook_url=f"https://hooks.site.example:{port}/in")
    with django_capture_on_commit_callbacks(execute=True):
        see(camera, "ABC1234")
    delivery = webhook_send(delivery_id=queued[0][0])
    assert connections == ["127.0.0.1"] and receiver.sni == ["hooks.site.example"]
    if delivered:
        assert delivery.status == "delivered" and receiver.requests[0]["headers"]["Host"] == f"hooks.site.example:{port}"
    else:  # a certificate for another name is refused although the address is the right one
        assert delivery.status == "failed" and delivery.error.startswith("SSLError") and receiver.requests == []


@pytest.mark.django_db(transaction=True)
def test_sweepers_running_at_once_send_each_pending_delivery_exactly_once(camera, olivia, allow_loopback, queued):
    from django.db import connection

    receiver = Receiver([200])
    plates = [f"ABC{1000 + n}" for n in range(12)]
    try:
        watchlist_create(actor=olivia, name="Stolen", entries=plates, webhook_url=receiver.url)
        for n, plate in enumerate(plates):
            # a minute apart, so near-identical plates are separate passages; committed, their tasks never run
            see(camera, plate, at=timezone.now() - timedelta(minutes=len(plates) - n))
        assert WebhookDelivery.objects.filter(status="pending").count() == len(plates)
        barrier, sent = threading.Barrier(4), []

        def sweeper():
            try:
                barrier.wait()
                sent.append(webhook_sweep(limit=5))
                sent.append(webhook_sweep(limit=5))
            finally:
                connection.close()

        threads = [threading.Thread(target=sweeper) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        receiver.stop()
    assert sum(sent) == len(plates)
    assert sorted(r["body"]["alert"]["plate_text"] for r in receiver.requests) == plates
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_a_pending_delivery_of_a_list_whose_webhook_was_removed_is_cancelled(camera, olivia, connections):
    from apps.watchlists.services import watchlist_update

    watchlist = watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234"], webhook_url="https://example.org/x")
    see(camera, "ABC1234")
    watchlist_update(actor=olivia, watchlist=watchlist, webhook_url="")
    assert webhook_sweep() == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "cancelled" and WebhookDelivery.objects.count() == 1 and connections == []


def test_one_delivery_that_cannot_be_attempted_does_not_hold_up_the_others(camera, olivia, allow_loopback, monkeypatch):
    receiver = Receiver([200])
    real_body = services.webhook_body

    def body(alert):
        if alert.plate_text == "ABC1234":
            raise RuntimeError("a broken row")
        return real_body(alert)

    monkeypatch.setattr(services, "webhook_body", body)
    try:
        watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234", "XYZ9876"], webhook_url=receiver.url)
        see(camera, "ABC1234")
        see(camera, "XYZ9876", vehicle_box=(0.6, 0.1, 0.9, 0.4))
        assert webhook_sweep() == 2
    finally:
        receiver.stop()
    assert [r["body"]["alert"]["plate_text"] for r in receiver.requests] == ["XYZ9876"]
    broken = WebhookDelivery.objects.get(alert__plate_text="ABC1234")
    assert broken.status == "pending" and broken.claimed_at is not None  # tried again once its claim lapses


@pytest.mark.django_db(transaction=True)
def test_a_slow_receiver_does_not_let_the_next_sweep_resend_what_this_one_has_yet_to_send(
    camera, olivia, allow_loopback, queued, monkeypatch
):
    """Each row is claimed right before it is sent: with a lease longer than one send but shorter than the
    whole batch, a second sweeper takes only rows nobody holds."""
    import time

    from django.db import connection

    monkeypatch.setattr(services, "WEBHOOK_CLAIM_LEASE_SECONDS", 1.5)
    receiver = Receiver([200])
    handler = receiver.server.RequestHandlerClass
    slow_post = handler.do_POST

    def do_post(self):
        time.sleep(1.0)
        slow_post(self)

    handler.do_POST = do_post
    plates = ["ABC1111", "DEF2222", "GHJ3333"]
    try:
        watchlist_create(actor=olivia, name="Stolen", entries=plates, webhook_url=receiver.url)
        for n, plate in enumerate(plates):
            see(camera, plate, at=timezone.now() - timedelta(minutes=len(plates) - n))

        def sweep(delay):
            try:
                time.sleep(delay)
                webhook_sweep()
            finally:
                connection.close()

        threads = [threading.Thread(target=sweep, args=(delay,)) for delay in (0, 1.6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        receiver.stop()
    assert sorted(r["body"]["alert"]["plate_text"] for r in receiver.requests) == plates
