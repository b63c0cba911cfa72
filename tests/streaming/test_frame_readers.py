"""The frames worker's RTSP readers: one per camera, closed when the camera stops needing it."""

import time

from tests.processes import wait_for
from workers.frames import ReaderPool

from .conftest import unique_path_name

IDLE_SECONDS = 2


def test_turning_ai_off_closes_the_reader_within_the_idle_timeout(media_server, make_camera):
    camera = make_camera()
    name = unique_path_name()
    media_server.client().path_add(name, {"source": camera.url, "sourceOnDemand": True})
    pool = ReaderPool(IDLE_SECONDS)
    try:
        reader = pool.get(1, media_server.rtsp_url(name))
        frame, _ = reader.latest(wait=15)
        assert frame is not None
        wait_for(lambda: len(media_server.client().path_state(name)["readers"]) == 1, timeout=5, what="one reader")
        # AI off: beat sends no more ticks, so nothing asks this reader for a frame again.
        stopped_asking = time.monotonic()
        wait_for(lambda: media_server.client().path_state(name)["readers"] == [], timeout=IDLE_SECONDS + 5,
                 what="the reader gone from the media server")
        assert time.monotonic() - stopped_asking <= IDLE_SECONDS + 3
        wait_for(lambda: not reader.thread.is_alive(), timeout=3, what="the reader's thread ended")
        assert pool.readers == {}
    finally:
        pool.close_all()
        media_server.client().path_delete(name)
