"""#案件: compact lists (open, mine, overdue) and one item's card with its timeline.

Residents see the items they reported; staff see the items of their buildings
(admin: all). Phone numbers are masked whenever the answer goes to a group.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers import case_access as access
from handlers import proposals, sla
from handlers.case_notify import name_of
from handlers.commands import item_number, normalise
from handlers.context import Context, Refusal
from handlers.privacy import mask_phones, short
from handlers.router import Router
from storage import cases, items, people, status
from storage.models import Item

router = Router("case_list")

U_CASES = "#案件 [编号|我的|超期]"
SHOWN = 10  # lines in a list: a group chat is no place for a report

ACTIONS = {
    "opened": "登记", "reported": "又有人反映", "accepted": "受理", "assigned": "指派",
    "transferred": "转办", "noted": "进展", "resolved": "办结", "escalated": "升级",
    "merged": "合并", "rejected": "驳回", "rated": "评价", "reopened": "重新处理",
    "closed": "结案", "reminded": "提醒", "urgent": "紧急",
    "withdrawn": "反映人撤回", "sla_reminded": "超时提醒", "sla_at_top": "最高一级仍超时", "sla_kind": "设定时限",
    # proposals and votes (handlers/proposals.py, handlers/votes.py)
    "supported": "附议", "listed": "列入议事日", "vote_opened": "发起表决",
    "vote_closed": "表决结束", "objection": "异议", "publicised": "公示期满",
}


@router.command("案件", "cases", usage=U_CASES)
def show_cases(ctx: Context, args: str) -> None:
    """查看事项：进行中的、我的、超期的，或某一件的详情"""
    arg = normalise(args)
    if arg and arg not in ("我的", "mine", "超期", "overdue"):
        ctx.reply("\n".join(_card(ctx, item_number(arg, U_CASES))))
        return
    staff = ctx.is_staff or ctx.sender.role == "building_lead"
    mine = cases.reported_by(ctx.session, ctx.sender.id)
    late = sla.overdue_ids(ctx)
    if arg in ("我的", "mine"):
        title = "我跟进的事项" if ctx.is_staff else "我反映的事项"
        wanted = [i for i in cases.complaints(ctx.session, status.ACTIVE[status.COMPLAINT])
                  if (i.assignee_id == ctx.sender.id if ctx.is_staff else i.id in mine)]
        if not ctx.is_staff:  # residents also want to see what came of their reports
            wanted = [i for i in cases.complaints(ctx.session) if i.id in mine][-SHOWN:]
    else:
        wanted = [i for i in cases.complaints(ctx.session, status.ACTIVE[status.COMPLAINT])
                  if (access.may_see(ctx.session, ctx.sender, i) if staff else i.id in mine)]
        title = "进行中的事项" if staff else "我反映的进行中的事项"
        if arg in ("超期", "overdue"):
            wanted = [i for i in wanted if i.id in late]
            title = "超期的事项"
    if not wanted:
        ctx.reply(f"{title}：暂无。")
        return
    lines = [f"{title}（{len(wanted)} 件）："] + [_line(ctx, i, i.id in late) for i in wanted[:SHOWN]]
    if len(wanted) > SHOWN:
        lines.append(f"……还有 {len(wanted) - SHOWN} 件，发 #案件 编号 看详情。")
    if ctx.event.room and not staff and any(i.room_id is None for i in wanted):
        # a resident's own list names an item raised privately: the group must not learn who
        ctx.tell(ctx.sender.id, "\n".join(lines))
        ctx.reply("您的事项列表已私信发给您。")
        return
    _answer(ctx, lines)


def _line(ctx: Context, item: Item, overdue: bool) -> str:
    late = "⏰超期" if overdue else ""
    urgent = "⚠️" if item.urgent else ""
    who = name_of(ctx, item.assignee_id) if item.assignee_id else "待分派"
    return (f"{urgent}#{item.id} {item.category or ''} {item.building or ''} "
            f"{status.label(item.kind, item.status)}·{who}{late}").replace("  ", " ")


def _card(ctx: Context, number: int) -> list[str]:
    item = ctx.session.get(Item, number)
    if item is None:
        raise Refusal(f"没有找到 #{number}，发 #案件 看看进行中的事项。")
    # proposals are public matters; a complaint is its reporters' and its handlers' business
    if item.kind == status.COMPLAINT and not access.may_see(ctx.session, ctx.sender, item):
        raise Refusal(f"#{number} 不是您反映的事项，您只能查看自己反映的。")
    lines = card_lines(ctx, item)
    if item.kind == status.PROPOSAL:
        lines += proposals.card_lines(ctx, item)
    return lines


def card_lines(ctx: Context, item: Item) -> list[str]:
    """One item as a card: head, text, people, timeline (the last few entries).

    Proposals add their own lines (supporters, votes) after these."""
    in_group = ctx.event is not None and ctx.event.room is not None
    text = mask_phones(item.text) if in_group else item.text
    if in_group and item.room_id is None:  # raised privately: its words could name who wrote
        text = "（居民私信反映，内容不在群里显示）"
    head = [f"#{item.id}", item.category or "", item.building or "",
            status.label(item.kind, item.status), item.level]
    lines = ["｜".join(p for p in head if p), f"内容：{short(text, 80)}"]
    # a proposal has a proposer and supporters (its own lines), not reporters
    who = [f"反映 {len(items.reporters(ctx.session, item.id))} 人"] if item.kind == status.COMPLAINT else []
    if item.assignee_id:
        who.append(f"跟进：{name_of(ctx, item.assignee_id)}")
    if item.department:
        who.append(f"部门：{item.department}")
    if item.urgent:
        who.append("紧急")
    if item.rating:
        who.append(f"评价：{item.rating}")
    if item.merged_into:
        who.append(f"已并入 #{item.merged_into}")
    if who:
        lines.append("｜".join(who))
    events = items.timeline(ctx.session, item.id)
    lines.append("时间线：")
    if len(events) > 8:
        lines.append(f"（前 {len(events) - 8} 条略）")
    for ev in events[-8:]:
        lines.append(_event_line(ctx, ev, in_group))
    return lines


# timeline details written as codes (handlers/sla.py), said in Chinese
_DETAILS = {"accept": "受理", "resolve": "办结", "simple": "简易", "cross_department": "跨部门",
            "complex": "复杂"}


def _event_line(ctx: Context, ev, in_group: bool) -> str:
    when = ev.at.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%m-%d %H:%M")
    # who reported is never shown in a group, whatever their role
    actor = "居民" if in_group and ev.action == "reported" else _actor(ctx, ev.actor_id)
    detail = "" if ev.action == "opened" else _DETAILS.get(ev.detail, ev.detail)
    if detail:
        detail = "：" + short(mask_phones(detail) if in_group else detail, 40)
    return f"{when} {ACTIONS.get(ev.action, ev.action)}（{actor}）{detail}"


def _actor(ctx: Context, person_id: str | None) -> str:
    """Staff by name; residents never by name (a card may be read in a group)."""
    person = people.get_person(ctx.session, person_id) if person_id else None
    if person_id is None:
        return "系统"
    if person is not None and person.role != "resident":
        return person.name
    return "您" if ctx.sender is not None and ctx.sender.id == person_id else "居民"


def _answer(ctx: Context, lines: list[str]) -> None:
    text = "\n".join(lines)
    ctx.reply(mask_phones(text) if ctx.event.room else text)
