"""Camera services: validation, secrets kept apart, audit, provisioning queued on commit."""

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.cameras.models import Camera, StatusChange
from apps.cameras.services import (
    camera_create,
    camera_delete,
    camera_set_zones,
    camera_update,
)
from apps.streaming.services import camera_set_stream_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """Tasks the services queue, recorded instead of sent: the broker is tested elsewhere."""
    from apps.streaming import tasks

    sent = []
    monkeypatch.setattr(tasks.provision_camera, "delay", lambda camera_id: sent.append(("provision", camera_id)))
    monkeypatch.setattr(tasks.deprovision_path, "delay", lambda path: sent.append(("deprovision", path)))
    return sent


class TestCameraCreate:
    def test_credentials_in_the_url_are_taken_out_and_encrypted(self, alice, queued, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            camera = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://admin:s3cr%40t@192.0.2.10:554/live")
        assert camera.rtsp_url == "rtsp://192.0.2.10:554/live"
        assert camera.username == "admin"
        assert "s3cr" not in camera.password_encrypted
        assert camera.source_url() == "rtsp://admin:s3cr%40t@192.0.2.10:554/live"
        assert camera.masked_url == "rtsp://admin:***@192.0.2.10:554/live"
        assert queued == [("provision", camera.pk)]

    def test_it_writes_an_audit_entry_without_the_password(self, alice, queued):
        camera = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live", username="u", password="hunter2")
        entry = AuditEntry.objects.get(action="camera.create")
        assert entry.actor == alice and entry.target_id == str(camera.pk)
        assert "hunter2" not in str(entry.changes) and entry.changes["password"] == "***"

    @pytest.mark.parametrize(
        "url, message",
        [
            ("http://192.0.2.10/live", "Only rtsp"),
            ("rtsp:///live", "no host"),
            ("", "Enter the camera"),
            ("rtsp://host:99999/x", "Not a valid URL"),
            ("rtsp://host/a b", "spaces"),
        ],
    )
    def test_bad_urls_are_refused_and_nothing_is_saved(self, alice, queued, url, message):
        with pytest.raises(ValidationError) as exc:
            camera_create(actor=alice, name="Gate", rtsp_url=url)
        assert message in str(exc.value.message_dict["rtsp_url"])
        assert not Camera.objects.exists() and queued == []

    def test_a_duplicate_name_is_refused_with_a_clear_message(self, alice, queued):
        camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live")
        with pytest.raises(ValidationError) as exc:
            camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.11/live")
        assert exc.value.message_dict["name"] == ["A camera named 'Gate' already exists."]

    def test_a_huge_name_and_an_out_of_range_rate_are_refused(self, alice, queued):
        with pytest.raises(ValidationError) as exc:
            camera_create(actor=alice, name="x" * 101, rtsp_url="rtsp://192.0.2.10/live", ai_fps=9)
        assert set(exc.value.message_dict) == {"name", "ai_fps"}

    def test_html_in_a_name_is_stored_as_given(self, alice, queued):
        camera = camera_create(actor=alice, name="<script>alert(1)</script>", rtsp_url="rtsp://192.0.2.10/live")
        assert Camera.objects.get(pk=camera.pk).name == "<script>alert(1)</script>"


class TestCameraUpdate:
    def test_changing_the_url_reprovisions_but_renaming_does_not(self, alice, queued, django_capture_on_commit_callbacks):
        camera = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live")
        with django_capture_on_commit_callbacks(execute=True):
            camera_update(actor=alice, camera=camera, name="Main gate")
        assert queued == []
        with django_capture_on_commit_callbacks(execute=True):
            camera_update(actor=alice, camera=camera, rtsp_url="rtsp://192.0.2.99/live")
        assert queued == [("provision", camera.pk)]
        assert camera.provision_state == "pending"

    def test_the_password_is_kept_unless_given(self, alice, queued):
        camera = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live", username="u", password="p1")
        camera_update(actor=alice, camera=camera, location="North")
        assert camera.source_url() == "rtsp://u:p1@192.0.2.10/live"
        camera_update(actor=alice, camera=camera, password="p2")
        assert camera.source_url() == "rtsp://u:p2@192.0.2.10/live"

    def test_unknown_fields_are_refused(self, alice, queued):
        camera = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live")
        with pytest.raises(ValidationError):
            camera_update(actor=alice, camera=camera, provision_state="ready")


def test_deleting_a_camera_archives_it_and_queues_removing_its_media_path(
    alice, queued, django_capture_on_commit_callbacks
):
    camera = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live")
    path = camera.path_name
    with django_capture_on_commit_callbacks(execute=True):
        camera_delete(actor=alice, camera=camera)
    assert ("deprovision", path) in queued
    camera.refresh_from_db()
    assert camera.archived and not camera.enabled
    assert not Camera.objects.active().exists()
    assert AuditEntry.objects.filter(action="camera.delete").exists()
    with pytest.raises(ValidationError, match="archived camera cannot be changed"):
        camera_update(actor=alice, camera=camera, enabled=True)


def test_a_new_camera_may_take_the_name_of_a_deleted_one_but_not_of_one_in_service(alice, queued):
    old = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live")
    with pytest.raises(ValidationError) as refused:
        camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.11/live")
    assert refused.value.message_dict == {"name": ["A camera named 'Gate' already exists."]}
    camera_delete(actor=alice, camera=old)
    assert camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.11/live").pk != old.pk


class TestZones:
    @pytest.fixture
    def camera(self, alice, queued):
        return camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live")

    def test_valid_zones_replace_the_old_ones(self, alice, camera):
        camera_set_zones(actor=alice, camera=camera, zones=[{"name": "lane", "points": [[0, 0], [1, 0], [1, 1]]}])
        camera_set_zones(actor=alice, camera=camera, zones=[{"name": "gate", "points": [[0.1, 0.1], [0.9, 0.1], [0.5, 0.9]]}])
        assert [(z.name, z.points) for z in camera.zones.all()] == [("gate", [[0.1, 0.1], [0.9, 0.1], [0.5, 0.9]])]

    @pytest.mark.parametrize(
        "points, message",
        [
            ([[0, 0], [1, 1]], "at least 3 points"),
            ([[0, 0], [1.5, 0], [1, 1]], "inside the frame"),
            ([[0, 0], [1, 1], [1, 0], [0, 1]], "crosses itself"),
            ([[0, 0], [0.5, 0.5], [1, 1]], "no area"),
            ([[0, 0], ["a", 0], [1, 1]], "numbers"),
        ],
    )
    def test_invalid_polygons_are_refused_and_old_zones_kept(self, alice, camera, points, message):
        camera_set_zones(actor=alice, camera=camera, zones=[{"name": "lane", "points": [[0, 0], [1, 0], [1, 1]]}])
        with pytest.raises(ValidationError) as exc:
            camera_set_zones(actor=alice, camera=camera, zones=[{"name": "bad", "points": points}])
        assert message in str(exc.value)
        assert [z.name for z in camera.zones.all()] == ["lane"]


def test_a_camera_updated_while_a_task_changes_its_stream_state_keeps_both_changes(alice, queued):
    from apps.streaming.services import camera_set_provision_state

    camera = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live")
    form_copy = Camera.objects.get(pk=camera.pk)  # what an edit page loaded, before the tasks ran
    camera_set_stream_state(camera_id=camera.pk, state="online")
    camera_set_provision_state(camera_id=camera.pk, state="ready")
    camera_update(actor=alice, camera=form_copy, name="Gate 2", ai_fps=2.0)
    camera.refresh_from_db()
    assert (camera.name, camera.ai_fps) == ("Gate 2", 2.0)
    assert (camera.stream_state, camera.provision_state) == ("online", "ready")
    assert camera.stream_state_since is not None and camera.provisioned_at is not None


def test_a_stream_state_change_is_a_row_and_repeating_it_is_not(alice, queued, settings):
    settings.STREAM_STATE_HOLD_SECONDS = 0
    camera = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live")
    assert camera_set_stream_state(camera_id=camera.pk, state="online") is True
    assert camera_set_stream_state(camera_id=camera.pk, state="online") is False
    assert camera_set_stream_state(camera_id=camera.pk, state="offline", reason="no video") is True
    assert list(StatusChange.objects.order_by("at").values_list("from_state", "to_state")) == [
        ("unknown", "online"),
        ("online", "offline"),
    ]


class TestAiSchedule:
    def _task(self, camera):
        from django_celery_beat.models import PeriodicTask

        from apps.cameras.schedules import schedule_name

        return PeriodicTask.objects.filter(name=schedule_name(camera.pk)).first()

    def test_an_ai_camera_gets_a_schedule_at_its_frame_rate(self, alice, queued):
        camera = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live", ai_enabled=True, ai_fps=2)
        task = self._task(camera)
        assert task.task == "pipeline.grab_frame" and task.args == f"[{camera.pk}]" and task.enabled
        assert task.interval.every == 500_000 and task.interval.period == "microseconds"

    def test_disabling_pauses_turning_ai_off_removes_and_deleting_removes(self, alice, queued):
        camera = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live", ai_enabled=True)
        camera_update(actor=alice, camera=camera, enabled=False)
        assert self._task(camera).enabled is False
        camera_update(actor=alice, camera=camera, enabled=True, ai_fps=0.5)
        assert self._task(camera).enabled and self._task(camera).interval.every == 2_000_000
        camera_update(actor=alice, camera=camera, ai_enabled=False)
        assert self._task(camera) is None
        camera_update(actor=alice, camera=camera, ai_enabled=True)
        camera_delete(actor=alice, camera=camera)
        from django_celery_beat.models import PeriodicTask

        assert not PeriodicTask.objects.filter(task="pipeline.grab_frame").exists()

    def test_reconcile_repairs_a_deleted_or_edited_schedule(self, alice, queued):
        from apps.cameras.schedules import ai_schedules_reconcile

        camera = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live", ai_enabled=True)
        task = self._task(camera)
        task.args = "[999]"
        task.save()
        ai_schedules_reconcile()
        assert self._task(camera).args == f"[{camera.pk}]"
        self._task(camera).delete()
        ai_schedules_reconcile()
        assert self._task(camera) is not None


def test_a_flapping_camera_changes_state_at_most_once_per_hold_period(alice, queued, settings):
    from datetime import timedelta

    from django.utils import timezone

    from apps.cameras.models import Camera

    settings.STREAM_STATE_HOLD_SECONDS = 30
    camera = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live")
    assert camera_set_stream_state(camera_id=camera.pk, state="online") is True
    changes = [camera_set_stream_state(camera_id=camera.pk, state=s) for s in ["offline", "online"] * 10]
    assert not any(changes)
    assert StatusChange.objects.count() == 1
    # Once the state has held long enough, the next observation counts.
    Camera.objects.filter(pk=camera.pk).update(stream_state_since=timezone.now() - timedelta(seconds=31))
    assert camera_set_stream_state(camera_id=camera.pk, state="offline") is True
    assert StatusChange.objects.count() == 2


def test_the_services_ask_the_policy_whoever_calls_them(alice, victor, olivia):
    """The API, the console and the admin are not the only callers: the service itself refuses."""
    from django.core.exceptions import PermissionDenied

    from apps.accounts.policy import SYSTEM

    camera = camera_create(actor=alice, name="Gate", rtsp_url="rtsp://192.0.2.10/live")
    for someone in (victor, olivia, None):
        with pytest.raises(PermissionDenied):
            camera_create(actor=someone, name="Yard", rtsp_url="rtsp://192.0.2.11/live")
        with pytest.raises(PermissionDenied):
            camera_update(actor=someone, camera=camera, name="Renamed")
        with pytest.raises(PermissionDenied):
            camera_set_zones(actor=someone, camera=camera, zones=[])
        with pytest.raises(PermissionDenied):
            camera_delete(actor=someone, camera=camera)
    camera.refresh_from_db()
    assert camera.name == "Gate" and not camera.archived and Camera.objects.count() == 1
    # A command run on the host (the demo seed, the benchmarks) acts as the system, audited as no one.
    seeded = camera_create(actor=SYSTEM, name="Seeded", rtsp_url="rtsp://192.0.2.12/live")
    assert AuditEntry.objects.get(action="camera.create", target_id=str(seeded.pk)).actor is None
