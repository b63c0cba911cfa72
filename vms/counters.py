"""Counters for limits (failed logins, API rate limits) that keep counting while Redis is away.

The site's cache ignores Redis errors (a miss, never a 500), which is right for a cache and wrong
for a limit: every count would read as zero, and a password guesser would have no limit at all
while Redis restarts. `limits` is the cache for limits: the `limits` alias (Redis DB 1, errors
raised), and while Redis does not answer, this process's memory (`limits_fallback`, LocMem) for
`FALLBACK_SECONDS` before Redis is tried again. Counted per process, a limit is per web process
for that time — looser, never off.
"""

import logging
import time

from django.core.cache import caches
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

FALLBACK_SECONDS = 5
REDIS_DOWN = (ConnectionInterrupted, RedisError, ConnectionError, TimeoutError, OSError)


class FailoverCache:
    """The cache API (what the limits call), Redis first, this process's memory while it is down."""

    def __init__(self, primary="limits", fallback="limits_fallback"):
        self.primary, self.fallback = primary, fallback
        self.down_until = 0.0

    def __getattr__(self, name):
        def call(*args, **kwargs):
            if time.monotonic() >= self.down_until:
                try:
                    return getattr(caches[self.primary], name)(*args, **kwargs)
                except REDIS_DOWN as exc:
                    logger.warning("limits counted in process for %ss: Redis unavailable (%s)", FALLBACK_SECONDS, exc.__class__.__name__)
                    self.down_until = time.monotonic() + FALLBACK_SECONDS
            return getattr(caches[self.fallback], name)(*args, **kwargs)

        return call


limits = FailoverCache()
