"""The complaint lifecycle through the real dispatcher: open, join, alert, handle, rate."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from handlers.privacy import mask_phones
from storage.ladder import escalate
from storage.models import Correction, Item, ItemEvent, ItemReporter
from tests.conftest import texts

ELEVATOR = "3号楼电梯又坏了，物业什么时候来修"


def item(harness, number: int) -> Item:
    with harness.session() as s:
        return s.get(Item, number)


def events(harness, number: int) -> list[ItemEvent]:
    with harness.session() as s:
        return list(s.exec(select(ItemEvent).where(ItemEvent.item_id == number).order_by(ItemEvent.id)))


def all_items(harness) -> list[Item]:
    with harness.session() as s:
        return list(s.exec(select(Item)))


def reporters(harness, number: int) -> list[str]:
    with harness.session() as s:
        return sorted(s.exec(select(ItemReporter.person_id).where(ItemReporter.item_id == number)))


# -- opening and duplicates --------------------------------------------------------------

async def test_an_emergency_is_never_folded_into_an_older_item_of_its_category(harness):
    await harness.say("r-b5", "u-103", "楼下那辆电动车天天飞线充电，插线板从三楼吊下来，太危险了")
    sent = await harness.say("r-b5", "u-104", "5号楼楼道里好像闻到煤气味，很浓")
    assert sent[0].text.startswith("⚠️紧急 已登记 #2（安全隐患）")
    assert item(harness, 1).category == item(harness, 2).category == "安全隐患"
    assert reporters(harness, 1) == ["u-103"]


async def test_a_complaint_command_on_a_proposal_says_what_it_is(harness):
    await harness.say("r-b5", "u-104", "能不能在小区东门装个快递柜？快递老是丢")
    sent = await harness.say("r-b5", "u-mao", "#转办 1 物业")
    assert texts(sent) == ["#1 是建议，这个命令只用于诉求。发 #案件 1 看看它的详情。"]

async def test_same_problem_joins_the_open_item_as_another_reporter(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    sent = await harness.say("r-b3", "u-102", "3号楼电梯坏了，老人爬楼太难了")
    assert texts(sent) == ["已有 #1 在处理，已记下您的反映（共 2 人）。"]
    assert (sent[0].coalesce, sent[0].replace) == ("joined-1", True)  # a burst keeps the last count
    sent = await harness.say("r-b3", "u-102", "3号楼电梯还是坏了")
    assert "已反映过" in sent[0].text
    assert reporters(harness, 1) == ["u-101", "u-102"]
    with harness.session() as s:
        assert len(s.exec(select(Item)).all()) == 1


async def test_another_thing_broken_in_the_same_building_is_another_item(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    sent = await harness.say("r-b3", "u-101", "楼道灯好几天不亮了，晚上下楼很危险")
    assert sent[0].text.startswith("已登记 #2（设施维修）")
    sent = await harness.say("r-b3", "u-102", "电梯还是不动，今天又走楼梯")  # the lift again
    assert texts(sent) == ["已有 #1 在处理，已记下您的反映（共 2 人）。"]
    sent = await harness.say("r-b3", "u-107", "3号楼又坏了，什么时候修好")  # names nothing: joins
    assert sent[0].text.startswith("已有 #1")


async def test_me_too_quoting_a_complaint_joins_its_reporters(harness):
    ack = (await harness.say("r-b3", "u-101", ELEVATOR))[0].text
    sent = await harness.say("r-b3", "u-102", "我也是", quoted=ELEVATOR)
    assert texts(sent) == ["已有 #1 在处理，已记下您的反映（共 2 人）。"]
    sent = await harness.say("r-b3", "u-107", "+1", quoted=ack)  # quoting the bot's line
    assert texts(sent) == ["已有 #1 在处理，已记下您的反映（共 3 人）。"]
    assert reporters(harness, 1) == ["u-101", "u-102", "u-107"]
    # a report that @-ed the bot: its words are stored without the mark, and quoting it works
    await harness.say("r-b5", "u-103", "@邻里小助手 5号楼楼道灯坏了", mentions=("linli",))
    assert item(harness, 2).text == "5号楼楼道灯坏了"
    sent = await harness.say("r-b5", "u-104", "同感", quoted="@邻里小助手 5号楼楼道灯坏了")
    assert texts(sent) == ["已有 #2 在处理，已记下您的反映（共 2 人）。"]
    assert await harness.say("r-b3", "u-102", "我也是", quoted="今天天气真好") == []
    # a quote cut short, or with the sender's name in front, still finds the item
    await harness.say("r-b5", "u-103", "5号楼2单元的电梯又坏了😡 早上卡在5楼不动，老人下不了楼")
    sent = await harness.say("r-b5", "u-104", "+1", quoted="张先生：5号楼2单元的电梯又坏了😡 早上卡在5楼不动")
    assert texts(sent) == ["已有 #3 在处理，已记下您的反映（共 2 人）。"]


async def test_different_things_are_not_folded_together_and_a_joined_report_keeps_its_words(harness):
    await harness.say("r-b5", "u-103", "5号楼门禁坏了，刷卡进不去")
    sent = await harness.say("r-b5", "u-104", "5号楼车库门坏了，车开不出去")
    assert sent[0].text.startswith("已登记 #2")
    # an urgent lift item, then a plain follow-up about the lift: it joins, with its words
    await harness.say("r-b3", "u-101", "3号楼电梯里有人被困住了，快来人")
    sent = await harness.say("r-b3", "u-102", "电梯还是不动啊，里面的人在喊")
    assert texts(sent) == ["已有 #3 在处理，已记下您的反映（共 2 人）。"]
    card = (await harness.say("r-b3", "u-mao", "#案件 3"))[0].text
    assert "又有人反映（居民）：电梯还是不动啊" in card


async def test_joining_in_traditional_script_or_with_more_words_and_a_number_run_in(harness):
    await harness.say("r-b5", "u-103", "5号楼电梯坏了")
    assert texts(await harness.say("r-b5", "u-104", "5號樓電梯壞了")) == ["已有 #1 在处理，已记下您的反映（共 2 人）。"]
    sent = await harness.say("r-b5", "u-107", "我也是，电梯等了十分钟", quoted="5号楼电梯坏了")
    assert texts(sent) == ["已有 #1 在处理，已记下您的反映（共 3 人）。"]
    assert "又有人反映（居民）：我也是，电梯等了十分钟" in (await harness.say("r-b5", "u-mao", "#案件 1"))[0].text
    sent = await harness.say("r-b5", "u-mao", "#办结1已修好")
    assert sent[0].text.startswith("#1 已办结：已修好") and sent[0].mentions == ("u-103", "u-104", "u-107")


async def test_two_problems_in_one_message_get_one_item_and_a_word_about_the_other(harness):
    sent = await harness.say("r-b3", "u-101", "3号楼电梯停了，还有楼道灯也不亮")
    assert texts(sent) == ["已登记 #1（设施维修），由毛宁跟进。您还提到了别的问题，请另发一条，方便分别跟进。"]
    sent = await harness.say("r-b5", "u-103", "5号楼电梯坏了，老人下不了楼")  # one problem: no word
    assert texts(sent) == ["已登记 #2（设施维修），由毛宁跟进。"]


async def test_after_the_duplicate_window_a_new_item_opens(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    await harness.advance(timedelta(hours=73))
    sent = await harness.say("r-b3", "u-102", "3号楼电梯又坏了")
    assert sent[0].text.startswith("已登记 #2")


async def test_same_category_in_another_building_is_another_item(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    sent = await harness.say("r-b5", "u-103", "5号楼电梯坏了")
    assert sent[0].text == "已登记 #2（设施维修），由毛宁跟进。"


async def test_building_from_text_picks_the_grid_worker_else_the_admin(harness):
    sent = await harness.say("r-all", "u-107", "18号楼门口垃圾堆了好几天，臭")
    assert sent[0].mentions == ("u-zhou",) and "周建华" in sent[0].text
    sent = await harness.say("r-all", "u-108", "社区健身器材坏了没人管")
    assert sent[0].mentions == ("u-jiang",) and "蒋玲" in sent[0].text
    assert item(harness, 1).building == "18号楼" and item(harness, 2).building is None


# -- urgent ------------------------------------------------------------------------------

async def test_urgent_alerts_grid_worker_and_admin_in_group_and_privately(harness):
    sent = await harness.say("r-b17", "u-105", "17号楼楼道里着火了，在冒烟！")
    group = [m for m in sent if m.room == "r-b17"]
    assert len(group) == 1 and group[0].mentions == ("u-zhou", "u-jiang")
    assert "紧急" in group[0].text and "#1" in group[0].text
    assert sorted(m.to for m in sent if m.to) == ["u-jiang", "u-zhou"]
    assert item(harness, 1).urgent


# -- privacy -----------------------------------------------------------------------------

async def test_private_complaint_names_no_reporter_and_updates_go_privately(harness):
    sent = await harness.say(None, "u-107", "5号楼楼下的路灯坏了好几天了，我电话13912345678")
    mine = [m for m in sent if m.to == "u-107"]
    group = [m for m in sent if m.room == "r-b5"]
    assert mine and "#1" in mine[0].text
    assert len(group) == 1 and "吴老师" not in group[0].text and "u-107" not in group[0].mentions
    card = (await harness.say("r-b5", "u-mao", "#案件 1"))[0].text
    assert "路灯坏了" not in card and "居民私信反映" in card  # its words could say who wrote
    await harness.say("r-b5", "u-mao", "#受理 1")
    sent = await harness.say("r-b5", "u-mao", "#办结 1 已换灯泡，联系13812345678")
    group = [m for m in sent if m.room == "r-b5"]
    assert "138****5678" in group[0].text and "13812345678" not in group[0].text
    assert "u-107" not in group[0].mentions
    assert "请回复" not in group[0].text  # nobody in the group can rate it
    assert any(m.to == "u-107" and "已办结" in m.text and "请回复" in m.text for m in sent)
    sent = await harness.say(None, "u-107", "满意")
    assert sent[0].to == "u-107" and "已结案" in sent[0].text
    assert item(harness, 1).status == "closed"
    # an item with no group at all: progress goes privately, and the staff are told so
    await harness.say(None, "u-107", "小区南门的路灯坏了一个星期了，晚上黑乎乎的")
    sent = await harness.say(None, "u-jiang", "#进展 2 已报修")
    assert [(m.to, m.text) for m in sent] == [("u-107", "您反映的 #2 有进展：已报修"),
                                              ("u-jiang", "#2 的进展已私信告知反映人。")]


async def test_a_building_written_another_way_still_finds_its_group_and_grid_worker(harness):
    """3号楼2单元 is 3号楼: the private report's group hears of it, and so does its progress;
    a proposal about 17栋 goes to 17号楼's grid worker."""
    sent = await harness.say(None, "u-107", "3号楼2单元楼道的窗户玻璃碎了，风很大")
    assert [m.room for m in sent if m.room] == ["r-b3"] and "居民私信反映" in sent[-1].text
    sent = await harness.say("r-b3", "u-mao", "#进展 1 玻璃已订，明天装")
    assert [(m.room, m.to) for m in sent] == [("r-b3", None), (None, "u-107")]
    await harness.say("r-b17", "u-105", "建议在17栋门口装个遮雨棚，下雨天进出方便")
    assert item(harness, 2).assignee_id == "u-zhou"


