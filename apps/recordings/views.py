"""Recordings in the console: a camera's timeline, and clips as MP4 streamed through Django.

The browser never gets a media-server URL: every clip comes through here, after the
role check (anonymous users go to the login page and get no bytes).
"""

from datetime import datetime, time, timedelta

from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.accounts.views import role_required
from apps.cameras.models import Camera
from apps.detections.models import Detection
from apps.recordings import selectors, services
from apps.recordings.forms import PurgeForm
from apps.watchlists.models import Alert
from vms.forms import add_service_errors
from apps.streaming.client import MediaServerError, NoRecording, PathNotFound, playback_server

CHUNK_BYTES = 64 * 1024


def _text(message, status):
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _moment(value, name):
    moment = parse_datetime(value or "")
    if moment is None:
        raise ValidationError({name: f"{name} must be a date and time (ISO 8601), e.g. 2026-12-01T03:12:00Z."})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _seconds(value, name):
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValidationError({name: f"{name} must be a number of seconds."}) from None


def _error_text(exc):
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())


def stream_clip(camera, start, seconds, filename=""):
    """The MP4 of `seconds` of the camera's recording from `start`, streamed as the media server sends it."""
    try:
        upstream = playback_server().clip(camera.path_name, start, seconds)
    except (NoRecording, PathNotFound):
        return _text(f"Nothing of {camera.name} is recorded at {start:%Y-%m-%d %H:%M:%S %Z}.", 404)
    except MediaServerError:
        return _text("The media server cannot play recordings now; try again shortly.", 503)
    chunks = upstream.iter_content(CHUNK_BYTES)
    read = sync_to_async(lambda: next(chunks, b""), thread_sensitive=False)

    # Asynchronous on purpose: under ASGI Django would read a synchronous iterator to its end
    # before sending the first byte.
    async def body():
        try:
            while chunk := await read():
                yield chunk
        finally:
            await sync_to_async(upstream.close, thread_sensitive=False)()

    response = StreamingHttpResponse(body(), content_type="video/mp4")
    response["Cache-Control"] = "private, no-store"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required("camera.watch")
def camera_clip(request, pk):
    """`?start=ISO&duration=S[&download=1]`: any stretch of a camera's recording."""
    camera = get_object_or_404(Camera, pk=pk)
    try:
        start, seconds = selectors.checked_clip_request(
            start=_moment(request.GET.get("start"), "start"), seconds=_seconds(request.GET.get("duration"), "duration")
        )
    except ValidationError as exc:
        return _text(_error_text(exc), 400)
    filename = f"{camera.path_name}_{start:%Y%m%d-%H%M%S}_{seconds:g}s.mp4" if request.GET.get("download") else ""
    return stream_clip(camera, start, seconds, filename)


@role_required("camera.watch")
def detection_clip(request, pk):
    """The clip of a detection: its passage with the margins before and after."""
    detection = get_object_or_404(Detection.objects.select_related("camera"), pk=pk)
    start, seconds = selectors.detection_clip_window(detection)
    filename = f"detection_{detection.pk}.mp4" if request.GET.get("download") else ""
    return stream_clip(detection.camera, start, seconds, filename)


@role_required("camera.watch")
def camera_timeline(request, pk):
    """`?date=YYYY-MM-DD` (today by default, in the site's time zone): recorded spans, gaps, detections."""
    camera = get_object_or_404(Camera, pk=pk)
    day = parse_date(request.GET.get("date") or "") if request.GET.get("date") else timezone.localdate()
    if day is None:
        return _text("date: date must be YYYY-MM-DD.", 400)
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    try:
        timeline = selectors.camera_timeline(camera=camera, start=start, end=end)
    except PathNotFound:
        timeline = {"spans": [], "gaps": []}
    except MediaServerError:
        return _text("The media server cannot list recordings now; try again shortly.", 503)
    detections = Detection.objects.filter(camera=camera, last_seen__gte=start, first_seen__lt=end)
    return JsonResponse({
        "camera": {"id": camera.pk, "name": camera.name, "recording_mode": camera.recording_mode},
        "start": start.isoformat(), "end": end.isoformat(),
        "spans": [{"start": a.isoformat(), "end": b.isoformat()} for a, b in timeline["spans"]],
        "gaps": [{"start": a.isoformat(), "end": b.isoformat()} for a, b in timeline["gaps"]],
        "detections": [
            {"id": d.pk, "first_seen": d.first_seen.isoformat(), "last_seen": d.last_seen.isoformat(),
             "plate_text": d.plate_text, "alerted": d.alerts.exists()}
            for d in detections.order_by("first_seen").prefetch_related("alerts")[:2000]
        ],
    })


@role_required("camera.purge")
@require_http_methods(["GET", "POST"])
def camera_purge(request, pk):
    """A deleted camera's evidence, deleted for good once its name is typed."""
    camera = get_object_or_404(Camera, pk=pk, archived_at__isnull=False)
    form = PurgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            counts = services.camera_purge(actor=request.user, camera=camera, confirm_name=form.cleaned_data["confirm_name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Camera {camera.name} purged: {counts['detections']} detections, "
                                      f"{counts['alerts']} alerts deleted.")
            return redirect("cameras:list")
    context = {
        "camera": camera, "form": form, "detections": Detection.objects.filter(camera=camera).count(),
        "alerts": Alert.objects.filter(detection__camera=camera).count(), "kept": camera.kept_clips.count(),
    }
    return render(request, "recordings/confirm_purge.html", context, status=400 if form.errors else 200)


@role_required("clip.keep")
@require_POST
def detection_keep(request, pk):
    """Keep the detection's clip as evidence, with the reason typed (operators and admins)."""
    detection = get_object_or_404(Detection.objects.select_related("camera"), pk=pk)
    try:
        services.detection_clip_keep(actor=request.user, detection=detection, reason=request.POST.get("reason"))
    except ValidationError as exc:
        return _text(_error_text(exc) if hasattr(exc, "error_dict") else " ".join(exc.messages), 400)
    messages.success(request, "Clip kept: it is exempt from retention.")
    return redirect("detections:detail", pk=detection.pk)
