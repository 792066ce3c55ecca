"""#帮助: generated from the registered commands, so it never drifts from what the bot does."""
from __future__ import annotations

from handlers.context import Context
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


# A private "你好" deserves an answer (in a group, chat is left alone: never flood a group);
# a private "谢谢" or "收到" closes a conversation and is not answered.
_ACKS = {"收到", "谢谢", "谢谢你", "多谢", "好的", "好", "嗯", "嗯嗯", "ok", "okay", "👍", "👌", "辛苦了"}


@router.kind("chat")
def private_chat(ctx: Context, found) -> None:
    """Chat written to the bot privately: one line on what it can do."""
    text = ctx.event.text.strip().strip("！!。.~～").lower()
    if ctx.event.room is not None or text in _ACKS:
        return
    ctx.reply("您好，我是邻里小助手。遇到小区里的问题直接告诉我，我会登记并找人跟进；发 #帮助 看看我能做什么。")
