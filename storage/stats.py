"""The figures a street office is judged by (SPEC §1), computed once for #统计, the
digest and the quarterly summary alike.

Over complaints opened in [start, end) (rejected and merged ones are not cases):
- response rate: accepted within the acceptance SLA (urgent: its own, shorter SLA), counted
  as the SLA clock counts it (working time) when the caller passes `accept_by`, over the
  items whose acceptance is decided (accepted, or past the deadline at `now`): an item
  raised five minutes ago is not yet a miss;
- resolution rate: resolved or closed;
- satisfaction rate: 满意 + 基本满意 over rated items;
- mean time to resolve: opened → resolved, over resolved items;
- level shares: where the resolved ones were solved (社区 / 职能部门 / 街道).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

from sqlmodel import Session, select

from storage import status
from storage.models import Item

SATISFIED = ("满意", "基本满意")


@dataclass(frozen=True)
class Rates:
    opened: int
    decided: int  # whose acceptance is decided: the response rate's denominator
    responded: int
    resolved: int
    rated: int
    satisfied: int
    mean_resolve: timedelta | None
    by_level: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def _rate(part: int, whole: int) -> Fraction | None:
        return Fraction(part, whole) if whole else None

    @property
    def response_rate(self) -> Fraction | None:
        return self._rate(self.responded, self.decided)

    @property
    def resolution_rate(self) -> Fraction | None:
        return self._rate(self.resolved, self.opened)

    @property
    def satisfaction_rate(self) -> Fraction | None:
        return self._rate(self.satisfied, self.rated)

    def level_share(self, level: str) -> Fraction | None:
        """Share of the resolved items solved at `level` (the "721" of SPEC §1)."""
        return self._rate(self.by_level.get(level, 0), self.resolved)


def complaints_opened(session: Session, start: datetime, end: datetime,
                      buildings: list[str] | None = None) -> list[Item]:
    query = select(Item).where(Item.kind == status.COMPLAINT, Item.created_at >= start,
                               Item.created_at < end,
                               Item.status.not_in([status.REJECTED, status.MERGED]))
    if buildings is not None:
        query = query.where(Item.building.in_(buildings))
    return list(session.exec(query.order_by(Item.id)))


def rates(session: Session, start: datetime, end: datetime, *, accept_sla: timedelta,
          urgent_accept_sla: timedelta, buildings: list[str] | None = None,
          accept_by: Callable[[Item], datetime] | None = None, now: datetime | None = None) -> Rates:
    """`buildings`: only items of these buildings (a building group's view); None: all.
    `accept_by(item)`: the moment the item had to be accepted by (handlers.sla.accept_by:
    working time, as the reminders count it); None: creation + the SLA, round the clock."""
    items = complaints_opened(session, start, end, buildings)
    if accept_by is None:
        def accept_by(i: Item) -> datetime:
            return i.created_at + (urgent_accept_sla if i.urgent else accept_sla)
    decided = [i for i in items if i.accepted_at is not None or now is None or accept_by(i) <= now]
    responded = sum(1 for i in decided if i.accepted_at is not None and i.accepted_at <= accept_by(i))
    done = [i for i in items if i.resolved_at is not None]
    rated = [i for i in items if i.rating]
    mean = sum((i.resolved_at - i.created_at for i in done), timedelta()) / len(done) if done else None
    return Rates(
        opened=len(items), decided=len(decided), responded=responded, resolved=len(done), rated=len(rated),
        satisfied=sum(1 for i in rated if i.rating in SATISFIED), mean_resolve=mean,
        by_level=dict(Counter(i.solved_level or i.level for i in done)),
        by_category=dict(Counter(i.category or "其他" for i in items)),
    )


def percent(rate: Fraction | None) -> str:
    """A rate as residents read it: 87%, or — when there is nothing to count."""
    return "—" if rate is None else f"{round(float(rate) * 100)}%"
