"""Proposals and votes through the real dispatcher: support, open, ballots, reminders, close."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import inspect, text
from sqlmodel import select

from bot.config import load_settings
from storage.models import Ballot, Item, Vote
from storage.public import state
from tests.conftest import ROOT, START, TZ, Harness, local_bot, texts

GARDEN = "建议把5号楼西边的垃圾角改成小花园，大家觉得怎么样"


async def propose(h: Harness, room="r-b5", who="u-103", text=GARDEN) -> int:
    sent = await h.say(room, who, text)
    assert len(sent) == 1 and sent[0].text.startswith("已收到建议 #")
    return int(sent[0].text.split("#")[1].split("，")[0])


async def test_proposal_gathers_support_to_the_council_day(harness):
    n = await propose(harness)
    assert (await harness.say("r-b5", "u-103", f"#附议 {n}"))[0].text.startswith(f"#{n} 是您提的建议")
    assert texts(await harness.say("r-b5", "u-104", f"#附议 {n}")) == [f"已附议 #{n}（1/5）。"]
    assert texts(await harness.say("r-b5", "u-104", f"＃附议　＃{n}")) == [f"您已附议过 #{n}，每人计一次。"]
    for i, who in enumerate(["u-201", "u-202", "u-203"], start=2):
        await harness.advance(timedelta(minutes=1))
        assert texts(await harness.say("r-b5", who, f"#附议 {n}")) == [f"已附议 #{n}（{i}/5）。"]
    # a reply "+1" quoting the bot's line about the proposal counts too
    await harness.advance(timedelta(minutes=1))
    sent = await harness.say("r-b5", "u-204", "+1", quoted=f"已收到建议 #{n}，赞成的邻居请回复 #附议 {n}")
    group = [m for m in sent if m.room == "r-b5"]
    staff = [m for m in sent if m.to == "u-mao"]  # the grid worker of 5号楼
    assert texts(group) == [f"#{n} 已有5位邻居附议，将提交11月25日议事日讨论。"]
    assert staff and "已列入11月25日议事日" in staff[0].text
    # the day before the 议事日 the agenda is posted in the community group and its building's group
    sent = await harness.advance(to=datetime(2026, 11, 24, 9, 0, tzinfo=TZ))
    assert {m.room for m in sent} == {"r-all", "r-b5"}
    assert all(m.text.startswith("明天（11月25日）是议事日") for m in sent)
    assert f"#{n} " in sent[0].text and "（附议 5 人）" in sent[0].text
    with harness.session() as s:
        assert state(s)["items"][0]["supporters"] == ["u-104", "u-201", "u-202", "u-203", "u-204"]


async def test_support_after_the_threshold_is_a_count(harness):
    n = await propose(harness)
    for who in ["u-104", "u-201", "u-202", "u-203", "u-204"]:
        await harness.say("r-b5", who, f"#附议 {n}")
    await harness.advance(timedelta(minutes=2))
    assert texts(await harness.say("r-b5", "u-205", f"#附议 {n}")) == [f"已附议 #{n}（共6人，已提交议事日）。"]


async def test_quoted_plus_one_needs_a_proposal(harness):
    assert await harness.say("r-b5", "u-104", "+1", quoted="今天天气真好") == []
    n = await propose(harness)
    assert texts(await harness.say("r-b5", "u-104", "附议", quoted=GARDEN)) == [f"已附议 #{n}（1/5）。"]
    assert texts(await harness.say("r-b5", "u-104", "#附议")) == ["请写上编号，格式：#附议 编号"]
    assert texts(await harness.say("r-b5", "u-104", "#附议 99")) == ["#99 不是一条建议，请核对编号。"]


@pytest.mark.parametrize("args, expected", [
    ("", "请写上建议编号或表决标题"),
    ("装充电棚", "请写上截止时间"),
    ("装充电棚 截止:下个月", "看不懂"),
    ("装充电棚 截止:2026-11-01 20:00", "截止时间已经过了"),
    ("装充电棚 截止:3天后 规则:全体", "规则只能是"),
    ("装充电棚 选项:同意 截止:3天后", "选项至少两个"),
    ("装充电棚 选项:A/B 截止:3天后 规则:双过半", "选项需包含“同意”"),
    ("99 截止:3天后", "#99 不是一条建议"),
])
async def test_wrong_poll_commands_get_the_form(harness, args, expected):
    sent = await harness.say("r-b5", "u-mao", f"#发起表决 {args}")
    assert len(sent) == 1 and expected in sent[0].text
    with harness.session() as s:
        assert s.exec(select(Vote)).all() == [] and s.exec(select(Item)).all() == []


async def test_a_refused_new_topic_uses_no_number(harness):
    """The item a refused #发起表决 made is undone with its number: the next item is #1."""
    sent = await harness.say(None, "u-mao", "#发起表决 物业续聘 截止:3天后")  # privately: no group
    assert sent[0].text == "请在要表决的群里发起表决。"
    sent = await harness.say("r-b3", "u-101", "3号楼电梯又坏了，物业什么时候来修")
    assert "#1" in sent[0].text, sent[0].text


