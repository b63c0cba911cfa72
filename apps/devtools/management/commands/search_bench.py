"""Benchmark of the console's plate search and dashboard on a large table.

    python manage.py search_bench --rows 1000000

Creates a throwaway database (`<name>_search_bench_<pid>`, migrated like a test database), COPYs N detections
into it over `--cameras` cameras and `--days` days with a progress bar, then measures:

- plate search as the console runs it (first page of `detection_search`): exact, prefix (first 3 characters,
  as read) and confusable (the plate with B/8, O/0, … swapped, tolerant mode), `--queries` each;
- the dashboard's figures alone (its queries), then the dashboard page rendered by the real view through the
  Django test client (session, middleware, template), `--renders` times each.

Prints p50/p95 per kind; the last line is `rows=N search_p95_ms=… dashboard_p95_ms=…` (search: the worst
kind's p95). The database is dropped at the end, also on failure or Ctrl-C.
"""

import os
import random
import statistics
import string
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.utils import timezone
from tqdm import tqdm

from apps.detections.models import plate_key
from vms.stats import percentile

CONFUSE = {"B": "8", "O": "0", "I": "1", "S": "5", "Z": "2", "G": "6", "8": "B", "0": "O", "1": "I", "5": "S", "2": "Z", "6": "G"}
VEHICLES = ["car"] * 8 + ["truck", "bus", "motorcycle"]
COPY_COLUMNS = (
    "camera_id", "first_seen", "last_seen", "frame_time", "readings", "vehicle_class", "vehicle_confidence",
    "plate_text", "plate_format", "plate_confidence", "plate_key", "snapshot", "plate_crop", "created_at",
)


def random_plate(rng):
    letters = "".join(rng.choices(string.ascii_uppercase, k=3))
    if rng.random() < 0.5:
        return letters + "".join(rng.choices(string.digits, k=4))
    return letters + rng.choice(string.digits) + rng.choice(string.ascii_uppercase) + "".join(rng.choices(string.digits, k=2))


def confused(plate, rng):
    """The plate with one confusable character swapped (as OCR would misread it), or itself if it has none."""
    positions = [i for i, char in enumerate(plate) if char in CONFUSE]
    if not positions:
        return plate
    i = rng.choice(positions)
    return plate[:i] + CONFUSE[plate[i]] + plate[i + 1 :]


