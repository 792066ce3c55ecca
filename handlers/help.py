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