async def test_residents_cannot_open_votes(harness):
    sent = await harness.say("r-b5", "u-103", "#发起表决 装充电棚 截止:3天后")
    assert "只有管理员、网格员可以用" in sent[0].text
    sent = await harness.say("r-b5", "u-wy", "#发起表决 装充电棚 截止:3天后")  # property: staff, not an opener
    assert "只有管理员、网格员可以用" in sent[0].text


async def test_a_vote_over_days_with_reminders_changes_and_a_night_close(harness):
    n = await propose(harness)
    # 5号楼's group: its 9 configured members (5 staff, u-103, u-104, and u-107/u-108 whose
    # config names no room) and u-201, who is not configured but speaks there: 10
    await harness.say("r-b5", "u-201", "说几句")
    sent = await harness.say("r-b5", "u-mao", f"#发起表决 {n} 截止:周四晚11点")
    assert len(sent) == 1 and sent[0].text.startswith(f"#{n} 表决：建议把5号楼")
    assert "截止：11月26日(周四) 23:00" in sent[0].text and "规则：过半" in sent[0].text
    # ballots: the first is acknowledged at once, the next ones merged into one line a minute later
    assert texts(await harness.say("r-b5", "u-103", "同意")) == [f"#{n} 已记录 1 票，当前已投 1/10。"]
    assert await harness.say("r-b5", "u-104", "反对") == []
    assert await harness.say("r-b5", "u-201", "赞成") == []
    sent = await harness.advance(timedelta(minutes=2))
    assert texts(sent) == [f"#{n} 已记录 2 票，当前已投 3/10。"]
    assert sent[0].coalesce == "ballots-1" and sent[0].replace
    # change of mind: the last ballot counts
    await harness.advance(timedelta(hours=1))
    assert texts(await harness.say("r-b5", "u-104", f"#投票 {n} 同意")) == [f"#{n} 已记录 1 票，当前已投 3/10。"]
    # not a member of 5号楼's group: a private reply, not counted
    sent = await harness.say("r-b3", "u-101", f"#投票 {n} 反对")
    assert [(m.to, m.room) for m in sent] == [("u-101", None)] and "未计入" in sent[0].text
    # a wrong option gets the list
    assert "的选项是：同意/反对/弃权" in (await harness.say("r-b5", "u-201", f"#投票 {n} 好的"))[0].text
    # reminders 24 h and 2 h before, counts only
    sent = await harness.advance(to=datetime(2026, 11, 25, 23, 0, tzinfo=TZ))
    assert texts(sent) == [f"提醒：#{n} 表决还有24小时截止（11月26日(周四) 23:00），已投 3/10。还没投的邻居请抓紧。"]
    sent = await harness.advance(to=datetime(2026, 11, 26, 21, 0, tzinfo=TZ))
    assert texts(sent)[0].startswith(f"提醒：#{n} 表决还有2小时截止")
    # the close at 23:00, at night, on the virtual clock
    sent = await harness.advance(to=datetime(2026, 11, 26, 23, 30, tzinfo=TZ))
    assert len(sent) == 1 and harness.transport.sent[-1][0] == "2026-11-26T23:00:00+08:00"
    assert texts(sent)[0].splitlines() == [
        f"#{n} 表决结束：{GARDEN}",
        "同意 3 · 反对 0 · 弃权 0",
        "过半：同意 3/3 票，超过半数（投票 3/10 人）→ 通过",
        f"公示至11月29日(周日) 23:00，如有异议请发 #异议 {n} 理由。",
    ]
    # a late ballot: private reply, not counted
    sent = await harness.say("r-b5", "u-201", f"#投票 {n} 反对")
    assert sent[0].to == "u-201" and "已于11月26日(周四) 23:00截止" in sent[0].text
    # objections during the 公示 reach the staff
    sent = await harness.say("r-b5", "u-202", f"#异议 {n} 花园会招蚊子，还占了晾衣服的地方")
    assert {m.to for m in sent} == {"u-mao", None} and "已记录您对" in sent[-1].text
    assert any("花园会招蚊子，还占了" in m.text for m in sent if m.to == "u-mao")  # as written: "，"
    sent = await harness.advance(to=datetime(2026, 11, 30, 0, 0, tzinfo=TZ))
    assert texts(sent) == [f"#{n} 公示期满，收到异议1条，已转工作人员，转入落实。"]
    with harness.session() as s:
        snap = state(s)
    assert snap["items"][0]["status"] == "done"
    assert snap["votes"] == [{"id": 1, "item": n, "status": "closed", "rule": "过半",
                              "tally": {"同意": 3, "反对": 0, "弃权": 0}, "voters": 3,
                              "eligible": 10, "passed": True}]


