"""Where a camera is found on the media server: its path and the URLs of its outputs."""

from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings


def stream_urls(camera):
    """HLS and RTSP (and WHEP when the media server offers WebRTC) URLs of the camera's path."""
    path = camera.path_name
    urls = {
        "hls": f"{settings.MEDIA_HLS_BASE_URL.rstrip('/')}/{path}/index.m3u8",
        "rtsp": f"{settings.MEDIA_RTSP_BASE_URL.rstrip('/')}/{path}",
        "webrtc": None,
    }
    if settings.MEDIA_WEBRTC_BASE_URL:
        urls["webrtc"] = f"{settings.MEDIA_WEBRTC_BASE_URL.rstrip('/')}/{path}/whep"
    return urls


def reader_rtsp_url(camera):
    """The camera's RTSP output with the readers' own credential in it (MEDIA_READER_USER /
    _PASSWORD; none when the password is empty): for the AI frame readers and the picture probe
    only. A secret: never logged, shown, or passed in a task's arguments."""
    url = stream_urls(camera)["rtsp"]
    if not settings.MEDIA_READER_PASSWORD:
        return url
    parts = urlsplit(url)
    login = f"{quote(settings.MEDIA_READER_USER, safe='')}:{quote(settings.MEDIA_READER_PASSWORD, safe='')}"
    return urlunsplit((parts.scheme, f"{login}@{parts.netloc}", parts.path, parts.query, parts.fragment))
