"""One-shot jobs live in the database (APScheduler's SQLAlchemy job store): a job that
fell due while the bot was down runs once on restart, within the grace window, and
never twice — in virtual time (replay) and on APScheduler's own loop (live) alike."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import Clock, VirtualClock
from bot.scheduler import GRACE, Scheduler
from storage.db import create_schema, make_engine
from tests.conftest import START, database_url


class Recorder:
    """Stands in for the bot: remembers which jobs fired."""

    def __init__(self) -> None:
        self.fired: list[tuple[str, dict]] = []
        self.event = asyncio.Event()

    async def __call__(self, name: str, kwargs: dict) -> None:
        self.fired.append((name, kwargs))
        self.event.set()


def engine_at(path):
    engine = make_engine(database_url(path))
    create_schema(engine)
    return engine


async def scheduler_at(engine, when, recorder) -> Scheduler:
    scheduler = Scheduler(engine, VirtualClock(when, "Asia/Shanghai"), recorder)
    await scheduler.start()
    return scheduler


async def test_job_missed_while_down_runs_once_on_restart(tmp_path):
    engine = engine_at(tmp_path / "jobs.db")
    before = Recorder()
    first = await scheduler_at(engine, START, before)
    first.at(START + timedelta(hours=1), "items.close_unrated", key="close-7", item=7)
    await first.stop()  # the bot goes down before the job is due
    assert before.fired == []

    after = Recorder()
    second = await scheduler_at(engine, START + timedelta(hours=3), after)  # 2h late
    await second.run_due(second.clock.now())
    await second.run_due(START + timedelta(days=1))
    assert after.fired == [("items.close_unrated", {"item": 7})]
    await second.stop()

    again = Recorder()
    third = await scheduler_at(engine, START + timedelta(days=1), again)
    await third.run_due(START + timedelta(days=2))
    assert again.fired == []  # gone from the store once it ran
    await third.stop()


async def test_job_missed_beyond_the_grace_window_is_dropped(tmp_path):
    engine = engine_at(tmp_path / "jobs.db")
    first = await scheduler_at(engine, START, Recorder())
    first.at(START + timedelta(minutes=5), "votes.close", key="vote-1", vote=1)
    await first.stop()
    late = Recorder()
    second = await scheduler_at(engine, START + GRACE + timedelta(hours=1), late)
    await second.run_due(second.clock.now())
    assert late.fired == [] and second.pending() == []
    await second.stop()


async def test_live_scheduler_runs_a_missed_job_once(tmp_path):
    """The same stored job on APScheduler's own loop and the wall clock."""
    engine = engine_at(tmp_path / "jobs.db")
    clock = Clock("Asia/Shanghai")
    first = await scheduler_at(engine, clock.now(), Recorder())
    first.at(clock.now() - timedelta(minutes=10), "items.remind", key="remind-3", item=3)
    await first.stop()

    live = Recorder()
    second = Scheduler(engine, clock, live)
    await second.start()
    await asyncio.wait_for(live.event.wait(), timeout=10)  # fires as soon as it starts
    await asyncio.sleep(0)
    assert live.fired == [("items.remind", {"item": 3})]
    assert [key for _, _, key in second.pending()] == []
    await second.stop()
