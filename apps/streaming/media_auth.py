"""Who may read video from the media server: the media server asks Django (MediaMTX `authMethod: http`).

MediaMTX calls `POST /internal/media-auth` for every read, publish, playback and API request with
`{"user", "password", "token", "ip", "action", "path", "protocol", "id", "query"}` (`token` is a
bearer token from the request's `Authorization` header); any 2xx allows it. The answer here:

- `read` / `playback` of `cam_{id}` with a **watch token** (`watch_token`): a short-lived
  (`MEDIA_TOKEN_SECONDS`) signed grant for one camera and one user, issued by the page that shows
  the video. It is checked afresh each time: the user must still be active and the policy must
  still say `camera.watch`; the token's camera must be the path's. Browsers send it as
  `Authorization: Bearer` (hls.js on every playlist and segment, the WHEP offer).
- `read` with the readers' own credential (`MEDIA_READER_USER` / `MEDIA_READER_PASSWORD`): the AI
  frame readers and the picture probe, over RTSP.
- `api` / `metrics` / `playback` with the app's API credential (`MEDIAMTX_API_USER` / `_PASSWORD`).
- anything else, `publish` included (sources are pulled, never pushed), is refused.
"""

import hmac
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing

from apps.accounts import policy

SALT = "vms.media-watch"
_CAMERA_PATH = re.compile(r"^cam_(\d+)$")


def watch_token(*, user, camera):
    """A token that lets `user` watch `camera` for MEDIA_TOKEN_SECONDS; None when the policy says no."""
    if not policy.can(user, "camera.watch", camera):
        return None
    return signing.dumps({"u": user.pk, "c": camera.pk}, salt=SALT, compress=False)


def watch_token_camera(token, *, max_age=None):
    """The camera id a valid, unexpired token grants to a user the policy still lets watch; else None."""
    try:
        grant = signing.loads(token, salt=SALT, max_age=settings.MEDIA_TOKEN_SECONDS if max_age is None else max_age)
    except signing.BadSignature:  # forged, altered or expired (SignatureExpired is one)
        return None
    user = get_user_model().objects.filter(pk=grant.get("u")).first()
    if user is None or not policy.can(user, "camera.watch"):
        return None
    return grant.get("c")


def _same(given, expected):
    return bool(expected) and hmac.compare_digest(str(given or ""), str(expected))


def allows(request):
    """Does MediaMTX's auth request (a dict) describe something allowed?"""
    action, path = request.get("action"), request.get("path") or ""
    user, password = request.get("user"), request.get("password")
    if action in ("api", "metrics", "playback") and _same(user, settings.MEDIAMTX_API_USER) and _same(password, settings.MEDIAMTX_API_PASSWORD):
        return True
    if action == "read" and _same(user, settings.MEDIA_READER_USER) and _same(password, settings.MEDIA_READER_PASSWORD):
        return True
    if action in ("read", "playback") and request.get("token"):
        camera = _CAMERA_PATH.match(path)
        return camera is not None and watch_token_camera(request["token"]) == int(camera.group(1))
    return False
