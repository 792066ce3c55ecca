"""One step up the ladder 社区 → 职能部门 → 街道 (SPEC §1 "721", §4 level).

Shared by `#升级`, 不满意 and the SLA clock, so every escalation changes the level the
same way and leaves the same timeline row.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from storage.items import record
from storage.status import kind_at_level
from storage.models import Item

LADDER = ("社区", "职能部门", "街道")  # config `cases.ladder` may name other levels
ESCALATED = "escalated"  # the timeline action

def escalate(session: Session, item: Item, *, actor_id: str | None, reason: str, now: datetime,
             msg_id: str | None = None, ladder: Sequence[str] = LADDER) -> str | None:
    """Move `item` one level up; return the new level, or None if it is already at the top
    (then nothing changes). Pass `ladder=settings.cases.ladder` when the config has its own."""
    ladder = list(ladder)
    current = ladder.index(item.level) if item.level in ladder else 0
    if current + 1 >= len(ladder):
        return None
    old, item.level = item.level, ladder[current + 1]
    item.sla_kind = kind_at_level(current + 1, item.sla_kind)
    session.add(item)
    record(session, item, ESCALATED, at=now, actor_id=actor_id, msg_id=msg_id,
           detail=f"{old}→{item.level}：{reason}" if reason else f"{old}→{item.level}")
    return item.level
