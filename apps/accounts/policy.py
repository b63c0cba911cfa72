"""THE access policy: who may do what. Every access decision in the project asks `can`.

DRF permission classes, the ninja routers, console views, the console WebSocket, the media-auth
endpoint and the services all call `can(user, action, obj=None)`; nothing else decides access.
`apps/accounts/roles.py` names the roles (groups) and the Django model permissions the admin site
uses; this module says which role each action needs, and the few rules that depend on the object.

A user without a role (created in the Django admin, say) may do nothing but log in and out and see
a page saying an admin must give them one. An inactive user may do nothing.
"""

from importlib import import_module
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user
from django.core.exceptions import PermissionDenied

from apps.accounts.roles import ADMIN, OPERATOR, VIEWER

RANK = {VIEWER: 1, OPERATOR: 2, ADMIN: 3}

# action -> the least role that may do it
RULES = {
    # seeing: every role
    "console.view": VIEWER,  # console pages, read APIs, dashboards
    "camera.view": VIEWER,
    "camera.watch": VIEWER,  # live video (HLS, WHEP), recordings, snapshots and clips
    "detection.view": VIEWER,
    "mosaic.view": VIEWER,
    "watchlist.view": VIEWER,
    "live.receive": VIEWER,  # the console WebSocket's pushes
    "pipeline.view": VIEWER,  # /api/ai/*
    "stream.view": VIEWER,  # /api/streaming/*
    # running the site: operators
    "mosaic.create": OPERATOR,
    "mosaic.change": OPERATOR,  # their own mosaic; admins any (see OBJECT_RULES)
    "watchlist.change": OPERATOR,
    "webhook.view": OPERATOR,  # webhook URLs (often a receiver's bearer secret) and signing secrets
    "alert.acknowledge": OPERATOR,
    "clip.keep": OPERATOR,  # an evidence lock: a detection's clip kept for good, exempt from retention
    # everything else: admins
    "camera.change": ADMIN,
    "camera.purge": ADMIN,  # an archived camera's detections, alerts, recordings and kept clips, for good
    "mosaic.view_all": ADMIN,  # private mosaics of others (admins may change any)
    "stream.provision": ADMIN,
    "user.view": ADMIN,
    "user.change": ADMIN,  # create, change role, deactivate, reset a password (apps/accounts/services.py)
}


def role_of(user):
    """The highest role the user holds, or None (anonymous, or given none)."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMIN
    names = set(user.groups.values_list("name", flat=True))
    for role in (ADMIN, OPERATOR, VIEWER):
        if role in names:
            return role
    return None


def has_role(user, role):
    """True when the user is active and holds `role` or one above it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    held = role_of(user)
    return held is not None and RANK[held] >= RANK[role]


def _mosaic_change(user, mosaic):
    return has_role(user, ADMIN) or mosaic.owner_id == user.pk


OBJECT_RULES = {
    "mosaic.change": _mosaic_change,
}


class _System:
    """The system itself, acting for whoever runs a command on the host (the demo seed, the
    benchmarks): no user, so audited as no one. Never the answer to a request."""

    pk = None
    is_authenticated = False
    is_active = False

    def __repr__(self):
        return "SYSTEM"


SYSTEM = _System()


def can(user, action, obj=None):
    """May `user` do `action` (on `obj`, where the rule depends on it)? An unknown action is a KeyError."""
    if user is SYSTEM:
        RULES[action]  # still a KeyError for an unknown action
        return True
    if not has_role(user, RULES[action]):
        return False
    object_rule = OBJECT_RULES.get(action)
    if obj is not None and object_rule is not None:
        return object_rule(user, obj)
    return True


def require(user, action, obj=None, message=None):
    """`can`, for services: PermissionDenied (403 in every API) when not."""
    if not can(user, action, obj):
        raise PermissionDenied(message or f"Not allowed: {action} needs the {RULES[action]} role.")


def session_allows(session_key, action, obj=None):
    """`can` for the user of login session `session_key`, read afresh from the session store: False
    after a logout (the session is gone), a password change, a deactivation or a role taken away.
    For what outlives a request: the console WebSocket and the media server's watch grants."""
    if not session_key:
        return False
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return can(get_user(SimpleNamespace(session=session)), action, obj)
