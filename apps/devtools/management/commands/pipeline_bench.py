"""Run the real AI chain on N simulated cameras for S seconds and print what it sustained.

    python manage.py pipeline_bench --cameras 8 --seconds 60 [--plate-cameras | --mix P] [--fps 1] [--record]

Starts a whole stack apart from `make run` (apps/devtools/bench/harness.py: its own
database, Redis DBs and RabbitMQ vhost; the stand-in media server, N simulated
cameras on the demo video, the io, frames and AI workers and beat), creates N
AI cameras, lets them warm up, then measures for S seconds: per camera the
frames processed per second, the share dropped, the latency frame→persisted and
frame→WebSocket (p50, p95), the CPU and memory of every process, each stage's
CPU-seconds per frame (grab: the frames worker per grabbed frame; detect: the
AI worker per frame through detect; persist: the io worker per persisted
frame), and the depth of the detect queue (messages waiting, sampled every
second). `--mix P` makes P plate cameras and the rest overview cameras;
`--plate-cameras` makes them all plate cameras. `--record` has every camera record
continuously too, to compare the drops with and without recording. The last line is

    cameras=N fps_per_camera=0.00 dropped=0.000 p50_ms=0 p95_ms=0 cpu=0.00

(fps: frames through detect per camera per second; dropped: share of grabbed
frames not detected — dropped or superseded by a newer frame; latencies:
frame→persisted; cpu: cores used in all).
"""

import asyncio
import os
import shutil
import tempfile
import threading
import time
from datetime import datetime

import redis
from kombu import Connection
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.devtools.bench.harness import HarnessError, Stack
from vms.stats import percentile


