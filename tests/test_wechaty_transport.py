"""The wechaty transport driving the real `wechaty.Wechaty` object with an in-process puppet.

The same SCENARIOS run through the local transport and through wechaty: both transports
must give the dispatcher the same events and carry back the same replies.
"""
from __future__ import annotations

import asyncio
import base64
import json
import logging
from dataclasses import dataclass

import pytest
from sqlmodel import select
from wechaty_puppet import MessageType

from bot.app import Linli
from bot.clock import VirtualClock
from bot.events import Incoming, Outgoing
from bot.transport import SendError
from bot.transport.local import LocalTransport
from bot.transport.wechaty import WechatyTransport, split_quote
from storage.models import Item, RoomBinding, RoomMember
from tests.conftest import START, database_url
from tests.inprocess_puppet import InProcessPuppet

BOT = "wxid_linli"
B3 = "20001@chatroom"  # matched to r-b3 by its topic
# WeChat rooms as the puppet holds them: (WeChat room id, topic, members (id, name, group alias)).
ROOMS = [
    (B3, "姚畔湾3号楼", [("u-101", "王阿姨", "3-1201 王阿姨"), ("u-102", "李师傅", ""),
                          ("u-mao", "毛宁", "网格员毛宁"), ("u-lead3", "孙阿姨", "")]),
    ("r-b5", "5号楼邻居", [("u-103", "张先生", ""), ("u-mao", "毛宁", "")]),  # id equals the config id
    ("30003@chatroom", "别的群", [("u-108", "黄小妹", "")]),  # not in the config
]


@dataclass(frozen=True)
class Said:
    """A reply as the group sees it, whatever the transport: where, whom it @s, what it says."""

    room: str | None
    to: str | None
    mentions: tuple[str, ...]
    text: str


class WechatyHarness:
    """The real bot behind `WechatyTransport` + `wechaty.Wechaty` + the in-process puppet."""

    def __init__(self, bot: Linli, puppet: InProcessPuppet, sleeps: list[float]) -> None:
        self.bot, self.puppet, self.sleeps = bot, puppet, sleeps
        self.transport: WechatyTransport = bot.transport
        self.self_id = BOT
        self._read = 0

    async def say(self, room: str | None, sender: str, text: str, *, mentions=(), **kw) -> list[Said]:
        wechat_room = {"r-b3": B3}.get(room, room) or ""
        await self.puppet.push(talker=sender, room=wechat_room, text=text, mentions=tuple(mentions), **kw)
        await self.transport.idle()
        return self.new()

    def new(self) -> list[Said]:
        out = []
        for sent in self.puppet.sent[self._read:]:
            room = self.transport.rooms.by_wechat.get(sent.conversation)
            text = sent.text or ""
            for _ in sent.mentions:  # the @ prefix is checked on its own below
                text = text.split("\u2005", 1)[1] if text.startswith("@") else text
            out.append(Said(room, None if room else sent.conversation, sent.mentions, text))
        self._read = len(self.puppet.sent)
        return out


class LocalHarness:
    def __init__(self, bot: Linli) -> None:
        self.bot, self.transport = bot, bot.transport
        self.self_id = bot.transport.self_id

    async def say(self, room, sender, text, *, mentions=()) -> list[Said]:
        before = len(self.transport.sent)
        await self.transport.post(room=room, sender=sender, name=self.transport.name_of(sender),
                                  text=text, mentions=tuple(mentions))
        return [Said(m.room, m.to, m.mentions, m.text) for _, m in self.transport.sent[before:]]


def make_puppet() -> InProcessPuppet:
    puppet = InProcessPuppet(BOT)
    for room_id, topic, members in ROOMS:
        puppet.add_room(room_id, topic, members)
    puppet.add_contact("gh_news", "江畔资讯", official=True)
    return puppet