async def test_two_open_votes_ask_which_and_early_close(harness):
    await harness.say("r-b5", "u-mao", "#发起表决 装充电棚 截止:3天后")
    await harness.say("r-b5", "u-mao", "#发起表决 换门禁 截止:3天后 规则:三分之二")
    sent = await harness.say("r-b5", "u-103", "同意")
    assert [m.to for m in sent] == ["u-103"] and "现在有2项表决在进行：#1 装充电棚、#2 换门禁" in sent[0].text
    await harness.say("r-b5", "u-103", "#投票 2 同意")
    await harness.say("r-b5", "u-104", "#投票 2 反对")
    sent = await harness.say("r-b5", "u-mao", "#结束表决 2")
    assert "三分之二：同意 1/2 票，未达三分之二" in sent[-1].text and "提前结束" in sent[-1].text
    assert "#2 没有进行中的表决" in (await harness.say("r-b5", "u-mao", "#结束表决 2"))[0].text
    # with one vote left, a plain word is a ballot again; the room heard an acknowledgement
    # this minute, so this one waits for the next
    assert await harness.say("r-b5", "u-104", "同意") == []
    assert texts(await harness.advance(timedelta(minutes=1))) == ["#1 已记录 1 票，当前已投 1/9。"]
    # the early-closed vote's jobs are gone: nothing for #2 fires later
    sent = await harness.advance(timedelta(days=4))
    assert not any("#2" in m.text for m in sent)
    with harness.session() as s:
        assert [i.status for i in s.exec(select(Item).order_by(Item.id))] == ["passed", "failed"]


