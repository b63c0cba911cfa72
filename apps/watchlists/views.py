"""Console pages for watch lists and alerts: viewers see; operators manage lists and acknowledge alerts."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.roles import OPERATOR, VIEWER
from apps.accounts.views import role_required
from apps.watchlists import selectors, services
from apps.watchlists.forms import WatchListForm
from apps.watchlists.models import Alert, WatchList
from apps.watchlists.presenters import alert_public
from vms.crud import CrudPages


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
@require_POST
def watchlist_rotate_secret(request, pk):
    """A new signing secret, shown on this answer only (never stored in the session, never shown again)."""
    watchlist = get_object_or_404(WatchList, pk=pk)
    secret = services.watchlist_rotate_secret(actor=request.user, watchlist=watchlist)
    response = render(request, "watchlists/secret.html", {"watchlist": watchlist, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


watchlist_create, watchlist_edit, watchlist_delete = CrudPages(
    name="watchlist", label="Watch list", folder="watchlists", form=WatchListForm,
    get=lambda request, pk: get_object_or_404(WatchList, pk=pk),
    create=services.watchlist_create, update=services.watchlist_update, delete=services.watchlist_delete,
).views(role_required(OPERATOR))


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
        return JsonResponse(alert_public(alert))
    messages.success(request, f"Alert for {alert.plate_text} acknowledged.")
    return redirect(request.POST.get("next") if _safe_next(request) else "watchlists:alerts")


def _safe_next(request):
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
