"""A small Wechaty puppet-service gateway: a grpclib server speaking the wechaty-grpc protocol
on 127.0.0.1, for the unmodified wechaty-puppet-service client to connect to.

It implements only what a bot needs to log in, read a room message and answer it:
Start/Stop, the Event stream (scan → login → messages), Contact/Room/RoomMember/Message
payloads, RoomMemberList, RoomList and MessageSendText/File. Everything it is sent is kept in `sent`.

Run by itself (`python -m tests.fake_gateway --port 8788`) to try `linli run` by hand.
"""
from __future__ import annotations

import asyncio
import json
import sys
import uuid
from dataclasses import dataclass, field

from grpclib.const import Cardinality, Handler, Status
from grpclib.exceptions import GRPCError
from grpclib.protocol import H2Protocol
from grpclib.server import Server, Stream
from wechaty_grpc.wechaty import puppet as pb

# The python client maps the gateway's message type through the TypeScript puppet numbering
# (wechaty_puppet_service.puppet._map_message_type), which is what real gateways send.
TS_TEXT = 7
QR = "https://login.weixin.qq.com/l/fake-linli"
EVENT = pb.EventType


@dataclass
class Member:
    id: str
    name: str
    alias: str = ""


@dataclass
class Sent:
    conversation: str
    text: str = ""
    mentions: tuple[str, ...] = ()
    file: dict | None = None


@dataclass
class FakeGateway:
    """Holds one logged-in WeChat account with its rooms; `push_room_message` makes one arrive."""

    bot_id: str = "wxid_linli"
    bot_name: str = "邻里小助手"
    token: str | None = None  # when set, calls whose :authority differs are rejected
    reject_all: bool = False  # e.g. an expired token: every call ends UNAUTHENTICATED
    hold_login: bool = False  # wait after the QR code until `confirm_scan()` (the phone scans)
    contacts: dict[str, str] = field(default_factory=dict)  # id → name
    rooms: dict[str, tuple[str, list[Member]]] = field(default_factory=dict)  # id → (topic, members)
    messages: dict[str, pb.MessagePayloadResponse] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    streams: int = 0

    def __post_init__(self) -> None:
        self.contacts[self.bot_id] = self.bot_name
        self._events: asyncio.Queue[pb.EventResponse] = asyncio.Queue()
        self._sent_event = asyncio.Condition()
        self._scanned = asyncio.Event()
        self._server: Server | None = None
        self.port: int | None = None

    # ---- the test's side

    def add_room(self, room_id: str, topic: str, members: list[Member]) -> None:
        for m in members:
            self.contacts[m.id] = m.name
        self.rooms[room_id] = (topic, members)

    def push_room_message(self, room_id: str, talker: str, text: str, mentions: tuple[str, ...] = ()) -> str:
        msg_id = f"gw-{uuid.uuid4().hex[:12]}"
        self.messages[msg_id] = pb.MessagePayloadResponse(
            id=msg_id, text=text, type=TS_TEXT, from_id=talker, room_id=room_id,
            mention_ids=list(mentions), timestamp=0)
        self._event(EVENT.EVENT_TYPE_MESSAGE, {"messageId": msg_id})
        return msg_id

    async def wait_sent(self, count: int) -> list[Sent]:
        async with self._sent_event:
            await self._sent_event.wait_for(lambda: len(self.sent) >= count)
        return self.sent

    def confirm_scan(self) -> None:
        self._scanned.set()

    def drop_streams(self) -> None:
        """End every open event stream, as a gateway restart does."""
        self._events.put_nowait(None)  # type: ignore[arg-type]

    async def start(self, port: int = 0) -> int:
        self._server = _TokenServer([self])
        await self._server.start("127.0.0.1", port)
        self.port = self._server._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _event(self, kind: pb.EventType, payload: dict) -> None:
        self._events.put_nowait(pb.EventResponse(type=kind, payload=json.dumps(payload)))

    # ---- the gRPC service

    def __mapping__(self) -> dict[str, Handler]:
        unary = {
            "Start": (self.start_, pb.StartRequest, pb.StartResponse),
            "Stop": (self.stop_, pb.StopRequest, pb.StopResponse),
            "Ding": (self.ding, pb.DingRequest, pb.DingResponse),
            "ContactPayload": (self.contact_payload, pb.ContactPayloadRequest, pb.ContactPayloadResponse),
            "RoomPayload": (self.room_payload, pb.RoomPayloadRequest, pb.RoomPayloadResponse),
            "RoomList": (self.room_list, pb.RoomListRequest, pb.RoomListResponse),
            "RoomMemberList": (self.room_member_list, pb.RoomMemberListRequest, pb.RoomMemberListResponse),
            "RoomMemberPayload": (self.room_member_payload, pb.RoomMemberPayloadRequest,
                                  pb.RoomMemberPayloadResponse),
            "MessagePayload": (self.message_payload, pb.MessagePayloadRequest, pb.MessagePayloadResponse),
            "MessageSendText": (self.send_text, pb.MessageSendTextRequest, pb.MessageSendTextResponse),
            "MessageSendFile": (self.send_file, pb.MessageSendFileRequest, pb.MessageSendFileResponse),
        }
        mapping = {f"/wechaty.Puppet/{name}": Handler(self._unary(func), Cardinality.UNARY_UNARY, req, resp)
                   for name, (func, req, resp) in unary.items()}
        mapping["/wechaty.Puppet/Event"] = Handler(self.event, Cardinality.UNARY_STREAM,
                                                   pb.EventRequest, pb.EventResponse)
        return mapping

    def _check(self, stream: Stream) -> None:
        authority = getattr(stream._stream, "linli_authority", None)
        if self.reject_all or (self.token is not None and authority != self.token):
            raise GRPCError(Status.UNAUTHENTICATED, "invalid token")

    def _unary(self, func):
        async def handle(stream: Stream) -> None:
            self._check(stream)
            request = await stream.recv_message()
            await stream.send_message(await func(request))
        return handle

    async def event(self, stream: Stream) -> None:
        self._check(stream)
        await stream.recv_message()
        self.streams += 1
        # A fresh stream on a logged-in account: first the scan the account once needed, then login.
        if self.streams == 1:
            await stream.send_message(pb.EventResponse(
                type=EVENT.EVENT_TYPE_SCAN, payload=json.dumps({"status": 2, "qrcode": QR})))
            if self.hold_login:
                await self._scanned.wait()
        await stream.send_message(pb.EventResponse(
            type=EVENT.EVENT_TYPE_LOGIN, payload=json.dumps({"contactId": self.bot_id})))
        while True:
            event = await self._events.get()
            if event is None:
                return  # the stream ends: the client must reconnect
            await stream.send_message(event)

    async def start_(self, request) -> pb.StartResponse:
        return pb.StartResponse()

    async def stop_(self, request) -> pb.StopResponse:
        return pb.StopResponse()

    async def ding(self, request) -> pb.DingResponse:
        return pb.DingResponse()

    async def contact_payload(self, request) -> pb.ContactPayloadResponse:
        if request.id not in self.contacts:
            raise GRPCError(Status.NOT_FOUND, f"no contact {request.id}")
        return pb.ContactPayloadResponse(id=request.id, name=self.contacts[request.id],
                                         type=pb.ContactType.CONTACT_TYPE_PERSONAL, friend=True)

    async def room_payload(self, request) -> pb.RoomPayloadResponse:
        topic, members = self.rooms[request.id]
        ids = [self.bot_id] + [m.id for m in members]
        return pb.RoomPayloadResponse(id=request.id, topic=topic, member_ids=ids, owner_id=ids[-1])

    async def room_list(self, request) -> pb.RoomListResponse:
        return pb.RoomListResponse(ids=list(self.rooms))

    async def room_member_list(self, request) -> pb.RoomMemberListResponse:
        _, members = self.rooms[request.id]
        return pb.RoomMemberListResponse(member_ids=[self.bot_id] + [m.id for m in members])

    async def room_member_payload(self, request) -> pb.RoomMemberPayloadResponse:
        _, members = self.rooms[request.id]
        m = next((m for m in members if m.id == request.member_id), None)
        return pb.RoomMemberPayloadResponse(id=request.member_id, room_alias=m.alias if m else "",
                                            name=self.contacts.get(request.member_id, ""))

    async def message_payload(self, request) -> pb.MessagePayloadResponse:
        if request.id not in self.messages:
            raise GRPCError(Status.NOT_FOUND, f"no message {request.id}")
        return self.messages[request.id]

    async def send_text(self, request) -> pb.MessageSendTextResponse:
        return pb.MessageSendTextResponse(id=await self._record(
            Sent(request.conversation_id, request.text, tuple(request.mentonal_ids))))

    async def send_file(self, request) -> pb.MessageSendFileResponse:
        return pb.MessageSendFileResponse(id=await self._record(
            Sent(request.conversation_id, file=json.loads(request.filebox))))

    async def _record(self, sent: Sent) -> str:
        msg_id = f"sent-{uuid.uuid4().hex[:12]}"
        room = sent.conversation if sent.conversation in self.rooms else ""
        self.messages[msg_id] = pb.MessagePayloadResponse(
            id=msg_id, text=sent.text, type=TS_TEXT, from_id=self.bot_id, room_id=room,
            to_id="" if room else sent.conversation)
        async with self._sent_event:
            self.sent.append(sent)
            self._sent_event.notify_all()
        return msg_id


