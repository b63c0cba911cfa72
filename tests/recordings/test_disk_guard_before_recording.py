"""The disk guard runs on beat from the first minute, before any camera has recorded."""

import pytest

from apps.recordings import retention, segments


@pytest.mark.django_db
def test_disk_guard_runs_before_the_recordings_folder_exists(settings, tmp_path):
    settings.RECORDINGS_ROOT = str(tmp_path / "not" / "made" / "yet")

    assert segments.free_bytes() > 0
    retention.disk_guard()  # raised FileNotFoundError on every beat tick of a fresh `make run`
