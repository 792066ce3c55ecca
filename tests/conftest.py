"""Test harness: the real bot (dispatcher, handlers, SQLite file, scheduler) on a
virtual clock, driven through the local transport — the same path as production."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import Linli
from bot.clock import VirtualClock
from bot.config import load_settings
from bot.events import Outgoing
from bot.transport.local import LocalTransport
from storage.db import session_scope

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config.yaml"
TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # a Monday


class Harness:
    """A running bot plus helpers to talk to it as residents and staff do."""

    def __init__(self, bot: Linli) -> None:
        self.bot = bot
        self.transport: LocalTransport = bot.transport
        self._read = 0

    @property
    def clock(self) -> VirtualClock:
        return self.bot.clock

    async def say(self, room: str | None, sender: str, text: str, *, name: str | None = None,
                  mentions: tuple[str, ...] = (), quoted: str | None = None,
                  msg_id: str | None = None) -> list[Outgoing]:
        """Post a message and return what the bot sent in answer (and on the way)."""
        await self.transport.post(room=room, sender=sender, name=name or self.transport.name_of(sender),
                                  text=text, mentions=mentions, quoted=quoted, msg_id=msg_id)
        return self.new()

    async def advance(self, delta: timedelta | None = None, *, to: datetime | None = None) -> list[Outgoing]:
        """Move the virtual clock, running every job that falls due on the way."""
        target = to or self.clock.now() + delta
        await self.bot.scheduler.run_due(target)
        return self.new()

    def new(self) -> list[Outgoing]:
        sent = [m for _, m in self.transport.sent[self._read:]]
        self._read = len(self.transport.sent)
        return sent

    def session(self):
        return session_scope(self.bot.engine)


@pytest.fixture
def settings():
    return load_settings(CONFIG, env={})


def local_bot(settings, path: Path, at: datetime = START) -> Linli:
    """The bot (not started) on the SQLite file `path`, local transport, virtual clock at `at`.
    Two of them on one file, one after the other, are a restart."""
    clock = VirtualClock(at, settings.timezone)
    return Linli(settings, LocalTransport(settings, clock), clock, database=f"sqlite:///{path}")


@pytest.fixture
async def harness(settings, tmp_path):
    """The bot on a real SQLite file in a temporary folder, clock at START."""
    bot = local_bot(settings, tmp_path / "linli.db")
    await bot.start()
    yield Harness(bot)
    await bot.stop()


def replay_transcript(transcript: Path, tmp_path: Path, capsys,
                      config: Path = CONFIG) -> tuple[list[dict], dict]:
    """`linli replay TRANSCRIPT --config CONFIG --state …`: the printed lines and the state file."""
    from bot.cli import main
    state = tmp_path / "state.json"
    code = main(["replay", str(transcript), "--config", str(config), "--state", str(state)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()], json.loads(state.read_text(encoding="utf-8"))


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def routine_post(message: dict) -> bool:
    """A weekly digest, council-day eve or 季度分析 (handlers/digest.py, council.py): posts that
    appear on their own schedule in any transcript long enough to cross one."""
    text = message["text"]
    return "周报】" in text or text.startswith(("【季度分析】", "明天（"))
