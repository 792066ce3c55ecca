"""`kill -9` of a real `linli run` with messages still in the outbox, then a restart on
the same database (issue 7, "Done when": no message lost, none sent twice).

The bot runs as a subprocess (`python -m bot run`, local transport, its own SQLite file
and port), driven through its page's WebSocket as a browser would. The anti-flood limit
is 1 message per group per minute, so after a burst in three groups the first answer in
each group has gone and the rest wait in `outboxmessage` as pending rows: that is the
moment it is killed (SIGKILL: no clean-up runs). The restart uses the default limit (6):
an operator restarting after a crash, and a test that does not wait out the minute the
first run's sends still count against. Then we check, row by row, that what was pending
went out exactly once (the page's history of the new process), that what had been sent
before the kill was not sent again, and that no item was lost or doubled.
"""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import yaml
from sqlalchemy import create_engine, text

from storage.db import sync_url

from tests.conftest import CONFIG, ROOT, database_url

BURST = [  # (room, sender, text): two complaints and one acceptance in each of three groups
    ("r-b3", "u-101", "3号楼电梯又坏了，物业什么时候来修"),
    ("r-b5", "u-103", "5号楼门口垃圾堆了三天，没人管"),
    ("r-b17", "u-105", "17栋2单元楼道灯不亮了，晚上很黑"),
    ("r-b3", "u-102", "3号楼空调外机太吵，晚上睡不着，投诉"),
    ("r-b5", "u-104", "5号楼楼道里有人飞线充电，安全隐患"),
    ("r-b17", "u-106", "17号楼门口的垃圾桶满了好几天没人清理"),
    ("r-b3", "u-mao", "#受理 1"),
    ("r-b5", "u-mao", "#受理 2"),
    ("r-b17", "u-zhou", "#受理 3"),
]
ROOMS = ("r-b3", "r-b5", "r-b17")
TIMEOUT = 30.0  # seconds; every wait polls and returns as soon as its condition holds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(path: Path, port: int, room_per_minute: int) -> Path:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["web"] = {"host": "127.0.0.1", "port": port}
    data["limits"] = {"room_per_minute": room_per_minute, "account_per_minute": 20}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


class Bot:
    """One `linli run` process."""

    def __init__(self, config: Path, db: Path, log: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("LINLI_CONFIG", "LINLI_DATABASE")}
        env["LINLI_DATABASE"] = database_url(db)
        self.log = log
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)],
                                     cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                     stderr=log.open("ab"))
        self.url = f"http://127.0.0.1:{yaml.safe_load(config.read_text(encoding='utf-8'))['web']['port']}"

    async def ready(self, http: aiohttp.ClientSession) -> None:
        async def up() -> bool:
            assert self.proc.poll() is None, f"linli run exited: {self.log.read_text()}"
            try:
                async with http.get(f"{self.url}/api/chats") as r:
                    return r.status == 200
            except aiohttp.ClientConnectionError:
                return False
        await until(up, "the web page to answer")

    async def bot_lines(self, http: aiohttp.ClientSession, chat: str) -> list[str]:
        async with http.get(f"{self.url}/api/history", params={"chat": chat}) as r:
            return [line["text"] for line in await r.json() if line["from_bot"]]

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)  # no handler, no clean-up: a crash
        self.proc.wait(timeout=TIMEOUT)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=TIMEOUT)


async def until(condition, what: str):
    deadline = time.monotonic() + TIMEOUT
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def rows(db: Path, sql: str) -> list[tuple]:
    """A second reader beside the bot (its SQLite file is in WAL mode)."""
    engine = create_engine(sync_url(database_url(db)))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql)).all()]
    finally:
        engine.dispose()


def outbox(db: Path) -> dict[int, tuple]:
    """id → (status, room, text, sent_at) of every outbox row."""
    return {r[0]: r[1:] for r in rows(db, "SELECT id, status, room_id, text, sent_at FROM outboxmessage")}


def rendered(text: str, line: str) -> bool:
    """The page shows @-mentions before the text."""
    return line == text or line.endswith(" " + text)


async def test_kill_9_with_pending_outbox_then_restart_sends_each_once(tmp_path):
    db, log = tmp_path / "linli.db", tmp_path / "linli.log"
    port = free_port()
    first = Bot(write_config(tmp_path / "slow.yaml", port, room_per_minute=1), db, log)
    async with aiohttp.ClientSession() as http:
        try:
            await first.ready(http)
            seen: list[dict] = []
            async with http.ws_connect(f"{first.url}/ws") as ws:
                for room, sender, words in BURST:
                    await ws.send_json({"room": room, "from": sender, "text": words})

                async def everything_committed() -> bool:  # 6 items, 3 accepted, replies written
                    return rows(db, "SELECT count(*), sum(CASE WHEN status = 'accepted' THEN 1 ELSE 0 END) FROM item") == [(6, 3)] \
                        and rows(db, "SELECT count(*) FROM outboxmessage")[0][0] >= 9 - 3

                await until(everything_committed, "the burst to be committed")

                async def three_answers() -> bool:  # the first answer of each group went out
                    while True:
                        try:
                            msg = await ws.receive_json(timeout=0.05)
                        except asyncio.TimeoutError:
                            break
                        if msg.get("type") == "line" and msg["line"]["from_bot"]:
                            seen.append(msg["line"])
                    return len(seen) >= 3

                await until(three_answers, "one answer in each group")
                before = outbox(db)
                first.kill()
        finally:
            first.stop()

        sent_before = {i: r for i, r in before.items() if r[0] == "sent"}
        pending_before = {i: r for i, r in before.items() if r[0] == "pending"}
        # the rate limit held real rows back at the moment of the kill: one answer per group went
        assert sorted(r[1] for r in sent_before.values()) == sorted(ROOMS)
        assert {r[1] for r in pending_before.values()} == set(ROOMS) and len(pending_before) >= 3
        assert sorted(line["chat"] for line in seen) == sorted(ROOMS)
        assert outbox(db) == before  # SIGKILL wrote nothing more: the file is what was committed

        second = Bot(write_config(tmp_path / "normal.yaml", port, room_per_minute=6), db, log)
        try:
            await second.ready(http)
            await until(lambda: all(r[0] == "sent" for r in outbox(db).values()),
                        "the pending rows to be sent")
            after = outbox(db)
            history = {room: await second.bot_lines(http, room) for room in ROOMS}
        finally:
            second.stop()

        # nothing lost: the same rows, every pending one now sent; nothing new written
        assert set(after) == set(before)
        assert {i for i, r in after.items() if r[0] == "sent"} == set(before)
        # nothing twice: rows sent before the kill kept their send time and did not go again,
        # and the new process sent each row that was pending exactly once
        assert all(after[i] == r for i, r in sent_before.items())
        for room in ROOMS:
            expected = [r[2] for i, r in sorted(pending_before.items()) if r[1] == room]
            lines = history[room]
            assert len(lines) == len(expected), (room, lines, expected)
            assert all(rendered(text, line) for text, line in zip(expected, lines))  # in order
            assert not any(rendered(r[2], line) for r in sent_before.values() for line in lines)
        # no item lost or doubled
        assert rows(db, "SELECT id, status FROM item ORDER BY id") == \
            [(1, "accepted"), (2, "accepted"), (3, "accepted"), (4, "open"), (5, "open"), (6, "open")]
        assert rows(db, "SELECT count(*) FROM itemreporter") == [(6,)]