async def test_acknowledgements_of_two_votes_merge_into_one_line_a_minute(harness):
    await harness.say("r-b5", "u-mao", "#发起表决 装充电棚 截止:3天后")
    await harness.say("r-b5", "u-mao", "#发起表决 换门禁 截止:3天后")
    assert len(await harness.say("r-b5", "u-103", "#投票 1 同意")) == 1
    for who in ("u-104", "u-105"):
        assert await harness.say("r-b5", who, "#投票 1 反对") == []
        assert await harness.say("r-b5", who, "#投票 2 同意") == []
    sent = await harness.advance(timedelta(seconds=59))
    assert sent == []
    sent = await harness.advance(timedelta(seconds=1))
    # 5号楼's 9 configured members and u-105 (17号楼 in config), who takes part here: 10
    assert texts(sent) == ["#1 已记录 2 票，当前已投 3/10；#2 已记录 2 票，当前已投 2/10。"]
    assert sent[0].coalesce == "ballots-r-b5" and sent[0].replace


async def test_poll_reports_plurality_and_tie(harness):
    await harness.say("r-b5", "u-mao", "#发起表决 充电棚位置 选项:东门/西门/北门 截止:明天晚8点")
    await harness.say("r-b5", "u-103", "东门")
    await harness.say("r-b5", "u-104", "西门")
    sent = await harness.say("r-b5", "u-mao", "#结束表决 1")
    assert "“东门”、“西门”并列最多（各 1 票），未能决出" in sent[-1].text


async def test_ballots_as_residents_say_them(harness):
    await harness.say("r-b5", "u-mao", "#发起表决 装充电棚 截止:3天后")
    for who, said in (("u-103", "我赞成！"), ("u-104", "反对，占了停车位"), ("u-201", "我弃权"),
                      ("u-202", "贊成👍"), ("u-203", "同意同意，")):
        await harness.say("r-b5", who, said)
    assert await harness.say("r-b5", "u-204", "同意楼上，这家面馆好吃") == []  # chat, not a ballot
    sent = await harness.say("r-b5", "u-mao", "#结束表决 1")
    assert "同意 3 · 反对 1 · 弃权 1" in sent[-1].text
    # a plain ballot typed after the close is told so, privately
    sent = await harness.say("r-b5", "u-204", "同意")
    assert [(m.to, m.room) for m in sent] == [("u-204", None)] and "这一票未计入" in sent[0].text


async def test_a_proposals_vote_runs_in_its_own_group_and_only_its_staff_run_it(harness):
    n = await propose(harness)  # raised in 5号楼's group
    sent = await harness.say("r-b3", "u-mao", f"#发起表决 {n} 截止:3天后")  # typed in 3号楼's
    assert [m.room for m in sent] == ["r-b5", "r-b3"] and "「姚畔湾5号楼」" in sent[1].text
    assert texts(await harness.say("r-b5", "u-103", "同意")) == [f"#{n} 已记录 1 票，当前已投 1/9。"]
    # 17号楼's grid worker may neither open votes in 5号楼's group nor close this one
    sent = await harness.say("r-b5", "u-zhou", "#发起表决 换门禁 截止:3天后")
    assert texts(sent) == ["抱歉，「姚畔湾5号楼」的表决由负责该楼的网格员或管理员发起。"]
    sent = await harness.say("r-b5", "u-zhou", f"#结束表决 {n}")
    assert texts(sent) == ["抱歉，「姚畔湾5号楼」的表决由负责该楼的网格员或管理员结束。"]
    sent = await harness.say("r-b5", "u-jiang", f"#结束表决 {n}")  # an admin may
    assert sent[-1].text.startswith(f"#{n} 表决提前结束")


async def test_an_anonymous_ballot_typed_in_the_group_counts_and_gets_a_private_word(harness):
    await harness.say("r-b5", "u-mao", "#发起表决 物业续聘 截止:3天后 匿名")
    sent = await harness.say("r-b5", "u-104", "反对")
    assert any(m.to == "u-104" and "下次请私聊我投票" in m.text for m in sent)
    with harness.session() as s:
        assert [b.option for b in s.exec(select(Ballot))] == ["反对"]


