"""By hand (waits about two minutes, so not in the test suite): tests/test_kill_restart.py
with the SAME anti-flood limit (1 message per group per minute) before and after the
`kill -9`. The rows held back at the kill must stay pending until the limit allows them,
then go out once each, in order, without any new message to wake the bot.

    .venv/bin/python bench/kill_restart_same_limit.py
"""
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests import test_kill_restart as t  # noqa: E402


async def main() -> None:
    d = Path(tempfile.mkdtemp())
    db, log = d / "linli.db", d / "linli.log"
    cfg = t.write_config(d / "slow.yaml", t.free_port(), room_per_minute=1)
    first = t.Bot(cfg, db, log)
    async with aiohttp.ClientSession() as http:
        await first.ready(http)
        async with http.ws_connect(f"{first.url}/ws") as ws:
            for room, sender, text in t.BURST:
                await ws.send_json({"room": room, "from": sender, "text": text})
            await t.until(lambda: t.rows(db, "SELECT count(*), sum(status='accepted') FROM item") == [(6, 3)],
                          "the burst to be committed")
            await t.until(lambda: sum(r[0] == "sent" for r in t.outbox(db).values()) == 3, "3 sent")
            before = t.outbox(db)
            killed = time.monotonic()
            first.kill()
        print("pending at the kill:", sum(r[0] == "pending" for r in before.values()))
        second = t.Bot(cfg, db, log)
        await second.ready(http)
        print(f"restarted after {time.monotonic() - killed:.1f} s; pending:",
              sum(r[0] == "pending" for r in t.outbox(db).values()))
        t.TIMEOUT = 180
        await t.until(lambda: all(r[0] == "sent" for r in t.outbox(db).values()), "all sent")
        print(f"all sent {time.monotonic() - killed:.0f} s after the kill")
        history = {room: await second.bot_lines(http, room) for room in t.ROOMS}
        after = t.outbox(db)
        second.stop()
    for room in t.ROOMS:
        print(room, history[room])
    print("same rows:", set(after) == set(before),
          "| rows sent before the kill untouched:",
          all(after[i] == r for i, r in before.items() if r[0] == "sent"))


if __name__ == "__main__":
    asyncio.run(main())
