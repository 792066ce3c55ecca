"""Rating a resolved item (评): the loop residents are promised ends with their verdict.

满意 / 基本满意 close the item; 不满意 reopens it one level up the ladder with a new owner;
no rating within `cases.rating_window` closes it unrated.
"""
from __future__ import annotations

import re

from handlers import case_access as access
from handlers.cases import climb
from handlers.case_notify import name_of, tell_owner
from handlers.classify.normalize import simplified
from handlers.commands import item_number, normalise
from handlers.context import Context, Refusal
from handlers.privacy import short
from handlers.router import Router
from storage import cases, items, status
from storage.models import Item

router = Router("rating")

U_RATE = "#评价 编号 满意|基本满意|不满意 [原因]"
# How residents say it, and the rating each means. A reason may follow ("不满意，只换了一盏");
# "满意度…" or "满意吗？" is not a rating.
_SAID = {"非常满意": "满意", "很满意": "满意", "挺满意": "满意", "满意": "满意",
         "基本满意": "基本满意", "还算满意": "基本满意", "比较满意": "基本满意",
         "不满意": "不满意", "不太满意": "不满意", "很不满意": "不满意", "非常不满意": "不满意",
         "还行": "基本满意", "还可以": "基本满意", "一般": "基本满意", "凑合": "基本满意"}
# After a 满意 word a reason may follow at once ("不满意只换了一盏"); 还行 / 一般 must stand
# alone ("一般来说…" is not a rating).
_PLAIN = re.compile("^(" + "|".join(sorted(_SAID, key=len, reverse=True)) + r")(?![度吗么?？])(?!.*[?？]\s*$)"
                    r"(?:(?<=满意)|(?=[\s,，。.!！~～👍:：;；吧啊]|$))"
                    r"[\s,，。.!！~～👍:：;；吧啊]*(.*)$", re.S)


@router.command("评价", "rate", usage=U_RATE)
def rate_command(ctx: Context, args: str) -> None:
    """给办结的诉求打分：满意、基本满意或不满意"""
    text = simplified(args.strip())  # the reason is kept as written (full-width commas and all)
    head, _, rest = normalise(text).partition(" ")
    if head and not _PLAIN.match(text):
        item = access.load(ctx, item_number(head, U_RATE))
        text = re.split(r"\s+", text, maxsplit=1)[1] if rest else ""
    else:
        waiting = cases.awaiting_rating(ctx.session, ctx.sender.id, ctx.event.room)
        if len(waiting) != 1:
            raise Refusal(f"请写上编号，格式：{U_RATE}")
        item = waiting[0]
    m = _PLAIN.match(text)
    if m is None:
        raise Refusal(f"请写“满意”“基本满意”或“不满意”，格式：{U_RATE}")
    if not cases.is_reporter(ctx.session, item.id, ctx.sender.id) or ctx.is_staff:
        raise Refusal(f"#{item.id} 由反映问题的居民评价。")
    if item.status == status.MERGED and item.merged_into:
        raise Refusal(f"#{item.id} 已并入 #{item.merged_into}，请评价 #{item.merged_into}"
                      f"（#评价 {item.merged_into} 满意）。")
    since = ctx.now - ctx.settings.cases.rating_window
    if item.status == status.CLOSED and cases.closed_since(ctx.session, ctx.sender.id, None, since) == item:
        late_rating(ctx, item, _SAID[m.group(1)], m.group(2).strip(), named=True)
        return
    if item.status == status.CLOSED:
        raise Refusal(f"#{item.id} 已结案{'（评价：' + item.rating + '）' if item.rating else ''}，"
                      f"不能再评价；如问题仍在，请在群里再说一次。")
    if item.status != status.RESOLVED:
        raise Refusal(f"#{item.id} 现在是「{status.label(item.kind, item.status)}」，办结后才能评价。")
    record_rating(ctx, item, _SAID[m.group(1)], m.group(2).strip())


