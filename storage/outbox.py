"""Queries of the outbox table: write, merge, pick what is due, mark the outcome.

Kept apart from bot/outbox.py (which talks to the transport) so the rows can be
written inside any handler's transaction without touching the platform.
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, select

from bot.events import Outgoing
from storage.models import OutboxMessage

PENDING, SENT, FAILED = "pending", "sent", "failed"


def chat_of(row: OutboxMessage) -> str:
    """The conversation a row belongs to: order is kept within it."""
    return row.room_id if row.room_id is not None else f"dm:{row.to_id}"


def add(session: Session, message: Outgoing, now: datetime,
        busy: Collection[int] = ()) -> OutboxMessage:
    """Write one message; merge it into a pending row with the same coalesce key in the
    same conversation (not one being sent right now, listed in `busy`)."""
    if message.coalesce:
        held = _held_with_key(session, message, busy)
        if held is not None:
            held.text = message.text if message.replace else f"{held.text}\n{message.text}"
            held.mentions = list(dict.fromkeys([*held.mentions, *message.mentions]))
            if message.image is not None:
                held.image = message.image
            session.add(held)
            return held
    row = OutboxMessage(room_id=message.room, to_id=message.to, text=message.text,
                        mentions=list(message.mentions), image=message.image,
                        coalesce_key=message.coalesce, replace=message.replace, created_at=now)
    session.add(row)
    session.flush()  # a later message of the same batch may merge into it
    return row


def _held_with_key(session: Session, message: Outgoing, busy: Collection[int]) -> OutboxMessage | None:
    query = select(OutboxMessage).where(OutboxMessage.status == PENDING,
                                        OutboxMessage.coalesce_key == message.coalesce)
    if message.room is not None:
        query = query.where(OutboxMessage.room_id == message.room)
    else:
        query = query.where(OutboxMessage.room_id.is_(None), OutboxMessage.to_id == message.to)
    rows = [r for r in session.exec(query.order_by(OutboxMessage.id.desc())) if r.id not in busy]
    return rows[0] if rows else None


def pending(session: Session) -> list[OutboxMessage]:
    """Every row still to send, in the order they were written."""
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.status == PENDING)
                             .order_by(OutboxMessage.id)))


def count_pending(session: Session) -> int:
    return session.exec(select(func.count()).select_from(OutboxMessage)
                        .where(OutboxMessage.status == PENDING)).one()


def sent_since(session: Session, since: datetime) -> list[OutboxMessage]:
    """Rows sent after `since`, oldest first: what the rate limits count."""
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.status == SENT,
                                                         OutboxMessage.sent_at > since)
                             .order_by(OutboxMessage.sent_at)))


def to_outgoing(row: OutboxMessage) -> Outgoing:
    return Outgoing(text=row.text, room=row.room_id, to=row.to_id, mentions=tuple(row.mentions),
                    image=row.image, coalesce=row.coalesce_key, replace=row.replace)


def mark_sent(session: Session, row_id: int, now: datetime) -> None:
    row = session.get(OutboxMessage, row_id)
    row.status, row.sent_at, row.attempts = SENT, now, row.attempts + 1
    session.add(row)


def mark_failed(session: Session, row_id: int, now: datetime, error: str,
                retry_at: datetime | None) -> OutboxMessage:
    """A failed attempt: try again at `retry_at`, or give up (None)."""
    row = session.get(OutboxMessage, row_id)
    row.attempts += 1
    row.last_error = error[:500]
    row.next_try_at = retry_at
    if retry_at is None:
        row.status = FAILED
    session.add(row)
    return row


def prune(session: Session, before: datetime) -> int:
    """Forget rows sent before `before`: the limits look back one minute, the log a month."""
    result = session.exec(delete(OutboxMessage).where(OutboxMessage.status == SENT,
                                                      OutboxMessage.sent_at < before))
    return result.rowcount
