from django.shortcuts import render

from apps.accounts.policy import can
from apps.accounts.views import role_required
from apps.dashboard.selectors import chart, dashboard_figures
from apps.detections.selectors import detection_recent
from apps.recordings.retention import disk_notice
from apps.watchlists.selectors import alert_list


def _stats_context():
    figures = dashboard_figures()
    return {"figures": figures, "chart": chart(figures["hourly"])}


@role_required("console.view")
def home(request):
    """The console home, server-rendered; `?fragment=stats` is the part HTMX swaps in on live events (dashboard.js)."""
    if request.GET.get("fragment") == "stats":
        return render(request, "dashboard/_stats.html", _stats_context())
    return render(
        request,
        "dashboard/home.html",
        {
            **_stats_context(),
            "detections": detection_recent(limit=20),
            "feed_ready": True,
            "alerts": alert_list(state="open")[:20],
            "can_ack": can(request.user, "alert.acknowledge"),
            "disk_notice": disk_notice(),
        },
    )
