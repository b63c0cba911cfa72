"""The recorder: for each path with `record: true`, FFmpeg copying the relay's stream into fMP4
segments named as MediaMTX names them (`recordPath` + `.mp4`, the start in the name).

FFmpeg's segment muxer cannot put microseconds in a name, so it writes each segment under a
hidden temporary name in the path's folder and one thread here gives it its MediaMTX name once
its first part is complete: the start is the time of that last write less the seconds of media
in it. FFmpeg goes on writing to the renamed file; a stream that ends (camera gone, relay
restarted) ends the segment, and FFmpeg is started again a second later. Only the recorder
thread starts FFmpeg, so its parent-death signal (sent when that thread ends) only comes with
the stand-in's end: a stand-in that is killed leaves no FFmpeg writing behind it.
"""

import ctypes
import logging
import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from . import fmp4
from .relay import RECORDER_USER_AGENT

log = logging.getLogger("standin.record")

TEMP_PREFIX = ".standin-rec-"
TEMP_SUFFIX = ".part"
RESTART_SECONDS = 1.0
TICK_SECONDS = 0.1

_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h|d)")


def seconds_of(duration):
    """Seconds of a Go duration string with MediaMTX's "d" ("1h", "10m0s", "7d")."""
    return sum(float(number) * _DURATION_UNITS[unit] for number, unit in _DURATION_PART.findall(duration))


# --- recordPath, as MediaMTX's recordstore encodes and decodes it ---
_FIELDS = {"%path": "(.*?)", "%Y": "([0-9]{4})", "%m": "([0-9]{2})", "%d": "([0-9]{2})", "%H": "([0-9]{2})",
           "%M": "([0-9]{2})", "%S": "([0-9]{2})", "%f": "([0-9]{6})", "%z": r"(Z|\+[0-9]{4}|-[0-9]{4})",
           "%s": "([0-9]{10})"}
_FIELD = re.compile("|".join(re.escape(field) for field in _FIELDS))


def with_extension(record_path, record_format):
    return record_path + (".ts" if record_format == "mpegts" else ".mp4")


def common_path(pattern):
    """The folder above every segment of `pattern`: the part before the first element holding a %."""
    common = []
    for part in pattern.split("/")[:-1]:
        if "%" in part:
            break
        common.append(part)
    return "/".join(common)


def absolute(pattern, name):
    return os.path.abspath(pattern.replace("%path", name))


def encode(pattern, start):
    """A segment's file name: `pattern` (%path already replaced) with `start` (an aware local time) in it."""
    offset = start.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    zone = "Z" if not minutes else f"{'+' if minutes > 0 else '-'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    values = {"%Y": f"{start.year}", "%m": f"{start.month:02d}", "%d": f"{start.day:02d}", "%H": f"{start.hour:02d}",
              "%M": f"{start.minute:02d}", "%S": f"{start.second:02d}", "%f": f"{start.microsecond:06d}",
              "%z": zone, "%s": f"{int(start.timestamp())}"}
    return _FIELD.sub(lambda match: values.get(match.group(0), match.group(0)), pattern)


def decoder(pattern):
    """A function from a file's path to (path name, start) for files of `pattern`, None for others."""
    fields = []

    def group(match):
        fields.append(match.group(0))
        return _FIELDS[match.group(0)]

    regex = re.compile(_FIELD.sub(group, re.escape(pattern)))
    local = datetime.now().astimezone().tzinfo

    def decode(file_path):
        match = regex.search(str(file_path))  # unanchored, as Go's FindStringSubmatch
        if not match:
            return None
        values = dict(zip(fields, match.groups()))
        micros = int(values.get("%f", 0))
        if "%s" in values and int(values["%s"]) > 0:
            return values.get("%path"), datetime.fromtimestamp(int(values["%s"]) + micros / 1e6).astimezone()
        zone = local
        if values.get("%z") == "Z":
            zone = timezone.utc
        elif "%z" in values:
            sign = 1 if values["%z"][0] == "+" else -1
            zone = timezone(sign * timedelta(hours=int(values["%z"][1:3]), minutes=int(values["%z"][3:5])))
        moment = datetime(int(values.get("%Y", 0) or 1), int(values.get("%m", 1)), int(values.get("%d", 1)),
                          int(values.get("%H", 0)), int(values.get("%M", 0)), int(values.get("%S", 0)), micros,
                          tzinfo=zone)
        return values.get("%path"), moment

    return decode


def segment_files(record_path, record_format, name):
    """[(start, file path)] of every recorded segment of path `name`, oldest first."""
    pattern = absolute(with_extension(record_path, record_format), name)
    root = common_path(pattern)
    decode = decoder(pattern)
    found = []
    for folder, _, files in os.walk(root):
        for file in files:
            decoded = decode(os.path.join(folder, file))
            if decoded:
                found.append((decoded[1], os.path.join(folder, file)))
    found.sort()
    return found


def _die_with_the_recorder_thread():
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


@dataclass(frozen=True)
class Settings:
    record_path: str
    record_format: str
    segment_seconds: float
    part_seconds: float
    delete_after_seconds: float

    @classmethod
    def of(cls, conf):
        return cls(conf["recordPath"], conf["recordFormat"], seconds_of(conf["recordSegmentDuration"]),
                   seconds_of(conf["recordPartDuration"]), seconds_of(conf["recordDeleteAfter"]))


