"""Measure the stand-in media server: time from `add` to the first HLS playlist, and CPU per relayed stream.

    python manage.py mediaserver_bench [--cameras 1 8] [--seconds 20] [--video FILE.mp4]

For each camera count N: starts simulated cameras (`fakecamera`, a 720p 25 fps
~3 Mb/s file looped) and the stand-in, adds N paths at once and times each
first playlist, then lets N RTSP readers and N HLS readers pull for --seconds
while it reads the CPU time of the relay process and of its HLS FFmpegs from
/proc. The last line is `cameras=N first_playlist_s=... cpu_per_stream_pct=...`
(first playlist: the slowest of the N; CPU: the relay's, per stream, % of one core).
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.devtools.net import free_port

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise CommandError(f"timed out waiting for {what}")


def port_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def cpu_seconds(pid):
    """User + system CPU time of a process, in seconds (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def children_of(pid):
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    children.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return children


def make_test_video(folder):
    """A 10 s 1280x720 25 fps H.264 file at ~3 Mb/s, a keyframe a second: a typical camera stream."""
    video = Path(folder) / "camera-720p.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-t", "10",
         "-c:v", "libx264", "-preset", "veryfast", "-b:v", "3M", "-maxrate", "3M", "-bufsize", "3M", "-g", "25",
         "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(video)],
        check=True,
    )
    return video


class HlsViewer(threading.Thread):
    """Fetches a playlist and each new segment about once a second, like a browser playing it."""

    def __init__(self, playlist_url):
        super().__init__(daemon=True)
        self.playlist_url = playlist_url
        self.stopping = threading.Event()
        self.segments = 0

    def run(self):
        seen = set()
        base = self.playlist_url.rsplit("/", 1)[0]
        while not self.stopping.wait(1.0):
            try:
                playlist = requests.get(self.playlist_url, timeout=10).text
                for line in playlist.splitlines():
                    if line and not line.startswith("#") and line not in seen:
                        requests.get(f"{base}/{line}", timeout=10)
                        seen.add(line)
                        self.segments += 1
            except requests.RequestException:
                pass


