"""Votes (表决): open, ballot, remind, close, publicise (SPEC §3–§4, issue 6).

A vote belongs to a proposal item. Staff open it with `#发起表决`; residents answer with
`#投票 N 选项` or, while exactly one vote in the room takes that word, the word alone.
Reminders go out 24 h and 2 h before the deadline (counts only, never names); at the
deadline the vote closes by itself (durable one-shot jobs), the verdict is posted with the
figures that decided it, and a passed proposal is publicised (公示) for
`proposals.objection_window`, during which `#异议 N 理由` reaches the staff.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.events import Outgoing
from handlers import tally
from handlers.classify.normalize import simplified
from handlers.commands import first_clause, normalise, split_number, split_number_as_written
from handlers.context import Context, Refusal
from handlers.proposals import _name, _privately_to_staff, _short
from handlers.router import Router
from handlers.timeparse import TimeError, parse_deadline
from storage import items, status
from storage import votes as store
from storage.buildings import in_buildings
from storage.models import Item, Vote

router = Router("votes")

POLL_USAGE = ("#发起表决 编号或标题 选项:同意/反对/弃权 截止:周五晚8点 "
              "[规则:过半|三分之二|双过半|双四分之三] [匿名]")
VOTE_USAGE = "#投票 编号 选项"
CLOSE_USAGE = "#结束表决 编号"
OBJECT_USAGE = "#异议 编号 理由"
TIME_FORMS = "2026-11-30 20:00、11月30日20点、周五晚8点、明天中午12点、3天后"
REMINDERS = (24, 2)  # hours before the deadline
LATE_BALLOT = timedelta(hours=12)  # a plain ballot this soon after the close is told it was late
ACK_GAP = timedelta(minutes=1)  # at most one merged ballot acknowledgement per room per minute
# A field starts after a space: `截止:周五晚8点`, `截止 周五晚8点`, `截止时间：周五晚8点` and
# `截止周五晚8点` all read; a title's own words (修改停车规则) stay in the title.
_KEYS = re.compile(r"\s(选项|截止时间|截止|截至|规则|options|deadline|rule)\s*:?\s*", re.I)
_KEY_NAMES = {"options": "选项", "deadline": "截止", "rule": "规则", "截止时间": "截止", "截至": "截止"}
_FLAGS = re.compile(r"(?:^|\s)(匿名|实名|anonymous)(?=\s|$)", re.I)
_SYNONYMS = {"赞成": "同意", "支持": "同意", "同意了": "同意", "我同意": "同意", "我赞成": "同意",
             "我支持": "同意", "不同意": "反对", "不赞成": "反对", "我反对": "反对", "我不同意": "反对",
             "坚决反对": "反对", "弃票": "弃权", "我弃权": "弃权"}
_WEEKDAYS = "一二三四五六日"
# SPEC §2: grid workers and admins open and close votes; property staff do not (a vote is
# often about the property company itself).
OPENERS = frozenset({"grid_worker", "admin"})


# -- #发起表决 ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PollRequest:
    head: str  # an item number or a new title
    options: tuple[str, ...]
    deadline: str
    rule: str
    anonymous: bool


def parse_poll(args: str) -> PollRequest:
    """`7 选项:同意/反对 截止:周五晚8点 规则:双过半 匿名` → PollRequest; refuses with the form."""
    # spaces and colons evened out, but the title keeps its Chinese punctuation: （使用维修资金）
    text = re.sub(r"[ \t\u3000\u2005]+", " ", args).replace("：", ":").strip()
    anonymous = any(f.lower() in ("匿名", "anonymous") for f in _FLAGS.findall(text))
    text = _FLAGS.sub(" ", text).strip()
    parts = _KEYS.split(" " + text)
    head, fields = parts[0].strip(), {}
    for key, value in zip(parts[1::2], parts[2::2]):
        key = _KEY_NAMES.get(key.lower(), key)
        if key in fields:
            raise Refusal(f"“{key}”写了两次，格式：{POLL_USAGE}")
        fields[key] = value.strip()
    if not head:
        raise Refusal(f"请写上建议编号或表决标题，格式：{POLL_USAGE}")
    if not fields.get("截止"):
        raise Refusal(f"请写上截止时间（如 截止:周五晚8点），格式：{POLL_USAGE}")
    options = tuple(normalise(o) for o in re.split(r"[/、,;|，；｜／]", fields.get("选项", "")) if o.strip()) \
        or tally.DEFAULT_OPTIONS
    if len(options) < 2 or len(set(options)) != len(options):
        raise Refusal(f"选项至少两个且不重复，用/隔开（如 选项:同意/反对/弃权），格式：{POLL_USAGE}")
    if any(len(o) > 12 or o.isdigit() for o in options):
        raise Refusal("选项请用简短的词（不超过12个字，不要纯数字），如 选项:A方案/B方案")
    rule = fields.get("规则") or tally.MAJORITY
    if rule not in tally.RULES:
        raise Refusal(f"规则只能是 过半、三分之二、双过半 或 双四分之三，格式：{POLL_USAGE}")
    return PollRequest(head, options, fields["截止"], rule, anonymous)


@router.command("发起表决", "poll", usage=POLL_USAGE, who=OPENERS)
def open_poll(ctx: Context, args: str) -> None:
    """就一条建议或一个新议题发起表决"""
    req = parse_poll(args)
    sent_at = ctx.event.ts if ctx.event else ctx.now
    try:
        deadline = parse_deadline(req.deadline, max(sent_at, ctx.now), _tz(ctx))
    except TimeError as err:
        raise Refusal(f"{err}。截止时间可写：{TIME_FORMS}") from None
    civil = req.rule in tally.CIVIL_RULES
    if civil and not tally.is_decision(req.options):
        raise Refusal("双过半/双四分之三 是业主决定事项的规则，选项需包含“同意”（如 同意/反对/弃权）。")
    owners = _households(ctx) if civil else None
    item = _item_for_vote(ctx, req.head)
    # a proposal is voted on where it was raised and supported, wherever staff type this
    room_id = item.room_id or (ctx.event.room if ctx.event else None)
    if room_id is None:
        raise Refusal("请在要表决的群里发起表决。")
    _require_room_staff(ctx, room_id, "发起")
    if item.room_id is None:
        item.room_id = room_id
    title = _short(item.text, 40)
    vote = store.create_vote(ctx.session, item_id=item.id, room_id=room_id, title=title,
                             options=list(req.options), rule=req.rule, anonymous=req.anonymous,
                             opened_by=ctx.sender.id, opened_at=ctx.now, deadline=deadline)
    if owners is not None:
        store.set_electorate(ctx.session, vote, owners)
    item.status = status.VOTING
    ctx.session.add(item)
    items.record(ctx.session, item, "vote_opened", at=ctx.now, actor_id=ctx.sender.id,
                 msg_id=ctx.event.id if ctx.event else None,
                 detail=f"{req.rule}，截止 {when_text(ctx, deadline)}")
    for hours in REMINDERS:
        if deadline - timedelta(hours=hours) > ctx.now:
            ctx.jobs.at(deadline - timedelta(hours=hours), "votes.remind",
                        key=f"vote-{vote.id}-remind-{hours}h", vote=vote.id, hours=hours)
    ctx.jobs.at(deadline, "votes.close", key=f"vote-{vote.id}-close", vote=vote.id)
    ctx.say(room_id, _announcement(ctx, vote, item, len(owners) if owners is not None else None))
    if ctx.event and ctx.event.room != room_id:
        ctx.reply(f"已在{_room_name(ctx, room_id)}发起 #{item.id} 的表决，截止 {when_text(ctx, deadline)}。")


def _room_name(ctx: Context, room_id: str) -> str:
    room = ctx.settings.room(room_id)
    return f"「{room.name}」" if room else "群里"


def _require_room_staff(ctx: Context, room_id: str, verb: str) -> None:
    """A building group's votes are its grid worker's (or an admin's); the community group's
    any grid worker's."""
    room = ctx.settings.room(room_id)
    if ctx.sender.role == "admin" or room is None or room.scope == "community" \
            or in_buildings(room.building, ctx.sender.buildings):
        return
    raise Refusal(f"抱歉，{_room_name(ctx, room_id)}的表决由负责该楼的网格员或管理员{verb}。")


def _item_for_vote(ctx: Context, head: str) -> Item:
    if re.fullmatch(r"#?\d{1,9}", head):
        number = int(head.lstrip("#"))
        item = items.get_item(ctx.session, number)
        if item is None or item.kind != status.PROPOSAL:
            raise Refusal(f"#{number} 不是一条建议，请核对编号（或直接写表决标题）。")
        if item.status == status.VOTING:
            raise Refusal(f"#{number} 的表决正在进行中，可用 #结束表决 {number} 提前结束。")
        if not status.can_move(item.kind, item.status, status.VOTING):
            raise Refusal(f"#{number} {status.label(item.kind, item.status)}，不能再发起表决。")
        return item
    # a new topic: a proposal item of its own, so it has a number, a timeline and a card
    return items.open_item(ctx.session, kind=status.PROPOSAL, status=status.OPEN, text=head,
                           reporter_id=ctx.sender.id, room_id=ctx.event.room if ctx.event else None,
                           at=ctx.now, msg_id=ctx.event.id if ctx.event else None)


def _households(ctx: Context) -> dict:
    """Owner → exclusive area from the registry in config (`households:`)."""
    if not ctx.settings.households:
        raise Refusal("还没有配置业主名册（config 的 households: 文件），不能按民法典规则表决。")
    path = Path(ctx.settings.households)
    if not path.is_absolute() and ctx.settings.source is not None:
        path = Path(ctx.settings.source).parent / path
    try:
        rows = store.load_households(path)
        owners = tally.owners_from_units((u, c, tally.parse_area(a)) for u, c, a in rows)
    except ValueError as err:
        raise Refusal(f"业主名册有问题：{err}") from None
    if not owners:
        raise Refusal("业主名册是空的，不能按民法典规则表决。")
    return owners


def _announcement(ctx: Context, vote: Vote, item: Item, owners: int | None) -> str:
    lines = [f"#{item.id} 表决：{vote.title}",
             f"选项：{'/'.join(vote.options)}；截止：{when_text(ctx, vote.deadline)}",
             f"规则：{vote.rule}（{tally.RULE_TEXT[vote.rule]}）" if tally.is_decision(vote.options)
             else "得票最多的选项胜出（并列则未能决出）"]
    if owners is not None:
        lines.append(f"只计业主名册中的业主（共{owners}人），一户多套按一人计、面积合计。")
    example = vote.options[0]
    if vote.anonymous:
        lines.append(f"匿名表决：请私聊我发 #投票 {item.id} {example}，不会显示谁投了什么。")
    else:
        lines.append(f"直接回复选项，或发 #投票 {item.id} {example}；截止前可改票。")
    return "\n".join(lines)


# -- ballots --------------------------------------------------------------------------------

@router.command("投票", "vote", usage=VOTE_USAGE)
def vote_command(ctx: Context, args: str) -> None:
    """投票或改票（截止前以最后一次为准）"""
    number, option = split_number(args, VOTE_USAGE, rest_required=True, rest_hint="选项")
    vote = store.vote_of_item(ctx.session, number)
    if vote is None:
        raise Refusal(f"#{number} 没有表决，请核对编号。")
    cast_ballot(ctx, vote, option)


@router.reply
def plain_ballot(ctx: Context) -> bool:
    """"同意" (or an option's name) while exactly one open vote takes that word."""
    word = ballot_word(ctx.event.text)
    if not word or len(word) > 12:
        return False
    if ctx.event.room is not None:
        open_here = store.open_votes(ctx.session, ctx.event.room)
    else:  # privately: the open votes this person may take part in
        open_here = [v for v in store.open_votes(ctx.session)
                     if store.is_eligible(ctx.session, v, ctx.sender.id)]
    matching = [v for v in open_here if _option(v, word) is not None]
    if not matching and ctx.event.room is not None:  # typed just after the close: say so
        late = [v for v in store.closed_since(ctx.session, ctx.event.room, ctx.now - LATE_BALLOT)
                if _option(v, word) is not None]
        if late:
            cast_ballot(ctx, late[-1], word)  # answers privately: closed, not counted
            return True
    if not matching:
        return False
    if len(matching) > 1:
        listed = "、".join(f"#{v.item_id} {_short(v.title, 12)}" for v in matching)
        ctx.tell(ctx.sender.id, f"现在有{len(matching)}项表决在进行：{listed}。"
                                f"请写 #投票 编号 选项（如 #投票 {matching[0].item_id} {matching[0].options[0]}）。")
        return True
    cast_ballot(ctx, matching[0], word)
    return True


def ballot_word(text: str) -> str:
    """What a plain ballot says, as residents type it: "同意，" "赞成👍" "我投反对票" "同意同意",
    "反对，占了停车位" (a reason after a comma: the option is what comes first)."""
    text = simplified(normalise(text))
    head = first_clause(text)[0]
    word = re.sub(r"^[\W_]+|[\W_]+$", "", head or text)
    word = re.sub(r"^我?投(?:一票)?(?=.)", "", word)
    word = re.sub(r"(?<=.)(?:一)?票$", "", word)
    half = len(word) // 2
    return word[:half] if len(word) % 2 == 0 and half and word[:half] * 2 == word else word


def _option(vote: Vote, word: str) -> str | None:
    if word in vote.options:
        return word
    synonym = _SYNONYMS.get(word)
    return synonym if synonym in vote.options else None


def cast_ballot(ctx: Context, vote: Vote, word: str) -> None:
    number, person = vote.item_id, ctx.sender.id
    if vote.status != store.OPEN:
        ctx.tell(person, f"#{number} 的表决已于{when_text(ctx, vote.closed_at or vote.deadline)}"
                         f"截止，这一票未计入。")
        return
    option = _option(vote, normalise(word))
    if option is None:
        raise Refusal(f"#{number} 的选项是：{'/'.join(vote.options)}，"
                      f"请写 #投票 {number} {vote.options[0]}")
    if not store.is_eligible(ctx.session, vote, person):
        who = "业主名册中的业主" if store.is_civil(vote) else "本群成员"
        ctx.tell(person, f"#{number} 的表决只计{who}，您的这一票未计入。如有疑问请联系网格员。")
        return
    before = store.cast(ctx.session, vote, person, option, ctx.now)
    if vote.anonymous and not ctx.event.private:  # counted, but the group saw what was typed
        ctx.tell(person, f"#{number} 已收到您的投票。这是匿名表决，下次请私聊我投票，群里的消息大家都看得到。")
    if ctx.event.private:
        if vote.anonymous:  # the outbox keeps what it sent: never the option with the name
            ctx.tell(person, f"#{number} 已收到您的匿名投票，截止前可改票，以最后一次为准。")
        else:
            change = f"已改为“{option}”" if before and before != option else f"已记录“{option}”"
            ctx.tell(person, f"#{number} {change}，截止前可改票。")
    _acknowledge(ctx, vote)


def _acknowledge(ctx: Context, vote: Vote) -> None:
    """Merge acknowledgements: at most one line per room per minute
    ("#7 已记录 4 票，当前已投 31/120"), covering every open vote of the room.

    Our own minute gap keeps a group quiet on any outbox; the coalesce key also lets the
    rate-limited outbox merge a line still waiting to go out with a newer one.
    """
    state = store.ack_state(ctx.session, vote)
    state.pending += 1
    ctx.session.add(state)
    last = store.last_ack_in_room(ctx.session, vote.room_id)
    if last is None or ctx.now - last >= ACK_GAP:
        _post_acks(ctx, vote.room_id)
    else:
        ctx.jobs.at(last + ACK_GAP, "votes.ack", key=f"ballots-ack-{vote.room_id}", room=vote.room_id)


def _post_acks(ctx: Context, room_id: str) -> None:
    waiting = [(v, st) for v, st in store.ack_states(ctx.session, room_id) if st.pending]
    if not waiting:
        return
    lines = []
    for vote, state in waiting:
        cast, eligible = store.turnout(ctx.session, vote)
        lines.append(f"#{vote.item_id} 已记录 {state.pending} 票，当前已投 {cast}/{eligible}")
    for _, state in store.ack_states(ctx.session, room_id):
        state.pending, state.last_at = 0, ctx.now
        ctx.session.add(state)
    key = f"ballots-{waiting[0][0].id}" if len(waiting) == 1 else f"ballots-{room_id}"
    ctx.outgoing.append(Outgoing("；".join(lines) + "。", room=room_id, coalesce=key, replace=True))


@router.job("votes.ack")
def ack_job(ctx: Context, room: str) -> None:
    _post_acks(ctx, room)


# -- reminders and the close ------------------------------------------------------------------

@router.job("votes.remind")
def remind(ctx: Context, vote: int, hours: int) -> None:
    v = store.get_vote(ctx.session, vote)
    if v is None or v.status != store.OPEN:
        return
    ctx.say(v.room_id, f"提醒：#{v.item_id} 表决还有{hours}小时截止（{when_text(ctx, v.deadline)}），"
                       f"{_turnout_text(ctx, v)}。还没投的邻居请抓紧。")


def _turnout_text(ctx: Context, vote: Vote) -> str:
    cast, eligible = store.turnout(ctx.session, vote)
    text = f"已投 {cast}/{eligible}"
    if store.is_civil(vote):
        electorate = store.electorate(ctx.session, vote)
        voted = store.ballots(ctx.session, vote)
        area = sum((a for k, a in electorate.items() if k in voted), Fraction(0))
        total = sum(electorate.values(), Fraction(0))
        text = f"已投业主 {cast}/{eligible} 人、面积 {tally.area_text(area)}/{tally.area_text(total)}㎡"
    return text


@router.job("votes.close")
def close_job(ctx: Context, vote: int) -> None:
    v = store.get_vote(ctx.session, vote)
    if v is not None and v.status == store.OPEN:
        close_vote(ctx, v)


@router.command("结束表决", "close", usage=CLOSE_USAGE, who=OPENERS)
def close_command(ctx: Context, args: str) -> None:
    """提前结束表决并公布结果"""
    number, _ = split_number(args, CLOSE_USAGE)
    vote = store.vote_of_item(ctx.session, number)
    if vote is None or vote.status != store.OPEN:
        raise Refusal(f"#{number} 没有进行中的表决。")
    if vote.opened_by != ctx.sender.id:
        _require_room_staff(ctx, vote.room_id, "结束")
    close_vote(ctx, vote, early=True)


def close_vote(ctx: Context, vote: Vote, early: bool = False) -> None:
    """Count, post the verdict with its figures, move the proposal on, open the 公示."""
    outcome = tally.decide(vote.rule, vote.options, store.ballots(ctx.session, vote),
                           eligible=store.eligible_count(ctx.session, vote),
                           electorate=store.electorate(ctx.session, vote) if store.is_civil(vote) else None)
    vote.status, vote.closed_at, vote.result = store.CLOSED, ctx.now, outcome.public()
    ctx.session.add(vote)
    for key in (f"vote-{vote.id}-remind-{h}h" for h in REMINDERS):
        ctx.jobs.cancel(key)
    if early:
        ctx.jobs.cancel(f"vote-{vote.id}-close")
    item = items.get_item(ctx.session, vote.item_id)
    target = status.PASSED if outcome.passed else status.FAILED
    if status.can_move(item.kind, item.status, target):
        item.status = target
        ctx.session.add(item)
    items.record(ctx.session, item, "vote_closed", at=ctx.now,
                 actor_id=ctx.sender.id if early and ctx.sender else None, detail=outcome.reason)
    counts = " · ".join(f"{opt} {n}" for opt, n in outcome.tally.items())
    lines = [f"#{vote.item_id} 表决{'提前' if early else ''}结束：{vote.title}", counts,
             f"{vote.rule}：{outcome.reason}" if tally.is_decision(vote.options) else outcome.reason]
    if outcome.passed:
        end = ctx.now + ctx.settings.proposals.objection_window
        lines.append(f"公示至{when_text(ctx, end)}，如有异议请发 #异议 {vote.item_id} 理由。")
        ctx.jobs.at(end, "votes.publicity_end", key=f"vote-{vote.id}-publicity", vote=vote.id)
    ctx.say(vote.room_id, "\n".join(lines))


@router.job("votes.publicity_end")
def publicity_end(ctx: Context, vote: int) -> None:
    """The 公示 window is over: the decision is carried out (status done)."""
    v = store.get_vote(ctx.session, vote)
    item = items.get_item(ctx.session, v.item_id) if v else None
    if item is None or item.status != status.PASSED:
        return
    objections = len(_objections(ctx, item))
    item.status = status.DONE
    ctx.session.add(item)
    items.record(ctx.session, item, "publicised", at=ctx.now, actor_id=None,
                 detail=f"公示期满，异议 {objections} 条")
    heard = f"，收到异议{objections}条，已转工作人员" if objections else "，无异议"
    ctx.say(v.room_id, f"#{item.id} 公示期满{heard}，转入落实。")


# -- #异议 ---------------------------------------------------------------------------------

@router.command("异议", "object", usage=OBJECT_USAGE)
def object_command(ctx: Context, args: str) -> None:
    """公示期内对表决结果提出异议"""
    number, reason = split_number_as_written(ctx.event.text, args, OBJECT_USAGE, rest_required=True,
                                             rest_hint="理由")
    item = items.get_item(ctx.session, number)
    vote = store.vote_of_item(ctx.session, number) if item else None
    if item is None or vote is None or item.status != status.PASSED:
        raise Refusal(f"#{number} 不在公示期，无法登记异议。")
    items.record(ctx.session, item, "objection", at=ctx.now, actor_id=ctx.sender.id,
                 detail=reason, msg_id=ctx.event.id)
    for staff_id in {vote.opened_by, item.assignee_id} - {None}:
        ctx.tell(staff_id, f"#{number} 公示期收到异议（{ctx.sender.name}）：{reason}")
    ctx.reply(f"已记录您对 #{number} 的异议，工作人员会跟进。")


def _objections(ctx: Context, item: Item) -> list:
    return [e for e in items.timeline(ctx.session, item.id) if e.action == "objection"]


# -- shown on the item card (#案件 N) ----------------------------------------------------------

def vote_lines(ctx: Context, vote: Vote) -> list[str]:
    kind = "匿名" if vote.anonymous else "实名"
    if vote.status == store.OPEN:
        lines = [f"表决中（{vote.rule}，{kind}）：截止 {when_text(ctx, vote.deadline)}，"
                 f"{_turnout_text(ctx, vote)}"]
    else:
        result = vote.result or {}
        counts = " · ".join(f"{k} {n}" for k, n in (result.get("tally") or {}).items())
        lines = [f"表决结果（{vote.rule}，{kind}）：{counts}", result.get("reason", "")]
    if not vote.anonymous and _privately_to_staff(ctx):
        for option in vote.options:
            names = [_name(ctx, pid) for pid, opt in store.roll(ctx.session, vote) if opt == option]
            if names:
                lines.append(f"  {option}：{'、'.join(names)}")
    return [line for line in lines if line]


def when_text(ctx: Context, when: datetime) -> str:
    local = when.astimezone(_tz(ctx))
    return f"{local.month}月{local.day}日(周{_WEEKDAYS[local.weekday()]}) {local:%H:%M}"


def _tz(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.settings.timezone)
