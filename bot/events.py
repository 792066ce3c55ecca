"""The two plain shapes every transport converts to and from.

Handlers only ever see `Incoming` and produce `Outgoing`; WeChat, the local
simulated groups and replay transcripts are all turned into these.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Incoming:
    """One message that reached the bot."""

    id: str
    room: str | None  # None: a private message to the bot
    sender: str  # WeChat contact id: identity is never the nickname
    name: str
    text: str
    ts: datetime
    mentions: tuple[str, ...] = ()
    quoted: str | None = None  # text of the message this one quotes, if any

    @property
    def private(self) -> bool:
        return self.room is None


@dataclass(frozen=True)
class Outgoing:
    """One message the bot means to send: to a room, or privately to a person."""

    text: str
    room: str | None = None
    to: str | None = None
    mentions: tuple[str, ...] = ()
    image: bytes | None = field(default=None, repr=False)  # a PNG (the digest chart)
    # Anti-flood: while a message with the same room and key is still held back by the
    # rate limit, this one is merged into it: `replace` keeps only the newest text
    # ("已记录 4 票，当前已投 31/120"), otherwise the lines are joined.
    coalesce: str | None = None
    replace: bool = False

    def __post_init__(self) -> None:
        if (self.room is None) == (self.to is None):
            raise ValueError("an outgoing message goes to exactly one room or one person")
