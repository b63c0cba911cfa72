"""Every change is audited: the admin cannot write what only the services may, and audit entries
cannot be changed or deleted through the app, by anyone (the database refuses too)."""

import pytest
from django.db import DatabaseError, transaction

from apps.audit.models import AuditEntry
from tests.security.conftest import client_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(alice):
    return client_as(alice)


def test_the_admin_cannot_add_change_or_delete_mosaics_watch_lists_zones_or_alerts(admin_client, objects):
    zone = objects["camera"].zones.get()
    cases = {
        "mosaics/mosaic": objects["mosaic"],
        "watchlists/watchlist": objects["watchlist"],
        "watchlists/alert": objects["alert"],
    }
    for model, obj in cases.items():
        # The control: an admin may browse them.
        assert admin_client.get(f"/admin/{model}/{obj.pk}/change/").status_code == 200, model
        assert admin_client.get(f"/admin/{model}/add/").status_code == 403, model
        assert admin_client.post(f"/admin/{model}/{obj.pk}/change/", {"name": "Changed"}).status_code == 403, model
        assert admin_client.post(f"/admin/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403, model
        assert type(obj).objects.filter(pk=obj.pk).exists(), model
    # Zones are shown in the camera's page, read only: no zone form to submit.
    page = admin_client.get(f"/admin/cameras/camera/{objects['camera'].pk}/change/").content.decode()
    assert zone.name in page and 'name="zones-0-name"' not in page and 'name="zones-0-points"' not in page


def test_what_the_admin_may_not_do_the_console_does_with_an_audit_entry(alice, objects):
    from apps.mosaics.services import mosaic_update

    mosaic_update(actor=alice, mosaic=objects["mosaic"], name="Renamed")
    assert AuditEntry.objects.filter(action="mosaic.update", target_id=str(objects["mosaic"].pk)).exists()


def test_no_one_may_change_or_delete_an_audit_entry_in_the_admin(admin_client, objects):
    entry = AuditEntry.objects.get(action="mosaic.create")
    assert admin_client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "x"}).status_code == 403
    assert admin_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    response = admin_client.post("/admin/audit/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk]})
    assert response.status_code in (200, 302)
    assert AuditEntry.objects.filter(pk=entry.pk, action="mosaic.create").exists()


def test_the_database_refuses_to_change_or_delete_an_audit_entry(objects):
    entry = AuditEntry.objects.get(action="mosaic.create")
    for attempt in (
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(action="mosaic.nothing"),
        lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(actor=None, changes={}),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    entry.refresh_from_db()
    assert entry.action == "mosaic.create" and entry.actor is not None


def test_deleting_a_user_keeps_their_audit_entries(olivia, objects):
    entry = AuditEntry.objects.get(action="mosaic.create")
    assert entry.actor == olivia
    from apps.mosaics.models import Mosaic

    Mosaic.objects.filter(owner=olivia).delete()  # the mosaic's owner cascade is not the point here
    olivia.delete()
    entry.refresh_from_db()
    assert entry.actor is None and entry.action == "mosaic.create"


def test_only_the_retention_cutoff_lets_an_entry_go_and_only_an_older_one(objects):
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    entry = AuditEntry.objects.create(action="camera.update", target_type="camera", target_id="1", target_repr="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('vms.audit_retention_before', %s, true)",
                       [(entry.at - timedelta(seconds=1)).isoformat()])
        AuditEntry.objects.filter(pk=entry.pk).delete()  # younger than the cutoff: refused
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('vms.audit_retention_before', %s, true)",
                       [(timezone.now() + timedelta(seconds=1)).isoformat()])
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert not AuditEntry.objects.filter(pk=entry.pk).exists()
