"""Where a camera is found on the media server: its path and the URLs of its outputs."""

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
