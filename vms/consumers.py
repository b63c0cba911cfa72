from channels.generic.websocket import AsyncJsonWebsocketConsumer

from vms.live import CONSOLE_GROUPS


class ConsoleConsumer(AsyncJsonWebsocketConsumer):
    """The console's live channel: authenticated by the session, joins the console groups."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = list(CONSOLE_GROUPS)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def console_event(self, message):
        await self.send_json({"event": message["event"], "payload": message["payload"]})
