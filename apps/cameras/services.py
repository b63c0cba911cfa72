"""Every write to a camera's configuration and zones. One transaction each; provisioning and pushes on commit.

(Its stream and provision states belong to the media side: `apps.streaming.services`.)
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.policy import require
from apps.audit.services import audit_record
from apps.cameras.models import MASK, Camera, ProvisionState, RecordingMode, Zone
from apps.cameras.presenters import camera_public
from apps.cameras.schedules import ai_schedule_remove, ai_schedule_sync
from apps.cameras.validation import split_rtsp_url, validate_zone
from vms import live
from vms.encryption import encrypt
from vms.outbox import enqueue

UNCHANGED = object()
EDITABLE = (
    "name", "rtsp_url", "username", "location", "enabled", "ai_enabled", "plate_camera", "ai_fps",
    "recording_mode", "recording_retention_days",
)
# The columns these services write. An update writes only these (and the provision state it resets),
# never the stream and provision state that the streaming tasks may have changed meanwhile.
OWNED_COLUMNS = (*EDITABLE, "password_encrypted", "updated_at")
# A change to these means the media server must be told.
MEDIA_FIELDS = {"rtsp_url", "username", "password", "enabled", "recording_mode", "recording_retention_days"}


def _audit_view(camera):
    return {field: getattr(camera, field) for field in EDITABLE} | {"password": MASK if camera.has_password else ""}


def _apply_url(camera, rtsp_url, username, password):
    url, url_username, url_password = split_rtsp_url(rtsp_url)
    camera.rtsp_url = url
    if url_username:
        camera.username = url_username
    elif username is not UNCHANGED:
        camera.username = (username or "").strip()
    if url_password:
        password = url_password
    if password is not UNCHANGED:
        camera.password_encrypted = encrypt(password or "")


def _validate(camera):
    try:
        camera.full_clean(exclude=["password_encrypted"])
    except ValidationError as exc:
        # Names are unique among cameras in service (a constraint, so its error is not on the field).
        if any("already exists" in m for m in exc.message_dict.get(NON_FIELD_ERRORS, [])):
            raise ValidationError({"name": f"A camera named {camera.name!r} already exists."}) from None
        raise


def _after_commit(camera_id, media_changed):
    from apps.streaming import tasks

    def run():
        if media_changed:
            enqueue(tasks.provision_camera, camera_id)
        camera = Camera.objects.filter(pk=camera_id).first()
        if camera is not None:
            live.push(live.STATUS, "camera.updated", camera_public(camera))

    transaction.on_commit(run)


def camera_create(
    *,
    actor,
    name,
    rtsp_url,
    username="",
    password="",
    location="",
    enabled=True,
    ai_enabled=False,
    plate_camera=False,
    ai_fps=1.0,
    recording_mode=RecordingMode.OFF,
    recording_retention_days=7,
):
    camera = Camera(
        name=(name or "").strip(),
        location=(location or "").strip(),
        enabled=enabled,
        ai_enabled=ai_enabled,
        plate_camera=plate_camera,
        ai_fps=ai_fps,
        recording_mode=recording_mode,
        recording_retention_days=recording_retention_days,
    )
    require(actor, "camera.change", message="Adding cameras needs the admin role.")
    _apply_url(camera, rtsp_url, username, password)
    _validate(camera)
    with transaction.atomic():
        camera.save()
        ai_schedule_sync(camera)
        audit_record(actor=actor, action="camera.create", target=camera, changes=_audit_view(camera))
        _after_commit(camera.pk, media_changed=True)
    return camera


def camera_update(*, actor, camera, password=UNCHANGED, **changes):
    require(actor, "camera.change", message="Changing cameras needs the admin role.")
    if camera.archived:
        raise ValidationError("An archived camera cannot be changed; add a new camera instead.")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({field: "This field cannot be changed." for field in sorted(unknown)})
    before = _audit_view(camera)
    for field in ("name", "location"):
        if field in changes:
            changes[field] = (changes[field] or "").strip()
    for field, value in changes.items():
        if field not in ("rtsp_url", "username"):
            setattr(camera, field, value)
    if {"rtsp_url", "username"} & set(changes) or password is not UNCHANGED:
        _apply_url(camera, changes.get("rtsp_url", camera.rtsp_url), changes.get("username", UNCHANGED), password)
    _validate(camera)
    after = _audit_view(camera)
    diff = {field: [before[field], after[field]] for field in after if before[field] != after[field]}
    if password is not UNCHANGED:
        diff["password"] = [MASK, MASK]
    media_changed = bool(MEDIA_FIELDS & set(diff))
    with transaction.atomic():
        columns = list(OWNED_COLUMNS)
        if media_changed:
            camera.provision_state = ProvisionState.PENDING
            camera.provision_attempts = 0
            columns += ["provision_state", "provision_attempts"]
        camera.save(update_fields=columns)
        ai_schedule_sync(camera)
        audit_record(actor=actor, action="camera.update", target=camera, changes=diff)
        _after_commit(camera.pk, media_changed=media_changed)
    return camera


def camera_reprovision(*, actor, camera):
    """Provision the camera's media path again (admins): pending now, the task on commit."""
    require(actor, "stream.provision", message="Re-provisioning needs the admin role.")
    with transaction.atomic():
        Camera.objects.filter(pk=camera.pk).update(provision_state=ProvisionState.PENDING, provision_attempts=0)
        audit_record(actor=actor, action="camera.reprovision", target=camera, changes={})
        _after_commit(camera.pk, media_changed=True)
    camera.refresh_from_db()
    return camera


