"""tests/test_dispatcher.py run again, unchanged, with the bot behind the wechaty transport.

`WechatyAsHarness` has the face of conftest's `Harness` (say, advance, new, session, clock,
bot), but each message goes in as a WeChat message through the in-process puppet and the
real `wechaty.Wechaty`, and each reply is read back from what the puppet was asked to send.
"""
from __future__ import annotations

import base64
import inspect
import json

import pytest

import tests.test_dispatcher as dispatcher_tests
from bot.app import Linli
from bot.clock import VirtualClock
from bot.events import Outgoing
from bot.transport.wechaty import WechatyTransport
from tests.conftest import START, Harness, database_url
from tests.inprocess_puppet import InProcessPuppet


def wechat_id(room_id: str) -> str:
    return f"wx-{room_id}@chatroom"  # matched to the config room by its topic, as in production


class WechatyAsHarness(Harness):
    """The dispatcher tests' harness, with messages going through wechaty's objects."""

    def __init__(self, bot: Linli, puppet: InProcessPuppet) -> None:
        super().__init__(bot)
        self.puppet = puppet

    async def say(self, room: str | None, sender: str, text: str, *, name: str | None = None,
                  mentions: tuple[str, ...] = (), quoted: str | None = None,
                  msg_id: str | None = None) -> list[Outgoing]:
        if name and self.puppet.get_fake_contact(sender) is None:
            self.puppet.add_contact(sender, name)
        wechat_room = wechat_id(room) if self.bot.settings.room(room) else room  # tests name config rooms
        if wechat_room is not None and self.puppet.get_fake_room(wechat_room) is None:
            self.puppet.add_room(wechat_room, f"未登记的群 {room}", [])  # a group the config does not know
        if quoted:
            text = f"「邻居：{quoted}」\n- - - - - - - - - - - - - - -\n{text}"  # as WeChat writes a quote
        await self.puppet.push(talker=sender, room=wechat_room or "", text=text, mentions=tuple(mentions),
                               msg_id=msg_id)
        await self.transport.idle()
        return self.new()

    def new(self) -> list[Outgoing]:
        out: list[Outgoing] = []
        for sent in self.puppet.sent[self._read:]:
            room = self.transport.rooms.by_wechat.get(sent.conversation)
            where = dict(room=room) if room else dict(to=sent.conversation)
            if sent.file is not None and out:  # the image that followed its text
                image = base64.b64decode(json.loads(sent.file.to_json_str())["base64"])
                out[-1] = Outgoing(out[-1].text, mentions=out[-1].mentions, image=image, **where)
                continue
            text = sent.text or ""
            for _ in sent.mentions:  # "@alias\u2005" per mention, as the group shows it
                text = text.split("\u2005", 1)[1] if text.startswith("@") else text
            out.append(Outgoing(text, mentions=sent.mentions, **where))
        self._read = len(self.puppet.sent)
        return out


def puppet_for(settings) -> InProcessPuppet:
    """Every configured group as a WeChat group (topic = name), with staff and residents in it."""
    puppet = InProcessPuppet(bot_id="linli")  # the local transport's id, which the tests @
    staff = [(s.id, s.name, "") for s in settings.staff]
    for room in settings.rooms:
        residents = [(r.id, r.name, "") for r in settings.residents if r.room in (None, room.id)]
        puppet.add_room(wechat_id(room.id), room.name, staff + residents)
    return puppet


@pytest.fixture
async def wechaty_as_harness(settings, tmp_path):
    clock = VirtualClock(START, settings.timezone)
    puppet = puppet_for(settings)
    bot = Linli(settings, WechatyTransport(settings, clock, puppet=puppet), clock,
                database=database_url(tmp_path / 'linli.db'))
    await bot.start()
    yield WechatyAsHarness(bot, puppet)
    await bot.stop()


DISPATCHER_TESTS = [f for name, f in inspect.getmembers(dispatcher_tests, inspect.iscoroutinefunction)
                    if name.startswith("test_") and list(inspect.signature(f).parameters) == ["harness"]]


@pytest.mark.parametrize("test", DISPATCHER_TESTS, ids=lambda f: f.__name__)
async def test_dispatcher_test_passes_through_wechaty(test, wechaty_as_harness):
    await test(wechaty_as_harness)


def test_every_dispatcher_test_is_run_through_wechaty():
    assert len(DISPATCHER_TESTS) >= 8
