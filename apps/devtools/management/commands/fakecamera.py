"""Simulated IP cameras: serve video files looped over RTSP until SIGINT/SIGTERM.

    python manage.py fakecamera [--host 127.0.0.1] [--port 8654] NAME=VIDEO [NAME=VIDEO ...]

VIDEO is a path to an MP4 (H.264), or `demo` (the generated demo video) or
`still` (the same scene, never changing: a frozen camera).
"""

import signal

from django.core.management.base import BaseCommand, CommandError


def parse_mount(argument):
    """'gate=demo' -> ('gate', 'demo')."""
    name, sep, video = argument.partition("=")
    if not sep or not name or not video:
        raise CommandError(f"bad camera {argument!r}: expected NAME=VIDEO, e.g. gate=demo or gate=/path/video.mp4")
    return name, video


class Command(BaseCommand):
    help = "Serve video files as looping RTSP cameras (rtsp://HOST:PORT/NAME)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("cameras", nargs="+", metavar="NAME=VIDEO",
                            help="a mount name and a video file, or the words `demo` or `still`")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8654, help="RTSP port (default 8654; 0 picks a free one)")

    def handle(self, *args, cameras, host, port, **options):
        from apps.devtools.simcam.demo_video import demo_video_path
        from apps.devtools.simcam.server import CameraServer, CameraServerError

        mounts = {}
        for argument in cameras:
            name, video = parse_mount(argument)
            if name in mounts:
                raise CommandError(f"camera {name!r} given twice")
            mounts[name] = video
        for name, video in mounts.items():
            if video in ("demo", "still"):
                mounts[name] = str(demo_video_path(still=video == "still"))
        try:
            server = CameraServer(mounts, host=host, port=port)
        except CameraServerError as error:
            raise CommandError(str(error)) from None

        server.stop_on_signals(signal.SIGINT, signal.SIGTERM)
        for name, video in mounts.items():
            self.stdout.write(f"{server.url(name)}  {video}")
        self.stdout.flush()
        server.serve_forever()
