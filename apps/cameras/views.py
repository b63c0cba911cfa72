"""Console pages for cameras: list, live page with zones, add/edit/delete (admins)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.policy import can
from apps.accounts.views import role_required
from apps.cameras import selectors, services
from apps.cameras.forms import CameraForm, ZonesForm
from apps.cameras.media import stream_urls
from apps.cameras.models import Camera
from vms.crud import CrudPages
from vms.forms import add_service_errors


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
        "can_edit": can(request.user, "camera.change"),
        "can_test": can(request.user, "camera.test"),
    }


@role_required("camera.view")
def camera_list(request):
    archived = request.GET.get("archived") == "1"
    cameras = selectors.camera_list(filters={"archived": "true"} if archived else None)
    context = {"cameras": cameras, "archived": archived, "can_edit": can(request.user, "camera.change")}
    return render(request, "cameras/list.html", context)


@role_required("camera.view")
def camera_detail(request, pk):
    camera = get_object_or_404(Camera, pk=pk)
    if camera.archived:
        context = {"camera": camera, "detections": camera.detections.count(), "can_purge": can(request.user, "camera.purge")}
        return render(request, "cameras/archived.html", context)
    return render(request, "cameras/detail.html", _detail_context(request, camera))


camera_create, camera_edit, camera_delete = CrudPages(
    name="camera", label="Camera", folder="cameras", form=CameraForm,
    get=lambda request, pk: get_object_or_404(Camera, pk=pk),
    create=services.camera_create, update=services.camera_update, delete=services.camera_delete,
    created="{label} {name} added; it is being provisioned.",
).views(role_required("camera.change"))


@role_required("camera.change")
@require_POST
def camera_zones(request, pk):
    camera = get_object_or_404(Camera, pk=pk)
    form = ZonesForm(request.POST)
    draft = None
    if form.is_valid():
        # Taken before the service's errors are added: adding an error to the field drops it from cleaned_data,
        # and the editor must come back with the zones just drawn, not the saved ones.
        draft = form.cleaned_data["zones"]
        try:
            services.camera_set_zones(actor=request.user, camera=camera, zones=draft)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Zones saved.")
            return redirect("cameras:detail", pk=camera.pk)
    if not isinstance(draft, list):
        draft = None
    context = _detail_context(request, camera, zones_form=form, draft_zones=draft)
    return render(request, "cameras/detail.html", context, status=400)