class Recording:
    """One path's FFmpeg and the temporary files it writes."""

    runs = 0

    def __init__(self, name, url, settings):
        self.name = name
        self.url = url
        self.settings = settings
        self.pattern = absolute(with_extension(settings.record_path, settings.record_format), name)
        self.folder = Path(common_path(self.pattern) or ".")
        self.process = None
        self.next_start = 0.0
        self.run_prefix = ""
        self.last_clean = 0.0

    def tend(self, now):
        if self.process is not None and self.process.poll() is not None:
            log.info("%s: recorder stopped (ffmpeg exit %s)", self.name, self.process.returncode)
            self.process = None
            self.next_start = now + RESTART_SECONDS
        self.name_segments(final=self.process is None)
        if self.process is None and now >= self.next_start:
            self.start()

    def start(self):
        Recording.runs += 1
        self.run_prefix = f"{TEMP_PREFIX}{os.getpid()}-{Recording.runs}-"
        self.folder.mkdir(parents=True, exist_ok=True)
        part_us = max(1, int(self.settings.part_seconds * 1_000_000))
        self.process = subprocess.Popen(
            [
                "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
                "-rtsp_transport", "tcp", "-user_agent", RECORDER_USER_AGENT, "-timeout", "5000000",
                "-i", self.url, "-map", "0:v", "-c", "copy",
                "-f", "segment", "-segment_time", f"{self.settings.segment_seconds:g}", "-segment_format", "mp4",
                # A part (moof + mdat) on disk every recordPartDuration, readable while the segment grows.
                "-segment_format_options",
                f"movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration={part_us}:flush_packets=1",
                "-reset_timestamps", "1",
                str(self.folder / f"{self.run_prefix}%06d{TEMP_SUFFIX}"),
            ],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, preexec_fn=_die_with_the_recorder_thread,
        )
        log.info("%s: recording to %s (ffmpeg pid %s)", self.name, self.folder, self.process.pid)

    def name_segments(self, final=False):
        """Give each temporary segment with a complete part its MediaMTX name; `final`: FFmpeg is gone, so
        a temporary file without one never gets one and goes."""
        try:
            temporary = sorted(p for p in self.folder.iterdir()
                               if p.name.startswith(TEMP_PREFIX) and p.name.endswith(TEMP_SUFFIX))
        except FileNotFoundError:
            return
        for path in temporary:
            try:
                written = path.stat().st_mtime
                segment = fmp4.read_segment(path)
            except (OSError, ValueError, KeyError, IndexError, TypeError):
                segment = None
            if segment is None:
                if final or not path.name.startswith(self.run_prefix):
                    path.unlink(missing_ok=True)
                continue
            start = datetime.fromtimestamp(written - segment.seconds).astimezone()
            target = Path(encode(self.pattern, start))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            log.debug("%s: segment %s", self.name, target.name)

    def delete_old(self, now):
        """MediaMTX's cleaner: every half of recordDeleteAfter (at most every 30 min), the segments that
        started before it go — here never the one being written."""
        every = min(1800, self.settings.delete_after_seconds / 2)
        if not self.settings.delete_after_seconds or now - self.last_clean < every:
            return
        self.last_clean = now
        cutoff = datetime.fromtimestamp(now - self.settings.delete_after_seconds).astimezone()
        files = segment_files(self.settings.record_path, self.settings.record_format, self.name)
        for start, file in files[:-1]:  # never the one being written
            if start <= cutoff:
                Path(file).unlink(missing_ok=True)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # FFmpeg ends the segment it writes cleanly
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.name_segments(final=True)
        log.info("%s: recording stopped", self.name)


class Recorders:
    """Every recording path, tended by one thread (the only one that starts FFmpeg)."""

    def __init__(self, rtsp_url_of):
        self.rtsp_url_of = rtsp_url_of
        self.lock = threading.Lock()
        self.wanted = {}  # name -> Settings
        self.recordings = {}  # name -> Recording, the thread's own
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="recorder", daemon=True)
        self.thread.start()

    def set(self, name, conf):
        """Record `name` as its configuration says (or stop recording it)."""
        with self.lock:
            if conf and conf["record"] and conf["recordFormat"] == "fmp4" and conf["source"].startswith("rtsp://"):
                self.wanted[name] = Settings.of(conf)
            else:
                self.wanted.pop(name, None)

    def close(self):
        self.stopping.set()
        self.thread.join(10)

    def _run(self):
        while not self.stopping.wait(TICK_SECONDS):
            with self.lock:
                wanted = dict(self.wanted)
            for name in list(self.recordings):
                # Other recorder settings: a new segment with them (a new source ends the relay's stream,
                # and so FFmpeg's, by itself).
                if wanted.get(name) != self.recordings[name].settings:
                    self.recordings.pop(name).stop()
            for name, settings in wanted.items():
                if name not in self.recordings:
                    self.recordings[name] = Recording(name, self.rtsp_url_of(name), settings)
            now = time.time()
            for recording in self.recordings.values():
                try:
                    recording.tend(now)
                    recording.delete_old(now)
                except Exception:  # noqa: BLE001 - one path's trouble (a folder it may not write) stops no other
                    log.exception("%s: recorder failed; trying again", recording.name)
                    recording.next_start = now + RESTART_SECONDS
        for recording in self.recordings.values():
            recording.stop()
