"""The ladder an unsolved item climbs: 社区 → 职能部门 → 街道 (SPEC §1 "721", §4).

One function moves an item up, for #升级, #转办, 不满意 and the SLA clock alike,
so every climb leaves the same timeline row.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from storage.items import record
from storage.models import Item

# SPEC §5 `cases.ladder`; callers that have the settings pass theirs.
DEFAULT_LADDER: tuple[str, ...] = ("社区", "职能部门", "街道")


def level_index(level: str, ladder: Sequence[str] = DEFAULT_LADDER) -> int:
    """Where `level` stands on the ladder; an unknown level counts as the bottom."""
    return list(ladder).index(level) if level in ladder else 0


def escalate(session: Session, item: Item, *, actor_id: str | None, reason: str,
             now: datetime, msg_id: str | None = None,
             ladder: Sequence[str] = DEFAULT_LADDER) -> str | None:
    """Move `item` one level up and append an `escalated` event.

    Returns the new level, or None when the item is already at the top (nothing changes).
    """
    at = level_index(item.level, ladder)
    if at + 1 >= len(ladder):
        return None
    before, item.level = item.level, ladder[at + 1]
    session.add(item)
    detail = f"{before}→{item.level}" + (f"：{reason}" if reason else "")
    record(session, item, "escalated", at=now, actor_id=actor_id, detail=detail, msg_id=msg_id)
    return item.level
