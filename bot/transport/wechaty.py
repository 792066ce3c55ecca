"""Real WeChat groups through python-wechaty and a Wechaty puppet service (the gateway).

    puppet service ──gRPC──▶ wechaty.Wechaty (LinliWechaty) ──▶ queue ──▶ Incoming ──▶ dispatcher
    dispatcher ──▶ Outgoing ──▶ Room.say / Contact.say (real @-mentions, images as FileBox)

Config rooms are matched to WeChat rooms by id, or by topic (= config `name`) the first time;
the WeChat id is then remembered (storage/bindings.py), so renaming a group changes nothing.
A bound room's member list (`Room.member_list()`) is handed to the app (`on_members`) when the
room is bound, at each login, on join/leave events and every ~6 h: the electorate of votes.

Traps of python-wechaty 0.10.7 handled here, each where it bites:
- `Wechaty.start()` swallows connection errors (prints them, sleeps 60 s, retries forever),
  so the transport runs the same steps itself (`init_puppet`, `init_puppet_event_bridge`,
  `puppet.start()`) to tell the user what went wrong and to reconnect with back-off.
- `Contact._pool` / `Room._pool` are one process-wide cache bound to the *first* puppet: after
  a reconnect cached rooms would talk to the dead connection. Each connection gets fresh pools.
- `Room.say` writes the @ from the contact's own name, not the member's group alias
  (群昵称), so the mention text does not match what the group shows. `AliasMentionRoom.say`
  writes `@alias` + U+2005 (as WeChat clients do) and passes the same mention ids.
- The plugin manager starts a second scheduler on every login (`_NoPlugins`); the event
  bridge passes on only a connection's first login (`_relogin`) and drops a message whose
  payload cannot be read (`_announced` / `_requeue`); `Message.mention_text()` returns ''
  whenever there are mentions (`_strip_mentions`).
"""
from __future__ import annotations

import asyncio
import base64
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import Settings
from bot.events import Incoming, Outgoing
from bot.transport import OnMembers, OnMessage, SendError, StartError, drop_at_marks
from bot.transport.wechaty_compat import Wechaty, WechatyOptions, new_options

from grpclib.exceptions import GRPCError, StreamTerminatedError
from wechaty import Contact, Message, Room  # noqa: E402  (after the compat shim)
from wechaty_puppet import FileBox, MessageType, ScanStatus
from wechaty_puppet.schemas.types import ContactType

log = logging.getLogger(__name__)

AT_END = "\u2005"  # WeChat ends each @name with a four-per-em space
BACKOFF = (1, 2, 5, 10, 30, 60)  # seconds between reconnection attempts
FIRST_EVENT_WAIT = 15.0  # seconds to wait for the gateway's first event before going on
MAX_TRIES = 3  # reads of one message that failed with the connection before it is given up
PROBE_EVERY = 60.0  # seconds between liveness probes of the gateway (a `ding`)
PROBE_TIMEOUT = 30.0
# Room member lists are read again every this many probes (≈ 6 h), besides at login, binding
# and join/leave events: a safety net for gateways that do not send those events.
MEMBERS_EVERY_PROBES = 360
DRAIN_WAIT = 10.0  # seconds at shutdown for messages already received to be handled

# Faults of the connection, not of the message: the message is read again after a reconnect.
CONNECTION_ERRORS = (StreamTerminatedError, GRPCError, ConnectionError, OSError)

# Messages that are nobody's words: ignored without a trace beyond debug.
IGNORED_TYPES = {
    MessageType.MESSAGE_TYPE_UNSPECIFIED: "system notice",
    MessageType.MESSAGE_TYPE_RECALLED: "recall",
    MessageType.MESSAGE_TYPE_RED_ENVELOPE: "red packet",
    MessageType.MESSAGE_TYPE_TRANSFER: "money transfer",
}
# Messages from residents that the bot cannot read yet: logged as such, never classified.
NAMED_TYPES = {
    MessageType.MESSAGE_TYPE_AUDIO: "voice",
    MessageType.MESSAGE_TYPE_IMAGE: "image",
    MessageType.MESSAGE_TYPE_URL: "link",
    MessageType.MESSAGE_TYPE_VIDEO: "video",
    MessageType.MESSAGE_TYPE_EMOTICON: "sticker",
    MessageType.MESSAGE_TYPE_ATTACHMENT: "file",
    MessageType.MESSAGE_TYPE_CONTACT: "contact card",
    MessageType.MESSAGE_TYPE_LOCATION: "location",
    MessageType.MESSAGE_TYPE_MINI_PROGRAM: "mini program",
    MessageType.MESSAGE_TYPE_CHAT_HISTORY: "chat history",
}