async def test_a_private_reporter_hears_of_a_rejection_and_a_merge(harness):
    await harness.say(None, "u-107", "5号楼楼下的狗天天叫，吵得睡不着")
    await harness.say(None, "u-108", "17号楼门口的狗晚上一直叫")  # another building: another item
    await harness.say("r-b5", "u-103", "5号楼楼道灯坏了")
    assert [(i.id, i.building) for i in all_items(harness)] == [(1, "5号楼"), (2, "17号楼"), (3, "5号楼")]
    sent = await harness.say("r-b5", "u-mao", "#驳回 3 已修好，误报")
    assert [(m.room, m.to) for m in sent] == [("r-b5", None)]  # raised in the group: answered there
    sent = await harness.say(None, "u-jiang", "#合并 1 2")
    assert any(m.to == "u-108" and "已并入 #1" in m.text for m in sent)
    sent = await harness.say("r-b5", "u-mao", "#驳回 1 请与邻居协商")
    assert {m.to for m in sent if m.to} == {"u-107", "u-108"}
    assert all(m.text.startswith("您反映的 #1 已驳回：请与邻居协商") for m in sent if m.to)


async def test_report_command_opens_a_complaint_whatever_it_is_called(harness):
    sent = await harness.say("r-b3", "u-102", "#报修 3号楼水管漏水了")
    assert sent[0].text == "已登记 #1（设施维修），由毛宁跟进。" and sent[0].mentions == ("u-mao",)
    assert item(harness, 1).text == "3号楼水管漏水了"
    sent = await harness.say("r-b3", "u-101", "#投诉 3号楼水管漏水")
    assert texts(sent) == ["已有 #1 在处理，已记下您的反映（共 2 人）。"]
    assert texts(await harness.say("r-b3", "u-101", "#反映")) == [
        "请写上问题和地点，如：#报修 3号楼电梯坏了（也可以直接在群里说）。"]