class _TokenServer(Server):
    """grpclib's Server, keeping each request's :authority (where the python client puts the token)."""

    def _protocol_factory(self) -> H2Protocol:
        protocol = super()._protocol_factory()
        handler = protocol.handler
        accept = handler.accept

        def accept_keeping_authority(stream, headers, release_stream) -> None:
            stream.linli_authority = dict(headers).get(":authority")
            accept(stream, headers, release_stream)

        handler.accept = accept_keeping_authority  # type: ignore[method-assign]
        return protocol


def demo_gateway() -> FakeGateway:
    """The rooms of config.yaml's 江畔社区, for trying `linli run` by hand."""
    gateway = FakeGateway()
    gateway.add_room("20001@chatroom", "姚畔湾3号楼", [
        Member("u-101", "王阿姨", "3-1201 王阿姨"), Member("u-mao", "毛宁", "网格员毛宁")])
    return gateway


async def _serve(port: int) -> None:
    gateway = demo_gateway()
    gateway.hold_login = True
    await gateway.start(port)
    print(f"fake gateway on 127.0.0.1:{gateway.port}. Press Enter to 'scan the QR code'; then each "
          "line you type is posted as 王阿姨 in 姚畔湾3号楼", flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            await asyncio.Event().wait()  # stdin closed: keep serving
        if not gateway._scanned.is_set():
            gateway.confirm_scan()
        elif line.strip():
            gateway.push_room_message("20001@chatroom", "u-101", line.strip())


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8788)
    asyncio.run(_serve(parser.parse_args().port))
