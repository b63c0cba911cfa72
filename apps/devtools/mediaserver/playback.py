"""The playback server: MediaMTX's `/list` and `/get` over the recorded segments, same parameters, bodies
and status codes (MediaMTX v1.20.1, internal/playback and internal/recordstore).

`/list` reads each segment's parts for its duration and joins segments that follow each other
(same tracks, within a second) into one span, as MediaMTX does. `/get` has FFmpeg copy the
stretch out of those segments (no transcoding) into an MP4. One difference: MediaMTX's `fmp4`
answer gives the frames between the key frame before `start` and `start` no duration; the
stand-in's starts at that key frame, so it can play up to one key-frame interval longer. Its
`mp4` answer, the one VMS asks for, trims them with an edit list, as MediaMTX's does.
"""

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlsplit

from . import fmp4, recorder
from .api import ApiError, authorized
from .httpserver import StandInHTTPServer


log = logging.getLogger("standin.playback")

CONCATENATION_TOLERANCE = timedelta(seconds=1)
NO_SEGMENTS = "no recording segments found"
VALID_NAME = re.compile(r"^[0-9a-zA-Z_\-/.~]+$")


def check_path_name(name):
    """MediaMTX's conf.IsValidPathName, worded as the playback server quotes it."""
    problem = None
    if not name:
        problem = "cannot be empty"
    elif name.startswith("/"):
        problem = "can't begin with a slash"
    elif name.endswith("/"):
        problem = "can't end with a slash"
    elif not VALID_NAME.match(name):
        problem = "can contain only alphanumeric characters, underscore, dot, minus, slash"
    elif any(part in (".", "..") for part in name.split("/")):
        problem = "can't contain dot path segments"
    if problem:
        raise ApiError(400, f"invalid path name: {problem} ({name})")


