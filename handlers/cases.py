"""Staff work on complaint items from the chat (SPEC §3): open by hand, accept, assign,
transfer, note, resolve, escalate, merge, reject.

Every change appends one timeline row (who, when, from which message); anything that
does not fit raises Refusal, so nothing changes and the sender learns how to write it.
"""
from __future__ import annotations

import re

from sqlmodel import select

from handlers import case_access as access
from handlers.case_notify import announce, item_room, name_of, tell_owner
from handlers.commands import item_number, normalise, split_number, split_number_as_written
from handlers.complaints import Report, open_case
from handlers.context import Context, Refusal
from handlers.privacy import mask_phones, short
from handlers.router import STAFF, Router
from storage import cases, corrections, items, people, status
from storage.ladder import escalate
from storage.models import Item, Supporter

router = Router("cases")

CATEGORIES = ("设施维修", "环境卫生", "停车交通", "噪音扰民", "安全隐患", "物业服务",
              "邻里纠纷", "绿化环境", "公共服务", "其他")
NOTERS = STAFF | {"building_lead"}

U_OPEN = "#立案 [类别] 内容（或引用一条消息发 #立案）"
U_ACCEPT = "#受理 编号"
U_ASSIGN = "#指派 编号 @工作人员"
U_TRANSFER = "#转办 编号 部门"
U_NOTE = "#进展 编号 内容"
U_RESOLVE = "#办结 编号 处理结果"
U_ESCALATE = "#升级 编号 [原因]"
U_MERGE = "#合并 编号 重复的编号"
U_REJECT = "#驳回 编号 原因"
U_WITHDRAW = "#撤回 编号 [原因]"


def _record(ctx: Context, item: Item, action: str, detail: str = "") -> None:
    ctx.session.add(item)
    items.record(ctx.session, item, action, at=ctx.now,
                 actor_id=ctx.sender.id if ctx.sender is not None else None,
                 detail=detail, msg_id=ctx.event.id if ctx.event else None)


def _ladder(ctx: Context) -> list[str]:
    return list(ctx.settings.cases.ladder)


def _accept(ctx: Context, item: Item, detail: str = "") -> None:
    """open → accepted: the acceptance clock stops (response rate counts from here)."""
    item.status = status.ACCEPTED
    item.accepted_at = item.accepted_at or ctx.now
    _record(ctx, item, "accepted", detail)


def _number_and_text(ctx: Context, args: str, usage: str, *, required: bool = False,
                     hint: str = "说明") -> tuple[int, str]:
    return split_number_as_written(ctx.event.text, args, usage, rest_required=required, rest_hint=hint)


def _reply_or_confirm(ctx: Context, posted_here: bool, confirmation: str) -> None:
    if not posted_here:
        ctx.reply(confirmation)


@router.command("立案", "open", usage=U_OPEN, who=STAFF)
def open_by_hand(ctx: Context, args: str) -> None:
    """登记一件诉求（可引用居民的消息；@居民 让他成为反映人）"""
    m = re.match(r"^\s*(?:@\S+[\s\u2005]*)*[#＃/／]?\s*(?:立案|open)[\s\u3000]*(.*)$",
                 ctx.event.text, re.S | re.I)
    args = m.group(1).strip() if m else args  # as written: keep "，" (NFKC would not)
    quoted = ctx.event.quoted
    first, _, rest = re.sub(r"[ \t\u3000]+", " ", args).partition(" ")
    category = first if first in CATEGORIES else None
    text = (rest if category else args).strip()
    # the @-mentions written in the text are the reporters, not part of the problem
    reporters = [m for m in ctx.event.mentions if m != ctx.bot_id]
    for person_id in reporters:  # someone who has not spoken since the bot joined
        people.ensure_person(ctx.session, person_id, person_id)
        if ctx.room is not None:
            people.ensure_member(ctx.session, ctx.room.id, person_id)
    text = " ".join(w for w in text.split() if not w.startswith("@")).strip()
    text = text or (quoted or "").strip()
    if not text:
        raise Refusal(f"请写上诉求内容，格式：{U_OPEN}")
    found = ctx.classify(text) if ctx.classify else None
    category = category or (found.category if found and found.category else "其他")
    building = (found.building if found else None) or (ctx.room.building if ctx.room else None)
    report = Report(text, category, building, bool(found and found.urgent))
    item = open_case(ctx, report, reporters=reporters or [ctx.sender.id], private=False)
    if quoted and (found is None or found.kind != "complaint" or found.category != category):
        # the classifier missed or mislabelled this message: staff's label is kept for training
        corrections.add_correction(ctx.session, text=text, kind=status.COMPLAINT, category=category,
                                   urgent=report.urgent, building=building,
                                   source="opened_by_hand", item_id=item.id, at=ctx.now)


