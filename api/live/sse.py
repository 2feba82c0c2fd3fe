"""``GET /v1/live/sse``: the feed as Server-Sent Events, for clients that only need to listen.

The same messages as the WebSocket's, one per event's ``data``. Channels come in the query
(``?channels=match:7,stage:3``), the credential in the headers or the query (``?token=``: ``EventSource``
cannot set headers). Each channel event's ``id`` is the client's position in all its channels, so the
``Last-Event-ID`` a browser sends when it reconnects on its own resumes every channel at once (``?since=``
does the same for other clients). Bad channels are refused before the stream starts (400, or 404 like the
REST routes for a channel of another organization); a client too slow to keep up gets a last
``{"kind": "error", "code": "too_slow"}`` event when it can still take one, and the stream ends.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Request, get
from litestar.handlers import HTTPRouteHandler
from litestar.response import ServerSentEvent, ServerSentEventMessage

from api.errors import InvalidError, UnauthorizedError
from api.live.channels import ChannelError, ChannelRef, authorize, parse_channel
from api.live.hub import TOO_SLOW, Connection
from api.live.service import LiveFeed, Position, control
from api.live.session import credential, format_positions, parse_positions
from api.public.access import Access

__all__ = ["sse_route"]

AnyRequest = Request[Any, Any, Any]
#: milliseconds a browser waits before it reconnects on its own
RETRY_MS = 2000


class _Head(msgspec.Struct):
    """What an event's id needs of a message: which channel, and where in it."""

    channel: str = ""
    epoch: str = ""
    seq: int = 0
    kind: str = ""


_head = msgspec.json.Decoder(_Head)


async def _channels(request: AnyRequest, live: LiveFeed, org: int) -> tuple[list[ChannelRef], dict[str, Position]]:
    names = [n for n in request.query_params.get("channels", "").split(",") if n]
    if not names:
        raise InvalidError("name the channels: ?channels=match:{id},stage:{id},season:{id}:leaders,org")
    if len(names) > live.config.max_channels:
        raise InvalidError(f"a connection may hold {live.config.max_channels} channels; this asked for {len(names)}")
    refs = []
    for name in dict.fromkeys(names):
        try:
            refs.append(parse_channel(name, org))
        except ChannelError as exc:
            raise InvalidError(str(exc), extra={"channel": name[:80], "reason": exc.code}) from None
        await authorize(live.db, org, refs[-1])
    resume = request.headers.get("last-event-id") or request.query_params.get("since") or ""
    try:
        since = parse_positions(resume)
    except ValueError as exc:
        raise InvalidError(f"Last-Event-ID / since: {exc}") from None
    return refs, since


async def _events(
    live: LiveFeed, connection: Connection, refs: list[ChannelRef], since: dict[str, Position]
) -> AsyncIterator[ServerSentEventMessage]:
    hub = live.hub
    hub.attach(connection)
    task = asyncio.current_task()
    connection.abort = task.cancel if task is not None else None
    positions: dict[str, tuple[str, int]] = {n: (p.epoch, p.seq) for n, p in since.items()}
    try:
        yield ServerSentEventMessage(data=control(kind="connected", org=connection.org)[1], retry=RETRY_MS)
        for ref in refs:
            await live.subscribe(connection, ref, since.get(ref.name))
        while True:
            items = await connection.take()
            if not items:
                code, reason = connection.closing or (TOO_SLOW, "")
                kind = "too_slow" if code == TOO_SLOW else "closing"
                yield ServerSentEventMessage(data=control(kind="error", code=kind, message=reason)[1])
                return
            for _ts, data in items:
                head = _head.decode(data)
                event_id = None
                if head.channel:
                    positions[head.channel] = (head.epoch, head.seq)
                    event_id = format_positions(positions)
                connection.sending_since = time.monotonic()
                yield ServerSentEventMessage(data=data, id=event_id)
                connection.sending_since = None
    finally:
        hub.detach(connection)


def sse_route(live: LiveFeed, access: Access) -> HTTPRouteHandler:
    @get("/v1/live/sse", name="live-sse", summary="The live feed as Server-Sent Events", tags=["live"])
    async def live_sse(request: AnyRequest) -> ServerSentEvent:
        found = credential(request)
        if found is None:
            raise UnauthorizedError("a credential is required: Authorization: Bearer, X-API-Key, ?token= or ?api_key=")
        kind, value = found
        subject, org = await (access.by_api_key(value) if kind == "api_key" else access.by_token(value))
        access.admit(subject)
        refs, since = await _channels(request, live, org)
        connection = Connection(org, live.config.queue_size, live.metrics, "sse")
        return ServerSentEvent(_events(live, connection, refs, since), headers={"Cache-Control": "no-store"})

    return live_sse
