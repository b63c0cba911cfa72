"""Console pages for watch lists and alerts: viewers see; operators manage lists and acknowledge alerts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.policy import can
from apps.accounts.views import role_required
from apps.watchlists import selectors, services
from apps.watchlists.forms import AlertFilterForm, WatchListForm
from apps.watchlists.models import Alert, WatchList
from apps.watchlists.presenters import alert_public
from vms.crud import CrudPages


@role_required("watchlist.view")
def watchlist_list(request):
    return render(
        request,
        "watchlists/list.html",
        {"watchlists": selectors.watchlist_list(), "can_edit": can(request.user, "watchlist.change")},
    )


@role_required("watchlist.view")
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
            "can_edit": can(request.user, "watchlist.change"),
        },
    )


@role_required("watchlist.change")
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
).views(role_required("watchlist.change"))


ALERT_PAGE_SIZE = 50


@role_required("watchlist.view")
def alert_list(request):
    form = AlertFilterForm(request.GET or None)
    valid = not request.GET or form.is_valid()
    filters = form.filters() if valid else {}
    page = Paginator(selectors.alert_list(**filters), ALERT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    state = filters.get("state", "open")
    # Live rows are added only where they belong: open alerts, no other filter, the newest page.
    live = state == "open" and page.number == 1 and not any(v for k, v in filters.items() if k != "state")
    return render(
        request,
        "watchlists/alerts.html",
        {
            "form": form,
            "page": page,
            "alerts": page.object_list,
            "query": query.urlencode(),
            "state": state,
            "live_rows": live,
            "can_ack": can(request.user, "alert.acknowledge"),
            "sound_on": services.alert_sound_enabled(request.user),
        },
        status=200 if valid else 400,
    )


@role_required("alert.acknowledge")
@require_POST
def alert_acknowledge_shown(request):
    """"Acknowledge all shown": the rows the page showed (their ids), as far as the page's filter (the same
    query, posted back) still holds them."""
    form = AlertFilterForm(request.POST)
    back = _safe_next(request) and request.POST.get("next") or reverse("watchlists:alerts")
    if not form.is_valid():
        messages.error(request, "The filter is not valid: nothing was acknowledged.")
        return redirect(back)
    try:
        count = services.alert_acknowledge_shown(
            actor=request.user, alerts=selectors.alert_list(**form.filters()), alert_ids=request.POST.getlist("alert")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, f"{count} alert{'' if count == 1 else 's'} acknowledged.")
    return redirect(back)


@role_required("console.view")
@require_POST
def alert_sound(request):
    """The user's own alert sound, on or off (`sound=1` / `sound=0`)."""
    value = request.POST.get("sound")
    if value not in ("0", "1"):
        return JsonResponse({"sound": "Send sound=1 or sound=0."}, status=400)
    enabled = services.alert_sound_set(actor=request.user, enabled=value == "1")
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"sound": enabled})
    messages.success(request, f"Alert sound {'on' if enabled else 'off'}.")
    return redirect(request.POST.get("next") if _safe_next(request) else "watchlists:alerts")


@role_required("alert.acknowledge")
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
