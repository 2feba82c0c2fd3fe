"""Channel names, what each means, and who may hear it.

A client names ``match:{id}``, ``stage:{id}``, ``stage:{id}:predictions``, ``season:{id}:leaders`` or
``org``. Ids are global, so all but ``org`` are one channel per process whoever listens; ``org`` is the
caller's own organization, kept internally as ``org:{id}`` and shown to each client as plain ``org``. A
channel of another organization is refused exactly like its REST route answers 404: it does not exist for
the caller.
"""

from __future__ import annotations

import re

import msgspec

from api.db import Database
from api.errors import NotFoundError
from api.tenancy import ensure_in_org

__all__ = ["KINDS", "ChannelError", "ChannelRef", "authorize", "parse_channel"]

#: channel kind -> the table its id names (``org`` has no id)
KINDS = {"match": "matches", "stage": "stages", "predictions": "stages", "season": "seasons", "org": ""}
#: ids as the routes print them (no leading zeros: ``match:007`` would be a channel nothing is told on)
_ID = r"(0|[1-9][0-9]{0,17})"
_NAME = re.compile(rf"(?:(match|stage):{_ID}|season:{_ID}:leaders|stage:{_ID}:predictions|org)")
_SHAPES = "match:{id}, stage:{id}, stage:{id}:predictions, season:{id}:leaders, org"


class ChannelError(ValueError):
    """A channel name that means nothing: ``code`` says why, for the client's error message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class ChannelRef(msgspec.Struct, frozen=True):
    """A channel as one caller names it, and the key the process keeps it under."""

    kind: str
    item_id: int
    #: what the client named (``org`` for every organization)
    name: str
    #: the process-wide key (``org:{id}`` for an organization)
    key: str


def parse_channel(name: object, org: int) -> ChannelRef:
    """``name`` as the caller (of organization ``org``) wrote it, or :class:`ChannelError`."""
    if not isinstance(name, str):
        raise ChannelError("bad_channel", f"a channel is a string, not {type(name).__name__}")
    found = _NAME.fullmatch(name)
    if found is None:
        kind = name.split(":", 1)[0][:20]
        if kind.strip() not in KINDS or kind.strip() == "predictions":
            raise ChannelError("unknown_channel_kind", f"no channel kind {kind!r}; there are {_SHAPES}")
        raise ChannelError("bad_channel", f"{name[:60]!r} is not a channel name ({_SHAPES})")
    if name == "org":
        return ChannelRef(kind="org", item_id=org, name="org", key=f"org:{org}")
    if found.group(3) is not None:
        return ChannelRef(kind="season", item_id=int(found.group(3)), name=name, key=name)
    if found.group(4) is not None:
        return ChannelRef(kind="predictions", item_id=int(found.group(4)), name=name, key=name)
    return ChannelRef(kind=found.group(1), item_id=int(found.group(2)), name=name, key=name)


async def authorize(db: Database, org: int, ref: ChannelRef) -> None:
    """:class:`NotFoundError` unless the channel's item is one of ``org``'s (``org`` is always the caller's)."""
    if ref.kind == "org":
        return
    async with db.read() as conn:
        try:
            await ensure_in_org(conn, org, KINDS[ref.kind], ref.item_id)
        except NotFoundError:
            raise NotFoundError(f"channel {ref.name} not found: no such {ref.kind} in this organization") from None
