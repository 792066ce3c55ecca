"""Items, their reporters and their timeline."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlmodel import Session, func, select

from storage.models import Item, ItemEvent, ItemReporter
from storage.status import default_kind


def open_item(session: Session, *, kind: str, status: str, text: str, reporter_id: str,
              room_id: str | None, at: datetime, category: str | None = None,
              building: str | None = None, urgent: bool = False, level: str = "社区",
              assignee_id: str | None = None, msg_id: str | None = None,
              private: bool = False) -> Item:
    item = Item(id=next_number(session), kind=kind, status=status, text=text, reporter_id=reporter_id, room_id=room_id,
                category=category, building=building, urgent=urgent, level=level,
                assignee_id=assignee_id, source_msg=msg_id, created_at=at,
                sla_kind=default_kind(category))
    session.add(item)
    session.flush()
    session.add(ItemReporter(item_id=item.id, person_id=reporter_id, private=private,
                             msg_id=msg_id, at=at))
    record(session, item, "opened", at=at, actor_id=reporter_id, msg_id=msg_id, detail=text)
    return item


def next_number(session: Session) -> int:
    """The highest number + 1, read in this transaction. Not the database's own counter: a
    PostgreSQL sequence never gives back a number, so an item opened and then undone (a
    refused command, a failed message) would leave a gap residents see (#1, #3); SQLite reuses
    it. One bot process writes a database (README, Known limits), so nobody races for it."""
    return (session.exec(select(func.max(Item.id))).one() or 0) + 1


def record(session: Session, item: Item, action: str, *, at: datetime, actor_id: str | None,
           detail: str = "", msg_id: str | None = None) -> ItemEvent:
    """Append one timeline row. Rows are never updated or deleted."""
    event = ItemEvent(item_id=item.id, at=at, actor_id=actor_id, action=action,
                      detail=detail, msg_id=msg_id)
    session.add(event)
    return event


def get_item(session: Session, number: int) -> Item | None:
    return session.get(Item, number)


_NUMBER = re.compile(r"#(\d{1,9})")


def plain_text(text: str) -> str:
    """Text reduced to letters and digits, for comparing what two people wrote."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text))


_SENDER = re.compile(r"^[^：:\n]{1,20}[：:]")  # "王阿姨：" before quoted words


def find_quoted(session: Session, quoted: str, kind: str) -> Item | None:
    """The item of `kind` a quote-reply points at: the bot's line about it ("已登记 #3…")
    or the message that opened it — as quoted, which may be cut short or carry the
    sender's name (the newest such item, if the same words came twice)."""
    m = _NUMBER.search(unicodedata.normalize("NFKC", quoted))
    if m:
        item = session.get(Item, int(m.group(1)))
        if item is not None and item.kind == kind:
            return item
    words = {plain_text(quoted), plain_text(_SENDER.sub("", quoted.strip()))} - {""}
    recent = session.exec(select(Item).where(Item.kind == kind).order_by(Item.id.desc()).limit(200))
    for item in recent:
        text = plain_text(item.text)
        if any(w == text or (len(w) >= 6 and (w in text or text in w)) for w in words):
            return item
    return None


def reporters(session: Session, item_id: int) -> list[ItemReporter]:
    return list(session.exec(select(ItemReporter).where(ItemReporter.item_id == item_id)
                             .order_by(ItemReporter.at, ItemReporter.person_id)))


def timeline(session: Session, item_id: int) -> list[ItemEvent]:
    return list(session.exec(select(ItemEvent).where(ItemEvent.item_id == item_id)
                             .order_by(ItemEvent.at, ItemEvent.id)))


def all_items(session: Session) -> list[Item]:
    return list(session.exec(select(Item).order_by(Item.id)))