async def test_a_reporter_withdraws_their_own_report(harness):
    await harness.say("r-b3", "u-101", "3号楼电梯按钮坏了")
    assert texts(await harness.say("r-b3", "u-102", "#撤回 1")) == ["#1 不是您反映的，只有反映人可以撤回。"]
    sent = await harness.say("r-b3", "u-101", "#撤回 1 说错了，是5号楼")
    assert [(m.room, m.to, m.text) for m in sent] == [
        ("r-b3", None, "已撤回 #1。如有新的问题，直接说就行。"),
        (None, "u-mao", "#1 已由反映人撤回：说错了，是5号楼，不用再跟进。")]
    assert item(harness, 1).status == "rejected"
    assert texts(await harness.say("r-b3", "u-101", "#撤回 1")) == ["#1 现在是「已驳回」，不能撤回。"]


async def test_misfires_found_in_review_stay_fixed(harness):
    # an alarm is an alarm, whatever else the message says
    sent = await harness.say("r-b5", "u-103", "我说的煤气味的事有人管吗，现在味道更大了")
    assert sent[0].text.startswith("⚠️紧急 已登记 #1")
    # a different hazard in the same stairwell does not vanish into the gas item
    assert texts(await harness.say("r-b5", "u-104", "5号楼有人在楼道里抽烟，烟头乱扔"))[0].startswith("已登记 #2")
    # problems said with verbs are told apart
    await harness.say("r-b3", "u-101", "3号楼停电了")
    assert texts(await harness.say("r-b3", "u-102", "3号楼停水了"))[0].startswith("已登记 #4")
    # "是的" from staff quoting a report is an answer, not another report
    assert await harness.say("r-b3", "u-mao", "是的，已经通知物业了", quoted="3号楼停电了") == []
    assert reporters(harness, 3) == ["u-101"]
    # 还有没有人管 is not a second problem
    assert texts(await harness.say("r-b17", "u-105", "17号楼电梯坏了三天了，还有没有人管")) == [
        "已登记 #5（设施维修），由周建华跟进。"]