# A quote-reply arrives as text: 「王阿姨：3号楼电梯坏了」 + a dashed line + the reply.
_QUOTE = re.compile(r"^「(?:[^「」：:\n]{1,40}[：:])?(?P<quoted>.*?)」\s*\n\s*(?:- ){3,}-?\s*\n(?P<text>.*)$", re.S)
_AT_MARK = re.compile(r"@[^@\s\u2005]{1,40}\u2005")


# --------------------------------------------------------------------------- login state


@dataclass
class LoginStatus:
    """What the web page and the logs show about the WeChat session."""

    state: str = "starting"  # starting | connecting | waiting_scan | logged_in | logged_out | reconnecting
    endpoint: str | None = None
    qr: str | None = None  # the text to encode in the QR code, while a scan is wanted
    user: str | None = None
    error: str | None = None
    reconnects: int = 0
    since: str | None = None

    def as_json(self) -> dict:
        return {"transport": "wechaty", "state": self.state, "endpoint": self.endpoint, "qr": self.qr,
                "user": self.user, "error": self.error, "reconnects": self.reconnects, "since": self.since}


# --------------------------------------------------------------------------- errors


def diagnose(exc: BaseException | None, endpoint: str | None, token: str | None) -> str:
    """One message that says what probably went wrong and what to check.

    An expired token and a gateway fault look alike in the client (both end the gRPC stream),
    so the wording names the likely cause first and the other one second.
    """
    name = type(exc).__name__ if exc else ""
    text = str(exc)[:300] if exc else ""
    if token:
        text = text.replace(token, "<token>")  # the token-only lookup puts it in the URL
    where = endpoint or "(no endpoint: the token alone is resolved through the Wechaty service)"
    if not endpoint and not token:
        return ("transport: wechaty needs WECHATY_PUPPET_SERVICE_ENDPOINT (host:port of the puppet "
                "service) and/or WECHATY_PUPPET_SERVICE_TOKEN.")
    if not token:  # python-wechaty-puppet-service sends the token with every call: it must be set
        return (f"WECHATY_PUPPET_SERVICE_TOKEN is not set: the puppet service at {where} needs the "
                "gateway's token (a gateway that checks none still needs one: any text, e.g. "
                "insecure_linli).")
    if "ping endpoint" in text or isinstance(exc, (ConnectionRefusedError,)) and endpoint:
        return (f"cannot reach the puppet service at {where}: nothing answers there.\n"
                "  Check that the gateway is running, that WECHATY_PUPPET_SERVICE_ENDPOINT is host:port "
                "of it, and that no firewall is in between.")
    if not endpoint:
        return (f"could not look up the gateway for this token ({name}: {text}).\n"
                "  The token-only lookup needs the internet; set WECHATY_PUPPET_SERVICE_ENDPOINT to "
                "host:port of your gateway instead.")
    if _auth_failed(exc):
        status = exc.status.name  # type: ignore[union-attr]
        return (f"the puppet service at {where} rejected the token ({status}).\n"
                "  Check WECHATY_PUPPET_SERVICE_TOKEN: it may have expired or belong to another gateway.")
    return (f"the puppet service at {where} accepted the connection but ended it ({name}: {text or 'no detail'}).\n"
            "  Most likely the token was rejected (expired, or not this gateway's): check "
            "WECHATY_PUPPET_SERVICE_TOKEN.\n"
            "  Otherwise the gateway itself failed, or it expects TLS (this client speaks plain gRPC: "
            "run the gateway with TLS off): check the gateway's logs.")


def _auth_failed(exc: BaseException | None) -> bool:
    return getattr(getattr(exc, "status", None), "name", "") in ("UNAUTHENTICATED", "PERMISSION_DENIED")


# --------------------------------------------------------------------------- wechaty objects


