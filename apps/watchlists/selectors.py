from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from apps.detections.models import plate_key
from apps.watchlists.models import Alert, AlertSighting, WatchList

ALERT_STATES = ("open", "acknowledged", "all")


def watchlist_list():
    return WatchList.objects.annotate(
        entry_count=Count("entries", distinct=True),
        open_alert_count=Count("alerts", filter=Q(alerts__acknowledged_at=None), distinct=True),
    ).order_by("name")


def watchlist_with_entries():
    return WatchList.objects.prefetch_related("entries").order_by("name")


def alert_list(*, state="open", watchlist_id=None, camera_id=None, plate="", since=None, until=None):
    """Alerts, newest first: `open` (not acknowledged), `acknowledged` or `all`; of one list; seen by one
    camera (any sighting); whose plate contains `plate` (confusables folded, as matching does); raised
    from `since` to `until`."""
    state = state or "open"
    if state not in ALERT_STATES:
        raise ValidationError({"state": f"Choose one of {', '.join(ALERT_STATES)}."})
    alerts = with_sightings(Alert.objects.select_related("watchlist", "detection__camera", "acknowledged_by")).order_by(
        "-created_at", "-id"
    )
    if state == "open":
        alerts = alerts.filter(acknowledged_at=None)
    elif state == "acknowledged":
        alerts = alerts.exclude(acknowledged_at=None)
    if watchlist_id is not None:
        alerts = alerts.filter(watchlist_id=watchlist_id)
    if camera_id is not None:
        alerts = alerts.filter(
            Exists(AlertSighting.objects.filter(alert=OuterRef("pk"), detection__camera_id=camera_id))
        )
    if plate:
        alerts = alerts.filter(plate_key__contains=plate_key(plate))
    if since is not None:
        alerts = alerts.filter(created_at__gte=since)
    if until is not None:
        alerts = alerts.filter(created_at__lte=until)
    return alerts


def with_sightings(alerts):
    """`alerts` with their sightings' cameras loaded (`presenters.alert_cameras`)."""
    return alerts.prefetch_related(
        Prefetch("sightings", queryset=AlertSighting.objects.select_related("detection__camera"))
    )


def open_alert_count():
    return Alert.objects.filter(acknowledged_at=None).count()