async def listen_for_pushes(channel_layer_url, seconds):
    """Detections pushed to the consoles' group, with the delay from their frame to here (ms)."""
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(hosts=[{"address": channel_layer_url, "socket_timeout": 30}])
    channel = await layer.new_channel()
    await layer.group_add("detections", channel)
    delays = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            message = await asyncio.wait_for(layer.receive(channel), max(0.1, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            break
        last_seen = (message.get("payload") or {}).get("last_seen")
        if last_seen:
            delays.append((time.time() - datetime.fromisoformat(last_seen).timestamp()) * 1000)
    await layer.group_discard("detections", channel)
    await layer.close_pools()
    return delays


class QueueDepth:
    """The detect queue's depth (messages ready), sampled every second in a thread of its own."""

    def __init__(self, broker_url, queue="detect"):
        self.broker_url, self.queue = broker_url, queue
        self.samples = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        with Connection(self.broker_url) as conn:
            channel = conn.channel()
            while not self.stopping.wait(1.0):
                self.samples.append(channel.queue_declare(self.queue, passive=True).message_count)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(5)


def counters(store, camera_id):
    raw = {k.decode(): v.decode() for k, v in store.hgetall(f"metrics:{camera_id}").items()}
    return {k: float(v) for k, v in raw.items() if k != "last_frame_at"}


class Command(BaseCommand):
    help = "Measure the AI pipeline on N simulated cameras (real workers, broker, beat, media server)."

    def add_arguments(self, parser):
        parser.add_argument("--cameras", type=int, default=8)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--warmup", type=int, default=30, help="seconds before measuring (models load, readers open)")
        parser.add_argument("--fps", type=float, default=1.0, help="AI frames per second per camera")
        parser.add_argument("--plate-cameras", action="store_true",
                            help="search plates on every frame (close-up lane cameras), not only where a vehicle is")
        parser.add_argument("--mix", type=int, default=None, metavar="P",
                            help="P plate cameras, the rest overview cameras")
        parser.add_argument("--ai-concurrency", type=int, default=os.cpu_count() or 2)
        parser.add_argument("--record", action="store_true",
                            help="every camera also records continuously (the media server pulls and writes it)")

    def handle(self, *args, cameras, seconds, warmup, fps, plate_cameras, mix, ai_concurrency, record, **options):
        if not 1 <= cameras <= 64:
            raise CommandError("--cameras must be between 1 and 64")
        if mix is not None and plate_cameras:
            raise CommandError("--mix and --plate-cameras: give one of them")
        if mix is not None and not 0 <= mix <= cameras:
            raise CommandError(f"--mix must be between 0 and --cameras ({cameras})")
        plate_count = cameras if plate_cameras else (mix or 0)
        if seconds < 5:
            raise CommandError("--seconds must be at least 5")
        if record and not settings.MEDIAMTX_BIN:
            raise CommandError("--record needs MediaMTX (MEDIAMTX_BIN)")
        recordings = tempfile.mkdtemp(prefix="vms-pipeline-bench-") if record else None
        try:
            with Stack(log=self._log) as stack:
                stack.prepare()
                if recordings:
                    stack.env["RECORDINGS_ROOT"] = recordings
                stack.start(cameras, ai_concurrency)
                camera_ids = stack.create_cameras(cameras, fps, plate_count, "continuous" if record else "off")
                self._measure(stack, camera_ids, seconds, warmup)
        except HarnessError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if recordings:
                shutil.rmtree(recordings, ignore_errors=True)

    def _log(self, text):
        self.stdout.write(text)
        self.stdout.flush()

    def _measure(self, stack, camera_ids, seconds, warmup):
        store = redis.Redis.from_url(stack.env["REDIS_AI_URL"])
        self._log(f"==> warming up for {warmup} s (models load, readers open)")
        time.sleep(warmup)
        stack.check_alive()
        before = {cid: counters(store, cid) for cid in camera_ids}
        store.delete(*[f"latency:{cid}:frame_to_persisted" for cid in camera_ids])
        cpu_before = {name: cpu for name, (cpu, _) in stack.usage().items()}
        started, started_at = time.monotonic(), time.time()
        self._log(f"==> measuring for {seconds} s")
        with QueueDepth(stack.env["CELERY_BROKER_URL"]) as depth:
            ws_delays = asyncio.run(listen_for_pushes(stack.env["CHANNEL_LAYER_URL"], seconds))
        elapsed = time.monotonic() - started
        after = {cid: counters(store, cid) for cid in camera_ids}
        usage = stack.usage()

        def delta(cid, key):
            return after[cid].get(key, 0) - before[cid].get(key, 0)

        rows, all_latencies = [], []
        total_grabbed = total_dropped = 0
        stage_frames = {"grab": 0.0, "detect": 0.0, "persist": 0.0}
        for cid in camera_ids:
            processed = delta(cid, "detected") + delta(cid, "still")
            grabbed = delta(cid, "grabbed")
            superseded = delta(cid, "superseded")
            dropped = sum(delta(cid, key) for key in after[cid] if key.startswith("dropped:")) + superseded
            stage_frames["grab"] += grabbed
            stage_frames["detect"] += processed
            stage_frames["persist"] += delta(cid, "persisted")
            latencies = [float(v) for v in store.lrange(f"latency:{cid}:frame_to_persisted", 0, -1)]
            all_latencies += latencies
            total_grabbed += grabbed
            total_dropped += dropped
            rows.append((cid, processed / elapsed, grabbed, dropped, superseded, percentile(latencies, 0.5),
                         percentile(latencies, 0.95)))
        self._log(f"\n{'camera':>6} {'fps':>6} {'grabbed':>8} {'dropped':>8} {'supersed':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for cid, rate, grabbed, dropped, superseded, p50, p95 in rows:
            self._log(f"{cid:>6} {rate:>6.2f} {grabbed:>8.0f} {dropped:>8.0f} {superseded:>8.0f} {p50:>8.0f} {p95:>8.0f}")
        self._log(f"\nframe→WebSocket: p50 {percentile(ws_delays, 0.5):.0f} ms, "
                  f"p95 {percentile(ws_delays, 0.95):.0f} ms ({len(ws_delays)} pushes)")
        cpu_total = 0.0
        cpu_seconds = {}
        self._log(f"\n{'process':<12} {'cpu (cores)':>11} {'rss MiB':>8}")
        for name, (cpu, rss) in usage.items():
            cpu_seconds[name] = cpu - cpu_before[name]
            cores = cpu_seconds[name] / elapsed
            cpu_total += cores
            self._log(f"{name:<12} {cores:>11.2f} {rss:>8.0f}")
        # Each stage runs in a process of its own: grab in frames, detect in ai, persist in worker (io).
        self._log(f"\n{'stage':<8} {'frames':>7} {'cpu-s/frame':>12}")
        for stage, process in (("grab", "frames"), ("detect", "ai"), ("persist", "worker")):
            frames = stage_frames[stage]
            per_frame = cpu_seconds.get(process, 0.0) / frames if frames else float("nan")
            self._log(f"{stage:<8} {frames:>7.0f} {per_frame:>12.3f}")
        passages = stack.passages(camera_ids, started_at, started_at + elapsed)
        self._log(f"\npassages (begun while measuring): {passages['line']}")
        samples = depth.samples or [0]
        self._log(f"\ndetect queue depth: mean {sum(samples) / len(samples):.1f}, max {max(samples)} "
                  f"({len(depth.samples)} samples)")
        fps_per_camera = sum(row[1] for row in rows) / len(rows)
        dropped_share = total_dropped / total_grabbed if total_grabbed else 1.0
        self._log(
            f"\ncameras={len(camera_ids)} fps_per_camera={fps_per_camera:.2f} dropped={dropped_share:.3f} "
            f"p50_ms={percentile(all_latencies, 0.5):.0f} p95_ms={percentile(all_latencies, 0.95):.0f} "
            f"cpu={cpu_total:.2f}"
        )
