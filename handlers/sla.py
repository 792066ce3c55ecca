"""The clock of items (SPEC §5 `cases.sla`): chase what is late, then climb the ladder.

Two clocks per complaint: acceptance (`accept`; urgent items `urgent_accept`, counted
round the clock) and resolution (the time for its kind: 简易 / 跨部门 / 复杂; the
default kind comes from the category, staff change it with `#时限`). Non-urgent clocks
count only working time (handlers/worktime.py).

First breach: the owner is reminded privately, and the admins (the staff's view) are
told. Second breach (one more full period later): the item climbs one level of
`cases.ladder` and the item's group is told. Escalation, transfer or reopening starts
the clock again at the new level. Overdue again at the top: the admins are told once
and the clock stops (the office takes it from there by hand).

When it looks: one durable job (`sla.sweep`) is kept at the earliest moment any open
item's clock does something. After every message and every job (`after_each`, in
the same transaction) the plan is recomputed from the item rows and their timeline,
so no command that accepts, escalates or transfers needs to know about the clock,
and no deadline can be forgotten by a path that did not reschedule it. A periodic
sweep would do the same with less code, but costs a transaction every few minutes
(4,000 in a two-week replay, seconds of test time); this one runs only when due.
At start the sweep runs once, for deadlines that passed while the bot was down.
What it has done is written on the timeline (`sla_reminded`), so it never does
anything twice.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import select

from bot.events import Outgoing
from handlers import cases
from handlers.commands import split_number
from handlers.context import Context, Refusal
from handlers.router import STAFF, Router
from handlers.worktime import WorkTime
from storage import items, ladder, people, status
from storage.models import Item, ItemEvent

router = Router("sla")

SWEEP_JOB = "sla.sweep"
SWEEP_KEY = "sla-sweep"
REMINDED = "sla_reminded"  # timeline action; detail is the phase (accept | resolve)
AT_TOP = "sla_at_top"  # overdue again at the top of the ladder: admins told, clock stops
KIND_SET = "sla_kind"
MAX_GROUP_POSTS = 2  # escalations one sweep posts in a group one by one; more become one line  # staff set the kind with #时限
RESTARTS = frozenset({ladder.ESCALATED, "transferred", "reopened"})

KIND_LABELS = {"simple": "简易", "cross_department": "跨部门", "complex": "复杂"}
KIND_BY_LABEL = {v: k for k, v in KIND_LABELS.items()} | {k: k for k in KIND_LABELS}
USAGE = "#时限 编号 简易|跨部门|复杂"


@router.command("时限", "sla", usage=USAGE, who=STAFF)
def set_kind(ctx: Context, args: str) -> None:
    """设定案件类别（简易/跨部门/复杂），决定办理时限"""
    number, rest = split_number(args, USAGE, rest_required=True, rest_hint="类别")
    kind = KIND_BY_LABEL.get(rest.strip().lower())
    if kind is None:
        raise Refusal(f"类别只能是 简易、跨部门 或 复杂，格式：{USAGE}")
    item = items.get_item(ctx.session, number)
    if item is None or item.kind != status.COMPLAINT:
        raise Refusal(f"没有找到诉求 #{number}，发 #案件 看看现有的编号。")
    item.sla_kind = kind
    ctx.session.add(item)
    items.record(ctx.session, item, KIND_SET, at=ctx.now, actor_id=ctx.sender.id,
                 detail=kind, msg_id=ctx.event.id)
    limit = getattr(ctx.settings.cases.sla, kind)
    ctx.reply(f"#{number} 已设为{KIND_LABELS[kind]}类，办理时限{_span(limit, working=not item.urgent)}。")


@router.job(SWEEP_JOB)
def sweep(ctx: Context) -> None:
    """Remind or escalate each open complaint whose clock ran out (then `plan` runs)."""
    work = WorkTime(ctx.settings.cases.working_hours, ctx.now.tzinfo)
    first = len(ctx.outgoing)
    for item, events in _active(ctx):
        when, what, phase, limit = next_step(ctx.settings, item, events, work)
        if when is None or when > ctx.now:
            continue
        if what == "remind":
            remind(ctx, item, phase, limit)
        else:
            climb(ctx, item, phase)
    _one_post_per_group(ctx, first)


def _one_post_per_group(ctx: Context, first: int) -> None:
    """Many items escalated in one sweep (staff away for a day): each group gets one line
    naming them, not a message per item."""
    posts: dict[str, list[Outgoing]] = {}
    for message in ctx.outgoing[first:]:
        if message.room is not None:
            posts.setdefault(message.room, []).append(message)
    for room, messages in posts.items():
        if len(messages) <= MAX_GROUP_POSTS:
            continue
        numbers = [m.group(1) for msg in messages if (m := re.match(r"#(\d+)", msg.text))]
        mentions = tuple(dict.fromkeys(p for msg in messages for p in msg.mentions))
        merged = {id(msg) for msg in messages}
        ctx.outgoing[:] = [msg for msg in ctx.outgoing if id(msg) not in merged]
        ctx.say(room, f"{len(numbers)} 件诉求两次超时，已各升级一级：{'、'.join('#' + n for n in numbers)}。"
                      f"发 #案件 编号 看详情。", mentions)


@router.after_each
def plan(ctx: Context) -> None:
    """Keep the one sweep job at the earliest next step of any open complaint."""
    work = WorkTime(ctx.settings.cases.working_hours, ctx.now.tzinfo)
    steps = [next_step(ctx.settings, item, events, work)[0] for item, events in _active(ctx)]
    steps = [when for when in steps if when is not None]
    if steps:
        ctx.jobs.at(max(min(steps), ctx.now + timedelta(minutes=1)), SWEEP_JOB, key=SWEEP_KEY)


def _active(ctx: Context) -> list[tuple[Item, list[ItemEvent]]]:
    """Open and accepted complaints with the timeline rows the clock reads (two queries)."""
    active = list(ctx.session.exec(select(Item).where(
        Item.kind == status.COMPLAINT, Item.status.in_(status.ACTIVE[status.COMPLAINT]))
        .order_by(Item.id)))
    if not active:
        return []
    events: dict[int, list[ItemEvent]] = {item.id: [] for item in active}
    for e in ctx.session.exec(select(ItemEvent).where(
            ItemEvent.item_id.in_(list(events)),
            ItemEvent.action.in_([*RESTARTS, REMINDED, KIND_SET, AT_TOP]))
            .order_by(ItemEvent.at, ItemEvent.id)):
        events[e.item_id].append(e)
    return [(item, events[item.id]) for item in active]


def next_step(settings, item: Item, events: list[ItemEvent],
              work: WorkTime) -> tuple[datetime | None, str, str, timedelta]:
    """(when, what, phase, limit): what the clock does next to this item, and when
    (None: nothing more; the top of the ladder was reached and the admins were told).

    The phase is `accept` while the item is open, `resolve` once accepted; its clock
    starts at creation / acceptance, or at the latest escalation, transfer or reopening.
    Not yet reminded in this round: remind when the limit runs out. Reminded: escalate
    one more full limit after the reminder."""
    sla = settings.cases.sla
    if item.status == status.OPEN:
        phase, base = "accept", item.created_at
        limit = sla.urgent_accept if item.urgent else sla.accept
    else:
        phase, base = "resolve", item.accepted_at or item.created_at
        limit = getattr(sla, item.sla_kind)
    start = max([base, *(e.at for e in events if e.action in RESTARTS and e.at >= base)])
    reminders = [e.at for e in events if e.action == REMINDED and e.detail == phase and e.at >= start]
    if any(e.action == AT_TOP and e.detail == phase and e.at >= start for e in events):
        return None, "done", phase, limit

    def due(after: datetime) -> datetime:
        return after + limit if item.urgent else work.add(after, limit)

    if not reminders:
        return due(start), "remind", phase, limit
    return due(reminders[0]), "climb", phase, limit


def remind(ctx: Context, item: Item, phase: str, limit: timedelta) -> None:
    owner = _owner(ctx, item)
    span = _span(limit, working=not item.urgent)
    if phase == "accept":
        text = f"提醒：#{item.id}（{item.category}）已超过受理时限（{span}），请尽快回复 #受理 {item.id}。"
        what = "受理"
    else:
        label = KIND_LABELS[item.sla_kind]
        text = (f"提醒：#{item.id}（{item.category}）已超过办理时限（{label}类，{span}），"
                f"请尽快办结，或用 #进展 {item.id} 说明情况。")
        what = "办理"
    if owner is not None:
        ctx.tell(owner.id, text)
    for admin in _admins(ctx, item):
        ctx.tell(admin.id, f"督办：#{item.id}（{item.category}）{what}超时（{span}），"
                           f"已提醒{owner.name if owner else '负责人'}。")
    items.record(ctx.session, item, REMINDED, at=ctx.now, actor_id=None, detail=phase)


def accept_by(settings, tz) -> Callable[[Item], datetime]:
    """When each complaint had to be accepted by, as this clock counts it (working time;
    urgent items round the clock): what the response rate (响应率) of #统计, the digest
    and 季度分析 measures against, so a night report accepted at 09:00 counts as on time
    exactly when no reminder went out for it."""
    sla, work = settings.cases.sla, WorkTime(settings.cases.working_hours, tz)

    def deadline(item: Item) -> datetime:
        if item.urgent:
            return item.created_at + sla.urgent_accept
        return work.add(item.created_at, sla.accept)
    return deadline


def overdue_ids(ctx: Context) -> set[int]:
    """Active complaints whose current clock has run out (what #案件 超期 and the digest show)."""
    work = WorkTime(ctx.settings.cases.working_hours, ctx.now.tzinfo)
    late = set()
    for item, events in _active(ctx):
        if item.created_at > ctx.now:  # `linli digest` of a past week: not raised yet then
            continue
        events = [e for e in events if e.at <= ctx.now]
        when, what, phase, _ = next_step(ctx.settings, item, events, work)
        if when is None or what == "climb" or when <= ctx.now or _late_before(item, events, phase):
            late.add(item.id)
    return late


def _late_before(item: Item, events: list[ItemEvent], phase: str) -> bool:
    """Reminded in this phase since a person last restarted its clock: escalating it by the
    clock starts a new round but does not make an item nobody has accepted punctual."""
    base = item.created_at if phase == "accept" else (item.accepted_at or item.created_at)
    start = max([base, *(e.at for e in events if e.action in RESTARTS and e.actor_id is not None)])
    return any(e.action == REMINDED and e.detail == phase and e.at >= start for e in events)


def climb(ctx: Context, item: Item, phase: str) -> None:
    """The second breach: one level up the ladder (a new owner, the group told)."""
    what = "受理" if phase == "accept" else "办结"
    ladder = list(ctx.settings.cases.ladder)
    if item.level in ladder and ladder.index(item.level) + 1 >= len(ladder):
        items.record(ctx.session, item, AT_TOP, at=ctx.now, actor_id=None, detail=phase)
        for admin in people.staff_with_role(ctx.session, "admin"):  # the office steps in itself
            ctx.tell(admin.id, f"督办：#{item.id}（{item.category}）再次超时未{what}，已在最高层级（{item.level}），请协调。")
        return
    cases.climb(ctx, item, f"超时未{what}（第二次）")
    for admin in _admins(ctx, item):
        ctx.tell(admin.id, f"#{item.id} 两次超时未{what}，已升级至{item.level}。")


def _owner(ctx: Context, item: Item):
    if item.assignee_id:
        return people.get_person(ctx.session, item.assignee_id)
    admins = people.staff_with_role(ctx.session, "admin")
    return admins[0] if admins else None


def _admins(ctx: Context, item: Item):
    """The staff's view: every admin who is not already the owner."""
    owner = _owner(ctx, item)
    return [a for a in people.staff_with_role(ctx.session, "admin") if owner is None or a.id != owner.id]


def _span(limit: timedelta, *, working: bool) -> str:
    """`2个工作小时`, `3个工作日`, `15分钟` (urgent clocks run round the clock)."""
    days, rest = divmod(limit, timedelta(days=1))
    hours, minutes = rest // timedelta(hours=1), (rest % timedelta(hours=1)) // timedelta(minutes=1)
    unit = "个工作" if working else ""
    parts = []
    if days:
        parts.append(f"{days}{unit}日" if working else f"{days}天")
    if hours:
        parts.append(f"{hours}{unit}小时")
    if minutes:
        parts.append(f"{minutes}分钟")
    return "".join(parts) or "0分钟"
