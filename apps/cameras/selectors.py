from django.core.exceptions import ValidationError

from apps.cameras.models import Camera, ProvisionState, StreamState

TRUE = {"1", "true", "yes"}
FALSE = {"0", "false", "no"}


def _boolean(name, value):
    value = value.lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValidationError({name: f"Use true or false, not {value!r}."})


def camera_list(*, filters=None):
    """Cameras in service, filtered by query parameters: search, enabled, ai_enabled, stream_state, provision_state.

    `archived=true` lists the deleted (archived) cameras instead, whose evidence is kept.
    """
    filters = filters or {}
    cameras = Camera.objects.prefetch_related("zones").order_by("name")
    archived = _boolean("archived", filters["archived"]) if filters.get("archived") else False
    cameras = cameras.filter(archived_at__isnull=not archived)
    if filters.get("search"):
        cameras = cameras.filter(name__icontains=filters["search"])
    for name in ("enabled", "ai_enabled", "plate_camera"):
        if filters.get(name):
            cameras = cameras.filter(**{name: _boolean(name, filters[name])})
    for name, choices in (("stream_state", StreamState), ("provision_state", ProvisionState)):
        value = filters.get(name)
        if value:
            if value not in choices.values:
                raise ValidationError({name: f"Choose one of {', '.join(choices.values)}."})
            cameras = cameras.filter(**{name: value})
    return cameras
