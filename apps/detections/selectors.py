"""Reading detections: the search behind the console page, the CSV export and the API."""

from django.core.exceptions import ValidationError

from apps.detections.models import Detection, plate_key

VEHICLE_CLASSES = ("car", "truck", "bus", "motorcycle")
MATCH_MODES = [
    ("similar", "Same plate, tolerant (O/Q/D/0, I/L/1, B/8, S/5, Z/2, G/6, W/M/N)"),
    ("similar_prefix", "Starts with, tolerant"),
    ("similar_contains", "Any part (start, end or middle), tolerant"),
    ("exact", "Exactly as read"),
    ("prefix", "Starts with, as read"),
]
MATCH_VALUES = {value for value, _ in MATCH_MODES}
ALLOW_LIST_CHOICES = [("on", "On an allow list (residents)"), ("off", "Not on an allow list (visitors)")]


def detection_search(
    *, plate="", match="similar", camera_id=None, vehicle_class="", since=None, until=None, allow_listed=None
):
    """Detections, newest first; `allow_listed` True/False: only those marked / not marked by an allow list
    when stored (None: both). Every plate mode compares `plate_key`: the tolerant modes compare confusable forms
    (`ABC1234` finds `A8C1Z34`), the strict ones then also compare the text as read. Whole plate and start go
    through its index; "any part" (`9876` finds `AB9876`) scans along the newest-first index."""
    if match not in MATCH_VALUES:
        raise ValidationError({"match": f"Choose one of {', '.join(sorted(MATCH_VALUES))}."})
    detections = Detection.objects.select_related("camera").order_by("-last_seen", "-id")
    if plate:
        key = plate_key(plate)
        if match in ("similar", "exact"):
            detections = detections.filter(plate_key=key)
        elif match == "similar_contains":
            detections = detections.filter(plate_key__contains=key)
        else:
            detections = detections.filter(plate_key__startswith=key)
        if match == "exact":
            detections = detections.filter(plate_text=plate)
        elif match == "prefix":
            detections = detections.filter(plate_text__startswith=plate)
    if camera_id is not None:
        detections = detections.filter(camera_id=camera_id)
    if vehicle_class:
        detections = detections.filter(vehicle_class=vehicle_class)
    if allow_listed is True:
        detections = detections.exclude(allow_list="")
    elif allow_listed is False:
        detections = detections.filter(allow_list="")
    if since is not None:
        detections = detections.filter(last_seen__gte=since)
    if until is not None:
        detections = detections.filter(first_seen__lte=until)
    return detections


def detection_page(detections, *, page=1, size=50):
    """One page without counting the whole result (a count over millions of rows is the slow part)."""
    rows = list(detections[(page - 1) * size : page * size + 1])
    return {"items": rows[:size], "page": page, "has_next": len(rows) > size, "has_previous": page > 1}


COUNT_LIMIT = 1000


def detection_count(detections, *, limit=COUNT_LIMIT):
    """How many detections the search finds, counted up to `limit`: {"count": n, "more": True past it}. Counting
    stops there, so a search over millions of rows stays quick."""
    count = detections[: limit + 1].count()
    return {"count": min(count, limit), "more": count > limit}


def detection_recent(*, camera_id=None, limit=20):
    detections = Detection.objects.select_related("camera").order_by("-last_seen", "-id")
    if camera_id is not None:
        detections = detections.filter(camera_id=camera_id)
    return detections[:limit]
