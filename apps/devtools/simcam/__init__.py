"""Simulated IP cameras and the generated demo video, for tests and local runs.

    from apps.devtools.simcam import demo_video_path, read_plates
    video = demo_video_path()            # var/demo/demo-v4.mp4, generated on first use
    read_plates(video)["plates"]         # [{"text": "6MWF778", "vehicle": "car", "in_view": [0.3, 7.28], ...}, ...]

    from apps.devtools.simcam.server import CameraServer   # loads GStreamer
    with CameraServer({"gate": video}, port=0) as server:
        server.url("gate")               # rtsp://127.0.0.1:PORT/gate, looping
"""

from .demo_video import demo_video_path, make_demo_video, read_plates

__all__ = ["demo_video_path", "make_demo_video", "read_plates"]
