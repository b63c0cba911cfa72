"""The media server's auth callback (MediaMTX `authHTTPAddress`): thin, the rules are in media_auth.py."""

import json

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.streaming.media_auth import allows


@csrf_exempt  # a server-to-server call with no cookies; the credentials are in the body
@require_POST
def media_auth(request):
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return JsonResponse({"detail": "A JSON object as MediaMTX sends it."}, status=400)
    return HttpResponse(status=204) if allows(body) else HttpResponse(status=401)
