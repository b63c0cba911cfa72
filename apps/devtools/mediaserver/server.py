"""The stand-in media server: path configurations, and the RTSP, HLS, recording and playback outputs that follow them."""

import logging
import signal
import threading
from datetime import datetime, timezone

from gi.repository import GLib

from . import pathconf
from .api import ApiError, serve_api
from .auth import HttpAuth
from .hls import HlsMuxers, serve_hls
from .playback import serve_playback
from .recorder import Recorders
from .relay import Relay

log = logging.getLogger("standin")

VERSION = "v1.20.1"  # the MediaMTX version whose API this speaks


# As MediaMTX 1.20 words it for the /v3/config/paths/ endpoints (the runtime ones say "path not found").
CONF_NOT_FOUND = "path configuration not found"

def relayed(conf):
    """Whether the stand-in pulls this path's source (it only pulls RTSP, H.264)."""
    return conf["source"].startswith("rtsp://")


ZERO_TIME = "0001-01-01T00:00:00Z"


class MediaServer:
    def __init__(self, host="127.0.0.1", rtsp_port=8554, hls_idle_seconds=60.0):
        self.started = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
        self.lock = threading.RLock()  # held across a change so config and outputs change together
        self.confs = {}
        self.relay = Relay(host, rtsp_port)
        self.hls = HlsMuxers(self.relay.url, idle_seconds=hls_idle_seconds)
        self.recorders = Recorders(self.relay.url)

    # --- /v3/info ---
    def info(self):
        return {"version": VERSION, "started": self.started}

    # --- /v3/config/paths/... ---
    def conf_list(self):
        with self.lock:
            return [self.confs[name] for name in sorted(self.confs)]

    def conf_get(self, name):
        with self.lock:
            if name not in self.confs:
                raise ApiError(404, CONF_NOT_FOUND)
            return self.confs[name]

    def conf_add(self, name, body):
        pathconf.check_path_name(name)
        with self.lock:
            if name in self.confs:
                raise ApiError(400, "path already exists")
            self._apply(name, pathconf.new_conf(name, body))
        return {"status": "ok"}

    def conf_patch(self, name, body):
        pathconf.check_path_name(name)
        with self.lock:
            if name not in self.confs:
                raise ApiError(404, CONF_NOT_FOUND)
            self._apply(name, pathconf.patched_conf(name, self.confs[name], body))
        return {"status": "ok"}

    def conf_replace(self, name, body):
        """Replace every value; creates the path when missing (an upsert, as MediaMTX does)."""
        pathconf.check_path_name(name)
        with self.lock:
            self._apply(name, pathconf.new_conf(name, body))
        return {"status": "ok"}

    def conf_delete(self, name):
        with self.lock:
            if name not in self.confs:
                raise ApiError(404, CONF_NOT_FOUND)
            del self.confs[name]
            self.recorders.set(name, None)
            self.hls.stop(name)
            self.relay.unmount(name)
        log.info("path %s deleted", name)
        return {"status": "ok"}

    def _apply(self, name, conf):
        old = self.confs.get(name)
        self.confs[name] = conf
        self.recorders.set(name, conf if relayed(conf) else None)
        if old and (old["source"], old["sourceOnDemand"]) == (conf["source"], conf["sourceOnDemand"]):
            return  # nothing the outputs depend on changed: keep readers connected
        self.hls.stop(name)
        if relayed(conf):
            self.relay.mount(name, conf["source"], on_demand=conf["sourceOnDemand"])
        else:
            self.relay.unmount(name)
        log.info("path %s %s: source %s", name, "changed" if old else "added", conf["source"])

    def path_exists(self, name):
        with self.lock:
            return name in self.confs

    # --- /v3/paths/... ---
    def paths_list(self):
        with self.lock:
            return [self._path(name) for name in sorted(self.confs)]

    def paths_get(self, name):
        with self.lock:
            if name not in self.confs:
                raise ApiError(404, "path not found")
            return self._path(name)

    def _path(self, name):
        """A path's runtime state, shaped like MediaMTX's `Path`."""
        state = self.relay.state(name) or {}
        ready_time = state.get("ready_time")
        ready = ready_time is not None
        received, sent = state.get("bytes_received", 0), state.get("bytes_sent", 0)
        source = relayed(self.confs[name])
        return {
            "name": name,
            "confName": name,
            "source": {"type": "rtspSource", "id": ""} if source else None,
            "ready": ready,
            "readyTime": ready_time,
            "available": ready,
            "availableTime": ready_time,
            # MediaMTX v1.20.1 calls a path with a pulled source online from the start, at Go's zero time,
            # whether or not the source answers (measured: tests/streaming/test_camera_health.py).
            "online": ready or source,
            "onlineTime": ready_time or (ZERO_TIME if source else None),
            "tracks": ["H264"] if ready else [],
            "tracks2": [{"codec": "H264", "codecProps": state.get("track") or {}}] if ready else [],
            "bytesReceived": received,
            "bytesSent": sent,
            "inboundBytes": received,
            "outboundBytes": sent,
            "inboundFramesInError": 0,
            "readers": state.get("readers", []),
        }

    def close(self):
        self.recorders.close()
        self.hls.close()
        self.relay.close()


def listening(what, host, port, serve, *args):
    try:
        return serve(host, port, *args)
    except OSError as exc:
        raise OSError(f"cannot listen for {what} on {host}:{port}: {exc.strerror or exc}") from None


def run(host="127.0.0.1", api_port=9997, rtsp_port=8554, hls_port=8888, playback_port=9996, api_user="",
        api_password="", hls_idle_seconds=60.0, auth_url=""):
    """Serve until SIGTERM or SIGINT. Raises OSError when a port can't be had. With `auth_url`, the
    API, HLS and playback ask it about every request (MediaMTX's `authMethod: http`)."""
    media_server = MediaServer(host, rtsp_port, hls_idle_seconds)
    auth = HttpAuth(auth_url) if auth_url else None
    http_servers = []
    try:
        http_servers.append(listening("the API", host, api_port, serve_api, media_server, api_user, api_password, auth))
        http_servers.append(listening("HLS", host, hls_port, serve_hls, media_server.hls, media_server.path_exists, auth))
        http_servers.append(listening("playback", host, playback_port, serve_playback, media_server, api_user,
                                      api_password, auth))
        media_server.relay.start()
    except OSError:
        for server in http_servers:
            server.server_close()
        media_server.close()
        raise
    for server in http_servers:
        threading.Thread(target=server.serve_forever, args=(0.5,), name=f"http-{server.server_port}", daemon=True).start()

    loop = GLib.MainLoop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, signum, loop.quit)
    log.info(
        "stand-in media server: API http://%s:%s, RTSP rtsp://%s:%s, HLS http://%s:%s, playback http://%s:%s",
        host, api_port, host, rtsp_port, host, hls_port, host, playback_port,
    )
    try:
        loop.run()
    finally:
        log.info("stopping")
        for server in http_servers:
            server.shutdown()
            server.server_close()
        media_server.close()
