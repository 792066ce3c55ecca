"""The demo page: it answers, and a message typed in it reaches the bot and back live."""
from __future__ import annotations

from bot.web.server import make_app


async def test_page_and_api(harness, aiohttp_client):
    client = await aiohttp_client(make_app(harness.bot))
    page = await client.get("/")
    assert page.status == 200 and "邻里" in await page.text()
    chats = await (await client.get("/api/chats")).json()
    assert chats["community"] == "江畔社区"
    assert [r["id"] for r in chats["rooms"]] == ["r-all", "r-b3", "r-b5", "r-b17"]
    b3 = next(r for r in chats["rooms"] if r["id"] == "r-b3")
    names = {m["name"] for m in b3["members"]}
    assert {"毛宁", "王阿姨"} <= names and "赵大爷" not in names  # 赵大爷 lives in 17号楼


async def test_websocket_round_trip(harness, aiohttp_client):
    client = await aiohttp_client(make_app(harness.bot))
    ws = await client.ws_connect("/ws")
    await ws.send_json({"room": "r-b3", "from": "u-101", "text": "3号楼电梯又坏了，物业什么时候来修"})
    first = await ws.receive_json(timeout=5)
    second = await ws.receive_json(timeout=5)
    assert first["line"]["name"] == "王阿姨" and not first["line"]["from_bot"]
    assert second["line"]["from_bot"] and "#1" in second["line"]["text"]
    assert second["line"]["text"].startswith("@毛宁 ")
    items = await (await client.get("/api/items")).json()
    assert [(i["id"], i["status"]) for i in items] == [(1, "open")]
    history = await (await client.get("/api/history", params={"chat": "r-b3"})).json()
    assert len(history) == 2
    await ws.close()


async def test_websocket_rejects_strangers_without_crashing(harness, aiohttp_client):
    client = await aiohttp_client(make_app(harness.bot))
    ws = await client.ws_connect("/ws")
    await ws.send_str("not json")
    assert (await ws.receive_json(timeout=5))["type"] == "error"
    await ws.send_json({"room": "r-b3", "from": "u-nobody", "text": "hi"})
    assert (await ws.receive_json(timeout=5))["error"] == "unknown member"
    await ws.close()


async def test_items_api_shows_a_proposal_vote(harness, aiohttp_client):
    client = await aiohttp_client(make_app(harness.bot))
    await harness.say("r-b5", "u-mao", "#发起表决 装充电棚 截止:3天后")
    await harness.say("r-b5", "u-103", "同意")
    items = await (await client.get("/api/items")).json()
    assert items[0]["status"] == "voting"
    assert items[0]["vote"] == {"id": 1, "item": 1, "status": "open", "rule": "过半",
                                "tally": {"同意": 1, "反对": 0, "弃权": 0}, "voters": 1,
                                "eligible": 9, "passed": None}
    # the page's "9人" of 姚畔湾5号楼 is the same electorate
    chats = await (await client.get("/api/chats")).json()
    assert len(next(r for r in chats["rooms"] if r["id"] == "r-b5")["members"]) == 9


async def test_digest_chart_reaches_the_page_as_an_image(harness, aiohttp_client):
    import base64
    await harness.say("r-b3", "u-101", "3号楼电梯又坏了，物业什么时候来修")
    client = await aiohttp_client(make_app(harness.bot))
    ws = await client.ws_connect("/ws")
    await ws.send_json({"room": "r-b3", "from": "u-mao", "text": "#周报 2026-W48"})
    await ws.receive_json(timeout=5)  # the command as typed
    line = (await ws.receive_json(timeout=5))["line"]
    assert line["from_bot"] and line["text"].startswith("【3号楼 周报】")
    head, _, data = line["image"].partition(",")
    assert head == "data:image/png;base64" and base64.b64decode(data)[:4] == b"\x89PNG"
    await ws.close()
