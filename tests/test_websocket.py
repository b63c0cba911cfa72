"""Live push: a console WebSocket receives what another process sends to its group."""

import asyncio
import json
import subprocess
import sys

import pytest
import websockets

from tests import processes
from tests.accounts.test_login import console_login

pytestmark = pytest.mark.django_db(transaction=True)

SEND_FROM_ANOTHER_PROCESS = """
import django; django.setup()
from vms.live import push
push("detections", "detection.created", {"plate": "BRA2E19"})
"""


def ws_url(base_url):
    return base_url.replace("http://", "ws://") + "/ws/console/"


async def receive_one(url, headers):
    async with websockets.connect(url, additional_headers=headers, open_timeout=5) as ws:
        # The group join happens during the handshake; send once we're in.
        subprocess.run(
            [sys.executable, "-c", SEND_FROM_ANOTHER_PROCESS], env=processes.test_env(), check=True, timeout=60
        )
        return json.loads(await asyncio.wait_for(ws.recv(), 10))


def test_a_logged_in_console_receives_a_group_send_from_another_process(asgi_server, victor):
    session, _ = console_login(asgi_server.base_url, "victor")
    headers = {
        "Cookie": f"sessionid={session.cookies['sessionid']}",
        "Origin": asgi_server.base_url,
    }
    message = asyncio.run(receive_one(ws_url(asgi_server.base_url), headers))
    assert message == {"event": "detection.created", "payload": {"plate": "BRA2E19"}}


def test_a_websocket_without_a_session_is_refused(asgi_server):
    async def connect():
        async with websockets.connect(ws_url(asgi_server.base_url), additional_headers={"Origin": asgi_server.base_url}) as ws:
            await asyncio.wait_for(ws.recv(), 5)

    with pytest.raises((websockets.exceptions.InvalidStatus, websockets.exceptions.ConnectionClosed)):
        asyncio.run(connect())
