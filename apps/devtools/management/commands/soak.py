"""Soak: simulated cameras through the real pipeline while simulated operators browse, search and watch.

    python manage.py soak --cameras 8 --users 4 --minutes 10

Starts a whole stack apart from `make run` (apps/devtools/bench/harness.py) with the web
server, creates N AI cameras and U operators; each operator logs in, keeps a
console WebSocket open and, with a second's thought between clicks, opens the
dashboard, the camera list and pages, searches detections and calls the APIs.
It prints progress every 30 s, then: errors, p95 latency per page and API,
memory per process after warm-up and at the end, and the frame ledger
(every grabbed frame is still, empty, persisted or dropped — nothing
unaccounted). The last line is

    cameras=N users=U minutes=M errors=0 api_p95_ms=0 page_p95_ms=0 mem_growth_pct=0.0 ledger=balanced
"""

import asyncio
import random
import threading
import time
from collections import defaultdict

import redis
import requests
import websockets
from django.core.management.base import BaseCommand, CommandError

from apps.devtools.bench.harness import HarnessError, Stack
from apps.devtools.simcam.demo_video import PLATES
from vms import pipeline_metrics
from vms.stats import percentile

PASSWORD = "Soak-operator-2026"
THINK_SECONDS = 1.0


class Operator(threading.Thread):
    """One person at the console: pages, searches and API calls, and a live WebSocket."""

    def __init__(self, base_url, username, camera_ids, stop, results):
        super().__init__(daemon=True)
        self.base_url, self.username, self.camera_ids = base_url, username, camera_ids
        self.stop, self.results = stop, results
        self.session = requests.Session()
        self.pushes = 0

    def call(self, label, method, path, **kwargs):
        started = time.monotonic()
        try:
            response = self.session.request(method, self.base_url + path, timeout=30, **kwargs)
            ok = response.status_code < 400
            status = response.status_code
        except requests.RequestException as exc:
            ok, status = False, exc.__class__.__name__
        self.results.record(label, (time.monotonic() - started) * 1000, ok, status)
        return ok

    def login(self):
        self.session.get(f"{self.base_url}/login/", timeout=30)
        self.session.post(
            f"{self.base_url}/login/",
            data={"username": self.username, "password": PASSWORD,
                  "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", "")},
            headers={"Referer": f"{self.base_url}/login/"}, timeout=30,
        )
        token = requests.post(f"{self.base_url}/api/auth/token/",
                              json={"username": self.username, "password": PASSWORD}, timeout=30).json()["access"]
        self.api_headers = {"Authorization": f"Bearer {token}"}

    def actions(self):
        camera = random.choice(self.camera_ids)
        plate = random.choice([*PLATES, "6MW", "5FE", "0O256M1"])  # the demo's plates, prefixes, a confusable
        return [
            ("page /", "GET", "/", {}),
            ("page /cameras/", "GET", "/cameras/", {}),
            ("page /cameras/<id>/", "GET", f"/cameras/{camera}/", {}),
            ("page /detections/", "GET", f"/detections/?plate={plate}", {}),
            ("api /api/cameras/", "GET", "/api/cameras/", {"headers": self.api_headers}),
            ("api /api/detections/", "GET", f"/api/detections/?plate={plate}", {"headers": self.api_headers}),
            ("api /api/ai/pipeline", "GET", "/api/ai/pipeline", {"headers": self.api_headers}),
            ("api /api/dashboard/", "GET", "/api/dashboard/", {"headers": self.api_headers}),
        ]

    async def watch(self):
        url = self.base_url.replace("http://", "ws://") + "/ws/console/"
        headers = {"Cookie": f"sessionid={self.session.cookies.get('sessionid', '')}", "Origin": self.base_url}
        while not self.stop.is_set():
            try:
                async with websockets.connect(url, additional_headers=headers, open_timeout=10) as ws:
                    while not self.stop.is_set():
                        try:
                            await asyncio.wait_for(ws.recv(), 1)
                            self.pushes += 1
                        except asyncio.TimeoutError:
                            pass
            except Exception:
                self.results.record("websocket", 0, False, "disconnected")
                await asyncio.sleep(1)

    def run(self):
        self.login()
        threading.Thread(target=lambda: asyncio.run(self.watch()), daemon=True).start()
        while not self.stop.is_set():
            label, method, path, kwargs = random.choice(self.actions())
            self.call(label, method, path, **kwargs)
            self.stop.wait(THINK_SECONDS * random.uniform(0.5, 1.5))


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = defaultdict(int)
        self.failures = defaultdict(int)

    def record(self, label, milliseconds, ok, status):
        with self.lock:
            self.latencies[label].append(milliseconds)
            if not ok:
                self.errors[label] += 1
                self.failures[f"{label} → {status}"] += 1

    def total(self):
        with self.lock:
            return sum(len(v) for v in self.latencies.values()), sum(self.errors.values())


