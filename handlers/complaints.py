"""Complaints: a problem raised in a group (or privately) becomes a numbered item someone
follows up — or, if the same problem is already open, one more voice on that item."""
from __future__ import annotations

from dataclasses import dataclass

from handlers.case_notify import item_room
from handlers.classify import Classification
from handlers.classify.normalize import simplified
from handlers.commands import first_clause, normalise
from handlers.context import Context, Refusal
from handlers.privacy import mask_phones, short
from handlers.router import Router
from handlers.topics import same_subject, several_problems
from storage import cases, items, people, status
from storage.models import Item, Person

router = Router("complaints")


@dataclass(frozen=True)
class Report:
    """What a new complaint is about, from the classifier or from staff's #立案."""

    text: str
    category: str
    building: str | None
    urgent: bool


@router.kind("complaint")
def open_complaint(ctx: Context, found: Classification, text: str | None = None) -> None:
    event, sender = ctx.event, ctx.sender
    building = found.building or (ctx.room.building if ctx.room else None)
    report = Report(text or event.text, found.category or "其他", building, found.urgent)
    since = ctx.now - ctx.settings.cases.duplicate_window
    same = cases.find_duplicate(ctx.session, text=report.text, category=report.category,
                                building=report.building, room_id=event.room, since=since,
                                urgent=report.urgent, same_subject=same_subject)
    if same is not None:
        join_existing(ctx, same, report)
        return
    note = "您还提到了别的问题，请另发一条，方便分别跟进。" if several_problems(report.text) else ""
    open_case(ctx, report, reporters=[sender.id], private=event.private, note=note)


U_REPORT = "#报修 问题和地点"


@router.command("报修", "投诉", "反映", "report", usage=U_REPORT)
def report_command(ctx: Context, args: str) -> None:
    """直接登记一件诉求（也可以直接在群里说）"""
    text = args.strip()
    if not text:
        raise Refusal("请写上问题和地点，如：#报修 3号楼电梯坏了（也可以直接在群里说）。")
    found = ctx.classify(text)  # the resident says it is a complaint; the model reads the rest
    open_complaint(ctx, found, text)


# A quote-reply that only says "me too" about a complaint: one more reporter.
_ME_TOO = {"我也是", "我家也是", "我们也是", "我们家也是", "我也一样", "我家也一样", "一样", "同样",
           "同", "+1", "我也遇到了", "我也遇到过", "我家也这样", "我们楼也是", "我们这也是", "同感", "附议",
           "一样的问题", "同样的问题", "係呀", "系呀"}


@router.reply
def quoted_me_too(ctx: Context) -> bool:
    """"我也是" quoting an open complaint (or the bot's line about it) joins its reporters."""
    if not ctx.event.quoted or ctx.is_staff:  # staff answering a report do not join it
        return False
    # "我也是，电梯等了十分钟": what comes first says it; the rest is their own words
    first, rest = first_clause(simplified(normalise(ctx.event.text)))
    if first not in _ME_TOO:
        return False
    item = items.find_quoted(ctx.session, ctx.event.quoted, status.COMPLAINT)
    if item is None or item.status not in status.ACTIVE[status.COMPLAINT] \
            or cases.is_reporter(ctx.session, item.id, ctx.sender.id):
        return False
    said = ctx.event.text if rest.strip(" 。.!！~～，,") else item.text  # "我也是" alone adds no words
    join_existing(ctx, item, Report(said, item.category, item.building, urgent=False))
    return True


def join_existing(ctx: Context, item: Item, report: Report) -> None:
    """The same problem again: one more reporter on the open item, never a second item."""
    event = ctx.event
    said = None if report.text == item.text else report.text  # "我也是" adds no words
    joined = cases.add_reporter(ctx.session, item, ctx.sender.id, at=ctx.now,
                                private=event.private, msg_id=event.id, text=said)
    count = len(items.reporters(ctx.session, item.id))
    if joined:  # a burst of reports: the count still waiting to go out is replaced, not stacked
        ctx.reply(f"已有 #{item.id} 在处理，已记下您的反映（共 {count} 人）。",
                  coalesce=f"joined-{item.id}", replace=True)
    else:
        _ack(ctx, f"#{item.id} 正在处理，您已反映过，有进展会告诉大家。")
    if report.urgent and not item.urgent:
        item.urgent = True
        ctx.session.add(item)
        items.record(ctx.session, item, "urgent", at=ctx.now, actor_id=ctx.sender.id,
                     msg_id=event.id, detail="又有人报告紧急情况")
        _alert(ctx, item, people.responsible_for(ctx.session, item.building))


def open_case(ctx: Context, report: Report, *, reporters: list[str], private: bool,
              msg_id: str | None = None, note: str = "") -> Item:
    """Open the item, answer in one line, alert on urgency, start the acceptance clock."""
    event = ctx.event
    owner = people.responsible_for(ctx.session, report.building)
    item = items.open_item(
        ctx.session, kind=status.COMPLAINT, status=status.OPEN, text=report.text,
        reporter_id=reporters[0], room_id=event.room, at=ctx.now, category=report.category,
        building=report.building, urgent=report.urgent, assignee_id=owner.id if owner else None,
        msg_id=msg_id or event.id, private=private,
    )
    for other in reporters[1:]:
        cases.add_reporter(ctx.session, item, other, at=ctx.now, msg_id=msg_id or event.id)
    who = f"，由{owner.name}跟进" if owner else ""
    ats = [owner.id] if owner else []
    if item.urgent:  # one message that is both the answer and the alarm
        _alert(ctx, item, owner)
    elif private:
        ctx.reply(f"已登记 #{item.id}（{item.category}）{who}。处理进展会私信告诉您。{note}")
        room = item_room(ctx, item)
        if room is not None:  # the group hears of it, but never who raised it
            ctx.say(room, f"已登记 #{item.id}（{item.category}，居民私信反映）{who}。", ats,
                    coalesce="ack")
    else:
        _ack(ctx, f"已登记 #{item.id}（{item.category}）{who}。{note}", ats)
    # the acceptance clock is handlers/sla.py's: no per-item job here
    return item


def _ack(ctx: Context, text: str, mentions: list[str] | tuple[str, ...] = ()) -> None:
    """An acknowledgement; in a busy group several are merged into one message."""
    ctx.reply(text, mentions, coalesce="ack")


def _alert(ctx: Context, item: Item, owner: Person | None) -> None:
    """Urgent: @ the grid worker and the admin in the group at once, and tell them privately."""
    admin = people.first_admin(ctx.session)
    alerted = list(dict.fromkeys(p.id for p in (owner, admin) if p is not None))
    names = "、".join(people.get_person(ctx.session, i).name for i in alerted)
    room = item_room(ctx, item)
    if room is not None and alerted:
        ctx.say(room, f"⚠️紧急 已登记 #{item.id}（{item.category}），请{names}立即处理！"
                      f"如有危险请先拨打 119/120。", alerted)
    if ctx.event is not None and ctx.event.room is None:
        ctx.reply(f"已登记 #{item.id}（{item.category}），已紧急通知{names}。如有危险请先拨打 119/120。")
    where = item.building or (ctx.room.name if ctx.room else "私信")
    for person_id in alerted:
        ctx.tell(person_id, f"⚠️紧急 #{item.id}（{item.category}，{where}）：{mask_phones(short(item.text, 60))}"
                            f"\n请立即处理，到场后回复 #受理 {item.id}。")

