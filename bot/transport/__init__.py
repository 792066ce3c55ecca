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
# (config room id, [(contact id, name), …]): the whole member list of a room, the bot excluded
OnMembers = Callable[[str, list[tuple[str, str]]], Awaitable[None]]


class SendError(Exception):
    """The platform did not take the message; the outbox retries it."""


class StartError(Exception):
    """The transport cannot start (gateway unreachable, token rejected): a message for the user."""


class Transport(Protocol):
    self_id: str  # the bot's own contact id
    self_name: str

    async def start(self, on_message: OnMessage, on_members: OnMembers | None = None) -> None:
        """Begin delivering messages. `on_members` is called with a room's whole member list
        whenever the transport learns it (local: at start; wechaty: at login, when a room is
        bound, when someone joins or leaves): the electorate of 过半/三分之二 votes."""
        ...

    async def room_members(self, room_id: str) -> list[tuple[str, str]] | None:
        """(contact id, name) of everyone in the config room `room_id` but the bot;
        None when the transport cannot know (not logged in, room not found yet)."""
        ...

    async def stop(self) -> None: ...

    async def send(self, message: Outgoing) -> None:
        """Deliver one message or raise SendError."""
        ...
