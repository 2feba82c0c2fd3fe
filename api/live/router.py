"""What each record read from the topics tells which channel.

- a notice (JSON, stable id): ``match:{match_id}`` (a suspension excepted) and the organization's ``org``;
  a notice seen before (a redelivery, or the backfill after a restart) is not told twice;
- a standings or live standings record: ``stage:{stage_id}`` (kinds ``standings``, ``live_standings``; the
  body is one group as ``GET /v1/stages/{id}/standings`` shows it); an older version than one told, or a
  table that did not change, is skipped;
- a forecast record: ``stage:{stage_id}:predictions`` (kind ``predictions``, the body as the channel's state
  has it); an older version than one told, or the same forecast again, is skipped;
- a player's season record: the season's leaderboards are read again once the materialized statistics
  hold it (:class:`Leaders`), and told on ``season:{id}:leaders`` when they changed.

Records are handled one after the other in the order read, so each channel's messages keep their order.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import Any

import msgspec

from api.db import Database
from api.live.config import LiveConfig
from api.live.feed import Record
from api.live.hub import Hub
from api.live.state import PREDICTIONS_PART, leaderboards, snapshot_part
from api.public.predictions import live_body
from api.tenancy import org_of

__all__ = ["Leaders", "Router"]

log = logging.getLogger(__name__)

_json = msgspec.json.Encoder()
#: notice ids remembered to drop redeliveries
SEEN_NOTICES = 200_000
#: stages and seasons whose organization is remembered
KNOWN_OWNERS = 100_000


class _NoticeHead(msgspec.Struct):
    """What routing needs of a notice; the rest travels as it came."""

    id: str
    kind: str
    stage_id: int = 0
    season_id: int | None = None
    match_id: int | None = None


_notice = msgspec.json.Decoder(_NoticeHead)


class Leaders:
    """Season leaderboards re-read after the players they depend on are materialized.

    A player's record reaches this process about when it reaches the materializer, so the boards are read
    once ``stats.player_stats_versions`` holds every version noted (checked every ``leaders_refresh_s``,
    which also bounds how often one season's boards are read). Only seasons someone listens to, or listened
    to recently (their channel is kept), are read.
    """

    def __init__(self, hub: Hub, db: Database, config: LiveConfig) -> None:
        self.hub = hub
        self.db = db
        self.config = config
        #: season -> organization, player -> newest version noted
        self.pending: dict[int, tuple[int, dict[int, int]]] = {}
        self.wake = asyncio.Event()

    def note(self, org: int, season_id: int, player_id: int, version: int) -> None:
        if f"season:{season_id}:leaders" not in self.hub.channels:
            return
        players = self.pending.setdefault(season_id, (org, {}))[1]
        players[player_id] = max(version, players.get(player_id, 0))
        self.wake.set()

    async def run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            await asyncio.sleep(self.config.leaders_refresh_s)
            for season_id in list(self.pending):
                try:
                    await self._refresh(season_id)
                except Exception:
                    log.exception("live feed: reading the leaders of season %d failed; trying again", season_id)
            if self.pending:
                self.wake.set()  # some are not materialized yet: look again after the interval

    async def _refresh(self, season_id: int) -> None:
        org, players = self.pending[season_id]
        async with self.db.read() as conn:
            rows = await (
                await conn.execute(
                    "SELECT player_id, version FROM stats.player_stats_versions "
                    "WHERE season_id = %s AND player_id = ANY(%s)",
                    (season_id, list(players)),
                )
            ).fetchall()
        stored = {int(r["player_id"]): int(r["version"]) for r in rows}
        if any(stored.get(p, 0) < v for p, v in players.items()):
            return
        del self.pending[season_id]
        key = f"season:{season_id}:leaders"
        channel = self.hub.channels.get(key)
        if channel is None:
            return
        body = await leaderboards(self.db, org, season_id, self.config.leaders_limit)
        if channel.snapshots.get("leaders", (0, b""))[1] != body:
            channel.snapshots["leaders"] = (0, body)
            self.hub.publish(key, key, "leaders", body, _now_ms())


def _now_ms() -> int:
    return int(time.time() * 1000)


class Router:
    """Turns records into channel messages, in the order read."""

    def __init__(self, hub: Hub, db: Database, leaders: Leaders) -> None:
        self.hub = hub
        self.db = db
        self.leaders = leaders
        self.seen: OrderedDict[str, None] = OrderedDict()
        #: ("stages" | "seasons", id) -> organization
        self.owners: OrderedDict[tuple[str, int], int | None] = OrderedDict()
        self.inbox: asyncio.Queue[list[Record]] = asyncio.Queue()

    def deliver(self, records: list[Record]) -> None:
        """Called on the event loop by the feed's thread."""
        self.inbox.put_nowait(records)

    async def run(self) -> None:
        while True:
            records = await self.inbox.get()
            for record in records:
                try:
                    await self.route(record)
                except Exception:
                    log.exception("live feed: a %s record could not be routed; skipped", record.role)

    async def owner(self, table: str, item_id: int) -> int | None:
        key = (table, item_id)
        if key in self.owners:
            return self.owners[key]
        async with self.db.read() as conn:
            org = await org_of(conn, table, item_id)
        self.owners[key] = org
        if len(self.owners) > KNOWN_OWNERS:
            self.owners.popitem(last=False)
        return org

    async def route(self, record: Record) -> None:
        if record.role == "notices":
            await self._notice(record.value, record.ts_ms)
        elif record.role in ("standings", "live_standings"):
            self._standings(record.role, record.value, record.ts_ms)
        elif record.role == "predictions":
            self._predictions(record.value, record.ts_ms)
        elif record.role == "players":
            value: dict[str, Any] = record.value
            org = await self.owner("seasons", int(value["season_id"]))
            if org is not None:
                self.leaders.note(org, int(value["season_id"]), int(value["player_id"]), int(value["version"]))

    async def _notice(self, raw: bytes, ts_ms: int) -> None:
        head = _notice.decode(raw)
        if head.id in self.seen:
            return
        self.seen[head.id] = None
        if len(self.seen) > SEEN_NOTICES:
            self.seen.popitem(last=False)
        if head.match_id is not None and head.kind != "player_suspended":
            name = f"match:{head.match_id}"
            self.hub.publish(name, name, head.kind, raw, ts_ms)
        org = await (self.owner("stages", head.stage_id) if head.stage_id else self._season_owner(head.season_id))
        if org is not None:
            self.hub.publish(f"org:{org}", "org", head.kind, raw, ts_ms)

    async def _season_owner(self, season_id: int | None) -> int | None:
        return None if season_id is None else await self.owner("seasons", season_id)

    def _standings(self, role: str, value: dict[str, Any], ts_ms: int) -> None:
        name = f"stage:{value['stage_id']}"
        group_key = int(value["group_key"])
        part = snapshot_part(role == "live_standings", group_key)
        channel = self.hub.channel(name, name)
        version = int(value["version"])
        known, told = channel.snapshots.get(part, (-1, b""))
        if known >= version:
            return  # told already (a redelivery, or an older version)
        body = _json.encode({"group_id": group_key or None, "rows": value["rows"]})
        channel.snapshots[part] = (version, body)
        if body != told:  # the stage changed, this table did not (a goal in play leaves the final one as it is)
            self.hub.publish(name, name, role, body, ts_ms)

    def _predictions(self, value: dict[str, Any], ts_ms: int) -> None:
        name = f"stage:{value['stage_id']}:predictions"
        channel = self.hub.channel(name, name)
        version = int(value["version"])
        known, told = channel.snapshots.get(PREDICTIONS_PART, (-1, b""))
        if known >= version:
            return
        body = live_body(value)
        channel.snapshots[PREDICTIONS_PART] = (version, body)
        if body != told:
            self.hub.publish(name, name, "predictions", body, ts_ms)