class AliasMentionRoom(Room):
    """`Room.say` with the @ written from the member's group alias, as the group shows it."""

    async def say(self, some_thing, mention_ids=None):  # type: ignore[override]
        if not isinstance(some_thing, str) or not mention_ids:
            return await super().say(some_thing, mention_ids)
        ats = []
        for contact_id in mention_ids:
            contact = self.wechaty.Contact.load(contact_id)
            await contact.ready()
            alias = await self.alias(contact)
            ats.append(f"@{alias or contact.name}{AT_END}")
        await self.puppet.message_send_text(conversation_id=self.room_id,
                                            message="".join(ats) + some_thing,
                                            mention_ids=list(mention_ids))
        return None  # the base loads the sent message back; nothing here reads it


class _NoPlugins:
    """Stands in for wechaty's plugin manager, which Linli does not use.

    On every login the real one starts its own APScheduler (a second login after a reconnect
    then fails with SchedulerAlreadyRunningError) and refuses to log in at all when local
    port 5000 is taken. Linli has its own scheduler and web page.
    """

    async def start(self) -> None:
        return None

    async def emit_events(self, *args, **kwargs) -> None:
        return None


class LinliWechaty(Wechaty):
    """The real `wechaty.Wechaty`, with its events handed to the transport."""

    def __init__(self, options: WechatyOptions, transport: "WechatyTransport") -> None:
        super().__init__(options)
        self._plugin_manager = _NoPlugins()  # type: ignore[assignment]
        self.linli = transport

    async def init_puppet(self) -> None:
        await super().init_puppet()
        meta = dict(_puppet=self.puppet, _wechaty=self, abstract=False)
        # Fresh caches per connection: the library's pools are global and outlive the puppet.
        self.Contact = type("Contact", (Contact,), {**meta, "_pool": {}})
        self.ContactSelf = type("ContactSelf", (self.ContactSelf,), {"_pool": {}})
        self.Room = type("Room", (AliasMentionRoom,), {**meta, "_pool": {}})
        self.Message = type("Message", (Message,), meta)

    async def on_scan(self, qr_code: str, status: ScanStatus, data=None) -> None:
        self.linli.scan(qr_code, status)

    async def on_login(self, contact) -> None:
        self.linli.logged_in(contact.contact_id, contact.name)

    async def on_logout(self, contact) -> None:
        self.linli.logged_out(getattr(contact, "contact_id", ""))

    async def on_ready(self, payload) -> None:
        self.linli.alive()

    async def on_message(self, msg: Message) -> None:
        self.linli.alive()
        self.linli.queue.put_nowait(msg)


# --------------------------------------------------------------------------- the transport


Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class _MembersChanged:
    """Queued with the messages, so that a join or leave is applied in order with them."""

    room_id: str  # the config room id
    message_id: str = ""  # (read by _requeue like a Message's)


@dataclass
class _Rooms:
    """Config room id ↔ WeChat room id, remembered in the database when one is attached."""

    settings: Settings
    clock: Clock
    engine: object | None = None
    by_wechat: dict[str, str] = field(default_factory=dict)
    unknown_logged: set[str] = field(default_factory=set)

    def load(self) -> None:
        if self.engine is None:
            return
        from storage.bindings import bound_rooms
        from storage.db import session_scope
        with session_scope(self.engine) as session:
            self.by_wechat.update(bound_rooms(session))

    def config_id(self, wechat_id: str, topic: str | None) -> str | None:
        if wechat_id in self.by_wechat:
            return self.by_wechat[wechat_id]
        room = self.settings.room(wechat_id) or next(
            (r for r in self.settings.rooms if topic and r.name == topic.strip()), None)
        if room is None:
            if wechat_id not in self.unknown_logged:
                self.unknown_logged.add(wechat_id)
                log.info("WeChat room %s (%s) is not in the config: its messages are ignored", wechat_id, topic)
            return None
        self.bind(room.id, wechat_id, topic)
        return room.id

    def wechat_id(self, room_id: str) -> str | None:
        return next((w for w, r in self.by_wechat.items() if r == room_id), None)

    def bind(self, room_id: str, wechat_id: str, topic: str | None) -> None:
        for w in [w for w, r in self.by_wechat.items() if r == room_id]:
            del self.by_wechat[w]
        self.by_wechat[wechat_id] = room_id
        log.info("room %s is WeChat room %s (topic %s)", room_id, wechat_id, topic)
        if self.engine is not None:
            from storage.bindings import bind_room
            from storage.db import session_scope
            with session_scope(self.engine) as session:
                bind_room(session, room_id, wechat_id, topic, self.clock.now())


