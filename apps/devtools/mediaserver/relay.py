"""The RTSP output: GStreamer's RTSP server relaying each path's camera.

One shared media per path pulls the camera once for every reader, starting
with the first reader and stopping after the last (DESIGN.md, "The media
server", lists the traps this code avoids). Runs on the default GLib main
context; the server's thread pool serves the clients.
"""

import logging
import threading
import time
from datetime import datetime, timezone
from urllib.parse import unquote

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

from vms.logging import scrub_secrets  # noqa: E402

Gst.init(None)

log = logging.getLogger("standin.rtsp")

# latency=0 and buffer-mode=none: the default mode jitters timestamps; tcp-timeout
# makes a camera that stops sending end the stream instead of hanging it.
LAUNCH = (
    '( rtspsrc location="{source}" latency=0 protocols=tcp buffer-mode=none tcp-timeout={tcp_timeout_us} '
    "! rtph264depay ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 )"
)

# Readers that are the stand-in's own HLS muxers say so in their User-Agent.
HLS_USER_AGENT = "vms-standin-hls"
KEEPER_USER_AGENT = "vms-standin-keeper"
RECORDER_USER_AGENT = "vms-standin-recorder"


def now_iso():
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


class RelayPath:
    """One mounted path and what it is doing now."""

    def __init__(self, name, source, on_demand):
        self.name = name
        self.source = source
        self.on_demand = on_demand
        self.factory = None
        self.pulling = False  # a media exists and pulls (or tries to pull) the camera
        self.ready_time = None  # when the first frame of the current pull arrived
        self.last_frame = 0.0  # time.monotonic() of the latest frame
        self.track = None  # H.264 properties of the current pull
        self.bytes_received = 0
        self.bytes_sent = 0
        self.readers = {}  # RTSP session id -> reader type ("rtspSession" or "hlsSession")
        self.clients = set()  # RTSP clients that asked for this path: closed when it goes away
        self.keeper = None  # internal reader holding the pull open when sourceOnDemand is false

    def state(self):
        return {
            "pulling": self.pulling,
            "ready_time": self.ready_time,
            "track": self.track,
            "bytes_received": self.bytes_received,
            "bytes_sent": self.bytes_sent,
            "readers": [{"type": kind, "id": session_id} for session_id, kind in sorted(self.readers.items())],
        }


class RelayMedia(GstRtspServer.RTSPMedia):
    """A path's shared media that tells the relay when the camera's stream ends or fails."""

    relay_path = None
    on_stream_end = None

    def do_handle_message(self, message):
        if message.type in (Gst.MessageType.EOS, Gst.MessageType.ERROR) and self.on_stream_end:
            self.on_stream_end(self.relay_path, message)
        return GstRtspServer.RTSPMedia.do_handle_message(self, message)


