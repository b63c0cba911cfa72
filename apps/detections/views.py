"""Console pages for detections: search, one detection with its boxes, CSV export, and the live feed fragment."""

from django.conf import settings
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

from apps.accounts.policy import can
from apps.accounts.views import role_required
from apps.detections import exports, selectors
from apps.detections.forms import DetectionSearchForm
from apps.detections.models import Detection
from apps.detections.plates import plate_format_label

PAGE_SIZE = 50
MAX_PAGE = 10_000


def _page_number(request):
    try:
        return min(MAX_PAGE, max(1, int(request.GET.get("page", 1))))
    except (TypeError, ValueError):
        return 1


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@role_required("detection.view")
def detection_list(request):
    form = DetectionSearchForm(request.GET or None)
    page = total = None
    if not request.GET or form.is_valid():
        filters = form.filters() if request.GET else {}
        detections = selectors.detection_search(**filters)
        page = selectors.detection_page(detections, page=_page_number(request), size=PAGE_SIZE)
        total = selectors.detection_count(detections)
    status = 200 if page is not None else 400
    return render(
        request,
        "detections/search.html",
        {"form": form, "page": page, "total": total, "query": _query_without_page(request)},
        status=status,
    )


@role_required("detection.view")
def detection_export(request):
    form = DetectionSearchForm(request.GET or None)
    if request.GET and not form.is_valid():
        lines = [f"{field}: {' '.join(messages)}" for field, messages in form.error_dict().items()]
        return HttpResponseBadRequest("The search is not valid:\n" + "\n".join(lines), content_type="text/plain")
    detections = selectors.detection_search(**(form.filters() if request.GET else {}))
    response = StreamingHttpResponse(exports.csv_lines(detections), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename()}"'
    return response


@role_required("detection.view")
def detection_detail(request, pk):
    detection = get_object_or_404(Detection.objects.select_related("camera"), pk=pk)
    boxes = []  # what is drawn over the snapshot, and so what the legend names
    for name, box in (("vehicle", detection.vehicle_box), ("plate", detection.plate_box)):
        if box and len(box) == 4:
            x1, y1, x2, y2 = (min(1.0, max(0.0, float(v))) for v in box)
            boxes.append({"name": name, "x": x1, "y": y1, "width": max(0.0, x2 - x1), "height": max(0.0, y2 - y1)})
    # Every alert the passage counts in: the ones it raised and those a later sighting of it joined.
    alerts = [sighting.alert for sighting in detection.alert_sightings.select_related("alert__watchlist")]
    context = {"detection": detection, "boxes": boxes, "alerts": alerts,
               "plate_format": plate_format_label(detection.plate_format),
               "clip_pre": settings.CLIP_PRE_SECONDS, "clip_post": settings.CLIP_POST_SECONDS,
               "can_keep": can(request.user, "clip.keep"),
               # The newest first, and not all of a car parked for an hour.
               "frame_readings": detection.frame_readings.order_by("-frame_time", "-id")[:50]}
    return render(request, "detections/detail.html", context)


@role_required("detection.view")
def detection_feed(request):
    """The live feed's first rows (server-rendered); newer ones arrive over the WebSocket."""
    camera_id = request.GET.get("camera")
    camera_id = int(camera_id) if camera_id and camera_id.isdigit() else None
    return render(
        request,
        "detections/_feed_items.html",
        {"detections": selectors.detection_recent(camera_id=camera_id, limit=20)},
    )
