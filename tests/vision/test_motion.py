import numpy as np

from workers.vision.motion import MotionDetector, check_motion

ZONE_LEFT_HALF = [[[0, 0], [0.5, 0], [0.5, 1], [0, 1]]]


def frame_with_box(x=None, y=None):
    """A 1280×720 noisy grey frame, with a white 120×80 box at (x, y) when given."""
    rng = np.random.default_rng(1)
    frame = np.full((720, 1280, 3), 90, dtype=np.uint8)
    frame += rng.integers(0, 6, frame.shape, dtype=np.uint8)  # sensor noise must not count
    if x is not None:
        frame[y : y + 80, x : x + 120] = 255
    return frame


def test_first_frame_counts_as_motion_and_small_frame_is_small():
    moved, small = check_motion(frame_with_box())
    assert moved
    assert isinstance(small, bytes) and len(small) == 160 * 90


def test_static_frames_do_not_move():
    _, small = check_motion(frame_with_box(200, 300))
    moved, _ = check_motion(frame_with_box(200, 300), small, ZONE_LEFT_HALF)
    assert not moved


def test_rectangle_moved_inside_the_zone_is_motion():
    _, small = check_motion(frame_with_box(200, 300))
    moved, _ = check_motion(frame_with_box(320, 300), small, ZONE_LEFT_HALF)
    assert moved


def test_movement_only_outside_the_zone_is_no_motion():
    _, small = check_motion(frame_with_box(900, 300))
    moved, _ = check_motion(frame_with_box(1050, 400), small, ZONE_LEFT_HALF)
    assert not moved
    # Without zones the same movement counts.
    moved, _ = check_motion(frame_with_box(1050, 400), small)
    assert moved


def test_motion_detector_keeps_the_previous_frame():
    motion = MotionDetector(zones=ZONE_LEFT_HALF)
    assert motion.moved(frame_with_box(100, 100))
    assert not motion.moved(frame_with_box(100, 100))
    assert motion.moved(frame_with_box(140, 100))
