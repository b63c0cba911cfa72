"""Alerts in the API and the console: everyone sees them; operators acknowledge, viewers get 403."""

import pytest

from apps.watchlists.models import Alert
from apps.watchlists.services import alert_match, watchlist_create
from tests.watchlists.conftest import api_as, see

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(camera, olivia):
    watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234"])
    [alert] = alert_match(detection=see(camera, "ABC1234", watchlists=False))
    return alert


def test_open_alerts_are_listed_and_an_operator_acknowledges_one(alert, olivia):
    api = api_as(olivia)
    listed = api.get("/api/alerts/").json()
    assert listed["count"] == 1 and listed["results"][0]["plate_text"] == "ABC1234"
    acked = api.post(f"/api/alerts/{alert.pk}/acknowledge/")
    assert acked.status_code == 200 and acked.json()["acknowledged_by"] == "olivia"
    assert api.get("/api/alerts/").json()["count"] == 0
    assert api.get("/api/alerts/?state=acknowledged").json()["count"] == 1


def test_a_viewer_sees_alerts_but_cannot_acknowledge(alert, victor, client):
    api = api_as(victor)
    assert api.get("/api/alerts/").json()["count"] == 1
    assert api.post(f"/api/alerts/{alert.pk}/acknowledge/").status_code == 403
    client.force_login(victor)
    page = client.get("/watchlists/alerts/")
    assert page.status_code == 200 and b"ABC1234" in page.content and b">Acknowledge</button>" not in page.content
    assert client.post(f"/watchlists/alerts/{alert.pk}/acknowledge/").status_code == 403
    assert Alert.objects.get().acknowledged_at is None


def test_bad_alert_filters_are_400s(alert, victor):
    api = api_as(victor)
    assert api.get("/api/alerts/?state=closed").status_code == 400
    assert api.get("/api/alerts/?watchlist=abc").status_code == 400


def test_the_console_acknowledges_and_answers_json_to_the_page_script(alert, olivia, client):
    client.force_login(olivia)
    response = client.post(f"/watchlists/alerts/{alert.pk}/acknowledge/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["acknowledged_by"] == "olivia"


def test_the_api_filters_alerts_as_the_alerts_page_does(alert, victor, camera):
    api = api_as(victor)
    assert [a["id"] for a in api.get(f"/api/alerts/?camera={camera.pk}&plate=abc").json()["results"]] == [alert.pk]
    assert api.get("/api/alerts/?plate=zzz").json()["results"] == []
    assert api.get("/api/alerts/?since=2000-01-01&until=1999-01-01").status_code == 400
    assert api.get("/api/alerts/?camera=abc").status_code == 400
