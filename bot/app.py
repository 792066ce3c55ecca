"""Linli assembled: the one place that lists the capabilities and wires the runtime.

Read top to bottom: which handlers exist, then how a message travels
transport → dispatcher → handlers → outbox → transport.
"""
from __future__ import annotations

import logging

from bot.clock import Clock, VirtualClock
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.outbox import Outbox
from bot.scheduler import Scheduler, missed_run, monthly, weekly
from bot.transport import Transport
from handlers import complaints, council, digest, help
from handlers.classify import load_classifier
from handlers.router import Routes
from storage.db import create_schema, make_engine, session_scope
from storage.digest import has_run_routines
from storage.people import sync_config

log = logging.getLogger(__name__)

# Every capability of the bot, in the order their plain replies are tried.
ROUTERS = [
    help.router,
    complaints.router,
    digest.router,
    council.router,
]


class Linli:
    """The bot: one per process, the same for `linli run`, `linli replay` and the tests."""

    def __init__(self, settings: Settings, transport: Transport, clock: Clock,
                 database: str | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.transport = transport
        self.engine = make_engine(database or settings.database)
        create_schema(self.engine)
        with session_scope(self.engine) as session:
            sync_config(session, settings.rooms, settings.staff)
        self.routes = Routes(ROUTERS)
        self.classifier = load_classifier()
        self.outbox = Outbox(transport, sleep=not isinstance(clock, VirtualClock))
        self.scheduler = Scheduler(self.engine, clock, self._run_job)
        self.dispatcher = Dispatcher(settings, self.engine, clock, self.routes,
                                     self.classifier.classify, self.outbox, self.scheduler,
                                     self_id=lambda: transport.self_id)

    async def _run_job(self, name: str, kwargs: dict) -> None:
        await self.dispatcher.run_job(name, kwargs)

    async def start(self) -> None:
        await self.scheduler.start()
        self._recurring()
        await self.transport.start(self.dispatcher.feed)
        log.info("Linli started: %d rooms, transport %s", len(self.settings.rooms),
                 type(self.transport).__name__)

    def _recurring(self) -> None:
        """The bot's own routines, rebuilt from config at every start (not stored). One
        that fell due while the bot was down (within the grace window) runs now, once:
        each routine records the period it has done (storage.digest.claim_run)."""
        tz, schedule = self.clock.tz, self.settings.schedule
        council = schedule.council_day
        eve = council.day - 1 if council.day > 1 else "last"  # the day before, same time
        routines = [
            (weekly(schedule.digest, tz), "digest.weekly", "digest-weekly"),
            (monthly(eve, council.at, tz), "council.eve", "council-eve"),
            # 季度分析: on the first day of each quarter, at the digest's time of day.
            (monthly(1, schedule.digest.split()[1], tz, months="1,4,7,10"),
             "digest.quarterly", "quarterly-summary"),
        ]
        with session_scope(self.engine) as session:
            restarted = has_run_routines(session)  # a fresh database catches nothing up
        now = self.clock.now()
        for trigger, job, key in routines:
            self.scheduler.every(trigger, job, key=key)
            missed = missed_run(trigger, now)
            if restarted and missed is not None:
                self.scheduler.at(now, job, key=f"{key}-missed", due=missed.isoformat())

    async def stop(self) -> None:
        await self.transport.stop()
        await self.scheduler.stop()
        self.engine.dispose()

