"""Test harness: the real bot (dispatcher, handlers, SQLite file, scheduler) on a
virtual clock, driven through the local transport — the same path as production.

With LINLI_TEST_DATABASE set (e.g. postgresql+psycopg://linli:linli@127.0.0.1/linli_test) every
database a test makes is a fresh schema in that PostgreSQL database instead of a SQLite file.
"""
from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, make_url, text

from bot.app import Linli
from bot.clock import VirtualClock
from bot.config import load_settings
from bot.events import Outgoing
from bot.transport.local import LocalTransport
from storage.db import session_scope, sync_url

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config.yaml"
TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # a Monday


def texts(sent: list[Outgoing]) -> list[str]:
    return [m.text for m in sent]


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


TEST_DATABASE = os.environ.get("LINLI_TEST_DATABASE", "")
ON_POSTGRES = TEST_DATABASE.startswith(("postgres", "postgresql"))
SCHEMA_PREFIX = "linli_t_"
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="about the SQLite file itself")


def database_url(path: Path) -> str:
    """The URL of a fresh database standing for the SQLite file `path`: the file itself, or
    on PostgreSQL a schema of its own (search_path), created empty the first time a test asks
    for that path — so the same path again is the same database, as a restart needs. The
    scheduler's `scheduled_job` table lands in the same schema, since it uses the same engine."""
    if not ON_POSTGRES:
        return f"sqlite:///{path}"
    schema = SCHEMA_PREFIX + hashlib.sha1(str(path).encode()).hexdigest()[:20]
    engine = create_engine(sync_url(TEST_DATABASE), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    engine.dispose()
    url = make_url(sync_url(TEST_DATABASE)).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _drop_test_schemas() -> None:
    engine = create_engine(sync_url(TEST_DATABASE), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for (name,) in conn.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"),
                                    {"p": SCHEMA_PREFIX + "%"}).all():
            conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _postgres_schemas():
    """On PostgreSQL: no schema left over from an earlier run, none left after this one."""
    if ON_POSTGRES:
        _drop_test_schemas()
    yield
    if ON_POSTGRES:
        _drop_test_schemas()


@pytest.fixture
def settings():
    return load_settings(CONFIG, env={})


def local_bot(settings, path: Path, at: datetime = START) -> Linli:
    """The bot (not started) on the SQLite file `path` (see database_url), local transport,
    virtual clock at `at`. Two of them on one file, one after the other, are a restart."""
    clock = VirtualClock(at, settings.timezone)
    return Linli(settings, LocalTransport(settings, clock), clock, database=database_url(path))


@pytest.fixture
async def harness(settings, tmp_path):
    """The bot on a real SQLite file in a temporary folder (or a fresh PostgreSQL schema),
    clock at START."""
    bot = local_bot(settings, tmp_path / "linli.db")
    await bot.start()
    yield Harness(bot)
    await bot.stop()


def replay_transcript(transcript: Path, tmp_path: Path, capsys,
                      config: Path = CONFIG) -> tuple[list[dict], dict]:
    """`linli replay TRANSCRIPT --config CONFIG --state …`: the printed lines and the state file."""
    from bot.cli import main
    state = tmp_path / "state.json"
    db = ["--db", database_url(tmp_path / "replay.db")] if ON_POSTGRES else []
    code = main(["replay", str(transcript), "--config", str(config), "--state", str(state), *db])
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
