"""Path configurations as MediaMTX keeps them: defaults, validation, merging.

The defaults are MediaMTX v1.20.1's `pathDefaults` (reference mediamtx.yml), empty
values written as "" the way its API returns them; a test holds this copy to the file.
"""

import re
from urllib.parse import urlsplit

PATH_DEFAULTS = {
    "source": "publisher",
    "sourceFingerprint": "",
    "sourceOnDemand": False,
    "sourceOnDemandStartTimeout": "10s",
    "sourceOnDemandCloseAfter": "10s",
    "maxReaders": 0,
    "srtReadPassphrase": "",
    "useAbsoluteTimestamp": False,
    "alwaysAvailable": False,
    "alwaysAvailableTracks": [],
    "alwaysAvailableFile": "",
    "forward": [],
    "record": False,
    "recordPath": "./recordings/%path/%Y-%m-%d_%H-%M-%S-%f",
    "recordFormat": "fmp4",
    "recordPartDuration": "1s",
    "recordMaxPartSize": "50M",
    "recordSegmentDuration": "1h",
    "recordDeleteAfter": "1d",
    "overridePublisher": True,
    "srtPublishPassphrase": "",
    "rtspDemuxMpegts": False,
    "rtspTransport": "automatic",
    "rtspAnyPort": False,
    "rtspRangeType": "",
    "rtspRangeStart": "",
    "rtspScale": "",
    "rtspUDPSourcePortRange": [32768, 60999],
    "rtpSDP": "",
    "moqTransport": "quic",
    "whepBearerToken": "",
    "whepSTUNGatherTimeout": "5s",
    "whepHandshakeTimeout": "10s",
    "whepTrackGatherTimeout": "2s",
    "sourceRedirect": "",
    "rpiCameraCamID": 0,
    "rpiCameraSecondary": False,
    "rpiCameraWidth": 1920,
    "rpiCameraHeight": 1080,
    "rpiCameraHFlip": False,
    "rpiCameraVFlip": False,
    "rpiCameraBrightness": 0,
    "rpiCameraContrast": 1,
    "rpiCameraSaturation": 1,
    "rpiCameraSharpness": 1,
    "rpiCameraExposure": "normal",
    "rpiCameraAWB": "auto",
    "rpiCameraAWBGains": [0, 0],
    "rpiCameraDenoise": "off",
    "rpiCameraShutter": 0,
    "rpiCameraMetering": "centre",
    "rpiCameraGain": 0,
    "rpiCameraEV": 0,
    "rpiCameraROI": "",
    "rpiCameraHDR": False,
    "rpiCameraTuningFile": "",
    "rpiCameraMode": "",
    "rpiCameraFPS": 30,
    "rpiCameraAfMode": "continuous",
    "rpiCameraAfRange": "normal",
    "rpiCameraAfSpeed": "normal",
    "rpiCameraLensPosition": 0.0,
    "rpiCameraAfWindow": "",
    "rpiCameraFlickerPeriod": 0,
    "rpiCameraTextOverlayEnable": False,
    "rpiCameraTextOverlay": "%Y-%m-%d %H:%M:%S - MediaMTX",
    "rpiCameraCodec": "auto",
    "rpiCameraIDRPeriod": 60,
    "rpiCameraBitrate": 5000000,
    "rpiCameraH264Profile": "auto",
    "rpiCameraH264Level": "4.1",
    "rpiCameraMJPEGQuality": 60,
    "runOnInit": "",
    "runOnInitRestart": False,
    "runOnDemand": "",
    "runOnDemandRestart": False,
    "runOnDemandStartTimeout": "10s",
    "runOnDemandCloseAfter": "10s",
    "runOnUnDemand": "",
    "runOnAvailable": "",
    "runOnAvailableRestart": False,
    "runOnUnavailable": "",
    "runOnOnline": "",
    "runOnOnlineRestart": False,
    "runOnOffline": "",
    "runOnRead": "",
    "runOnReadRestart": False,
    "runOnUnread": "",
    "runOnRecordSegmentCreate": "",
    "runOnRecordSegmentComplete": "",
}

# Deprecated fields that MediaMTX still accepts in a request body; the stand-in ignores them.
DEPRECATED_FIELDS = {
    "disablePublisherOverride", "fallback", "mpegtsUDPReadBufferSize", "playback", "publishIPs",
    "publishPass", "publishUser", "readIPs", "readPass", "readUser", "rpiCameraHardwareH264Level",
    "rpiCameraHardwareH264Profile", "rpiCameraJPEGQuality", "rpiCameraLevel", "rpiCameraProfile",
    "rpiCameraSoftwareH264Level", "rpiCameraSoftwareH264Profile", "rtpUDPReadBufferSize",
    "rtspUDPReadBufferSize", "runOnNotReady", "runOnReady", "runOnReadyRestart", "sourceAnyPortEnable",
    "sourceProtocol",
}

