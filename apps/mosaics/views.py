"""Console pages for mosaics: list, the live grid, create/edit/delete (operators their own, admins any)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.roles import OPERATOR, VIEWER
from apps.accounts.views import role_required
from apps.cameras.forms import add_service_errors
from apps.mosaics import selectors, services
from apps.mosaics.forms import MosaicForm
from apps.streaming.services import stream_urls


def _editable(request, pk):
    mosaic = get_object_or_404(selectors.mosaic_visible_to(request.user), pk=pk)
    if not mosaic.editable_by(request.user):
        raise PermissionDenied("You may not change this mosaic.")
    return mosaic


@role_required(VIEWER)
def mosaic_list(request):
    mosaics = selectors.mosaic_list_for(request.user)
    return render(
        request,
        "mosaics/list.html",
        {"mosaics": mosaics, "can_create": request.user.has_role(OPERATOR)},
    )


@role_required(VIEWER)
def mosaic_detail(request, pk):
    mosaic = get_object_or_404(selectors.mosaic_visible_to(request.user), pk=pk)
    cells = [{"camera": slot.camera, "urls": stream_urls(slot.camera)} for slot in mosaic.slots.all()]
    return render(
        request,
        "mosaics/detail.html",
        {"mosaic": mosaic, "cells": cells, "can_edit": mosaic.editable_by(request.user)},
    )


@role_required(OPERATOR)
@require_http_methods(["GET", "POST"])
def mosaic_create(request):
    form = MosaicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mosaic = services.mosaic_create(actor=request.user, **form.service_arguments())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Mosaic {mosaic.name} created.")
            return redirect("mosaics:detail", pk=mosaic.pk)
    return render(request, "mosaics/form.html", {"form": form, "mosaic": None})


@role_required(OPERATOR)
@require_http_methods(["GET", "POST"])
def mosaic_edit(request, pk):
    mosaic = _editable(request, pk)
    form = MosaicForm(request.POST or None, mosaic=mosaic)
    if request.method == "POST" and form.is_valid():
        try:
            services.mosaic_update(actor=request.user, mosaic=mosaic, **form.service_arguments())
        except ValidationError as exc:
            add_service_errors(form, exc)
            mosaic.refresh_from_db()
        else:
            messages.success(request, f"Mosaic {mosaic.name} saved.")
            return redirect("mosaics:detail", pk=mosaic.pk)
    return render(request, "mosaics/form.html", {"form": form, "mosaic": mosaic})


@role_required(OPERATOR)
@require_http_methods(["GET", "POST"])
def mosaic_delete(request, pk):
    mosaic = _editable(request, pk)
    if request.method == "POST":
        name = mosaic.name
        services.mosaic_delete(actor=request.user, mosaic=mosaic)
        messages.success(request, f"Mosaic {name} deleted.")
        return redirect("mosaics:list")
    return render(request, "mosaics/confirm_delete.html", {"mosaic": mosaic})
