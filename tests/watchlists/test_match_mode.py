"""Watch lists match the passage's consensus plate, tolerant of OCR's confusions or exactly, per list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.detections.models import plate_key
from apps.detections.plates import plate_similarity
from apps.watchlists.models import Alert
from apps.watchlists.services import watchlist_create, watchlist_update
from tests.watchlists.conftest import see

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("read, truth", [
    ("OWE9876", "QWE9876"),  # Q/O
    ("QME9876", "QWE9876"),  # M/W
    ("ABC1D34", "ABC1034"),  # D/0
    ("LBC1234", "1BC1234"),  # L/1
    ("RIO4F2I", "RIO4F21"),  # I/1
    ("NAB5S12", "WA85512"),  # N/W, B/8, S/5
])
def test_characters_ocr_confuses_fold_into_one(read, truth):
    assert plate_key(read) == plate_key(truth)
    assert plate_similarity(read, truth) == 1.0


def test_a_different_character_still_counts():
    assert plate_key("QWE9876") != plate_key("QWE9877")


def test_a_tolerant_list_alerts_on_a_misread_plate(camera, olivia):
    watchlist_create(actor=olivia, name="Stolen", entries=[{"pattern": "QWE9876", "note": "reported stolen"}])
    see(camera, "OME9876")
    assert list(Alert.objects.values_list("plate_text", "note")) == [("OME9876", "reported stolen")]


def test_an_exact_list_alerts_only_on_the_plate_as_written(camera, olivia):
    watchlist_create(actor=olivia, name="Barred", match_mode="exact", entries=["QWE9876", "ABC*"])
    start = timezone.now()
    see(camera, "OME9876", at=start)
    assert not Alert.objects.exists()
    see(camera, "ABC1234", at=start + timedelta(minutes=1))
    see(camera, "QWE9876", at=start + timedelta(minutes=2))  # another passage: the misread's was over
    assert sorted(Alert.objects.values_list("plate_text", flat=True)) == ["ABC1234", "QWE9876"]


def test_an_exact_allow_list_marks_only_the_plate_as_written(camera, olivia):
    watchlist_create(actor=olivia, name="Residents", kind="allow", match_mode="exact", entries=["RIO4F21"])
    start = timezone.now()
    assert see(camera, "RIO4F2I", at=start).allow_list == ""
    assert see(camera, "RIO4F21", at=start + timedelta(minutes=1)).allow_list == "Residents"


def test_matching_mode_is_checked_and_audited(olivia):
    from django.core.exceptions import ValidationError

    from apps.audit.models import AuditEntry

    with pytest.raises(ValidationError) as refused:
        watchlist_create(actor=olivia, name="Odd", match_mode="fuzzy")
    assert "match_mode" in refused.value.message_dict
    watchlist = watchlist_create(actor=olivia, name="Stolen")
    watchlist_update(actor=olivia, watchlist=watchlist, match_mode="exact")
    entry = AuditEntry.objects.filter(action="watchlist.update").latest("id")
    assert entry.changes["match_mode"] == ["tolerant", "exact"]


def test_the_form_and_the_api_set_the_matching(client, olivia):
    from apps.watchlists.models import WatchList
    from tests.watchlists.conftest import api_as

    client.force_login(olivia)
    client.post("/watchlists/add/", {"name": "Exact one", "kind": "alert", "match_mode": "exact", "enabled": "on",
                                      "entries": "ABC1234"})
    assert WatchList.objects.get(name="Exact one").match_mode == "exact"
    answer = api_as(olivia).post("/api/watchlists/", {"name": "Api one", "match_mode": "sloppy"}, format="json")
    assert answer.status_code == 400 and "match_mode" in answer.json()
