"""Complaints: a problem raised in a group becomes a numbered item someone follows up."""
from __future__ import annotations

from handlers.classify import Classification
from handlers.context import Context
from handlers.router import Router
from storage import items, people, status

router = Router("complaints")


@router.kind("complaint")
def open_complaint(ctx: Context, found: Classification) -> None:
    event, sender = ctx.event, ctx.sender
    building = found.building or (ctx.room.building if ctx.room else None)
    owner = people.responsible_for(ctx.session, building)
    item = items.open_item(
        ctx.session, kind=status.COMPLAINT, status=status.OPEN, text=event.text,
        reporter_id=sender.id, room_id=event.room, at=ctx.now, category=found.category,
        building=building, urgent=found.urgent, assignee_id=owner.id if owner else None,
        msg_id=event.id, private=event.private,
    )
    who = f"，由{owner.name}跟进" if owner else ""
    ctx.reply(f"已登记 #{item.id}（{found.category}）{who}。", mentions=[owner.id] if owner else [],
              coalesce="ack")  # a burst of reports becomes one message (issue 5 point 10)
    # the acceptance clock is handlers/sla.py's sweep: no per-item job here
