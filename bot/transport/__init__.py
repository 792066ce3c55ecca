"""Transports turn a platform's events into `Incoming` and send `Outgoing` back.

`local`: simulated groups inside the process (the web page, replay and tests).
`wechaty`: real WeChat groups through a Wechaty puppet service (python-wechaty).
A new platform is one new module here and nothing else.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.events import Incoming, Outgoing

OnMessage = Callable[[Incoming], Awaitable[None]]


class SendError(Exception):
    """The platform did not take the message; the outbox retries it."""


class StartError(Exception):
    """The transport cannot start (gateway unreachable, token rejected): a message for the user."""


class Transport(Protocol):
    self_id: str  # the bot's own contact id
    self_name: str

    async def start(self, on_message: OnMessage) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, message: Outgoing) -> None:
        """Deliver one message or raise SendError."""
        ...
