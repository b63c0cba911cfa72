"""Keeping the media server in line with the cameras, and watching their streams.

Django is the truth; the media server is derived. Every call here is
idempotent, so a task may run twice, or late, without harm.
"""

import json
import logging
import subprocess
import time
from urllib.parse import quote

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.cameras.media import reader_rtsp_url
from apps.cameras.models import Camera, ProvisionState, StatusChange, StreamState
from apps.cameras.presenters import camera_public
from apps.streaming.client import MediaServerError, PathNotFound, media_server
from vms import events, live, pipeline_metrics
from vms.encryption import decrypt

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
    with transaction.atomic():
        camera = Camera.objects.select_for_update().filter(pk=camera_id).first()
        if camera is None or camera.stream_state == state:
            return False
        held = timezone.now() - (camera.stream_state_since or timezone.now())
        if camera.stream_state != StreamState.UNKNOWN and held.total_seconds() < settings.STREAM_STATE_HOLD_SECONDS:
            return False
        change = StatusChange.objects.create(
            camera=camera, from_state=camera.stream_state, to_state=state, reason=reason[:300]
        )
        camera.stream_state = state
        camera.stream_state_since = timezone.now()
        camera.save(update_fields=["stream_state", "stream_state_since"])

        def notify():
            payload = camera_public(camera) | {"from_state": change.from_state, "reason": change.reason}
            events.publish("camera.status", {"camera_id": camera.pk, "camera_name": camera.name,
                                             "state": state, "from_state": change.from_state, "reason": change.reason})
            live.push(live.STATUS, "camera.status", payload)
            live.push(f"camera.{camera.pk}", "camera.status", payload)

        transaction.on_commit(notify)
    return True


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


def camera_probe(camera_id):
    """Look at the picture: no frames is offline, a picture that does not change is frozen."""
    camera = Camera.objects.filter(pk=camera_id, enabled=True).first()
    if camera is None:
        return None
    frames = sample_frames(reader_rtsp_url(camera))
    if len(frames) < 2:
        state, reason = StreamState.OFFLINE, "no video from the camera"
    elif not picture_changes(frames):
        state, reason = StreamState.FROZEN, "the picture stopped changing"
    else:
        state, reason = StreamState.ONLINE, ""
    camera_set_stream_state(camera_id=camera_id, state=state, reason=reason)
    return state
