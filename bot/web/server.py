"""aiohttp app: the chat page, a small JSON API and a WebSocket for live lines."""
from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

from aiohttp import WSMsgType, web

from bot.app import Linli
from bot.transport.local import Line, LocalTransport
from bot.web.status import add_status_routes
from storage.db import session_scope
from storage.items import all_items
from storage.public import item_public, vote_public
from storage.votes import vote_of_item

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
BOT = web.AppKey("bot", Linli)
SOCKETS = web.AppKey("sockets", set)
MAX_TEXT = 2000


def make_app(bot: Linli) -> web.Application:
    app = web.Application()
    app[BOT] = bot
    app[SOCKETS] = set()
    app.add_routes([
        web.get("/", index),
        web.get("/api/chats", chats),
        web.get("/api/history", history),
        web.get("/api/items", items),
        web.get("/ws", socket),
    ])
    add_status_routes(app)  # WeChat login state and QR code (any transport)
    app.on_shutdown.append(_close_sockets)
    return app


def _local(request: web.Request) -> LocalTransport:
    transport = request.app[BOT].transport
    if not isinstance(transport, LocalTransport):
        raise web.HTTPNotFound(text="the chat page needs transport: local")
    return transport


async def index(request: web.Request) -> web.FileResponse:
    if not isinstance(request.app[BOT].transport, LocalTransport):
        raise web.HTTPFound("/status")  # real WeChat: the page shows the login, not a demo chat
    return web.FileResponse(STATIC / "index.html")


async def chats(request: web.Request) -> web.Response:
    bot, transport = request.app[BOT], _local(request)
    rooms = [{"id": r.id, "name": r.name, "scope": r.scope, "building": r.building,
              "members": [asdict(m) for m in transport.members[r.id]]} for r in bot.settings.rooms]
    return web.json_response({"community": bot.settings.community.name,
                              "bot": {"id": transport.self_id, "name": transport.self_name},
                              "rooms": rooms})


async def history(request: web.Request) -> web.Response:
    transport = _local(request)
    chat = request.query.get("chat", "")
    return web.json_response([asdict(line) for line in transport.history.get(chat, ())])


async def items(request: web.Request) -> web.Response:
    bot = request.app[BOT]
    with session_scope(bot.engine) as session:
        rows = [{**item_public(session, i), "text": i.text, "vote": _vote(session, i.id)}
                for i in all_items(session)]
    return web.json_response(rows)


def _vote(session, item_id: int) -> dict | None:
    vote = vote_of_item(session, item_id)
    return vote_public(session, vote) if vote else None


async def socket(request: web.Request) -> web.WebSocketResponse:
    transport = _local(request)
    ws = web.WebSocketResponse(heartbeat=30)
    await ws.prepare(request)
    request.app[SOCKETS].add(ws)

    async def push(line: Line) -> None:
        await ws.send_json({"type": "line", "line": asdict(line)})

    transport.listeners.add(push)
    try:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            error = await _say(transport, msg.data)
            if error:
                await ws.send_json({"type": "error", "error": error})
    finally:
        transport.listeners.discard(push)
        request.app[SOCKETS].discard(ws)
    return ws


async def _say(transport: LocalTransport, raw: str) -> str | None:
    """A member types in the page. Returns an error text for the page, or None."""
    try:
        data = json.loads(raw)
        room, sender, text = data.get("room"), str(data["from"]), str(data["text"]).strip()
    except (ValueError, KeyError, TypeError, AttributeError):
        return "bad message"
    if not text:
        return None
    if room is not None and room not in transport.members:
        return "unknown room"
    members = {m.id: m for ms in transport.members.values() for m in ms}
    if sender not in members:
        return "unknown member"
    mentions = tuple(m for m in data.get("mentions") or [] if isinstance(m, str))
    quoted = data.get("quoted") if isinstance(data.get("quoted"), str) else None
    await transport.post(room=room, sender=sender, name=members[sender].name,
                         text=text[:MAX_TEXT], mentions=mentions, quoted=quoted)
    return None


async def _close_sockets(app: web.Application) -> None:
    for ws in list(app[SOCKETS]):
        await ws.close()
