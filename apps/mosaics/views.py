"""Console pages for mosaics: list, the live grid, create/edit/delete (operators their own, admins any)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from apps.accounts.policy import can
from apps.accounts.views import role_required
from apps.cameras.media import stream_urls
from apps.mosaics import selectors, services
from apps.mosaics.forms import MosaicForm
from vms.crud import CrudPages


def _editable(request, pk):
    mosaic = get_object_or_404(selectors.mosaic_visible_to(request.user), pk=pk)
    if not can(request.user, "mosaic.change", mosaic):
        raise PermissionDenied("You may not change this mosaic.")
    return mosaic


@role_required("mosaic.view")
def mosaic_list(request):
    mosaics = selectors.mosaic_list_for(request.user)
    return render(
        request,
        "mosaics/list.html",
        {"mosaics": mosaics, "can_create": can(request.user, "mosaic.create")},
    )


@role_required("mosaic.view")
def mosaic_detail(request, pk):
    mosaic = get_object_or_404(selectors.mosaic_visible_to(request.user), pk=pk)
    cells = [{"camera": slot.camera, "urls": stream_urls(slot.camera)} for slot in mosaic.slots.all()]
    return render(
        request,
        "mosaics/detail.html",
        {"mosaic": mosaic, "cells": cells, "can_edit": can(request.user, "mosaic.change", mosaic)},
    )


mosaic_create, mosaic_edit, mosaic_delete = CrudPages(
    name="mosaic", label="Mosaic", folder="mosaics", form=MosaicForm, get=_editable,
    create=services.mosaic_create, update=services.mosaic_update, delete=services.mosaic_delete,
).views(role_required("mosaic.create"))
