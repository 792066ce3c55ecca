"""The clock of items: reminders, then escalation, counted in working time with
Chinese public holidays and make-up working days; urgent items round the clock."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from handlers.worktime import WorkTime
from storage import ladder
from storage.models import Item, ItemEvent
from tests.conftest import ROOT, START, TZ, replay_transcript, routine_post

TRANSCRIPT = ROOT / "tests" / "transcripts" / "sla_national_day.jsonl"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.mark.parametrize("start, duration, due", [
    ("2026-11-27 16:00", timedelta(hours=2), "2026-11-30 09:00"),  # Friday → Monday
    ("2026-11-28 03:00", timedelta(hours=2), "2026-11-30 10:30"),  # raised on Saturday night
    ("2026-11-23 09:00", timedelta(hours=24), "2026-11-24 09:00"),  # a day is a working day
    ("2026-11-27 10:00", timedelta(hours=72), "2026-12-02 10:00"),  # three, over a weekend
    ("2026-09-30 17:00", timedelta(hours=2), "2026-10-08 10:00"),  # National Day week
    ("2026-10-09 17:00", timedelta(hours=2), "2026-10-10 10:00"),  # Saturday 10-10 is 调休
    ("2027-01-04 17:00", timedelta(hours=1), "2027-01-05 09:00"),  # no data yet: Mon–Fri
])
def test_working_time(start, duration, due):
    assert WorkTime("08:30-17:30", TZ).add(at(start), duration) == at(due)


def replay(capsys, tmp_path) -> tuple[list[dict], dict]:
    return replay_transcript(TRANSCRIPT, tmp_path, capsys)


def test_two_weeks_over_national_day(capsys, tmp_path):
    out, state = replay(capsys, tmp_path)
    times = [o["ts"] for o in out if not routine_post(o)]
    # the holiday week is quiet: nothing between the report and the first working morning
    assert not [t for t in times if "2026-10-01" <= t < "2026-10-08T08:30"]
    first = [o for o in out if o["ts"] == "2026-10-08T09:30:00+08:00"]
    assert [(o["to"], o["text"][:10]) for o in first] == [("u-mao", "提醒：#1（设施维修"),
                                                         ("u-jiang", "督办：#1（设施维修")]
    escalated = [o for o in out if o["room"] == "r-b5" and "升级" in o["text"]]
    assert [(o["ts"], o["text"]) for o in escalated] == [
        ("2026-10-08T11:30:00+08:00", "#1（设施维修）超时未受理（第二次），已升级到职能部门，由蒋玲跟进。"),
        ("2026-10-08T15:30:00+08:00", "#1（设施维修）超时未受理（第二次），已升级到街道，由蒋玲跟进。"),
    ]
    # at the top the admin is told once, then the clock stops chasing
    top = [o for o in out if "最高层级" in o["text"] and "#1" in o["text"]]
    assert len(top) == 1 and top[0]["to"] == "u-jiang"
    # #2 was raised on Friday evening: Saturday 10-10 is a make-up working day, Sunday is not
    assert any(o["ts"] == "2026-10-10T10:00:00+08:00" and o["to"] == "u-zhou" for o in out)
    assert not [t for t in times if t.startswith("2026-10-11")]
    # nothing twice
    assert len({(o["ts"], o["room"], o["to"], o["text"]) for o in out}) == len(out)
    assert [(i["id"], i["level"]) for i in state["items"]] == [(1, "街道"), (2, "街道")]


async def test_urgent_item_runs_round_the_clock(harness):
    await harness.advance(to=at("2026-11-28 23:00"))  # a Saturday night
    sent = await harness.say("r-b3", "u-101", "3号楼有煤气味，好像煤气泄漏了")
    assert [(m.room, m.to) for m in sent] == [("r-b3", None), (None, "u-mao"), (None, "u-jiang")]
    assert await harness.advance(timedelta(minutes=14)) == []
    reminded = await harness.advance(timedelta(minutes=1))
    assert [m.to for m in reminded] == ["u-mao", "u-jiang"] and "15分钟" in reminded[0].text
    escalated = await harness.advance(timedelta(minutes=15))
    assert [(m.room, m.to) for m in escalated][0] == ("r-b3", None)
    with harness.session() as s:
        item = s.get(Item, 1)
        assert item.level == "职能部门"
        actions = [e.action for e in s.exec(select(ItemEvent).where(ItemEvent.item_id == 1))]
        assert actions == ["opened", "sla_reminded", "escalated"]


async def test_an_item_escalated_by_the_clock_stays_overdue_until_someone_acts(harness):
    await harness.advance(to=at("2026-11-28 23:00"))
    await harness.say("r-b3", "u-101", "3号楼有煤气味，好像煤气泄漏了")
    await harness.advance(timedelta(minutes=31))  # reminded at 15 min, escalated at 30
    listed = (await harness.say(None, "u-jiang", "#案件 超期"))[0].text
    assert listed.startswith("超期的事项（1 件）") and "#1" in listed
    await harness.say(None, "u-jiang", "#受理 1")
    assert (await harness.say(None, "u-jiang", "#案件 超期"))[0].text == "超期的事项：暂无。"


async def test_many_escalations_at_once_are_one_line_in_the_group(harness):
    for n, thing in enumerate(["电梯", "楼道灯", "门禁", "水管", "对讲机"]):
        await harness.say("r-b3", f"u-8{n}", f"3号楼{thing}坏了，麻烦修一下")
    sent = await harness.advance(timedelta(hours=5))  # reminded at 11:00, escalated at 13:00
    group = [m for m in sent if m.room == "r-b3"]
    escalations = [m for m in group if "升级" in m.text]
    assert [m.text for m in escalations] == ["5 件诉求两次超时，已各升级一级：#1、#2、#3、#4、#5。发 #案件 编号 看详情。"]
    with harness.session() as s:
        assert {i.level for i in s.exec(select(Item))} == {"职能部门"}


async def test_staff_set_the_kind_and_the_resolution_clock_follows(harness):
    await harness.say("r-b3", "u-101", "3号楼电梯又坏了")  # 设施维修: 跨部门 by default
    with harness.session() as s:  # accepted at 09:30 (#受理 belongs to the items module)
        item = s.get(Item, 1)
        item.status, item.accepted_at = "accepted", START + timedelta(minutes=30)
        s.add(item)
    await harness.advance(to=START + timedelta(hours=1))
    sent = await harness.say("r-b3", "u-mao", "#时限 1 简易")
    assert [m.text for m in sent] == ["#1 已设为简易类，办理时限1个工作日。"]
    assert await harness.advance(to=at("2026-11-24 09:29")) == []
    reminded = await harness.advance(to=at("2026-11-24 09:30"))
    assert [m.to for m in reminded] == ["u-mao", "u-jiang"]
    assert "办理时限（简易类，1个工作日）" in reminded[0].text


async def test_sla_command_refuses_what_does_not_fit(harness):
    await harness.say("r-b3", "u-101", "3号楼电梯又坏了")
    assert "只有工作人员" in (await harness.say("r-b3", "u-101", "#时限 1 简易"))[0].text
    assert "简易、跨部门 或 复杂" in (await harness.say("r-b3", "u-mao", "#时限 1 很急"))[0].text
    assert "没有找到" in (await harness.say("r-b3", "u-mao", "#时限 9 复杂"))[0].text
    assert "#时限 编号" in (await harness.say("r-b3", "u-mao", "#时限"))[0].text


async def test_escalate_stops_at_the_top(harness):
    with harness.session() as s:
        await harness.say("r-b3", "u-101", "3号楼电梯又坏了")
        item = s.get(Item, 1)
        assert ladder.escalate(s, item, actor_id="u-mao", reason="需要城建办", now=START) == "职能部门"
        assert ladder.escalate(s, item, actor_id="u-mao", reason="", now=START) == "街道"
        assert ladder.escalate(s, item, actor_id="u-mao", reason="", now=START) is None
        rows = s.exec(select(ItemEvent).where(ItemEvent.action == "escalated")).all()
        assert [r.detail for r in rows] == ["社区→职能部门：需要城建办", "职能部门→街道"]
