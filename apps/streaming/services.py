"""Keeping the media server in line with the cameras, and watching their streams.

Django is the truth; the media server is derived. Every call here is
idempotent, so a task may run twice, or late, without harm.
"""

import json
import logging
import subprocess
import time
import uuid
from datetime import timedelta
from urllib.parse import quote

import redis
import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.accounts.policy import require
from apps.audit.services import audit_record
from apps.cameras.media import reader_rtsp_url
from apps.cameras.models import Camera, ProvisionState, StatusChange, StreamState
from apps.cameras.presenters import camera_public
from apps.streaming.client import MediaServerError, PathNotFound, media_server
from apps.streaming.source_check import SourceCheck, source_check
from vms import events, live, outbound, pipeline_metrics
from vms.encryption import decrypt
from vms.outbox import enqueue

logger = logging.getLogger(__name__)

PATH_PREFIX = "cam_"
# The subset of MediaMTX's PathConf that we own; reconcile compares these.
ON_DEMAND_START_TIMEOUT = "10s"
ON_DEMAND_CLOSE_AFTER = "10s"
PROBE_FRAME_SIZE = (160, 90)
# Two frames two seconds apart show a live picture when at least this many pixels
# differ by more than this much (0–255). Small on purpose: a parked-lot scene at
# rest still has its on-screen clock ticking; a frozen encoder repeats exactly.
CHANGED_PIXEL_DELTA = 20
CHANGED_PIXELS = 3


def path_conf(camera):
    conf = {
        "source": camera.source_url(),
        "sourceOnDemand": True,
        "sourceOnDemandStartTimeout": ON_DEMAND_START_TIMEOUT,
        "sourceOnDemandCloseAfter": ON_DEMAND_CLOSE_AFTER,
        "rtspTransport": "tcp",
        "record": False,
    }
    if camera.records:
        conf |= record_conf(camera)
    return conf


def record_conf(camera):
    """MediaMTX's recorder settings for a recording camera.

    MediaMTX records only while it pulls the source, so a recording camera is pulled
    all the time (`sourceOnDemand: false`).
    """
    return {
        "sourceOnDemand": False,
        "record": True,
        "recordPath": f"{settings.RECORDINGS_ROOT}/%path/%Y-%m-%d_%H-%M-%S-%f",
        "recordFormat": "fmp4",
        "recordPartDuration": go_duration(settings.RECORDING_PART_SECONDS),
        # Events mode keeps whole segments around detections: shorter ones keep less of the rest.
        "recordSegmentDuration": go_duration(
            settings.RECORDING_EVENTS_SEGMENT_SECONDS if camera.recording_mode == "events"
            else settings.RECORDING_SEGMENT_SECONDS
        ),
        "recordDeleteAfter": go_duration(camera.recording_retention_days * 86400),
    }


def go_duration(seconds):
    """A whole number of seconds written the way MediaMTX's API writes durations back.

    Reconcile compares the configuration it reads with the one it wants, so "10m"
    (read back as "10m0s") would look drifted on every pass.
    """
    seconds = int(seconds)
    if seconds and seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


def _scrub(text, camera):
    """Error texts may quote the source URL: never let the password through."""
    try:
        password = decrypt(camera.password_encrypted)
    except ValueError:  # no URL with it could have been built, so no text quotes it
        return text
    if not password:
        return text
    # As typed and as it appears inside a URL (percent-encoded).
    for form in {password, quote(password, safe="")}:
        text = text.replace(form, "***")
    return text


# --- the states this app owns: one writer each ------------------------------------------


