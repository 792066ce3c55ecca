"""How a capability module declares what it answers (after aiogram's Router).

Each module in `handlers/` makes one `Router` and decorates its functions;
`bot/app.py` lists the routers in one place. Nothing registers by import side effect.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from handlers.context import Context

STAFF = frozenset({"grid_worker", "property", "admin"})
EVERYONE: frozenset[str] = frozenset()
ROLE_LABELS = {"admin": "管理员", "grid_worker": "网格员", "property": "物业", "building_lead": "楼道长"}

CommandFn = Callable[[Context, str], None]
ReplyFn = Callable[[Context], bool]
KindFn = Callable[[Context, Any], None]
JobFn = Callable[..., None]
AfterFn = Callable[[Context], None]


@dataclass(frozen=True)
class Command:
    names: tuple[str, ...]  # Chinese first, then English
    usage: str  # the line shown in help and in refusals
    who: frozenset[str]  # roles allowed; empty: everyone
    func: CommandFn

    @property
    def summary(self) -> str:
        """First docstring line: what #帮助 shows."""
        return (self.func.__doc__ or "").strip().splitlines()[0] if self.func.__doc__ else ""

    def allows(self, role: str) -> bool:
        return not self.who or role in self.who

    @property
    def who_label(self) -> str:
        """Who may use it, as a refusal says it: 工作人员, or 管理员、网格员 for a narrower list."""
        if self.who >= STAFF:
            return "工作人员"
        return "、".join(label for role, label in ROLE_LABELS.items() if role in self.who)


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: list[Command] = []
        self.replies: list[ReplyFn] = []
        self.kinds: dict[str, KindFn] = {}
        self.jobs: dict[str, JobFn] = {}
        self.afters: list[AfterFn] = []

    def command(self, *names: str, usage: str, who: Iterable[str] = EVERYONE):
        """A `#命令`: func(ctx, args) where args is the text after the name."""
        def wrap(func: CommandFn) -> CommandFn:
            self.commands.append(Command(tuple(n.lower() for n in names), usage, frozenset(who), func))
            return func
        return wrap

    def reply(self, func: ReplyFn) -> ReplyFn:
        """A plain reply (满意, 同意, +1): func(ctx) returns True when it took the message."""
        self.replies.append(func)
        return func

    def kind(self, kind: str):
        """What to do with a message the classifier put in `kind`: func(ctx, classification)."""
        def wrap(func: KindFn) -> KindFn:
            self.kinds[kind] = func
            return func
        return wrap

    def job(self, name: str):
        """A scheduled job: func(ctx, **kwargs), run at its (virtual) time."""
        def wrap(func: JobFn) -> JobFn:
            self.jobs[name] = func
            return func
        return wrap

    def after_each(self, func: AfterFn) -> AfterFn:
        """func(ctx) at the end of every message and job, inside its transaction: for a
        timer that must follow whatever the other handlers changed (the SLA clock)."""
        self.afters.append(func)
        return func


class Routes:
    """The routers of the bot, merged for lookup."""

    def __init__(self, routers: Iterable[Router]) -> None:
        self.routers = list(routers)
        self.commands: dict[str, Command] = {}
        for router in self.routers:
            for cmd in router.commands:
                for name in cmd.names:
                    if name in self.commands:
                        raise ValueError(f"command {name} is registered twice")
                    self.commands[name] = cmd
        self.replies = [f for r in self.routers for f in r.replies]
        self.kinds = {k: f for r in self.routers for k, f in r.kinds.items()}
        self.jobs = {k: f for r in self.routers for k, f in r.jobs.items()}
        self.afters = [f for r in self.routers for f in r.afters]

    def listed(self) -> list[Command]:
        """Each command once, in registration order."""
        seen: list[Command] = []
        for cmd in self.commands.values():
            if cmd not in seen:
                seen.append(cmd)
        return seen