ENUMS = {
    "rtspTransport": {"udp", "multicast", "tcp", "automatic"},
    "recordFormat": {"fmp4", "mpegts"},
    "rtspRangeType": {"", "clock", "npt", "smpte"},
    "moqTransport": {"quic", "webtransport"},
}

DURATION_FIELDS = {
    "sourceOnDemandStartTimeout", "sourceOnDemandCloseAfter", "recordPartDuration", "recordSegmentDuration",
    "recordDeleteAfter", "whepSTUNGatherTimeout", "whepHandshakeTimeout", "whepTrackGatherTimeout",
    "runOnDemandStartTimeout", "runOnDemandCloseAfter",
}
# Go's time.ParseDuration, plus MediaMTX's "d" for days.
DURATION = re.compile(r"^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h|d))+)$")

PATH_NAME = re.compile(r"^[0-9a-zA-Z_\-/.~]+$")

# Source URL schemes MediaMTX pulls from; the stand-in itself only pulls rtsp:// (H.264).
SOURCE_SCHEMES = {
    "rtsp", "rtsps", "rtsp+http", "rtsps+http", "rtsp+ws", "rtsps+ws", "rtmp", "rtmps", "http", "https",
    "udp+mpegts", "unix+mpegts", "udp+rtp", "srt", "moqt", "whep", "wheps",
}
SOURCE_KEYWORDS = {"publisher", "redirect", "rpiCamera"}


class ConfError(ValueError):
    """A path configuration MediaMTX would refuse (400)."""


def check_path_name(name):
    if not name:
        raise ConfError("invalid path name: cannot be empty")
    if name.startswith("~") or name in ("all", "all_others"):
        raise ConfError("the stand-in media server does not support regular-expression paths")
    if not PATH_NAME.match(name) or name.startswith("/") or name.endswith("/"):
        raise ConfError(
            "invalid path name: can contain only alphanumeric characters, underscore, dot, tilde, minus or slash"
        )


def check_fields(body):
    """Check the fields of a request body (all optional) the way MediaMTX's strict JSON decoder does."""
    if not isinstance(body, dict):
        raise ConfError(f"json: cannot unmarshal {json_kind(body)} into Go value of type conf.OptionalPath")
    for key, value in body.items():
        # Go's decoder leaves a field alone on null; deprecated fields are accepted and ignored.
        if key == "name" or key in DEPRECATED_FIELDS or value is None:
            continue
        if key not in PATH_DEFAULTS:
            raise ConfError(f'json: unknown field "{key}"')
        expected = PATH_DEFAULTS[key]
        if not same_kind(value, expected):
            raise ConfError(
                f"json: cannot unmarshal {json_kind(value)} into Go value of type {go_kind(expected)}"
            )


def validated(name, conf):
    """Check a complete configuration's values; returns it with `name` set, as get/list return it."""
    for key, allowed in ENUMS.items():
        if conf[key] not in allowed:
            raise ConfError(f"invalid {key}: '{conf[key]}'")
    for key in DURATION_FIELDS:
        if not DURATION.match(conf[key]):
            raise ConfError(f'time: invalid duration "{conf[key]}"')
    source = conf["source"]
    if source not in SOURCE_KEYWORDS:
        parts = urlsplit(source)
        if parts.scheme not in SOURCE_SCHEMES:
            raise ConfError(f"invalid source: '{source}'")
        if parts.scheme.startswith("rtsp") and not parts.hostname:
            raise ConfError(f"'{source}' is not a valid URL")
    if conf["sourceOnDemand"] and source in SOURCE_KEYWORDS:
        raise ConfError(f"'sourceOnDemand' is useless when source is '{source}'")
    return {**conf, "name": name}


def new_conf(name, body):
    """A configuration from an add or replace body: what the body says, defaults for the rest."""
    check_fields(body)
    return validated(name, {**PATH_DEFAULTS, **known(body)})


def patched_conf(name, current, body):
    check_fields(body)
    return validated(name, {**current, **known(body)})


def known(body):
    return {key: value for key, value in body.items() if key in PATH_DEFAULTS and value is not None}


def same_kind(value, expected):
    if isinstance(expected, bool):
        return isinstance(value, bool)
    if isinstance(expected, (int, float)):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, type(expected))


def json_kind(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if value is None:
        return "null"
    return "object"


def go_kind(expected):
    return {bool: "bool", int: "int", float: "float64", str: "string", list: "[]interface {}"}[type(expected)]
