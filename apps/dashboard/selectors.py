"""The dashboard's figures: one function read by the console page, its live fragment and /api/dashboard/."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncHour
from django.utils import timezone

from apps.cameras.models import Camera, ProvisionState
from apps.detections.models import Detection
from vms import pipeline_metrics
from vms.times import site_zone_label

# The console's camera states; `error` is a camera the media server could not be given (provisioning failed).
CAMERA_STATES = ("online", "offline", "frozen", "error", "unknown")
TOP_PLATES = 10
CHART_HOURS = 24


def camera_state(camera):
    if camera.provision_state == ProvisionState.ERROR:
        return "error"
    return camera.stream_state if camera.stream_state in CAMERA_STATES else "unknown"


def _hourly(since_hour, now):
    rows = (
        Detection.objects.filter(last_seen__gte=since_hour, last_seen__lte=now)
        .annotate(hour=TruncHour("last_seen"))
        .values("hour")
        .annotate(count=Count("id"))
    )
    counts = {row["hour"]: row["count"] for row in rows}
    return [{"hour": since_hour + timedelta(hours=i), "count": counts.get(since_hour + timedelta(hours=i), 0)}
            for i in range(CHART_HOURS)]


def _pipeline(camera):
    snapshot = pipeline_metrics.camera_snapshot(camera.pk)
    last = snapshot["last_frame_at"]
    latency = snapshot["latency_ms"]
    return {
        "camera_id": camera.pk,
        "camera_name": camera.name,
        "ai_enabled": camera.ai_enabled,
        "grabbed": snapshot["grabbed"],
        "processed": snapshot["detected"],  # frames that went through the models
        "persisted": snapshot["persisted"],
        "dropped": sum(snapshot["dropped"].values()),
        "dropped_by_reason": snapshot["dropped"],
        "latency_p50_ms": {stage: values["p50"] for stage, values in latency.items()},
        "latency_p95_ms": {stage: values["p95"] for stage, values in latency.items()},
        "last_frame_at": datetime.fromtimestamp(last, tz=dt_timezone.utc) if last else None,
    }


def dashboard_figures(*, now=None):
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    hour_ago = now - timedelta(hours=1)
    # Hours of the site's clock (TruncHour truncates in it): in a +05:30 zone they start at :30 UTC.
    first_hour = timezone.localtime(now).replace(minute=0, second=0, microsecond=0).astimezone(dt_timezone.utc)
    first_hour -= timedelta(hours=CHART_HOURS - 1)

    cameras = list(Camera.objects.active().order_by("name"))
    per_camera = {
        row["camera_id"]: row
        for row in Detection.objects.filter(last_seen__gte=min(today, hour_ago), last_seen__lte=now)
        .values("camera_id")
        .annotate(today=Count("id", filter=Q(last_seen__gte=today)), last_hour=Count("id", filter=Q(last_seen__gte=hour_ago)))
    }
    by_state = {state: [] for state in CAMERA_STATES}
    camera_rows = []
    for camera in cameras:
        state = camera_state(camera)
        by_state[state].append(camera)
        counts = per_camera.get(camera.pk, {})
        camera_rows.append({
            "camera": camera,
            "state": state,
            "today": counts.get("today", 0),
            "last_hour": counts.get("last_hour", 0),
        })
    top = (
        Detection.objects.filter(last_seen__gte=today, last_seen__lte=now)
        .exclude(plate_text="")
        .values("plate_text")
        .annotate(count=Count("id"), last_seen=Max("last_seen"))
        .order_by("-count", "-last_seen")[:TOP_PLATES]
    )
    return {
        "now": now,
        "today_start": today,
        "cameras": camera_rows,
        "by_state": by_state,
        "state_counts": {state: len(members) for state, members in by_state.items()},
        "detections_today": sum(row["today"] for row in camera_rows),
        "detections_last_hour": sum(row["last_hour"] for row in camera_rows),
        "hourly": _hourly(first_hour, now),
        "top_plates": list(top),
        "pipeline": [_pipeline(camera) for camera in cameras if camera.ai_enabled],
    }


def chart(hourly, width=960, height=160, bottom=16):
    """Bars for a server-rendered SVG: [{x, y, width, height, count, hour, label}]."""
    peak = max((point["count"] for point in hourly), default=0) or 1
    slot = width / max(1, len(hourly))
    usable = height - bottom - 4
    bars = []
    for index, point in enumerate(hourly):
        bar_height = usable * point["count"] / peak
        local = timezone.localtime(point["hour"])
        bars.append({
            "x": round(index * slot + 1, 1),
            "width": round(slot - 2, 1),
            "y": round(height - bottom - bar_height, 1),
            "height": round(bar_height, 1),
            "count": point["count"],
            "hour": local,
            "label": f"{local:%H}" if index % 6 == 0 else "",
            "label_x": round(index * slot + slot / 2, 1),
        })
    return {"bars": bars, "peak": peak, "zone": site_zone_label(), "width": width, "height": height, "axis_y": height - bottom, "label_y": height - 3}


def dashboard_public(figures):
    """The figures as JSON for the API."""
    def iso(value):
        return value.isoformat() if value else None

    return {
        "at": iso(figures["now"]),
        "today_start": iso(figures["today_start"]),
        "detections_today": figures["detections_today"],
        "detections_last_hour": figures["detections_last_hour"],
        "cameras_by_state": {
            state: [{"id": c.pk, "name": c.name} for c in members] for state, members in figures["by_state"].items()
        },
        "cameras": [
            {"id": row["camera"].pk, "name": row["camera"].name, "state": row["state"], "today": row["today"],
             "last_hour": row["last_hour"]}
            for row in figures["cameras"]
        ],
        "hourly": [{"hour": iso(point["hour"]), "count": point["count"]} for point in figures["hourly"]],
        "top_plates": [
            {"plate_text": row["plate_text"], "count": row["count"], "last_seen": iso(row["last_seen"])}
            for row in figures["top_plates"]
        ],
        "pipeline": [{**row, "last_frame_at": iso(row["last_frame_at"])} for row in figures["pipeline"]],
    }