def camera_set_stream_state(*, camera_id, state, reason=""):
    """Record a change of stream state as a row, then tell consoles and other systems. Idempotent.

    Debounced: a state must have lasted STREAM_STATE_HOLD_SECONDS before it may
    change again, so a camera flapping every second makes at most one change
    (one row, one event) per period. The probe that comes after the hold
    records whatever the camera does then.
    """
    reason = reason[:300]
    with transaction.atomic():
        camera = Camera.objects.select_for_update().filter(pk=camera_id).first()
        if camera is None:
            return False
        if camera.stream_state == state:
            if camera.stream_reason != reason:  # same state, a better-known cause: no row, no event, shown
                camera.stream_reason = reason
                camera.save(update_fields=["stream_reason"])
                transaction.on_commit(lambda: _push_camera_state(camera, from_state=state, reason=reason))
            return False
        held = timezone.now() - (camera.stream_state_since or timezone.now())
        if camera.stream_state != StreamState.UNKNOWN and held.total_seconds() < settings.STREAM_STATE_HOLD_SECONDS:
            return False
        change = StatusChange.objects.create(
            camera=camera, from_state=camera.stream_state, to_state=state, reason=reason[:300]
        )
        camera.stream_state = state
        camera.stream_state_since = timezone.now()
        camera.stream_reason = reason
        camera.save(update_fields=["stream_state", "stream_state_since", "stream_reason"])

        def notify():
            events.publish("camera.status", {"camera_id": camera.pk, "camera_name": camera.name,
                                             "state": state, "from_state": change.from_state, "reason": change.reason})
            _push_camera_state(camera, from_state=change.from_state, reason=change.reason)

        transaction.on_commit(notify)
    return True


def _push_camera_state(camera, *, from_state, reason):
    payload = camera_public(camera) | {"from_state": from_state, "reason": reason}
    live.push(live.STATUS, "camera.status", payload)
    live.push(f"camera.{camera.pk}", "camera.status", payload)


def camera_set_provision_state(*, camera_id, state, error=""):
    fields = {"provision_state": state, "provision_error": error[:2000]}
    if state == ProvisionState.READY:
        fields["provisioned_at"] = timezone.now()
    Camera.objects.filter(pk=camera_id).update(**fields)
    camera = Camera.objects.filter(pk=camera_id).first()
    if camera is not None:
        transaction.on_commit(lambda: live.push(live.STATUS, "camera.updated", camera_public(camera)))
    return camera


# --- provisioning ------------------------------------------------------------------------


def camera_provision(camera_id):
    """Make the media server's path for this camera match it (or go away if disabled)."""
    camera = Camera.objects.filter(pk=camera_id).first()
    if camera is None:
        return None
    Camera.objects.filter(pk=camera_id).update(provision_attempts=F("provision_attempts") + 1)
    try:
        conf = path_conf(camera) if camera.enabled else None
    except ValueError as exc:  # the password cannot be decrypted: retrying will not help, a new password will
        return camera_set_provision_state(camera_id=camera_id, state=ProvisionState.ERROR, error=str(exc))
    try:
        if camera.enabled:
            media_server().path_replace(camera.path_name, conf)
        else:
            try:
                media_server().path_delete(camera.path_name)
            except PathNotFound:
                pass
    except MediaServerError as exc:
        message = _scrub(str(exc), camera)
        camera_set_provision_state(camera_id=camera_id, state=ProvisionState.ERROR, error=message)
        # Re-raised scrubbed: the retry log line, the task's exception and Flower all quote this message.
        raise type(exc)(message, exc.status) from None
    return camera_set_provision_state(camera_id=camera_id, state=ProvisionState.READY)


def path_deprovision(path_name):
    try:
        media_server().path_delete(path_name)
    except PathNotFound:
        pass


def paths_reconcile():
    """Add missing paths, replace drifted ones, delete `cam_*` paths no camera owns."""
    configured = {item["name"]: item for item in media_server().path_configs()}
    wanted = {camera.path_name: camera for camera in Camera.objects.filter(enabled=True)}
    summary = {"added": [], "replaced": [], "deleted": [], "errors": []}
    for name, camera in wanted.items():
        try:
            conf = path_conf(camera)
        except ValueError as exc:
            # One camera whose password cannot be decrypted (after a key change) is its error, not the pass's.
            summary["errors"].append(name)
            camera_set_provision_state(camera_id=camera.pk, state=ProvisionState.ERROR, error=str(exc))
            continue
        current = configured.get(name)
        if current is not None and all(current.get(key) == value for key, value in conf.items()):
            if camera.provision_state != ProvisionState.READY:
                camera_set_provision_state(camera_id=camera.pk, state=ProvisionState.READY)
            continue
        try:
            media_server().path_replace(name, conf)
        except MediaServerError as exc:
            summary["errors"].append(name)
            camera_set_provision_state(camera_id=camera.pk, state=ProvisionState.ERROR, error=_scrub(str(exc), camera))
            continue
        summary["added" if current is None else "replaced"].append(name)
        camera_set_provision_state(camera_id=camera.pk, state=ProvisionState.READY)
    for name in configured:
        if name.startswith(PATH_PREFIX) and name not in wanted:
            path_deprovision(name)
            summary["deleted"].append(name)
    if any(summary.values()):
        logger.info("reconcile: %s", {key: value for key, value in summary.items() if value})
    return summary


