"""Who may do what, for every URL pattern of the project: THE table the access-matrix test holds the app to.

One row per route (as `tests/security/urlwalk.py` prints it), each method → the status for
(anonymous, no role, viewer, operator, admin). Console pages send anonymous users to the login page
(302) and refuse a missing role with 403 (a user with no role at all gets the page saying an admin
must give them one); the APIs answer 401 without credentials and 403 without a role. Every request runs in
a rolled-back savepoint, so a DELETE for one role leaves the object for the next. Bodies are empty:
a 400 means "allowed in, refused the empty input" — no object is created.

A new URL pattern without a row here fails `test_every_url_pattern_has_an_access_rule`.
Placeholders in the example URL are filled with the ids of the objects of tests/security/conftest.py.
"""

ANON_302 = 302  # to the login page

# route: (example URL, {method: (anonymous, no role, viewer, operator, admin)})
RULES = {
    # --- open: probes, login ---
    "health": ("/health", {"GET": (200, 200, 200, 200, 200)}),
    "favicon.ico": ("/favicon.ico", {"GET": (301, 301, 301, 301, 301)}),
    # 503 here: no media server runs for this test; the point is that it needs no login.
    "health/ready": ("/health/ready", {"GET": (503, 503, 503, 503, 503)}),
    # Loopback and private networks only (METRICS_ALLOW_PRIVATE), or a bearer token; the test client is 127.0.0.1.
    "metrics": ("/metrics", {"GET": (200, 200, 200, 200, 200)}),
    "login/": ("/login/", {"GET": (200, 302, 302, 302, 302), "POST": (200, 302, 302, 302, 302)}),
    "logout/": ("/logout/", {"GET": (405, 405, 405, 405, 405), "POST": (302, 302, 302, 302, 302)}),
    # --- console ---
    "": ("/", {"GET": (302, 403, 200, 200, 200)}),
    "users/": ("/users/", {"GET": (302, 403, 403, 403, 200)}),
    # Admins only; an empty body is refused with 400 (no user made, no role changed).
    "users/add/": ("/users/add/", {"GET": (302, 403, 403, 403, 200), "POST": (302, 403, 403, 403, 400)}),
    "users/<int:pk>/role/": ("/users/{user}/role/", {"GET": (302, 403, 403, 403, 405), "POST": (302, 403, 403, 403, 400)}),
    "users/<int:pk>/active/": ("/users/{user}/active/", {"GET": (302, 403, 403, 403, 405), "POST": (302, 403, 403, 403, 400)}),
    # The new password is on the answer's page (once; never cached).
    "users/<int:pk>/password/": (
        "/users/{user}/password/", {"GET": (302, 403, 403, 403, 405), "POST": (302, 403, 403, 403, 200)}
    ),
    "cameras/": ("/cameras/", {"GET": (302, 403, 200, 200, 200)}),
    "cameras/add/": ("/cameras/add/", {"GET": (302, 403, 403, 403, 200), "POST": (302, 403, 403, 403, 200)}),
    "cameras/<int:pk>/": ("/cameras/{camera}/", {"GET": (302, 403, 200, 200, 200)}),
    "cameras/<int:pk>/edit/": ("/cameras/{camera}/edit/", {"GET": (302, 403, 403, 403, 200), "POST": (302, 403, 403, 403, 200)}),
    "cameras/<int:pk>/delete/": ("/cameras/{camera}/delete/", {"GET": (302, 403, 403, 403, 200), "POST": (302, 403, 403, 403, 302)}),
    "cameras/<int:pk>/zones/": ("/cameras/{camera}/zones/", {"GET": (302, 403, 403, 403, 405), "POST": (302, 403, 403, 403, 302)}),
    "mosaics/": ("/mosaics/", {"GET": (302, 403, 200, 200, 200)}),
    "mosaics/add/": ("/mosaics/add/", {"GET": (302, 403, 403, 200, 200), "POST": (302, 403, 403, 200, 200)}),
    "mosaics/<int:pk>/": ("/mosaics/{mosaic}/", {"GET": (302, 403, 200, 200, 200)}),
    "mosaics/<int:pk>/edit/": ("/mosaics/{mosaic}/edit/", {"GET": (302, 403, 403, 200, 200), "POST": (302, 403, 403, 200, 200)}),
    "mosaics/<int:pk>/delete/": ("/mosaics/{mosaic}/delete/", {"GET": (302, 403, 403, 200, 200), "POST": (302, 403, 403, 302, 302)}),
    "watchlists/": ("/watchlists/", {"GET": (302, 403, 200, 200, 200)}),
    "watchlists/add/": ("/watchlists/add/", {"GET": (302, 403, 403, 200, 200), "POST": (302, 403, 403, 200, 200)}),
    "watchlists/<int:pk>/": ("/watchlists/{watchlist}/", {"GET": (302, 403, 200, 200, 200)}),
    "watchlists/<int:pk>/edit/": ("/watchlists/{watchlist}/edit/", {"GET": (302, 403, 403, 200, 200), "POST": (302, 403, 403, 200, 200)}),
    "watchlists/<int:pk>/delete/": ("/watchlists/{watchlist}/delete/", {"GET": (302, 403, 403, 200, 200), "POST": (302, 403, 403, 302, 302)}),
    "watchlists/<int:pk>/rotate-secret/": (
        "/watchlists/{watchlist}/rotate-secret/", {"GET": (302, 403, 403, 405, 405), "POST": (302, 403, 403, 200, 200)}
    ),
    "watchlists/alerts/": ("/watchlists/alerts/", {"GET": (302, 403, 200, 200, 200)}),
    "watchlists/alerts/<int:pk>/acknowledge/": (
        "/watchlists/alerts/{alert}/acknowledge/", {"GET": (302, 403, 403, 405, 405), "POST": (302, 403, 403, 302, 302)}
    ),
    "watchlists/alerts/acknowledge-shown/": (
        "/watchlists/alerts/acknowledge-shown/", {"GET": (302, 403, 403, 405, 405), "POST": (302, 403, 403, 302, 302)}
    ),
    # Each user's own setting: every role; an empty body is a 400.
    "watchlists/alerts/sound/": (
        "/watchlists/alerts/sound/", {"GET": (302, 403, 405, 405, 405), "POST": (302, 403, 400, 400, 400)}
    ),
    "detections/": ("/detections/", {"GET": (302, 403, 200, 200, 200)}),
    "detections/export.csv": ("/detections/export.csv", {"GET": (302, 403, 200, 200, 200)}),
    "detections/feed/": ("/detections/feed/", {"GET": (302, 403, 200, 200, 200)}),
    "detections/<int:pk>/": ("/detections/{detection}/", {"GET": (302, 403, 200, 200, 200)}),
    # Clips and timelines: viewers and up; 400 (no start given) or 503 (no playback server runs here) once let in.
    "recordings/cameras/<int:pk>/clip.mp4": ("/recordings/cameras/{camera}/clip.mp4", {"GET": (302, 403, 400, 400, 400)}),
    "recordings/cameras/<int:pk>/timeline": ("/recordings/cameras/{camera}/timeline", {"GET": (302, 403, 503, 503, 503)}),
    # Admins only; the example camera is in service, so the admin gets 404 (only deleted cameras are purged).
    "recordings/cameras/<int:pk>/purge/": (
        "/recordings/cameras/{camera}/purge/", {"GET": (302, 403, 403, 403, 404), "POST": (302, 403, 403, 403, 404)}
    ),
    # Operators and admins; the empty body (no reason) is refused with 400.
    "recordings/detections/<int:pk>/keep/": (
        "/recordings/detections/{detection}/keep/", {"GET": (302, 403, 403, 405, 405), "POST": (302, 403, 403, 400, 400)}
    ),
    "recordings/detections/<int:pk>/clip.mp4": (
        "/recordings/detections/{detection}/clip.mp4", {"GET": (302, 403, 503, 503, 503)}
    ),
    "media/<path:path>": ("/media/{snapshot}", {"GET": (302, 403, 200, 200, 200)}),
    # The media server's auth callback: no session counts, only what the body carries (a watch
    # token or a service credential; tests/streaming/test_media_auth.py). Not routed from outside.
    "internal/media-auth": ("/internal/media-auth", {"GET": (405, 405, 405, 405, 405), "POST": (400, 400, 400, 400, 400)}),
    # The Django admin: staff only (admins are staff); its own per-model permissions do the rest.
    "admin/": ("/admin/", {"GET": (302, 302, 302, 302, 200)}),
    # --- auth and schemas ---
    "api/auth/token/": ("/api/auth/token/", {"POST": (400, 400, 400, 400, 400)}),
    "api/auth/token/refresh/": ("/api/auth/token/refresh/", {"POST": (400, 400, 400, 400, 400)}),
    "api/schema/": ("/api/schema/", {"GET": (200, 200, 200, 200, 200)}),
    "api/openapi.json": ("/api/openapi.json", {"GET": (200, 200, 200, 200, 200)}),
    "api/docs": ("/api/docs", {"GET": (200, 200, 200, 200, 200)}),
    "api/": ("/api/", {"GET": (404, 404, 404, 404, 404)}),
    # --- REST API (DRF) ---
    "api/users/": ("/api/users/", {"GET": (401, 403, 403, 403, 200), "POST": (401, 403, 403, 403, 405)}),
    "api/users/<pk>/": ("/api/users/{user}/", {"GET": (401, 403, 403, 403, 200), "DELETE": (401, 403, 403, 403, 405)}),
    "api/cameras/": ("/api/cameras/", {"GET": (401, 403, 200, 200, 200), "POST": (401, 403, 403, 403, 400)}),
    "api/cameras/<pk>/": ("/api/cameras/{camera}/", {
        "GET": (401, 403, 200, 200, 200), "PUT": (401, 403, 403, 403, 400), "PATCH": (401, 403, 403, 403, 200),
        "DELETE": (401, 403, 403, 403, 204),
    }),
    "api/cameras/<pk>/zones/": ("/api/cameras/{camera}/zones/", {"GET": (401, 403, 405, 405, 405), "PUT": (401, 403, 403, 403, 400)}),
    "api/mosaics/": ("/api/mosaics/", {"GET": (401, 403, 200, 200, 200), "POST": (401, 403, 403, 400, 400)}),
    "api/mosaics/<pk>/": ("/api/mosaics/{mosaic}/", {
        "GET": (401, 403, 200, 200, 200), "PUT": (401, 403, 403, 400, 400), "PATCH": (401, 403, 403, 200, 200),
        "DELETE": (401, 403, 403, 204, 204),
    }),
    "api/watchlists/": ("/api/watchlists/", {"GET": (401, 403, 200, 200, 200), "POST": (401, 403, 403, 400, 400)}),
    "api/watchlists/<pk>/": ("/api/watchlists/{watchlist}/", {
        "GET": (401, 403, 200, 200, 200), "PUT": (401, 403, 403, 400, 400), "PATCH": (401, 403, 403, 200, 200),
        "DELETE": (401, 403, 403, 204, 204),
    }),
    "api/watchlists/<pk>/rotate-secret/": (
        "/api/watchlists/{watchlist}/rotate-secret/", {"GET": (401, 403, 405, 405, 405), "POST": (401, 403, 403, 200, 200)}
    ),
    "api/watchlists/<pk>/deliveries/": ("/api/watchlists/{watchlist}/deliveries/", {"GET": (401, 403, 200, 200, 200)}),
    "api/alerts/": ("/api/alerts/", {"GET": (401, 403, 200, 200, 200), "POST": (401, 403, 403, 405, 405)}),
    "api/alerts/<pk>/": ("/api/alerts/{alert}/", {"GET": (401, 403, 200, 200, 200), "DELETE": (401, 403, 403, 405, 405)}),
    "api/alerts/<pk>/acknowledge/": ("/api/alerts/{alert}/acknowledge/", {"POST": (401, 403, 403, 200, 200)}),
    "api/detections/": ("/api/detections/", {"GET": (401, 403, 200, 200, 200), "POST": (401, 403, 405, 405, 405)}),
    "api/detections/<pk>/": ("/api/detections/{detection}/", {"GET": (401, 403, 200, 200, 200), "DELETE": (401, 403, 405, 405, 405)}),
    "api/dashboard/": ("/api/dashboard/", {"GET": (401, 403, 200, 200, 200)}),
    # --- API (django-ninja) ---
    "api/me": ("/api/me", {"GET": (401, 200, 200, 200, 200)}),
    "api/streaming/cameras": ("/api/streaming/cameras", {"GET": (401, 403, 200, 200, 200)}),
    "api/streaming/cameras/<camera_id>": ("/api/streaming/cameras/{camera}", {"GET": (401, 403, 200, 200, 200)}),
    # The player's watch token (bound to the login it was asked with; tests/streaming/test_media_auth.py).
    "api/streaming/cameras/<camera_id>/watch-token": (
        "/api/streaming/cameras/{camera}/watch-token", {"GET": (401, 403, 200, 200, 200), "POST": (405, 405, 405, 405, 405)}
    ),
    "api/streaming/cameras/<camera_id>/provision": (
        "/api/streaming/cameras/{camera}/provision", {"GET": (405, 405, 405, 405, 405), "POST": (401, 403, 403, 403, 202)}
    ),
    "api/ai/pipeline": ("/api/ai/pipeline", {"GET": (401, 403, 200, 200, 200)}),
    "api/ai/pipeline/<camera_id>": ("/api/ai/pipeline/{camera}", {"GET": (401, 403, 200, 200, 200)}),
    "api/ai/models": ("/api/ai/models", {"GET": (401, 403, 200, 200, 200)}),
    "api/ai/recent": ("/api/ai/recent", {"GET": (401, 403, 200, 200, 200)}),
}

