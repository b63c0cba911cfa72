"""Users in the console (admins): create with a role, change role, deactivate and reactivate, reset a password
(shown once, never audited); always an active admin left; the admin group and is_staff never disagree."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from apps.accounts import services
from apps.accounts.policy import role_of
from apps.audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD_PASSWORD = "Gate-keeper-2026!"


def test_an_admin_creates_a_user_with_a_role_audited_without_the_password(alice):
    user = services.user_create(actor=alice, username="oscar", password=GOOD_PASSWORD, role="operator")
    assert role_of(user) == "operator" and not user.is_staff and user.check_password(GOOD_PASSWORD)
    entry = AuditEntry.objects.get(action="user.create", target_repr="oscar")
    assert entry.actor == alice and entry.changes == {"username": "oscar", "email": "", "role": "operator"}
    assert GOOD_PASSWORD not in str(entry.changes)


def test_only_admins_manage_users(olivia, victor):
    for actor in (olivia, victor):
        with pytest.raises(PermissionDenied):
            services.user_create(actor=actor, username="x", password=GOOD_PASSWORD, role="viewer")
        with pytest.raises(PermissionDenied):
            services.user_set_role(actor=actor, user=actor, role="admin")
        with pytest.raises(PermissionDenied):
            services.user_reset_password(actor=actor, user=actor)


def test_a_duplicate_username_and_a_weak_password_are_refused_by_field(alice):
    with pytest.raises(ValidationError) as duplicate:
        services.user_create(actor=alice, username="ALICE", password=GOOD_PASSWORD, role="viewer")
    assert "already exists" in duplicate.value.message_dict["username"][0]
    with pytest.raises(ValidationError) as weak:
        services.user_create(actor=alice, username="wendy", password="password", role="viewer")
    assert "too common" in " ".join(weak.value.message_dict["password"])
    assert not User.objects.filter(username="wendy").exists()


def test_the_role_sets_group_staff_and_superuser_together(alice, victor):
    services.user_set_role(actor=alice, user=victor, role="admin")
    victor.refresh_from_db()
    assert (role_of(victor), victor.is_staff, victor.is_superuser) == ("admin", True, True)
    services.user_set_role(actor=alice, user=victor, role="viewer")
    victor.refresh_from_db()
    assert (list(victor.groups.values_list("name", flat=True)), victor.is_staff, victor.is_superuser) == (
        ["viewer"], False, False
    )
    assert AuditEntry.objects.filter(action="user.role").count() == 2


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(alice, victor):
    with pytest.raises(ValidationError, match="last active admin"):
        services.user_set_role(actor=alice, user=alice, role="operator")
    with pytest.raises(ValidationError, match="last active admin"):
        services.user_set_active(actor=alice, user=alice, active=False)
    alice.refresh_from_db()
    assert alice.is_active and role_of(alice) == "admin"
    services.user_set_role(actor=alice, user=victor, role="admin")
    services.user_set_role(actor=alice, user=alice, role="operator")  # another admin is left: allowed
    assert role_of(alice) == "operator"


def test_a_deactivated_user_can_do_nothing_until_reactivated(alice, olivia):
    services.user_set_active(actor=alice, user=olivia, active=False)
    assert not Client().login(username="olivia", password=PASSWORD)
    services.user_set_active(actor=alice, user=olivia, active=True)
    assert Client().login(username="olivia", password=PASSWORD)
    assert list(AuditEntry.objects.filter(action__startswith="user.", actor=alice).values_list("action", flat=True).order_by("id")) \
        == ["user.deactivate", "user.reactivate"]


def test_a_reset_password_works_once_shown_and_ends_the_old_one(alice, olivia):
    password = services.user_reset_password(actor=alice, user=olivia)
    assert len(password) >= 16
    assert not Client().login(username="olivia", password=PASSWORD)
    assert Client().login(username="olivia", password=password)
    entry = AuditEntry.objects.get(action="user.password_reset")
    assert entry.changes == {} and password not in entry.target_repr


# --- the console pages ---------------------------------------------------------------------------------------


def test_the_users_page_creates_a_user_who_can_then_log_in(client, alice):
    client.force_login(alice)
    response = client.post(reverse("users-add"), {"username": "oscar", "role": "operator", "password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert Client().login(username="oscar", password=GOOD_PASSWORD)
    assert role_of(User.objects.get(username="oscar")) == "operator"


def test_creating_without_a_password_shows_a_generated_one_once(client, alice, caplog):
    client.force_login(alice)
    response = client.post(reverse("users-add"), {"username": "oscar", "role": "viewer", "password": ""})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password in response.content.decode()
    assert Client().login(username="oscar", password=password)
    assert password not in caplog.text
    assert password not in str(list(AuditEntry.objects.values_list("changes", "target_repr")))


def test_the_form_shows_a_duplicate_username_and_a_weak_password(client, alice):
    client.force_login(alice)
    duplicate = client.post(reverse("users-add"), {"username": "alice", "role": "viewer", "password": GOOD_PASSWORD})
    assert duplicate.status_code == 400 and "already exists" in duplicate.content.decode()
    weak = client.post(reverse("users-add"), {"username": "wendy", "role": "viewer", "password": "12345678"})
    assert weak.status_code == 400 and "entirely numeric" in weak.content.decode()


def test_the_page_changes_a_role_deactivates_and_resets(client, alice, victor):
    client.force_login(alice)
    assert client.post(reverse("users-role", args=[victor.pk]), {"role": "operator"}).status_code == 302
    assert role_of(User.objects.get(pk=victor.pk)) == "operator"
    assert client.post(reverse("users-active", args=[victor.pk]), {"active": "0"}).status_code == 302
    assert not User.objects.get(pk=victor.pk).is_active
    reset = client.post(reverse("users-password", args=[victor.pk]))
    assert reset.status_code == 200 and reset.context["password"] in reset.content.decode()


def test_the_page_refuses_to_demote_the_last_admin_with_a_message(client, alice):
    client.force_login(alice)
    response = client.post(reverse("users-role", args=[alice.pk]), {"role": "viewer"})
    assert response.status_code == 400 and "last active admin" in response.content.decode()
    response = client.post(reverse("users-active", args=[alice.pk]), {"active": "0"})
    assert response.status_code == 400 and "last active admin" in response.content.decode()
    assert client.post(reverse("users-role", args=[alice.pk]), {"role": "superhero"}).status_code == 400


def test_a_user_without_a_role_is_told_so(client):
    User.objects.create_user("nobody", password="x-irrelevant-1")
    client.login(username="nobody", password="x-irrelevant-1")
    response = client.get("/")
    assert response.status_code == 403 and "an admin must give you one" in response.content.decode().lower()


# --- the Django admin never sets a role of its own --------------------------------------------------------------


def test_the_django_admin_cannot_make_an_admin_without_the_service(client, alice, victor):
    client.force_login(alice)
    from apps.accounts.roles import ADMIN
    from django.contrib.auth.models import Group

    url = reverse("admin:accounts_user_change", args=[victor.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {
        "username": "victor", "email": "", "first_name": "", "last_name": "",
        "is_staff": "on", "is_superuser": "on", "is_active": "on", "groups": [Group.objects.get(name=ADMIN).pk],
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    })
    assert response.status_code == 302
    victor.refresh_from_db()
    assert (role_of(victor), victor.is_staff, victor.is_superuser) == ("viewer", False, False)