class WechatyTransport:
    """The `wechaty` transport: one Wechaty bot on one puppet service."""

    def __init__(self, settings: Settings, clock: Clock, *, endpoint: str | None = None,
                 token: str | None = None, puppet=None, sleep: Sleep = asyncio.sleep,
                 probe_wait: Callable[[], Awaitable[None]] | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.endpoint, self.token = endpoint, token
        self.status = LoginStatus(endpoint=endpoint)
        self.self_id = ""
        self.self_name = ""
        self.queue: asyncio.Queue[Message] = asyncio.Queue()
        self.rooms = _Rooms(settings, clock)
        self._tz = ZoneInfo(settings.timezone)
        self._sleep = sleep
        self._probe_wait = probe_wait or (lambda: asyncio.sleep(PROBE_EVERY))
        self._puppet = puppet  # an in-process Puppet (tests); None: the puppet service
        self.bot: LinliWechaty | None = None  # built by start(): the client refuses no endpoint/token
        self._on_message: OnMessage | None = None
        self._on_members: OnMembers | None = None
        self._tasks: list[asyncio.Task] = []
        self._first: asyncio.Future | None = None
        self._closing = False
        self._failures = 0
        self._probes = 0
        self._pending: dict[str, int] = {}  # message id → failed tries, until the dispatcher had it

    def attach_storage(self, engine) -> None:
        """Remember room bindings in the bot's database (called by `Linli`)."""
        self.rooms.engine = engine
        self.rooms.load()

    # ---- lifecycle

    async def start(self, on_message: OnMessage, on_members: OnMembers | None = None) -> None:
        """Connect; raise StartError with a readable reason if the first connection fails."""
        if not self.token and self._puppet is None:
            raise StartError(diagnose(None, self.endpoint, None))
        self.bot = LinliWechaty(new_options(puppet=self._puppet, endpoint=self.endpoint, token=self.token), self)
        self._on_message = on_message
        self._on_members = on_members
        self._closing = False
        self._first = asyncio.get_running_loop().create_future()
        self._tasks = [asyncio.create_task(self._consume(), name="wechaty-consume"),
                       asyncio.create_task(self._connect_forever(), name="wechaty-connect")]
        done, _ = await asyncio.wait({self._first}, timeout=FIRST_EVENT_WAIT)
        if not done:
            log.info("connected to %s; no event from the gateway yet, going on", self.endpoint)
            self._first.set_result(None)
        try:
            self._first.result()
        except StartError:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop reading from the gateway, let the dispatcher finish what already arrived, close."""
        self._closing = True
        connect = [t for t in self._tasks if t.get_name() == "wechaty-connect"]
        for task in connect:
            task.cancel()
        if any(t.get_name() == "wechaty-consume" and not t.done() for t in self._tasks):
            try:
                await asyncio.wait_for(self.queue.join(), DRAIN_WAIT)
            except asyncio.TimeoutError:
                log.warning("stopping with %d WeChat messages not handled", self.queue.qsize())
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        self._tasks = []
        await self._close_puppet()
        self._on_message = None
        self._on_members = None

    async def idle(self) -> None:
        """Wait until every received message went through the dispatcher (tests, shutdown)."""
        await self.queue.join()

    async def _connect_forever(self) -> None:
        while not self._closing:
            self._set(state="connecting" if self.status.state == "starting" else "reconnecting")
            error: BaseException | None = None
            try:
                await self.bot.init_puppet()
                # Before the bridge, so that a message is pending before wechaty reads it.
                self.bot.puppet.on("message", self._announced)
                self.bot.puppet.on("heartbeat", lambda payload: self.alive())
                # Wechaty's bridge passes on only the first login of a connection; after a
                # logout and a new scan the gateway logs in again on the same stream.
                self.bot.puppet.on("login", self._relogin)
                # Joins and leaves straight from the puppet: wechaty's own listeners first load the
                # room and every contact named (an inviter or remover id the gateway cannot find
                # raises there), and only the room id is needed to read the member list again.
                self.bot.puppet.on("room-join", self._members_changed)
                self.bot.puppet.on("room-leave", self._members_changed)
                await self.bot.init_puppet_event_bridge(self.bot.puppet)
                log.info("connecting to the puppet service %s", self.endpoint or
                         ("(in process)" if self._puppet is not None else "(looked up by token)"))
                await self._run_connection(self.bot.puppet)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # every client fault ends in a reconnect or a clear exit
                error = exc
            await self._close_puppet()
            if self._closing:
                return
            if self._first is not None and not self._first.done():
                self._first.set_exception(StartError(diagnose(error, self.endpoint, self.token)))
                return
            delay = BACKOFF[min(self._failures, len(BACKOFF) - 1)]
            self._failures += 1
            self.status.reconnects += 1
            reason = f"{type(error).__name__}: {error}" if error else "the gateway closed the event stream"
            if _auth_failed(error):  # the token expired while running: say so, keep trying
                reason = diagnose(error, self.endpoint, self.token)
                log.error("%s\n  retrying in %ss", reason, delay)
            else:
                log.warning("lost the puppet service (%s); reconnecting in %ss", reason, delay)
            self._set(state="reconnecting", error=reason.splitlines()[0])
            await self._sleep(delay)

    async def _run_connection(self, puppet) -> None:
        """The event stream, watched by a probe; returns or raises when either ends."""
        stream = asyncio.create_task(puppet.start(), name="wechaty-stream")
        probe = asyncio.create_task(self._probe(puppet), name="wechaty-probe")
        try:
            done, _ = await asyncio.wait({stream, probe}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (stream, probe):
                task.cancel()
            await asyncio.gather(stream, probe, return_exceptions=True)
        (stream if stream in done else probe).result()

    async def _probe(self, puppet) -> None:
        """Ding the gateway now and then while logged in: a connection that died without a word
        (a NAT timeout, a cable) would otherwise leave the event stream waiting for ever."""
        while True:
            await self._probe_wait()
            if self.status.state != "logged_in":
                continue  # some puppets refuse a ding before login
            try:
                await asyncio.wait_for(puppet.ding("linli"), PROBE_TIMEOUT)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                raise ConnectionError(f"the gateway did not answer a ding ({type(exc).__name__}: {exc})") from exc
            self._probes += 1
            if self._probes % MEMBERS_EVERY_PROBES == 0:
                self._read_all_members()

    async def _close_puppet(self) -> None:
        puppet = self.bot._puppet if self.bot is not None else None
        if puppet is None:
            return
        try:
            await puppet.stop()
        except Exception as exc:  # the connection is already gone
            log.debug("puppet stop: %s", exc)

    def alive(self) -> None:
        """Any event from the gateway: the connection works."""
        self._failures = 0
        if self._first is not None and not self._first.done():
            self._first.set_result(None)
        if self.status.state in ("connecting", "reconnecting", "starting"):
            self._set(state="logged_in" if self.self_id else "connecting", error=None)

    def scan(self, qr: str, status: ScanStatus) -> None:
        self.alive()
        if status in (ScanStatus.Waiting, ScanStatus.Timeout) and qr:
            self._set(state="waiting_scan", qr=qr)
            web = self.settings.web
            log.warning("WeChat login needed: scan the QR code above with the bot's WeChat account, "
                        "or open http://%s:%s/status", web.host, web.port)
        elif status == ScanStatus.Scanned:
            log.info("QR code scanned; confirm the login on the phone")

    async def _relogin(self, payload) -> None:
        if self.status.state == "logged_out" or self.self_id not in ("", payload.contact_id):
            self.logged_in(payload.contact_id, self.self_name or payload.contact_id)

    def logged_in(self, contact_id: str, name: str) -> None:
        if (self.status.state, self.self_id, self.self_name) != ("logged_in", contact_id, name):
            log.info("logged in to WeChat as %s (%s)", name, contact_id)
        self.self_id, self.self_name = contact_id, name
        self._set(state="logged_in", user=name, qr=None, error=None)
        self.alive()
        self._requeue()
        self._read_all_members()

    def logged_out(self, contact_id: str) -> None:
        self._set(state="logged_out", user=None)
        log.warning("the WeChat account %s was logged out: a new QR code will be shown to scan "
                    "(terminal and /status); if none comes, restart the gateway", contact_id or self.self_id)

    def _set(self, **changes) -> None:
        if "state" in changes and changes["state"] != self.status.state:
            self.status.since = self.clock.now().isoformat(timespec="seconds")
        for key, value in changes.items():
            setattr(self.status, key, value)

    # ---- incoming

    def _announced(self, payload) -> None:
        """The gateway announced a message: it stays pending until the dispatcher had it."""
        self._pending.setdefault(payload.message_id, 0)

    def _requeue(self) -> None:
        """After a reconnect: read again what was announced but lost with the old connection
        (wechaty's own listener fetches the payload first and drops the message if that fails)."""
        queued = {m.message_id for m in list(self.queue._queue)}  # type: ignore[attr-defined]
        for message_id, tries in list(self._pending.items()):
            if message_id in queued:
                continue
            if tries >= MAX_TRIES:
                log.error("WeChat message %s dropped after %d tries", message_id, tries)
                del self._pending[message_id]
                continue
            log.info("reading WeChat message %s again after the reconnect", message_id)
            self.queue.put_nowait(self.bot.Message.load(message_id))

    async def _consume(self) -> None:
        """One message at a time, in arrival order: the dispatcher sees a room's messages in order."""
        while True:
            msg = await self.queue.get()
            message_id = getattr(msg, "message_id", "?")
            if isinstance(msg, _MembersChanged):
                try:
                    await self._report_members(msg.room_id)
                except asyncio.CancelledError:
                    raise
                except Exception:  # never stops the messages; the next refresh tries again
                    log.exception("could not update the members of %s", msg.room_id)
                finally:
                    self.queue.task_done()
                continue
            try:
                event = await self.to_incoming(msg)
                self._pending.pop(message_id, None)
                if event is not None and self._on_message is not None:
                    await self._on_message(event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.status.state != "logged_in" or isinstance(exc, CONNECTION_ERRORS):
                    self._pending[message_id] = self._pending.get(message_id, 0) + 1
                    log.warning("WeChat message %s not read (%s: %s); it is read again after the "
                                "reconnect", message_id, type(exc).__name__, exc)
                else:
                    self._pending.pop(message_id, None)
                    log.exception("could not handle WeChat message %s", message_id)
            finally:
                self.queue.task_done()

    async def to_incoming(self, msg: Message) -> Incoming | None:
        """The plain event for a WeChat message, or None when the bot must not read it."""
        await msg.ready()
        payload = msg.payload
        kind = msg.type()
        if kind in IGNORED_TYPES or not payload.from_id:
            log.debug("ignored %s %s", IGNORED_TYPES.get(kind, "system message"), msg.message_id)
            return None
        talker = msg.talker()
        if talker.contact_id == (self.self_id or self.bot.puppet.self_id()):
            return None  # our own words echoed back
        official = talker.payload is not None and talker.payload.type == ContactType.CONTACT_TYPE_OFFICIAL
        if official or talker.contact_id.startswith("gh_"):  # official accounts' ids start with gh_
            log.debug("ignored official account %s", talker.contact_id)
            return None
        room = msg.room()
        room_id = None
        if room is not None:
            newly_bound = room.room_id not in self.rooms.by_wechat
            room_id = self.rooms.config_id(room.room_id, room.payload.topic if room.payload else None)
            if room_id is None:
                return None
            if newly_bound:  # its members before its first message: the electorate is whole
                await self._report_members(room_id)
        if kind != MessageType.MESSAGE_TYPE_TEXT:
            log.info("%s message from %s in %s: not classified", NAMED_TYPES.get(kind, str(kind)),
                     talker.contact_id, room_id or "private chat")
            return None
        name = talker.name
        if room is not None:
            name = (await room.alias(talker)) or name
        mentions = tuple(payload.mention_ids or ())
        text, quoted = split_quote(payload.text or "")
        text = await self._strip_mentions(text, room, mentions)
        return Incoming(id=msg.message_id, room=room_id, sender=talker.contact_id, name=name,
                        text=text, ts=self._time(payload.timestamp), mentions=mentions, quoted=quoted)

    async def _strip_mentions(self, text: str, room: Room | None, mentions: tuple[str, ...]) -> str:
        """Remove `@名字` marks: `Message.mention_text()` returns '' whenever there are mentions."""
        text = _AT_MARK.sub("", text)
        for contact_id in mentions:
            contact = self.bot.Contact.load(contact_id)
            await contact.ready()
            names = {contact.name}
            if room is not None:
                names.add(await room.alias(contact) or contact.name)
            text = drop_at_marks(text, names)
        return text.strip()

    # ---- room members

    def _read_all_members(self) -> None:
        """Read the member list of every bound room again (at login, and now and then)."""
        for room_id in dict.fromkeys(self.rooms.by_wechat.values()):
            self.queue.put_nowait(_MembersChanged(room_id))

    async def _members_changed(self, payload) -> None:
        """Someone joined or left a WeChat room (or the bot was added to one): read its member
        list again, in order with the messages. A room not in the config is ignored."""
        wechat_id = payload.room_id
        room_id = self.rooms.by_wechat.get(wechat_id)
        if room_id is None:  # maybe a configured group the bot was just added to
            room = await self.bot.puppet.room_payload(wechat_id)
            room_id = self.rooms.config_id(wechat_id, room.topic if room else None)
        if room_id is not None:
            self.queue.put_nowait(_MembersChanged(room_id))

    async def room_members(self, room_id: str) -> list[tuple[str, str]] | None:
        """Everyone in the room but the bot, through `Room.member_list()` (the gateway's
        RoomMemberList); None while logged out, before the room is bound, or if the gateway fails."""
        wechat_id = self.rooms.wechat_id(room_id)
        if self.status.state != "logged_in" or self.bot is None or wechat_id is None:
            return None
        try:
            contacts = await self.bot.Room.load(wechat_id).member_list()
        except Exception as exc:  # the next login, join or leave tries again
            log.warning("could not read the members of %s (%s: %s)", room_id, type(exc).__name__, exc)
            return None
        me = self.self_id or self.bot.puppet.self_id()
        members = [(c.contact_id, c.name) for c in contacts if c.contact_id != me]
        if not members:  # a group of the bot alone is far less likely than a gateway hiccup
            log.warning("the gateway listed no members for %s: the members are left as they were", room_id)
            return None
        return members

    async def _report_members(self, room_id: str) -> None:
        members = await self.room_members(room_id)
        if members is not None and self._on_members is not None:
            await self._on_members(room_id, members)

    def _time(self, timestamp: int | None) -> datetime:
        if not timestamp:
            return self.clock.now()
        seconds = timestamp / 1000 if timestamp > 10**11 else timestamp
        return datetime.fromtimestamp(seconds, tz=self._tz)

    # ---- outgoing

    async def send(self, message: Outgoing) -> None:
        if self.status.state != "logged_in" or self.bot is None:
            raise SendError(f"not logged in to WeChat ({self.status.state})")
        try:
            if message.room is not None:
                target = await self._room_for(message.room)
                mentions = list(message.mentions) or None
            else:
                target = self.bot.Contact.load(message.to)
                await target.ready()
                mentions = None
            if message.text:
                if mentions:
                    await target.say(message.text, mentions)
                else:
                    await target.say(message.text)
            if message.image:
                await target.say(FileBox.from_base64(base64.b64encode(message.image), name="linli.png"))
        except SendError:
            raise
        except Exception as exc:  # the outbox retries; the reason goes to the log
            raise SendError(f"{type(exc).__name__}: {exc}") from exc

    async def _room_for(self, room_id: str) -> Room:
        wechat_id = self.rooms.wechat_id(room_id)
        if wechat_id is None:
            wechat_id = await self._find_room(room_id)
        room = self.bot.Room.load(wechat_id)
        await room.ready()
        return room

    async def _find_room(self, room_id: str) -> str:
        """A room nobody spoke in yet: look it up among the account's groups by id or topic."""
        config = self.settings.room(room_id)
        for wechat_id in await self.bot.puppet.room_list():
            payload = await self.bot.puppet.room_payload(wechat_id)
            topic = payload.topic if payload else None
            if wechat_id == room_id or (config and topic and topic.strip() == config.name):
                self.rooms.bind(room_id, wechat_id, topic)
                self.queue.put_nowait(_MembersChanged(room_id))
                return wechat_id
        raise SendError(f"room {room_id} is not among this WeChat account's groups "
                        f"(no group with the topic {config.name if config else '?'})")


def split_quote(text: str) -> tuple[str, str | None]:
    """(reply, quoted text) of a WeChat quote-reply; (text, None) for anything else."""
    m = _QUOTE.match(text)
    if not m:
        return text, None
    return m.group("text").strip(), _AT_MARK.sub("", m.group("quoted")).strip() or None
