"""The tables. One sequence of item numbers per database (SPEC §4).

Times are stored in UTC and always come back timezone-aware, on SQLite and
PostgreSQL alike. Ordinary chat is never stored: only the text of messages that
became items, commands or ballots.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass the clock's aware time")
        return value.astimezone(timezone.utc).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _time(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UtcDateTime(), nullable=nullable))


def _json() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Room(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str
    scope: str  # community | building
    building: str | None = None


class Person(SQLModel, table=True):
    id: str = Field(primary_key=True)  # WeChat contact id
    name: str
    role: str = "resident"
    buildings: list[str] = _json()
    department: str | None = None


class RoomMember(SQLModel, table=True):
    """Who is in which group: the electorate of a 过半/三分之二 vote."""

    room_id: str = Field(primary_key=True, foreign_key="room.id")
    person_id: str = Field(primary_key=True, foreign_key="person.id")


class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # complaint | proposal
    status: str
    category: str | None = None
    building: str | None = None
    room_id: str | None = Field(default=None, foreign_key="room.id")  # None: raised privately
    text: str
    urgent: bool = False
    reporter_id: str = Field(foreign_key="person.id")
    assignee_id: str | None = Field(default=None, foreign_key="person.id")
    level: str = "社区"
    department: str | None = None
    sla_kind: str = "simple"  # simple | cross_department | complex
    rating: str | None = None
    merged_into: int | None = Field(default=None, foreign_key="item.id")
    solved_level: str | None = None
    source_msg: str | None = None
    created_at: datetime = _time()
    accepted_at: datetime | None = _time(nullable=True)
    resolved_at: datetime | None = _time(nullable=True)
    closed_at: datetime | None = _time(nullable=True)


class ItemReporter(SQLModel, table=True):
    """Everyone who raised the same problem; all are told of the result."""

    item_id: int = Field(primary_key=True, foreign_key="item.id")
    person_id: str = Field(primary_key=True, foreign_key="person.id")
    private: bool = False  # raised in a private chat: never named in a group
    msg_id: str | None = None
    at: datetime = _time()


class ItemEvent(SQLModel, table=True):
    """Append-only timeline: who did what, when, from which message."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    at: datetime = _time()
    actor_id: str | None = None  # None: the bot itself (a timer, the classifier)
    action: str
    detail: str = ""
    msg_id: str | None = None


class Supporter(SQLModel, table=True):
    item_id: int = Field(primary_key=True, foreign_key="item.id")
    person_id: str = Field(primary_key=True, foreign_key="person.id")
    at: datetime = _time()


class Vote(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    room_id: str | None = Field(default=None, foreign_key="room.id")
    title: str
    options: list[str] = _json()
    rule: str = "过半"
    anonymous: bool = False
    status: str = "open"  # open | closed
    opened_by: str | None = None
    opened_at: datetime = _time()
    deadline: datetime = _time()
    closed_at: datetime | None = _time(nullable=True)
    result: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Ballot(SQLModel, table=True):
    """The last ballot of each voter counts; anonymous votes keep only a keyed hash."""

    __table_args__ = (UniqueConstraint("vote_id", "voter_key"),)
    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    voter_key: str
    voter_id: str | None = None  # None for anonymous votes
    option: str
    at: datetime = _time()


class SeenMessage(SQLModel, table=True):
    """Message ids already handled: WeChat and reconnects deliver some twice. No text."""

    id: str = Field(primary_key=True)
    at: datetime = _time()


class Correction(SQLModel, table=True):
    """A message the classifier got wrong, with the label staff gave it (#驳回, #立案 quoting).

    `linli train` learns from these on top of the shipped corpus.
    """

    id: int | None = Field(default=None, primary_key=True)
    text: str
    kind: str
    category: str | None = None
    urgent: bool = False
    building: str | None = None
    source: str  # rejected | opened_by_hand
    item_id: int | None = None
    at: datetime = _time()


# --- outbox (issue 7): every message the bot sends, written before it is sent ---------

from sqlalchemy import LargeBinary  # noqa: E402  (kept with the one table that needs it)


class OutboxMessage(SQLModel, table=True):
    """One message to send. Written in the same transaction as the work that caused it,
    so a crash between commit and send loses nothing; `status` says whether it left."""

    id: int | None = Field(default=None, primary_key=True)  # the order of sending
    status: str = Field(default="pending", index=True)  # pending | sent | failed
    room_id: str | None = None
    to_id: str | None = None
    text: str
    mentions: list[str] = _json()
    image: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    coalesce_key: str | None = None
    replace: bool = False
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = _time()
    next_try_at: datetime | None = _time(nullable=True)
    sent_at: datetime | None = _time(nullable=True)


# --- proposals and votes (issue 6) ---------------------------------------------------------

class Secret(SQLModel, table=True):
    """Keys the bot makes for itself, e.g. the key of the anonymous-ballot hash.

    Made once per database with `secrets`; never shown, never in config or logs.
    """

    name: str = Field(primary_key=True)
    value: str


class VoteElector(SQLModel, table=True):
    """The electorate of a Civil Code vote, fixed when the vote opens: one row per owner
    (by head), with the exclusive area summed over their units. Anonymous votes key it by
    the same keyed hash as their ballots."""

    vote_id: int = Field(primary_key=True, foreign_key="vote.id")
    voter_key: str = Field(primary_key=True)
    area: str  # an exact fraction as text ("299/2"): never a float


class VoteAck(SQLModel, table=True):
    """Anti-flood state of ballot acknowledgements: counted per vote; one merged line per room per minute."""

    vote_id: int = Field(primary_key=True, foreign_key="vote.id")
    last_at: datetime | None = _time(nullable=True)
    pending: int = 0


# --- wechaty transport (issue 3) ---


class RoomBinding(SQLModel, table=True):
    """Which WeChat room a configured room is: found by id, or by topic the first time.

    The WeChat room id (`…@chatroom`) survives topic changes, so once a room was matched by
    its topic the id is remembered here and the topic no longer matters.
    """

    room_id: str = Field(primary_key=True)  # the config room id (r-b3)
    wechat_id: str = Field(index=True, unique=True)
    topic: str | None = None  # the topic it had when it was bound
    bound_at: datetime = _time()


# -- issue 7, digest: the bot's own routines (weekly digest, council-day eve, 季度分析) ---------
class RoutineRun(SQLModel, table=True):
    """One row per routine and period done ("digest", "2026-W48"): a restart, or a catch-up
    of a run missed while the bot was down, never posts the same digest twice."""

    routine: str = Field(primary_key=True)
    period: str = Field(primary_key=True)
    at: datetime = _time()
