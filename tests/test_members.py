"""Room members come from the transport, not from who the bot has seen speaking.

Local: the configured members of each simulated group (what the page lists).
WeChat: the room's member list, read at login, when a room is bound, and on joins/leaves.
"""
from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import select

import bot.transport.wechaty as wechaty_transport
from bot.app import Linli
from bot.clock import VirtualClock
from bot.transport.wechaty import WechatyTransport
from storage.db import session_scope
from storage.models import Ballot, RoomMember
from storage.people import room_members
from tests.conftest import START, Harness, database_url, texts
from tests.inprocess_puppet import InProcessPuppet
from tests.test_wechaty_transport import B3, BOT, ROOMS, make_puppet, start_wechaty


def members_of(engine, room_id: str) -> set[str]:
    with session_scope(engine) as s:
        return set(room_members(s, room_id))


# ---------------------------------------------------------------- local transport


async def test_configured_members_are_the_electorate_from_the_first_ballot(harness: Harness):
    # 3号楼's group: the 5 staff, 王阿姨 and 李师傅 (room r-b3), 吴老师 and 黄小妹 (no room:
    # every group) — nobody has spoken yet, and the page shows the same 9
    page = {m.id for m in harness.transport.members["r-b3"]}
    assert len(page) == 9 and members_of(harness.bot.engine, "r-b3") == page
    await harness.say("r-b3", "u-mao", "#发起表决 楼道装声控灯 截止:3天后")
    assert texts(await harness.say("r-b3", "u-101", "同意")) == ["#1 已记录 1 票，当前已投 1/9。"]
    # a neighbour the config does not know joins by speaking: 10
    await harness.advance(timedelta(minutes=1))
    assert texts(await harness.say("r-b3", "u-201", "同意")) == ["#1 已记录 1 票，当前已投 2/10。"]
    # 赵大爷 lives in 17号楼 (not in this group): privately refused, not counted
    sent = await harness.say(None, "u-105", "#投票 1 同意")
    assert [m.to for m in sent] == ["u-105"] and "未计入" in sent[0].text


async def test_a_reporter_who_is_not_in_the_items_group_hears_privately(harness: Harness):
    await harness.say("r-b17", "u-105", "17号楼门口的大件垃圾堆了一个星期了，旧沙发没人清运")
    # u-201 is only in the community group; the same problem joins #1 (raised in 17号楼's group)
    sent = await harness.say("r-all", "u-201", "17号楼门口大件垃圾堆了一个星期了没人清运")
    assert "已有 #1 在处理" in sent[0].text
    await harness.say("r-b17", "u-zhou", "#受理 1")
    sent = await harness.say("r-b17", "u-zhou", "#办结 1 已清运")
    group = [m for m in sent if m.room == "r-b17"]
    assert group and group[0].mentions == ("u-105",)
    assert any(m.to == "u-201" and "已办结" in m.text for m in sent)


async def test_a_leaver_s_ballot_stays_counted_but_they_cannot_vote_again(harness: Harness):
    await harness.say("r-b3", "u-mao", "#发起表决 楼道装声控灯 截止:3天后")
    await harness.say("r-b3", "u-101", "同意")
    await harness.advance(timedelta(minutes=1))
    # the platform reports 3号楼's group without 王阿姨 (she left after voting)
    listed = [(m.id, m.name) for m in harness.transport.members["r-b3"] if m.id != "u-101"]
    await harness.bot.room_members_known("r-b3", listed)
    assert "u-101" not in members_of(harness.bot.engine, "r-b3")
    # her ballot still counts, and so she is still in the count: 2 of 9, not 2 of 8
    assert texts(await harness.say("r-b3", "u-102", "反对")) == ["#1 已记录 1 票，当前已投 2/9。"]
    # she cannot change it any more
    sent = await harness.say(None, "u-101", "#投票 1 反对")
    assert [m.to for m in sent] == ["u-101"] and "只计本群成员" in sent[0].text
    with harness.session() as s:
        assert {b.voter_id: b.option for b in s.exec(select(Ballot))} == {"u-101": "同意", "u-102": "反对"}
    # someone who left without voting is simply gone from the count
    listed = [(i, n) for i, n in listed if i != "u-108"]
    await harness.bot.room_members_known("r-b3", listed)
    await harness.advance(timedelta(minutes=1))
    assert texts(await harness.say("r-b3", "u-lead3", "同意")) == ["#1 已记录 1 票，当前已投 3/8。"]
    sent = await harness.say("r-b3", "u-mao", "#结束表决 1")
    assert "同意 2/3 票，超过半数（投票 3/8 人）→ 通过" in sent[-1].text


async def test_an_anonymous_leaver_s_ballot_stays_counted_too(harness: Harness):
    """Anonymous ballots carry only a keyed hash: the leaver is found by hashing the members."""
    await harness.say("r-b3", "u-mao", "#发起表决 物业续聘 截止:3天后 匿名")
    await harness.say(None, "u-101", "#投票 1 同意")
    listed = [(m.id, m.name) for m in harness.transport.members["r-b3"] if m.id != "u-101"]
    await harness.bot.room_members_known("r-b3", listed)
    await harness.advance(timedelta(minutes=1))
    sent = await harness.say(None, "u-102", "#投票 1 反对")
    assert [m.text for m in sent if m.room == "r-b3"] == ["#1 已记录 1 票，当前已投 2/9。"]


