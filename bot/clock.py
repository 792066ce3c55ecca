"""One clock interface for live runs and replay's virtual time.

Nothing in Linli calls `datetime.now()` directly: handlers, the scheduler and the
outbox ask the clock, so replay can move time forward without sleeping.
"""
from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo


class Clock:
    """Wall-clock time in the community's time zone."""

    def __init__(self, tz: tzinfo | str = "Asia/Shanghai") -> None:
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class VirtualClock(Clock):
    """Time that only moves when replay says so; it never goes backwards."""

    def __init__(self, start: datetime, tz: tzinfo | str = "Asia/Shanghai") -> None:
        super().__init__(tz)
        self._now = start.astimezone(self.tz)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        when = when.astimezone(self.tz)
        if when > self._now:
            self._now = when
