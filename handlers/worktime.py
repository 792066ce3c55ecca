"""Working time: when a non-urgent clock runs (SPEC §5 cases.sla, `cases.working_hours`).

A community office does not answer at night, on weekends or on public holidays, so
an item raised on Friday evening is not "overdue" on Saturday morning. Working days
come from `chinese_calendar` (maintained yearly from the State Council's notice),
which also knows the make-up working Saturdays (调休). For a year it has no data
for yet, the rule falls back to Monday–Friday and says so once in the log.

How a duration is read: whole days count as working days (`24h` → same time the next
working day, `72h` → three working days), the rest as working hours (`2h` → two
office hours). That is how a grid worker reads "一个工作日内办结".
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar

log = logging.getLogger(__name__)

DAY = timedelta(days=1)


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # the package has no data for that year yet
        _warn_no_calendar(day.year)
        return day.weekday() < 5


@lru_cache(maxsize=None)
def _warn_no_calendar(year: int) -> None:
    log.warning("chinese_calendar has no holidays for %d: counting Monday–Friday only "
                "(upgrade the chinesecalendar package)", year)


def parse_hours(spec: str) -> tuple[time, time]:
    """`08:30-17:30` → (08:30, 17:30)."""
    start, _, end = spec.partition("-")
    return time.fromisoformat(start.strip().zfill(5)), time.fromisoformat(end.strip().zfill(5))


class WorkTime:
    """Office hours in the community's time zone (stored times are UTC: convert first)."""

    def __init__(self, hours: str = "08:30-17:30", tz=None) -> None:
        self.opens, self.closes = parse_hours(hours)
        self.tz = tz

    def _at(self, day: date, t: time, tz) -> datetime:
        return datetime.combine(day, t, tzinfo=tz)

    def next_open(self, when: datetime) -> datetime:
        """`when` if the office is open then, else the moment it next opens."""
        when = when.astimezone(self.tz) if self.tz else when
        tz = when.tzinfo
        day = when.date()
        if is_workday(day) and when.time() < self.closes:
            return max(when, self._at(day, self.opens, tz))
        day += DAY
        while not is_workday(day):
            day += DAY
        return self._at(day, self.opens, tz)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """`start` plus `duration` of working time (whole days as working days)."""
        when = self.next_open(start)
        days, rest = divmod(duration, DAY)
        for _ in range(days):
            day = when.date() + DAY
            while not is_workday(day):
                day += DAY
            when = datetime.combine(day, when.time(), tzinfo=when.tzinfo)
        while rest > timedelta(0):
            when = self.next_open(when)
            closing = self._at(when.date(), self.closes, when.tzinfo)
            step = min(rest, closing - when)
            when += step
            rest -= step
        return when

    def is_open(self, when: datetime) -> bool:
        when = when.astimezone(self.tz) if self.tz else when
        return is_workday(when.date()) and self.opens <= when.time() < self.closes
