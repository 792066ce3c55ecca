"""Simulated groups kept in the process: the demo page, replay and the tests talk to it.

Chat history lives only in memory (the database never stores ordinary chat).
"""
from __future__ import annotations

import base64
import itertools
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.events import Incoming, Outgoing
from bot.transport import OnMembers, OnMessage, SendError, drop_at_marks

# Invented residents so that a demo has someone to be; config `residents:` replaces them.
DEMO_RESIDENTS = (
    ("u-101", "王阿姨"), ("u-102", "李师傅"), ("u-103", "张先生"), ("u-104", "陈姐"),
    ("u-105", "赵大爷"), ("u-106", "刘女士"),
)
HISTORY = 200


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    role: str


@dataclass(frozen=True)
class Line:
    """One line of a simulated chat, as the page shows it."""

    seq: int
    chat: str  # room id, or "dm:<contact id>" for a private chat with the bot
    sender: str
    name: str
    text: str
    ts: str
    mentions: tuple[str, ...] = ()
    quoted: str | None = None
    image: str | None = None  # a data: URL (the digest chart)
    from_bot: bool = False


Listener = Callable[[Line], Awaitable[None]]


class LocalTransport:
    self_id = "linli"
    self_name = "邻里小助手"

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.sent: list[tuple[str, Outgoing]] = []  # (iso time, message): what replay prints
        self.history: dict[str, deque[Line]] = {}
        self.listeners: set[Listener] = set()
        self._on_message: OnMessage | None = None
        self._seq = itertools.count(1)
        self.members = self._members()
        self.failures = 0  # tests: the next N sends raise SendError, as a flaky network would

    def _members(self) -> dict[str, list[Member]]:
        staff = [Member(s.id, s.name, s.role) for s in self.settings.staff]
        residents = [(r.id, r.name, r.room) for r in self.settings.residents] or \
                    [(i, n, None) for i, n in DEMO_RESIDENTS]
        rooms = {}
        for room in self.settings.rooms:
            rooms[room.id] = staff + [Member(i, n, "resident") for i, n, where in residents
                                      if where in (None, room.id)]
        return rooms

    def _name(self, contact_id: str) -> str:
        return self.self_name if contact_id == self.self_id else self.name_of(contact_id)

    def name_of(self, contact_id: str) -> str:
        for members in self.members.values():
            for m in members:
                if m.id == contact_id:
                    return m.name
        return contact_id

    async def start(self, on_message: OnMessage, on_members: OnMembers | None = None) -> None:
        self._on_message = on_message
        if on_members is not None:  # the simulated groups' members are known from the start
            for room_id in self.members:
                await on_members(room_id, await self.room_members(room_id))

    async def room_members(self, room_id: str) -> list[tuple[str, str]] | None:
        """The configured members of a simulated group (what the page lists)."""
        if room_id not in self.members:
            return None
        return [(m.id, m.name) for m in self.members[room_id]]

    async def stop(self) -> None:
        self._on_message = None

    async def post(self, *, room: str | None, sender: str, name: str, text: str,
                   mentions: tuple[str, ...] = (), quoted: str | None = None,
                   msg_id: str | None = None) -> Incoming:
        """A member says something (from the page, replay or a test)."""
        now = self.clock.now()
        # as from WeChat (bot/transport/wechaty.py): the @ marks are not part of the words
        everyone = [m.name for ms in self.members.values() for m in ms] + [self.self_name]
        event = Incoming(id=msg_id or uuid.uuid4().hex, room=room, sender=sender, name=name,
                         text=drop_at_marks(text, [self._name(m) for m in mentions]), ts=now,
                         mentions=tuple(mentions),
                         quoted=drop_at_marks(quoted, everyone) if quoted else quoted)
        await self._show(Line(next(self._seq), room or f"dm:{sender}", sender, name, text,
                              now.isoformat(), tuple(mentions), quoted))
        if self._on_message is not None:
            await self._on_message(event)
        return event

    async def send(self, message: Outgoing) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise SendError("simulated failure")
        now = self.clock.now()
        self.sent.append((now.isoformat(), message))
        image = None
        if message.image:
            image = "data:image/png;base64," + base64.b64encode(message.image).decode()
        await self._show(Line(next(self._seq), message.room or f"dm:{message.to}", self.self_id,
                              self.self_name, self.render(message), now.isoformat(),
                              message.mentions, None, image, True))

    def render(self, message: Outgoing) -> str:
        """The text as WeChat shows it: @-mentions first."""
        ats = "".join(f"@{self.name_of(m)} " for m in message.mentions)
        return ats + message.text

    async def _show(self, line: Line) -> None:
        self.history.setdefault(line.chat, deque(maxlen=HISTORY)).append(line)
        for listener in list(self.listeners):
            try:
                await listener(line)
            except Exception:  # a closed browser tab must not stop the bot
                self.listeners.discard(listener)
