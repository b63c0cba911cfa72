"""Redis restarted: pages keep answering (cache misses are not errors), WebSocket clients reconnect and receive again.

Runs a private Redis on its own port: the machine's shared Redis is never stopped.
"""

import asyncio
import json
import subprocess
import sys
import time

import pytest
import requests
import websockets

from tests import processes
from tests.accounts.test_login import console_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PUSH = """
import django; django.setup()
from vms.live import push
push("status", "camera.status", {"id": 1, "stream_state": "online"})
"""


def start_redis(port):
    proc = processes.Process(
        f"redis-{port}",
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    )
    processes.wait_for(lambda: processes.port_open(port), timeout=10, what="private redis")
    return proc


async def receive_push(base_url, session_id, env, timeout=15):
    url = base_url.replace("http://", "ws://") + "/ws/console/"
    headers = {"Cookie": f"sessionid={session_id}", "Origin": base_url}
    async with websockets.connect(url, additional_headers=headers, open_timeout=5) as ws:
        subprocess.run([sys.executable, "-c", PUSH], env=env, check=True, timeout=60)
        return json.loads(await asyncio.wait_for(ws.recv(), timeout))


def connect_and_receive(base_url, env, username, deadline_seconds=30):
    """What the console's script does: log in if needed, (re)connect, and wait for the next push."""
    deadline = time.monotonic() + deadline_seconds
    last_error = None
    while time.monotonic() < deadline:
        try:
            session, _ = console_login(base_url, username)
            return asyncio.run(receive_push(base_url, session.cookies["sessionid"], env))
        except Exception as exc:  # Redis still coming back: try again, as the console does
            last_error = exc
            time.sleep(0.5)
    raise AssertionError(f"no push received after Redis came back: {last_error!r}")


def test_websocket_clients_reconnect_and_pages_keep_answering_across_a_redis_restart(victor, record_recovery):
    port = processes.free_port()
    redis_proc = start_redis(port)
    base = f"redis://127.0.0.1:{port}"
    env = processes.test_env(
        TEST_REDIS_SESSIONS_URL=f"{base}/0", TEST_REDIS_CACHE_URL=f"{base}/1",
        TEST_REDIS_STREAMING_URL=f"{base}/2", TEST_REDIS_AI_URL=f"{base}/3",
    )
    web = processes.start_asgi_server(env=env, name="asgi-redis-restart")
    try:
        assert connect_and_receive(web.base_url, env, "victor")["event"] == "camera.status"

        redis_proc.kill()
        processes.wait_for(lambda: not processes.port_open(port), timeout=10, what="redis down")
        login_page = requests.get(f"{web.base_url}/login/", timeout=10)
        assert login_page.status_code == 200, "a cache outage must not break pages"
        assert requests.get(f"{web.base_url}/health", timeout=10).status_code == 200
        assert requests.get(f"{web.base_url}/health/ready", timeout=20).json()["checks"]["cache"] != "ok"

        restarted_at = time.monotonic()
        redis_proc = start_redis(port)
        message = connect_and_receive(web.base_url, env, "victor")
        recovered = time.monotonic() - restarted_at
        assert message == {"event": "camera.status", "payload": {"id": 1, "stream_state": "online"}}
        web.check_alive()
        record_recovery("Redis restarted", recovered)
    finally:
        web.stop()
        redis_proc.stop()
