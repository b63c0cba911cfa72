"""int8 copies of the packaged vehicle and plate models, calibrated on a folder of photos.

    python manage.py vision_quantize DIR [DIR ...] [--models vehicle plate] [--images 32]

Writes NAME.int8.onnx into VISION_MODEL_CACHE; the detector uses them from
its next start (VISION_INT8=0 turns them off). Photos like the site's
cameras see calibrate best; the labelled ALPR photos do.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


class Command(BaseCommand):
    help = "Write int8 copies of the vehicle and plate models, calibrated on photos (ONNX Runtime static quantization)."

    def add_arguments(self, parser):
        parser.add_argument("dirs", nargs="+", help="folders of photos to calibrate on")
        parser.add_argument("--models", nargs="+", choices=["vehicle", "plate"], default=["vehicle", "plate"])
        parser.add_argument("--images", type=int, default=32, help="photos used, spread over the folders (default 32)")

    def handle(self, *args, dirs, models, images, **options):
        from vms.vision_config import int8_model_path, packaged_plate_model, packaged_vehicle_model
        from workers.vision.quantize import quantize_model

        if images < 1:
            raise CommandError("--images must be at least 1")
        photos = []
        for folder in map(Path, dirs):
            if not folder.is_dir():
                raise CommandError(f"not a folder: {folder}")
            photos += sorted(path for path in folder.iterdir() if path.suffix.lower() in IMAGE_SUFFIXES)
        if not photos:
            raise CommandError(f"no photos (.jpg, .png) in {', '.join(dirs)}")
        step = max(1, len(photos) // images)
        chosen = photos[::step][:images]
        packaged = {"vehicle": packaged_vehicle_model(), "plate": packaged_plate_model()}
        for name in models:
            started = time.perf_counter()
            target = quantize_model(packaged[name], int8_model_path(packaged[name]), chosen)
            self.stdout.write(f"{name}: {target} ({len(chosen)} photos, {time.perf_counter() - started:.0f} s)")
