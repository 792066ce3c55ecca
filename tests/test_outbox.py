"""The durable outbox: back-off in virtual time, order per room, rate limits and
merging, and nothing lost or sent twice across a crash or a restart."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlmodel import select

from bot.app import Linli
from bot.events import Outgoing
from storage.db import session_scope
from storage.models import ItemReporter, OutboxMessage
from tests.conftest import START, local_bot


def sent_at(harness) -> list[tuple[datetime, Outgoing]]:
    return [(datetime.fromisoformat(ts), m) for ts, m in harness.transport.sent]


async def test_failed_send_is_retried_with_backoff_in_virtual_time(harness):
    harness.transport.failures = 2
    assert await harness.say("r-b3", "u-101", "3号楼电梯又坏了") == []  # first try failed
    assert await harness.advance(timedelta(seconds=4)) == []
    assert await harness.advance(timedelta(seconds=1)) == []  # 5s: second try failed too
    assert await harness.advance(timedelta(seconds=29)) == []
    sent = await harness.advance(timedelta(seconds=1))  # 5s + 30s: third try goes through
    assert [m.text for m in sent] == ["已登记 #1（设施维修），由毛宁跟进。"]
    assert sent_at(harness)[0][0] == START + timedelta(seconds=35)
    with harness.session() as s:
        row = s.exec(select(OutboxMessage)).one()
        assert (row.status, row.attempts, row.last_error) == ("sent", 3, "simulated failure")


async def test_order_is_kept_per_room_while_another_room_goes_on(harness):
    harness.transport.failures = 1
    assert await harness.say("r-b3", "u-101", "#帮助") == []  # failed, waits 5s
    assert await harness.say("r-b3", "u-102", "#案件") == []  # must not overtake it
    other = await harness.say("r-b5", "u-103", "#帮助")
    assert [m.room for m in other] == ["r-b5"]  # another room is not held up
    later = await harness.advance(timedelta(seconds=5))
    assert [m.room for m in later] == ["r-b3", "r-b3"]
    assert later[0].text.startswith("邻里小助手：")  # the resident's help first
    assert later[1].text.startswith("我反映的进行中的事项")


async def test_burst_of_acknowledgements_is_paced_and_merged(harness):
    for n in range(30):  # 30 reports in one group within a minute
        await harness.say("r-b3", f"u-9{n:02d}", "3号楼电梯又坏了", msg_id=f"burst-{n}")
        await harness.advance(timedelta(seconds=2))
    await harness.advance(timedelta(minutes=2))
    room = [(t, m) for t, m in sent_at(harness) if m.room == "r-b3"]
    limit = harness.bot.settings.limits.room_per_minute
    for t, _ in room:  # never more than the limit in any minute
        assert sum(1 for u, _ in room if t <= u < t + timedelta(minutes=1)) <= limit
    assert len(room) <= limit + 1
    # the counts held back are replaced by the newest, not stacked into a wall of lines
    assert all(len(m.text.splitlines()) == 1 for _, m in room)
    assert room[0][1].mentions == ("u-mao",)  # the new item @s its grid worker
    assert room[-1][1].text == "已有 #1 在处理，已记下您的反映（共 30 人）。"  # one item, not thirty
    with harness.session() as s:  # nothing lost: every reporter is on the item
        assert len(s.exec(select(ItemReporter).where(ItemReporter.item_id == 1)).all()) == 30


async def test_account_limit_spreads_messages_over_minutes(harness):
    rooms = ["r-all", "r-b3", "r-b5", "r-b17"]
    for room in rooms:
        for _ in range(6):  # within each room's limit, 24 in all: over the account's 20
            await harness.say(room, "u-107", "#帮助")
    first_minute = [m for t, m in sent_at(harness) if t < START + timedelta(minutes=1)]
    assert len(first_minute) == harness.bot.settings.limits.account_per_minute == 20
    await harness.advance(timedelta(minutes=1))
    assert len(harness.transport.sent) == 24
    assert [m.room for _, m in harness.transport.sent] == [r for r in rooms for _ in range(6)]


async def restart(old: Linli, settings, path, at: datetime) -> Linli:
    """Stop a bot (or abandon it, as a crash would) and start a new one on the same file."""
    bot = local_bot(settings, path, at)
    await bot.start()
    return bot


async def test_crash_between_write_and_send_loses_nothing(settings, tmp_path):
    path = tmp_path / "linli.db"
    first = local_bot(settings, path)
    await first.start()
    chart = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    # a handler's transaction commits its messages, then the process dies before sending
    with session_scope(first.engine) as session:
        first.outbox.enqueue(session, [Outgoing("本周周报", room="r-all", image=chart),
                                       Outgoing("提醒：#1 请受理", to="u-mao")], START)
    first.engine.dispose()  # no stop(): the process is gone
    assert first.transport.sent == []

    second = await restart(first, settings, path, START + timedelta(minutes=3))
    sent = [m for _, m in second.transport.sent]
    assert [(m.room, m.to, m.text) for m in sent] == [("r-all", None, "本周周报"),
                                                     (None, "u-mao", "提醒：#1 请受理")]
    assert sent[0].image == chart  # the chart survives the database
    await second.stop()

    third = await restart(second, settings, path, START + timedelta(minutes=5))
    await third.scheduler.run_due(START + timedelta(hours=1))
    assert [m for _, m in third.transport.sent if m.text == "本周周报"] == []  # never twice
    await third.stop()


async def test_restart_with_pending_rows_and_due_jobs(settings, tmp_path):
    """Issue 7 part 6: stop with an unsent acknowledgement and an SLA deadline ahead;
    start again after the deadline: the acknowledgement once, the reminder once."""
    path = tmp_path / "linli.db"
    first = local_bot(settings, path)
    await first.start()
    first.transport.failures = 100  # the network is down
    await first.transport.post(room="r-b3", sender="u-101", name="王阿姨", text="3号楼电梯又坏了")
    assert first.transport.sent == []
    await first.stop()

    # down from 09:00 to 11:30: the acceptance deadline (11:00) passed meanwhile
    second = await restart(first, settings, path, START + timedelta(hours=2, minutes=30))
    await second.scheduler.run_due(second.clock.now())
    await second.scheduler.run_due(START + timedelta(hours=3, minutes=59))  # before the 2nd breach
    texts = [(m.room or m.to, m.text) for _, m in second.transport.sent]
    assert texts[0] == ("r-b3", "已登记 #1（设施维修），由毛宁跟进。")
    assert [who for who, _ in texts[1:]] == ["u-mao", "u-jiang"]
    assert "受理时限" in texts[1][1]
    await second.stop()

    third = await restart(second, settings, path, START + timedelta(hours=3, minutes=59))
    await third.scheduler.run_due(third.clock.now())
    assert third.transport.sent == []  # nothing twice
    with session_scope(third.engine) as s:
        assert {r.status for r in s.exec(select(OutboxMessage))} == {"sent"}
    await third.stop()


def test_replay_prints_held_messages_at_their_virtual_time(tmp_path, capsys):
    """The end of a transcript releases what the room limit held back, a minute later."""
    from bot.cli import main
    from tests.conftest import CONFIG
    lines = [json.dumps({"ts": f"2026-11-23T09:00:{n:02d}+08:00", "room": "r-b3", "from": "u-101",
                         "text": "#帮助", "id": f"h{n}"}, ensure_ascii=False) for n in range(8)]
    path = tmp_path / "burst.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["replay", str(path), "--config", str(CONFIG)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == 8  # #帮助 is not merged: every answer comes out, paced
    assert [o["ts"][11:19] for o in out[6:]] == ["09:01:00", "09:01:01"]
