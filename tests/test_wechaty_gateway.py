"""Loopback: the unmodified wechaty-puppet-service gRPC client against tests/fake_gateway.py
on 127.0.0.1 — log in, receive a room message, answer it; and the ways it can go wrong."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest
import yaml

from bot.app import Linli
from bot.clock import VirtualClock
from bot.cli import main
from bot.transport import StartError
from bot.transport.wechaty import WechatyTransport
from bot.web.server import make_app
from tests.conftest import CONFIG, ROOT, START, database_url
from tests.fake_gateway import QR, FakeGateway, Member

B3 = "20001@chatroom"
TOKEN = "insecure_linli-test-token"
GUARD = 30  # seconds: only a guard against a hang, never a measured time


def gateway(**kw) -> FakeGateway:
    gw = FakeGateway(token=TOKEN, **kw)
    gw.add_room(B3, "姚畔湾3号楼", [Member("u-101", "王阿姨", "3-1201 王阿姨"),
                                   Member("u-mao", "毛宁", "网格员毛宁")])
    return gw


@pytest.fixture
async def gw():
    g = gateway()
    await g.start()
    yield g
    await g.close()


async def start_bot(settings, tmp_path, endpoint: str, token: str | None = TOKEN, sleeps=None) -> Linli:
    async def no_sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)
        await asyncio.sleep(0)

    clock = VirtualClock(START, settings.timezone)
    transport = WechatyTransport(settings, clock, endpoint=endpoint, token=token, sleep=no_sleep)
    bot = Linli(settings, transport, clock, database=database_url(tmp_path / 'linli.db'))
    await bot.start()
    return bot


async def test_logs_in_receives_a_room_message_and_answers(settings, tmp_path, gw):
    bot = await start_bot(settings, tmp_path, f"127.0.0.1:{gw.port}")
    try:
        gw.push_room_message(B3, "u-101", "@邻里小助手\u20053号楼电梯又坏了，物业什么时候来修",
                             mentions=("wxid_linli",))
        [sent] = await asyncio.wait_for(gw.wait_sent(1), GUARD)
        assert bot.transport.status.state == "logged_in" and bot.transport.self_id == "wxid_linli"
        assert sent.conversation == B3 and sent.mentions == ("u-mao",)
        assert sent.text.startswith("@网格员毛宁\u2005") and "#1" in sent.text
        # the room's member list (RoomMemberList over gRPC) became its members when it was bound
        from storage.db import session_scope
        from storage.people import room_members
        with session_scope(bot.engine) as s:
            assert set(room_members(s, "r-b3")) == {"u-101", "u-mao"}
    finally:
        await bot.stop()


async def test_qr_code_on_the_status_page_until_the_scan(settings, tmp_path, aiohttp_client):
    gw = gateway(hold_login=True)
    await gw.start()
    bot = await start_bot(settings, tmp_path, f"127.0.0.1:{gw.port}")
    try:
        client = await aiohttp_client(make_app(bot))
        status = await (await client.get("/api/status")).json()
        assert (status["transport"], status["state"], status["qr"]) == ("wechaty", "waiting_scan", QR)
        page = await (await client.get("/status")).text()
        assert "扫码" in page and "<svg" in page
        gw.confirm_scan()
        gw.push_room_message(B3, "u-101", "#帮助")
        await asyncio.wait_for(gw.wait_sent(1), GUARD)
        status = await (await client.get("/api/status")).json()
        assert (status["state"], status["user"], status["qr"]) == ("logged_in", "邻里小助手", None)
        assert "已登录" in await (await client.get("/status")).text()
    finally:
        await bot.stop()
        await gw.close()


async def test_gateway_restart_is_survived(settings, tmp_path, gw):
    sleeps: list[float] = []
    bot = await start_bot(settings, tmp_path, f"127.0.0.1:{gw.port}", sleeps=sleeps)
    try:
        gw.push_room_message(B3, "u-101", "#帮助")
        await asyncio.wait_for(gw.wait_sent(1), GUARD)
        gw.drop_streams()
        gw.push_room_message(B3, "u-101", "3号楼电梯又坏了，物业什么时候来修")  # arrives meanwhile
        sent = await asyncio.wait_for(gw.wait_sent(2), GUARD)
        assert gw.streams == 2 and sleeps == [1]
        assert "#1" in sent[1].text and bot.transport.status.reconnects == 1
    finally:
        await bot.stop()


async def test_token_expiring_while_running_is_named_and_retried(settings, tmp_path, gw, caplog):
    retried = asyncio.get_running_loop().create_future()
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:  # after the stream ended, and after the token was refused
            retried.set_result(None)
            await gw_fixed.wait()
        await asyncio.sleep(0)

    gw_fixed = asyncio.Event()
    clock = VirtualClock(START, settings.timezone)
    transport = WechatyTransport(settings, clock, endpoint=f"127.0.0.1:{gw.port}", token=TOKEN, sleep=sleep)
    bot = Linli(settings, transport, clock, database=database_url(tmp_path / 'linli.db'))
    await bot.start()
    try:
        gw.reject_all = True  # the token expired at the gateway
        gw.drop_streams()
        await asyncio.wait_for(retried, GUARD)
        assert transport.status.state == "reconnecting"
        assert "rejected the token" in transport.status.error
        assert any(r.levelname == "ERROR" and "WECHATY_PUPPET_SERVICE_TOKEN" in r.getMessage()
                   for r in caplog.records)
        gw.reject_all = False  # a new token was issued on the gateway's side
        gw_fixed.set()
        gw.push_room_message(B3, "u-101", "#帮助")
        await asyncio.wait_for(gw.wait_sent(1), GUARD)
        assert transport.status.state == "logged_in"
    finally:
        await bot.stop()


@pytest.mark.parametrize("token,reject_all", [("insecure_wrong", False), (TOKEN, True)],
                         ids=["wrong-token", "expired-token"])
async def test_rejected_token_is_named_in_the_error(settings, tmp_path, token, reject_all):
    gw = gateway(reject_all=reject_all)
    await gw.start()
    try:
        with pytest.raises(StartError) as err:
            await start_bot(settings, tmp_path, f"127.0.0.1:{gw.port}", token=token)
        assert "rejected the token" in str(err.value) and "WECHATY_PUPPET_SERVICE_TOKEN" in str(err.value)
    finally:
        await gw.close()


async def test_an_endpoint_without_a_token_is_told_so(settings, tmp_path):
    """The client would fail inside (None.encode) and look like a rejected token."""
    with pytest.raises(StartError) as err:
        await start_bot(settings, tmp_path, "127.0.0.1:1", token=None)
    assert "WECHATY_PUPPET_SERVICE_TOKEN is not set" in str(err.value)


async def test_gateway_that_hangs_up_is_told_apart_from_nobody_listening(settings, tmp_path):
    """TCP accepted, then closed: an expired token and a broken gateway look like this."""
    async def hang_up(reader, writer) -> None:
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(StartError) as err:
            await start_bot(settings, tmp_path, f"127.0.0.1:{port}")
        message = str(err.value)
        assert "accepted the connection but ended it" in message
        assert "token" in message and "TLS" in message and "gateway's logs" in message
    finally:
        server.close()
        await server.wait_closed()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wechaty_config(tmp_path: Path) -> Path:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data.update(transport="wechaty", database=database_url(tmp_path / 'linli.db'),
                web={"host": "127.0.0.1", "port": free_port()})
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_linli_run_exits_clearly_when_the_gateway_is_unreachable(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WECHATY_PUPPET_SERVICE_ENDPOINT", f"127.0.0.1:{free_port()}")  # nobody listens
    monkeypatch.setenv("WECHATY_PUPPET_SERVICE_TOKEN", TOKEN)
    assert main(["run", "--config", str(wechaty_config(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert "cannot reach the puppet service" in err and "Traceback" not in err


def test_linli_run_without_endpoint_or_token_says_what_to_set(tmp_path, monkeypatch, capsys):
    for key in ("WECHATY_PUPPET_SERVICE_ENDPOINT", "WECHATY_PUPPET_SERVICE_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    assert main(["run", "--config", str(wechaty_config(tmp_path))]) == 2
    assert "WECHATY_PUPPET_SERVICE_ENDPOINT" in capsys.readouterr().err


async def test_linli_run_logs_in_and_answers_through_the_loopback_gateway(tmp_path, gw):
    """The 'done when' of issue 3: the real command, the unmodified client, a gRPC endpoint."""
    env = {**os.environ, "WECHATY_PUPPET_SERVICE_ENDPOINT": f"127.0.0.1:{gw.port}",
           "WECHATY_PUPPET_SERVICE_TOKEN": TOKEN, "CACHE_DIR": str(tmp_path / ".wechaty")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(wechaty_config(tmp_path)),
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        gw.push_room_message(B3, "u-101", "3号楼电梯又坏了，物业什么时候来修")
        [sent] = await asyncio.wait_for(gw.wait_sent(1), GUARD)
        assert sent.conversation == B3 and sent.mentions == ("u-mao",) and "#1" in sent.text
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), GUARD)
    log = err.decode()
    assert proc.returncode == 0, log
    assert "logged in to WeChat as 邻里小助手" in log and TOKEN not in log
