"""The HLS output: one FFmpeg per watched path, copying the relay's RTSP into 1 s segments.

A muxer starts on the first playlist request and stops after an idle
period; its segments live in a temporary folder removed when it stops.
"""

import logging
import mimetypes
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .httpserver import StandInHTTPServer
from .relay import HLS_USER_AGENT


log = logging.getLogger("standin.hls")

PLAYLIST = "index.m3u8"
CONTENT_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t", ".m4s": "video/iso.segment"}


class HlsMuxer:
    """FFmpeg reading one path from the relay and writing a live playlist."""

    def __init__(self, name, rtsp_url):
        self.name = name
        self.folder = Path(tempfile.mkdtemp(prefix="vms-standin-hls-"))
        self.last_request = time.monotonic()
        # -analyzeduration 0 -probesize 32: the SDP already says everything, so the
        # first playlist comes about a second sooner.
        self.process = subprocess.Popen(
            [
                "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
                "-rtsp_transport", "tcp", "-user_agent", HLS_USER_AGENT,
                "-analyzeduration", "0", "-probesize", "32",
                "-i", rtsp_url,
                "-c", "copy", "-f", "hls", "-hls_time", "1", "-hls_list_size", "6",
                "-hls_flags", "delete_segments+temp_file",
                "-hls_segment_filename", str(self.folder / "segment%d.ts"),
                str(self.folder / PLAYLIST),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        log.info("%s: HLS muxer started (ffmpeg pid %s)", name, self.process.pid)

    def running(self):
        return self.process.poll() is None

    def file(self, filename):
        path = self.folder / filename
        return path if path.parent == self.folder and path.is_file() else None

    def wait_for_playlist(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.last_request = time.monotonic()  # someone is waiting: not idle
            if self.file(PLAYLIST):
                return True
            if not self.running():
                return False
            time.sleep(0.05)
        return bool(self.file(PLAYLIST))

    def stop(self):
        if self.running():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
        log.info("%s: HLS muxer stopped", self.name)


class HlsMuxers:
    def __init__(self, rtsp_url_of, idle_seconds=60.0, start_timeout=6.0):
        self.rtsp_url_of = rtsp_url_of
        self.idle_seconds = idle_seconds
        self.start_timeout = start_timeout
        self.lock = threading.Lock()
        self.muxers = {}
        self.stopping = threading.Event()
        threading.Thread(target=self._stop_idle_muxers, name="hls-reaper", daemon=True).start()

    def playlist(self, name):
        """The path's playlist file, starting its muxer if needed; None when the stream can't be had."""
        with self.lock:
            muxer = self.muxers.get(name)
            if muxer is None or not muxer.running():
                if muxer:
                    muxer.stop()
                muxer = self.muxers[name] = HlsMuxer(name, self.rtsp_url_of(name))
            muxer.last_request = time.monotonic()
        if not muxer.wait_for_playlist(self.start_timeout):
            return None
        return muxer.file(PLAYLIST)

    def segment(self, name, filename):
        with self.lock:
            muxer = self.muxers.get(name)
            if muxer is None:
                return None
            muxer.last_request = time.monotonic()
        return muxer.file(filename)

    def active(self, name):
        with self.lock:
            muxer = self.muxers.get(name)
            return bool(muxer and muxer.running())

    def stop(self, name):
        with self.lock:
            muxer = self.muxers.pop(name, None)
        if muxer:
            muxer.stop()

    def close(self):
        self.stopping.set()
        with self.lock:
            muxers, self.muxers = list(self.muxers.values()), {}
        for muxer in muxers:
            muxer.stop()

    def _stop_idle_muxers(self):
        while not self.stopping.wait(1.0):
            now = time.monotonic()
            with self.lock:
                done = [
                    name for name, muxer in self.muxers.items()
                    if now - muxer.last_request > self.idle_seconds or not muxer.running()
                ]
                muxers = [self.muxers.pop(name) for name in done]
            for muxer in muxers:
                muxer.stop()


def make_hls_handler(muxers, path_exists, auth=None):
    """An HTTP handler serving `/{name}/index.m3u8` and the segments under `/{name}/`; with `auth`
    (an `HttpAuth`), every request asks it first, as MediaMTX's `authMethod: http` does."""

    class HlsHandler(BaseHTTPRequestHandler):
        server_version = "vms-standin"
        protocol_version = "HTTP/1.1"

        def do_OPTIONS(self):
            self.send_response(204)
            self._cors_headers()
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            self._serve(with_body=True)

        def do_HEAD(self):
            self._serve(with_body=False)

        def _serve(self, with_body):
            path = unquote(urlsplit(self.path).path).strip("/")
            name, _, filename = path.rpartition("/")
            if not name or not path_exists(name):
                return self._not_found()
            if auth is not None and not auth.allows(action="read", headers=self.headers, path=name, protocol="hls",
                                                    ip=self.client_address[0], query=urlsplit(self.path).query):
                return self._refuse()
            if filename == PLAYLIST:
                file = muxers.playlist(name)
            else:
                file = muxers.segment(name, filename)
            if file is None:
                return self._not_found()
            try:
                body = file.read_bytes()
            except OSError:  # a segment deleted from the live window in the meantime
                return self._not_found()
            self.send_response(200)
            self._cors_headers()
            content_type = CONTENT_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0]
            self.send_header("Content-Type", content_type or "application/octet-stream")
            # The playlist changes every second; segments never change.
            self.send_header("Cache-Control", "no-cache" if filename == PLAYLIST else "max-age=3600")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def _not_found(self):
            self._plain(404, b"404 page not found")

        def _refuse(self):
            self._plain(401, b"authentication error")

        def _plain(self, status, body):
            self.send_response(status)
            self._cors_headers()
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _cors_headers(self):
            # Browsers load the stream cross-origin from the console (MediaMTX's hlsAllowOrigin).
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "OPTIONS, GET")
            self.send_header("Access-Control-Allow-Headers", "Authorization, Range")

        def log_message(self, format, *args):
            log.debug("%s %s", self.address_string(), format % args)

    return HlsHandler


def serve_hls(host, port, muxers, path_exists, auth=None):
    return StandInHTTPServer((host, port), make_hls_handler(muxers, path_exists, auth))
