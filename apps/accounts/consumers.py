"""The console's WebSocket: let in by the access policy, and put out as soon as it says no.

The session is checked again every `WS_ACCESS_RECHECK_SECONDS`: after a logout (the session is
gone), a password change, a deactivation or a role taken away, the socket is closed within that
time (code 4403), so a console stops receiving plates and alerts it may no longer see.
"""

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from apps.accounts import policy
from vms.live import CONSOLE_GROUPS

CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_ALLOWED = 4403


class ConsoleConsumer(AsyncJsonWebsocketConsumer):
    """The console's live channel: authenticated by the session, joins the console groups."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_LOGGED_IN)
            return
        if not await database_sync_to_async(policy.can)(user, "live.receive"):
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        self.groups_joined = list(CONSOLE_GROUPS)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.recheck = asyncio.ensure_future(self._recheck_access(self.scope["session"].session_key))

    async def _recheck_access(self, session_key):
        while True:
            await asyncio.sleep(settings.WS_ACCESS_RECHECK_SECONDS)
            try:
                allowed = await database_sync_to_async(policy.session_allows)(session_key, "live.receive")
            except Exception:  # the session store or database away: fail closed
                allowed = False
            if not allowed:
                await self._leave_groups()
                await self.close(code=CLOSE_NOT_ALLOWED)
                return

    async def _leave_groups(self):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []

    async def disconnect(self, code):
        recheck = getattr(self, "recheck", None)
        if recheck is not None and recheck is not asyncio.current_task():
            recheck.cancel()
        await self._leave_groups()

    async def console_event(self, message):
        await self.send_json({"event": message["event"], "payload": message["payload"]})
