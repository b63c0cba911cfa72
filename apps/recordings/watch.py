"""Watching recording cameras for gaps: `recording.gap` when a camera stops recording, `recording.resumed` when it is back.

Beat runs it every few seconds. What it last saw of each camera is kept in Redis DB 2
(with the stream states); a gap that opened and closed between two looks (the media
server restarted fast) is still found, as a hole between the last span seen and the new one.
"""

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from apps.cameras.models import Camera, RecordingMode
from apps.streaming.client import MediaServerError, playback_server
from apps.streaming.services import status_store
from vms import events

GAP = "gap"
RECORDING = "recording"
# How far back each look asks the playback server (a span that began earlier is cut to this).
LOOK_BACK = timedelta(hours=1)


def _key(camera):
    return f"recording:{camera.path_name}"


def _moment(value):
    return datetime.fromisoformat(value) if value else None


def recordings_watch(*, now=None):
    """Look at every recording camera once; publish the gaps and returns found. Returns the events published."""
    now = now or timezone.now()
    store = status_store()
    published = []
    for camera in Camera.objects.active().filter(enabled=True).exclude(recording_mode=RecordingMode.OFF):
        try:
            spans = playback_server().spans(camera.path_name, start=now - LOOK_BACK)
        except MediaServerError:
            continue  # the media server is away: its own alarms say so; the hole shows once it is back
        known = json.loads(store.get(_key(camera)) or "{}")
        published += _look(camera, spans, known, now, store)
    return published


def _look(camera, spans, known, now, store):
    published = []
    base = {"camera_id": camera.pk, "camera_name": camera.name}
    last_end = _moment(known.get("last_end"))
    if spans:
        newest_start = spans[-1][0]
        newest_end = newest_start + timedelta(seconds=spans[-1][1])
    recording = bool(spans) and (now - newest_end).total_seconds() <= settings.RECORDING_GAP_SECONDS
    if recording:
        tolerance = timedelta(seconds=settings.RECORDING_GAP_TOLERANCE_SECONDS)
        missed = last_end is not None and newest_start - last_end > tolerance
        if known.get("state") == GAP or missed:
            if known.get("state") != GAP:
                published.append(events.publish("recording.gap", base | {"since": last_end.isoformat()}))
            gap_start = last_end or newest_start
            published.append(events.publish("recording.resumed", base | {
                "gap_start": gap_start.isoformat(), "gap_end": newest_start.isoformat(),
                "gap_seconds": round((newest_start - gap_start).total_seconds(), 1),
            }))
        state = {"state": RECORDING, "last_end": newest_end.isoformat()}
    elif known.get("state") == RECORDING:
        # It recorded before and has stopped: the gap opens at the last recorded moment.
        published.append(events.publish("recording.gap", base | {"since": last_end.isoformat()}))
        state = {"state": GAP, "last_end": known["last_end"]}
    else:
        state = known  # never seen recording, or the gap already reported
    if state:
        store.set(_key(camera), json.dumps(state), ex=int(LOOK_BACK.total_seconds()) * 24)
    return published
