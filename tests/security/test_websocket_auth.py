"""The console WebSocket: refused without a live session, with a logged-out one, and from another origin."""

import asyncio

import pytest
import websockets
import websockets.exceptions

from tests.accounts.test_login import PASSWORD, console_login
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


# --- the policy asked again while the socket is open (apps/accounts/consumers.py) -----------------

CLOSED_WITHIN = 6  # seconds: WS_ACCESS_RECHECK_SECONDS (2) and margin for a loaded machine


def close_code_after(base, cookie, action):
    """Open the console socket, do `action` (sync, from a thread), and return the close code seen,
    or None when the socket stayed open for CLOSED_WITHIN seconds."""

    async def run():
        async with websockets.connect(ws_url(base), additional_headers={"Cookie": cookie, "Origin": base}, open_timeout=5) as ws:
            await asyncio.to_thread(action)
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), CLOSED_WITHIN)
            except TimeoutError:
                return None
            except websockets.exceptions.ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else -1

    return asyncio.run(run())


def _victor_session(base):
    session, _ = console_login(base, "victor")
    return session, f"sessionid={session.cookies['sessionid']}"


def test_an_open_socket_is_closed_within_seconds_of_logout(asgi_server, victor):
    base = asgi_server.base_url
    session, cookie = _victor_session(base)

    def log_out():
        session.post(f"{base}/logout/", data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
                     headers={"Referer": f"{base}/"}, timeout=5)

    assert close_code_after(base, cookie, log_out) == 4403


def test_an_open_socket_is_closed_within_seconds_of_deactivation(asgi_server, victor):
    base = asgi_server.base_url
    _, cookie = _victor_session(base)

    def deactivate():
        type(victor).objects.filter(pk=victor.pk).update(is_active=False)

    assert close_code_after(base, cookie, deactivate) == 4403


def test_an_open_socket_is_closed_within_seconds_of_its_role_being_taken_away(asgi_server, victor):
    base = asgi_server.base_url
    _, cookie = _victor_session(base)
    assert close_code_after(base, cookie, victor.groups.clear) == 4403


def test_an_open_socket_stays_open_while_nothing_changes(asgi_server, victor):
    """The control for the three above: a recheck that always closed would pass them too."""
    base = asgi_server.base_url
    _, cookie = _victor_session(base)
    assert close_code_after(base, cookie, lambda: None) is None


def test_a_user_without_a_role_is_refused(asgi_server, make_user):
    from apps.accounts.models import User

    User.objects.create_user("nobody", password=PASSWORD)
    session, _ = console_login(asgi_server.base_url, "nobody")
    with pytest.raises(REFUSED):
        connect(ws_url(asgi_server.base_url), {"Cookie": f"sessionid={session.cookies['sessionid']}", "Origin": asgi_server.base_url})


# --- every WebSocket route has a rule per role (tests/security/access_rules.py) ------------------


def test_every_websocket_route_has_an_access_rule():
    from tests.security.access_rules import WEBSOCKET_RULES
    from vms.routing import websocket_urlpatterns

    routes = {str(pattern.pattern) for pattern in websocket_urlpatterns}
    assert routes == set(WEBSOCKET_RULES), f"WebSocket routes without a rule, or rules without a route: {routes ^ set(WEBSOCKET_RULES)}"


def _ws_outcome(base, route, cookie):
    headers = {"Origin": base, **({"Cookie": cookie} if cookie else {})}

    async def run():
        try:
            async with websockets.connect(f"{base.replace('http://', 'ws://')}/{route}", additional_headers=headers, open_timeout=5) as ws:
                await asyncio.wait_for(ws.recv(), 3)
        except TimeoutError:
            return "open"
        except REFUSED:
            return "refused"
        return "open"

    return asyncio.run(run())


def test_each_role_gets_what_the_websocket_rules_say(asgi_server, alice, olivia, victor):
    from apps.accounts.models import User
    from tests.security.access_rules import WEBSOCKET_RULES

    User.objects.create_user("nobody", password=PASSWORD)
    base = asgi_server.base_url
    cookies = [None] + [f"sessionid={console_login(base, name)[0].cookies['sessionid']}" for name in ("nobody", "victor", "olivia", "alice")]
    for route, expected in WEBSOCKET_RULES.items():
        assert tuple(_ws_outcome(base, route, cookie) for cookie in cookies) == expected, route
