"""One client's conversation with the feed, whatever carries it: credentials, subscribe, unsubscribe.

WebSocket clients send JSON messages::

    {"op": "auth", "token": "..."}                     (or "api_key"; when the URL and headers had none)
    {"op": "subscribe", "channels": ["match:7", "stage:3"], "since": {"match:7": {"epoch": "...", "seq": 41}}}
    {"op": "unsubscribe", "channels": ["match:7"]}
    {"op": "ping"}

SSE clients name their channels in the query (``?channels=match:7,stage:3``) and resume with the
``Last-Event-ID`` the browser keeps (or ``?since=``): every event's id is the client's position in all its
channels, ``channel@epoch@seq`` joined by commas. A bad message gets ``{"kind": "error", "code": ...}`` and
the connection stays usable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
from litestar.connection import ASGIConnection

from api.errors import NotFoundError
from api.live.channels import ChannelError, ChannelRef, parse_channel
from api.live.hub import Connection
from api.live.service import LiveFeed, Position, control

__all__ = ["ClientMessage", "Session", "credential", "format_positions", "parse_positions"]


class ClientMessage(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    op: str
    channels: list[str] = []
    since: dict[str, Position] = {}
    token: str = ""
    api_key: str = ""


_decode = msgspec.json.Decoder(ClientMessage)
OPS = ("subscribe", "unsubscribe", "ping", "auth")


def credential(connection: ASGIConnection[Any, Any, Any, Any]) -> tuple[str, str] | None:
    """("api_key" | "token", value) from the headers, or from the query for browsers (which cannot set
    headers on a WebSocket or an EventSource); None when there is none."""
    key = connection.headers.get("x-api-key") or connection.query_params.get("api_key")
    if key:
        return "api_key", key
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token", token.strip()
    token = connection.query_params.get("token", "")
    return ("token", token) if token else None


def format_positions(positions: dict[str, tuple[str, int]]) -> str:
    return ",".join(f"{name}@{epoch}@{seq}" for name, (epoch, seq) in positions.items())


def parse_positions(text: str) -> dict[str, Position]:
    """``channel@epoch@seq,...`` (an SSE event id); ValueError with what is wrong."""
    out = {}
    for part in filter(None, text.split(",")):
        name, epoch, seq = part.rsplit("@", 2) if part.count("@") >= 2 else ("", "", "")
        if not name or not seq.isdigit():
            raise ValueError(f"{part[:80]!r} is not channel@epoch@seq")
        out[name] = Position(epoch=epoch, seq=int(seq))
    return out


class Session:
    """Subscriptions of one connection, changed by what the client asks."""

    def __init__(self, live: LiveFeed, connection: Connection) -> None:
        self.live = live
        self.connection = connection

    def error(self, code: str, message: str, channel: str | None = None) -> None:
        self.live.metrics.errors.labels(code).inc()
        fields: dict[str, object] = {"kind": "error", "code": code, "message": message}
        if channel is not None:
            fields["channel"] = channel
        self.connection.push(control(**fields))

    async def handle(self, raw: str | bytes) -> None:
        """One message of a WebSocket client."""
        limit = self.live.config.max_frame_bytes
        size = len(raw) if isinstance(raw, bytes) else len(raw.encode())
        if size > limit:
            self.error("frame_too_large", f"a message may have at most {limit} bytes; this one had {size}")
            return
        try:
            message = _decode.decode(raw)
        except msgspec.ValidationError as exc:
            self.error("bad_message", f"not a feed message: {exc}")
            return
        except msgspec.DecodeError:
            self.error("bad_json", 'a message must be a JSON object such as {"op": "subscribe", "channels": [...]}')
            return
        if message.op == "subscribe":
            await self.subscribe(message.channels, message.since)
        elif message.op == "unsubscribe":
            self.unsubscribe(message.channels)
        elif message.op == "ping":
            self.connection.push(control(kind="pong"))
        elif message.op == "auth":
            self.error("already_authenticated", "this connection is authenticated already")
        else:
            self.error("unknown_op", f"no operation {message.op[:40]!r}; there are: {', '.join(OPS)}")

    def _channels(self, names: list[str]) -> Iterator[ChannelRef]:
        """The channels ``names`` name; each name that is not one gets its error (the others go on)."""
        for name in names:
            try:
                yield parse_channel(name, self.connection.org)
            except ChannelError as exc:
                self.error(exc.code, str(exc), str(name)[:80])

    async def subscribe(self, names: list[str], since: dict[str, Position]) -> None:
        connection = self.connection
        unknown = sorted(set(since) - set(names))
        if unknown:
            self.error("bad_message", f"since names channels not subscribed here: {', '.join(unknown)[:200]}")
            return
        for ref in self._channels(names):
            if ref.key in connection.channels:
                self.error("already_subscribed", f"this connection listens to {ref.name} already", ref.name)
                continue
            if len(connection.channels) >= self.live.config.max_channels:
                limit = self.live.config.max_channels
                self.error("too_many_channels", f"a connection may hold {limit} channels; unsubscribe first", ref.name)
                continue
            try:
                await self.live.subscribe(connection, ref, since.get(ref.name))
            except NotFoundError as exc:
                self.error("not_found", str(exc), ref.name)

    def unsubscribe(self, names: list[str]) -> None:
        connection = self.connection
        for ref in self._channels(names):
            channel = connection.channels.get(ref.key)
            if channel is None:
                self.error("not_subscribed", f"this connection does not listen to {ref.name}", ref.name)
                continue
            self.live.hub.unlisten(connection, channel)
            connection.push(control(kind="unsubscribed", channel=ref.name))