class Command(BaseCommand):
    help = "Plate search and dashboard latency on N detections in a throwaway database."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000)
        parser.add_argument("--cameras", type=int, default=8)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--queries", type=int, default=200, help="per search kind")
        parser.add_argument("--renders", type=int, default=30, help="dashboard renders")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--keep", action="store_true", help="keep the database (to EXPLAIN queries); drop it yourself")

    def handle(self, *args, **options):
        rows = options["rows"]
        rng = random.Random(options["seed"])
        test_settings = settings.DATABASES["default"].setdefault("TEST", {})
        original_test_name = test_settings.get("NAME")
        base_name = connection.settings_dict["NAME"]
        test_settings["NAME"] = f"{base_name}_search_bench_{os.getpid()}"
        self.stdout.write(f"creating and migrating database {test_settings['NAME']} …")
        started = time.monotonic()
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        self.stdout.write(f"  ready in {time.monotonic() - started:.1f} s")
        try:
            self.run(rows, rng, options)
        finally:
            if options["keep"]:
                self.stdout.write(f"kept database {connection.settings_dict['NAME']}")
                return
            connection.creation.destroy_test_db(base_name, verbosity=0)
            if original_test_name is None:
                test_settings.pop("NAME", None)
            else:
                test_settings["NAME"] = original_test_name
            self.stdout.write("database dropped")

    def run(self, rows, rng, options):
        from apps.accounts.roles import sync_role_permissions
        from apps.accounts.services import user_create
        from apps.cameras.models import Camera
        from apps.detections.selectors import detection_page, detection_search

        cameras = Camera.objects.bulk_create(
            Camera(name=f"bench-{i:02d}", rtsp_url=f"rtsp://192.0.2.{i + 1}/bench", ai_enabled=True,
                   provision_state="ready", stream_state=rng.choice(["online", "online", "offline", "frozen"]))
            for i in range(options["cameras"])
        )
        camera_ids = [camera.pk for camera in cameras]
        sample = self.insert(rows, rng, camera_ids, options["days"])

        searches = {
            "exact": [(plate, "exact") for plate in rng.sample(sample, min(len(sample), options["queries"]))],
            "prefix": [(plate[:3], "prefix") for plate in rng.sample(sample, min(len(sample), options["queries"]))],
            "confusable": [(confused(plate, rng), "similar") for plate in rng.sample(sample, min(len(sample), options["queries"]))],
        }
        results = {}
        for kind, queries in searches.items():
            for plate, match in queries[:5]:  # warm the caches
                detection_page(detection_search(plate=plate, match=match))
            timings, found = [], 0
            for plate, match in queries:
                began = time.perf_counter()
                page = detection_page(detection_search(plate=plate, match=match))
                timings.append((time.perf_counter() - began) * 1000)
                found += bool(page["items"])
            results[kind] = timings
            self.stdout.write(
                f"search {kind:<10} n={len(timings)} found={found}/{len(timings)} "
                f"p50={statistics.median(timings):.1f} ms p95={percentile(timings, 0.95):.1f} ms max={max(timings):.1f} ms"
            )

        from apps.dashboard.selectors import dashboard_figures

        figures = []
        for i in range(options["renders"] + 3):
            began = time.perf_counter()
            dashboard_figures()
            if i >= 3:
                figures.append((time.perf_counter() - began) * 1000)
        self.stdout.write(
            f"dashboard figures (queries only) n={len(figures)} p50={statistics.median(figures):.1f} ms "
            f"p95={percentile(figures, 0.95):.1f} ms"
        )

        sync_role_permissions()
        viewer = user_create(username="bench-viewer", password="bench-only-Passw0rd", role="viewer", validate=False)
        client = Client()
        client.force_login(viewer)
        renders = []
        for i in range(options["renders"] + 3):
            began = time.perf_counter()
            response = client.get("/")
            elapsed = (time.perf_counter() - began) * 1000
            assert response.status_code == 200, response.status_code
            if i >= 3:  # the first renders load templates and modules
                renders.append(elapsed)
        self.stdout.write(
            f"dashboard  n={len(renders)} p50={statistics.median(renders):.1f} ms p95={percentile(renders, 0.95):.1f} ms "
            f"max={max(renders):.1f} ms ({len(response.content) // 1024} KiB)"
        )
        search_p95 = max(percentile(timings, 0.95) for timings in results.values())
        dashboard_p95 = percentile(renders, 0.95)
        self.stdout.write(f"rows={rows} search_p95_ms={search_p95:.1f} dashboard_p95_ms={dashboard_p95:.1f}")

    def insert(self, rows, rng, camera_ids, days):
        """COPY `rows` detections spread evenly over the last `days` days, oldest first; returns a sample of the
        plates written."""
        now = timezone.now()
        span = days * 86400
        sample = []
        columns = ", ".join(COPY_COLUMNS)
        began = time.monotonic()
        with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY detections_detection ({columns}) FROM STDIN"
        ) as copy, tqdm(total=rows, unit="row", unit_scale=True, desc="COPY", mininterval=2) as bar:
            for i in range(rows):
                plate = random_plate(rng) if rng.random() < 0.93 else ""
                if plate and len(sample) < 5000 and rng.random() < 0.01:
                    sample.append(plate)
                # In time order, as the pipeline appends them (a few seconds of jitter): rows of one day lie together.
                last = now - timedelta(seconds=span * (1 - i / rows) - rng.random() * 5)
                first = last - timedelta(seconds=rng.random() * 8)
                copy.write_row((
                    rng.choice(camera_ids), first, last, last, rng.randint(1, 12), rng.choice(VEHICLES),
                    round(rng.uniform(0.5, 0.99), 3), plate, "br" if plate else "",
                    round(rng.uniform(0.5, 0.99), 3) if plate else None, plate_key(plate), "", "", last,
                ))
                if i % 10000 == 9999:
                    bar.update(10000)
            bar.update(rows % 10000)
        self.stdout.write(f"inserted {rows} rows in {time.monotonic() - began:.1f} s; vacuum analyse …")
        # What autovacuum does to a table that grows by inserts (PostgreSQL ≥ 13): statistics and visibility map.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE detections_detection")
        return sample
