from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from apps.watchlists.models import Alert, WatchList

ALERT_STATES = ("open", "acknowledged", "all")


def watchlist_list():
    return WatchList.objects.annotate(
        entry_count=Count("entries", distinct=True),
        open_alert_count=Count("alerts", filter=Q(alerts__acknowledged_at=None), distinct=True),
    ).order_by("name")


def watchlist_with_entries():
    return WatchList.objects.prefetch_related("entries").order_by("name")


def alert_list(*, state="open", watchlist_id=None):
    """Alerts, newest first: `open` (not acknowledged), `acknowledged` or `all`."""
    state = state or "open"
    if state not in ALERT_STATES:
        raise ValidationError({"state": f"Choose one of {', '.join(ALERT_STATES)}."})
    alerts = Alert.objects.select_related("watchlist", "detection__camera", "acknowledged_by").order_by(
        "-created_at", "-id"
    )
    if state == "open":
        alerts = alerts.filter(acknowledged_at=None)
    elif state == "acknowledged":
        alerts = alerts.exclude(acknowledged_at=None)
    if watchlist_id is not None:
        alerts = alerts.filter(watchlist_id=watchlist_id)
    return alerts


def open_alert_count():
    return Alert.objects.filter(acknowledged_at=None).count()
