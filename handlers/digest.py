"""The weekly digest (周报) and the quarterly summary (季度分析).

Every Monday (`schedule.digest`) each group sees what was raised and what was done
in the week that has just ended — a building group its building, the community group
everything — in at most 15 lines plus one chart. Staff can post it now with #周报.
On the first day of each quarter the admins get, privately, how the last quarter went.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.events import Outgoing
from handlers import chart, sla
from handlers.context import Context, Refusal
from handlers.router import STAFF, Router
from handlers.topics import hot_topics
from storage import digest as figures
from storage.stats import Rates, percent

log = logging.getLogger(__name__)
router = Router("digest")

MAX_LINES = 15
MAX_CATEGORIES = 5
INVITE = "有事直接在群里说，我会登记并找人跟进。"


@dataclass(frozen=True)
class Digest:
    text: str
    png: bytes | None  # None for a week with nothing raised or resolved


def scope_for(settings: Settings, room) -> figures.Scope:
    """`room`: a configured room or a Room row (both have id, scope and building)."""
    if room.scope == "building":
        return figures.Scope(name=room.building, room_id=room.id, buildings=(room.building,))
    return figures.Scope(name=settings.community.name, room_id=room.id)


def compose(ctx: Context, room, start: datetime, end: datetime) -> Digest:
    """The digest of [start, end) as `room` sees it, made at `ctx.now`."""
    week = figures.week(ctx.session, scope_for(ctx.settings, room), start, end,
                        sla=ctx.settings.cases.sla, overdue_ids=sla.overdue_ids(ctx),
                        accept_by=sla.accept_by(ctx.settings, ctx.now.tzinfo), now=ctx.now)
    text = "\n".join(_lines(week))
    # A week with nothing raised or resolved gets the text alone: the chart would repeat
    # it, and drawing one costs a tenth of a second of the bot's only thread.
    png = None
    if week.new or week.resolved:
        try:
            png = chart.render_week(f"{week.scope.name} 周报", _subtitle(week), week.trend,
                                    _categories(week.rates))
        except Exception:  # the text is the digest; a chart that fails must not stop it
            log.exception("digest chart for %s failed; sending the text alone", week.scope.name)
    return Digest(text, png)


def _lines(week: figures.Week) -> list[str]:
    lines = [f"【{week.scope.name} 周报】{_span(week.start, week.end)}"]
    if week.quiet:
        lines.append("本周没有新增诉求，也没有超期未办的事项。")
    else:
        lines.append(f"新增诉求 {week.new} 件，办结 {week.resolved} 件，超期未办 {week.overdue} 件")
    cats = _categories(week.rates)
    if cats:
        lines.append("分类：" + "、".join(f"{name} {n}" for name, n in cats))
    if week.rates.opened:
        lines.append(f"响应率 {percent(week.rates.response_rate)}，解决率 "
                     f"{percent(week.rates.resolution_rate)}，满意率 {percent(week.rates.satisfaction_rate)}")
    if week.mean_resolve is not None:
        lines.append(f"平均办结用时 {duration(week.mean_resolve)}")
    topics = hot_topics(week.texts)
    if topics:
        lines.append("本周热点：" + "、".join(topics))
    tz = week.start.tzinfo
    vote_lines = [f"表决中：#{v['item']} {_short(v['title'])}（截止 {_when(v['deadline'], tz)}）"
                  for v in week.open_votes]
    vote_lines += [f"表决结果：#{v['item']} {_short(v['title'])} {_outcome(v)}" for v in week.closed_votes]
    room_for = MAX_LINES - len(lines) - 1  # the closing line stays
    if len(vote_lines) > room_for:
        more = len(vote_lines) - (room_for - 1)
        vote_lines = vote_lines[:room_for - 1] + [f"另有 {more} 项表决，发 #案件 查看"]
    lines += vote_lines
    lines.append(INVITE)
    return lines


def _categories(rates: Rates) -> list[tuple[str, int]]:
    ranked = sorted(rates.by_category.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:MAX_CATEGORIES]


def _subtitle(week: figures.Week) -> str:
    head = f"{_span(week.start, week.end)}  新增 {week.new}  办结 {week.resolved}  超期 {week.overdue}"
    if not week.rates.opened:
        return head
    return (f"{head}  响应率 {percent(week.rates.response_rate)}  解决率 "
            f"{percent(week.rates.resolution_rate)}  满意率 {percent(week.rates.satisfaction_rate)}")


def _span(start: datetime, end: datetime) -> str:
    last = end - timedelta(days=1)
    return f"{start.month}月{start.day}日—{last.month}月{last.day}日"


def _short(title: str, width: int = 16) -> str:
    """One line of a phone screen holds the title, the number and the deadline."""
    title = " ".join(title.split())
    return title if len(title) <= width else title[:width - 1] + "…"


def _when(moment: datetime | None, tz) -> str:
    if moment is None:
        return "待定"
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _outcome(vote: dict) -> str:
    """通过 / 未通过 (and why, when the count alone does not say) / a poll's winner or tie."""
    verdict = {True: "通过", False: "未通过"}.get(vote.get("passed"), "已结束")
    if vote.get("quorum_missed"):
        verdict = "未通过（参与未达三分之二）"
    elif vote.get("tally") and "同意" not in vote["tally"]:  # a poll between choices
        verdict = f"“{vote['winner']}”最多" if vote.get("winner") else \
            ("并列，未能决出" if any(vote["tally"].values()) else "无人投票")
    tally = "，".join(f"{option} {n}" for option, n in (vote.get("tally") or {}).items())
    return f"{verdict}（{tally}）" if tally else verdict


