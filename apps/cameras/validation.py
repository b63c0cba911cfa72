"""Rules for camera input: RTSP URLs and ROI polygons."""

from urllib.parse import unquote, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from shapely import make_valid
from shapely.geometry import Polygon

RTSP_SCHEMES = ("rtsp", "rtsps")
MAX_ZONE_POINTS = 64


def split_rtsp_url(url):
    """Check an RTSP URL and take the credentials out of it: (url_without_credentials, username, password)."""
    url = (url or "").strip()
    if not url:
        raise ValidationError({"rtsp_url": "Enter the camera's RTSP URL, e.g. rtsp://192.0.2.10:554/stream1."})
    if len(url) > 500:
        raise ValidationError({"rtsp_url": "The URL is longer than 500 characters."})
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValidationError({"rtsp_url": "The URL must not contain spaces or control characters."})
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValidationError({"rtsp_url": f"Not a valid URL: {exc}."}) from None
    if parts.scheme.lower() not in RTSP_SCHEMES:
        raise ValidationError({"rtsp_url": "Only rtsp:// and rtsps:// URLs are supported."})
    if not parts.hostname:
        raise ValidationError({"rtsp_url": "The URL has no host."})
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{port}" if port else "")
    clean = urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, ""))
    return clean, unquote(parts.username or ""), unquote(parts.password or "")


def validate_zone(name, points):
    """A zone is a named simple polygon of 3 or more points inside the unit square."""
    if name is not None and not isinstance(name, str):
        raise ValidationError("A zone name is text.")
    name = (name or "").strip()
    if not name:
        raise ValidationError("Every zone needs a name.")
    if "\x00" in name:
        raise ValidationError("A zone name must not contain NUL characters.")
    if len(name) > 100:
        raise ValidationError("A zone name is at most 100 characters.")
    if not isinstance(points, list) or len(points) < 3:
        raise ValidationError(f"Zone {name!r} needs at least 3 points.")
    if len(points) > MAX_ZONE_POINTS:
        raise ValidationError(f"Zone {name!r} has more than {MAX_ZONE_POINTS} points.")
    clean = []
    for point in points:
        if (
            not isinstance(point, (list, tuple))
            or len(point) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in point)
        ):
            raise ValidationError(f"Zone {name!r}: every point is [x, y] with numbers.")
        # Compared before float(): a huge JSON integer does not fit a float.
        if not all(0 <= v <= 1 for v in point):
            raise ValidationError(f"Zone {name!r}: points must lie inside the frame (0 to 1).")
        x, y = float(point[0]), float(point[1])
        clean.append([round(x, 5), round(y, 5)])
    polygon = Polygon(clean)
    if make_valid(polygon).area <= 0:
        raise ValidationError(f"Zone {name!r} has no area.")
    if not polygon.is_valid:
        raise ValidationError(f"Zone {name!r} crosses itself.")
    return name, clean