async def test_a_rating_word_in_a_question_is_not_a_rating(harness):
    await resolved_elevator(harness)
    assert await harness.say("r-b3", "u-101", "满意？修成这样还让我满意？") == []
    assert item(harness, 1).status == "resolved"


async def test_late_ratings_elsewhere_are_kept_not_acted_on_unless_named(harness):
    await resolved_elevator(harness)  # reporters u-101 and u-102 in r-b3
    await harness.say("r-b3", "u-101", "满意")
    sent = await harness.say(None, "u-102", "不满意，物业费太贵了，一年涨两次")  # privately, about fees
    assert item(harness, 1).status == "closed" and any(m.to == "u-mao" for m in sent)
    sent = await harness.say("r-b3", "u-102", "#评价 1 不满意 还是时好时坏")  # too late: rated already
    assert "不能再评价" in sent[0].text


async def test_a_named_late_unsatisfied_reopens(harness):
    await resolved_elevator(harness)
    await harness.say("r-b3", "u-101", "满意")
    await harness.advance(timedelta(minutes=1))
    await harness.say("r-b3", "u-102", "#评价 1 不满意 还是时好时坏")
    assert (item(harness, 1).status, item(harness, 1).level) == ("accepted", "职能部门")


def test_mask_phones():
    assert mask_phones("电话13812345678") == "电话138****5678"
    assert mask_phones("+86 138-1234-5678") == "+86 138****5678"
    assert mask_phones("座机0571-88886666") == "座机0571-****6666"
    assert mask_phones("3号楼1单元502") == "3号楼1单元502"


# -- staff commands ----------------------------------------------------------------------

