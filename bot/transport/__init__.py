"""Transports turn a platform's events into `Incoming` and send `Outgoing` back.

`local`: simulated groups inside the process (the web page, replay and tests).
`wechaty`: real WeChat groups through a Wechaty puppet service (python-wechaty).
A new platform is one new module here and nothing else.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from bot.events import Incoming, Outgoing

OnMessage = Callable[[Incoming], Awaitable[None]]
# (config room id, [(contact id, name), …]): the whole member list of a room, the bot excluded
OnMembers = Callable[[str, list[tuple[str, str]]], Awaitable[None]]


def drop_at_marks(text: str, names: Iterable[str]) -> str:
    """The text without `@名字` marks of these people: an @ addresses someone, it is not
    what the message says. WeChat ends a mark with U+2005; a typed one with a space."""
    for name in sorted(set(filter(None, names)), key=len, reverse=True):
        text = re.sub(rf"@{re.escape(name)}(?:[\u2005 ]|$)", "", text)
    return text.strip()


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
