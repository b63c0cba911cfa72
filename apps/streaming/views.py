"""The media server's auth callback (MediaMTX `authHTTPAddress`): thin, the rules are in media_auth.py;
the camera page's "Test connection"."""

import json
import logging

import redis
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.accounts.views import role_required
from apps.cameras.models import Camera
from apps.streaming import services
from apps.streaming.media_auth import allows

logger = logging.getLogger(__name__)


@csrf_exempt  # a server-to-server call with no cookies; the credentials are in the body
@require_POST
def media_auth(request):
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return JsonResponse({"detail": "A JSON object as MediaMTX sends it."}, status=400)
    try:
        allowed = allows(body)
    except redis.RedisError as exc:  # where watch grants live: refused until it is back (fail closed)
        logger.warning("media auth refused: the grant store is unavailable (%s)", exc.__class__.__name__)
        return JsonResponse({"detail": "The access store is unavailable; try again shortly."}, status=503)
    return HttpResponse(status=204) if allowed else HttpResponse(status=401)


@role_required("camera.test")
@require_POST
def camera_test_connection(request, pk):
    """{ok, kind, message, codec, width, height}: what connecting to the camera's own source gave."""
    camera = get_object_or_404(Camera.objects.active(), pk=pk)
    check = services.camera_test_connection(actor=request.user, camera=camera)
    return JsonResponse(check.as_dict())
