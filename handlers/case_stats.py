"""#统计: the figures a street office is judged by (SPEC §1), over a period.

Response rate (accepted within the SLA), resolution rate, satisfaction rate
(满意+基本满意 over rated), mean time to resolve, and the share solved at each level.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.commands import normalise
from handlers.context import Context, Refusal
from handlers.router import STAFF, Router
from handlers.sla import accept_by
from storage import cases, stats
from storage.buildings import in_buildings

router = Router("case_stats")

PERIODS = ("本月", "上月", "本周", "上周", "今年", "全部")
U_STATS = "#统计 [本月|上月|本周|上周|今年|全部]"


def period(word: str, now: datetime) -> tuple[datetime, datetime, str]:
    """(start, end, label) of a named period in local time; the default is this month."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month = day.replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    if word in ("", "本月", "this_month", "month"):
        return month, next_month, f"{now.month}月"
    if word in ("上月", "last_month"):
        start = (month - timedelta(days=1)).replace(day=1)
        return start, month, f"{start.month}月"
    if word in ("本周", "week"):
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7), "本周"
    if word in ("上周", "last_week"):
        end = day - timedelta(days=day.weekday())
        return end - timedelta(days=7), end, "上周"
    if word in ("今年", "year"):
        return day.replace(month=1, day=1), day.replace(year=now.year + 1, month=1, day=1), f"{now.year}年"
    if word in ("全部", "all"):
        return datetime(2000, 1, 1, tzinfo=now.tzinfo), now + timedelta(seconds=1), "全部"
    raise Refusal(f"看不懂时间段“{word}”，格式：{U_STATS}")


def _duration(td: timedelta | None) -> str:
    if td is None:
        return "—"
    hours = td.total_seconds() / 3600
    return f"{hours:.1f} 小时" if hours < 48 else f"{hours / 24:.1f} 天"


@router.command("统计", "stats", usage=U_STATS, who=STAFF)
def show_stats(ctx: Context, args: str) -> None:
    """响应率、解决率、满意率（默认本月）"""
    now = ctx.now.astimezone(ZoneInfo(ctx.settings.timezone))
    start, end, label = period(normalise(args).split(" ")[0], now)
    buildings = None
    scope = ctx.settings.community.name
    if ctx.sender.role == "grid_worker":  # a grid worker's figures are their buildings'
        buildings = sorted({i.building for i in cases.complaints(ctx.session)
                            if in_buildings(i.building, ctx.sender.buildings)})
        scope = "、".join(ctx.sender.buildings) or scope
    sla = ctx.settings.cases.sla
    r = stats.rates(ctx.session, start, end, accept_sla=sla.accept,
                    urgent_accept_sla=sla.urgent_accept, buildings=buildings,
                    accept_by=accept_by(ctx.settings, now.tzinfo), now=now)
    last = min(end, now + timedelta(seconds=1)) - timedelta(seconds=1)
    lines = [f"{scope} {label}统计（{start:%m-%d} 至 {last:%m-%d}）："]
    if not r.opened:
        ctx.reply(lines[0] + "这段时间没有登记的诉求。")
        return
    lines.append(f"登记 {r.opened} 件｜响应率 {stats.percent(r.response_rate)}"
                 f"｜解决率 {stats.percent(r.resolution_rate)}")
    lines.append(f"满意率 {stats.percent(r.satisfaction_rate)}（评价 {r.rated} 件）"
                 f"｜平均办结 {_duration(r.mean_resolve)}")
    if r.resolved:
        shares = "｜".join(f"{level} {stats.percent(r.level_share(level))}"
                          for level in ctx.settings.cases.ladder)
        lines.append(f"办结层级：{shares}")
    ctx.reply("\n".join(lines))