@router.command("受理", "accept", usage=U_ACCEPT, who=STAFF)
def accept(ctx: Context, args: str) -> None:
    """接手一件诉求，开始计时"""
    item = access.load(ctx, item_number(args.split(" ")[0] if args else None, U_ACCEPT))
    if item.status == status.ACCEPTED and item.assignee_id == ctx.sender.id:
        raise Refusal(f"您已受理 #{item.id}，办好后发 #办结 {item.id} 处理结果。")
    if item.status == status.ACCEPTED:
        raise Refusal(f"#{item.id} 已由{name_of(ctx, item.assignee_id)}受理；要换人请用 {U_ASSIGN}。")
    access.require_status(item, status.ACCEPTED, "受理")
    access.require(access.may_resolve(ctx.sender, item), item, "受理")
    item.assignee_id = ctx.sender.id
    _accept(ctx, item)
    posted = announce(ctx, item, f"#{item.id} 已由{ctx.sender.name}受理，正在处理。",
                      private_text=f"您反映的 #{item.id} 已由{ctx.sender.name}受理，正在处理。")
    _reply_or_confirm(ctx, posted, f"已受理 #{item.id}。")


@router.command("指派", "assign", usage=U_ASSIGN, who=STAFF)
def assign(ctx: Context, args: str) -> None:
    """交给另一位工作人员"""
    number, rest = split_number(args, U_ASSIGN)
    item = access.load(ctx, number)
    access.require_active(item, "指派")
    access.require(access.may_handle(ctx.sender, item), item, "指派")
    target_ids = [m for m in ctx.event.mentions if m != ctx.bot_id]
    target = access.staff_named(ctx.session, target_ids[0] if target_ids else rest.split(" ")[0]) \
        if (target_ids or rest) else None
    if target is None:
        raise Refusal(f"请 @ 一位工作人员，格式：{U_ASSIGN}")
    if target.id == item.assignee_id:
        raise Refusal(f"#{item.id} 已经由{target.name}跟进。")
    item.assignee_id = target.id
    _record(ctx, item, "assigned", target.name)
    ctx.reply(f"#{item.id} 已交给{target.name}跟进。", [target.id])
    tell_owner(ctx, target.id, f"{ctx.sender.name}把 #{item.id}（{item.category}，{item.building or '社区'}）"
                               f"交给您：{short(item.text)}\n请回复 #受理 {item.id}。")


@router.command("转办", "transfer", usage=U_TRANSFER, who=STAFF)
def transfer(ctx: Context, args: str) -> None:
    """转给部门（物业、城建办…），上升一级"""
    number, department = split_number(args, U_TRANSFER, rest_required=True, rest_hint="部门")
    department = department.split(" ")[0]
    item = access.load(ctx, number)
    access.require_active(item, "转办")
    access.require(access.may_handle(ctx.sender, item), item, "转办")
    if department == item.department:
        raise Refusal(f"#{item.id} 已在{department}办理。")
    ladder = _ladder(ctx)
    if item.status == status.OPEN:
        _accept(ctx, item, "转办即受理")  # handing on to the right department is a response
    item.department = department
    item.sla_kind = status.kind_at_level(1, item.sla_kind)  # another department: at least 跨部门
    _record(ctx, item, "transferred", department)
    if cases.level_index(item.level, ladder) == 0:
        # the bottom rung hands to a functional department; above it the hand-off is sideways
        escalate(ctx.session, item, actor_id=ctx.sender.id, reason=f"转办{department}", now=ctx.now,
                 msg_id=ctx.event.id, ladder=ladder)
    staff = cases.staff_of_department(ctx.session, department)
    if staff is not None:
        item.assignee_id = staff.id
    follower = name_of(ctx, item.assignee_id)
    posted = announce(ctx, item, f"#{item.id} 已转{department}办理（{item.level}），{follower}跟进。",
                      private_text=f"您反映的 #{item.id} 已转{department}办理，{follower}跟进。")
    _reply_or_confirm(ctx, posted, f"#{item.id} 已转{department}。")
    tell_owner(ctx, item.assignee_id, f"#{item.id}（{item.category}）已转{department}：{short(item.text)}"
                                      f"\n办好后发 #办结 {item.id} 处理结果。")