_status_stores = {}


def status_store():
    """One client (and its connection pool) per process and URL: the media-auth callback asks on every
    media request, and a client made per call paid a new connection each time. Keyed by URL because
    tests point REDIS_STREAMING_URL elsewhere; redis-py's pool reconnects after a fork by itself."""
    url = settings.REDIS_STREAMING_URL
    store = _status_stores.get(url)
    if store is None:
        store = _status_stores.setdefault(
            url, redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        )
    return store


def _probe_due(store, camera_id, period, now):
    """At most one probe per camera per `period` seconds."""
    last = store.get(f"probe_at:{camera_id}")
    if last is not None and now - float(last) < period:
        return False
    store.set(f"probe_at:{camera_id}", now, ex=max(1, int(settings.STREAM_IDLE_PROBE_SECONDS * 2)))
    return True


def stream_status_poll():
    """Each camera's state from what is already known; return the cameras that still need a picture probe.

    The media server's path state (ready, readers, bytes received) is cached in Redis DB 2. Then,
    cheapest first:
    - the frames worker got a frame of the camera within STREAM_FRESH_FRAME_SECONDS: online, no probe;
    - the media server is pulling the camera (ready, bytes coming in — someone watches): a probe
      every STREAM_PROBE_SECONDS tells live from frozen, and costs no extra pull of the camera;
    - nobody pulls it (an on-demand path at rest): a probe only every STREAM_IDLE_PROBE_SECONDS,
      since each one makes the media server pull the camera for its close-after delay.
    """
    store = status_store()
    cameras = list(Camera.objects.filter(enabled=True))
    try:
        paths = {item["name"]: item for item in media_server().paths()}
    except MediaServerError as exc:
        for camera in cameras:
            camera_set_stream_state(camera_id=camera.pk, state=StreamState.OFFLINE, reason=f"media server: {exc}")
        camera_health_notify()
        return []
    now = time.time()
    last_frames = pipeline_metrics.last_frame_times([camera.pk for camera in cameras])
    cached = store.mget([f"stream:{camera.path_name}" for camera in cameras]) if cameras else []
    due = []
    pipe = store.pipeline()
    for camera, before in zip(cameras, cached):
        state = paths.get(camera.path_name) or {}
        bytes_received = state.get("bytesReceived", 0)
        pipe.set(
            f"stream:{camera.path_name}",
            json.dumps(
                {
                    "ready": bool(state.get("ready")),
                    "readers": len(state.get("readers") or []),
                    "bytes_received": bytes_received,
                    "bytes_sent": state.get("bytesSent", 0),
                    "tracks": state.get("tracks") or [],
                    "at": timezone.now().isoformat(),
                }
            ),
            ex=60,
        )
        last_frame = last_frames.get(camera.pk)
        if last_frame is not None and now - last_frame <= settings.STREAM_FRESH_FRAME_SECONDS:
            if camera.stream_state != StreamState.ONLINE:
                camera_set_stream_state(camera_id=camera.pk, state=StreamState.ONLINE)
            continue
        bytes_before = json.loads(before)["bytes_received"] if before else None
        pulled = bool(state.get("ready")) and bytes_before is not None and bytes_received > bytes_before
        period = settings.STREAM_PROBE_SECONDS if pulled else settings.STREAM_IDLE_PROBE_SECONDS
        if _probe_due(store, camera.pk, period, now):
            due.append(camera.pk)
    pipe.execute()
    camera_health_notify()
    return due


