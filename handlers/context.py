"""What every handler receives: the seam between the domain and the runtime.

A handler reads the event and the database through this object and says what
to send; it never talks to a platform. The runtime builds one per message or
per scheduled job and sends `outgoing` after the database work has committed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session

from bot.config import Settings
from bot.events import Incoming, Outgoing
from storage.models import Person, Room


class Jobs(Protocol):
    """Ask for something to happen later; the runtime owns APScheduler and the clock."""

    def at(self, when: datetime, job: str, key: str, **kwargs: Any) -> None: ...

    def cancel(self, key: str) -> None: ...


@dataclass
class JobRequests:
    """Jobs asked for while handling one message, applied once its transaction commits
    (a refused or failed command schedules nothing)."""

    wanted: list[tuple] = field(default_factory=list)

    def at(self, when: datetime, job: str, key: str, **kwargs: Any) -> None:
        self.wanted.append(("at", when, job, key, kwargs))

    def cancel(self, key: str) -> None:
        self.wanted.append(("cancel", key))

    def apply(self, jobs: Jobs) -> None:
        for request in self.wanted:
            if request[0] == "at":
                _, when, job, key, kwargs = request
                jobs.at(when, job, key, **kwargs)
            else:
                jobs.cancel(request[1])


class Refusal(Exception):
    """A request that does not fit: the text is the short reply; nothing changes."""


@dataclass
class Context:
    settings: Settings
    session: Session
    now: datetime
    bot_id: str
    event: Incoming | None = None
    sender: Person | None = None
    room: Room | None = None
    routes: Any = None  # handlers.router.Routes: for #帮助
    classify: Any = None  # the classifier's text → Classification: for #立案 by hand
    outgoing: list[Outgoing] = field(default_factory=list)
    jobs: JobRequests = field(default_factory=JobRequests)

    # `coalesce`: messages with the same key that pile up behind the rate limit are
    # merged into one (acknowledgements: "ack"); `replace` keeps only the newest text.
    def reply(self, text: str, mentions: tuple[str, ...] | list[str] = (), *,
              coalesce: str | None = None, replace: bool = False) -> None:
        """Answer where the message came from: its group, or privately."""
        assert self.event is not None, "reply() needs an incoming message"
        if self.event.room is None:
            self.tell(self.event.sender, text, coalesce=coalesce, replace=replace)
        else:
            self.say(self.event.room, text, mentions, coalesce=coalesce, replace=replace)

    def say(self, room_id: str, text: str, mentions: tuple[str, ...] | list[str] = (), *,
            coalesce: str | None = None, replace: bool = False) -> None:
        self.outgoing.append(Outgoing(text=text, room=room_id, mentions=tuple(mentions),
                                      coalesce=coalesce, replace=replace))

    def tell(self, person_id: str, text: str, *, coalesce: str | None = None,
             replace: bool = False) -> None:
        self.outgoing.append(Outgoing(text=text, to=person_id, coalesce=coalesce, replace=replace))

    @property
    def is_staff(self) -> bool:
        return self.sender is not None and self.sender.role in ("grid_worker", "property", "admin")