def rfc3339(moment):
    """Go's time.RFC3339Nano: trailing zeros of the fraction dropped, Z for UTC."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    offset = moment.utcoffset() or timedelta(0)
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds() // 60)
    return text + f"{'+' if minutes > 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def go_float(value):
    """strconv.FormatFloat(v, 'f', -1, 64): the shortest form, no exponent, no trailing .0."""
    text = repr(float(value))
    if "e" in text:
        text = f"{value:f}".rstrip("0").rstrip(".")
    return text[:-2] if text.endswith(".0") else text


def parse_time(raw, what):
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or "T" not in raw.upper():
        raise ApiError(400, f'invalid {what}: parsing time "{raw}" as "2006-01-02T15:04:05Z07:00": cannot parse')
    return moment


def parse_duration(raw):
    """Seconds, or (deprecated in MediaMTX) a Go duration."""
    try:
        return float(raw)
    except ValueError:
        pass
    if raw and re.fullmatch(r"([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+", raw):
        return recorder.seconds_of(raw)
    raise ApiError(400, f'invalid duration: time: invalid duration "{raw}"')


class Playback:
    """What `/list` and `/get` answer, from the path configurations of `media_server`."""

    def __init__(self, media_server):
        self.media_server = media_server

    def _conf(self, name):
        with self.media_server.lock:
            conf = self.media_server.confs.get(name)
        if conf is None:
            raise ApiError(400, f"path '{name}' is not configured")
        return conf

    def find_segments(self, conf, name, start=None, end=None):
        """[(start, file)] as recordstore.FindSegments picks them."""
        pattern = recorder.absolute(recorder.with_extension(conf["recordPath"], conf["recordFormat"]), name)
        root = recorder.common_path(pattern)
        if not os.path.lexists(root):
            raise ApiError(400, f"lstat {root}: no such file or directory")
        found = [(s, f) for s, f in recorder.segment_files(conf["recordPath"], conf["recordFormat"], name)
                 if end is None or not end < s]
        if not found:
            raise ApiError(404, NO_SEGMENTS)
        if start is not None and not start < found[0][0]:
            for i in range(len(found) - 1):
                if found[i][0] <= start < found[i + 1][0]:
                    return found[i:]
            return found[-1:]
        return found

    @staticmethod
    def parsed(segments):
        """[(start, file, fmp4.Segment)], leaving out a file without a complete part."""
        out = []
        for start, file in segments:
            try:
                segment = fmp4.read_segment(file)
            except (OSError, ValueError, KeyError, IndexError, TypeError):
                segment = None
            if segment is not None:
                out.append((start, file, segment))
        return out

    @staticmethod
    def follows(previous, current):
        """segmentFMP4CanBeConcatenated, the legacy way (no mtxi box): same tracks, within a second."""
        previous_start, _, previous_segment = previous
        current_start, _, current_segment = current
        previous_end = previous_start + timedelta(seconds=previous_segment.seconds)
        return (previous_segment.tracks == current_segment.tracks
                and abs(current_start - previous_end) <= CONCATENATION_TOLERANCE)

    def list(self, name, raw_start="", raw_end=""):
        check_path_name(name)
        conf = self._conf(name)
        start = parse_time(raw_start, "start") if raw_start else None
        end = parse_time(raw_end, "end") if raw_end else None
        if conf["recordFormat"] != "fmp4":
            raise ApiError(500, "MPEG-TS format is not supported yet")
        entries = []  # [start, seconds]
        previous = None
        for current in self.parsed(self.find_segments(conf, name, start, end)):
            if entries and self.follows(previous, current):
                entries[-1][1] = (current[0] + timedelta(seconds=current[2].seconds) - entries[-1][0]).total_seconds()
            else:
                entries.append([current[0], current[2].seconds])
            previous = current
        if not entries:
            raise ApiError(404, NO_SEGMENTS)
        if start is not None:
            first_start, first_seconds = entries[0]
            if first_start + timedelta(seconds=first_seconds) < start:
                entries = entries[1:]
                if not entries:
                    raise ApiError(404, NO_SEGMENTS)
            elif first_start < start:
                entries[0] = [start, first_seconds - (start - first_start).total_seconds()]
        if end is not None:
            last_start, last_seconds = entries[-1]
            if last_start + timedelta(seconds=last_seconds) > end:
                entries[-1][1] = (end - last_start).total_seconds()
        return entries

    def clip(self, name, raw_start, raw_duration, output_format):
        """The path of a temporary MP4 of the stretch; the caller deletes its folder."""
        check_path_name(name)
        start = parse_time(raw_start, "start")
        seconds = parse_duration(raw_duration)
        if output_format not in ("", "fmp4", "mp4"):
            raise ApiError(400, f"invalid format: {output_format}")
        conf = self._conf(name)
        if conf["recordFormat"] != "fmp4":
            raise ApiError(400, "MPEG-TS format is not supported yet")
        segments = self.parsed(self.find_segments(conf, name, start, start + timedelta(seconds=seconds)))
        run = segments[:1]
        for current in segments[1:]:
            if not self.follows(run[-1], current):
                break  # a gap ends the clip, as in MediaMTX
            run.append(current)
        if not run:
            raise ApiError(404, NO_SEGMENTS)
        run_end = run[-1][0] + timedelta(seconds=run[-1][2].seconds)
        if start >= run_end or start + timedelta(seconds=seconds) <= run[0][0]:
            raise ApiError(404, NO_SEGMENTS)
        skip = max(0.0, (start - run[0][0]).total_seconds())
        length = seconds - max(0.0, (run[0][0] - start).total_seconds())
        folder = tempfile.mkdtemp(prefix="vms-standin-get-")
        listing = os.path.join(folder, "segments.txt")
        with open(listing, "w") as file:
            for _, path, _ in run:
                file.write("file '" + path.replace("'", "'\\''") + "'\n")
        out = os.path.join(folder, "clip.mp4")
        movflags = "+faststart" if output_format == "mp4" else "+frag_keyframe+empty_moov+default_base_moof"
        result = subprocess.run(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-ss", f"{skip:.6f}",
             "-f", "concat", "-safe", "0", "-i", listing, "-t", f"{length:.6f}", "-map", "0:v", "-c", "copy",
             "-movflags", movflags, "-f", "mp4", "-y", out],
            capture_output=True, text=True, timeout=120,
        )
        if result.returncode != 0 or not os.path.getsize(out):
            shutil.rmtree(folder, ignore_errors=True)
            raise ApiError(400, (result.stderr.strip().splitlines() or ["ffmpeg failed"])[-1])
        return out


def make_playback_handler(playback, username="", password="", auth=None):
    class PlaybackHandler(BaseHTTPRequestHandler):
        server_version = "vms-standin"
        protocol_version = "HTTP/1.1"

        def do_OPTIONS(self):
            self.send_response(204)
            self._cors_headers()
            self.send_header("Access-Control-Allow-Methods", "OPTIONS, GET")
            self.send_header("Access-Control-Allow-Headers", "Authorization")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
            if url.path not in ("/list", "/get"):
                return self._send(404, b"404 page not found", "text/plain")
            try:
                # MediaMTX checks the name before the credentials.
                check_path_name(query.get("path", ""))
                if auth is not None:
                    allowed = auth.allows(action="playback", headers=self.headers, path=query.get("path", ""),
                                          protocol="", ip=self.client_address[0], query=url.query)
                else:
                    allowed = authorized(self.headers, username, password)
                if not allowed:
                    return self._json(401, {"status": "error", "error": "authentication error"},
                                      {"WWW-Authenticate": 'Basic realm="mediamtx"'})
                if url.path == "/list":
                    self._list(query)
                else:
                    self._get(query)
            except ApiError as exc:
                log.info("playback %s: %s", url.path, exc)
                self._json(exc.status, {"status": "error", "error": str(exc)})
            except Exception as exc:  # noqa: BLE001 - a bug must answer 500, not drop the connection
                log.exception("playback %s failed", self.path)
                self._json(500, {"status": "error", "error": f"internal error: {exc}"})

        def _list(self, query):
            name = query.get("path", "")
            entries = playback.list(name, query.get("start", ""), query.get("end", ""))
            host = self.headers.get("Host") or f"{self.server.server_address[0]}:{self.server.server_port}"
            body = []
            for start, seconds in entries:
                params = urlencode(sorted({"path": name, "start": rfc3339(start), "duration": go_float(seconds)}.items()))
                body.append({"start": rfc3339(start), "duration": seconds, "url": f"http://{host}/get?{params}"})
            self._json(200, body)

        def _get(self, query):
            clip = playback.clip(query.get("path", ""), query.get("start", ""), query.get("duration", ""),
                                 query.get("format", ""))
            try:
                size = os.path.getsize(clip)
                self.send_response(200)
                self._cors_headers()
                self.send_header("Accept-Ranges", "none")
                self.send_header("Content-Type", "video/mp4")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                with open(clip, "rb") as file:
                    shutil.copyfileobj(file, self.wfile, 64 * 1024)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the reader went away
            finally:
                shutil.rmtree(os.path.dirname(clip), ignore_errors=True)

        def _json(self, status, payload, headers=None):
            # Written as Go's encoding/json writes it: compact, with &, < and > escaped.
            body = json.dumps(payload, separators=(",", ":"))
            body = body.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            self._send(status, body.encode(), "application/json; charset=utf-8", headers)

        def _send(self, status, body, content_type, headers=None):
            self.send_response(status)
            self._cors_headers()
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _cors_headers(self):
            self.send_header("Access-Control-Allow-Origin", "*")  # playbackAllowOrigins: ["*"]

        def log_message(self, format, *args):
            log.debug("%s %s", self.address_string(), format % args)

    return PlaybackHandler


def serve_playback(host, port, media_server, username="", password="", auth=None):
    return StandInHTTPServer((host, port), make_playback_handler(Playback(media_server), username, password, auth))
