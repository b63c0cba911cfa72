"""Console pages for cameras: list, live page with zones, add/edit/delete (admins)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.roles import ADMIN, VIEWER
from apps.accounts.views import role_required
from apps.cameras import selectors, services
from apps.cameras.forms import CameraForm, ZonesForm, add_service_errors
from apps.cameras.models import Camera
from apps.streaming.services import stream_urls


def _zones_data(camera):
    return [{"name": zone.name, "points": zone.points} for zone in camera.zones.all()]


def _detail_context(request, camera, zones_form=None, draft_zones=None):
    return {
        "camera": camera,
        "urls": stream_urls(camera),
        "zones": list(camera.zones.all()),
        # What the zone editor starts from: the saved zones, or the refused draft.
        "zones_data": draft_zones if draft_zones is not None else _zones_data(camera),
        "zones_form": zones_form or ZonesForm(),
        "can_edit": request.user.has_role(ADMIN),
    }


@role_required(VIEWER)
def camera_list(request):
    cameras = selectors.camera_list()
    return render(request, "cameras/list.html", {"cameras": cameras, "can_edit": request.user.has_role(ADMIN)})


@role_required(VIEWER)
def camera_detail(request, pk):
    camera = get_object_or_404(Camera, pk=pk)
    return render(request, "cameras/detail.html", _detail_context(request, camera))


@role_required(ADMIN)
@require_http_methods(["GET", "POST"])
def camera_create(request):
    form = CameraForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            camera = services.camera_create(actor=request.user, **form.service_arguments())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Camera {camera.name} added; it is being provisioned.")
            return redirect("cameras:detail", pk=camera.pk)
    return render(request, "cameras/form.html", {"form": form, "camera": None})


@role_required(ADMIN)
@require_http_methods(["GET", "POST"])
def camera_edit(request, pk):
    camera = get_object_or_404(Camera, pk=pk)
    form = CameraForm(request.POST or None, camera=camera)
    if request.method == "POST" and form.is_valid():
        try:
            services.camera_update(actor=request.user, camera=camera, **form.service_arguments())
        except ValidationError as exc:
            add_service_errors(form, exc)
            camera.refresh_from_db()
        else:
            messages.success(request, f"Camera {camera.name} saved.")
            return redirect("cameras:detail", pk=camera.pk)
    return render(request, "cameras/form.html", {"form": form, "camera": camera})


@role_required(ADMIN)
@require_http_methods(["GET", "POST"])
def camera_delete(request, pk):
    camera = get_object_or_404(Camera, pk=pk)
    if request.method == "POST":
        name = camera.name
        services.camera_delete(actor=request.user, camera=camera)
        messages.success(request, f"Camera {name} deleted.")
        return redirect("cameras:list")
    return render(request, "cameras/confirm_delete.html", {"camera": camera})


@role_required(ADMIN)
@require_POST
def camera_zones(request, pk):
    camera = get_object_or_404(Camera, pk=pk)
    form = ZonesForm(request.POST)
    if form.is_valid():
        try:
            services.camera_set_zones(actor=request.user, camera=camera, zones=form.cleaned_data["zones"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Zones saved.")
            return redirect("cameras:detail", pk=camera.pk)
    draft = form.cleaned_data.get("zones") if hasattr(form, "cleaned_data") else None
    if not isinstance(draft, list):
        draft = None
    context = _detail_context(request, camera, zones_form=form, draft_zones=draft)
    return render(request, "cameras/detail.html", context, status=400)
