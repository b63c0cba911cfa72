"""Simulated IP cameras: a GStreamer RTSP server looping video files.

Each mount `rtsp://HOST:PORT/NAME` serves one MP4 (H.264) file, copied (no
re-encoding), looped endlessly, to any number of readers over TCP or UDP. The
traps of a looping GStreamer RTSP source (DESIGN.md, "The media server") and
what we do about each:

- one media per mount is shared by every reader (`set_shared`);
- a late reader's `Range: npt=0-` would rewind everyone: the SEEKING query
  fails ("not seekable") from a pad probe on the payloader;
- the loop is a segment seek; one sent while the media is only prepared is
  lost, so the first is sent on the first PLAYING and the next on each
  SEGMENT_DONE;
- timestamps must keep increasing across loops: each new segment starts at the
  last frame's running time, so a probe shifts the parser's pad offset by one
  frame whenever a timestamp would repeat;
- the media's end is answered as unknown (range `npt=0-`), so a relay doesn't
  end the stream after the file's length;
- the default thread pool has one thread: one stuck client would block all.
"""

import threading
from pathlib import Path

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstPbutils", "1.0")
from gi.repository import GLib, Gst, GstPbutils, GstRtspServer  # noqa: E402

Gst.init(None)

THREADS = 8


class CameraServerError(Exception):
    """The server could not start: a bad file, a bad name or a port in use."""


class LoopingMedia(GstRtspServer.RTSPMedia):
    """A media that seeks back to the start of its file whenever it reaches the end."""

    looping = False  # set once the first segment seek is sent
    frame_duration = 0
    last_running_time = None

    def do_handle_message(self, message):
        if message.type == Gst.MessageType.SEGMENT_DONE:
            self.seek_to_start()
            return True
        return GstRtspServer.RTSPMedia.do_handle_message(self, message)

    def do_query_stop(self, stop):
        return False, -1  # unknown: the range is "npt=0-", so a relay never expects an end

    def do_new_state(self, state):
        if state == Gst.State.PLAYING and not self.looping:
            self.looping = True
            self.seek_to_start()

    def seek_to_start(self):
        # Non-flushing: readers keep what is in flight. A segment seek makes the demuxer post
        # SEGMENT_DONE at the end instead of EOS.
        parser = self.get_element().get_by_name("parse").get_static_pad("src")
        parser.send_event(Gst.Event.new_seek(
            1.0, Gst.Format.TIME, Gst.SeekFlags.SEGMENT, Gst.SeekType.SET, 0, Gst.SeekType.NONE, -1,
        ))

    def keep_timestamps_increasing(self, pad, info):
        """Buffer probe on the parser: shift its pad offset so running time never repeats.

        Each new segment starts at the running time of the last frame sent, not after
        it: at every loop point and, depending on how far the demuxer had got, at the
        first seek. Shift by what is missing for one frame's step.
        """
        buffer = info.get_buffer()
        timestamp = buffer.dts if buffer.dts != Gst.CLOCK_TIME_NONE else buffer.pts  # DTS: B-frames
        segment = pad.get_sticky_event(Gst.EventType.SEGMENT, 0).parse_segment()  # before the offset
        running_time = segment.to_running_time(Gst.Format.TIME, timestamp)
        if running_time == Gst.CLOCK_TIME_NONE:  # no timestamp, or outside the segment
            return Gst.PadProbeReturn.OK
        running_time += pad.get_offset()
        if self.last_running_time is not None and running_time <= self.last_running_time:
            shift = self.last_running_time + self.frame_duration - running_time
            pad.set_offset(pad.get_offset() + shift)  # resends the segment before this buffer
            running_time += shift
        self.last_running_time = running_time
        return Gst.PadProbeReturn.OK


def _not_seekable(pad, info):
    """Fail the SEEKING query, so a late reader's `Range: npt=0-` can't rewind the others."""
    # A failed query reads as "not seekable" to the RTSP media. (Answering it with
    # set_seeking is not possible here: PyGObject hands the probe a query that isn't writable.)
    if info.get_query().type == Gst.QueryType.SEEKING:
        return Gst.PadProbeReturn.DROP
    return Gst.PadProbeReturn.OK


