"""/status and /api/status: is the bot logged in to WeChat, and the QR code to scan when not.

The local transport has no login: it is always "ready".
"""
from __future__ import annotations

import html
import io

from aiohttp import web

from bot.app import Linli

STATES = {  # what a community worker reads on the page
    "starting": "正在启动", "connecting": "正在连接微信网关", "waiting_scan": "请用机器人微信扫码登录",
    "logged_in": "已登录", "logged_out": "微信已退出登录，请重新扫码", "reconnecting": "与网关断开，正在重连",
    "ready": "本地演示模式（无需登录）",
}


def status_of(bot: Linli) -> dict:
    status = getattr(bot.transport, "status", None)
    if status is None:
        return {"transport": "local", "state": "ready"}
    return status.as_json()


def qr_svg(text: str) -> str | None:
    """The QR code as inline SVG (no image library needed); None if qrcode is missing."""
    try:
        import qrcode
        import qrcode.image.svg
    except ImportError:
        return None
    out = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg"):]  # drop the XML declaration for inline use


async def api_status(request: web.Request) -> web.Response:
    return web.json_response(status_of(_bot(request)))


async def status_page(request: web.Request) -> web.Response:
    status = status_of(_bot(request))
    state = status["state"]
    parts = [f"<h1>邻里 Linli · {html.escape(STATES.get(state, state))}</h1>"]
    if status.get("user"):
        parts.append(f"<p>账号：{html.escape(status['user'])}</p>")
    if status.get("qr") and state == "waiting_scan":
        svg = qr_svg(status["qr"])
        parts.append(svg or f"<p>扫码地址：<code>{html.escape(status['qr'])}</code></p>")
    if status.get("error"):
        parts.append(f"<p>最近的问题：<code>{html.escape(status['error'])}</code></p>")
    if status.get("reconnects"):
        parts.append(f"<p>重连次数：{status['reconnects']}</p>")
    body = "\n".join(parts)
    page = (f'<!doctype html><html lang="zh"><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="5"><title>邻里 Linli 登录状态</title></head>'
            f'<body style="font-family:sans-serif;max-width:40em;margin:2em auto">{body}</body></html>')
    return web.Response(text=page, content_type="text/html")


def _bot(request: web.Request) -> Linli:
    from bot.web.server import BOT
    return request.app[BOT]


def add_status_routes(app: web.Application) -> None:
    app.add_routes([web.get("/status", status_page), web.get("/api/status", api_status)])
