"""Discord's gateway v10 over a real websocket: HELLO, IDENTIFY, heartbeats, RESUME, op 7, op 9, zlib-stream."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

logger = logging.getLogger(__name__)

Payload = dict[str, Any]
DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 0, 1, 2, 6, 7, 9, 10, 11
MESSAGE_CONTENT_INTENT = 1 << 15
AUTHENTICATION_FAILED, DISALLOWED_INTENTS = 4004, 4014


@dataclass
class Session:
    """One gateway session: what it was sent (for RESUME) and the socket it is on, if any."""

    id: str
    intents: int
    sent: list[Payload] = field(default_factory=list)
    socket: web.WebSocketResponse | None = None
    compressor: Any = None
    transport: asyncio.Transport | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held while frames are sent, so a replay and a new dispatch never interleave."""

    @property
    def sequence(self) -> int:
        return len(self.sent)


@dataclass
class Gateway:
    """The websocket end of the stand-in; ``ready`` and ``guilds`` give what a fresh session is sent."""

    token: str
    ready: Callable[[], Payload]
    guilds: Callable[[], list[Payload]]
    heartbeat_interval_ms: int = 1000
    allowed_intents: int = ~0
    """Privileged intents the application has switched on in the portal (all by default)."""
    url: str = ""
    sessions: dict[str, Session] = field(default_factory=dict)
    opcodes: list[tuple[str, int]] = field(default_factory=list)
    """(session id or "", op) of every frame the clients sent, in order."""
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def current(self) -> Session | None:
        """The newest session that is connected."""
        live = [session for session in self.sessions.values() if session.socket is not None]
        return live[-1] if live else None

    async def wait_for(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        """Wait until ``predicate`` holds; it is checked whenever a session changes or a frame arrives."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(predicate)

    async def connected(self, within: float = 10.0) -> Session:
        """The session once one is connected and was sent READY or RESUMED."""
        await self.wait_for(lambda: self.current is not None, within)
        current = self.current
        assert current is not None
        return current

    def count(self, op: int) -> int:
        """How many frames with ``op`` clients have sent."""
        return sum(1 for _, seen in self.opcodes if seen == op)

    async def dispatch(self, event: str, data: Payload) -> None:
        """Send a dispatch to every session; a session whose socket dropped keeps it for its RESUME."""
        for session in list(self.sessions.values()):
            async with session.lock:
                frame = {"op": DISPATCH, "t": event, "s": session.sequence + 1, "d": data}
                session.sent.append(frame)
                await self._send(session, frame)

    async def drop(self) -> None:
        """Cut the current socket without a close frame, as a network failure does."""
        session = self.current
        if session is not None and session.transport is not None:
            session.transport.abort()
            await self._detach(session)

    async def reconnect(self) -> None:
        """Op 7: ask the current client to reconnect and resume."""
        session = self.current
        if session is not None and session.socket is not None:
            await self._send(session, {"op": RECONNECT, "d": None})

    async def invalidate(self, *, resumable: bool = False) -> None:
        """Op 9: tell the current client its session is gone (unless ``resumable``)."""
        session = self.current
        if session is not None and session.socket is not None:
            if not resumable:
                self.sessions.pop(session.id, None)
            await self._send(session, {"op": INVALID_SESSION, "d": resumable})

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """One websocket connection, from HELLO until it closes."""
        if request.query.get("v") != "10" or request.query.get("encoding", "json") != "json":
            return web.Response(status=400, text="unsupported gateway version or encoding")
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        zlib_stream = request.query.get("compress") == "zlib-stream"
        compressor = zlib.compressobj() if zlib_stream else None
        pending = Session("", 0, socket=socket, compressor=compressor, transport=request.transport)
        await self._send(pending, {"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        session: Session | None = None
        try:
            async for message in socket:
                if message.type is not WSMsgType.TEXT:
                    break
                frame = json.loads(message.data)
                op = frame.get("op")
                async with self._changed:
                    self.opcodes.append((session.id if session else "", op))
                    self._changed.notify_all()
                if op == HEARTBEAT:
                    await self._send(session or pending, {"op": HEARTBEAT_ACK})
                elif op == IDENTIFY and session is None:
                    session = await self._identify(pending, frame["d"])
                elif op == RESUME and session is None:
                    session = await self._resume(pending, frame["d"])
                if socket.closed:
                    break
        finally:
            if session is not None and session.socket is socket:
                await self._detach(session)
        return socket

    async def _identify(self, pending: Session, data: Payload) -> Session | None:
        assert pending.socket is not None
        if data.get("token") != self.token:
            await pending.socket.close(code=AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return None
        intents = int(data.get("intents", 0))
        if intents & MESSAGE_CONTENT_INTENT and not self.allowed_intents & MESSAGE_CONTENT_INTENT:
            await pending.socket.close(code=DISALLOWED_INTENTS, message=b"Disallowed intent(s).")
            return None
        session = Session(secrets.token_hex(16), intents, compressor=pending.compressor, transport=pending.transport)
        ready = {**self.ready(), "session_id": session.id, "resume_gateway_url": self.url}
        async with session.lock:
            await self._attach(session, pending.socket)
            for event, payload in [("READY", ready), *(("GUILD_CREATE", guild) for guild in self.guilds())]:
                frame = {"op": DISPATCH, "t": event, "s": session.sequence + 1, "d": payload}
                session.sent.append(frame)
                await self._send(session, frame)
        return session

    async def _resume(self, pending: Session, data: Payload) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq")
        if session is None or data.get("token") != self.token or not isinstance(seq, int) or seq > session.sequence:
            await self._send(pending, {"op": INVALID_SESSION, "d": False})
            return None
        async with session.lock:
            session.compressor, session.transport = pending.compressor, pending.transport
            await self._attach(session, pending.socket)
            for frame in session.sent[seq:]:
                await self._send(session, frame)
            resumed = {"op": DISPATCH, "t": "RESUMED", "s": session.sequence + 1, "d": {}}
            session.sent.append(resumed)
            await self._send(session, resumed)
        return session

    async def _attach(self, session: Session, socket: web.WebSocketResponse | None) -> None:
        async with self._changed:
            session.socket = socket
            self.sessions[session.id] = session
            self._changed.notify_all()

    async def _detach(self, session: Session) -> None:
        async with self._changed:
            session.socket = None
            self._changed.notify_all()

    async def _send(self, session: Session, frame: Payload) -> None:
        """One frame; with zlib-stream, compressed and flushed, a long one split over two websocket messages."""
        socket = session.socket
        if socket is None or socket.closed:
            return
        text = json.dumps(frame)
        try:
            if session.compressor is None:
                await socket.send_str(text)
                return
            data = session.compressor.compress(text.encode()) + session.compressor.flush(zlib.Z_SYNC_FLUSH)
            if len(data) > 256:
                await socket.send_bytes(data[:128])
                data = data[128:]
            await socket.send_bytes(data)
        except ConnectionResetError:
            logger.debug("gateway socket went away while sending %s", frame.get("t") or frame["op"])