class LoopingFileFactory(GstRtspServer.RTSPMediaFactory):
    """Serves one MP4 file, H.264 copied from the container to RTP."""

    def __init__(self, path):
        super().__init__()
        self.path = Path(path)
        self.frame_duration = frame_duration(self.path)
        location = str(self.path).replace("\\", "\\\\").replace('"', '\\"')
        self.set_launch(
            f'( filesrc location="{location}" ! qtdemux ! h264parse name=parse config-interval=-1 '
            "! rtph264pay name=pay0 pt=96 )"
        )
        self.set_shared(True)
        self.set_media_gtype(LoopingMedia)
        self.connect("media-configure", self.on_media_configure)

    def on_media_configure(self, factory, media):
        media.frame_duration = self.frame_duration
        parser = media.get_element().get_by_name("parse")
        parser.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, media.keep_timestamps_increasing)
        payloader = media.get_element().get_by_name("pay0")
        payloader.get_static_pad("src").add_probe(Gst.PadProbeType.QUERY_UPSTREAM, _not_seekable)


def frame_duration(path):
    """One frame's duration in nanoseconds, from the file's video caps."""
    discoverer = GstPbutils.Discoverer.new(10 * Gst.SECOND)
    try:
        info = discoverer.discover_uri(Gst.filename_to_uri(str(path)))
    except GLib.Error as error:
        raise CameraServerError(f"{path}: not a playable video ({error.message})") from None
    videos = info.get_video_streams()
    if not videos or "h264" not in videos[0].get_caps().to_string():
        raise CameraServerError(f"{path}: no H.264 video stream")
    num, denom = videos[0].get_framerate_num(), videos[0].get_framerate_denom()
    if not num:
        raise CameraServerError(f"{path}: unknown frame rate")
    return Gst.util_uint64_scale(Gst.SECOND, denom, num)


class CameraServer:
    """An RTSP server with one looping camera per mount.

    `CameraServer({"gate": "/path/a.mp4"}, port=0).start()` serves in a background
    thread (port 0 picks a free one; `url("gate")` says where); `serve_forever()`
    serves in the calling thread until `stop()`.
    """

    def __init__(self, mounts, host="127.0.0.1", port=8654):
        self.host = host
        self.mounts = dict(mounts)
        for name, path in self.mounts.items():
            if not name or not all(c.isalnum() or c in "-_." for c in name):
                raise CameraServerError(f"bad camera name {name!r}: use letters, digits, '-', '_', '.'")
            if not Path(path).is_file():
                raise CameraServerError(f"{name}: no such video file: {path}")
        self.context = GLib.MainContext.new()
        self.loop = GLib.MainLoop.new(self.context, False)
        self.server = GstRtspServer.RTSPServer()
        self.server.set_address(host)
        self.server.set_service(str(port))
        pool = GstRtspServer.RTSPThreadPool()
        pool.set_max_threads(THREADS)
        self.server.set_thread_pool(pool)
        mount_points = self.server.get_mount_points()
        for name, path in self.mounts.items():
            mount_points.add_factory(f"/{name}", LoopingFileFactory(path))
        try:
            self.source = self.server.create_source(None)
        except GLib.Error as error:
            raise CameraServerError(f"cannot listen on {host}:{port}: {error.message}") from None
        self.source.attach(self.context)
        self.port = self.server.get_bound_port()
        self.thread = None

    def url(self, name):
        return f"rtsp://{self.host}:{self.port}/{name}"

    def serve_forever(self):
        self.context.push_thread_default()
        try:
            self.loop.run()
        finally:
            self.context.pop_thread_default()
            self.close()

    def start(self):
        self.thread = threading.Thread(target=self.serve_forever, name="camera-server", daemon=True)
        self.thread.start()
        return self

    def stop_on_signals(self, *signums):
        """Make `serve_forever` return on these signals (SIGINT, SIGTERM for the command)."""
        for signum in signums:
            # On the server's own context: GLib.unix_signal_add would watch the default one.
            source = GLib.unix_signal_source_new(signum)
            source.set_callback(lambda *args: self.loop.quit() or GLib.SOURCE_REMOVE)
            source.attach(self.context)

    def stop(self):
        if self.thread is None:  # never started
            self.close()
            return
        self.context.invoke_full(GLib.PRIORITY_DEFAULT, self.loop.quit)
        if self.thread is not threading.current_thread():
            self.thread.join(5)

    def close(self):
        """Stop listening and disconnect every reader."""
        if self.source is None:
            return
        self.source.destroy()
        self.source = None  # the last reference to the listening socket: closes it
        self.server.client_filter(lambda server, client: GstRtspServer.RTSPFilterResult.REMOVE)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
