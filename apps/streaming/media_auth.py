"""Who may read video from the media server: the media server asks Django (MediaMTX `authMethod: http`).

MediaMTX calls `POST /internal/media-auth` for every read, publish, playback and API request with
`{"user", "password", "token", "ip", "action", "path", "protocol", "id", "query"}` (`token` is a
bearer token from the request's `Authorization` header); any 2xx allows it. The answer here:

- `read` / `playback` of `cam_{id}` with a **watch token** (`watch_token`): a short-lived
  (`MEDIA_TOKEN_SECONDS`) signed grant for one camera and one user, issued by the page (or the API)
  that shows the video. It is checked afresh each time: the user must still be active and the
  policy must still say `camera.watch`; the token's camera must be the path's; a token issued to a
  login session is good only while that session is (a logout ends it). Browsers send it as
  `Authorization: Bearer` (hls.js on every playlist and segment, the WHEP offer).
- `read` with the readers' own credential (`MEDIA_READER_USER` / `MEDIA_READER_PASSWORD`): the AI
  frame readers and the picture probe, over RTSP.
- `api` / `metrics` / `playback` with the app's API credential (`MEDIAMTX_API_USER` / `_PASSWORD`).
- anything else, `publish` included (sources are pulled, never pushed), is refused.

MediaMTX asks once per session (an HLS session, a WebRTC session, an RTSP session) and never
again, so a session opened with a token would outlive it. Every session a watch token opened is
remembered, and `media_sessions_sweep` (beat, and at once after a logout) kicks out those whose
token's grant no longer holds.
"""

import hmac
import json
import logging
import re
import secrets
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing

from apps.accounts import policy
from apps.streaming.client import MediaServerError, PathNotFound, media_server
from apps.streaming.services import status_store

logger = logging.getLogger(__name__)

SALT = "vms.media-watch"
_CAMERA_PATH = re.compile(r"^cam_(\d+)$")
GRANT_KEY = "media-grant:{}"  # -> the login session key it stands for; never leaves the server
SESSIONS_KEY = "media-sessions"  # hash "protocol:id" -> the grant that opened that media session
# The media server's session kinds a watch token can open, as its API names their lists.
SESSION_KINDS = {"hls": "hlssessions", "webrtc": "webrtcsessions", "rtsp": "rtspsessions"}
# A session is remembered when it is authorised, a moment before the media server lists it.
SESSION_LISTING_GRACE_SECONDS = 30


def login_grant(request):
    """The id the watch tokens of this login session carry, or None for a request without one (an
    API client with a JWT). The session key it stands for stays in Redis: a token is readable by
    anyone who holds it and must not carry a login."""
    session = getattr(request, "session", None)
    if session is None or not session.session_key:
        return None
    grant = session.get("media_grant")
    if grant is None:
        grant = session["media_grant"] = secrets.token_urlsafe(18)
    status_store().set(GRANT_KEY.format(grant), session.session_key, ex=settings.SESSION_COOKIE_AGE)
    return grant


def watch_token(*, user, camera, grant=None):
    """A token that lets `user` watch `camera` for MEDIA_TOKEN_SECONDS; None when the policy says no."""
    if not policy.can(user, "camera.watch", camera):
        return None
    claims = {"u": user.pk, "c": camera.pk}
    if grant:
        claims["g"] = grant
    return signing.dumps(claims, salt=SALT, compress=False)


def grant_holds(claims):
    """Is what a token granted still allowed: a live login session (when it was issued to one), or
    an active user, that the policy lets watch?"""
    if claims.get("g"):
        session_key = status_store().get(GRANT_KEY.format(claims["g"]))
        return session_key is not None and policy.session_allows(session_key.decode(), "camera.watch")
    user = get_user_model().objects.filter(pk=claims.get("u")).first()
    return user is not None and policy.can(user, "camera.watch")


def watch_token_claims(token, *, max_age=None):
    """What a valid, unexpired token grants, while the grant still holds; else None."""
    try:
        claims = signing.loads(token, salt=SALT, max_age=settings.MEDIA_TOKEN_SECONDS if max_age is None else max_age)
    except signing.BadSignature:  # forged, altered or expired (SignatureExpired is one)
        return None
    if not isinstance(claims, dict) or not grant_holds(claims):
        return None
    return claims


def watch_token_camera(token, *, max_age=None):
    """The camera id a valid token grants, or None."""
    claims = watch_token_claims(token, max_age=max_age)
    return claims.get("c") if claims else None


def login_grant_end(session):
    """A login session ends (logout): its watch tokens stop at once, its open video soon after."""
    grant = session.get("media_grant") if session is not None else None
    if grant:
        status_store().delete(GRANT_KEY.format(grant))


def _same(given, expected):
    return bool(expected) and hmac.compare_digest(str(given or ""), str(expected))


def _remember_session(request, claims):
    if request.get("protocol") in SESSION_KINDS and request.get("id"):
        opened = {"u": claims.get("u"), "g": claims.get("g"), "c": claims.get("c"), "at": time.time()}
        status_store().hset(SESSIONS_KEY, f"{request['protocol']}:{request['id']}", json.dumps(opened))


def allows(request):
    """Does MediaMTX's auth request (a dict) describe something allowed?"""
    action, path = request.get("action"), request.get("path") or ""
    user, password = request.get("user"), request.get("password")
    if action in ("api", "metrics", "playback") and _same(user, settings.MEDIAMTX_API_USER) and _same(password, settings.MEDIAMTX_API_PASSWORD):
        return True
    if action == "read" and _same(user, settings.MEDIA_READER_USER) and _same(password, settings.MEDIA_READER_PASSWORD):
        return True
    token = request.get("token") or (password if action == "read" and request.get("protocol") == "rtsp" else None)
    if action in ("read", "playback") and token:
        camera = _CAMERA_PATH.match(path)
        claims = watch_token_claims(str(token)) if camera else None
        if claims is None or claims.get("c") != int(camera.group(1)):
            return False
        _remember_session(request, claims)
        return True
    return False


def media_sessions_sweep():
    """Kick out every media session opened with a watch token whose grant no longer holds (logout,
    deactivation, role taken away); forget the sessions that have ended. The number kicked out."""
    store = status_store()
    remembered = {key.decode(): json.loads(value) for key, value in store.hgetall(SESSIONS_KEY).items()}
    if not remembered:
        return 0
    client = media_server()
    listed = {}
    for protocol, kind in SESSION_KINDS.items():
        try:
            listed[protocol] = {item.get("id") for item in client.sessions(kind)}
        except PathNotFound:  # a media server without this kind (the stand-in: it asks on every request)
            listed[protocol] = set()
    kicked = 0
    for key, opened in remembered.items():
        protocol, session_id = key.split(":", 1)
        if session_id not in listed.get(protocol, set()):
            if time.time() - opened.get("at", 0) > SESSION_LISTING_GRACE_SECONDS:
                store.hdel(SESSIONS_KEY, key)
            continue
        if grant_holds(opened):
            continue
        try:
            client.session_kick(SESSION_KINDS[protocol], session_id)
        except PathNotFound:
            pass  # ended meanwhile
        except MediaServerError:
            logger.warning("media session %s could not be kicked out; trying again next sweep", key)
            continue
        store.hdel(SESSIONS_KEY, key)
        kicked += 1
    if kicked:
        logger.info("media sessions kicked out: %d (their watch grants ended)", kicked)
    return kicked
