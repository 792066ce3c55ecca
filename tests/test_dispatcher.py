"""Routing through the real dispatcher: dedupe, commands, classification, refusals."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from handlers.help import ASK_PROBLEM, ASK_PROPOSAL, HELLO, UNCLEAR
from storage.models import Item, ItemEvent, SeenMessage
from tests.conftest import Harness, local_bot, texts


async def test_complaint_opens_item_and_names_the_grid_worker(harness):
    sent = await harness.say("r-b3", "u-101", "3号楼电梯又坏了，物业什么时候来修")
    assert len(sent) == 1
    assert sent[0].room == "r-b3" and "#1" in sent[0].text and "设施维修" in sent[0].text
    assert sent[0].mentions == ("u-mao",)
    with harness.session() as s:
        item = s.exec(select(Item)).one()
        assert (item.kind, item.status, item.building, item.assignee_id) == \
            ("complaint", "open", "3号楼", "u-mao")
        assert [e.action for e in s.exec(select(ItemEvent))] == ["opened"]


async def test_same_message_id_is_handled_once(harness):
    await harness.say("r-b3", "u-101", "3号楼电梯又坏了", msg_id="dup-1")
    again = await harness.say("r-b3", "u-101", "3号楼电梯又坏了", msg_id="dup-1")
    assert again == []
    with harness.session() as s:
        assert len(s.exec(select(Item)).all()) == 1
        assert s.get(SeenMessage, "dup-1") is not None


async def test_chat_is_neither_answered_nor_stored(harness):
    assert await harness.say("r-b3", "u-102", "收到，谢谢物业👍") == []
    with harness.session() as s:
        assert s.exec(select(Item)).all() == []


async def test_command_forms_are_equivalent(harness):
    for text in ("#帮助", "＃帮助", "/help", "／ｈｅｌｐ"):
        sent = await harness.say("r-b3", "u-101", text)
        assert len(sent) == 1 and sent[0].text.startswith("邻里小助手"), text
    sent = await harness.say("r-b3", "u-101", "帮助", mentions=("linli",))
    assert len(sent) == 1 and "邻里小助手" in sent[0].text


async def test_staff_help_goes_privately_not_into_the_group(harness):
    sent = await harness.say("r-b3", "u-mao", "#帮助")
    assert [(m.room, m.to) for m in sent] == [(None, "u-mao"), ("r-b3", None)]
    assert "#受理" in sent[0].text and len(sent[1].text.splitlines()) == 1


async def test_unknown_command_gets_a_hint(harness):
    sent = await harness.say("r-b3", "u-101", "/frobnicate 3")
    assert len(sent) == 1 and "#帮助" in sent[0].text


async def test_private_message_is_answered_privately(harness):
    sent = await harness.say(None, "u-101", "#帮助")
    assert len(sent) == 1 and sent[0].to == "u-101" and sent[0].room is None


async def test_private_chat_gets_one_line_of_help_but_thanks_get_none(harness):
    sent = await harness.say(None, "u-101", "你好")
    assert len(sent) == 1 and sent[0].to == "u-101" and "#帮助" in sent[0].text
    assert await harness.say(None, "u-101", "谢谢！") == []
    assert await harness.say(None, "u-101", "好的，谢谢，辛苦了👍") == []
    assert await harness.say("r-b3", "u-101", "你好") == []  # in a group, chat is left alone


async def test_chat_that_ats_the_bot_in_a_group_gets_one_line(harness):
    sent = await harness.say("r-b3", "u-101", "@邻里小助手 你好", mentions=("linli",))
    assert [(m.room, m.text) for m in sent] == [("r-b3", HELLO)]
    assert await harness.say("r-b3", "u-101", "@邻里小助手 谢谢", mentions=("linli",)) == []
    assert await harness.say("r-b3", "u-101", "@毛宁 你好", mentions=("u-mao",)) == []


async def test_a_command_after_the_bots_at_mark_is_a_command(harness):
    """The page keeps "@邻里小助手 " in the text (WeChat's transport strips it): same command."""
    sent = await harness.say("r-b3", "u-101", "@邻里小助手 帮助", mentions=("linli",))
    assert len(sent) == 1 and sent[0].text.startswith("邻里小助手：")
    sent = await harness.say("r-b3", "u-mao", "@王阿姨 #案件", mentions=("u-101",))
    assert sent[0].text == "进行中的事项：暂无。"


async def test_a_message_too_unsure_to_act_on_is_asked_about_only_when_written_to_the_bot(
        settings, tmp_path):
    unsure = settings.classifier.model_copy(update={"min_confidence": 1.01})  # every guess
    bot = local_bot(settings.model_copy(update={"classifier": unsure}), tmp_path / "linli.db")
    await bot.start()
    try:
        h = Harness(bot)
        assert await h.say("r-b3", "u-101", "3号楼电梯又坏了") == []
        assert texts(await h.say(None, "u-101", "3号楼电梯又坏了")) == [UNCLEAR]
        assert texts(await h.say("r-b3", "u-102", "@邻里小助手 电梯又坏了", mentions=("linli",))) == [UNCLEAR]
        with h.session() as s:
            assert s.exec(select(Item)).all() == []
    finally:
        await bot.stop()


async def test_i_want_to_complain_asks_what_and_where_and_opens_nothing(harness):
    assert await harness.say("r-b3", "u-101", "我想反映个问题") == []  # in the group: wait for it
    assert texts(await harness.say(None, "u-101", "你好，我要投诉")) == [ASK_PROBLEM]
    sent = await harness.say("r-b3", "u-102", "@邻里小助手 我有个建议", mentions=("linli",))
    assert texts(sent) == [ASK_PROPOSAL]
    with harness.session() as s:
        assert s.exec(select(Item)).all() == []
    sent = await harness.say(None, "u-101", "3号楼电梯又坏了，老人下不了楼")
    assert sent[0].text.startswith("已登记 #1（设施维修）")


async def test_asking_after_ones_own_report_lists_it_and_opens_nothing(harness):
    await harness.say("r-b3", "u-101", "3号楼电梯又坏了，老人下不了楼")
    sent = await harness.say(None, "u-101", "我反映的事情有人管吗")
    assert [m.to for m in sent] == ["u-101"] and sent[0].text.startswith("我反映的事项（1 件）")
    sent = await harness.say("r-b3", "u-101", "@邻里小助手 我反映的事有进展吗", mentions=("linli",))
    assert sent[0].text.startswith("我反映的事项（1 件）")
    assert await harness.say("r-b3", "u-102", "我反映的问题修了没") == []  # not to the bot: quiet
    with harness.session() as s:
        assert len(s.exec(select(Item)).all()) == 1


async def test_a_residents_list_naming_a_private_report_goes_privately(harness):
    await harness.say(None, "u-103", "5号楼302家的狗天天叫，我是301的，不想公开说")
    sent = await harness.say("r-b5", "u-103", "#案件 我的")
    assert [(m.room, m.to) for m in sent] == [(None, "u-103"), ("r-b5", None)]
    assert sent[1].text == "您的事项列表已私信发给您。"


async def test_unknown_room_is_ignored(harness):
    assert await harness.say("r-nowhere", "u-101", "电梯坏了") == []


async def test_scheduled_job_fires_at_its_virtual_time(harness):
    await harness.say("r-b3", "u-101", "3号楼电梯又坏了")
    assert await harness.advance(timedelta(hours=1, minutes=59)) == []
    sent = await harness.advance(timedelta(minutes=2))
    # the SLA sweep: the owner privately, and the admin (the staff's view)
    assert [m.to for m in sent] == ["u-mao", "u-jiang"]
    assert harness.clock.now().hour == 11
