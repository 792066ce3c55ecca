"""Remembered pairs of config room id ↔ WeChat room id (the wechaty transport's lookup)."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage.models import RoomBinding


def bound_rooms(session: Session) -> dict[str, str]:
    """WeChat room id → config room id, for every room bound so far."""
    return {b.wechat_id: b.room_id for b in session.exec(select(RoomBinding))}


def bind_room(session: Session, room_id: str, wechat_id: str, topic: str | None, at: datetime) -> None:
    """Remember (or move) the binding of one config room to one WeChat room."""
    for old in session.exec(select(RoomBinding).where(RoomBinding.wechat_id == wechat_id)):
        if old.room_id != room_id:
            session.delete(old)
    session.flush()
    binding = session.get(RoomBinding, room_id)
    if binding is None:
        session.add(RoomBinding(room_id=room_id, wechat_id=wechat_id, topic=topic, bound_at=at))
    else:
        binding.wechat_id, binding.topic, binding.bound_at = wechat_id, topic, at
    session.flush()