def sample_frames(url, seconds=2.2, timeout=12):
    """Small grey frames, two a second, read from the media server's RTSP output."""
    width, height = PROBE_FRAME_SIZE
    command = [
        "ffmpeg", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp", "-timeout", "5000000",
        "-i", url, "-t", str(seconds), "-an",
        "-vf", f"fps=2,scale={width}:{height},format=gray", "-f", "rawvideo", "-",
    ]
    try:
        result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return []
    size = width * height
    data = result.stdout
    return [data[i : i + size] for i in range(0, len(data) - size + 1, size)]


def picture_changes(frames):
    if len(frames) < 2:
        return False
    first, last = frames[0], frames[-1]
    changed = sum(1 for a, b in zip(first, last) if abs(a - b) > CHANGED_PIXEL_DELTA)
    return changed >= CHANGED_PIXELS


def camera_source_check(camera):
    """Reach the camera itself (not the media server) and say what failed, in words."""
    try:
        url = camera.source_url()
    except ValueError:
        return SourceCheck(False, "error", "the camera's password cannot be decrypted: enter it again")
    return source_check(url, timeout=settings.CAMERA_TEST_SECONDS)


def _source_failed(check):
    return f"source failed: {check.message}"


def camera_probe(camera_id):
    """Look at the picture: no frames is offline, a picture that does not change is frozen.

    The media server's API says only that a path is not ready, never why (MediaMTX logs its source
    error), so where it has no picture the camera is asked directly: a refused port, an unknown
    host, a wrong path or password is the reason shown, at once, without waiting for the media
    server's on-demand start to time out.
    """
    camera = Camera.objects.filter(pk=camera_id, enabled=True).first()
    if camera is None:
        return None
    if not _path_ready(camera):
        check = camera_source_check(camera)
        if not check.ok:
            camera_set_stream_state(camera_id=camera_id, state=StreamState.OFFLINE, reason=_source_failed(check))
            return StreamState.OFFLINE
    frames = sample_frames(reader_rtsp_url(camera))
    if len(frames) < 2:
        check = camera_source_check(camera)
        reason = "no video through the media server" if check.ok else _source_failed(check)
        state = StreamState.OFFLINE
    elif not picture_changes(frames):
        state, reason = StreamState.FROZEN, "the picture stopped changing"
    else:
        state, reason = StreamState.ONLINE, ""
    camera_set_stream_state(camera_id=camera_id, state=state, reason=reason)
    return state


def _path_ready(camera):
    raw = status_store().get(f"stream:{camera.path_name}")
    return bool(raw) and bool(json.loads(raw).get("ready"))


# --- test connection -----------------------------------------------------------------------


def camera_test_connection(*, actor, camera):
    """Connect to the camera as the media server would and answer what happened (operators and up).

    Run in the request, bounded by CAMERA_TEST_SECONDS: the operator waits for this answer anyway,
    and the web server runs it on a thread of its own. The answer and the log never hold the URL.
    """
    require(actor, "camera.test", message="Testing a camera's connection needs the operator role.")
    check = camera_source_check(camera)
    audit_record(actor=actor, action="camera.test_connection", target=camera, changes={"result": check.kind})
    logger.info("camera %s connection test: %s", camera.pk, check.kind)
    return check


# --- camera health notifications -------------------------------------------------------------

DOWN_STATES = (StreamState.OFFLINE, StreamState.FROZEN)