class Command(BaseCommand):
    help = "Run simulated cameras and operators together and report errors, latency, memory and the frame ledger."

    def add_arguments(self, parser):
        parser.add_argument("--cameras", type=int, default=8)
        parser.add_argument("--users", type=int, default=4)
        parser.add_argument("--minutes", type=float, default=10)
        parser.add_argument("--warmup", type=int, default=60, help="seconds before memory is first measured")
        parser.add_argument("--plate-cameras", action="store_true")

    def _log(self, text):
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, cameras, users, minutes, warmup, plate_cameras, **options):
        if not (1 <= cameras <= 64 and 1 <= users <= 50 and minutes > 0):
            raise CommandError("--cameras 1–64, --users 1–50 and --minutes > 0")
        try:
            with Stack(log=self._log) as stack:
                stack.prepare()
                stack.start(cameras, ai_concurrency=2, web=True, api_rate_limit="100/min")
                camera_ids = stack.create_cameras(cameras, 1.0, cameras if plate_cameras else 0)
                stack.run_python(
                    "from apps.accounts.services import user_create\n"
                    + "".join(f"user_create(username='operator{i}', password='{PASSWORD}', role='operator')\n"
                              for i in range(users))
                )
                self._soak(stack, camera_ids, users, minutes, warmup)
        except HarnessError as exc:
            raise CommandError(str(exc)) from None

    def _soak(self, stack, camera_ids, users, minutes, warmup):
        base_url = f"http://127.0.0.1:{stack.ports['web']}"
        results, stop = Results(), threading.Event()
        operators = [Operator(base_url, f"operator{i}", camera_ids, stop, results) for i in range(users)]
        for operator in operators:
            operator.start()
        store = redis.Redis.from_url(stack.env["REDIS_AI_URL"])
        started, started_at = time.monotonic(), time.time()
        duration = minutes * 60
        memory_start = None
        next_report = 30
        while (elapsed := time.monotonic() - started) < duration:
            stack.check_alive()
            if memory_start is None and elapsed >= min(warmup, duration / 2):
                memory_start = {name: rss for name, (_, rss) in stack.usage().items()}
            if elapsed >= next_report:
                requests_done, errors = results.total()
                frames = sum(int(store.hget(f"metrics:{cid}", "grabbed") or 0) for cid in camera_ids)
                self._log(f"  {elapsed:5.0f} s  requests {requests_done}  errors {errors}  frames grabbed {frames}")
                next_report += 30
            time.sleep(1)
        stop.set()
        ended_at = time.time()
        memory_end = {name: rss for name, (_, rss) in stack.usage().items()}
        ledger = self._drain_and_balance(stack, store, camera_ids)
        # The first minute is left out: the models load and the readers open.
        passages = stack.passages(camera_ids, started_at + min(60, duration / 2), ended_at)
        self._report(results, memory_start or memory_end, memory_end, ledger, operators, camera_ids, users, minutes,
                     passages)

    def _drain_and_balance(self, stack, store, camera_ids):
        """Stop new frames, wait for those in flight, then check every grabbed frame is accounted for."""
        stack.stop_process("beat")
        previous, quiet_since, deadline = None, time.monotonic(), time.monotonic() + 90
        while time.monotonic() < deadline:
            current = [store.hgetall(f"metrics:{cid}") for cid in camera_ids]
            if current != previous:
                previous, quiet_since = current, time.monotonic()
            elif time.monotonic() - quiet_since > 8:
                break
            time.sleep(1)
        grabbed = accounted = 0
        for cid in camera_ids:
            g, a = pipeline_metrics.ledger(pipeline_metrics.camera_snapshot(cid, client=store))
            grabbed, accounted = grabbed + g, accounted + a
        return grabbed, accounted

    def _report(self, results, memory_start, memory_end, ledger, operators, camera_ids, users, minutes, passages):
        self._log(f"\n{'page / API':<26} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7}")
        api_latencies, page_latencies = [], []
        for label in sorted(results.latencies):
            values = results.latencies[label]
            (api_latencies if label.startswith("api") else page_latencies if label.startswith("page") else []).extend(
                values)
            self._log(f"{label:<26} {len(values):>8} {results.errors[label]:>6} {percentile(values, 0.5):>7.0f} "
                      f"{percentile(values, 0.95):>7.0f}")
        for failure, count in sorted(results.failures.items()):
            self._log(f"  failed: {failure} ×{count}")
        self._log(f"\nWebSocket pushes received: {sum(o.pushes for o in operators)}")
        self._log(f"\n{'process':<12} {'MiB after warm-up':>17} {'MiB at end':>10} {'growth':>7}")
        growth = {}
        for name, end in memory_end.items():
            start = memory_start.get(name, end) or end
            growth[name] = (end - start) / start * 100 if start else 0.0
            self._log(f"{name:<12} {start:>17.0f} {end:>10.0f} {growth[name]:>6.1f}%")
        grabbed, accounted = ledger
        balanced = grabbed == accounted
        self._log(f"\nframe ledger: grabbed {grabbed}, still + empty + persisted + superseded + dropped {accounted} "
                  f"→ {'balanced' if balanced else f'UNACCOUNTED {grabbed - accounted}'}")
        self._log(f"\npassages (after the first minute): {passages['line']}")
        _, errors = results.total()
        self._log(
            f"\ncameras={len(camera_ids)} users={users} minutes={minutes:g} errors={errors} "
            f"api_p95_ms={percentile(api_latencies, 0.95):.0f} page_p95_ms={percentile(page_latencies, 0.95):.0f} "
            f"mem_growth_pct={max(growth.values(), default=0):.1f} ledger={'balanced' if balanced else 'unbalanced'}"
        )