async def test_anonymous_vote_keeps_no_names(harness):
    await harness.say("r-b5", "u-mao", "#发起表决 物业续聘 截止:3天后 匿名")
    sent = await harness.say(None, "u-103", "#投票 1 反对")
    assert [(m.to, m.room) for m in sent] == [("u-103", None), (None, "r-b5")]
    assert sent[0].text == "#1 已收到您的匿名投票，截止前可改票，以最后一次为准。"
    sent = await harness.say(None, "u-103", "同意")  # privately, the one vote they may take part in
    assert sent[0].text == "#1 已收到您的匿名投票，截止前可改票，以最后一次为准。"
    with harness.session() as s:
        ballots = s.exec(select(Ballot)).all()
        assert len(ballots) == 1 and ballots[0].voter_id is None
        assert "u-103" not in ballots[0].voter_key and len(ballots[0].voter_key) == 64
    # nowhere in the database is u-103 tied to an option: who they are, their group, and
    # the outbox's copy of the private confirmations, which name no option
    dump = [(table, line) for table, line in dump_rows(harness.bot.engine) if "u-103" in line]
    assert {table for table, _ in dump} == {"person", "roommember", "outboxmessage"}
    assert not any(word in line for _, line in dump for word in ("同意", "反对", "弃权"))
    sent = await harness.say("r-b5", "u-mao", "#结束表决 1")
    assert "同意 1 · 反对 0" in sent[-1].text and "u-103" not in sent[-1].text


def dump_rows(engine):
    """(table, its values as one line) for every row of every table, bytes in hex: what
    sqlite3's iterdump shows, on SQLite and PostgreSQL alike."""
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                yield table, " ".join(v.hex() if isinstance(v, bytes) else str(v) for v in row)


@pytest.fixture
async def owners(tmp_path):
    """The bot with tests/votes_config.yaml: households registry of 10 owners (11 units)."""
    settings = load_settings(ROOT / "tests" / "votes_config.yaml", env={})
    bot = local_bot(settings, tmp_path / "linli.db")
    await bot.start()
    yield Harness(bot)
    await bot.stop()


async def test_civil_code_double_majority_blocked_by_area(owners):
    sent = await owners.say("r-b5", "u-mao", "#发起表决 在5号楼北侧建电动车充电棚 截止:3天后 规则:双过半")
    assert "只计业主名册中的业主（共10人）" in sent[0].text
    for who in ("u-101", "u-102", "u-103", "u-104", "u-105", "u-106"):
        await owners.say("r-b5", who, "同意")
    await owners.say("r-b5", "u-301", "反对")
    await owners.say("r-b5", "u-302", "反对")
    await owners.say("r-b5", "u-303", "弃权")
    sent = await owners.say("r-b5", "u-999", "同意")  # not an owner
    assert [(m.to, "业主名册中的业主" in m.text) for m in sent] == [("u-999", True)]
    sent = await owners.advance(timedelta(days=2, hours=1))  # the 24h reminder
    assert "已投业主 9/10 人、面积 1220/1280㎡" in texts(sent)[-1]
    sent = await owners.advance(timedelta(days=1))
    result = texts(sent)[-1]
    assert "参与业主 9/10 人、面积 1220/1280㎡，达到三分之二" in result
    assert "同意 6/9 人、面积 420/1220㎡，人数过半，面积未过半 → 未通过" in result
    with owners.session() as s:
        vote = state(s)["votes"][0]
    assert vote == {"id": 1, "item": 1, "status": "closed", "rule": "双过半",
                    "tally": {"同意": 6, "反对": 2, "弃权": 1}, "voters": 9, "eligible": 10,
                    "passed": False}


