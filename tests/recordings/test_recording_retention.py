"""Recordings on disk: events mode keeps the segments around detections and drops the rest; the disk guard makes
room oldest first and says so. On the stand-in and on real MediaMTX, with short segments."""

import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from apps.detections.models import Detection
from apps.recordings import retention, segments
from apps.streaming.client import playback_server
from tests import processes
from tests.recordings.conftest import wait_until_recorded
from tests.watchlists.conftest import system_notifications  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def short_segments(settings):
    settings.RECORDING_SEGMENT_SECONDS = settings.RECORDING_EVENTS_SEGMENT_SECONDS = 2


def finished(camera, count, timeout=40):
    return processes.wait_for(lambda: len(segments.camera_segments(camera.path_name)) >= count
                              and segments.camera_segments(camera.path_name), timeout=timeout, interval=0.5,
                              what=f"{count} finished segments")


@pytest.mark.usefixtures("short_segments")
def test_events_mode_keeps_the_segments_around_a_detection_and_drops_the_rest(alice, recording_camera, settings):
    from apps.cameras.services import camera_update
    from apps.streaming import services

    camera_update(actor=alice, camera=recording_camera, recording_mode="events")
    services.camera_provision(recording_camera.pk)
    settings.CLIP_PRE_SECONDS = settings.CLIP_POST_SECONDS = 0.2
    done = finished(recording_camera, 6)
    marked = done[2]
    seen = marked.start + (marked.end - marked.start) / 2
    Detection.objects.create(camera=recording_camera, first_seen=seen, last_seen=seen, frame_time=seen)

    assert retention.events_prune() == 0  # too young: a detection may still come for them
    deleted = retention.events_prune(now=timezone.now() + timedelta(hours=1))
    kept = [s for s in segments.camera_segments(recording_camera.path_name) if s.start <= done[-1].start]
    assert [s.path for s in kept] == [marked.path] and deleted >= len(done) - 1
    # The kept minutes still play: the detection's clip comes from them.
    assert any(start <= seen <= start + timedelta(seconds=length)
               for start, length in playback_server().spans(recording_camera.path_name))


@pytest.fixture
def small_disk(settings):
    """RECORDINGS_ROOT on a 4 MiB tmpfs (needs root to mount)."""
    folder = Path(tempfile.mkdtemp(prefix="vms-small-disk-"))
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True).returncode:
        folder.rmdir()
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    settings.RECORDINGS_ROOT = folder
    yield folder
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)
    folder.rmdir()


@pytest.mark.usefixtures("short_segments")
def test_the_disk_guard_deletes_the_oldest_recordings_first_and_says_so(
    small_disk, recording_camera, settings, system_notifications, client, victor  # noqa: F811
):
    done = finished(recording_camera, 4)
    held = sum(s.path.stat().st_size for s in done)
    settings.RECORDING_MIN_FREE_MB = 1
    # Fill the disk so that freeing about half of what is recorded brings it back over 1 MiB.
    filler = segments.free_bytes() - (2**20 - held // 2)
    (small_disk / "filler.bin").write_bytes(b"\0" * max(0, filler))
    assert segments.free_bytes() < 2**20

    deleted = retention.disk_guard()
    assert deleted >= 1 and segments.free_bytes() >= 2**20
    left = segments.camera_segments(recording_camera.path_name)
    assert [s.path for s in done[:deleted]] == [s.path for s in done if not s.path.exists()]  # the oldest went
    assert left and left[0].start > done[deleted - 1].start
    (notice,) = system_notifications(1)
    assert notice["kind"] == "recording.disk_low" and f"deleted the {deleted} oldest" in notice["message"]
    client.force_login(victor)
    assert "Recording disk low" in client.get("/").content.decode()
    wait_until_recorded(recording_camera, 1, timeout=10)  # still recording