# The WebSocket routes (vms/routing.py) for (anonymous, no role, viewer, operator, admin): "open" —
# let in and kept; "refused" — the handshake is refused or the socket closed at once.
WEBSOCKET_RULES = {
    "ws/console/": ("refused", "refused", "open", "open", "open"),
}

# Video, as the media server asks /internal/media-auth (action, protocol) with the watch token the
# camera page would give each role (none for anonymous or no role): the status that answers
# (204 allowed, 401 refused). HLS playlists and segments, WHEP offers and the playback server
# (recordings, clips) are all asked this way; a watch token is a grant for its camera whatever the
# protocol (RTSP passes it as the password).
MEDIA_RULES = {
    ("read", "hls"): (401, 401, 204, 204, 204),
    ("read", "webrtc"): (401, 401, 204, 204, 204),
    ("playback", "playback"): (401, 401, 204, 204, 204),
    ("read", "rtsp"): (401, 401, 204, 204, 204),
    ("publish", "rtsp"): (401, 401, 401, 401, 401),
}

# The same, end to end as a browser asks (tests/security/test_video_through_the_entry_point.py):
# through HAProxy to real MediaMTX, which asks the app. For (anonymous, no role, viewer, operator,
# admin): the watch token from the app; the HLS playlist and a segment with that token (0: no
# playlist, so no segment to ask for); a WHEP offer with it (400: let in, and the dummy offer refused).
MEDIA_ENTRY_RULES = {
    "watch-token": (401, 403, 200, 200, 200),
    "hls playlist": (401, 401, 200, 200, 200),
    "hls segment": (0, 0, 200, 200, 200),
    "whep offer": (401, 401, 400, 400, 400),
}