@router.command("进展", "note", usage=U_NOTE, who=NOTERS)
def note(ctx: Context, args: str) -> None:
    """写一条进展，发到事项所在的群"""
    number, text = _number_and_text(ctx, args, U_NOTE, required=True, hint="进展内容")
    item = access.load(ctx, number)
    access.require_active(item, "写进展")
    access.require(access.may_note(ctx.sender, item), item, "写进展")
    _record(ctx, item, "noted", text)
    posted = announce(ctx, item, f"#{item.id} 进展（{ctx.sender.name}）：{text}",
                      private_text=f"您反映的 #{item.id} 有进展：{text}")
    where = "发到群里" if item_room(ctx, item) else "私信告知反映人"
    _reply_or_confirm(ctx, posted, f"#{item.id} 的进展已{where}。")


@router.command("办结", "resolve", usage=U_RESOLVE, who=STAFF)
def resolve(ctx: Context, args: str) -> None:
    """办结并请反映人评价"""
    number, text = _number_and_text(ctx, args, U_RESOLVE, required=True, hint="处理结果")
    item = access.load(ctx, number)
    access.require_status(item, status.RESOLVED, "办结")
    access.require(access.may_resolve(ctx.sender, item), item, "办结")
    if item.accepted_at is None:  # fixed without a #受理 first: taking it on was the fix
        item.accepted_at = ctx.now
    item.status = status.RESOLVED
    item.resolved_at = ctx.now
    item.solved_level = item.level
    _record(ctx, item, "resolved", text)
    # an item staff opened for a resident who is not named (#立案 TEXT) has no one to rate
    # it: the group is not asked for a rating nobody can give; the window still closes it
    ask = f"\n请回复“满意”“基本满意”或“不满意”（也可发 #评价 {item.id} 满意）。" \
        if _resident_reporters(ctx, item) else ""
    posted = announce(
        ctx, item, f"#{item.id} 已办结：{text}",
        private_text=f"您反映的 #{item.id} 已办结：{text}",
        mention_reporters=True, ask=ask)
    _reply_or_confirm(ctx, posted, f"#{item.id} 已办结，已请反映人评价。")
    window = ctx.settings.cases.rating_window
    ctx.jobs.at(ctx.now + window, "cases.rating_due", key=f"rate-{item.id}", item=item.id)


def _resident_reporters(ctx: Context, item: Item) -> list[str]:
    rows = items.reporters(ctx.session, item.id)
    return [r.person_id for r in rows
            if getattr(people.get_person(ctx.session, r.person_id), "role", "resident") == "resident"]


@router.command("升级", "escalate", usage=U_ESCALATE, who=STAFF)
def escalate_item(ctx: Context, args: str) -> None:
    """上升一级（社区→职能部门→街道）"""
    number, reason = _number_and_text(ctx, args, U_ESCALATE)
    item = access.load(ctx, number)
    access.require_active(item, "升级")
    access.require(access.may_handle(ctx.sender, item), item, "升级")
    posted = climb(ctx, item, reason or "人工升级")
    _reply_or_confirm(ctx, posted, f"#{item.id} 已升级到{item.level}。")


def climb(ctx: Context, item: Item, reason: str) -> bool:
    """One level up the ladder, a new owner, and word to everyone concerned. Also usable
    from a scheduled job (no sender). Refuses at the top of the ladder.

    Returns True if the group post answers the chat the current message came from."""
    ladder = _ladder(ctx)
    actor = ctx.sender.id if ctx.sender is not None else None  # None: a timer (the SLA clock)
    new_level = escalate(ctx.session, item, actor_id=actor, reason=reason, now=ctx.now,
                         msg_id=ctx.event.id if ctx.event else None, ladder=ladder)
    if new_level is None:
        raise Refusal(f"#{item.id} 已在最高一级（{item.level}），无法再升级。")
    owner = access.owner_at_level(ctx.session, item, ladder)
    if owner is not None:
        item.assignee_id = owner.id
    ctx.session.add(item)
    follower = name_of(ctx, item.assignee_id)
    why = f"（{item.category}）{reason}，" if actor is None else " "  # a timer says why
    posted = announce(ctx, item, f"#{item.id}{why}已升级到{new_level}，由{follower}跟进。",
             private_text=f"您反映的 #{item.id} 已升级到{new_level}，由{follower}跟进。",
             mentions=(item.assignee_id,) if item.assignee_id else ())
    tell_owner(ctx, item.assignee_id, f"#{item.id}（{item.category}，{item.building or '社区'}）升级到{new_level}，"
                                      f"由您跟进（{reason}）：{short(item.text)}\n办好后发 #办结 {item.id} 处理结果。")
    return posted


