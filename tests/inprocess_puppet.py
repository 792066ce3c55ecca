"""An in-process Wechaty puppet: WeChat contacts, rooms and messages held in memory.

Built on `wechaty.fake_puppet.FakePuppet` (shipped with python-wechaty), with what the
tests need that it lacks: a `start()` that logs in and can be dropped like a lost gRPC
stream, sends that are recorded, room aliases that can be read more than once, members
joining and leaving a room, and events delivered by awaiting the listeners (deterministic,
no sleeping).
"""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from grpclib.exceptions import StreamTerminatedError

import bot.transport.wechaty_compat  # noqa: F401  (patches wechaty before it is imported)
from wechaty.fake_puppet import FakePuppet
from wechaty_puppet import (EventLoginPayload, EventLogoutPayload, EventMessagePayload, EventRoomJoinPayload,
                            EventRoomLeavePayload, FileBox, MessageType, PuppetOptions)
from wechaty_puppet.schemas.types import (ContactPayload, ContactType, MessagePayload, RoomMemberPayload,
                                          RoomPayload)


@dataclass
class Sent:
    """One message the bot sent through the puppet."""

    conversation: str
    text: str | None = None
    mentions: tuple[str, ...] = ()
    file: FileBox | None = None


class InProcessPuppet(FakePuppet):
    def __init__(self, bot_id: str = "wxid_linli", bot_name: str = "邻里小助手") -> None:
        super().__init__(PuppetOptions())
        self._contact_payloads.clear()
        self.login_user_id = bot_id
        self.add_contact(bot_id, bot_name)
        self.sent: list[Sent] = []
        self.starts = 0
        self._drop: asyncio.Future | None = None
        self._started = asyncio.Condition()
        self.aliases: dict[tuple[str, str], str] = {}
        self.errors: list[Exception] = []
        self.fail_payloads = 0  # the next N message reads fail and drop the connection
        self.dings = 0
        self.ding_fails = False  # the connection died silently: the stream stays open, dings fail

    # ---- building the fake WeChat

    def add_contact(self, contact_id: str, name: str, *, official: bool = False) -> None:
        kind = ContactType.CONTACT_TYPE_OFFICIAL if official else ContactType.CONTACT_TYPE_PERSONAL
        self.add_fake_contact(ContactPayload(id=contact_id, name=name, type=kind, friend=True))

    def add_room(self, room_id: str, topic: str, members: list[tuple[str, str, str]]) -> None:
        """members: (contact id, WeChat name, group alias or '')."""
        for contact_id, name, alias in members:
            if self.get_fake_contact(contact_id) is None:
                self.add_contact(contact_id, name)
            self.aliases[(room_id, contact_id)] = alias
        ids = [self.login_user_id] + [m[0] for m in members]
        self.add_fake_room(RoomPayload(id=room_id, topic=topic, member_ids=ids, owner_id=ids[-1]))

    async def join_room(self, room_id: str, contact_id: str, name: str, inviter: str) -> None:
        """Someone is added to a group: WeChat's member list changes, `room-join` is emitted."""
        if self.get_fake_contact(contact_id) is None:
            self.add_contact(contact_id, name)
        self.get_fake_room(room_id).member_ids.append(contact_id)
        await self._emit("room-join", EventRoomJoinPayload(invited_ids=[contact_id], inviter_id=inviter,
                                                           room_id=room_id, timestamp=1))

    async def leave_room(self, room_id: str, contact_id: str, remover: str | None = None) -> None:
        """Someone leaves a group (or is removed): the member list changes, `room-leave` is emitted."""
        room = self.get_fake_room(room_id)
        room.member_ids = [m for m in room.member_ids if m != contact_id]
        remover = contact_id if remover is None else remover
        await self._emit("room-leave", EventRoomLeavePayload(removed_ids=[contact_id], remover_id=remover,
                                                             room_id=room_id, timestamp=1))

    async def push(self, *, talker: str, text: str = "", room: str = "", mentions: tuple[str, ...] = (),
                   kind: MessageType = MessageType.MESSAGE_TYPE_TEXT, msg_id: str | None = None,
                   timestamp: int = 0) -> str:
        """A WeChat message arrives: the puppet emits `message` as the gRPC client does."""
        msg_id = msg_id or f"m-{uuid.uuid4().hex[:12]}"  # wechaty drops ids it saw, process-wide
        self.add_fake_message(MessagePayload(id=msg_id, from_id=talker, room_id=room, to_id="",
                                             text=text, type=kind, mention_ids=list(mentions),
                                             timestamp=timestamp))
        await self._emit("message", EventMessagePayload(message_id=msg_id))
        return msg_id

    async def log_out(self) -> None:
        """The account is logged out (from the phone, or WeChat's risk control)."""
        await self._emit("logout", EventLogoutPayload(contact_id=self.login_user_id, data="logged out"))

    async def log_in(self) -> None:
        await self._emit("login", EventLoginPayload(contact_id=self.login_user_id))

    def drop(self) -> None:
        """The gRPC stream breaks, as when the gateway restarts or the network fails."""
        if self._drop is not None and not self._drop.done():
            self._drop.set_exception(StreamTerminatedError("connection lost"))

    async def wait_started(self, times: int) -> None:
        async with self._started:
            await self._started.wait_for(lambda: self.starts >= times)

    async def _emit(self, event: str, payload) -> None:
        """Each listener in turn; a failing one is logged and skipped, as pyee does."""
        for listener in list(self.emitter.listeners(event)):
            try:
                result = listener(payload)
                if asyncio.iscoroutine(result):
                    await result
            except Exception as exc:
                self.errors.append(exc)

    async def ding(self, data: str | None = None) -> None:
        self.dings += 1
        if self.ding_fails:
            raise ConnectionResetError("no answer")
        self.emitter.emit("dong")

    async def message_payload(self, message_id: str) -> MessagePayload:
        if self.fail_payloads:
            self.fail_payloads -= 1
            self.drop()
            raise StreamTerminatedError("connection lost while reading a message")
        return self.get_fake_message(message_id)

    # ---- the Puppet interface

    async def start(self) -> None:
        self._drop = asyncio.get_running_loop().create_future()
        await self._emit("login", EventLoginPayload(contact_id=self.login_user_id))
        async with self._started:
            self.starts += 1
            self._started.notify_all()
        await self._drop  # the event stream is open until it drops

    async def stop(self) -> None:
        self.emitter.remove_all_listeners()  # as PuppetService.stop() does

    def self_id(self) -> str:
        return self.login_user_id

    async def message_send_text(self, conversation_id: str, message: str, mention_ids=None) -> str:
        self.sent.append(Sent(conversation_id, message, tuple(mention_ids or ())))
        return self._echo(conversation_id, message)

    async def message_send_file(self, conversation_id: str, file: FileBox) -> str:
        self.sent.append(Sent(conversation_id, file=file))
        return self._echo(conversation_id, "")

    def _echo(self, conversation_id: str, text: str) -> str:
        """What the bot sent, as WeChat stores it (Room.say loads it back)."""
        msg_id = f"sent-{uuid.uuid4().hex[:12]}"
        room = conversation_id if self.get_fake_room(conversation_id) else ""
        self.add_fake_message(MessagePayload(id=msg_id, from_id=self.login_user_id, room_id=room,
                                             to_id="" if room else conversation_id, text=text,
                                             type=MessageType.MESSAGE_TYPE_TEXT))
        return msg_id

    async def room_member_payload(self, room_id: str, contact_id: str) -> RoomMemberPayload:
        contact = self.get_fake_contact(contact_id)
        return RoomMemberPayload(id=contact_id, room_alias=self.aliases.get((room_id, contact_id), ""),
                                 name=contact.name if contact else "")

    async def room_list(self) -> list[str]:
        return [r.id for r in self.get_all_fake_rooms()]
