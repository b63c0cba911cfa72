"""Streaming API (django-ninja): /api/streaming/ — per-camera stream state and URLs, forced re-provision."""

import json

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from apps.accounts.auth import router_requires
from apps.cameras import services as camera_services
from apps.cameras.media import stream_urls
from apps.cameras.models import Camera
from apps.cameras.presenters import camera_state
from apps.streaming import services
from apps.streaming.media_auth import login_grant, watch_token

router = router_requires(Router(tags=["streaming"]), "stream.view")


class StreamUrls(Schema):
    hls: str
    rtsp: str
    webrtc: str | None


class StreamRuntime(Schema):
    ready: bool = False
    readers: int = 0
    bytes_received: int = 0
    bytes_sent: int = 0
    tracks: list[str] = []
    at: str | None = None


class StreamOut(Schema):
    camera_id: int
    name: str
    path: str
    enabled: bool
    provision_state: str
    provision_error: str
    provision_attempts: int
    stream_state: str
    stream_reason: str
    stream_state_since: str | None
    state: str
    state_label: str
    state_reason: str
    runtime: StreamRuntime | None
    urls: StreamUrls


def _stream(camera, store):
    raw = store.get(f"stream:{camera.path_name}")
    return {
        "camera_id": camera.pk,
        "name": camera.name,
        "path": camera.path_name,
        "enabled": camera.enabled,
        "provision_state": camera.provision_state,
        "provision_error": camera.provision_error,
        "provision_attempts": camera.provision_attempts,
        "stream_state": camera.stream_state,
        # Why, in words: the source's failure ("source failed: connection refused: …") where it is known.
        "stream_reason": camera.stream_reason,
        "stream_state_since": camera.stream_state_since.isoformat() if camera.stream_state_since else None,
        "runtime": json.loads(raw) if raw else None,
        "urls": stream_urls(camera),
    } | camera_state(camera.provision_state, camera.stream_state, camera.provision_error, camera.stream_reason)


@router.get("/cameras", response=list[StreamOut], summary="Stream state of every camera")
def stream_list(request):
    store = services.status_store()
    return [_stream(camera, store) for camera in Camera.objects.active().order_by("name")]


@router.get("/cameras/{camera_id}", response=StreamOut, summary="Stream state and URLs of one camera")
def stream_detail(request, camera_id: int):
    return _stream(get_object_or_404(Camera, pk=camera_id), services.status_store())


class WatchTokenOut(Schema):
    token: str
    expires_in: int
    urls: StreamUrls


@router.get("/cameras/{camera_id}/watch-token", response=WatchTokenOut, summary="A token to watch one camera")
def stream_watch_token(request, camera_id: int):
    """Players send it as `Authorization: Bearer` on every HLS request and the WHEP offer, and ask
    for a fresh one before `expires_in` seconds have passed. Issued to a login session, it stops
    working when the session ends."""
    camera = get_object_or_404(Camera.objects.active(), pk=camera_id)
    token = watch_token(user=request.auth, camera=camera, grant=login_grant(request))
    if token is None:
        raise PermissionDenied("Not allowed: camera.watch needs the viewer role.")
    return {"token": token, "expires_in": settings.MEDIA_TOKEN_SECONDS, "urls": stream_urls(camera)}


@router.post("/cameras/{camera_id}/provision", response={202: StreamOut}, summary="Provision the camera again")
def stream_reprovision(request, camera_id: int):
    camera = get_object_or_404(Camera, pk=camera_id)
    camera = camera_services.camera_reprovision(actor=request.auth, camera=camera)
    return 202, _stream(camera, services.status_store())


class ConnectionTestOut(Schema):
    ok: bool
    kind: str
    message: str
    codec: str
    width: int
    height: int


@router.post("/cameras/{camera_id}/test-connection", response=ConnectionTestOut, summary="Test the camera's connection")
def stream_test_connection(request, camera_id: int):
    """Connect to the camera's own RTSP source (DESCRIBE, first frames) within CAMERA_TEST_SECONDS and say
    what failed (`kind`: dns, refused, unreachable, unauthorized, forbidden, not_found, timeout, codec,
    no_video, error) or, when `ok`, the codec and picture size. Operators and up."""
    camera = get_object_or_404(Camera.objects.active(), pk=camera_id)
    return services.camera_test_connection(actor=request.auth, camera=camera).as_dict()