async def test_civil_code_quorum_missed(owners):
    await owners.say("r-b5", "u-mao", "#发起表决 续聘物业 截止:3天后 规则:双四分之三")
    for who in ("u-101", "u-102", "u-103", "u-104", "u-301", "u-302"):
        await owners.say("r-b5", who, "同意")
    with owners.session() as s:
        assert state(s)["votes"][0]["eligible"] == 10
    sent = await owners.advance(timedelta(days=3))
    assert "参与业主 6/10 人、面积 900/1280㎡，人数不足三分之二，未达法定参与比例 → 未通过" in texts(sent)[-1]


def card(h: Harness, session, item_id: int, viewer: str, private: bool) -> list[str]:
    """The proposal lines of `#案件 N` as handlers/cases.py shows them."""
    from bot.events import Incoming
    from handlers.context import Context
    from handlers.proposals import card_lines
    from storage.models import Person
    event = Incoming(id="card", room=None if private else "r-b5", sender=viewer, name=viewer,
                     text=f"#案件 {item_id}", ts=h.clock.now())
    ctx = Context(settings=h.bot.settings, session=session, now=h.clock.now(), bot_id="linli",
                  event=event, sender=session.get(Person, viewer))
    return card_lines(ctx, session.get(Item, item_id))


async def test_card_lines_show_supporters_vote_and_roll_only_to_staff_privately(harness):
    n = await propose(harness)
    await harness.say("r-b5", "u-104", f"#附议 {n}", name="陈姐")
    await harness.say("r-b5", "u-mao", f"#发起表决 {n} 截止:3天后")
    await harness.say("r-b5", "u-104", "反对")
    with harness.session() as s:
        lines = card(harness, s, n, "u-mao", private=True)
        assert lines[0] == "附议：1人（陈姐）"
        assert lines[1].startswith("表决中（过半，实名）：截止 11月26日(周四) 09:00，已投 1/9")
        assert "  反对：陈姐" in lines
        assert not any("陈姐" in line for line in card(harness, s, n, "u-mao", private=False)[1:])
        assert not any("陈姐" in line for line in card(harness, s, n, "u-103", private=True)[1:])
    await harness.say("r-b5", "u-mao", f"#结束表决 {n}")
    await harness.say("r-b5", "u-103", f"#异议 {n} 不公平")
    with harness.session() as s:
        lines = card(harness, s, n, "u-mao", private=True)
        assert "表决结果（过半，实名）：同意 0 · 反对 1 · 弃权 0" in lines
        assert any(line.endswith("→ 未通过") for line in lines)
    # an objection outside a 公示 is refused
    await harness.advance(timedelta(minutes=1))  # (the group had its 6 lines this minute)
    assert "不在公示期" in (await harness.say("r-b5", "u-103", f"#异议 {n} 不公平"))[0].text


async def test_open_privately_on_a_proposal_announces_in_its_group(harness):
    n = await propose(harness)
    sent = await harness.say(None, "u-mao", f"#发起表决 {n} 截止:2026-11-30 20:00 规则:三分之二")
    assert [(m.room, m.to) for m in sent] == [("r-b5", None), (None, "u-mao")]
    assert "规则：三分之二（同意达到投票数的三分之二）" in sent[0].text
    assert "已在「姚畔湾5号楼」发起 #1 的表决，截止 11月30日(周一) 20:00" in sent[1].text
    sent = await harness.say("r-b5", "u-wy", f"#结束表决 {n}")  # property staff may not
    assert "只有管理员、网格员可以用" in sent[0].text
    sent = await harness.say(None, "u-jiang", "#发起表决 1 截止:3天后")
    assert "#1 的表决正在进行中" in sent[0].text


