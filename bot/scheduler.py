"""The one place that owns APScheduler and knows about replay's virtual clock.

Handlers say "run job X at T" (`Context.jobs.at`) or, for the bot's own
routines, the app registers "every Monday 09:00". Both become APScheduler jobs
whose target is `fire(name, kwargs)`; one-shot jobs live in the bot's own
database (APScheduler's SQLAlchemy job store), so a restart loses none.

Live, APScheduler's loop runs them on the wall clock. In replay the same
scheduler is started paused and `run_due` runs the same jobs, in time order, as
the virtual clock moves — so live and replay fire exactly the same jobs.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import Engine

from bot.clock import Clock, VirtualClock

log = logging.getLogger(__name__)

Runner = Callable[[str, dict], Awaitable[None]]
_runner: Runner | None = None  # the running bot; APScheduler stores only the reference below

GRACE = timedelta(hours=6)  # a job missed while the bot was down still runs this late, once


async def fire(name: str, kwargs: dict) -> None:
    """The target of every stored job (importable by reference, so it survives a restart)."""
    if _runner is None:
        log.error("job %s fired with no bot running", name)
        return
    await _runner(name, kwargs)


class Scheduler:
    def __init__(self, engine: Engine, clock: Clock, runner: Runner) -> None:
        self.clock = clock
        self.runner = runner
        self.virtual = isinstance(clock, VirtualClock)
        self._aps = AsyncIOScheduler(
            jobstores={
                "durable": SQLAlchemyJobStore(engine=engine, tablename="scheduled_job"),
                "default": MemoryJobStore(),  # recurring jobs: rebuilt from config at start
            },
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": int(GRACE.total_seconds())},
            timezone=clock.tz,
        )

    async def start(self) -> None:
        global _runner
        _runner = self.runner
        self._aps.start(paused=self.virtual)

    async def stop(self) -> None:
        global _runner
        if self._aps.running:
            self._aps.shutdown(wait=False)
        if _runner is self.runner:
            _runner = None

    # -- what handlers and the app ask for ------------------------------------------
    def at(self, when: datetime, job: str, key: str, **kwargs: Any) -> None:
        """Run `job` once at `when`; a new request with the same key replaces the old one."""
        self._aps.add_job(fire, DateTrigger(when), args=[job, kwargs], id=key, name=job,
                          jobstore="durable", replace_existing=True, next_run_time=when)

    def cancel(self, key: str) -> None:
        try:
            self._aps.remove_job(key, jobstore="durable")
        except JobLookupError:
            pass

    def every(self, trigger: CronTrigger, job: str, key: str, **kwargs: Any) -> None:
        """A recurring job, e.g. the weekly digest.

        The first run is strictly after now: a bot (re)started at Monday 09:00 sharp
        must not post the digest it may already have posted (cron's own "next fire
        time" would answer "now")."""
        first = trigger.get_next_fire_time(None, self.clock.now() + timedelta(microseconds=1))
        self._aps.add_job(fire, trigger, args=[job, kwargs], id=key, name=job,
                          jobstore="default", replace_existing=True, next_run_time=first)

    def pending(self) -> list[tuple[datetime, str, str]]:
        """(when, job name, key) of every job still to run, soonest first."""
        jobs = [(j.next_run_time, j.name, j.id) for j in self._aps.get_jobs() if j.next_run_time]
        return sorted(jobs)

    # -- replay -----------------------------------------------------------------------
    async def run_due(self, until: datetime) -> None:
        """Virtual time: run every job due up to `until`, in time order, moving the clock."""
        assert isinstance(self.clock, VirtualClock), "run_due is for the virtual clock"
        while True:
            due = [j for j in self._aps.get_jobs() if j.next_run_time and j.next_run_time <= until]
            if not due:
                break
            job = min(due, key=lambda j: (j.next_run_time, j.id))
            when = job.next_run_time
            late = self.clock.now() - when  # > 0 only for a job missed while the bot was down
            self.clock.set(when)
            following = job.trigger.get_next_fire_time(when, when)
            if following is None:
                self._aps.remove_job(job.id)  # removed before it runs: never twice
            else:
                job.modify(next_run_time=following)
            if late > GRACE:  # the same rule APScheduler applies live (misfire_grace_time)
                log.warning("job %s was due %s ago, past the grace window; skipped", job.id, late)
                continue
            await fire(*job.args)
        self.clock.set(until)


def missed_run(trigger: CronTrigger, now: datetime, grace: timedelta = GRACE) -> datetime | None:
    """The fire time of a recurring `trigger` in [now - grace, now), if any: a run that fell
    due while the bot was down (recurring jobs are rebuilt at start and only look ahead)."""
    when = trigger.get_next_fire_time(None, now - grace)
    return when if when is not None and when < now else None


def weekly(spec: str, tz) -> CronTrigger:
    """`mon 09:00` → a cron trigger."""
    day, hhmm = spec.split()
    hour, minute = hhmm.split(":")
    return CronTrigger(day_of_week=day, hour=int(hour), minute=int(minute), timezone=tz)


def monthly(day: int | str, hhmm: str, tz, months: str = "*") -> CronTrigger:
    """Day `day` of each month (`"last"`: its last day) at `hhmm`; `months` e.g. "1,4,7,10"."""
    hour, minute = hhmm.split(":")
    return CronTrigger(month=months, day=day, hour=int(hour), minute=int(minute), timezone=tz)
