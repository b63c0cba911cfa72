"""Who may reach what: roles are groups, checked in the console and the APIs."""

import pytest
from django.contrib.auth.models import Group

from apps.accounts.services import user_create, user_set_role


@pytest.fixture
def logged_in(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_migrations_create_the_three_roles(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {"admin", "operator", "viewer"}


def test_a_viewer_cannot_reach_admin_only_pages(logged_in, victor):
    client = logged_in(victor)
    assert client.get("/users/").status_code == 403
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_admin_reaches_the_user_list_and_the_admin(logged_in, alice, victor):
    client = logged_in(alice)
    response = client.get("/users/")
    assert response.status_code == 200
    assert "victor" in response.content.decode()
    assert client.get("/admin/").status_code == 200


def test_anonymous_console_visits_go_to_login(client, db):
    response = client.get("/users/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("path", ["/api/me", "/api/users/"])
def test_an_anonymous_api_call_gets_401(client, db, path):
    response = client.get(path)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_changing_role_changes_access(logged_in, victor):
    user_set_role(user=victor, role="admin")
    assert logged_in(victor).get("/users/").status_code == 200


def test_user_create_refuses_an_unknown_role(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="(?i)unknown role"):
        user_create(username="x", password="long-enough-Passw0rd", role="superhero")


def test_the_users_link_in_the_navigation_opens_the_console_page_not_the_api(logged_in, alice):
    import re

    client = logged_in(alice)
    [href] = re.findall(r'<a href="([^"]+)">Users</a>', client.get("/").content.decode())
    response = client.get(href)
    assert href == "/users/"
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


def test_the_favicon_is_served(client, db):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0].endswith("favicon.svg")