@router.command("合并", "merge", usage=U_MERGE, who=STAFF)
def merge(ctx: Context, args: str) -> None:
    """把重复的事项并入另一件"""
    parts = normalise(args).split(" ")
    if len(parts) < 2:
        raise Refusal(f"请写上两个编号，格式：{U_MERGE}")
    keep_no, dup_no = item_number(parts[0], U_MERGE), item_number(parts[1], U_MERGE)
    if keep_no == dup_no:
        raise Refusal(f"两个编号相同，格式：{U_MERGE}")
    keep, dup = access.load(ctx, keep_no, kind=None), access.load(ctx, dup_no, kind=None)
    if keep.kind != dup.kind:
        raise Refusal(f"#{keep.id} 和 #{dup.id} 不是同一类事项，不能合并。")
    access.require_active(keep, "接收合并")
    access.require_status(dup, status.MERGED, "合并")
    access.require(access.may_handle(ctx.sender, keep) and access.may_handle(ctx.sender, dup), dup, "合并")
    for row in items.reporters(ctx.session, dup.id):
        cases.add_reporter(ctx.session, keep, row.person_id, at=ctx.now, private=row.private,
                           msg_id=row.msg_id)
    for sup in ctx.session.exec(select(Supporter).where(Supporter.item_id == dup.id)):
        if ctx.session.get(Supporter, (keep.id, sup.person_id)) is None:
            ctx.session.add(Supporter(item_id=keep.id, person_id=sup.person_id, at=sup.at))
    dup.status, dup.merged_into = status.MERGED, keep.id
    _record(ctx, dup, "merged", f"并入 #{keep.id}")
    _record(ctx, keep, "merged", f"#{dup.id} 并入")
    count = len(items.reporters(ctx.session, keep.id))
    ctx.reply(f"已把 #{dup.id} 并入 #{keep.id}（共 {count} 人反映），请在 #{keep.id} 跟进。")
    _tell_private_reporters(ctx, dup, f"您反映的 #{dup.id} 与 #{keep.id} 是同一件事，已并入 #{keep.id}，"
                                      f"进展会在 #{keep.id} 告诉您。")


def _tell_private_reporters(ctx: Context, item: Item, text: str) -> None:
    """Reporters who wrote privately were promised news by private message; the group
    answer does not reach them."""
    for row in items.reporters(ctx.session, item.id):
        if row.private and row.person_id != ctx.sender.id:
            ctx.tell(row.person_id, text)


@router.command("撤回", "撤销", "withdraw", usage=U_WITHDRAW)
def withdraw(ctx: Context, args: str) -> None:
    """撤回自己反映的诉求（说错了、已经好了）"""
    number, reason = _number_and_text(ctx, args, U_WITHDRAW)
    item = access.load(ctx, number)
    if not cases.is_reporter(ctx.session, item.id, ctx.sender.id):
        raise Refusal(f"#{item.id} 不是您反映的，只有反映人可以撤回。")
    if item.status not in status.ACTIVE[status.COMPLAINT]:
        raise Refusal(f"#{item.id} 现在是「{status.label(item.kind, item.status)}」，不能撤回。")
    others = [r for r in items.reporters(ctx.session, item.id) if r.person_id != ctx.sender.id]
    if others:
        raise Refusal(f"#{item.id} 还有{len(others)}位邻居反映，不能撤回；如已解决，请告诉网格员。")
    item.status = status.REJECTED  # not a case any more: out of the rates, like a false alarm
    _record(ctx, item, "withdrawn", reason or "反映人撤回")
    ctx.reply(f"已撤回 #{item.id}。如有新的问题，直接说就行。")
    tell_owner(ctx, item.assignee_id, f"#{item.id} 已由反映人撤回{('：' + short(reason)) if reason else ''}，不用再跟进。")


@router.command("驳回", "reject", usage=U_REJECT, who=STAFF)
def reject(ctx: Context, args: str) -> None:
    """不是诉求（误报），不再跟进"""
    number, reason = _number_and_text(ctx, args, U_REJECT, required=True, hint="驳回原因")
    item = access.load(ctx, number, kind=None)
    access.require_status(item, status.REJECTED, "驳回")
    access.require(access.may_handle(ctx.sender, item), item, "驳回")
    item.status = status.REJECTED
    _record(ctx, item, "rejected", reason)
    # the classifier took chat for an item: staff's verdict is kept for `linli train`
    corrections.add_correction(ctx.session, text=item.text, kind="chat", source="rejected",
                               building=item.building, item_id=item.id, at=ctx.now)
    ctx.reply(f"#{item.id} 已驳回：{mask_phones(reason)}")
    _tell_private_reporters(ctx, item, f"您反映的 #{item.id} 已驳回：{reason}。如有疑问请联系网格员。")
