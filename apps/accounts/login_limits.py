"""Failed login attempts, limited per username and per client IP, for the console and the JWT API.

Counted in the Django cache (Redis DB 1) in fixed windows of `LOGIN_FAILURE_WINDOW_SECONDS`: past
`LOGIN_FAILURES_PER_USER` failures for one username, or `LOGIN_FAILURES_PER_IP` from one address,
every attempt (even with the right password) is refused until the window ends. A successful login
clears the username's count; the address's count runs out with its window.

The client IP is `REMOTE_ADDR`, which uvicorn's `--proxy-headers` sets from the entry point's
`X-Forwarded-For` (as `vms/throttling.py` does); a client cannot choose it with its own header.
While Redis is away the counts are kept in the process (`vms/counters.py`): limited, never open.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings

from vms.counters import limits as cache

PREFIX = "login-failures"


@dataclass(frozen=True)
class Blocked:
    retry_after: int  # seconds

    @property
    def message(self):
        minutes = max(1, math.ceil(self.retry_after / 60))
        return f"Too many failed login attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


def _window():
    return int(settings.LOGIN_FAILURE_WINDOW_SECONDS)


def client_ip(request):
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(username, ip):
    # Usernames are case-insensitive for counting (Alice and alice are one target); hashed so any
    # string is a valid, short cache key.
    user = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    return {
        "user": (f"{PREFIX}:user:{user}", int(settings.LOGIN_FAILURES_PER_USER)),
        "ip": (f"{PREFIX}:ip:{ip}", int(settings.LOGIN_FAILURES_PER_IP)),
    }


def check(username, ip):
    """Blocked(...) when the username or the address has used up its failures, else None."""
    keys = _keys(username, ip)
    counts = cache.get_many([key for key, _ in keys.values()])
    now = time.time()
    waits = []
    for key, limit in keys.values():
        if counts.get(key, 0) >= limit:
            started = cache.get(f"{key}:start") or now
            waits.append(max(1, math.ceil(started + _window() - now)))
    return Blocked(retry_after=max(waits)) if waits else None


def record_failure(username, ip):
    window = _window()
    now = time.time()
    for key, _ in _keys(username, ip).values():
        # The first failure opens the window; the count and its start expire together.
        if cache.add(key, 0, window):
            cache.set(f"{key}:start", now, window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            cache.set(f"{key}:start", now, window)


def record_success(username):
    key, _ = _keys(username, "")["user"]
    cache.delete_many([key, f"{key}:start"])
