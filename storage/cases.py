"""Queries about complaint items: duplicates, reporters, who sees what.

Handlers never write SQL; the complaint lifecycle asks these.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from difflib import SequenceMatcher

from sqlmodel import Session, select

from storage import status
from storage.buildings import same_building
from storage.items import plain_text, record
from storage.models import Item, ItemEvent, ItemReporter, Person

SAME_TEXT = 0.8  # SequenceMatcher ratio above which two reports are "clearly the same text"


def same_text(a: str, b: str) -> bool:
    a, b = plain_text(a), plain_text(b)
    if not a or not b:
        return False
    if min(len(a), len(b)) >= 6 and (a in b or b in a):
        return True
    return SequenceMatcher(None, a, b).ratio() >= SAME_TEXT


def level_index(level: str, ladder) -> int:
    """Where `level` stands on the ladder; an unknown level counts as the bottom."""
    return list(ladder).index(level) if level in ladder else 0


def find_duplicate(session: Session, *, text: str, category: str | None, building: str | None,
                   room_id: str | None, since: datetime, urgent: bool = False,
                   same_subject: Callable[[str, str], bool | None] | None = None) -> Item | None:
    """An open complaint opened since `since` that is the same problem: same building,
    category and urgency — unless `same_subject` tells the two apart (a broken lift and a
    dark stairwell are both 设施维修) — or, without a building, clearly the same text raised
    in the same room. A gas smell is never folded into last week's e-bike complaint, but
    "电梯还是不动" joins the urgent lift item it follows."""
    query = select(Item).where(Item.kind == status.COMPLAINT,
                               Item.status.in_(sorted(status.ACTIVE[status.COMPLAINT])),
                               Item.created_at >= since).order_by(Item.id)
    for item in session.exec(query):
        if same_subject is not None and same_subject(text, item.text) is False:
            continue  # a broken lift and a dark stairwell, however alike the sentences
        if same_building(item.building, building) and category and item.category == category \
                and (item.urgent == urgent or (item.urgent and same_subject is not None
                                               and same_subject(text, item.text) is True)):
            return item
        if (building is None or item.building is None or same_building(item.building, building)) \
                and (room_id is None or item.room_id == room_id) and same_text(text, item.text):
            return item
    return None


def add_reporter(session: Session, item: Item, person_id: str, *, at: datetime,
                 private: bool = False, msg_id: str | None = None, text: str | None = None) -> bool:
    """Join `person_id` to the item's reporters (their words, if any, go on the timeline:
    "车库门也坏了" must not vanish into the item it joined); False if they had reported it."""
    if session.get(ItemReporter, (item.id, person_id)) is not None:
        return False
    session.add(ItemReporter(item_id=item.id, person_id=person_id, private=private,
                             msg_id=msg_id, at=at))
    record(session, item, "reported", at=at, actor_id=person_id, msg_id=msg_id,
           detail="" if private or not text else text)
    session.flush()
    return True


def is_reporter(session: Session, item_id: int, person_id: str) -> bool:
    return session.get(ItemReporter, (item_id, person_id)) is not None


def complaints(session: Session, statuses: frozenset[str] | set[str] | None = None) -> list[Item]:
    query = select(Item).where(Item.kind == status.COMPLAINT)
    if statuses is not None:
        query = query.where(Item.status.in_(sorted(statuses)))
    return list(session.exec(query.order_by(Item.id)))


def reported_by(session: Session, person_id: str) -> set[int]:
    """Numbers of the items this person reported."""
    return set(session.exec(select(ItemReporter.item_id).where(ItemReporter.person_id == person_id)))


def awaiting_rating(session: Session, person_id: str, room_id: str | None) -> list[Item]:
    """The resolved items this person reported and may rate from here, newest first: those of
    this group (or raised privately), else — when there is only one — their one item
    wherever it was raised (a report merged from another group is rated where it was made)."""
    query = (select(Item).join(ItemReporter, ItemReporter.item_id == Item.id)
             .where(ItemReporter.person_id == person_id, Item.status == status.RESOLVED))
    found = sorted(session.exec(query), key=lambda i: (i.resolved_at, i.id), reverse=True)
    if room_id is None or len(found) <= 1:
        return found
    return [i for i in found if i.room_id in (room_id, None)]


def closed_since(session: Session, person_id: str, room_id: str | None, since: datetime) -> Item | None:
    """The item this person reported that another reporter's rating closed since `since`,
    which this person has not rated yet (their word is still worth keeping)."""
    query = (select(Item).join(ItemReporter, ItemReporter.item_id == Item.id)
             .where(ItemReporter.person_id == person_id, Item.status == status.CLOSED,
                    Item.rating.is_not(None), Item.closed_at >= since))
    found = [i for i in session.exec(query) if room_id is None or i.room_id in (room_id, None)]
    rated = set(session.exec(select(ItemEvent.item_id).where(
        ItemEvent.actor_id == person_id, ItemEvent.action == "rated")))
    found = [i for i in found if i.id not in rated]
    return max(found, key=lambda i: (i.closed_at, i.id), default=None)


def staff_of_department(session: Session, department: str) -> Person | None:
    """The staff member who takes items transferred to `department` (e.g. 物业), if any."""
    return session.exec(select(Person).where(Person.department == department,
                                             Person.role != "resident").order_by(Person.id)).first()
