"""Run the real AI chain on N simulated cameras for S seconds and print what it sustained.

    python manage.py pipeline_bench --cameras 8 --seconds 60 [--plate-cameras] [--fps 1]

Starts, on free loopback ports and apart from a running `make run` (its own
database `vms_bench`, Redis DBs 4–7 and RabbitMQ vhost `vms_bench`): the
stand-in media server, N simulated cameras on the demo video, the io, frames
and AI workers (as `make run` does) and beat. It creates N AI cameras, lets
them run for a warm-up and then S seconds, and prints per camera the frames
processed per second, the share dropped, the latency frame→persisted and
frame→WebSocket (p50, p95), and the CPU and memory of every process. The last
line is

    cameras=N fps_per_camera=0.00 dropped=0.000 p50_ms=0 p95_ms=0 cpu=0.00

(fps: frames that went through detect, per camera per second; dropped: share
of grabbed frames dropped; latencies: frame→persisted; cpu: cores used).
"""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

ROOT = Path(settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
BENCH_DB = "vms_bench"
BENCH_VHOST = "vms_bench"
REDIS_DBS = {"REDIS_SESSIONS_URL": 4, "REDIS_CACHE_URL": 5, "REDIS_STREAMING_URL": 6, "REDIS_AI_URL": 7}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def process_tree(pid):
    """The pid and all its descendants."""
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


class Command(BaseCommand):
    help = "Measure the AI pipeline on N simulated cameras (real workers, broker, beat, media server)."

    def add_arguments(self, parser):
        parser.add_argument("--cameras", type=int, default=8)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--warmup", type=int, default=30, help="seconds before measuring (models load, readers open)")
        parser.add_argument("--fps", type=float, default=1.0, help="AI frames per second per camera")
        parser.add_argument("--plate-cameras", action="store_true",
                            help="search plates on every frame (close-up lane cameras), not only where a vehicle is")
        parser.add_argument("--ai-concurrency", type=int, default=os.cpu_count() or 2)

    def handle(self, *args, cameras, seconds, warmup, fps, plate_cameras, ai_concurrency, **options):
        if not 1 <= cameras <= 64:
            raise CommandError("--cameras must be between 1 and 64")
        if seconds < 5:
            raise CommandError("--seconds must be at least 5")
        self.procs = []
        try:
            env = self._prepare()
            self._start(env, cameras, ai_concurrency)
            camera_ids = self._create_cameras(env, cameras, fps, plate_cameras)
            self._measure(env, camera_ids, seconds, warmup)
        finally:
            self._stop_all()

    # --- set-up -------------------------------------------------------------------

    def _log(self, text):
        self.stdout.write(text)
        self.stdout.flush()

    def _prepare(self):
        base = settings.DATABASES["default"]
        host, port, user = base["HOST"] or "127.0.0.1", base["PORT"] or 5432, base["USER"] or "postgres"
        with psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
        if shutil.which("rabbitmqctl"):
            subprocess.run(["rabbitmqctl", "-q", "delete_vhost", BENCH_VHOST], capture_output=True, timeout=60)
            subprocess.run(["rabbitmqctl", "-q", "add_vhost", BENCH_VHOST], capture_output=True, timeout=60)
            subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", BENCH_VHOST, "guest", ".*", ".*", ".*"],
                           capture_output=True, timeout=60)
            broker = f"amqp://guest:guest@127.0.0.1:5672/{BENCH_VHOST}"
        else:
            raise CommandError("rabbitmqctl not found: the benchmark needs its own RabbitMQ vhost")
        redis_base = settings.REDIS_CACHE_URL.rsplit("/", 1)[0]
        self.ports = {"api": free_port(), "rtsp": free_port(), "hls": free_port(), "cameras": free_port()}
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="vms.settings",
            DATABASE_URL=f"postgres://{user}@{host}:{port}/{BENCH_DB}",
            CELERY_BROKER_URL=broker,
            MEDIAMTX_API_URL=f"http://127.0.0.1:{self.ports['api']}",
            MEDIA_RTSP_BASE_URL=f"rtsp://127.0.0.1:{self.ports['rtsp']}",
            MEDIA_HLS_BASE_URL=f"http://127.0.0.1:{self.ports['hls']}",
            PYTHONUNBUFFERED="1",
            **{name: f"{redis_base}/{db}" for name, db in REDIS_DBS.items()},
        )
        env["CHANNEL_LAYER_URL"] = env["REDIS_CACHE_URL"]
        for db in REDIS_DBS.values():
            redis.Redis.from_url(f"{redis_base}/{db}").flushdb()
        self._log("==> migrating the benchmark database")
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        return env

    def _spawn(self, name, args, env):
        log = open(ROOT / "var" / f"bench-{name}.log", "wb")
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        proc.bench_name = name
        self.procs.append(proc)
        return proc

    def _start(self, env, cameras, ai_concurrency):
        (ROOT / "var").mkdir(exist_ok=True)
        celery = str(VENV_BIN / "celery")
        self._log(f"==> starting the media server, {cameras} simulated cameras, workers and beat")
        self._spawn("mediaserver", [sys.executable, "manage.py", "mediaserver", "--api-port", str(self.ports["api"]),
                                    "--rtsp-port", str(self.ports["rtsp"]), "--hls-port", str(self.ports["hls"])], env)
        mounts = [f"cam{i}=demo" for i in range(cameras)]
        self._spawn("cameras", [sys.executable, "manage.py", "fakecamera", "--port", str(self.ports["cameras"]),
                                *mounts], env)
        self._spawn("worker", [celery, "-A", "vms", "worker", "-n", "bench-io@%h", "-Q",
                               "provision,persist,events,default", "--pool", "threads", "--concurrency", "8",
                               "--loglevel", "WARNING"], env)
        self._spawn("frames", [celery, "-A", "vms", "worker", "-n", "bench-frames@%h", "-Q", "frames",
                               "--pool", "threads", "--concurrency", "8", "--loglevel", "WARNING"], env)
        self._spawn("ai", [celery, "-A", "vms", "worker", "-n", "bench-ai@%h", "-Q", "detect", "--pool", "prefork",
                           "--concurrency", str(ai_concurrency), "--prefetch-multiplier", "1", "-O", "fair",
                           "--loglevel", "WARNING"], dict(env, PIPELINE_PRELOAD_MODELS="1"))
        self._spawn("beat", [celery, "-A", "vms", "beat", "--scheduler",
                             "django_celery_beat.schedulers:DatabaseScheduler", "--max-interval", "1",
                             "--loglevel", "WARNING"], env)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    raise CommandError(f"{proc.bench_name} exited early; see var/bench-{proc.bench_name}.log")
            log = (ROOT / "var" / "bench-cameras.log").read_text(errors="replace")
            if f"cam{cameras - 1}" in log:
                return
            time.sleep(0.5)
        raise CommandError("the simulated cameras did not start; see var/bench-cameras.log")

    def _create_cameras(self, env, cameras, fps, plate_cameras):
        script = (
            "import django, json; django.setup()\n"
            "from apps.cameras.services import camera_create\n"
            f"ids = [camera_create(actor=None, name=f'Bench {{i}}', rtsp_url=f'rtsp://127.0.0.1:{self.ports['cameras']}/cam{{i}}',"
            f" ai_enabled=True, plate_camera={plate_cameras}, ai_fps={fps}).pk for i in range({cameras})]\n"
            "print(json.dumps(ids))\n"
        )
        out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True,
                             text=True)
        return [int(v) for v in out.stdout.strip().splitlines()[-1].strip("[]").split(",")]

    # --- measuring ------------------------------------------------------------------

    def _counters(self, store, camera_id):
        raw = {k.decode(): v.decode() for k, v in store.hgetall(f"metrics:{camera_id}").items()}
        return {k: float(v) for k, v in raw.items() if k != "last_frame_at"}

    async def _listen(self, env, seconds):
        """Detections pushed to the consoles' group, with the delay from the frame to here."""
        from channels_redis.core import RedisChannelLayer

        layer = RedisChannelLayer(hosts=[{"address": env["CHANNEL_LAYER_URL"], "socket_timeout": 30}])
        channel = await layer.new_channel()
        await layer.group_add("detections", channel)
        delays = []
        deadline = time.monotonic() + seconds
        from datetime import datetime

        while time.monotonic() < deadline:
            try:
                message = await asyncio.wait_for(layer.receive(channel), max(0.1, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                break
            payload = message.get("payload") or {}
            if payload.get("last_seen"):
                delays.append((time.time() - datetime.fromisoformat(payload["last_seen"]).timestamp()) * 1000)
        await layer.group_discard("detections", channel)
        await layer.close_pools()
        return delays

    def _measure(self, env, camera_ids, seconds, warmup):
        store = redis.Redis.from_url(env["REDIS_AI_URL"])
        self._log(f"==> warming up for {warmup} s (models load, readers open)")
        time.sleep(warmup)
        before = {cid: self._counters(store, cid) for cid in camera_ids}
        store.delete(*[f"latency:{cid}:frame_to_persisted" for cid in camera_ids])
        cpu_before = {p.bench_name: cpu_and_rss(p.pid)[0] for p in self.procs}
        started = time.monotonic()
        self._log(f"==> measuring for {seconds} s")
        ws_delays = asyncio.run(self._listen(env, seconds))
        elapsed = time.monotonic() - started
        after = {cid: self._counters(store, cid) for cid in camera_ids}
        usage = {p.bench_name: cpu_and_rss(p.pid) for p in self.procs}

        def delta(cid, key):
            return after[cid].get(key, 0) - before[cid].get(key, 0)

        rows, all_latencies = [], []
        total_grabbed = total_dropped = 0
        for cid in camera_ids:
            processed = delta(cid, "detected") + delta(cid, "still")
            grabbed = delta(cid, "grabbed")
            dropped = sum(delta(cid, k) for k in after[cid] if k.startswith("dropped:"))
            latencies = [float(v) for v in store.lrange(f"latency:{cid}:frame_to_persisted", 0, -1)]
            all_latencies += latencies
            total_grabbed += grabbed
            total_dropped += dropped
            rows.append((cid, processed / elapsed, grabbed, dropped, percentile(latencies, 0.5),
                         percentile(latencies, 0.95)))
        self._log(f"\n{'camera':>6} {'fps':>6} {'grabbed':>8} {'dropped':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for cid, rate, grabbed, dropped, p50, p95 in rows:
            self._log(f"{cid:>6} {rate:>6.2f} {grabbed:>8.0f} {dropped:>8.0f} {p50:>8.0f} {p95:>8.0f}")
        self._log(f"\nframe→WebSocket: p50 {percentile(ws_delays, 0.5):.0f} ms, p95 {percentile(ws_delays, 0.95):.0f} ms "
                  f"({len(ws_delays)} pushes)")
        cpu_total = 0.0
        self._log(f"\n{'process':<12} {'cpu (cores)':>11} {'rss MiB':>8}")
        for name, (cpu, rss) in usage.items():
            cores = (cpu - cpu_before[name]) / elapsed
            cpu_total += cores
            self._log(f"{name:<12} {cores:>11.2f} {rss:>8.0f}")
        fps_per_camera = sum(r[1] for r in rows) / len(rows)
        dropped_share = total_dropped / total_grabbed if total_grabbed else 1.0
        self._log(
            f"\ncameras={len(camera_ids)} fps_per_camera={fps_per_camera:.2f} dropped={dropped_share:.3f} "
            f"p50_ms={percentile(all_latencies, 0.5):.0f} p95_ms={percentile(all_latencies, 0.95):.0f} cpu={cpu_total:.2f}"
        )

    def _stop_all(self):
        for proc in reversed(getattr(self, "procs", [])):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in getattr(self, "procs", []):
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