async def test_accept_records_who_when_and_which_message(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    sent = await harness.say("r-b3", "u-mao", "#受理 1", msg_id="cmd-1")
    assert texts(sent) == ["#1 已由毛宁受理，正在处理。"]
    it = item(harness, 1)
    assert (it.status, it.assignee_id, it.accepted_at is not None) == ("accepted", "u-mao", True)
    last = events(harness, 1)[-1]
    assert (last.action, last.actor_id, last.msg_id) == ("accepted", "u-mao", "cmd-1")


@pytest.mark.parametrize("who, text, expect", [
    ("u-101", "#受理 1", "只有工作人员"),
    ("u-zhou", "#受理 1", "不归您"),
    ("u-mao", "#受理", "请写上编号"),
    ("u-mao", "#受理 9", "没有找到 #9"),
    ("u-mao", "#办结 1", "请写上处理结果"),
    ("u-mao", "#转办 1", "请写上部门"),
    ("u-mao", "#指派 1", "请 @ 一位工作人员"),
    ("u-mao", "#合并 1", "请写上两个编号"),
    ("u-mao", "#进展 1", "请写上进展内容"),
    ("u-mao", "#评价 1 满意", "由反映问题的居民评价"),
    ("u-101", "#评价 1 很好", "满意"),
    ("u-101", "#评价 1 满意", "办结后才能评价"),
    ("u-101", "#统计", "只有工作人员"),
])
async def test_misuse_gets_one_short_reply_and_changes_nothing(harness, who, text, expect):
    await harness.say("r-b3", "u-101", ELEVATOR)
    before = (item(harness, 1).model_dump(), len(events(harness, 1)))
    sent = await harness.say("r-b3", who, text)
    assert len(sent) == 1 and expect in sent[0].text, texts(sent)
    assert (item(harness, 1).model_dump(), len(events(harness, 1))) == before


async def test_wrong_status_is_refused_with_the_present_state(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    await harness.say("r-b3", "u-mao", "#驳回 1 重复发送")
    sent = await harness.say("r-b3", "u-mao", "#受理 1")
    assert texts(sent) == ["#1 现在是「已驳回」，不能受理。"]


async def test_assign_by_mention_tells_the_new_owner(harness):
    await harness.say("r-all", "u-107", "社区健身器材坏了没人管")
    sent = await harness.say("r-all", "u-jiang", "#指派 1 @周建华", mentions=("u-zhou",))
    assert sent[0].room == "r-all" and "周建华" in sent[0].text
    assert any(m.to == "u-zhou" and "#受理 1" in m.text for m in sent)
    assert item(harness, 1).assignee_id == "u-zhou"


async def test_transfer_to_property_climbs_and_hands_over(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    sent = await harness.say("r-b3", "u-mao", "#转办 1 物业")
    it = item(harness, 1)
    assert (it.level, it.department, it.assignee_id, it.status) == ("职能部门", "物业", "u-wy", "accepted")
    assert any(m.to == "u-wy" for m in sent)
    # property may note and resolve what was transferred to them
    sent = await harness.say("r-b3", "u-wy", "#办结 1 已更换控制板")
    assert item(harness, 1).solved_level == "职能部门"


async def test_building_lead_may_note_items_of_their_building(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    sent = await harness.say("r-b3", "u-lead3", "#进展 1 维保师傅已经到了")
    assert texts(sent) == ["#1 进展（孙阿姨）：维保师傅已经到了"]
    assert events(harness, 1)[-1].action == "noted"


async def test_escalate_climbs_to_the_top_then_refuses(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    await harness.say("r-b3", "u-mao", "#升级 1 维保单位联系不上")
    assert item(harness, 1).level == "职能部门"
    sent = await harness.say("r-b3", "u-jiang", "#升级 1")
    assert item(harness, 1).level == "街道" and "街道" in sent[0].text
    sent = await harness.say("r-b3", "u-jiang", "#升级 1")
    assert texts(sent) == ["#1 已在最高一级（街道），无法再升级。"]


async def test_merge_moves_reporters_and_marks_the_duplicate(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    await harness.say("r-b3", "u-102", "hi")  # 李师傅 joins the group
    await harness.say("r-b3", "u-mao", "#立案 @李师傅 3号楼电梯不动了", mentions=("u-102",))
    sent = await harness.say("r-b3", "u-mao", "#合并 1 2")
    assert texts(sent) == ["已把 #2 并入 #1（共 2 人反映），请在 #1 跟进。"]
    dup = item(harness, 2)
    assert (dup.status, dup.merged_into) == ("merged", 1)
    assert reporters(harness, 1) == ["u-101", "u-102"]
    sent = await harness.say("r-b3", "u-mao", "#合并 1 2")
    assert texts(sent) == ["#2 现在是「已合并」，不能合并。"]
    sent = await harness.say("r-b3", "u-mao", "#合并 1 1")
    assert "两个编号相同" in sent[0].text


async def test_reject_keeps_a_correction_for_training(harness):
    await harness.say("r-b3", "u-101", "3号楼电梯坏了吗？")
    await harness.say("r-b3", "u-mao", "#驳回 1 只是询问，电梯正常")
    assert item(harness, 1).status == "rejected"
    with harness.session() as s:
        row = s.exec(select(Correction)).one()
        assert (row.kind, row.source, row.item_id) == ("chat", "rejected", 1)


async def test_open_by_hand_quoting_a_message_with_the_resident_as_reporter(harness):
    sent = await harness.say("r-b17", "u-zhou", "#立案 环境卫生 @赵大爷", mentions=("u-105",),
                             quoted="17到19号楼前面大件家具扔了一个礼拜了")
    assert sent[0].text.startswith("已登记 #1（环境卫生）")
    it = item(harness, 1)
    assert (it.text, it.category, it.assignee_id) == ("17到19号楼前面大件家具扔了一个礼拜了", "环境卫生", "u-zhou")
    assert reporters(harness, 1) == ["u-105"]
    with harness.session() as s:
        assert s.exec(select(Correction)).one().source == "opened_by_hand"


# -- resolution and rating ---------------------------------------------------------------

async def resolved_elevator(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    await harness.say("r-b3", "u-102", "3号楼电梯坏了，爬楼太累")
    await harness.say("r-b3", "u-mao", "#受理 1")
    return await harness.say("r-b3", "u-mao", "#办结 1 已更换曳引机，电梯恢复运行")


async def test_resolve_posts_result_mentions_reporters_and_asks_for_a_rating(harness):
    sent = await resolved_elevator(harness)
    assert len(sent) == 1 and sent[0].room == "r-b3"
    assert sent[0].mentions == ("u-101", "u-102")
    assert "已更换曳引机，电梯恢复运行" in sent[0].text and "满意" in sent[0].text
    assert item(harness, 1).status == "resolved"


async def test_plain_satisfied_closes(harness):
    await resolved_elevator(harness)
    sent = await harness.say("r-b3", "u-102", "基本满意")
    assert "已结案" in sent[0].text
    it = item(harness, 1)
    assert (it.status, it.rating, it.solved_level) == ("closed", "基本满意", "社区")
    # the rating window job was cancelled; a later 满意 is ordinary chat
    assert await harness.advance(timedelta(days=4)) == []
    assert await harness.say("r-b3", "u-101", "满意") == []


async def test_a_second_reporters_rating_is_kept_and_a_later_unsatisfied_reopens(harness):
    """满意 from one reporter closes the item; the other reporter's 满意 is kept and thanked,
    but a 不满意 within the rating window reopens it one level up: not solved for everyone."""
    await resolved_elevator(harness)
    await harness.say("r-b3", "u-102", "满意")
    assert item(harness, 1).status == "closed"
    sent = await harness.say("r-b3", "u-101", "不满意，二楼三楼还是黑的")
    it = item(harness, 1)
    assert (it.status, it.level, it.assignee_id, it.rating) == ("accepted", "职能部门", "u-jiang", "不满意")
    assert any(m.to == "u-jiang" and "二楼三楼还是黑的" in m.text for m in sent)
    assert [e.detail for e in events(harness, 1) if e.action == "rated"] == ["满意", "不满意：二楼三楼还是黑的"]


async def test_a_later_satisfied_rating_is_kept_and_thanked(harness):
    await resolved_elevator(harness)
    await harness.say("r-b3", "u-102", "基本满意")
    sent = await harness.say("r-b3", "u-101", "满意")
    assert texts(sent) == ["谢谢您的评价（满意），已记下。"]
    assert (item(harness, 1).status, item(harness, 1).rating) == ("closed", "基本满意")  # the first decided
    assert await harness.say("r-b3", "u-101", "满意") == []  # once each


async def test_a_plain_rating_with_two_items_waiting_asks_which(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    await harness.say("r-b3", "u-101", "3号楼楼道灯好几天不亮了")
    await harness.say("r-b3", "u-mao", "#办结 1 已修好")
    await harness.say("r-b3", "u-mao", "#办结 2 已换灯")
    await harness.advance(timedelta(minutes=1))
    sent = await harness.say("r-b3", "u-101", "满意")
    assert [(m.to, m.text) for m in sent] == [
        ("u-101", "您有2件事项待评价：#2（设施维修）、#1（设施维修）。请发 #评价 编号 满意（如 #评价 2 满意）。")]
    assert {item(harness, n).status for n in (1, 2)} == {"resolved"}


async def test_unsatisfied_reopens_one_level_up_and_tells_the_new_owner(harness):
    await resolved_elevator(harness)
    sent = await harness.say("r-b3", "u-101", "#评价 1 不满意")
    it = item(harness, 1)
    assert (it.status, it.level, it.assignee_id, it.rating) == ("accepted", "职能部门", "u-jiang", "不满意")
    assert any(m.to == "u-jiang" and "#1" in m.text for m in sent)
    assert any(m.room == "r-b3" and "职能部门" in m.text for m in sent)


async def test_a_rating_said_with_a_reason_counts_and_the_reason_goes_with_it(harness):
    await resolved_elevator(harness)
    assert await harness.say("r-b3", "u-101", "满意度调查什么时候发") == []  # not a rating
    sent = await harness.say("r-b3", "u-101", "不满意，只修好了一半，晚上又停了")
    it = item(harness, 1)
    assert (it.status, it.level, it.rating) == ("accepted", "职能部门", "不满意")
    assert any(m.to == "u-jiang" and "只修好了一半" in m.text for m in sent)
    assert [e.detail for e in events(harness, 1) if e.action == "rated"] == ["不满意：只修好了一半，晚上又停了"]
    await harness.say("r-b3", "u-jiang", "#办结 1 电梯公司换了主板")
    await harness.advance(timedelta(minutes=1))  # past the group's messages-a-minute limit
    sent = await harness.say("r-b3", "u-102", "#评价 1 很满意 师傅辛苦了")
    assert sent[0].text == "谢谢您的评价（满意），#1 已结案。"
    assert events(harness, 1)[-2].detail == "满意：师傅辛苦了"


async def test_staff_do_not_rate_and_resolving_without_accepting_counts_as_a_response(harness):
    await harness.say("r-b3", "u-mao", "#立案 3号楼楼道堆满杂物")
    sent = await harness.say("r-b3", "u-mao", "#办结 1 已清理")
    assert "请回复" not in sent[0].text  # nobody who may rate it
    sent = await harness.say("r-b3", "u-mao", "#评价 1 满意")
    assert texts(sent) == ["#1 由反映问题的居民评价。"]
    assert await harness.say("r-b3", "u-mao", "满意") == []
    assert item(harness, 1).rating is None and item(harness, 1).accepted_at is not None
    stats = (await harness.say("r-b3", "u-mao", "#统计"))[0].text
    assert "响应率 100%" in stats and "评价 0 件" in stats


async def test_ratings_in_traditional_script_and_plain_words_and_where_they_cannot_go(harness):
    await resolved_elevator(harness)
    sent = await harness.say("r-b3", "u-101", "不滿意，還是壞的")  # traditional script
    assert item(harness, 1).rating == "不满意" and item(harness, 1).status == "accepted"
    assert len([i for i in all_items(harness)]) == 1  # no new complaint opened from it
    await harness.say("r-b3", "u-jiang", "#办结 1 换了主板")
    await harness.advance(timedelta(minutes=1))
    sent = await harness.say("r-b3", "u-102", "還行吧")
    assert texts(sent) == ["谢谢您的评价（基本满意），#1 已结案。"]
    sent = await harness.say("r-b3", "u-101", "#評價 1 滿意")
    assert texts(sent) == ["#1 已结案（评价：基本满意），不能再评价；如问题仍在，请在群里再说一次。"]
    await harness.say("r-b3", "u-102", "一般来说物业都很慢")  # not a rating (the classifier's to read)
    assert [e.detail for e in events(harness, 1) if e.action == "rated"] == ["不满意：还是坏的", "基本满意"]


async def test_no_rating_within_the_window_closes_unrated(harness):
    await resolved_elevator(harness)
    await harness.advance(timedelta(hours=71))
    assert item(harness, 1).status == "resolved"
    await harness.advance(timedelta(hours=2))
    it = item(harness, 1)
    assert (it.status, it.rating) == ("closed", None)
    assert events(harness, 1)[-1].detail == "评价期满未评价"


async def test_plain_rating_from_someone_else_is_not_taken(harness):
    await resolved_elevator(harness)
    assert await harness.say("r-b3", "u-103", "满意") == []
    assert item(harness, 1).status == "resolved"


# -- #案件 -------------------------------------------------------------------------------

async def test_residents_see_their_own_items_only(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    await harness.say("r-b5", "u-103", "5号楼门口乱停车，堵了消防通道")
    sent = await harness.say("r-b3", "u-101", "#案件")
    assert "#1" in sent[0].text and "#2" not in sent[0].text
    sent = await harness.say("r-b3", "u-101", "#案件 2")
    assert "只能查看自己反映的" in sent[0].text
    sent = await harness.say("r-b3", "u-101", "#案件 1")
    assert sent[0].text.startswith("#1｜设施维修｜3号楼｜待受理｜社区")
    assert "登记（您）" in sent[0].text


async def test_staff_lists_their_rooms_and_overdue(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    await harness.say("r-b17", "u-105", "17号楼楼下垃圾堆了好几天了，很臭")
    sent = await harness.say("r-b3", "u-mao", "#案件")
    assert "#1" in sent[0].text and "#2" not in sent[0].text
    sent = await harness.say("r-all", "u-jiang", "#案件")
    assert "#1" in sent[0].text and "#2" in sent[0].text
    assert "暂无" in (await harness.say("r-all", "u-jiang", "#案件 超期"))[0].text
    await harness.advance(timedelta(hours=3))
    sent = await harness.say("r-all", "u-jiang", "#案件 超期")
    assert "超期的事项（2 件）" in sent[0].text
    await harness.say("r-b3", "u-mao", "#受理 1")
    sent = await harness.say("r-b3", "u-mao", "#案件 我的")
    assert sent[0].text.splitlines()[1].startswith("#1")


async def test_card_shows_timeline_and_masks_phones_in_groups(harness):
    await harness.say("r-b3", "u-101", "3号楼电梯坏了，有事打我13812345678")
    await harness.say("r-b3", "u-mao", "#受理 1")
    sent = await harness.say("r-b3", "u-mao", "#案件 1")
    text = sent[0].text
    assert "138****5678" in text and "13812345678" not in text
    assert "受理（毛宁）" in text and "登记（居民）" in text
    sent = await harness.say(None, "u-mao", "#案件 1")
    assert "13812345678" in sent[0].text  # privately, staff see the number to call back


# -- #统计 -------------------------------------------------------------------------------

async def test_stats_figures_over_this_month(harness):
    await resolved_elevator(harness)
    await harness.say("r-b3", "u-101", "满意")
    await harness.say("r-b17", "u-105", "17号楼楼下垃圾堆了好几天了，很臭")  # never accepted
    sent = await harness.say("r-all", "u-jiang", "#统计")  # just raised: not yet a miss
    assert "登记 2 件｜响应率 100%｜解决率 50%" in sent[0].text
    await harness.advance(timedelta(hours=3))  # past its two working hours
    sent = await harness.say("r-all", "u-jiang", "#统计")
    text = sent[0].text
    assert "11月统计" in text
    assert "登记 2 件｜响应率 50%｜解决率 50%" in text
    assert "满意率 100%（评价 1 件）" in text
    assert "社区 100%" in text
    assert "没有登记" in (await harness.say("r-all", "u-jiang", "#统计 上月"))[0].text
    assert "登记 2 件" in (await harness.say("r-all", "u-jiang", "#统计 本周"))[0].text
    assert "看不懂" in (await harness.say("r-all", "u-jiang", "#统计 去年夏天"))[0].text


# -- the ladder --------------------------------------------------------------------------

async def test_ladder_escalate_returns_the_new_level_and_none_at_the_top(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    now = harness.clock.now()
    with harness.session() as s:
        it = s.get(Item, 1)
        assert escalate(s, it, actor_id=None, reason="超时", now=now) == "职能部门"
        assert escalate(s, it, actor_id=None, reason="超时", now=now) == "街道"
        assert escalate(s, it, actor_id=None, reason="超时", now=now) is None
    assert [e.action for e in events(harness, 1)] == ["opened", "escalated", "escalated"]
    assert events(harness, 1)[1].detail == "社区→职能部门：超时"


async def test_climb_works_from_a_scheduled_job_without_a_sender(harness):
    from handlers.cases import climb
    from handlers.context import Context
    await harness.say("r-b3", "u-101", ELEVATOR)
    with harness.session() as s:
        ctx = Context(settings=harness.bot.settings, session=s, now=harness.clock.now(), bot_id="linli")
        it = s.get(Item, 1)
        climb(ctx, it, "受理超时")
        # an item nobody accepted stays open: the new owner accepts it
        assert (it.level, it.assignee_id, it.status) == ("职能部门", "u-jiang", "open")
        assert [m.to or m.room for m in ctx.outgoing] == ["r-b3", "u-jiang"]
    assert events(harness, 1)[-1].actor_id is None


async def test_private_urgent_report_alarms_the_building_group_without_a_name(harness):
    sent = await harness.say(None, "u-108", "3号楼地下车库进水了，水淹到车轮了")
    group = [m for m in sent if m.room == "r-b3"]
    assert len(group) == 1 and group[0].mentions == ("u-mao", "u-jiang")
    assert "黄小妹" not in group[0].text
    assert any(m.to == "u-108" and "紧急" in m.text for m in sent)
    assert {m.to for m in sent if m.to} == {"u-108", "u-mao", "u-jiang"}


async def test_assign_by_name_and_rate_without_a_number(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    sent = await harness.say("r-b3", "u-jiang", "#指派 1 周建华")
    assert item(harness, 1).assignee_id == "u-zhou" and sent[0].mentions == ("u-zhou",)
    await harness.say("r-b3", "u-zhou", "#办结 1 已修好")
    sent = await harness.say("r-b3", "u-101", "#评价 满意")
    assert "已结案" in sent[0].text and item(harness, 1).rating == "满意"


async def test_full_width_command_forms(harness):
    await harness.say("r-b3", "u-101", ELEVATOR)
    sent = await harness.say("r-b3", "u-mao", "＃受理　＃１")
    assert texts(sent) == ["#1 已由毛宁受理，正在处理。"]
    sent = await harness.say("r-b3", "u-mao", "/note 1 维保下午到")
    assert texts(sent) == ["#1 进展（毛宁）：维保下午到"]
