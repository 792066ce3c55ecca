"""The queries behind the weekly digest, the council-day notice and the quarterly summary.

Everything here is read-only and asks for one period and one scope: a building
group sees its building's items and votes, the community group sees all of them.
The figures a street office is judged by come from `storage.stats`, so #统计, the
digest and the quarterly summary can never disagree.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import func
from sqlmodel import Session, select

from storage import status
from storage.buildings import in_buildings
from storage.models import Item, OutboxMessage, RoutineRun, Supporter, Vote
from storage.public import vote_public
from storage.stats import Rates, rates

_ISO_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.I)


@dataclass(frozen=True)
class Scope:
    """What one room sees: `buildings` None means the whole community."""

    name: str  # 3号楼, 江畔社区
    room_id: str | None = None
    buildings: tuple[str, ...] | None = None

    def covers(self, building: str | None) -> bool:
        """A building group sees its units too: 17号楼 covers 17栋2单元."""
        if self.buildings is None:
            return True
        return in_buildings(building, self.buildings)


def _rate_buildings(session: Session, scope: Scope) -> list[str] | None:
    """The building names items of the scope were stored under (for `stats.rates`)."""
    if scope.buildings is None:
        return None
    names = session.exec(select(Item.building).where(Item.building.is_not(None)).distinct())
    return [b for b in names if scope.covers(b)]


# -- periods -----------------------------------------------------------------------------
def week_of(label: str, tz: tzinfo) -> tuple[datetime, datetime]:
    """`2026-W47` → [Monday 00:00, next Monday 00:00) in the community's time zone."""
    m = _ISO_WEEK.match(label)
    if not m:
        raise ValueError("expected an ISO week such as 2026-W47")
    try:
        monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise ValueError(f"there is no week {label}") from None
    start = datetime.combine(monday, time(), tz)
    return start, start + timedelta(days=7)


def last_full_week(now: datetime) -> tuple[datetime, datetime]:
    """The latest Monday-to-Sunday week that has ended by `now`."""
    this_monday = datetime.combine(now.date() - timedelta(days=now.weekday()), time(), now.tzinfo)
    return this_monday - timedelta(days=7), this_monday


def week_to_report(now: datetime) -> tuple[datetime, datetime]:
    """The week a scheduled digest reports on: the one that yesterday belongs to. With the
    default Monday 09:00 that is the week just ended; a digest set for Sunday evening or
    Friday afternoon reports on the week still running rather than on a stale one."""
    return last_full_week(now - timedelta(days=1) + timedelta(days=7))


def week_label(start: datetime) -> str:
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def next_month(start: datetime) -> datetime:
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return start.replace(year=year, month=month, day=1)


# -- one week of one scope ----------------------------------------------------------------------
@dataclass(frozen=True)
class Week:
    scope: Scope
    start: datetime
    end: datetime
    new: int
    resolved: int
    overdue: int
    rates: Rates  # over the complaints opened this week
    mean_resolve: timedelta | None  # over the complaints resolved this week
    texts: list[str]  # of the items raised in groups this week: the hot topics come from these
    open_votes: list[dict] = field(default_factory=list)
    closed_votes: list[dict] = field(default_factory=list)
    trend: list[tuple[str, int, int]] = field(default_factory=list)  # (week, new, resolved)

    @property
    def quiet(self) -> bool:
        return not (self.new or self.resolved or self.overdue or self.open_votes or self.closed_votes)


def week(session: Session, scope: Scope, start: datetime, end: datetime, *, sla,
         overdue_ids: set[int], trend_weeks: int = 6, accept_by=None,
         now: datetime | None = None) -> Week:
    """The figures of [start, end) for `scope`; `sla` is `settings.cases.sla`.
    `overdue_ids`: the complaints overdue now by the SLA clock (handlers.sla.overdue_ids,
    the one rule #案件 超期 uses too); the digest counts those of its scope."""
    week_rates = rates(session, start, end, accept_sla=sla.accept,
                       urgent_accept_sla=sla.urgent_accept, buildings=_rate_buildings(session, scope),
                       accept_by=accept_by, now=now)
    done = resolved_between(session, scope, start, end)
    mean = sum((i.resolved_at - i.created_at for i in done), timedelta()) / len(done) if done else None
    raised = _items(session, scope, select(Item).where(Item.created_at >= start, Item.created_at < end,
                                                       Item.status.not_in([status.MERGED, status.REJECTED])))
    trend = []
    for back in range(trend_weeks - 1, -1, -1):
        s, e = start - timedelta(days=7 * back), end - timedelta(days=7 * back)
        trend.append((week_label(s), _count_opened(session, scope, s, e),
                      len(resolved_between(session, scope, s, e))))
    open_votes, closed_votes = votes(session, scope, start, end)
    return Week(scope=scope, start=start, end=end, new=week_rates.opened, resolved=len(done),
                overdue=len(_items(session, scope, select(Item).where(Item.id.in_(overdue_ids)))), rates=week_rates,
                # words written privately never reach a group, not even as a keyword
                mean_resolve=mean, texts=[i.text for i in raised if i.room_id is not None],
                open_votes=open_votes, closed_votes=closed_votes, trend=trend)


