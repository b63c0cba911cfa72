"""Per-client rate limits for the APIs (DRF and django-ninja), counted in the Django cache (Redis DB 1).

One budget per client across both APIs: the same cache key (`throttle_api_<ident>`) is used by the
DRF and the ninja throttle, where the ident is the user id when authenticated, else the client IP.

The client IP is `REMOTE_ADDR`. Behind the entry point, uvicorn's `--proxy-headers` (trusting only
the proxy, `--forwarded-allow-ips`) has already replaced it with the client's address from
`X-Forwarded-For`; a client cannot spoof it by sending its own header.

The rate is read on every request from `settings.API_RATE_LIMIT` ("100/min"; "" turns it off),
so tests and deployments can change it without re-importing anything. Both answer 429 with
`Retry-After` (DRF from `wait()`, ninja likewise). While Redis is away the counts are kept in
the process (`vms/counters.py`), so the limit holds.
"""

from django.conf import settings
from ninja.throttling import SimpleRateThrottle as NinjaSimpleRateThrottle
from rest_framework.throttling import SimpleRateThrottle as DrfSimpleRateThrottle

from vms.counters import limits

SCOPE = "api"


def current_rate():
    return getattr(settings, "API_RATE_LIMIT", "") or None


def client_ident(request):
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


class ApiRateThrottle(DrfSimpleRateThrottle):
    """DRF: `REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]`."""

    scope = SCOPE
    cache = limits

    def get_rate(self):
        return current_rate()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ident(request)}


class NinjaApiRateThrottle(NinjaSimpleRateThrottle):
    """django-ninja: `NinjaAPI(throttle=[NinjaApiRateThrottle()])`; runs after authentication."""

    scope = SCOPE
    cache = limits

    def __init__(self):
        # The instance lives as long as the API; the rate is re-read per request in allow_request.
        self.rate = current_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_cache_key(self, request):
        return self.cache_format % {"scope": self.scope, "ident": client_ident(request)}

    def allow_request(self, request):
        self.rate = current_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)
