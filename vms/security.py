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
the limit before a view runs: 413 with a JSON body under /api/, an HTML page elsewhere. (Without a
Content-Length Django reads no body at all, so the header is the whole story.)
"""

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


def too_large(request, limit):
    message = f"Request body too large: at most {limit} bytes."
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
