"""Linli assembled: the one place that lists the capabilities and wires the runtime.

Read top to bottom: which handlers exist, then how a message travels
transport → dispatcher → handlers → outbox → transport.
"""
from __future__ import annotations

import logging

from bot import outbox
from bot.clock import Clock, VirtualClock
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.outbox import Outbox
from bot.scheduler import Scheduler, missed_run, monthly, weekly
from bot.transport import Transport
from handlers import (case_list, case_stats, cases, complaints, council, digest, help, proposals,
                      rating, sla, votes)
from handlers.classify import load_classifier
from handlers.router import Routes
from storage.db import create_schema, make_engine, session_scope
from storage.digest import has_run_routines
from storage.people import sync_config, sync_members

log = logging.getLogger(__name__)

# Every capability of the bot, in the order their plain replies are tried.
ROUTERS = [
    help.router,
    complaints.router,
    cases.router,
    rating.router,
    case_list.router,
    case_stats.router,
    votes.router,  # plain option words (同意) while a vote is open in that room
    proposals.router,  # "附议"/"+1" quoting a proposal
    sla.router,
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
        if hasattr(transport, "attach_storage"):  # wechaty: remembers WeChat room ids
            transport.attach_storage(self.engine)
        with session_scope(self.engine) as session:
            sync_config(session, settings.rooms, settings.staff)
        self.routes = Routes(ROUTERS)
        self.classifier = load_classifier()
        self.scheduler = Scheduler(self.engine, clock, self._run_job)
        self.outbox = Outbox(self.engine, transport, clock, settings.limits,
                             wake=lambda when: self.scheduler.at(when, outbox.JOB, outbox.WAKE_KEY))
        self.dispatcher = Dispatcher(settings, self.engine, clock, self.routes,
                                     self.classifier.classify, self.outbox, self.scheduler,
                                     self_id=lambda: transport.self_id)

    async def _run_job(self, name: str, kwargs: dict) -> None:
        if name == outbox.JOB:
            await self.outbox.flush()
            return
        await self.dispatcher.run_job(name, kwargs)

    async def start(self) -> None:
        await self.scheduler.start()
        # the SLA clock looks once at start (deadlines passed while the bot was down),
        # then plans its own next look from the items' deadlines (handlers/sla.py)
        self.scheduler.at(self.clock.now(), sla.SWEEP_JOB, sla.SWEEP_KEY)
        self._recurring()
        await self.transport.start(self.dispatcher.feed, on_members=self.room_members_known)
        self.outbox.prune()
        await self.outbox.flush()  # what a previous run wrote and did not send
        log.info("Linli started: %d rooms, transport %s", len(self.settings.rooms),
                 type(self.transport).__name__)

    async def room_members_known(self, room_id: str, members: list[tuple[str, str]]) -> None:
        """The transport learnt a room's whole member list: it becomes the room's members
        (the electorate of 过半/三分之二 votes). A failure is logged; the transport goes on."""
        if self.settings.room(room_id) is None:
            return
        try:
            with session_scope(self.engine) as session:
                added, removed = sync_members(session, room_id, members)
        except Exception:
            log.exception("could not update the members of %s", room_id)
            return
        if added or removed:
            log.info("members of %s: %d (+%d, -%d)", room_id, len(members), added, removed)

    async def settle(self, max_rounds: int = 1000) -> None:
        """Virtual time only (end of a replay): move the clock until the outbox is empty,
        so messages held back by the rate limits or a failing transport come out."""
        assert isinstance(self.clock, VirtualClock), "settle is for the virtual clock"
        for _ in range(max_rounds):
            if self.outbox.wake_at is None or not self.outbox.pending():
                return
            await self.scheduler.run_due(max(self.outbox.wake_at, self.clock.now()))

    def _recurring(self) -> None:
        """The bot's own routines, rebuilt from config at every start (not stored). One
        that fell due while the bot was down (within the grace window) runs now, once:
        each routine records the period it has done (storage.digest.claim_run)."""
        tz, schedule = self.clock.tz, self.settings.schedule
        council_day = schedule.council_day
        eve = council_day.day - 1 if council_day.day > 1 else "last"  # the day before, same time
        routines = [
            (weekly(schedule.digest, tz), "digest.weekly", "digest-weekly"),
            (monthly(eve, council_day.at, tz), "council.eve", "council-eve"),
            # 季度分析: on the first day of each quarter, at the digest's time of day.
            (monthly(1, schedule.digest.split()[1], tz, months="1,4,7,10"),
             "digest.quarterly", "quarterly-summary"),
        ]
        now = self.clock.now()
        for trigger, job, key in routines:
            self.scheduler.every(trigger, job, key=key)
            missed = missed_run(trigger, now)
            if missed is None:
                continue
            with session_scope(self.engine) as session:  # a fresh database catches nothing up
                restarted = has_run_routines(session, before=missed)
            if restarted:
                self.scheduler.at(now, job, key=f"{key}-missed", due=missed.isoformat())

    async def stop(self) -> None:
        await self.transport.stop()
        await self.scheduler.stop()
        self.engine.dispose()

