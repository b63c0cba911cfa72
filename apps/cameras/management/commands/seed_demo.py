"""First start: on an empty database, two demo cameras on the simulated ones and a demo mosaic.

`make run` calls this; set VMS_DEMO=0 (or pass --skip) to start with nothing.
"""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from apps.accounts.policy import SYSTEM
from apps.accounts.roles import ADMIN
from apps.cameras.models import Camera
from apps.cameras.services import camera_create

DEMO_CAMERAS = [
    # name, path on the simulated camera server, plate camera. Both are overview cameras: the demo's
    # vehicles are photographs, so the whole chain runs (YOLO vehicle, the plate on it, OCR).
    ("Demo gate", "gate", False),
    ("Demo lane", "lane", False),
]


class Command(BaseCommand):
    help = "Create demo cameras and a demo mosaic on an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--camera-base-url", default=os.environ.get("VMS_DEMO_CAMERA_URL", "rtsp://127.0.0.1:8654"))
        parser.add_argument("--skip", action="store_true", default=os.environ.get("VMS_DEMO", "1") == "0")

    def handle(self, *args, camera_base_url, skip, **options):
        if skip:
            self.stdout.write("Demo data skipped (VMS_DEMO=0).")
            return
        if Camera.objects.exists():
            self.stdout.write("Cameras exist; no demo data added.")
            return
        admin = get_user_model().objects.filter(groups__name=ADMIN).order_by("pk").first()
        cameras = [
            camera_create(
                actor=admin or SYSTEM,
                name=name,
                rtsp_url=f"{camera_base_url.rstrip('/')}/{path}",
                location="Simulated camera",
                ai_enabled=True,
                plate_camera=plate_camera,
            )
            for name, path, plate_camera in DEMO_CAMERAS
        ]
        try:
            from apps.mosaics.services import mosaic_create
        except ImportError:
            mosaic_create = None
        if mosaic_create is not None and admin is not None:
            mosaic_create(actor=admin, name="Demo mosaic", camera_ids=[c.pk for c in cameras], shared=True)
        self.stdout.write(self.style.SUCCESS(f"Created {len(cameras)} demo cameras and a demo mosaic."))
