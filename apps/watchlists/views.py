"""Console pages for watch lists and alerts: viewers see; operators manage lists and acknowledge alerts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.roles import OPERATOR, VIEWER
from apps.accounts.views import role_required
from apps.cameras.forms import add_service_errors
from apps.watchlists import selectors, services
from apps.watchlists.forms import WatchListForm
from apps.watchlists.models import Alert, WatchList


@role_required(VIEWER)
def watchlist_list(request):
    return render(
        request,
        "watchlists/list.html",
        {"watchlists": selectors.watchlist_list(), "can_edit": request.user.has_role(OPERATOR)},
    )


@role_required(VIEWER)
def watchlist_detail(request, pk):
    watchlist = get_object_or_404(WatchList, pk=pk)
    return render(
        request,
        "watchlists/detail.html",
        {
            "watchlist": watchlist,
            "entries": watchlist.entries.all(),
            "alerts": selectors.alert_list(state="all", watchlist_id=watchlist.pk)[:20],
            "deliveries": watchlist.deliveries.select_related("alert")[:20],
            "last_failed": watchlist.last_failed_delivery(),
            "last_delivery": watchlist.last_delivery(),
            "can_edit": request.user.has_role(OPERATOR),
        },
    )


@role_required(OPERATOR)
@require_http_methods(["GET", "POST"])
def watchlist_create(request):
    form = WatchListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            watchlist = services.watchlist_create(actor=request.user, **form.service_arguments())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Watch list {watchlist.name} created.")
            return redirect("watchlists:detail", pk=watchlist.pk)
    return render(request, "watchlists/form.html", {"form": form, "watchlist": None})


@role_required(OPERATOR)
@require_http_methods(["GET", "POST"])
def watchlist_edit(request, pk):
    watchlist = get_object_or_404(WatchList, pk=pk)
    form = WatchListForm(request.POST or None, watchlist=watchlist)
    if request.method == "POST" and form.is_valid():
        try:
            services.watchlist_update(actor=request.user, watchlist=watchlist, **form.service_arguments())
        except ValidationError as exc:
            add_service_errors(form, exc)
            watchlist.refresh_from_db()
        else:
            messages.success(request, f"Watch list {watchlist.name} saved.")
            return redirect("watchlists:detail", pk=watchlist.pk)
    return render(request, "watchlists/form.html", {"form": form, "watchlist": watchlist})


@role_required(OPERATOR)
@require_http_methods(["GET", "POST"])
def watchlist_delete(request, pk):
    watchlist = get_object_or_404(WatchList, pk=pk)
    if request.method == "POST":
        name = watchlist.name
        services.watchlist_delete(actor=request.user, watchlist=watchlist)
        messages.success(request, f"Watch list {name} deleted.")
        return redirect("watchlists:list")
    return render(request, "watchlists/confirm_delete.html", {"watchlist": watchlist})


@role_required(VIEWER)
def alert_list(request):
    state = request.GET.get("state") or "open"
    if state not in selectors.ALERT_STATES:
        state = "open"
    return render(
        request,
        "watchlists/alerts.html",
        {
            "alerts": selectors.alert_list(state=state)[:200],
            "state": state,
            "states": selectors.ALERT_STATES,
            "can_ack": request.user.has_role(OPERATOR),
        },
    )


@role_required(OPERATOR)
@require_POST
def alert_acknowledge(request, pk):
    alert = services.alert_acknowledge(actor=request.user, alert=get_object_or_404(Alert, pk=pk))
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(services.alert_public(alert))
    messages.success(request, f"Alert for {alert.plate_text} acknowledged.")
    return redirect(request.POST.get("next") if _safe_next(request) else "watchlists:alerts")


def _safe_next(request):
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
