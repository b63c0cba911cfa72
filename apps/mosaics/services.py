"""Every write to mosaics. One transaction each, audited."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.accounts.policy import require
from apps.audit.services import audit_record
from apps.cameras.models import Camera
from apps.mosaics.models import MAX_CAMERAS, Mosaic, MosaicCamera

UNCHANGED = object()
TOO_MANY_CAMERAS = f"A mosaic shows at most {MAX_CAMERAS} cameras."


def _clean_name(name):
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the mosaic a name."})
    if len(name) > 100:
        raise ValidationError({"name": "A mosaic name is at most 100 characters."})
    return name


def _check_name_free(owner, name, exclude_id=None):
    taken = Mosaic.objects.filter(owner=owner, name=name).exclude(pk=exclude_id)
    if taken.exists():
        raise ValidationError({"name": f"You already have a mosaic named {name!r}."})


def _clean_camera_ids(camera_ids):
    """Ordered, distinct, existing camera ids; 1 to 4 of them."""
    if camera_ids is None or isinstance(camera_ids, (str, bytes)) or not hasattr(camera_ids, "__iter__"):
        raise ValidationError({"cameras": "Cameras are a list of camera ids."})
    ids = []
    for value in camera_ids:
        try:
            if isinstance(value, bool):
                raise TypeError
            ids.append(int(value))
        except (TypeError, ValueError):
            raise ValidationError({"cameras": f"{value!r} is not a camera id."}) from None
    if len(ids) > MAX_CAMERAS:
        raise ValidationError({"cameras": TOO_MANY_CAMERAS})
    if not ids:
        raise ValidationError({"cameras": "Pick at least one camera."})
    if len(set(ids)) != len(ids):
        raise ValidationError({"cameras": "A camera appears only once in a mosaic."})
    known = set(Camera.objects.active().filter(pk__in=ids).values_list("pk", flat=True))
    unknown = [str(i) for i in ids if i not in known]
    if unknown:
        raise ValidationError({"cameras": f"Unknown camera id: {', '.join(unknown)}."})
    return ids


def _set_cameras(mosaic, ids):
    mosaic.slots.all().delete()
    MosaicCamera.objects.bulk_create(
        MosaicCamera(mosaic=mosaic, camera_id=camera_id, position=position) for position, camera_id in enumerate(ids)
    )


def _audit_view(mosaic, ids):
    return {"name": mosaic.name, "shared": mosaic.shared, "cameras": ids}


def _save(mosaic):
    try:
        with transaction.atomic():
            mosaic.save()
    except IntegrityError:
        # Two saves raced past the name check.
        raise ValidationError({"name": f"You already have a mosaic named {mosaic.name!r}."}) from None


def mosaic_create(*, actor, name, camera_ids, shared=False):
    require(actor, "mosaic.create", message="Creating mosaics needs the operator role.")
    name = _clean_name(name)
    ids = _clean_camera_ids(camera_ids)
    _check_name_free(actor, name)
    with transaction.atomic():
        mosaic = Mosaic(name=name, owner=actor, shared=bool(shared))
        _save(mosaic)
        _set_cameras(mosaic, ids)
        audit_record(actor=actor, action="mosaic.create", target=mosaic, changes=_audit_view(mosaic, ids))
    return mosaic


def mosaic_update(*, actor, mosaic, name=UNCHANGED, camera_ids=UNCHANGED, shared=UNCHANGED):
    require(actor, "mosaic.change", mosaic, message="You may not change this mosaic.")
    before_ids = list(mosaic.slots.order_by("position").values_list("camera_id", flat=True))
    before = _audit_view(mosaic, before_ids)
    if name is not UNCHANGED:
        mosaic.name = _clean_name(name)
        _check_name_free(mosaic.owner_id, mosaic.name, exclude_id=mosaic.pk)
    ids = before_ids if camera_ids is UNCHANGED else _clean_camera_ids(camera_ids)
    if shared is not UNCHANGED:
        mosaic.shared = bool(shared)
    after = _audit_view(mosaic, ids)
    diff = {field: [before[field], after[field]] for field in after if before[field] != after[field]}
    with transaction.atomic():
        _save(mosaic)
        if ids != before_ids:
            _set_cameras(mosaic, ids)
        audit_record(actor=actor, action="mosaic.update", target=mosaic, changes=diff)
    return mosaic


def mosaic_delete(*, actor, mosaic):
    require(actor, "mosaic.change", mosaic, message="You may not delete this mosaic.")
    ids = list(mosaic.slots.order_by("position").values_list("camera_id", flat=True))
    with transaction.atomic():
        audit_record(actor=actor, action="mosaic.delete", target=mosaic, changes=_audit_view(mosaic, ids))
        mosaic.delete()
