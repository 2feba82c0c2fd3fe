"""``GET /v1/live``: the feed over a WebSocket.

The credential comes from the headers, the URL (``?token=`` / ``?api_key=``: browsers cannot set headers on a
WebSocket) or a first ``{"op": "auth"}`` message within ``auth_timeout_s``. A refused credential closes the
socket with 4401 (4429 when the client is over its rate), a slow client with 4008; the reason says why.
A frame carries one or more messages, one JSON object per line (like Centrifugo's JSON protocol).
One task reads the client's messages, one writes the queued ones; whichever ends first ends the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import msgspec
from litestar import WebSocket, websocket
from litestar.handlers import WebsocketRouteHandler

from api.errors import ApiError, TooManyRequestsError, UnauthorizedError
from api.live.hub import Connection
from api.live.service import LiveFeed, control
from api.live.session import ClientMessage, Session, credential
from api.public.access import Access

__all__ = ["UNAUTHORIZED", "websocket_route"]

log = logging.getLogger(__name__)

UNAUTHORIZED, RATE_LIMITED = 4401, 4429
#: messages one frame carries at most
FRAME_MESSAGES = 64
AnySocket = WebSocket[Any, Any, Any]


async def _identify(socket: AnySocket, access: Access, timeout_s: float) -> tuple[str, int]:
    found = credential(socket)
    if found is None:
        try:
            event = await asyncio.wait_for(socket.receive(), timeout_s)
        except TimeoutError:
            raise UnauthorizedError(
                f'no credential within {timeout_s:g} s: send {{"op": "auth", "token": ...}}'
            ) from None
        try:
            found = _first(_payload(event))
        except ValueError as exc:
            raise UnauthorizedError(str(exc)) from None
    kind, value = found
    subject, org = await (access.by_api_key(value) if kind == "api_key" else access.by_token(value))
    access.admit(subject)
    return subject, org


def _payload(event: Any) -> str | bytes:
    """A received frame's text or bytes (empty for a disconnect)."""
    data = event.get("text") or event.get("bytes") or b""
    return data if isinstance(data, str | bytes) else b""


def _first(raw: str | bytes) -> tuple[str, str]:
    try:
        message = msgspec.json.decode(raw, type=ClientMessage)
    except msgspec.MsgspecError:
        message = None
    if message is None or message.op != "auth" or not (message.token or message.api_key):
        raise ValueError('the first message must authenticate: {"op": "auth", "token": "..."} or "api_key"')
    return ("api_key", message.api_key) if message.api_key else ("token", message.token)


async def _write(socket: AnySocket, connection: Connection, live: LiveFeed) -> None:
    """Send what is queued, several messages to a frame (one per line) when several wait: a frame costs a
    system call and the server's framing per client, and a change often makes several messages at once (a
    goal, the live standings it moves)."""
    latency = live.metrics.latency
    while True:
        items = await connection.take()
        if not items:
            return
        for start in range(0, len(items), FRAME_MESSAGES):
            frame = items[start : start + FRAME_MESSAGES]
            text = frame[0][1] if len(frame) == 1 else "\n".join(data for _ts, data in frame)
            connection.sending_since = time.monotonic()
            await socket.send({"type": "websocket.send", "text": text, "bytes": None})
        connection.sending_since = None
        newest = max(ts for ts, _data in items)
        if newest:
            latency.observe(max(0.0, time.time() - newest / 1000))


async def _read(socket: AnySocket, session: Session) -> None:
    while True:
        event = await socket.receive()
        if event["type"] == "websocket.disconnect":
            return
        await session.handle(_payload(event))


def websocket_route(live: LiveFeed, access: Access) -> WebsocketRouteHandler:
    config = live.config

    @websocket("/v1/live", name="live")
    async def live_socket(socket: AnySocket) -> None:
        await socket.accept()
        try:
            _subject, org = await _identify(socket, access, config.auth_timeout_s)
        except ApiError as exc:
            code = RATE_LIMITED if isinstance(exc, TooManyRequestsError) else UNAUTHORIZED
            with contextlib.suppress(Exception):
                await socket.close(code, str(exc)[:120])
            return
        connection = Connection(org, config.queue_size, live.metrics, "ws")
        live.hub.attach(connection)
        connection.push(
            control(kind="connected", org=org, heartbeat_s=config.heartbeat_s, max_channels=config.max_channels)
        )
        writer = asyncio.create_task(_write(socket, connection, live))
        reader = asyncio.create_task(_read(socket, Session(live, connection)))
        connection.abort = writer.cancel
        try:
            await asyncio.wait({writer, reader}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (writer, reader):
                task.cancel()
            for task in (writer, reader):
                with contextlib.suppress(BaseException):
                    await task
                if not task.cancelled() and task.exception() is not None:
                    log.error("live feed: a WebSocket of organization %d failed", org, exc_info=task.exception())
            live.hub.detach(connection)
        if connection.closing is not None:
            code, reason = connection.closing
            with contextlib.suppress(Exception):
                await asyncio.wait_for(socket.close(code, reason[:120]), config.send_timeout_s)

    return live_socket
