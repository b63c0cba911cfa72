"""Liveness and readiness.

`/health` says the process answers. `/health/ready` checks every dependency
afresh on each call (nothing cached that would hide an outage) and answers
503 when any is down, naming it.
"""

import asyncio

import redis
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from kombu import Connection

CHECK_TIMEOUT = 2


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache():
    for url in (settings.REDIS_CACHE_URL, settings.REDIS_SESSIONS_URL):
        client = redis.Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()


def check_broker():
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=CHECK_TIMEOUT) as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT)


def check_channel_layer():
    # A fresh layer per check: the shared one keeps connection pools per event loop.
    layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)

    async def round_trip():
        try:
            channel = await layer.new_channel()
            await layer.send(channel, {"type": "health.ping"})
            await layer.receive(channel)
        finally:
            await layer.close_pools()

    asyncio.run(asyncio.wait_for(round_trip(), CHECK_TIMEOUT))


def check_media_server():
    from apps.streaming.client import media_server

    media_server().info()


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "channel_layer": check_channel_layer,
    "media_server": check_media_server,
}


def _describe(exc):
    text = str(exc) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"[:300]


def run_checks():
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # every failure is a finding to report, not a crash
            results[name] = _describe(exc)
    return results


def live(request):
    return JsonResponse({"status": "ok"})


def ready(request):
    results = run_checks()
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": results}, status=200 if healthy else 503)