class Command(BaseCommand):
    help = "Benchmark the stand-in media server (first HLS playlist, CPU per relayed stream)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--cameras", type=int, nargs="+", default=[1, 8], help="camera counts to run")
        parser.add_argument("--seconds", type=float, default=20.0, help="how long readers pull while CPU is read")
        parser.add_argument("--readers", choices=["rtsp", "hls", "both"], default="both",
                            help="who pulls each stream while CPU is read: an RTSP reader, an HLS viewer, or both")
        parser.add_argument("--video", help="an H.264 MP4 for the cameras (default: a generated 720p one)")

    def handle(self, *args, cameras, seconds, readers, video, **options):
        if any(count < 1 for count in cameras) or seconds <= 0:
            raise CommandError("--cameras must be positive counts and --seconds positive")
        with tempfile.TemporaryDirectory(prefix="vms-bench-") as folder:
            if video is None:
                self.stdout.write("making a 720p test video ...")
                video = make_test_video(folder)
            elif not Path(video).is_file():
                raise CommandError(f"no such video: {video}")
            results = [self.run_once(count, seconds, video, readers) for count in cameras]
        for result in results:
            self.stdout.write(
                f"cameras={result['cameras']} first_playlist_s={result['first_playlist_max']:.2f} "
                f"cpu_per_stream_pct={result['relay_per_stream']:.2f} "
                f"hls_cpu_per_stream_pct={result['hls_per_stream']:.2f}"
            )

    def start(self, *args):
        return subprocess.Popen(
            [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )

    def run_once(self, count, seconds, video, reader_kinds):
        camera_port, api_port, rtsp_port, hls_port, playback_port = (free_port() for _ in range(5))
        names = [f"cam_{index}" for index in range(1, count + 1)]
        processes = []
        readers = []
        viewers = []
        try:
            processes.append(self.start("fakecamera", "--port", str(camera_port), *(f"{n}={video}" for n in names)))
            server = self.start(
                "mediaserver", "--api-port", str(api_port), "--rtsp-port", str(rtsp_port),
                "--hls-port", str(hls_port), "--playback-port", str(playback_port),
                "--hls-idle-seconds", "2" if reader_kinds == "rtsp" else "120",
            )
            processes.append(server)
            wait_until(lambda: port_answers(camera_port), 30, "the cameras")
            wait_until(lambda: port_answers(api_port) and port_answers(hls_port), 30, "the media server")
            api = f"http://127.0.0.1:{api_port}"
            idle_cpu_start = cpu_seconds(server.pid)
            time.sleep(3)
            idle_pct = (cpu_seconds(server.pid) - idle_cpu_start) / 3 * 100

            # add -> first playlist, for every camera at once.
            first_playlist = {}

            def add_and_watch(name):
                started = time.monotonic()
                requests.post(
                    f"{api}/v3/config/paths/add/{name}",
                    json={"source": f"rtsp://127.0.0.1:{camera_port}/{name}", "sourceOnDemand": True}, timeout=10,
                ).raise_for_status()
                response = requests.get(f"http://127.0.0.1:{hls_port}/{name}/index.m3u8", timeout=30)
                if response.status_code == 200:
                    first_playlist[name] = time.monotonic() - started

            adders = [threading.Thread(target=add_and_watch, args=(name,)) for name in names]
            for thread in adders:
                thread.start()
            for thread in adders:
                thread.join()
            if len(first_playlist) != count:
                raise CommandError(f"only {len(first_playlist)} of {count} paths gave a playlist")

            for name in names:
                if reader_kinds == "hls":
                    continue
                readers.append(subprocess.Popen(
                    ["ffmpeg", "-v", "error", "-nostdin", "-rtsp_transport", "tcp",
                     "-i", f"rtsp://127.0.0.1:{rtsp_port}/{name}", "-c", "copy", "-f", "null", "-"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                ))
            for name in names:
                if reader_kinds == "rtsp":
                    continue
                viewers.append(HlsViewer(f"http://127.0.0.1:{hls_port}/{name}/index.m3u8"))
                viewers[-1].start()
            # Let every reader settle in; with RTSP readers only, the unwatched HLS muxers stop meanwhile.
            time.sleep(5 if reader_kinds == "rtsp" else 3)

            muxers = children_of(server.pid)
            relay_start = cpu_seconds(server.pid)
            muxers_start = sum(cpu_seconds(pid) for pid in muxers)
            started = time.monotonic()
            time.sleep(seconds)
            elapsed = time.monotonic() - started
            relay_pct = (cpu_seconds(server.pid) - relay_start) / elapsed * 100
            muxers_pct = (sum(cpu_seconds(pid) for pid in muxers) - muxers_start) / elapsed * 100
            paths = requests.get(f"{api}/v3/paths/list", timeout=10).json()["items"]
            ready = sum(1 for path in paths if path["ready"])
            reading = sum(len(path["readers"]) for path in paths)
            segments = sum(viewer.segments for viewer in viewers)
        finally:
            for viewer in viewers:
                viewer.stopping.set()
            for process in readers + processes[::-1]:
                process.terminate()
            for process in readers + processes:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()

        times = sorted(first_playlist.values())
        result = {
            "cameras": count,
            "first_playlist_median": statistics.median(times),
            "first_playlist_max": times[-1],
            "relay_per_stream": relay_pct / count,
            "hls_per_stream": muxers_pct / count,
        }
        self.stdout.write(
            f"\n{count} camera(s), 1280x720 25 fps, readers: {reader_kinds}: {ready}/{count} paths ready, "
            f"{reading} relay readers, {segments} HLS segments fetched in {elapsed:.0f} s\n"
            f"  add -> first HLS playlist: median {result['first_playlist_median']:.2f} s, "
            f"slowest {result['first_playlist_max']:.2f} s\n"
            f"  relay process (GStreamer RTSP server): {relay_pct:.1f} % of a core, "
            f"{result['relay_per_stream']:.2f} % per stream; idle before any path {idle_pct:.1f} %\n"
            f"  HLS muxers (FFmpeg, copy): {muxers_pct:.1f} % of a core, {result['hls_per_stream']:.2f} % per stream"
        )
        return result
