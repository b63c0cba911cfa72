"""The console WebSocket: refused without a live session, with a logged-out one, and from another origin."""

import asyncio

import pytest
import websockets
import websockets.exceptions

from tests.accounts.test_login import console_login
from tests.test_websocket import ws_url

pytestmark = pytest.mark.django_db(transaction=True)

REFUSED = (websockets.exceptions.InvalidStatus, websockets.exceptions.ConnectionClosed)


def connect(url, headers):
    async def run():
        async with websockets.connect(url, additional_headers=headers, open_timeout=5) as ws:
            await asyncio.wait_for(ws.recv(), 3)

    asyncio.run(run())


def test_a_logged_out_session_cookie_is_refused(asgi_server, victor):
    base = asgi_server.base_url
    session, _ = console_login(base, "victor")
    cookie = f"sessionid={session.cookies['sessionid']}"
    session.post(f"{base}/logout/", data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
                 headers={"Referer": f"{base}/"}, timeout=5)
    with pytest.raises(REFUSED):
        connect(ws_url(base), {"Cookie": cookie, "Origin": base})


def test_a_made_up_session_cookie_is_refused(asgi_server):
    with pytest.raises(REFUSED):
        connect(ws_url(asgi_server.base_url), {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345", "Origin": asgi_server.base_url})


def test_a_valid_session_from_another_origin_is_refused(asgi_server, victor):
    """Cross-site WebSocket hijacking: the browser sends the cookie, the Origin gives the other site away."""
    session, _ = console_login(asgi_server.base_url, "victor")
    # The control: from its own origin the same cookie is let in (and waits for events).
    with pytest.raises(TimeoutError):
        connect(ws_url(asgi_server.base_url), {"Cookie": f"sessionid={session.cookies['sessionid']}", "Origin": asgi_server.base_url})
    with pytest.raises(websockets.exceptions.InvalidStatus):
        connect(ws_url(asgi_server.base_url), {"Cookie": f"sessionid={session.cookies['sessionid']}", "Origin": "http://evil.example"})
