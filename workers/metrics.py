"""Pipeline counters and latencies, shared by every worker process through Redis (DB 3).

Counters per camera: grabbed, detected, persisted, dropped (by reason).
Latencies per camera and stage: the last LATENCY_KEEP observations, in ms.
"""

import time
from functools import lru_cache

import redis
from django.conf import settings

LATENCY_KEEP = 500
STAGES = ("grab", "detect", "persist", "frame_to_persisted")


@lru_cache(maxsize=1)
def store():
    return redis.Redis.from_url(settings.REDIS_AI_URL, socket_timeout=2, socket_connect_timeout=2)


def incr(camera_id, name, amount=1):
    pipe = store().pipeline()
    pipe.hincrby(f"metrics:{camera_id}", name, amount)
    pipe.sadd("metrics:cameras", camera_id)
    pipe.execute()


def dropped(camera_id, reason):
    incr(camera_id, f"dropped:{reason}")


def observe(camera_id, stage, milliseconds):
    key = f"latency:{camera_id}:{stage}"
    pipe = store().pipeline()
    pipe.lpush(key, round(milliseconds, 1))
    pipe.ltrim(key, 0, LATENCY_KEEP - 1)
    pipe.execute()


def mark(camera_id, field, value=None):
    store().hset(f"metrics:{camera_id}", field, value if value is not None else time.time())


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def camera_snapshot(camera_id):
    raw = {k.decode(): v.decode() for k, v in store().hgetall(f"metrics:{camera_id}").items()}
    counters = {k: int(v) for k, v in raw.items() if k not in ("last_frame_at",)}
    latencies = {}
    for stage in STAGES:
        values = [float(v) for v in store().lrange(f"latency:{camera_id}:{stage}", 0, -1)]
        latencies[stage] = {"p50": percentile(values, 0.5), "p95": percentile(values, 0.95), "count": len(values)}
    return {
        "grabbed": counters.get("grabbed", 0),
        "detected": counters.get("detected", 0),
        "persisted": counters.get("persisted", 0),
        "dropped": {k.split(":", 1)[1]: v for k, v in counters.items() if k.startswith("dropped:")},
        "last_frame_at": float(raw["last_frame_at"]) if "last_frame_at" in raw else None,
        "latency_ms": latencies,
    }


def cameras():
    return sorted(int(v) for v in store().smembers("metrics:cameras"))


def reset():
    keys = list(store().scan_iter("metrics:*")) + list(store().scan_iter("latency:*"))
    if keys:
        store().delete(*keys)