class Relay:
    def __init__(self, host, port, tcp_timeout_s=5):
        self.host = host
        self.port = port
        self.tcp_timeout_us = int(tcp_timeout_s * 1_000_000)
        self.stall_seconds = tcp_timeout_s
        self.lock = threading.Lock()
        self.paths = {}
        self.server = GstRtspServer.RTSPServer()
        self.server.set_address(host)
        self.server.set_service(str(port))
        # The default pool has one thread: one camera that accepts and never
        # answers would block DESCRIBE on every path.
        self.server.get_thread_pool().set_max_threads(256)
        self.mounts = self.server.get_mount_points()
        self.server.connect("client-connected", self._client_connected)
        self.source_id = None

    def start(self):
        """Listen; must be called before the default main loop runs."""
        self.source_id = self.server.attach(None)
        if not self.source_id:
            raise OSError(f"cannot listen for RTSP on {self.host}:{self.port} (port in use?)")
        GLib.timeout_add_seconds(2, self._tend_keepers)
        GLib.timeout_add(500, self._end_stalled_streams)

    def url(self, name):
        return f"rtsp://{self.host}:{self.port}/{name}"

    # --- paths ---
    def mount(self, name, source, on_demand=True):
        """Serve `source` (an rtsp:// URL) at /name, replacing what was there."""
        self.unmount(name)
        path = RelayPath(name, source, on_demand)
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(LAUNCH.format(source=source.replace('"', "%22"), tcp_timeout_us=self.tcp_timeout_us))
        factory.set_shared(True)
        factory.set_media_gtype(RelayMedia)
        factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
        factory.connect("media-configure", self._media_configure, path)
        path.factory = factory
        with self.lock:
            self.paths[name] = path
        self.mounts.add_factory(f"/{name}", factory)
        if not on_demand:
            path.keeper = Keeper(self.url(name))
        log.info("mounted %s <- %s", name, scrub_secrets(source))

    def unmount(self, name):
        """Stop serving /name and disconnect its readers (removing a mount alone leaves them connected)."""
        with self.lock:
            path = self.paths.pop(name, None)
        if path is None:
            return
        self.mounts.remove_factory(f"/{name}")
        if path.keeper:
            path.keeper.stop()
        self.close_clients(path)
        log.info("unmounted %s", name)

    def state(self, name):
        with self.lock:
            path = self.paths.get(name)
            return path.state() if path else None

    def close_clients(self, path):
        """Close the connections of every client of `path`, so they see the stream end."""
        with self.lock:
            doomed = set(path.clients)
            path.clients.clear()
            path.readers.clear()

        def remove_doomed(server, client, *user_data):
            return GstRtspServer.RTSPFilterResult.REMOVE if client in doomed else GstRtspServer.RTSPFilterResult.KEEP

        if doomed:
            self.server.client_filter(remove_doomed)

    def close(self):
        with self.lock:
            names = list(self.paths)
        for name in names:
            self.unmount(name)

    # --- media of a path ---
    def _media_configure(self, factory, media, path):
        media.relay_path = path
        media.on_stream_end = self._stream_ended
        media.connect("unprepared", self._media_unprepared, path)
        pay = media.get_element().get_by_name("pay0")
        # Every late reader sends `Range: npt=0-`; a seekable relay would rewind everyone.
        pay.get_static_pad("src").add_probe(Gst.PadProbeType.QUERY_UPSTREAM, self._answer_not_seekable)
        pay.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, self._count_frame, path)
        with self.lock:
            path.pulling = True
            path.ready_time = None
            path.track = None

    @staticmethod
    def _answer_not_seekable(pad, info):
        query = info.get_query()
        if query.type != Gst.QueryType.SEEKING:
            return Gst.PadProbeReturn.OK
        # PyGObject cannot make the query writable to answer it; a failed
        # seeking query is what the RTSP server takes as "not seekable".
        return Gst.PadProbeReturn.DROP

    def _count_frame(self, pad, info, path):
        size = info.get_buffer().get_size()
        path.last_frame = time.monotonic()
        if path.ready_time is None:
            self._became_ready(pad, path)
        path.bytes_received += size
        path.bytes_sent += size * len(path.readers)
        return Gst.PadProbeReturn.OK

    def _became_ready(self, pad, path):
        track = {}
        caps = pad.get_current_caps()
        if caps:
            structure = caps.get_structure(0)
            for key in ("width", "height"):
                found, value = structure.get_int(key)
                if found:
                    track[key] = value
            for key in ("profile", "level"):
                value = structure.get_string(key)
                if value:
                    track[key] = value
        with self.lock:
            path.track = track
            path.ready_time = now_iso()
        log.info("%s ready %s", path.name, track)

    def _media_unprepared(self, media, path):
        with self.lock:
            path.pulling = False
            path.ready_time = None
            path.track = None
        log.info("%s stopped pulling", path.name)

    def _stream_ended(self, path, message):
        """The camera's stream ended or failed: close the path's clients.

        The dead shared media would otherwise stay cached and answer new
        readers with 200 and no packets; once its clients are gone it is
        dropped, so a new reader gets 503 at once while the camera is down.
        """
        if message.type == Gst.MessageType.ERROR:
            error, _ = message.parse_error()
            log.warning("%s: source failed: %s", path.name, error.message)
        else:
            log.warning("%s: source stream ended", path.name)
        with self.lock:
            path.ready_time = None
            path.track = None
        GLib.idle_add(self._close_clients_once, path)

    def _end_stalled_streams(self):
        """End the stream of a camera that stays connected but stopped sending.

        rtspsrc's tcp-timeout covers requests, not the interleaved stream, so a
        hung camera would otherwise hold its readers forever with no packets.
        """
        now = time.monotonic()
        with self.lock:
            stalled = [
                path for path in self.paths.values()
                if path.ready_time is not None and now - path.last_frame > self.stall_seconds
            ]
            for path in stalled:
                path.ready_time = None
                path.track = None
        for path in stalled:
            log.warning("%s: no frames for %ss, closing its readers", path.name, self.stall_seconds)
            self.close_clients(path)
        return GLib.SOURCE_CONTINUE

    def _close_clients_once(self, path):
        self.close_clients(path)
        return GLib.SOURCE_REMOVE

    # --- clients ---
    def _client_connected(self, server, client):
        client.connect("describe-request", self._client_asked)
        client.connect("setup-request", self._client_asked)
        client.connect("play-request", self._client_plays)
        client.connect("teardown-request", self._client_tears_down)
        client.connect("closed", self._client_closed)

    def _path_of(self, ctx):
        """The mounted path a request is about (names may contain slashes)."""
        if ctx.uri is None:
            return None
        wanted = unquote(ctx.uri.abspath or "").strip("/")
        with self.lock:
            for name in sorted(self.paths, key=len, reverse=True):
                if wanted == name or wanted.startswith(name + "/"):
                    return self.paths[name]
        return None

    def _client_asked(self, client, ctx):
        path = self._path_of(ctx)
        if path:
            with self.lock:
                path.clients.add(client)

    def _client_plays(self, client, ctx):
        path = self._path_of(ctx)
        if path is None or ctx.session is None:
            return
        found, agent = ctx.request.get_header(GstRtsp.RTSPHeaderField.USER_AGENT, 0)
        agent = agent if found == GstRtsp.RTSPResult.OK else ""
        if agent.startswith((KEEPER_USER_AGENT, RECORDER_USER_AGENT)):  # the stand-in's own: no readers in the API
            return
        kind = "hlsSession" if agent.startswith(HLS_USER_AGENT) else "rtspSession"
        with self.lock:
            path.clients.add(client)
            path.readers[ctx.session.get_sessionid()] = kind

    def _client_tears_down(self, client, ctx):
        path = self._path_of(ctx)
        if path and ctx.session is not None:
            with self.lock:
                path.readers.pop(ctx.session.get_sessionid(), None)

    def _client_closed(self, client):
        sessions = set()

        def note_session(client, session, *user_data):
            sessions.add(session.get_sessionid())
            return GstRtspServer.RTSPFilterResult.KEEP

        client.session_filter(note_session)
        with self.lock:
            for path in self.paths.values():
                path.clients.discard(client)
                for session_id in sessions:
                    path.readers.pop(session_id, None)

    # --- sourceOnDemand: false ---
    def _tend_keepers(self):
        with self.lock:
            keepers = [path.keeper for path in self.paths.values() if path.keeper]
        for keeper in keepers:
            keeper.tend()
        return GLib.SOURCE_CONTINUE


class Keeper:
    """An internal reader that holds a path's pull open (sourceOnDemand: false), retrying while the camera is down."""

    def __init__(self, url):
        self.url = url
        self.pipeline = None
        self.stopped = False
        self.tend()

    def tend(self):
        if self.stopped:
            return
        if self.pipeline is not None:
            failed = False
            bus = self.pipeline.get_bus()
            while (message := bus.pop()) is not None:  # drain: nothing else reads this bus
                failed = failed or message.type in (Gst.MessageType.EOS, Gst.MessageType.ERROR)
            if not failed:
                return
            self.pipeline.set_state(Gst.State.NULL)
        self.pipeline = Gst.parse_launch(
            f'rtspsrc location="{self.url}" protocols=tcp latency=0 user-agent={KEEPER_USER_AGENT} ! fakesink sync=false'
        )
        self.pipeline.set_state(Gst.State.PLAYING)

    def stop(self):
        self.stopped = True
        if self.pipeline is not None:
            self.pipeline.set_state(Gst.State.NULL)
            self.pipeline = None
