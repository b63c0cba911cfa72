"""Vision for the AI pipeline: motion check, vehicles, plates, plate text.

Plain Python, used by the Celery `detect` task and by `alpr_eval`:

    from workers.vision.models import get_detector
    result = get_detector().detect(frame_bgr, plate_camera=False, zones=zones)
    result.to_dict()  # JSON-serialisable

    from workers.vision.motion import check_motion
    moved, small = check_motion(frame_bgr, previous_small, zones)
"""