async def start_wechaty(settings, tmp_path) -> WechatyHarness:
    sleeps: list[float] = []

    async def no_sleep(seconds: float) -> None:  # back-off is recorded, never waited for
        sleeps.append(seconds)
        await asyncio.sleep(0)

    clock = VirtualClock(START, settings.timezone)
    puppet = make_puppet()
    bot = Linli(settings, WechatyTransport(settings, clock, puppet=puppet, sleep=no_sleep), clock,
                database=database_url(tmp_path / 'linli.db'))
    await bot.start()
    return WechatyHarness(bot, puppet, sleeps)


async def start_local(settings, tmp_path) -> LocalHarness:
    clock = VirtualClock(START, settings.timezone)
    bot = Linli(settings, LocalTransport(settings, clock), clock,
                database=database_url(tmp_path / 'linli.db'))
    await bot.start()
    return LocalHarness(bot)


@pytest.fixture
async def wechaty_harness(settings, tmp_path):
    harness = await start_wechaty(settings, tmp_path)
    yield harness
    await harness.bot.stop()


@pytest.fixture(params=["local", "wechaty"])
async def either_harness(request, settings, tmp_path):
    """The same bot behind each transport in turn."""
    harness = await (start_local if request.param == "local" else start_wechaty)(settings, tmp_path)
    yield harness
    await harness.bot.stop()


# ---------------------------------------------------------------- the same scenarios, both transports


@dataclass(frozen=True)
class Scenario:
    """One message and what must come back. BOT in `mentions` stands for the bot's own id."""

    name: str
    room: str | None
    sender: str
    text: str
    mentions: tuple[str, ...] = ()
    replies: int = 1
    reply_mentions: tuple[str, ...] = ()
    reply_has: str = ""


