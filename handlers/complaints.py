"""Complaints: a problem raised in a group becomes a numbered item someone follows up."""
from __future__ import annotations

from datetime import timedelta

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
    ctx.reply(f"已登记 #{item.id}（{found.category}）{who}。", mentions=[owner.id] if owner else [])
    if owner:
        sla = ctx.settings.cases.sla
        wait = sla.urgent_accept if item.urgent else sla.accept
        ctx.jobs.at(ctx.now + wait, "complaints.accept_overdue", key=f"accept-{item.id}",
                    item=item.id)


@router.job("complaints.accept_overdue")
def accept_overdue(ctx: Context, item: int) -> None:
    """Remind the owner privately when an item is still waiting to be accepted."""
    it = items.get_item(ctx.session, item)
    if it is None or it.status != status.OPEN or not it.assignee_id:
        return
    waited = ctx.now - it.created_at
    hours = max(1, round(waited / timedelta(hours=1)))
    ctx.tell(it.assignee_id, f"提醒：#{it.id}（{it.category}）已等待受理约{hours}小时，请回复 #受理 {it.id}。")
    items.record(ctx.session, it, "reminded", at=ctx.now, actor_id=None, detail="受理超时提醒")
