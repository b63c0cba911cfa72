"""Run the stand-in media server (MediaMTX's v3 API, RTSP relay, HLS) in the foreground.

    python manage.py mediaserver [--host 127.0.0.1] [--api-port 9997] [--rtsp-port 8554] [--hls-port 8888]
                                 [--api-user U --api-password P] [--hls-idle-seconds 60]

Stops cleanly on SIGTERM or SIGINT. Production runs real MediaMTX instead (DESIGN.md).
"""

import logging

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the stand-in media server that speaks MediaMTX's control API."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--api-port", type=int, default=9997)
        parser.add_argument("--rtsp-port", type=int, default=8554)
        parser.add_argument("--hls-port", type=int, default=8888)
        parser.add_argument("--api-user", default="", help="require these basic-auth credentials on the API")
        parser.add_argument("--api-password", default="")
        parser.add_argument("--hls-idle-seconds", type=float, default=60.0,
                            help="stop a path's HLS muxer after this long without requests")

    def handle(self, *args, host, api_port, rtsp_port, hls_port, api_user, api_password, hls_idle_seconds,
               **options):
        if bool(api_user) != bool(api_password):
            raise CommandError("--api-user and --api-password go together")
        ports = [api_port, rtsp_port, hls_port]
        if len(set(ports)) != 3 or not all(0 < port < 65536 for port in ports):
            raise CommandError(f"ports must be three different numbers from 1 to 65535, got {ports}")
        logging.basicConfig(
            level=logging.DEBUG if options["verbosity"] > 1 else logging.INFO,
            format="%(asctime)s %(name)s %(levelname)s %(message)s",
            force=True,
        )
        from vms.logging import SecretsFilter

        for handler in logging.getLogger().handlers:  # a path's source carries the camera's password
            handler.addFilter(SecretsFilter())
        # Imported here: loading GStreamer is only for this command.
        from apps.devtools.mediaserver.server import run

        try:
            run(host=host, api_port=api_port, rtsp_port=rtsp_port, hls_port=hls_port, api_user=api_user,
                api_password=api_password, hls_idle_seconds=hls_idle_seconds)
        except OSError as exc:
            raise CommandError(f"cannot start the media server: {exc}") from None
