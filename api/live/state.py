"""A channel's current state, the body a subscriber gets first: the same bodies the REST routes answer.

- ``match:{id}``: ``GET /v1/matches/{id}``;
- ``stage:{id}``: ``{"standings": GET /v1/stages/{id}/standings, "live_standings": ...?live=true}``, each
  group brought up to the newest snapshot the channel has published when the materialized tables still lag
  behind it (the feed reads the topics the materializer also reads, and is often ahead of it);
- ``stage:{id}:predictions``: ``{"predictions": GET /v1/stages/{id}/predictions, "odds": .../odds}``, or the
  newest forecast the channel has told when the materialized one is older;
- ``season:{id}:leaders``: every leaderboard, ``{"goals": GET /v1/seasons/{id}/leaders/goals, ...}``;
- ``org``: ``{"org": id, "recent": [...]}``: the channel's latest messages as they were sent.
"""

from __future__ import annotations

from typing import Any

import msgspec

from api.db import Database
from api.live.channels import ChannelRef
from api.live.hub import Channel
from api.public import queries
from api.public.predictions import StagePredictions, match_predictions, position_odds

__all__ = ["PREDICTIONS_PART", "RECENT", "leaderboards", "snapshot_part", "state_body"]

#: messages of an ``org`` channel's state
RECENT = 20
#: the key of the newest forecast among a predictions channel's snapshots
PREDICTIONS_PART = "predictions"

_json = msgspec.json.Encoder()
_groups = msgspec.json.Decoder(list[dict[str, Any]])

_VERSIONS = {
    False: "SELECT group_key, version FROM stats.standings_versions WHERE stage_id = %s",
    True: "SELECT group_key, version FROM stats.live_standings_versions WHERE stage_id = %s",
}


def snapshot_part(live: bool, group_key: int) -> str:
    """The key of one group's standings among a stage channel's snapshots."""
    return f"{'live' if live else 'final'}:{group_key}"


async def leaderboards(db: Database, org: int, season_id: int, limit: int) -> bytes:
    """Every leaderboard of a season, each as its REST route answers it."""
    boards = {kind: await queries.leaders(db, org, season_id, kind, limit) for kind in queries.LEADER_ORDER}
    return _json.encode(boards)


async def _standings(db: Database, org: int, stage_id: int, channel: Channel, *, live: bool) -> list[dict[str, Any]]:
    async with db.read() as conn:
        rows = await (await conn.execute(_VERSIONS[live], (stage_id,))).fetchall()
    stored = {int(r["group_key"]): int(r["version"]) for r in rows}
    groups = _groups.decode(await queries.standings_json(db, org, stage_id, live=live))
    by_key = {int(g["group_id"] or 0): g for g in groups}
    prefix = snapshot_part(live, 0)[:-1]
    for part, (version, body) in channel.snapshots.items():
        if part.startswith(prefix):
            key = int(part[len(prefix) :])
            if version > stored.get(key, 0):
                by_key[key] = msgspec.json.decode(body)
    return [by_key[k] for k in sorted(by_key)]


async def _predictions(db: Database, org: int, stage_id: int, channel: Channel) -> bytes:
    """The stage's forecast as materialized, unless the channel has told a newer one."""
    body = _json.encode(
        StagePredictions(
            predictions=await match_predictions(db, org, stage_id), odds=await position_odds(db, org, stage_id)
        )
    )
    told = channel.snapshots.get(PREDICTIONS_PART)
    if told is None:
        return body
    async with db.read() as conn:
        row = await (
            await conn.execute("SELECT version FROM stats.position_odds_versions WHERE stage_id = %s", (stage_id,))
        ).fetchone()
    return told[1] if told[0] > (int(row["version"]) if row is not None else 0) else body


async def state_body(db: Database, org: int, ref: ChannelRef, channel: Channel, leaders_limit: int) -> bytes:
    """The channel's current state for a caller of ``org`` (its access was checked already)."""
    if ref.kind == "match":
        return _json.encode(await queries.match(db, org, ref.item_id))
    if ref.kind == "stage":
        final = await _standings(db, org, ref.item_id, channel, live=False)
        live = await _standings(db, org, ref.item_id, channel, live=True)
        return _json.encode({"standings": final, "live_standings": live})
    if ref.kind == "predictions":
        return await _predictions(db, org, ref.item_id, channel)
    if ref.kind == "season":
        return await leaderboards(db, org, ref.item_id, leaders_limit)
    recent = [msgspec.json.decode(item[1]) for _seq, _at, item in list(channel.history)[-RECENT:]]
    return _json.encode({"org": org, "recent": recent})