# ---------------------------------------------------------------- wechaty


async def test_wechat_member_list_is_read_when_a_room_is_bound_and_follows_joins_and_leaves(settings, tmp_path):
    h = await start_wechaty(settings, tmp_path)
    try:
        engine = h.bot.engine
        assert members_of(engine, "r-b3") == set()  # logged in, but 3号楼's WeChat room is not known yet
        # the first message binds the room by its topic: the whole list is read before it is handled
        await h.say("r-b3", "u-mao", "#发起表决 楼道装声控灯 截止:3天后")
        assert members_of(engine, "r-b3") == {"u-101", "u-102", "u-mao", "u-lead3"}  # not the bot
        assert [s.text for s in await h.say("r-b3", "u-101", "同意")] == ["#1 已记录 1 票，当前已投 1/4。"]
        # someone is added to the group: a member at once, before they say anything
        await h.puppet.join_room(B3, "u-209", "冯先生", inviter="u-mao")
        await h.transport.idle()
        assert "u-209" in members_of(engine, "r-b3")
        await h.bot.scheduler.run_due(h.bot.clock.now() + timedelta(minutes=1))
        h.new()
        assert [s.text for s in await h.say("r-b3", "u-209", "同意")] == ["#1 已记录 1 票，当前已投 2/5。"]
        # 李师傅 leaves without voting: no longer a member, no longer eligible
        await h.puppet.leave_room(B3, "u-102")
        await h.transport.idle()
        assert "u-102" not in members_of(engine, "r-b3")
        sent = await h.say(None, "u-102", "#投票 1 同意")
        assert [s.to for s in sent] == ["u-102"] and "只计本群成员" in sent[0].text
        await h.bot.scheduler.run_due(h.bot.clock.now() + timedelta(minutes=1))
        h.new()
        assert [s.text for s in await h.say("r-b3", "u-lead3", "同意")] == ["#1 已记录 1 票，当前已投 3/4。"]
        assert h.puppet.errors == []
        # a leave announced without a remover id (which wechaty's own listener would load first)
        await h.puppet.leave_room(B3, "u-209", remover="")
        await h.transport.idle()
        assert "u-209" not in members_of(engine, "r-b3")
        # a gateway that lists nobody but the bot: unknown, the members stay as they were
        h.puppet.get_fake_room(B3).member_ids = [BOT]
        assert await h.transport.room_members("r-b3") is None
        await h.puppet.leave_room(B3, "u-101")
        await h.transport.idle()
        assert members_of(engine, "r-b3") == {"u-101", "u-mao", "u-lead3"}
    finally:
        await h.bot.stop()


async def test_wechat_members_are_read_again_at_login(settings, tmp_path):
    """A bound room's members are read at each login: changes while the bot was away count."""
    h = await start_wechaty(settings, tmp_path)
    await h.say("r-b3", "u-101", "大家好")  # binds 3号楼's room
    await h.bot.stop()
    assert members_of(h.bot.engine, "r-b3") == {"u-101", "u-102", "u-mao", "u-lead3"}

    clock = VirtualClock(START + timedelta(hours=1), settings.timezone)
    puppet = InProcessPuppet(BOT)
    # meanwhile 李师傅 left and 冯先生 joined
    members = [m for m in ROOMS[0][2] if m[0] != "u-102"] + [("u-209", "冯先生", "")]
    puppet.add_room(B3, ROOMS[0][1], members)
    bot = Linli(settings, WechatyTransport(settings, clock, puppet=puppet), clock,
                database=database_url(tmp_path / 'linli.db'))
    await bot.start()
    try:
        await bot.transport.idle()
        assert members_of(bot.engine, "r-b3") == {"u-101", "u-mao", "u-lead3", "u-209"}
        with session_scope(bot.engine) as s:
            assert s.exec(select(RoomMember).where(RoomMember.room_id == "r-b5")).all() == []  # never bound
    finally:
        await bot.stop()


async def test_wechat_members_are_read_again_now_and_then(settings, tmp_path, monkeypatch):
    """A gateway that sends no join/leave events: the periodic reading catches the change."""
    monkeypatch.setattr(wechaty_transport, "MEMBERS_EVERY_PROBES", 2)
    probes: asyncio.Queue[asyncio.Future] = asyncio.Queue()

    async def probe_wait() -> None:  # the test decides when each probe happens
        tick = asyncio.get_running_loop().create_future()
        probes.put_nowait(tick)
        await tick

    clock = VirtualClock(START, settings.timezone)
    puppet = make_puppet()
    transport = WechatyTransport(settings, clock, puppet=puppet, probe_wait=probe_wait)
    bot = Linli(settings, transport, clock, database=database_url(tmp_path / 'linli.db'))
    await bot.start()
    try:
        await puppet.push(talker="u-101", room=B3, text="大家好")  # binds the room
        await transport.idle()
        room = puppet.get_fake_room(B3)
        room.member_ids = [m for m in room.member_ids if m != "u-102"]  # left; no event comes
        (await probes.get()).set_result(None)  # probe 1: nothing read
        next_probe = await probes.get()
        await transport.idle()
        assert "u-102" in members_of(bot.engine, "r-b3")
        next_probe.set_result(None)  # probe 2: every bound room's list is read again
        await probes.get()
        await transport.idle()
        assert members_of(bot.engine, "r-b3") == {"u-101", "u-mao", "u-lead3"}
    finally:
        await bot.stop()
