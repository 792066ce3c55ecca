"""Every incoming message takes this one path:

    de-duplicate by message id → command? → command handler
                               → plain reply (满意, 同意 …)? → its handler
                               → classifier → the handler of that kind

Database work for one message is one transaction; what the handlers want to
send is written to the outbox table in that same transaction and delivered after
it has committed (a crash in between loses nothing: the next start sends it).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from bot.clock import Clock
from bot.config import Settings
from bot.events import Incoming, Outgoing
from bot.outbox import Outbox
from handlers.classify import Classification
from handlers.commands import split_command
from handlers.context import Context, Jobs, Refusal
from handlers.gate import acts_on
from handlers.router import Routes
from storage import people
from storage.db import session_scope
from storage.messages import first_time_seen

log = logging.getLogger(__name__)

SORRY = "抱歉，刚才没处理好，请稍后再试一次。"


class Dispatcher:
    def __init__(self, settings: Settings, engine: Engine, clock: Clock, routes: Routes,
                 classify: Callable[[str], Classification], outbox: Outbox, jobs: Jobs,
                 self_id: Callable[[], str]) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.routes = routes
        self.classify = classify
        self.outbox = outbox
        self.jobs = jobs
        self.self_id = self_id  # known only after login on WeChat

    async def feed(self, event: Incoming) -> None:
        """Handle one message from any transport."""
        try:
            with session_scope(self.engine) as session:
                if not first_time_seen(session, event.id, event.ts):
                    log.debug("duplicate message %s dropped", event.id)
                    return
                sender = people.ensure_person(session, event.sender, event.name)
                room = people.get_room(session, event.room)
                if event.room is not None and room is None:
                    log.info("message from unknown room %s ignored", event.room)
                    return
                if room is not None:
                    people.ensure_member(session, room.id, sender.id)
                ctx = self._context(session, event=event, sender=sender, room=room)
                self._route(ctx)
                self._after_each(ctx)
                self.outbox.enqueue(session, ctx.outgoing, ctx.now)
        except Exception:
            log.exception("message %s failed", event.id)
            self._remember(event)
            sorry = Outgoing(SORRY, room=event.room) if event.room else Outgoing(SORRY, to=event.sender)
            await self.outbox.send([sorry])
            return
        await self._after_commit(ctx)

    async def run_job(self, name: str, kwargs: dict[str, Any]) -> None:
        """A scheduled job, with the same context handlers get for messages."""
        func = self.routes.jobs.get(name)
        if func is None:
            log.error("no handler for scheduled job %s", name)
            return
        try:
            with session_scope(self.engine) as session:
                ctx = self._context(session)
                func(ctx, **kwargs)
                self._after_each(ctx)
                self.outbox.enqueue(session, ctx.outgoing, ctx.now)
        except Exception:
            log.exception("scheduled job %s %s failed", name, kwargs)
            return
        await self._after_commit(ctx)

    def _after_each(self, ctx: Context) -> None:
        for hook in self.routes.afters:
            hook(ctx)

    async def _after_commit(self, ctx: Context) -> None:
        ctx.jobs.apply(self.jobs)
        if ctx.outgoing:  # rows held back earlier are woken by the outbox's own job
            await self.outbox.flush()

    def _remember(self, event: Incoming) -> None:
        """A message that failed is still marked seen, so a redelivery cannot fail twice."""
        try:
            with session_scope(self.engine) as session:
                first_time_seen(session, event.id, event.ts)
        except Exception:
            log.exception("could not mark message %s as seen", event.id)

    def _context(self, session, **kw: Any) -> Context:
        return Context(settings=self.settings, session=session, now=self.clock.now(),
                       bot_id=self.self_id(), routes=self.routes, classify=self.classify, **kw)

    def _route(self, ctx: Context) -> None:
        event = ctx.event
        command = split_command(event.text, addressed=ctx.bot_id in event.mentions)
        if command is not None:
            spec = self.routes.commands.get(command.name)
            if spec is not None:
                return self._run_command(ctx, spec, command.args)
            if _looks_like_command(command.name, command.args):
                ctx.reply(f"没有“{command.name}”这个命令，发 #帮助 看看可用的命令。")
                return
        for reply in self.routes.replies:
            if _guarded(ctx, reply):
                return
        found = self.classify(event.text)
        # a guess too weak to act on, or "我要投诉" with the problem still to come, is
        # treated as chat: nothing stored, and (unless written to the bot) nothing said
        act = acts_on(found, event.text, self.settings.classifier.min_confidence)
        handler = self.routes.kinds.get(found.kind if act else "chat")
        if handler is not None:
            _guarded(ctx, handler, found)

    def _run_command(self, ctx: Context, spec, args: str) -> None:
        if not spec.allows(ctx.sender.role):
            ctx.reply(f"抱歉，{spec.usage.split()[0]} 只有{spec.who_label}可以用。发 #帮助 看看您能做什么。")
            return
        _guarded(ctx, spec.func, args)


def _guarded(ctx: Context, func: Callable, *args: Any) -> Any:
    """Run a handler; a Refusal undoes its database work and becomes the reply."""
    savepoint = ctx.session.begin_nested()
    sent_before, jobs_before = len(ctx.outgoing), len(ctx.jobs.wanted)
    try:
        result = func(ctx, *args)
    except Refusal as refusal:
        savepoint.rollback()
        del ctx.outgoing[sent_before:]
        del ctx.jobs.wanted[jobs_before:]
        ctx.reply(str(refusal))
        return True
    savepoint.commit()
    return result


def _looks_like_command(name: str, args: str) -> bool:
    """`#帮忙` or `/foo` is a mistyped command; `#3号楼电梯坏了` is a message with a hash."""
    return name.isascii() or (len(name) <= 4 and (args[:1].isdigit() or args[:1] == "#"))