@router.reply
def rate_plain(ctx: Context) -> bool:
    """“满意” from a reporter whose item was just resolved."""
    m = _PLAIN.match(simplified(ctx.event.text.strip()))
    if not m or ctx.is_staff:  # staff who opened an item for a resident do not rate it
        return False
    rating, reason = _SAID[m.group(1)], m.group(2).strip()
    waiting = cases.awaiting_rating(ctx.session, ctx.sender.id, ctx.event.room)
    if len(waiting) > 1:  # plain words work only where they are unambiguous: ask which
        listed = "、".join(f"#{i.id}（{i.category}）" for i in waiting[:5])
        ctx.tell(ctx.sender.id, f"您有{len(waiting)}件事项待评价：{listed}。"
                                f"请发 #评价 编号 {rating}（如 #评价 {waiting[0].id} {rating}）。")
        return True
    if waiting:
        item = waiting[0]
        # from another group only a plain 满意 word counts ("一般，还是老样子" there is chat)
        if not _where_raised(ctx, item) and "满意" not in m.group(1):
            return False
        record_rating(ctx, item, rating, reason)
        return True
    since = ctx.now - ctx.settings.cases.rating_window
    closed = cases.closed_since(ctx.session, ctx.sender.id, ctx.event.room, since)
    if closed is None:
        return False
    late_rating(ctx, closed, rating, reason)
    return True


def _where_raised(ctx: Context, item: Item) -> bool:
    """The message came from the item's own group, or privately about a privately raised item."""
    return ctx.event.room == item.room_id or (ctx.event.room is None and item.room_id is None)


def _detail(rating: str, reason: str) -> str:
    return f"{rating}：{reason}" if reason else rating


def late_rating(ctx: Context, item: Item, rating: str, reason: str = "", *, named: bool = False) -> None:
    """Another reporter's rating after the first one closed the item (within the rating
    window): kept on the timeline and thanked — or, if 不满意, the item is reopened one level
    up as the first 不满意 would have: one neighbour's lights fixed is not the stairwell's."""
    # not solved for everyone: back to work — when said in the item's group or with its number
    if rating == "不满意" and (named or _where_raised(ctx, item)):
        item.closed_at = None
        record_rating(ctx, item, rating, reason)
        return
    items.record(ctx.session, item, "rated", at=ctx.now, actor_id=ctx.sender.id,
                 detail=_detail(rating, reason), msg_id=ctx.event.id)
    ctx.reply(f"谢谢您的评价（{rating}），已记下。")
    if rating == "不满意":  # said elsewhere: kept and passed on, the owner judges
        tell_owner(ctx, item.assignee_id, f"#{item.id} 已结案，但另一位反映人评价不满意"
                                          f"{'（' + short(reason) + '）' if reason else ''}，请回访。")


def record_rating(ctx: Context, item: Item, rating: str, reason: str = "") -> None:
    item.rating = rating
    ctx.jobs.cancel(f"rate-{item.id}")
    items.record(ctx.session, item, "rated", at=ctx.now, actor_id=ctx.sender.id,
                 detail=_detail(rating, reason), msg_id=ctx.event.id)
    if rating != "不满意":
        item.status, item.closed_at = status.CLOSED, ctx.now
        ctx.session.add(item)
        items.record(ctx.session, item, "closed", at=ctx.now, actor_id=ctx.sender.id, detail=rating)
        ctx.reply(f"谢谢您的评价（{rating}），#{item.id} 已结案。")
        return
    # 不满意: back to work one level up (SPEC §4); at the top it stays there with its owner
    item.status, item.resolved_at, item.solved_level = status.ACCEPTED, None, None
    ctx.session.add(item)
    items.record(ctx.session, item, "reopened", at=ctx.now, actor_id=ctx.sender.id, detail="不满意")
    why = f"居民不满意：{short(reason)}" if reason else "居民不满意"
    try:
        posted = climb(ctx, item, why)
    except Refusal:  # already at the top of the ladder: the same owner works on
        posted = False
        tell_owner(ctx, item.assignee_id, f"#{item.id} {why}，已重新打开，请继续处理。")
    if not posted:
        ctx.reply(f"已记下您的评价（不满意），#{item.id} 重新处理，由{name_of(ctx, item.assignee_id)}跟进。")


@router.job("cases.rating_due")
def rating_due(ctx: Context, item: int) -> None:
    """No rating within the window: the item closes unrated (no message: nothing to say)."""
    it = items.get_item(ctx.session, item)
    if it is None or it.status != status.RESOLVED:
        return
    it.status, it.closed_at = status.CLOSED, ctx.now
    ctx.session.add(it)
    items.record(ctx.session, it, "closed", at=ctx.now, actor_id=None, detail="评价期满未评价")
