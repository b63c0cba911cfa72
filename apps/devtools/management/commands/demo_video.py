"""Render the demo video: vehicles with readable plates stopping in front of a camera.

    python manage.py demo_video OUTPUT.mp4 [--seconds S] [--fps F] [--width W --height H] [--still]

Writes OUTPUT.mp4 and OUTPUT.mp4.json (the plates and when each is in view).
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm


class Command(BaseCommand):
    help = "Render the demo gate-camera video (photographed vehicles, H.264) with its plate list next to it."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("output", help="the .mp4 to write")
        parser.add_argument("--seconds", type=float, default=45.0)
        parser.add_argument("--fps", type=int, default=10)
        parser.add_argument("--width", type=int, default=1280)
        parser.add_argument("--height", type=int, default=720)
        parser.add_argument("--still", action="store_true", help="a picture that never changes (a frozen camera)")

    def handle(self, *args, output, seconds, fps, width, height, still, **options):
        from apps.devtools.simcam.demo_video import make_demo_video, sidecar_path

        if seconds <= 0 or fps <= 0:
            raise CommandError("--seconds and --fps must be positive")
        if width < 64 or height < 64 or width % 2 or height % 2:
            raise CommandError("--width and --height must be even and at least 64")
        frames = round(seconds * fps)
        with tqdm(total=frames, unit="frame", disable=None) as progress:
            info = make_demo_video(output, seconds=seconds, fps=fps, width=width, height=height, still=still,
                                   on_frame=lambda index: progress.update())
        self.stdout.write(f"wrote {output} ({frames} frames, {width}x{height} at {fps} fps) "
                          f"and {sidecar_path(output)}")
        for plate in info["plates"]:
            start, end = plate["in_view"]
            self.stdout.write(f"  {plate['text']}  {plate['format']:8}  {plate['vehicle']:5}  "
                              f"in view {start:.1f}-{end:.1f} s, stopped {plate['stopped'][0]:.1f}-"
                              f"{plate['stopped'][1]:.1f} s")
