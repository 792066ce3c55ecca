"""`linli replay` (SPEC §6): a transcript through the whole bot on a virtual clock."""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.app import Linli
from bot.clock import VirtualClock
from bot.config import Settings
from bot.transport.local import LocalTransport
from storage.db import session_scope
from storage.public import state


class TranscriptError(Exception):
    """A line that is not valid; replay stops there (exit status 2)."""

    def __init__(self, line: int, why: str) -> None:
        super().__init__(f"transcript line {line}: {why}")
        self.line = line


@dataclass(frozen=True)
class Step:
    line: int
    ts: datetime
    tick: bool = False
    room: str | None = None
    sender: str = ""
    name: str = ""
    text: str = ""
    id: str | None = None
    mentions: tuple[str, ...] = ()
    quoted: str | None = None


def parse_line(raw: str, line: int, settings: Settings, tz) -> Step | None:
    """One transcript line → a Step; blank lines are skipped; anything wrong raises."""
    if not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise TranscriptError(line, f"not valid JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise TranscriptError(line, "expected a JSON object")
    if "ts" not in data:
        raise TranscriptError(line, 'missing field "ts"')
    try:
        ts = datetime.fromisoformat(str(data["ts"]))
    except ValueError:
        raise TranscriptError(line, f'"ts" is not an ISO time: {data["ts"]!r}') from None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=tz)
    if data.get("tick") is True:
        return Step(line, ts, tick=True)
    for key in ("room", "from", "text"):
        if key not in data:
            raise TranscriptError(line, f'missing field "{key}"')
    room, sender, text = data["room"], data["from"], data["text"]
    if room is not None and settings.room(room) is None:
        raise TranscriptError(line, f'unknown room "{room}" (not in the config\'s rooms)')
    if not isinstance(sender, str) or not sender:
        raise TranscriptError(line, '"from" must be a contact id')
    if not isinstance(text, str):
        raise TranscriptError(line, '"text" must be a string')
    mentions = data.get("mentions") or []
    if not isinstance(mentions, list) or not all(isinstance(m, str) for m in mentions):
        raise TranscriptError(line, '"mentions" must be a list of contact ids')
    quoted = data.get("quoted", data.get("quote"))  # the Incoming field's name; "quote" too
    if quoted is not None and not isinstance(quoted, str):
        raise TranscriptError(line, '"quoted" must be the text of the message replied to')
    msg_id = data.get("id")
    return Step(line, ts, room=room, sender=sender, name=str(data.get("name") or sender),
                text=text, id=str(msg_id) if msg_id is not None else None,
                mentions=tuple(mentions), quoted=quoted)


async def replay(lines: Iterable[str], settings: Settings, out: TextIO,
                 database: str = "sqlite://", state_path: str | None = None) -> None:
    """Feed every line; print what the bot sends as it goes. Raises TranscriptError."""
    bot: Linli | None = None
    printed = 0
    try:
        for number, raw in enumerate(lines, start=1):
            step = parse_line(raw, number, settings, ZoneInfo(settings.timezone))
            if step is None:
                continue
            if bot is None:
                clock = VirtualClock(step.ts, settings.timezone)
                transport = LocalTransport(settings, clock)
                bot = Linli(settings, transport, clock, database=database)
                await bot.start()
            elif step.ts < bot.clock.now():
                raise TranscriptError(number, f"time goes backwards ({step.ts.isoformat()})")
            await bot.scheduler.run_due(step.ts)
            if not step.tick:
                await bot.transport.post(room=step.room, sender=step.sender, name=step.name,
                                         text=step.text, mentions=step.mentions,
                                         quoted=step.quoted, msg_id=step.id or f"line-{number}")
            printed = _print_new(bot.transport, printed, out)
        if bot is not None:  # messages still held back by the rate limits come out last
            await bot.settle()
            printed = _print_new(bot.transport, printed, out)
    finally:
        if bot is not None:
            if state_path:
                with session_scope(bot.engine) as session:
                    snapshot = state(session)
                with open(state_path, "w", encoding="utf-8") as f:
                    json.dump(snapshot, f, ensure_ascii=False, indent=2)
            await bot.stop()


def _print_new(transport: LocalTransport, printed: int, out: TextIO) -> int:
    for ts, msg in transport.sent[printed:]:
        out.write(json.dumps({"ts": ts, "room": msg.room, "to": msg.to, "text": msg.text,
                              "mentions": list(msg.mentions)}, ensure_ascii=False) + "\n")
    out.flush()
    return len(transport.sent)
