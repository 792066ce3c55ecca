"""The outgoing path: everything the bot says leaves through one durable queue.

1. `enqueue` writes the messages as rows in the caller's transaction (the handler's
   own), so they exist exactly when the work that caused them was committed.
2. `flush`, after the commit, sends what is due: oldest first, one conversation at a
   time in order, within the per-account and per-room rate limits (WeChat bans
   accounts that burst). A row is marked sent after the transport took it.
3. What cannot go now (limit reached, or the transport failed and the row waits for
   its back-off) stays pending; one scheduler job (`outbox.flush`) wakes the outbox
   when the next one is due. Live that is APScheduler on the wall clock; in replay
   and tests it is `run_due` in virtual time, so nothing ever sleeps.

A crash between commit and send loses nothing: the next start sends pending rows.
The one window for a double send is a crash after the platform took a message and
before its row was marked (at-least-once, as every queue in front of a remote is).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.config import Limits
from bot.events import Outgoing
from bot.transport import SendError, Transport
from storage import outbox as rows
from storage.db import session_scope

log = logging.getLogger(__name__)

JOB = "outbox.flush"  # the scheduler job that wakes the outbox
WAKE_KEY = "outbox-wake"
BACKOFF = (timedelta(seconds=5), timedelta(seconds=30), timedelta(minutes=2),
           timedelta(minutes=10), timedelta(minutes=30))
MAX_ATTEMPTS = 10  # about three hours of trying; then the row is marked failed and logged
WINDOW = timedelta(minutes=1)
KEEP_SENT = timedelta(days=30)  # sent rows are a short log of what the bot said, not an archive

Wake = Callable[[datetime], None]


def backoff(attempts: int) -> timedelta:
    """Pause after the n-th failed attempt: 5s, 30s, 2m, 10m, then every 30m."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


class Outbox:
    def __init__(self, engine: Engine, transport: Transport, clock: Clock, limits: Limits,
                 wake: Wake | None = None) -> None:
        self.engine = engine
        self.transport = transport
        self.clock = clock
        self.limits = limits
        self.wake = wake  # set by the app: schedules `outbox.flush` at a time
        self.wake_at: datetime | None = None  # when pending rows next become sendable
        self._sending: set[int] = set()  # rows on the wire now: nothing merges into them
        self._lock = asyncio.Lock()  # one sender at a time keeps each room's order

    # -- writing ------------------------------------------------------------------------
    def enqueue(self, session: Session, messages: Iterable[Outgoing], now: datetime) -> None:
        """Write messages in the caller's transaction; nothing is sent yet."""
        for message in messages:
            rows.add(session, message, now, busy=self._sending)

    async def send(self, messages: Iterable[Outgoing]) -> None:
        """Write in a transaction of its own, then deliver (for callers outside a handler)."""
        with session_scope(self.engine) as session:
            self.enqueue(session, messages, self.clock.now())
        await self.flush()

    def prune(self) -> None:
        with session_scope(self.engine) as session:
            rows.prune(session, self.clock.now() - KEEP_SENT)

    def pending(self) -> int:
        with session_scope(self.engine) as session:
            return rows.count_pending(session)

    # -- delivering ---------------------------------------------------------------------
    async def flush(self) -> None:
        """Send every pending row that is due and within the limits; schedule the rest."""
        async with self._lock:
            now = self.clock.now()
            with session_scope(self.engine) as session:
                queue = [(r.id, rows.chat_of(r), r.room_id, r.next_try_at) for r in rows.pending(session)]
                recent = [(r.sent_at, r.room_id) for r in rows.sent_since(session, now - WINDOW)]
            account = [at for at, _ in recent]
            per_room: dict[str, list[datetime]] = {}
            for at, room in recent:
                if room is not None:
                    per_room.setdefault(room, []).append(at)
            blocked: set[str] = set()
            wake: datetime | None = None
            for row_id, chat, room, next_try in queue:
                if chat in blocked:
                    continue
                if next_try is not None and next_try > now:
                    blocked.add(chat)
                    wake = _earliest(wake, next_try)
                    continue
                room_sent = per_room.get(room, []) if room is not None else []
                if len(room_sent) >= self.limits.room_per_minute:
                    blocked.add(chat)
                    wake = _earliest(wake, room_sent[-self.limits.room_per_minute] + WINDOW)
                    continue
                if len(account) >= self.limits.account_per_minute:
                    wake = _earliest(wake, account[-self.limits.account_per_minute] + WINDOW)
                    break
                outcome = await self._deliver(row_id, now)
                if outcome == "sent":
                    account.append(now)
                    if room is not None:
                        per_room.setdefault(room, []).append(now)
                elif isinstance(outcome, datetime):
                    blocked.add(chat)  # later rows of this chat wait: order is kept
                    wake = _earliest(wake, outcome)
            self.wake_at = wake
            if wake is not None and self.wake is not None:
                self.wake(wake)

    async def _deliver(self, row_id: int, now: datetime) -> str | datetime | None:
        """'sent', the time of the next try, or None (gone, given up)."""
        self._sending.add(row_id)
        try:
            with session_scope(self.engine) as session:
                row = session.get(rows.OutboxMessage, row_id)
                if row is None or row.status != rows.PENDING:
                    return None
                message = rows.to_outgoing(row)  # read now: a merge may have changed it
            try:
                await self.transport.send(message)
            except SendError as exc:
                with session_scope(self.engine) as session:
                    attempts = session.get(rows.OutboxMessage, row_id).attempts + 1
                    retry = now + backoff(attempts) if attempts < MAX_ATTEMPTS else None
                    rows.mark_failed(session, row_id, now, str(exc), retry)
                if retry is None:
                    log.error("gave up on outbox row %s to %s after %d tries: %s",
                              row_id, message.room or message.to, attempts, exc)
                else:
                    log.warning("send of outbox row %s failed (%s); next try at %s", row_id, exc, retry)
                return retry
            with session_scope(self.engine) as session:
                rows.mark_sent(session, row_id, now)
            return "sent"
        finally:
            self._sending.discard(row_id)


def _earliest(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b < a else a
