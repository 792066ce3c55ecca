"""The outgoing path: everything the bot says leaves through here.

A failed send is retried with back-off; messages keep their order.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from bot.events import Outgoing
from bot.transport import SendError, Transport

log = logging.getLogger(__name__)

RETRIES = (1, 5, 30)  # seconds between attempts


class Outbox:
    def __init__(self, transport: Transport, *, sleep: bool = True) -> None:
        self.transport = transport
        self.sleep = sleep  # replay and tests never sleep
        self._lock = asyncio.Lock()

    async def send(self, messages: Iterable[Outgoing]) -> None:
        async with self._lock:  # one sender at a time keeps each room's order
            for message in messages:
                await self._deliver(message)

    async def _deliver(self, message: Outgoing) -> None:
        for attempt, pause in enumerate((*RETRIES, None), start=1):
            try:
                await self.transport.send(message)
                return
            except SendError as exc:
                if pause is None:
                    log.error("giving up on a message to %s after %d tries: %s",
                              message.room or message.to, attempt, exc)
                    return
                log.warning("send failed (%s); retrying in %ss", exc, pause)
                if self.sleep:
                    await asyncio.sleep(pause)