SCENARIOS = [
    Scenario("complaint opens an item and @s the grid worker", "r-b3", "u-101",
             "3号楼电梯又坏了，物业什么时候来修", reply_mentions=("u-mao",), reply_has="#1"),
    Scenario("help command", "r-b3", "u-101", "#帮助", reply_has="邻里小助手"),
    Scenario("help by @-ing the bot without #", "r-b3", "u-101", "帮助", mentions=("BOT",),
             reply_has="邻里小助手"),
    Scenario("chat is neither answered nor stored", "r-b3", "u-102", "收到，谢谢物业👍", replies=0),
    Scenario("room matched by id", "r-b5", "u-103", "#帮助", reply_has="邻里小助手"),
    Scenario("private message is answered privately", None, "u-101", "#帮助", reply_has="邻里小助手"),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_both_transports_pass_the_same_scenarios(either_harness, scenario):
    harness = either_harness
    mentions = tuple(harness.self_id if m == "BOT" else m for m in scenario.mentions)
    said = await harness.say(scenario.room, scenario.sender, scenario.text, mentions=mentions)
    assert len(said) == scenario.replies, said
    for reply in said:
        if scenario.room is None:
            assert (reply.room, reply.to) == (None, scenario.sender)
        else:
            assert (reply.room, reply.to) == (scenario.room, None)
        assert reply.mentions == scenario.reply_mentions
        assert scenario.reply_has in reply.text


# ---------------------------------------------------------------- incoming


async def collect(puppet: InProcessPuppet, settings, **push) -> list[Incoming]:
    """What the transport alone hands to the dispatcher for one pushed message."""
    got: list[Incoming] = []

    async def on_message(event: Incoming) -> None:
        got.append(event)

    transport = WechatyTransport(settings, VirtualClock(START, settings.timezone), puppet=puppet)
    await transport.start(on_message)
    try:
        await puppet.push(**push)
        await transport.idle()
    finally:
        await transport.stop()
    return got


async def test_room_message_becomes_the_plain_event(settings):
    puppet = make_puppet()
    text = "「李师傅：电梯又停了」\n- - - - - - - - - - - - - - -\n@网格员毛宁\u2005@邻里小助手\u2005一直没人修"
    [event] = await collect(puppet, settings, talker="u-101", room=B3, text=text, msg_id="wx-msg-1",
                            mentions=("u-mao", BOT), timestamp=1795400000)
    assert event.room == "r-b3"  # matched by topic 姚畔湾3号楼
    assert (event.id, event.sender, event.name) == ("wx-msg-1", "u-101", "3-1201 王阿姨")
    assert event.mentions == ("u-mao", BOT)
    assert event.text == "一直没人修"
    assert event.quoted == "电梯又停了"
    assert event.ts.timestamp() == 1795400000 and event.ts.utcoffset() is not None


async def test_private_message_has_no_room(settings):
    [event] = await collect(make_puppet(), settings, talker="u-103", text="你好")
    assert (event.room, event.sender, event.name, event.text) == (None, "u-103", "张先生", "你好")


@pytest.mark.parametrize("push", [
    dict(talker=BOT, room=B3, text="#帮助"),  # the bot's own message echoed back
    dict(talker="gh_news", text="本周天气"),  # an official account
    dict(talker="u-101", room=B3, kind=MessageType.MESSAGE_TYPE_UNSPECIFIED, text="王阿姨邀请李师傅加入了群聊"),
    dict(talker="u-101", room=B3, kind=MessageType.MESSAGE_TYPE_RECALLED, text="王阿姨撤回了一条消息"),
    dict(talker="u-101", room=B3, kind=MessageType.MESSAGE_TYPE_RED_ENVELOPE, text=""),
    dict(talker="", room=B3, text="系统消息"),
    dict(talker="u-108", room="30003@chatroom", text="#帮助"),  # a group not in the config
], ids=["self", "official", "system", "recall", "red-packet", "no-talker", "unknown-room"])
async def test_messages_the_bot_must_not_read_are_ignored(settings, push):
    assert await collect(make_puppet(), settings, **push) == []


@pytest.mark.parametrize("kind,word", [(MessageType.MESSAGE_TYPE_AUDIO, "voice"),
                                       (MessageType.MESSAGE_TYPE_IMAGE, "image"),
                                       (MessageType.MESSAGE_TYPE_URL, "link")])
async def test_voice_image_and_link_are_logged_not_classified(settings, caplog, kind, word):
    caplog.set_level(logging.INFO, logger="bot.transport.wechaty")
    assert await collect(make_puppet(), settings, talker="u-101", room=B3, kind=kind, text="<xml/>") == []
    assert any(f"{word} message from u-101 in r-b3" in r.getMessage() for r in caplog.records)


async def test_self_and_system_messages_reach_nobody(wechaty_harness):
    assert await wechaty_harness.say("r-b3", BOT, "3号楼电梯又坏了") == []
    assert await wechaty_harness.say("r-b3", "u-101", "王阿姨撤回了一条消息",
                                     kind=MessageType.MESSAGE_TYPE_RECALLED) == []
    from storage.db import session_scope
    with session_scope(wechaty_harness.bot.engine) as s:
        assert s.exec(select(Item)).all() == []


def test_quote_format():
    assert split_quote("「王阿姨：3号楼电梯坏了」\n- - - - - - - - - - - - - - -\n同感") == ("同感", "3号楼电梯坏了")
    assert split_quote("「3号楼电梯坏了」\n- - - - -\n同感") == ("同感", "3号楼电梯坏了")
    assert split_quote("「王阿姨：时间：明天上午」\n- - - - - - - - - - - - - - -\n好的") == ("好的", "时间：明天上午")
    assert split_quote("「」不是引用") == ("「」不是引用", None)
    # the quoted message @-ed the bot: the mark is not part of what it said
    assert split_quote("「王阿姨：@邻里小助手\u20053号楼电梯坏了」\n- - - - - -\n我也是") == ("我也是", "3号楼电梯坏了")


# ---------------------------------------------------------------- outgoing


async def test_reply_goes_out_through_room_say_with_real_mentions(wechaty_harness):
    await wechaty_harness.say("r-b3", "u-101", "3号楼电梯又坏了，物业什么时候来修")
    [sent] = wechaty_harness.puppet.sent
    assert sent.conversation == B3
    assert sent.mentions == ("u-mao",)
    # The @ is the member's group alias (what the group shows), ended by U+2005 as WeChat does.
    assert sent.text.startswith("@网格员毛宁\u2005") and "#1" in sent.text
    from storage.db import session_scope
    with session_scope(wechaty_harness.bot.engine) as s:
        assert s.exec(select(RoomMember).where(RoomMember.person_id == "u-101")).one().room_id == "r-b3"


async def test_mention_without_alias_uses_the_wechat_name(wechaty_harness):
    await wechaty_harness.transport.send(Outgoing("请看一下", room="r-b5", mentions=("u-mao",)))
    [sent] = wechaty_harness.puppet.sent
    assert (sent.conversation, sent.text, sent.mentions) == ("r-b5", "@毛宁\u2005请看一下", ("u-mao",))


async def test_image_is_sent_as_a_file_box(wechaty_harness):
    png = b"\x89PNG\r\n\x1a\nfake"
    await wechaty_harness.transport.send(Outgoing("本周汇总", room="r-b3", image=png))
    text, image = wechaty_harness.puppet.sent
    assert (text.conversation, text.text) == (B3, "本周汇总")
    assert image.conversation == B3 and image.file.name == "linli.png"
    assert base64.b64decode(json.loads(image.file.to_json_str())["base64"]) == png


async def test_room_found_by_topic_before_anyone_spoke_and_remembered(wechaty_harness):
    await wechaty_harness.transport.send(Outgoing("通知", room="r-b3"))
    assert wechaty_harness.puppet.sent[0].conversation == B3
    from storage.db import session_scope
    with session_scope(wechaty_harness.bot.engine) as s:
        binding = s.get(RoomBinding, "r-b3")
        assert (binding.wechat_id, binding.topic) == (B3, "姚畔湾3号楼")


async def test_binding_survives_a_topic_change_and_a_restart(settings, tmp_path):
    database = database_url(tmp_path / 'linli.db')
    for topic in ("姚畔湾3号楼", "3号楼（新群名）"):
        clock = VirtualClock(START, settings.timezone)
        puppet = InProcessPuppet(BOT)
        puppet.add_room(B3, topic, ROOMS[0][2])
        bot = Linli(settings, WechatyTransport(settings, clock, puppet=puppet), clock, database=database)
        await bot.start()
        await puppet.push(talker="u-101", room=B3, text="#帮助")
        await bot.transport.idle()
        await bot.stop()
        assert [s.conversation for s in puppet.sent] == [B3], topic


# ---------------------------------------------------------------- connection


async def test_dropped_connection_recovers_and_keeps_answering(wechaty_harness):
    h = wechaty_harness
    assert h.transport.status.state == "logged_in"
    h.puppet.drop()
    await asyncio.wait_for(h.puppet.wait_started(2), 5)  # a guard, not a timing
    assert h.sleeps == [1]  # back-off before reconnecting
    assert h.transport.status.reconnects == 1 and h.transport.status.state == "logged_in"
    said = await h.say("r-b3", "u-101", "#帮助")
    assert len(said) == 1 and "邻里小助手" in said[0].text


async def test_backoff_grows_while_the_gateway_stays_down(wechaty_harness):
    h = wechaty_harness

    async def refuse() -> None:
        raise ConnectionRefusedError("gateway down")

    real_start = h.puppet.start
    failures = iter(range(3))

    async def flaky_start() -> None:
        if next(failures, None) is not None:
            await refuse()
        await real_start()

    h.puppet.start = flaky_start
    h.puppet.drop()
    await asyncio.wait_for(h.puppet.wait_started(2), 5)
    assert h.sleeps == [1, 2, 5, 10]
    assert (await h.say("r-b3", "u-101", "#帮助"))[0].text.startswith("邻里小助手")


async def test_message_redelivered_after_reconnect_is_handled_once(wechaty_harness):
    h = wechaty_harness
    assert len(await h.say("r-b3", "u-101", "#帮助", msg_id="same-id-1")) == 1
    h.puppet.drop()
    await asyncio.wait_for(h.puppet.wait_started(2), 5)
    assert await h.say("r-b3", "u-101", "#帮助", msg_id="same-id-1") == []


async def test_logout_is_shown_and_a_new_login_resumes(wechaty_harness, caplog):
    h = wechaty_harness
    await h.puppet.log_out()
    assert h.transport.status.state == "logged_out"
    assert any("logged out" in r.getMessage() for r in caplog.records)
    with pytest.raises(SendError):
        await h.transport.send(Outgoing("通知", room="r-b3"))
    await h.puppet.log_in()  # the same stream: wechaty's bridge alone would ignore this second login
    assert h.transport.status.state == "logged_in"
    assert len(await h.say("r-b3", "u-101", "#帮助")) == 1


async def test_status_api_of_the_local_transport(harness, aiohttp_client):
    from bot.web.server import make_app
    client = await aiohttp_client(make_app(harness.bot))
    assert await (await client.get("/api/status")).json() == {"transport": "local", "state": "ready"}


async def test_message_lost_with_the_connection_is_read_again_after_reconnect(wechaty_harness):
    h = wechaty_harness
    h.puppet.fail_payloads = 1  # the gateway announces it, then the stream breaks while reading it
    await h.puppet.push(talker="u-101", room=B3, text="3号楼电梯又坏了，物业什么时候来修")
    await asyncio.wait_for(h.puppet.wait_started(2), 5)
    await h.transport.idle()
    [said] = h.new()
    assert said.room == "r-b3" and "#1" in said.text
    assert h.transport._pending == {}
    assert [type(e).__name__ for e in h.puppet.errors] == ["StreamTerminatedError"]  # wechaty lost it


async def test_silently_dead_connection_is_found_by_the_probe(settings, tmp_path, caplog):
    """No error, no end of stream: only a failing ding tells that the connection is gone."""
    probes: asyncio.Queue[asyncio.Future] = asyncio.Queue()

    async def probe_wait() -> None:  # the test decides when each probe happens
        tick = asyncio.get_running_loop().create_future()
        probes.put_nowait(tick)
        await tick

    async def no_sleep(seconds: float) -> None:
        await asyncio.sleep(0)

    clock = VirtualClock(START, settings.timezone)
    puppet = make_puppet()
    transport = WechatyTransport(settings, clock, puppet=puppet, sleep=no_sleep, probe_wait=probe_wait)
    bot = Linli(settings, transport, clock, database=database_url(tmp_path / 'linli.db'))
    await bot.start()
    try:
        (await probes.get()).set_result(None)  # a probe on a healthy connection
        next_probe = await probes.get()
        assert (puppet.dings, puppet.starts) == (1, 1)
        puppet.ding_fails = True
        next_probe.set_result(None)
        await asyncio.wait_for(puppet.wait_started(2), 5)
        assert transport.status.reconnects == 1 and transport.status.state == "logged_in"
        assert any("did not answer a ding" in r.getMessage() for r in caplog.records)
    finally:
        await bot.stop()


async def test_web_page_of_a_wechaty_bot_shows_the_login_state(wechaty_harness, aiohttp_client):
    from bot.web.server import make_app
    client = await aiohttp_client(make_app(wechaty_harness.bot))
    page = await client.get("/")
    assert page.url.path == "/status" and "已登录" in await page.text()
    status = await (await client.get("/api/status")).json()
    assert (status["transport"], status["state"], status["user"]) == ("wechaty", "logged_in", "邻里小助手")
