"""The eve of the monthly deliberation day (议事日, `schedule.council_day`).

The day before, at the same time of day, each group learns which proposals have
gathered enough supporters (附议 ≥ `proposals.support_threshold`) and will be put
to a vote tomorrow: the community group all of them, a building group its own. A
group with nothing on the list hears nothing (never flood a group).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from handlers.context import Context
from handlers.digest import scope_for
from handlers.router import Router
from storage.digest import claim_run, proposals_ready

router = Router("council")

MAX_LISTED = 10


@router.job("council.eve")
def council_eve(ctx: Context, due: str | None = None) -> None:
    """The proposals ready for tomorrow's council day, to the groups they concern; once a month."""
    meant = datetime.fromisoformat(due).astimezone(ctx.now.tzinfo) if due else ctx.now
    tomorrow = meant + timedelta(days=1)
    if not claim_run(ctx.session, "council-eve", f"{tomorrow:%Y-%m-%d}", ctx.now):
        return
    day = f"明天（{tomorrow.month}月{tomorrow.day}日）是议事日"
    threshold = ctx.settings.proposals.support_threshold
    for room in ctx.settings.rooms:
        ready = proposals_ready(ctx.session, scope_for(ctx.settings, room), threshold)
        if not ready:
            continue
        lines = [f"{day}。以下议题附议已满 {threshold} 人，将提交议事并发起表决："]
        lines += [f"#{item.id} {_title(item.text)}（附议 {n} 人）" for item, n in ready[:MAX_LISTED]]
        if len(ready) > MAX_LISTED:
            lines.append(f"另有 {len(ready) - MAX_LISTED} 项，发 #案件 查看")
        lines.append("欢迎到场或在群里发表意见。")
        ctx.say(room.id, "\n".join(lines))


def _title(text: str, width: int = 24) -> str:
    """A proposal's first line, short enough for one line of a phone screen."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= width else first[:width - 1] + "…"
