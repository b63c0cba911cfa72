"""Measure recording: CPU per recorded camera, MB per camera-hour, a clip's first byte and a seek, through Django.

    python manage.py recording_bench --cameras N --minutes M

Runs a stack of its own (apps/devtools/bench/harness.py: database, Redis DBs, RabbitMQ vhost
apart from `make run`): real MediaMTX where MEDIAMTX_BIN names one, else the stand-in (FFmpeg
copying into fMP4 segments; the command says so in one line), N simulated cameras on the demo
video, and the web server. It creates N cameras recording continuously, lets them record for M
minutes while it reads the media server's CPU time (with its children) from /proc, then measures the recordings folder, the time from a
30 s clip request to its first byte and from a seek (a 10 s clip from a random recorded moment,
what a click on the timeline asks) to its first byte, both through Django after logging in.
The last line is `cameras=N cpu_per_camera=… mb_per_camera_hour=… clip_first_byte_ms=… seek_ms=…`
(CPU as a fraction of one core: the pull and the recorder together; times are medians).
"""

import random
import sys
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.devtools.bench.harness import VENV_BIN, HarnessError, Stack, cpu_and_rss

USER, PASSWORD = "bench-viewer", "bench-viewer-pass-1"
SAMPLES = 7


def folder_bytes(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def media_server_command(ports):
    """(what, argv) of the media server to measure: real MediaMTX where there is one, else the stand-in."""
    if settings.MEDIAMTX_BIN:
        names = ("api", "rtsp", "hls", "webrtc", "webrtc_tcp", "playback")
        server = "mediamtx"
    else:
        names = ("api", "rtsp", "hls", "playback")
        server = "standin"
    argv = [sys.executable, "manage.py", "mediaserver", "--server", server,
            *[arg for name in names for arg in (f"--{name.replace('_', '-')}-port", str(ports[name]))]]
    return server, argv


def first_byte_ms(session, url, params):
    started = time.perf_counter()
    with session.get(url, params=params, stream=True, timeout=30) as response:
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}: {response.text[:200]}")
        next(response.iter_content(1))
        return (time.perf_counter() - started) * 1000


class Command(BaseCommand):
    help = "Recording cost and playback latency with real MediaMTX (or the stand-in where there is none)."

    def add_arguments(self, parser):
        parser.add_argument("--cameras", type=int, default=1)
        parser.add_argument("--minutes", type=float, default=2.0)

    def handle(self, *args, cameras, minutes, **options):
        if cameras < 1 or minutes < 0.6:
            raise CommandError("--cameras at least 1, --minutes at least 0.6 (a 30 s clip must be recorded)")
        recordings = tempfile.mkdtemp(prefix="vms-recording-bench-")
        try:
            with Stack(log=self.stdout.write) as stack:
                self.run_bench(stack, cameras, minutes, recordings)
        except HarnessError as exc:
            raise CommandError(str(exc)) from None

    def run_bench(self, stack, cameras, minutes, recordings):
        stack.prepare()
        stack.env["RECORDINGS_ROOT"] = recordings
        server, argv = media_server_command(stack.ports)
        if server == "standin":
            self.stdout.write("MediaMTX not found (MEDIAMTX_BIN unset): measuring the stand-in's recorder")
        media = stack.spawn("mediaserver", argv)
        stack.spawn("cameras", [sys.executable, "manage.py", "fakecamera", "--port", str(stack.ports["cameras"]),
                                *[f"cam{i}=demo" for i in range(cameras)]])
        stack.spawn("web", [str(VENV_BIN / "uvicorn"), "vms.asgi:application", "--host", "127.0.0.1", "--port",
                            str(stack.ports["web"]), "--log-level", "warning"])
        self.wait(stack, lambda: f"cam{cameras - 1}" in (Path(settings.BASE_DIR) / "var" / "harness-cameras.log")
                  .read_text(errors="replace"), 180, "the simulated cameras")
        self.stdout.write(f"==> {cameras} cameras recording for {minutes:g} min")
        ids = stack.run_python(
            "from apps.accounts.policy import SYSTEM\nfrom apps.accounts.services import user_create\n"
            "from apps.cameras.services import camera_create\n"
            "from apps.streaming.services import camera_provision\n"
            f"user_create(username={USER!r}, password={PASSWORD!r}, role='viewer', validate=False)\n"
            f"ids = [camera_create(actor=SYSTEM, name=f'Camera {{i}}', rtsp_url='rtsp://127.0.0.1:{stack.ports['cameras']}"
            f"/cam' + str(i), recording_mode='continuous').pk for i in range({cameras})]\n"
            "[camera_provision(i) for i in ids]\nprint(*ids)\n"
        ).split()
        cpu_start, _ = cpu_and_rss(media.pid)
        wall_start = time.monotonic()
        deadline = wall_start + minutes * 60
        while time.monotonic() < deadline:
            stack.check_alive()
            time.sleep(1)
        cpu_end, rss = cpu_and_rss(media.pid)
        wall = time.monotonic() - wall_start
        cpu_per_camera = (cpu_end - cpu_start) / wall / cameras
        size = folder_bytes(recordings)
        mb_per_camera_hour = size / 2**20 / cameras / (wall / 3600)

        web = f"http://127.0.0.1:{stack.ports['web']}"
        session = requests.Session()
        session.get(f"{web}/login/", timeout=10)
        session.post(f"{web}/login/", data={"username": USER, "password": PASSWORD,
                                            "csrfmiddlewaretoken": session.cookies["csrftoken"]},
                     headers={"Referer": f"{web}/login/"}, timeout=10)
        timeline = session.get(f"{web}/recordings/cameras/{ids[0]}/timeline", timeout=10).json()
        if not timeline["spans"]:
            raise CommandError("nothing recorded: see var/harness-mediaserver.log")
        span_start = datetime.fromisoformat(timeline["spans"][0]["start"])
        span_end = datetime.fromisoformat(timeline["spans"][-1]["end"])
        clip, seek = [], []
        for sample in range(SAMPLES):
            camera = ids[sample % len(ids)]
            clip.append(first_byte_ms(session, f"{web}/recordings/cameras/{camera}/clip.mp4",
                                      {"start": (span_end - timedelta(seconds=32)).isoformat(), "duration": 30}))
            moment = span_start + (span_end - timedelta(seconds=12) - span_start) * random.random()
            seek.append(first_byte_ms(session, f"{web}/recordings/cameras/{camera}/clip.mp4",
                                      {"start": moment.isoformat(), "duration": 10}))
        self.stdout.write(f"recorded {size / 2**20:.1f} MiB in {wall:.0f} s; {server} RSS {rss:.0f} MiB; "
                          f"clip first byte {min(clip):.0f}–{max(clip):.0f} ms, seek {min(seek):.0f}–{max(seek):.0f} ms")
        self.stdout.write(
            f"cameras={cameras} cpu_per_camera={cpu_per_camera:.3f} mb_per_camera_hour={mb_per_camera_hour:.0f} "
            f"clip_first_byte_ms={statistics.median(clip):.0f} seek_ms={statistics.median(seek):.0f}"
        )

    def wait(self, stack, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stack.check_alive()
            if predicate():
                return
            time.sleep(0.5)
        raise CommandError(f"timed out waiting for {what}")