def _items(session: Session, scope: Scope, query) -> list[Item]:
    """Run an Item query and keep the rows inside the scope (a handful per week)."""
    return [i for i in session.exec(query.order_by(Item.id)) if scope.covers(i.building)]


def _complaints(query):
    return query.where(Item.kind == status.COMPLAINT,
                       Item.status.not_in([status.REJECTED, status.MERGED]))


def _count_opened(session: Session, scope: Scope, start: datetime, end: datetime) -> int:
    return len(_items(session, scope, _complaints(select(Item)).where(
        Item.created_at >= start, Item.created_at < end)))


def resolved_between(session: Session, scope: Scope, start: datetime, end: datetime) -> list[Item]:
    return _items(session, scope, _complaints(select(Item)).where(
        Item.resolved_at >= start, Item.resolved_at < end))


def votes(session: Session, scope: Scope, start: datetime, end: datetime) -> tuple[list[dict], list[dict]]:
    """(votes still open at `end`, votes closed in [start, end)) of the scope, in their
    public shape plus title and deadline."""
    rows = session.exec(select(Vote, Item.building).join(Item, Item.id == Vote.item_id)
                        .where(Vote.opened_at < end).order_by(Vote.id))
    still_open, closed = [], []
    for vote, building in rows:
        if not (scope.buildings is None or vote.room_id == scope.room_id or scope.covers(building)):
            continue
        shown = {**vote_public(session, vote), "title": vote.title, "deadline": vote.deadline,
                 "winner": (vote.result or {}).get("winner"),
                 "quorum_missed": "未达法定参与比例" in (vote.result or {}).get("reason", "")}
        if vote.closed_at is None or vote.closed_at >= end:
            if vote.status == "open" or vote.closed_at is not None:
                still_open.append(shown)
        elif vote.closed_at >= start:
            closed.append(shown)
    return still_open, closed


# -- the council day ------------------------------------------------------------------------
def proposals_ready(session: Session, scope: Scope, threshold: int) -> list[tuple[Item, int]]:
    """Open proposals with at least `threshold` supporters (附议): what the council day
    puts to a vote. (item, supporters), most supported first."""
    counted = (select(Item, func.count(Supporter.person_id))
               .join(Supporter, Supporter.item_id == Item.id)
               .where(Item.kind == status.PROPOSAL, Item.status == status.OPEN)
               .group_by(Item.id))
    # the group it was raised and supported in hears of it too, whatever building it names
    ready = [(item, n) for item, n in session.exec(counted)
             if n >= threshold and (scope.covers(item.building) or item.room_id == scope.room_id)]
    return sorted(ready, key=lambda pair: (-pair[1], pair[0].id))


# -- the quarter ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Quarter:
    label: str  # 2026年第4季度
    months: list[tuple[str, Rates]]  # (11月, rates of complaints opened that month)
    total: Rates
    grew: list[tuple[str, int, int]]  # (category, previous quarter, this quarter)


def quarter_of(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = datetime.combine(date(day.year, first_month, 1), time(), tz)
    end = start
    for _ in range(3):
        end = next_month(end)
    return start, end


def quarter(session: Session, start: datetime, end: datetime, *, sla, accept_by=None,
            now: datetime | None = None) -> Quarter:
    """The three rates month by month, where the resolved ones were solved, and the
    categories that grew against the quarter before."""
    def figures(s: datetime, e: datetime) -> Rates:
        return rates(session, s, e, accept_sla=sla.accept, urgent_accept_sla=sla.urgent_accept,
                     accept_by=accept_by, now=now)

    months, cursor = [], start
    while cursor < end:
        following = next_month(cursor)
        months.append((f"{cursor.month}月", figures(cursor, following)))
        cursor = following
    previous_start = start
    for _ in range(3):
        previous_start = (previous_start.replace(day=1) - timedelta(days=1)).replace(day=1)
    total, before = figures(start, end), figures(previous_start, start)
    grew = [(cat, before.by_category.get(cat, 0), n) for cat, n in
            Counter(total.by_category).most_common() if n > before.by_category.get(cat, 0)]
    label = f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return Quarter(label=label, months=months, total=total, grew=grew)


# -- routines done ------------------------------------------------------------------------------
def claim_run(session: Session, routine: str, period: str, at: datetime) -> bool:
    """True the first time `routine` runs for `period` (and records it, in the caller's
    transaction); False when it already has: the run is a repeat and must not post."""
    if session.get(RoutineRun, (routine, period)) is not None:
        return False
    session.add(RoutineRun(routine=routine, period=period, at=at))
    session.flush()
    return True


def has_run_routines(session: Session, before: datetime | None = None) -> bool:
    """Whether this database saw the bot at work (a routine run, or, before `before`,
    anything it wrote to send): a restart rather than a first start (a fresh replay or
    a new install catches nothing up). Routines alone are not enough: a bot installed on
    a Tuesday and down over its first Monday 09:00 has run none yet, and must catch up;
    one first started after `before` was not running then and has nothing to catch up."""
    if session.exec(select(RoutineRun).limit(1)).first() is not None:
        return True
    if before is None:
        return False
    return session.exec(select(OutboxMessage).where(OutboxMessage.created_at < before)
                        .limit(1)).first() is not None
