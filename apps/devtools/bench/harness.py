"""A whole VMS stack on free loopback ports, apart from `make run`, for benchmarks and the soak.

Its own database `vms_bench`, Redis DBs 4–7 and RabbitMQ vhost `vms_bench`; the
stand-in media server, simulated cameras on the demo video, the io, frames and
AI workers as `make run` starts them, beat, and optionally the web server.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis
from django.conf import settings

from apps.devtools.net import free_port

ROOT = Path(settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
# Its own database and RabbitMQ vhost (VMS_BENCH_NAME), so two benchmarks can run side by side; Redis DBs 4–7 of
# the Redis that REDIS_CACHE_URL names.
DATABASE = VHOST = os.environ.get("VMS_BENCH_NAME", "vms_bench")
REDIS_DBS = {"REDIS_SESSIONS_URL": 4, "REDIS_CACHE_URL": 5, "REDIS_STREAMING_URL": 6, "REDIS_AI_URL": 7}


class HarnessError(Exception):
    pass


def passage_figures(rows, *, cameras, seconds):
    """What a run's stored passages say about reading the demo video, from [plate, class, had a vehicle] rows.

    Each camera loops the demo video, one vehicle every SECONDS_PER_VEHICLE: the real passes are cameras ×
    seconds ÷ that (±1 a camera at the window's edges). Junk: a passage whose plate is no shown vehicle's."""
    from apps.devtools.simcam.demo_video import PLATES, SECONDS_PER_VEHICLE

    real = cameras * seconds / SECONDS_PER_VEHICLE
    with_vehicle = [row for row in rows if row[2]]
    figures = {
        "passages": len(rows),
        "real_passes": round(real, 1),
        "per_pass": len(rows) / real if real else 0.0,
        "junk": sum(bool(plate) and plate not in PLATES for plate, _, _ in rows) / len(rows) if rows else 0.0,
        "unread": sum(not plate for plate, _, _ in rows),
        "class_present": (sum(bool(label) for _, label, _ in with_vehicle) / len(with_vehicle)
                          if with_vehicle else 0.0),
    }
    figures["line"] = (
        f"passages={figures['passages']} real_passes={figures['real_passes']:g} "
        f"per_pass={figures['per_pass']:.2f} junk={figures['junk']:.3f} unread={figures['unread']} "
        f"class_present={figures['class_present']:.3f}"
    )
    return figures


def process_tree(pid):
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    tree, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def cpu_and_rss(pid):
    """(CPU seconds, RSS MiB) of a process and its descendants."""
    cpu = rss = 0.0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        rss += int(fields[21]) * PAGE_SIZE / 2**20
    return cpu, rss


class Stack:
    def __init__(self, log=print):
        self.log = log
        self.procs = []
        self.ports = {name: free_port() for name in (
            "api", "rtsp", "hls", "webrtc", "webrtc_tcp", "playback", "cameras", "web")}
        self.env = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def prepare(self):
        base = settings.DATABASES["default"]
        host, port, user = base["HOST"] or "127.0.0.1", base["PORT"] or 5432, base["USER"] or "postgres"
        with psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        if not shutil.which("rabbitmqctl"):
            raise HarnessError("rabbitmqctl not found: the harness needs its own RabbitMQ vhost")
        for command in (["delete_vhost", VHOST], ["add_vhost", VHOST],
                        ["set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*"]):
            subprocess.run(["rabbitmqctl", "-q", *command], capture_output=True, timeout=60)
        redis_base = settings.REDIS_CACHE_URL.rsplit("/", 1)[0]
        self.env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="vms.settings",
            DATABASE_URL=f"postgres://{user}@{host}:{port}/{DATABASE}",
            CELERY_BROKER_URL=f"amqp://guest:guest@127.0.0.1:5672/{VHOST}",
            MEDIAMTX_API_URL=f"http://127.0.0.1:{self.ports['api']}",
            MEDIA_RTSP_BASE_URL=f"rtsp://127.0.0.1:{self.ports['rtsp']}",
            MEDIA_HLS_BASE_URL=f"http://127.0.0.1:{self.ports['hls']}",
            MEDIAMTX_PLAYBACK_URL=f"http://127.0.0.1:{self.ports['playback']}",
            MEDIA_WEBRTC_BASE_URL=f"http://127.0.0.1:{self.ports['webrtc']}" if settings.MEDIAMTX_BIN else "",
            PYTHONUNBUFFERED="1",
            **{name: f"{redis_base}/{db}" for name, db in REDIS_DBS.items()},
        )
        self.env["CHANNEL_LAYER_URL"] = self.env["REDIS_CACHE_URL"]
        for db in REDIS_DBS.values():
            redis.Redis.from_url(f"{redis_base}/{db}").flushdb()
        self.log("==> migrating the harness database")
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=self.env, check=True)

    def spawn(self, name, args, extra_env=None):
        (ROOT / "var").mkdir(exist_ok=True)
        log = open(ROOT / "var" / f"harness-{name}.log", "wb")
        proc = subprocess.Popen(args, cwd=ROOT, env=dict(self.env, **(extra_env or {})), stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        proc.harness_name = name
        self.procs.append(proc)
        return proc

    def start(self, cameras, ai_concurrency, web=False, api_rate_limit=None):
        celery = str(VENV_BIN / "celery")
        self.log(f"==> starting the media server, {cameras} simulated cameras, workers and beat")
        # Real MediaMTX where there is one (MEDIAMTX_BIN), the stand-in otherwise.
        media_ports = ("api", "rtsp", "hls", "webrtc", "webrtc_tcp", "playback")
        self.spawn("mediaserver", [sys.executable, "manage.py", "mediaserver", *[
            arg for name in media_ports for arg in (f"--{name.replace('_', '-')}-port", str(self.ports[name]))]])
        self.spawn("cameras", [sys.executable, "manage.py", "fakecamera", "--port", str(self.ports["cameras"]),
                               *[f"cam{i}=demo" for i in range(cameras)]])
        self.spawn("worker", [celery, "-A", "vms", "worker", "-n", "harness-io@%h", "-Q",
                              "provision,persist,default", "--pool", "threads", "--concurrency", "8",
                              "--loglevel", "WARNING"])
        self.spawn("probe", [celery, "-A", "vms", "worker", "-n", "harness-probe@%h", "-Q", "probe",
                             "--pool", "threads", "--concurrency", "4", "--loglevel", "WARNING"])
        self.spawn("webhooks", [celery, "-A", "vms", "worker", "-n", "harness-webhooks@%h", "-Q", "events",
                                "--pool", "threads", "--concurrency", "4", "--loglevel", "WARNING"])
        self.spawn("frames", [celery, "-A", "vms", "worker", "-n", "harness-frames@%h", "-Q", "frames",
                              "--pool", "threads", "--concurrency", "8", "--loglevel", "WARNING"])
        self.spawn("ai", [celery, "-A", "vms", "worker", "-n", "harness-ai@%h", "-Q", "detect", "--pool", "prefork",
                          "--concurrency", str(ai_concurrency), "--prefetch-multiplier", "1", "-O", "fair",
                          "--loglevel", "WARNING"], {"PIPELINE_PRELOAD_MODELS": "1", "VISION_THREADS": str(max(1, (os.cpu_count() or 1) // ai_concurrency))})
        self.spawn("beat", [celery, "-A", "vms", "beat", "--max-interval", "1",
                            "--loglevel", "WARNING"])
        if web:
            self.spawn("web", [str(VENV_BIN / "uvicorn"), "vms.asgi:application", "--host", "127.0.0.1",
                               "--port", str(self.ports["web"]), "--log-level", "warning"],
                       {"API_RATE_LIMIT": api_rate_limit or ""})
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            self.check_alive()
            log = (ROOT / "var" / "harness-cameras.log").read_text(errors="replace")
            if f"cam{cameras - 1}" in log:
                return
            time.sleep(0.5)
        raise HarnessError("the simulated cameras did not start; see var/harness-cameras.log")

    def check_alive(self):
        for proc in self.procs:
            if proc.poll() is not None:
                raise HarnessError(f"{proc.harness_name} exited; see var/harness-{proc.harness_name}.log")

    def run_python(self, script):
        out = subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + script], cwd=ROOT,
                             env=self.env, check=True, capture_output=True, text=True)
        return out.stdout

    def create_cameras(self, count, fps, plate_count, recording_mode="off"):
        """`count` AI cameras, the first `plate_count` of them plate cameras, the rest overview cameras."""
        script = (
            "import json\nfrom apps.accounts.policy import SYSTEM\nfrom apps.cameras.services import camera_create\n"
            f"ids = [camera_create(actor=SYSTEM, name=f'Camera {{i}}', "
            f"rtsp_url=f'rtsp://127.0.0.1:{self.ports['cameras']}/cam{{i}}', ai_enabled=True, "
            f"plate_camera=i < {int(plate_count)}, ai_fps={fps}, recording_mode={recording_mode!r}).pk for i in range({count})]\n"
            "print(json.dumps(ids))\n"
        )
        return [int(v) for v in self.run_python(script).strip().splitlines()[-1].strip("[]").split(",")]

    def passages(self, camera_ids, since, until):
        """The passages the cameras stored that began between `since` and `until` (epoch seconds), weighed
        against the demo video's real passes in that time: see `passage_figures`."""
        script = (
            "import json\nfrom datetime import datetime, timezone\nfrom apps.detections.models import Detection\n"
            f"window = [datetime.fromtimestamp(t, timezone.utc) for t in ({since!r}, {until!r})]\n"
            f"rows = Detection.objects.filter(camera_id__in={list(camera_ids)!r}, first_seen__range=window)\n"
            "print(json.dumps([[d.plate_text, d.vehicle_class, d.frame_readings.filter(vehicle_box__isnull=False)"
            ".exists()] for d in rows]))\n"
        )
        rows = json.loads(self.run_python(script).strip().splitlines()[-1])
        return passage_figures(rows, cameras=len(camera_ids), seconds=until - since)

    def usage(self):
        return {proc.harness_name: cpu_and_rss(proc.pid) for proc in self.procs}

    def stop_process(self, name):
        for proc in self.procs:
            if proc.harness_name == name and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(30)

    def stop(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
