"""Telling live from frozen: the probe compares two small frames two seconds apart."""

import subprocess

from apps.devtools.simcam.demo_video import demo_video_path, read_plates
from apps.streaming.services import PROBE_FRAME_SIZE, picture_changes


def frame_at(video, seconds):
    width, height = PROBE_FRAME_SIZE
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", str(seconds), "-i", str(video), "-frames:v", "1",
         "-vf", f"scale={width}:{height},format=gray", "-f", "rawvideo", "-"],
        capture_output=True, check=True,
    )
    assert len(result.stdout) == width * height
    return result.stdout


def test_a_scene_where_nothing_moves_is_still_live_thanks_to_its_clock():
    video = demo_video_path()
    start, end = read_plates(video)["plates"][0]["stopped"]
    assert end - start > 2.5
    assert picture_changes([frame_at(video, start + 0.2), frame_at(video, start + 2.2)])


def test_a_still_picture_is_frozen():
    video = demo_video_path(still=True)
    assert not picture_changes([frame_at(video, 1.0), frame_at(video, 3.0)])


def test_fewer_than_two_frames_is_no_change():
    assert not picture_changes([b"\0" * 10])
