"""Authentication for django-ninja endpoints, shared with DRF's JWT settings."""

import functools

from ninja.security import HttpBearer, django_auth
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

from apps.accounts import policy

_jwt = JWTAuthentication()


class JWTBearer(HttpBearer):
    """Accepts the same access tokens as DRF (simplejwt), so one login serves both APIs."""

    def authenticate(self, request, token):
        try:
            validated = _jwt.get_validated_token(token.encode())
            user = _jwt.get_user(validated)
        except (InvalidToken, AuthenticationFailed):
            return None
        if not user.is_active:
            return None
        request.user = user
        return user


# JWT for API clients, the session (with CSRF) for the console's own calls.
api_auth = [JWTBearer(), django_auth]


def router_requires(router, action):
    """Every operation of a ninja router needs the policy's `action` (403 otherwise, after authentication)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            policy.require(request.auth, action)
            return view(request, *args, **kwargs)

        return wrapped

    router.add_decorator(decorator)
    return router
