"""Reaching a camera's own RTSP source and saying in words what failed.

MediaMTX v1.20.1 does not put a path's source error in its API (`/v3/paths/get/{name}` has `ready`,
`source`, `readers`, bytes and tracks; the "source failed" text goes only to its log), so the app asks
the camera itself, as the media server would: ffprobe sends OPTIONS and DESCRIBE, sets the stream up and
reads its first frames for the codec and the picture size. Used by "Test connection" and by the
picture probe when the media server has no picture of the camera.
"""

import json
import re
import subprocess
from dataclasses import asdict, dataclass

# What the media server relays and the console plays (HLS fMP4 and WebRTC): H.264, and H.265 on HLS.
PLAYABLE_CODECS = {"h264", "hevc"}
# ffprobe's own socket and read timeouts, in microseconds: under the process's limit below.
SOCKET_TIMEOUT_US = 5_000_000

# (kind, what ffprobe writes on stderr, what an operator reads). First match wins: an auth failure's
# text also says "Invalid data", so the specific ones come first.
FAILURES = (
    ("dns", re.compile(r"Failed to resolve hostname|Name or service not known|Temporary failure in name resolution"),
     "DNS: the camera's host name was not found"),
    ("refused", re.compile(r"Connection refused"), "connection refused: nothing listens on the camera's address and port"),
    ("unreachable", re.compile(r"No route to host|Network is unreachable"), "the camera's address cannot be reached"),
    ("unauthorized", re.compile(r"401 Unauthorized|authorization failed"),
     "401 unauthorized: the camera refused the user name or password"),
    ("forbidden", re.compile(r"403 Forbidden"), "403 forbidden: the camera refused this user"),
    ("not_found", re.compile(r"404 Not Found|Stream not found"), "404 not found: the camera has no stream at this path"),
    ("timeout", re.compile(r"timed out|Connection timed out|Operation timed out|ret=-110"),
     "timeout: the camera did not answer"),
)


@dataclass
class SourceCheck:
    ok: bool
    kind: str  # "ok", or one of FAILURES' kinds, "timeout", "codec", "no_video", "error"
    message: str
    codec: str = ""
    width: int = 0
    height: int = 0

    def as_dict(self):
        return asdict(self)


def source_check(url, *, timeout=8.0):
    """Connect to `url` (credentials in it allowed: they never leave this function) and answer what happened."""
    if not url.lower().startswith(("rtsp://", "rtsps://")):
        return SourceCheck(False, "error", "not an RTSP URL")
    command = [
        "ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-timeout", str(SOCKET_TIMEOUT_US),
        "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height", "-of", "json", url,
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return SourceCheck(False, "timeout", f"timeout: no answer from the camera within {timeout:g} s")
    except OSError:  # no ffprobe on this machine: the check's own failure, not the camera's
        return SourceCheck(False, "error", "cannot test here: ffprobe is not installed on the server")
    try:
        streams = json.loads(result.stdout or "{}").get("streams") or []
    except ValueError:
        streams = []
    if streams and streams[0].get("codec_name"):
        video = streams[0]
        codec, width, height = video["codec_name"], int(video.get("width") or 0), int(video.get("height") or 0)
        if codec not in PLAYABLE_CODECS:
            return SourceCheck(False, "codec", f"codec not supported: the camera sends {codec} (use H.264 or H.265)",
                               codec, width, height)
        return SourceCheck(True, "ok", f"connected: {codec.upper()} {width}×{height}", codec, width, height)
    errors = result.stderr or ""
    for kind, pattern, message in FAILURES:
        if pattern.search(errors):
            return SourceCheck(False, kind, message)
    if result.returncode == 0:
        return SourceCheck(False, "no_video", "the camera answered but sends no video")
    # An unrecognised failure: say it was the camera, never quote ffprobe (its lines repeat the URL).
    return SourceCheck(False, "error", "the camera's stream could not be read")
