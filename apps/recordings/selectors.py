"""Reads of what a camera has recorded: spans and gaps from the media server's playback server, clip windows."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.streaming.client import playback_server


def recorded_spans(*, camera, start, end):
    """The camera's recorded spans that overlap [start, end], cut to it: [(start, end)], oldest first."""
    spans = []
    for span_start, seconds in playback_server().spans(camera.path_name, start=start, end=end):
        span_end = span_start + timedelta(seconds=seconds)
        if span_end > start and span_start < end:
            spans.append((max(span_start, start), min(span_end, end)))
    return spans


def gaps_between(spans, *, start, end):
    """What [start, end] has no recording of, given its recorded spans (oldest first)."""
    gaps, cursor = [], start
    for span_start, span_end in spans:
        if span_start - cursor > timedelta(seconds=settings.RECORDING_GAP_TOLERANCE_SECONDS):
            gaps.append((cursor, span_start))
        cursor = max(cursor, span_end)
    if end - cursor > timedelta(seconds=settings.RECORDING_GAP_TOLERANCE_SECONDS):
        gaps.append((cursor, end))
    return gaps


def camera_timeline(*, camera, start, end):
    """Recorded spans and gaps of [start, end] (not past now: the future is not a gap)."""
    end = min(end, timezone.now())
    if end <= start:
        return {"spans": [], "gaps": []}
    spans = recorded_spans(camera=camera, start=start, end=end)
    return {"spans": spans, "gaps": gaps_between(spans, start=start, end=end)}


def clip_window(*, first_seen, last_seen):
    """The clip of a passage: from CLIP_PRE_SECONDS before it was first seen to CLIP_POST_SECONDS after the last."""
    start = first_seen - timedelta(seconds=settings.CLIP_PRE_SECONDS)
    end = last_seen + timedelta(seconds=settings.CLIP_POST_SECONDS)
    return start, (end - start).total_seconds()


def detection_clip_window(detection):
    return clip_window(first_seen=detection.first_seen, last_seen=detection.last_seen)


def checked_clip_request(*, start, seconds):
    """A clip asked for by a person: starts in the past, lasts between 1 s and CLIP_MAX_SECONDS."""
    if seconds <= 0 or seconds > settings.CLIP_MAX_SECONDS:
        raise ValidationError({"duration": f"A clip lasts between 1 and {settings.CLIP_MAX_SECONDS} seconds."})
    if start >= timezone.now():
        raise ValidationError({"start": "A clip starts in the past."})
    return start, seconds
