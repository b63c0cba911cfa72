"""Run the media server in the foreground: real MediaMTX where there is one, the stand-in otherwise.

    python manage.py mediaserver [--server auto|mediamtx|standin] [--host 127.0.0.1]
                                 [--api-port 9997] [--rtsp-port 8554] [--hls-port 8888]
                                 [--webrtc-port 8889] [--webrtc-tcp-port 8189] [--playback-port 9996]
                                 [--api-user U --api-password P] [--hls-idle-seconds 60]
                                 [--auth-url http://127.0.0.1:8000/internal/media-auth]

`auto` (the default) runs MediaMTX when `MEDIAMTX_BIN` (or `mediamtx` on PATH) names one, with
a configuration made from the compose one (apps/devtools/mediamtx.py), and says in one line when
it falls back to the stand-in (MediaMTX's v3 API subset, RTSP relay, HLS, recording and the playback
server's /list and /get; no WebRTC). Stops cleanly on SIGTERM or SIGINT. With `--auth-url` either
server asks the app about every request, as compose's MediaMTX does (`authMethod: http`); without
it, anyone on this machine may read.
"""

import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.devtools import mediamtx


class Command(BaseCommand):
    help = "Run the media server: real MediaMTX where there is one, the stand-in otherwise."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--server", choices=["auto", "mediamtx", "standin"], default="auto")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        defaults = mediamtx.Ports()
        for name in ("api", "rtsp", "hls", "webrtc", "webrtc_tcp", "playback"):
            parser.add_argument(f"--{name.replace('_', '-')}-port", type=int, default=getattr(defaults, name))
        parser.add_argument("--api-user", default="", help="require these basic-auth credentials on the API")
        parser.add_argument("--api-password", default="")
        parser.add_argument("--hls-idle-seconds", type=float, default=60.0,
                            help="stand-in: stop a path's HLS muxer after this long without requests")
        parser.add_argument("--record-path", default="", help="MediaMTX: recordings folder (default RECORDINGS_ROOT)")
        parser.add_argument("--auth-url", default="",
                            help="ask this URL (the app's /internal/media-auth) who may read, play back and use the API")

    def handle(self, *args, server, host, api_user, api_password, **options):
        if bool(api_user) != bool(api_password):
            raise CommandError("--api-user and --api-password go together")
        ports = mediamtx.Ports(**{name: options[f"{name}_port"] for name in mediamtx.Ports.__dataclass_fields__})
        if server == "mediamtx" and not mediamtx.binary():
            raise CommandError("no MediaMTX binary: set MEDIAMTX_BIN to its path (or put mediamtx on PATH)")
        if server == "standin" or not mediamtx.binary():
            if server == "auto":
                self.stderr.write("MediaMTX not found (MEDIAMTX_BIN unset, none on PATH): running the stand-in")
            return self.run_standin(host, ports, api_user, api_password, options)
        return self.run_mediamtx(host, ports, api_user, api_password, options)

    def run_mediamtx(self, host, ports, api_user, api_password, options):
        values = [ports.api, ports.rtsp, ports.hls, ports.webrtc, ports.webrtc_tcp, ports.playback]
        if len(set(values)) != len(values) or not all(0 < port < 65536 for port in values):
            raise CommandError(f"ports must be different numbers from 1 to 65535, got {values}")
        config = mediamtx.write_config(
            Path(settings.BASE_DIR) / "var" / "mediamtx" / f"mediamtx-{ports.api}.yml",
            ports=ports, host=host, record_path=options["record_path"] or None,
            api_user=api_user, api_password=api_password, auth_address=options["auth_url"],
        )
        self.stderr.write(f"MediaMTX {mediamtx.binary()} with {config}")
        # MediaMTX names recordings by its local clock and apps/recordings/segments.py reads the names as UTC;
        # Django has set TZ to the site's zone (TIME_ZONE), which MediaMTX would inherit.
        os.environ["TZ"] = "UTC"
        # Replaced by MediaMTX itself: signals and the exit status are its own.
        os.execv(mediamtx.binary(), [mediamtx.binary(), str(config)])

    def run_standin(self, host, ports, api_user, api_password, options):
        values = [ports.api, ports.rtsp, ports.hls, ports.playback]
        if len(set(values)) != len(values) or not all(0 < port < 65536 for port in values):
            raise CommandError(f"ports must be different numbers from 1 to 65535, got {values}")
        logging.basicConfig(
            level=logging.DEBUG if options["verbosity"] > 1 else logging.INFO,
            format="%(asctime)s %(name)s %(levelname)s %(message)s",
            force=True,
        )
        from vms.logging import SecretsFilter

        for handler in logging.getLogger().handlers:  # a path's source carries the camera's password
            handler.addFilter(SecretsFilter())
        # Imported here: loading GStreamer is only for the stand-in.
        from apps.devtools.mediaserver.server import run

        try:
            run(host=host, api_port=ports.api, rtsp_port=ports.rtsp, hls_port=ports.hls, playback_port=ports.playback,
                api_user=api_user, api_password=api_password, hls_idle_seconds=options["hls_idle_seconds"],
                auth_url=options["auth_url"])
        except OSError as exc:
            raise CommandError(f"cannot start the media server: {exc}") from None