async def test_english_command_names(harness):
    sent = await harness.say("r-b5", "u-mao", "/poll new shed options:yes/no deadline:2026-11-30 20:00 anonymous")
    assert sent[0].text.startswith("#1 表决：new shed") and "匿名表决" in sent[0].text
    assert "yes/no" in sent[0].text and "得票最多的选项胜出" in sent[0].text
    await harness.say("r-b5", "u-103", "hello")
    sent = await harness.say(None, "u-103", "/vote 1 yes")
    assert sent[0].text == "#1 已收到您的匿名投票，截止前可改票，以最后一次为准。"
    sent = await harness.say("r-b5", "u-mao", "/close 1")
    assert "“yes”得票最多（1/1 票" in sent[-1].text
    sent = await harness.say("r-b5", "u-104", "/object 1 too noisy")
    assert "已记录您对 #1 的异议" in sent[-1].text


async def test_reminders_and_close_survive_a_restart(settings, tmp_path):
    """The jobs live in the database: a bot started again after a crash still closes the vote."""
    first = local_bot(settings, tmp_path / "linli.db")
    await first.start()
    h = Harness(first)
    await h.say("r-b5", "u-mao", "#发起表决 装充电棚 截止:明天晚8点")
    await h.say("r-b5", "u-103", "同意")
    await first.stop()

    second = local_bot(settings, tmp_path / "linli.db", START + timedelta(hours=1))
    await second.start()
    try:
        h = Harness(second)
        sent = await h.advance(to=datetime(2026, 11, 24, 21, 0, tzinfo=TZ))
        assert [m.text.splitlines()[0] for m in sent] == [
            "提醒：#1 表决还有24小时截止（11月24日(周二) 20:00），已投 1/9。还没投的邻居请抓紧。",
            "提醒：#1 表决还有2小时截止（11月24日(周二) 20:00），已投 1/9。还没投的邻居请抓紧。",
            "#1 表决结束：装充电棚",
        ]
    finally:
        await second.stop()


def test_a_poll_title_keeps_its_chinese_punctuation():
    from handlers.votes import parse_poll
    req = parse_poll("3号楼外墙翻新（使用维修资金） 选项：同意／反对，弃权 截止：３天后")
    assert (req.head, req.options, req.deadline) == ("3号楼外墙翻新（使用维修资金）", ("同意", "反对", "弃权"), "３天后")


@pytest.mark.parametrize("args", [
    "修改停车规则 截止:3天后 规则:三分之二",
    "修改停车规则 截止 3天后 规则 三分之二",
    "修改停车规则 截止时间：3天后 规则：三分之二",
    "修改停车规则 截止3天后 规则三分之二",
])
def test_poll_fields_read_however_they_are_separated(args):
    from handlers.votes import parse_poll
    req = parse_poll(args)
    assert (req.head, req.deadline, req.rule) == ("修改停车规则", "3天后", "三分之二")


@given(st.text(alphabet="#0123456789 选项截止规则:：/、过半三分之二双四匿名同意反对周五晚8点天后ab", max_size=40))
def test_any_poll_arguments_parse_or_refuse(args):
    from handlers.context import Refusal
    from handlers.votes import parse_poll
    try:
        req = parse_poll(args)
    except Refusal as refusal:
        assert str(refusal)
    else:
        assert req.head and req.deadline and len(req.options) >= 2


async def test_case_card_of_a_proposal_shows_supporters_vote_and_result(harness):
    n = await propose(harness)
    await harness.say("r-b5", "u-104", f"#附议 {n}", name="陈姐")
    await harness.say("r-b5", "u-mao", f"#发起表决 {n} 截止:3天后")
    await harness.say("r-b5", "u-104", "同意")
    await harness.say("r-b5", "u-mao", f"#结束表决 {n}")
    card = (await harness.say("r-b5", "u-103", f"#案件 {n}"))[0].text
    assert "附议：1人\n" in card and "陈姐" not in card
    assert "表决结果（过半，实名）：同意 1 · 反对 0 · 弃权 0" in card
    assert "发起表决（毛宁）" in card and "表决结束（毛宁）" in card
    private = (await harness.say(None, "u-mao", f"#案件 {n}"))[0].text
    assert "附议：1人（陈姐）" in private and "  同意：陈姐" in private
