"""#帮助: generated from the registered commands, so it never drifts from what the bot does."""
from __future__ import annotations

import re

from handlers.classify.normalize import without_mentions
from handlers.context import Context
from handlers.case_list import show_cases
from handlers.gate import is_preamble, is_status_question
from handlers.router import Router

router = Router("help")


@router.command("帮助", "help", usage="#帮助")
def show_help(ctx: Context, args: str) -> None:
    """看看我能做什么"""
    role = ctx.sender.role if ctx.sender else "resident"
    lines = [f"{cmd.usage}  {cmd.summary}" for cmd in ctx.routes.listed()
             if cmd.allows(role) and cmd.usage != "#帮助"]
    if role == "resident":
        ctx.reply("\n".join(["邻里小助手：直接在群里说问题，我会登记并找人跟进。", *lines]))
        return
    text = "\n".join(["邻里小助手（工作人员）可用命令：", *lines])
    if ctx.event.room is None:
        ctx.reply(text)
    else:  # the staff list is long: never a wall of text in a residents' group
        ctx.tell(ctx.sender.id, text)
        ctx.reply("工作人员命令列表已私信发给您。")


# Chat written to the bot — privately, or @-ing it in a group — deserves an answer; other
# chat in a group is left alone (never flood a group). "谢谢" or "收到" closes a
# conversation and is not answered.
_ACKS = {"收到", "谢谢", "谢谢你", "多谢", "好的", "好", "嗯", "嗯嗯", "ok", "okay", "👍", "👌", "辛苦了"}
HELLO = "您好，我是邻里小助手。遇到小区里的问题直接告诉我，我会登记并找人跟进；发 #帮助 看看我能做什么。"
ASK_PROBLEM = "请直接说是什么问题、在哪里（如：3号楼电梯坏了），我来登记并找人跟进。"
ASK_PROPOSAL = "请直接说您的建议（如：在东门装个快递柜），我来登记，邻居们可以附议。"
UNCLEAR = "抱歉，没太明白。要反映问题，请说清是什么问题、在哪里（如：3号楼电梯坏了）；发 #帮助 看看我能做什么。"


@router.kind("chat")
def answer_chat(ctx: Context, found) -> None:
    """Chat, a message the classifier is unsure of, or "我要投诉" with the problem still to
    come: one line, only to whoever wrote to the bot."""
    event = ctx.event
    if event.room is not None and ctx.bot_id not in event.mentions:
        return
    parts = re.findall(r"\w+|[^\w\s,，。.!！~～、]", without_mentions(event.text).lower())
    if all(p in _ACKS for p in parts):  # nothing, or only thanks ("好的，谢谢！")
        return
    if is_status_question(event.text):
        show_cases(ctx, "我的")
    elif found.kind == "chat":
        ctx.reply(HELLO)
    elif is_preamble(event.text):
        ctx.reply(ASK_PROPOSAL if found.kind == "proposal" else ASK_PROBLEM)
    else:
        ctx.reply(UNCLEAR)
