"""Frame readers: one open RTSP reader per camera in the frames worker.

Opening a capture per frame costs ~2 s and gives a frame over a second old
(DESIGN.md); a reader kept open, drained by its own thread, gives the newest
frame in tens of milliseconds. Readers reopen after errors, and close once
no one has asked for a frame for the idle timeout — checked by the pool's own
thread, so a camera whose AI was turned off (no more ticks, no more `get`)
stops being decoded and pulled.
"""

import os
import threading
import time

# Before cv2 is imported: RTSP over TCP, and give up on a dead camera within seconds.
os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_transport;tcp|stimeout;5000000|timeout;5000000")

import cv2  # noqa: E402


class FrameReader:
    def __init__(self, url):
        self.url = url
        self.lock = threading.Lock()
        self.frame = None
        self.frame_time = 0.0
        self.error = ""
        self.last_used = time.monotonic()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._drain, name=f"frame-reader {url.rsplit('/', 1)[-1]}", daemon=True)
        self.thread.start()

    def _drain(self):
        backoff = 0.5
        while not self.stopping.is_set():
            capture = cv2.VideoCapture(self.url, cv2.CAP_FFMPEG)
            if not capture.isOpened():
                self.error = "cannot open the stream"
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, 10)
                continue
            backoff = 0.5
            self.error = ""
            while not self.stopping.is_set():
                ok, frame = capture.read()
                if not ok:
                    self.error = "the stream ended"
                    break
                with self.lock:
                    self.frame, self.frame_time = frame, time.time()
            capture.release()

    def latest(self, wait=0.0):
        """(frame, wall-clock time it arrived) or (None, 0) when none has arrived yet."""
        self.last_used = time.monotonic()
        deadline = time.monotonic() + wait
        while True:
            with self.lock:
                if self.frame is not None:
                    return self.frame, self.frame_time
            if time.monotonic() >= deadline:
                return None, 0.0
            time.sleep(0.02)

    def close(self):
        self.stopping.set()


class ReaderPool:
    def __init__(self, idle_seconds):
        self.idle_seconds = idle_seconds
        self.readers = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.reaper = None

    def get(self, key, url):
        with self.lock:
            if self.reaper is None:
                # Started on first use, not at import: only the frames worker runs it.
                self.reaper = threading.Thread(target=self._reap, name="frame-reader reaper", daemon=True)
                self.reaper.start()
            self._close_idle()
            reader = self.readers.get(key)
            if reader is not None and reader.url != url:
                reader.close()
                reader = None
            if reader is None:
                reader = self.readers[key] = FrameReader(url)
            return reader

    def _reap(self):
        while not self.stopping.wait(min(1.0, self.idle_seconds / 4)):
            with self.lock:
                self._close_idle()

    def _close_idle(self):
        now = time.monotonic()
        for key, reader in list(self.readers.items()):
            if now - reader.last_used > self.idle_seconds:
                reader.close()
                del self.readers[key]

    def close_all(self):
        self.stopping.set()
        with self.lock:
            for reader in self.readers.values():
                reader.close()
            self.readers.clear()