def camera_delete(*, actor, camera):
    """Take a camera out of service and keep its evidence: archived, not deleted.

    It is disabled, its media path and AI schedule go, and it leaves every live list;
    its detections, alerts and recordings stay, searchable under its name, until an
    admin purges them (`apps.recordings.services.camera_purge`). Deleting an archived camera again does nothing.
    """
    from apps.streaming import tasks

    require(actor, "camera.change", message="Deleting cameras needs the admin role.")
    path_name = camera.path_name
    camera_id = camera.pk
    with transaction.atomic():
        camera = Camera.objects.select_for_update().get(pk=camera_id)
        if camera.archived:
            return camera
        camera.enabled = False
        camera.archived_at = timezone.now()
        camera.save(update_fields=["enabled", "archived_at", "updated_at"])
        ai_schedule_remove(camera_id)
        audit_record(actor=actor, action="camera.delete", target=camera, changes=_audit_view(camera) | {"archived": True})
        transaction.on_commit(lambda: enqueue(tasks.deprovision_path, path_name))
        transaction.on_commit(lambda: live.push(live.STATUS, "camera.deleted", {"id": camera_id}))
    return camera


def camera_set_zones(*, actor, camera, zones):
    """Replace the camera's zones. `zones` is a list of {"name", "points"}."""
    require(actor, "camera.change", message="Changing zones needs the admin role.")
    if not isinstance(zones, list):
        raise ValidationError({"zones": "Zones are a list of {name, points}."})
    clean = []
    for index, zone in enumerate(zones):
        if not isinstance(zone, dict):
            raise ValidationError({"zones": f"Zone {index + 1} is not an object with name and points."})
        try:
            clean.append(validate_zone(zone.get("name"), zone.get("points")))
        except ValidationError as exc:
            raise ValidationError({"zones": exc.messages}) from None
    names = [name for name, _ in clean]
    if len(set(names)) != len(names):
        raise ValidationError({"zones": "Zone names must be unique per camera."})
    with transaction.atomic():
        camera.zones.all().delete()
        Zone.objects.bulk_create(Zone(camera=camera, name=name, points=points) for name, points in clean)
        audit_record(actor=actor, action="camera.zones", target=camera, changes={"zones": [n for n in names]})
    return list(camera.zones.all())