def camera_health_notify():
    """Tell operators of each camera offline or frozen for CAMERA_OFFLINE_ALERT_SECONDS (once), and
    that it is back when it is online again. Returns (raised, cleared) camera ids."""
    now = timezone.now()
    raised, cleared = [], []
    if settings.CAMERA_OFFLINE_ALERT_SECONDS:
        cutoff = now - timedelta(seconds=settings.CAMERA_OFFLINE_ALERT_SECONDS)
        down = Camera.objects.active().filter(
            enabled=True, stream_state__in=DOWN_STATES, stream_state_since__lte=cutoff, health_alerted_at__isnull=True
        )
        for camera in down:
            # A conditional update: two polls at once raise it once.
            if Camera.objects.filter(pk=camera.pk, health_alerted_at__isnull=True).update(health_alerted_at=now):
                raised.append(camera.pk)
                _announce_health(camera, "camera.offline")
    back = Camera.objects.filter(health_alerted_at__isnull=False).exclude(stream_state__in=DOWN_STATES)
    # Deleted or disabled: nothing to watch, nothing to announce.
    Camera.objects.filter(Q(enabled=False) | Q(archived_at__isnull=False), health_alerted_at__isnull=False).update(
        health_alerted_at=None
    )
    for camera in back.filter(stream_state=StreamState.ONLINE):
        if Camera.objects.filter(pk=camera.pk, health_alerted_at__isnull=False).update(health_alerted_at=None):
            cleared.append(camera.pk)
            _announce_health(camera, "camera.recovered")
    return raised, cleared


def camera_health_notification(camera, kind):
    """The body of a camera-health `system.notification` (docs/events.md) and its console push."""
    public = camera_public(camera)
    if kind == "camera.offline":
        seconds = int((timezone.now() - camera.stream_state_since).total_seconds()) if camera.stream_state_since else 0
        title = f"Camera {camera.name} is {camera.stream_state}"
        message = f"{camera.name} has been {camera.stream_state} for {seconds} s"
        message += f": {camera.stream_reason}." if camera.stream_reason else "."
        level = "warning"
    else:
        title = f"Camera {camera.name} is back online"
        message = f"{camera.name} is online again."
        level = "info"
    return {"kind": kind, "level": level, "title": title, "message": message, "camera": public}


def _announce_health(camera, kind):
    from apps.streaming import tasks

    body = camera_health_notification(camera, kind)
    logger.log(logging.WARNING if kind == "camera.offline" else logging.INFO, "%s", body["message"])
    transaction.on_commit(lambda: (events.publish("system.notification", body),
                                   live.push(live.NOTIFICATIONS, "camera.health", body)))
    if settings.CAMERA_HEALTH_WEBHOOK_URL:
        message_id = f"msg_{uuid.uuid4().hex}"  # the same for every retry: the receiver's idempotency key
        transaction.on_commit(lambda: enqueue(tasks.camera_health_webhook, camera.pk, kind, message_id))


class CameraHealthWebhookFailed(Exception):
    """The receiver did not take the camera-health webhook (answered other than 2xx, or not at all): retried."""


def camera_health_webhook_send(*, camera_id, kind, message_id):
    """POST one camera-health notification to CAMERA_HEALTH_WEBHOOK_URL, signed with its secret when there is one.

    Refused destinations (inward, vms/outbound.py) are logged and dropped; other failures raise for a retry.
    Neither the URL nor an answer is logged: either may carry a receiver's secret."""
    camera = Camera.objects.filter(pk=camera_id).first()
    if camera is None or not settings.CAMERA_HEALTH_WEBHOOK_URL:
        return False
    body = json.dumps({"type": "system.notification", "version": 1, "at": timezone.now().isoformat(),
                       **camera_health_notification(camera, kind)}, separators=(",", ":"))
    headers = {"Content-Type": "application/json"}
    if settings.CAMERA_HEALTH_WEBHOOK_SECRET:
        headers |= outbound.standard_webhook_headers(
            secret=settings.CAMERA_HEALTH_WEBHOOK_SECRET, message_id=message_id, body=body
        )
    try:
        answer = outbound.post(settings.CAMERA_HEALTH_WEBHOOK_URL, data=body.encode(), headers=headers, timeout=5)
    except outbound.RefusedDestination as exc:
        logger.error("camera-health webhook refused: %s", exc)
        return False
    except requests.RequestException as exc:
        raise CameraHealthWebhookFailed(exc.__class__.__name__) from None
    if not 200 <= answer.status_code < 300:
        raise CameraHealthWebhookFailed(f"HTTP {answer.status_code}")
    return True
