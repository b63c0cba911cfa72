"""Pipeline counters and latencies, shared by every worker process through Redis (DB 3).

Counters per camera: grabbed, then exactly one outcome per grabbed frame — still
(no motion), empty (nothing found), persisted, superseded (a newer frame of the
camera took its place while it waited for detect), or dropped (by reason: expired,
frame_gone, persist_failed) — plus detected (went through the models) and drops before a frame
was grabbed (no_frame, stale_source).
Latencies per camera and stage: the last LATENCY_KEEP observations, in ms.
"""

import time
from functools import lru_cache

import redis
from django.conf import settings

from vms.stats import percentile

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


def last_frame_times(camera_ids):
    """{camera id: wall-clock time of the frames worker's last frame of it} for those that have one."""
    if not camera_ids:
        return {}
    pipe = store().pipeline()
    for camera_id in camera_ids:
        pipe.hget(f"metrics:{camera_id}", "last_frame_at")
    return {camera_id: float(value) for camera_id, value in zip(camera_ids, pipe.execute()) if value is not None}


def camera_snapshot(camera_id, client=None):
    """Counters and latency percentiles of one camera (`client`: another Redis than this process's)."""
    client = client or store()
    raw = {k.decode(): v.decode() for k, v in client.hgetall(f"metrics:{camera_id}").items()}
    counters = {k: int(v) for k, v in raw.items() if k not in ("last_frame_at",)}
    latencies = {}
    for stage in STAGES:
        values = [float(v) for v in client.lrange(f"latency:{camera_id}:{stage}", 0, -1)]
        latencies[stage] = {"p50": percentile(values, 0.5, empty=None), "p95": percentile(values, 0.95, empty=None), "count": len(values)}
    return {
        "grabbed": counters.get("grabbed", 0),
        "detected": counters.get("detected", 0),
        "persisted": counters.get("persisted", 0),
        "still": counters.get("still", 0),
        "empty": counters.get("empty", 0),
        "superseded": counters.get("superseded", 0),
        "dropped": {k.split(":", 1)[1]: v for k, v in counters.items() if k.startswith("dropped:")},
        "last_frame_at": float(raw["last_frame_at"]) if "last_frame_at" in raw else None,
        "latency_ms": latencies,
    }


# Drops that happen before a frame is grabbed, so outside the ledger.
NOT_GRABBED = ("no_frame", "stale_source")


def ledger(snapshot):
    """(grabbed, accounted for): equal once the pipeline is idle."""
    dropped = sum(v for k, v in snapshot["dropped"].items() if k not in NOT_GRABBED)
    accounted = snapshot["still"] + snapshot["empty"] + snapshot["persisted"] + snapshot["superseded"] + dropped
    return snapshot["grabbed"], accounted


def cameras():
    return sorted(int(v) for v in store().smembers("metrics:cameras"))


def reset():
    keys = list(store().scan_iter("metrics:*")) + list(store().scan_iter("latency:*"))
    if keys:
        store().delete(*keys)
