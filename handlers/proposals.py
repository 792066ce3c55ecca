"""Proposals: a resident's idea gathers support (附议) until it goes to the 议事日.

A message the classifier reads as a proposal becomes a numbered item; `#附议 N`, or a
reply "附议"/"+1" quoting it, adds one supporter per person. At
`proposals.support_threshold` supporters the group hears so, the staff are told, and the
proposal is on the agenda of the next deliberation day (schedule.council_day), which the
bot posts the day before (handlers/council.py).
"""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.events import Outgoing
from handlers.classify import Classification
from handlers.commands import item_number, normalise
from handlers.context import Context, Refusal
from handlers.router import Router
from storage import items, people, status
from storage import votes as vote_store
from storage.models import Item, ItemEvent

router = Router("proposals")

SECOND_USAGE = "#附议 编号"
_SUPPORT_WORDS = {"附议", "我附议", "+1", "附议+1", "支持附议", "顶"}


@router.kind("proposal")
def open_proposal(ctx: Context, found: Classification) -> None:
    """A proposal opens an item; the answer is one line: its number and how to support it."""
    event = ctx.event
    building = found.building or (ctx.room.building if ctx.room else None)
    owner = people.responsible_for(ctx.session, building)
    item = items.open_item(
        ctx.session, kind=status.PROPOSAL, status=status.OPEN, text=event.text,
        reporter_id=ctx.sender.id, room_id=event.room, at=ctx.now, category=found.category,
        building=building, assignee_id=owner.id if owner else None, msg_id=event.id,
        private=event.private,
    )
    need = ctx.settings.proposals.support_threshold
    ctx.reply(f"已收到建议 #{item.id}，赞成的邻居请回复 #附议 {item.id}（满{need}人提交议事日）。")


@router.command("附议", "second", usage=SECOND_USAGE)
def second(ctx: Context, args: str) -> None:
    """支持一条建议（每人一次）"""
    head = normalise(args).split(" ")[0] if args.strip() else None
    support(ctx, item_number(head, SECOND_USAGE))


@router.reply
def quoted_support(ctx: Context) -> bool:
    """"附议" or "+1" quoting a proposal (or the bot's line about it) supports it."""
    if not ctx.event.quoted:
        return False
    word = normalise(ctx.event.text).strip(" 。.!！~")
    if word not in _SUPPORT_WORDS:
        return False
    item = items.find_quoted(ctx.session, ctx.event.quoted, status.PROPOSAL)
    if item is None:
        return False
    support(ctx, item.id)
    return True


def support(ctx: Context, number: int) -> None:
    item = items.get_item(ctx.session, number)
    if item is None or item.kind != status.PROPOSAL:
        raise Refusal(f"#{number} 不是一条建议，请核对编号。")
    if item.status != status.OPEN:
        raise Refusal(f"#{number} {status.label(item.kind, item.status)}，不再征集附议。")
    if item.reporter_id == ctx.sender.id:
        raise Refusal(f"#{number} 是您提的建议，请邀请邻居附议。")
    need = ctx.settings.proposals.support_threshold
    if not vote_store.add_supporter(ctx.session, item.id, ctx.sender.id, ctx.now):
        ctx.reply(f"您已附议过 #{number}，每人计一次。")
        return
    items.record(ctx.session, item, "supported", at=ctx.now, actor_id=ctx.sender.id,
                 msg_id=ctx.event.id)
    count = len(vote_store.supporter_ids(ctx.session, item.id))
    if count != need:
        text = f"已附议 #{number}（{count}/{need}）。" if count < need else \
            f"已附议 #{number}（共{count}人，已提交议事日）。"
        if ctx.event.room:  # a burst of "+1" becomes one line in a rate-limited outbox
            ctx.outgoing.append(Outgoing(text, room=ctx.event.room, coalesce=f"support-{item.id}",
                                         replace=True))
        else:
            ctx.reply(text)
        return
    day = next_council_day(ctx)
    when = f"{day.month}月{day.day}日"
    items.record(ctx.session, item, "listed", at=ctx.now, actor_id=None,
                 detail=f"议事日 {day.date().isoformat()}")
    where = item.room_id or (ctx.event.room if ctx.event else None)
    text = f"#{number} 已有{count}位邻居附议，将提交{when}议事日讨论。"
    if where:
        ctx.say(where, text)
    if ctx.event.room != where:
        ctx.reply(text)
    for staff_id in _staff_to_tell(ctx, item):
        ctx.tell(staff_id, f"建议 #{number} 已满{count}人附议，已列入{when}议事日：{_short(item.text)}")


def next_council_day(ctx: Context) -> datetime:
    """The next deliberation day (schedule.council_day) after now, in the community's zone."""
    cfg = ctx.settings.schedule.council_day
    now = ctx.now.astimezone(_tz(ctx))
    hour, minute = map(int, cfg.at.split(":"))
    year, month = now.year, now.month
    for _ in range(13):
        day = datetime.combine(now.date().replace(year=year, month=month, day=cfg.day),
                               time(hour, minute), now.tzinfo)
        if day > now:
            return day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise AssertionError("unreachable: a council day exists every month")


def _staff_to_tell(ctx: Context, item: Item) -> list[str]:
    if item.assignee_id:
        return [item.assignee_id]
    return [p.id for p in people.staff_with_role(ctx.session, "admin")]


def _short(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _tz(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.settings.timezone)


def card_lines(ctx: Context, item: Item) -> list[str]:
    """The proposal and vote lines of `#案件 N` (wired by handlers/cases.py): supporters,
    the vote, its result and objections. A named vote's roll only for staff, privately."""
    if item.kind != status.PROPOSAL:
        return []
    from handlers import votes  # votes imports this module's helpers

    supporters = vote_store.supporter_ids(ctx.session, item.id)
    lines = [f"附议：{len(supporters)}人"]
    if supporters and _privately_to_staff(ctx):  # a card may be read in a group: no names there
        lines[0] += f"（{'、'.join(_name(ctx, pid) for pid in supporters)}）"
    for event in ctx.session.exec(select(ItemEvent).where(ItemEvent.item_id == item.id,
                                                          ItemEvent.action == "listed")
                                      .order_by(ItemEvent.id)):
        lines.append(f"已列入{event.detail}")
    vote = vote_store.vote_of_item(ctx.session, item.id)
    if vote is not None:
        lines.extend(votes.vote_lines(ctx, vote))
    objections = ctx.session.exec(select(ItemEvent).where(ItemEvent.item_id == item.id,
                                                          ItemEvent.action == "objection")
                                     .order_by(ItemEvent.id)).all()
    if objections:
        lines.append(f"异议：{len(objections)}条")
        if _privately_to_staff(ctx):
            lines.extend(f"  {_name(ctx, e.actor_id)}：{e.detail}" for e in objections)
    return lines


def _privately_to_staff(ctx: Context) -> bool:
    return ctx.is_staff and ctx.event is not None and ctx.event.private


def _name(ctx: Context, person_id: str | None) -> str:
    person = people.get_person(ctx.session, person_id) if person_id else None
    return person.name if person else (person_id or "")

