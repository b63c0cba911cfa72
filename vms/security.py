"""HTTP security that Django 5.2 does not do by itself: a Content-Security-Policy and a body size limit.

Content-Security-Policy. Django 6 has it built in; on 5.2 this small middleware writes the header
from settings instead of adding the django-csp package: the console has no inline scripts, styles or
event handlers (everything is in static/js and static/css), so no nonces are needed and the policy
is one string per request. What the console needs beyond 'self':

- hls.js feeds the <video> through MediaSource with blob: URLs and may run its demuxer in a blob:
  worker → `media-src blob:`, `worker-src blob:`;
- HLS playlists/segments and WHEP come from the media server, which may be another origin
  (`MEDIA_HLS_BASE_URL`, `MEDIA_WEBRTC_BASE_URL`, e.g. http://127.0.0.1:8888) → that origin in
  `connect-src` and `media-src`;
- the live channel (HTMX's ws extension, live-status.js) is a WebSocket to the page's own host →
  `ws://HOST wss://HOST` in `connect-src` (CSP2 browsers do not count ws: as 'self');
- the pages are never framed → `frame-ancestors 'none'` (with X-Frame-Options: DENY for old browsers).

`CSP_EXTRA_SOURCES` (settings, from the environment) adds origins per directive for deployments
that need more.

Body size. Django checks `DATA_UPLOAD_MAX_MEMORY_SIZE` only when `request.body` or `request.POST` is
read; DRF and django-ninja parse JSON from the stream and never hit that check, and a too-big form
body surfaces as a generic 400. This middleware refuses any request whose Content-Length is over
the limit before a view runs: 413 with a JSON body under /api/, an HTML page elsewhere.

Under ASGI that is too late: Django's ASGI handler reads the whole body (into a spooled file) before
any middleware runs, and a chunked body declares no length at all. `AsgiBodyLimit` wraps the ASGI
app (vms/asgi.py) and counts the body as it arrives: past the limit it stops reading and answers
413 (uvicorn reads no further than its 64 KiB flow-control window ahead of the app). HAProxy
refuses oversized declared bodies at the entry point, and chunked ones there too (411).
"""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import JsonResponse
from django.shortcuts import render

CSP_HEADER = "Content-Security-Policy"


def origin_of(url):
    """`scheme://host[:port]` of an absolute http(s) URL; None for a relative one (same origin)."""
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def media_server_origins():
    origins = []
    for url in (settings.MEDIA_HLS_BASE_URL, settings.MEDIA_WEBRTC_BASE_URL):
        origin = origin_of(url)
        if origin and origin not in origins:
            origins.append(origin)
    return origins


def content_security_policy(request):
    """The policy for one response, as the header's value."""
    media = media_server_origins()
    try:
        host = request.get_host()
    except DisallowedHost:  # the 400 for a bad Host header gets a policy too, without a WebSocket host
        host = None
    websocket = [f"ws://{host}", f"wss://{host}"] if host else []
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "media-src": ["'self'", "blob:", *media],
        "connect-src": ["'self'", *websocket, *media],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    for directive, sources in getattr(settings, "CSP_EXTRA_SOURCES", {}).items():
        directives.setdefault(directive, []).extend(source for source in sources if source not in directives[directive])
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if CSP_HEADER not in response:
            response[CSP_HEADER] = content_security_policy(request)
        return response


def too_large_message(limit):
    return f"Request body too large: at most {limit} bytes."


def too_large(request, limit):
    message = too_large_message(limit)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return render(request, "error.html", {"status": 413, "message": message}, status=413)


class RequestSizeLimitMiddleware:
    """413 for a declared body over DATA_UPLOAD_MAX_MEMORY_SIZE, before any parser reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return too_large(request, limit)
        return self.get_response(request)


class AsgiBodyLimit:
    """ASGI: a body over DATA_UPLOAD_MAX_MEMORY_SIZE, declared or chunked, is answered 413 unread.

    The body (at most the limit) is gathered here and handed to the app as one message, as
    Django's handler would have gathered it anyway.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if scope["type"] != "http" or limit is None:
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await self._refuse(scope, send, limit)
        chunks, size, first = [], 0, None
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                first = message
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                return await self._refuse(scope, send, limit)
            if not message.get("more_body", False):
                first = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
                break

        async def replay():
            nonlocal first
            if first is not None:
                message, first = first, None
                return message
            return await receive()

        return await self.app(scope, replay, send)

    async def _refuse(self, scope, send, limit):
        from django.template.loader import render_to_string

        message = too_large_message(limit)
        if scope.get("path", "").startswith("/api/"):
            body, content_type = json.dumps({"detail": message}).encode(), b"application/json"
        else:
            body = render_to_string("error.html", {"status": 413, "message": message}).encode()
            content_type = b"text/html; charset=utf-8"
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