def duration(span: timedelta) -> str:
    """How long residents waited, the way they would say it: 5 小时, 1.5 天."""
    hours = span / timedelta(hours=1)
    if hours < 24:
        return f"{max(1, round(hours))} 小时"
    return f"{hours / 24:.1f} 天".replace(".0 天", " 天")


def _post(ctx: Context, room, start: datetime, end: datetime, *, to: str | None = None) -> None:
    made = compose(ctx, room, start, end)
    target = {"to": to} if to else {"room": room.id}
    ctx.outgoing.append(Outgoing(text=made.text, image=made.png, **target))


def _due(ctx: Context, due: str | None) -> datetime:
    """When the run was meant to happen: now, or the time a run caught up after a restart."""
    return datetime.fromisoformat(due).astimezone(ctx.now.tzinfo) if due else ctx.now


@router.job("digest.weekly")
def weekly(ctx: Context, due: str | None = None) -> None:
    """Every group gets the digest of the week that has just ended, scoped to it; once."""
    start, end = figures.week_to_report(_due(ctx, due))
    if not figures.claim_run(ctx.session, "digest", figures.week_label(start), ctx.now):
        return
    for room in ctx.settings.rooms:
        try:
            with ctx.session.begin_nested():
                _post(ctx, room, start, end)
        except Exception:  # read-only work: one room's failure must not silence the others
            log.exception("weekly digest for room %s failed", room.id)


@router.command("周报", "digest", usage="#周报 [2026-W47]", who=STAFF)
def post_digest(ctx: Context, args: str) -> None:
    """在本群发上周的周报（可指定周）"""
    tz = ctx.now.tzinfo
    if args.strip():
        try:
            start, end = figures.week_of(args, tz)
        except ValueError:
            raise Refusal("周报的写法：#周报，或 #周报 2026-W47（指定哪一周）") from None
    else:
        start, end = figures.last_full_week(ctx.now)
    if ctx.room is None:  # asked privately: the community's digest, to the asker only
        community = next((r for r in ctx.settings.rooms if r.scope == "community"), None)
        scope_room = community or _CommunityRoom()
        _post(ctx, scope_room, start, end, to=ctx.sender.id)
    else:
        _post(ctx, ctx.room, start, end)


@dataclass(frozen=True)
class _CommunityRoom:
    id: str | None = None
    scope: str = "community"
    building: str | None = None


# -- 季度分析 -------------------------------------------------------------------------------
def quarter_text(session: Session, settings: Settings, start: datetime, end: datetime,
                 *, now: datetime, so_far: bool = False) -> str:
    q = figures.quarter(session, start, end, sla=settings.cases.sla,
                        accept_by=sla.accept_by(settings, start.tzinfo), now=now)
    last_month = (end - timedelta(days=1)).month
    head = f"【季度分析】{q.label}（{start.month}月—{last_month}月{'，截至今天' if so_far else ''}）"
    lines = [head]
    for month, r in q.months:
        if so_far and not r.opened:
            continue
        lines.append(f"{month}：诉求 {r.opened} 件，响应率 {percent(r.response_rate)}，"
                     f"解决率 {percent(r.resolution_rate)}，满意率 {percent(r.satisfaction_rate)}")
    solved = sum(q.total.by_level.values())
    if solved:
        ladder = in_ladder_order(settings, q.total.by_level)
        lines.append("办结层级：" + "，".join(f"{level} {percent_of(n, solved)}" for level, n in ladder))
    else:
        lines.append("办结层级：本季度尚无办结")
    if q.grew:
        lines.append("增长的类别：" + "，".join(f"{cat} {before}→{now}" for cat, before, now in q.grew[:5]))
    else:
        lines.append("增长的类别：无（各类诉求均未多于上季度）")
    return "\n".join(lines)


def in_ladder_order(settings: Settings, by_level: dict[str, int]) -> list[tuple[str, int]]:
    """Levels in ladder order (社区 → 职能部门 → 街道), then any other name found."""
    order = list(settings.cases.ladder) + sorted(set(by_level) - set(settings.cases.ladder))
    return [(level, by_level.get(level, 0)) for level in order]


def percent_of(part: int, whole: int) -> str:
    return f"{round(part * 100 / whole)}%"


def _admins(settings: Settings) -> list[str]:
    return [s.id for s in settings.staff if s.role == "admin"]


@router.job("digest.quarterly")
def quarterly(ctx: Context, due: str | None = None) -> None:
    """First day of a quarter: the quarter that has just ended, privately to each admin; once."""
    start, end = figures.quarter_of((_due(ctx, due) - timedelta(days=1)).date(), ctx.now.tzinfo)
    period = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if not figures.claim_run(ctx.session, "quarterly", period, ctx.now):
        return
    text = quarter_text(ctx.session, ctx.settings, start, end, now=ctx.now)
    for admin in _admins(ctx.settings):
        ctx.tell(admin, text)


@router.command("季度分析", "quarter", usage="#季度分析", who={"admin"})
def ask_quarter(ctx: Context, args: str) -> None:
    """本季度至今的三率、办结层级和增长的类别（私聊发给您）"""
    start, end = figures.quarter_of(ctx.now.date(), ctx.now.tzinfo)
    ctx.tell(ctx.sender.id, quarter_text(ctx.session, ctx.settings, start, end, now=ctx.now, so_far=True))
    if ctx.room is not None:
        ctx.reply("季度分析已私聊发给您。")
