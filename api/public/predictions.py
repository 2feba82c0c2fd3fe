"""A stage's forecast in the public API: match probabilities and position odds.

Read from ``stats.match_predictions`` and ``stats.position_odds``, which the stream processor's forecast
step materializes (one forecast per stage, replaced whole when a result of the stage changes). The live
feed tells the same bodies on ``stage:{id}:predictions`` (:func:`live_body` builds them from the topic's
record), so a widget reads the route once and then replaces what it shows with each message.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Response, get

from api.db import Database, Row
from api.public.controllers import AnyRequest, CtxDep
from api.public.queries import in_org
from api.public.replies import reply

__all__ = [
    "HockeySplit",
    "LikelyScore",
    "MatchPrediction",
    "PositionOdds",
    "PredictionsController",
    "StagePredictions",
    "TeamOdds",
    "Zone",
    "live_body",
    "match_predictions",
    "position_odds",
]

_json = msgspec.json.Encoder()


class LikelyScore(msgspec.Struct, frozen=True):
    home: int
    away: int
    probability: float


class HockeySplit(msgspec.Struct, frozen=True):
    """How a hockey match ends: each side's win in regulation, overtime or the shoot-out."""

    home_reg: float
    home_ot: float
    home_so: float
    away_reg: float
    away_ot: float
    away_so: float


class MatchPrediction(msgspec.Struct, frozen=True):
    match_id: int
    #: null for a stage without groups
    group_id: int | None
    home_team_id: int
    away_team_id: int
    #: the day of the kick-off, when it is known
    kickoff: str | None
    p_home: float
    p_draw: float
    p_away: float
    #: hockey only: the split of each side's win (a hockey "draw" goes to overtime)
    hockey: HockeySplit | None
    #: the most likely scores, most likely first
    likely_scores: list[LikelyScore]


class Zone(msgspec.Struct, frozen=True):
    """A range of final positions the stage defines (title, promotion, playoff, relegation...)."""

    name: str
    first: int
    last: int


class TeamOdds(msgspec.Struct, frozen=True):
    team_id: int
    group_id: int | None
    #: the Elo-type rating, and the model's attack and defence strengths
    elo: float
    attack: float
    defence: float
    #: the probability of each final position, first place first
    position_probabilities: list[float]
    #: the probability of ending in each zone
    zone_probabilities: dict[str, float]
    #: the best and worst final positions any remaining results can give (null: not decided in time)
    best_possible: int | None
    worst_possible: int | None
    #: zones the team is sure to end in whatever happens, and zones it can no longer reach
    clinched: list[str]
    eliminated: list[str]


class PositionOdds(msgspec.Struct, frozen=True):
    stage_id: int
    #: simulated seasons behind the probabilities (0: no forecast yet)
    sims: int
    zones: list[Zone]
    #: by expected final position
    teams: list[TeamOdds]


class StagePredictions(msgspec.Struct, frozen=True):
    """The body of the live channel ``stage:{id}:predictions``: both answers at once."""

    predictions: list[MatchPrediction]
    odds: PositionOdds


def _likely(raw: Any) -> list[LikelyScore]:
    scores = msgspec.json.decode(raw) if isinstance(raw, str | bytes) else raw
    return [LikelyScore(int(h), int(a), float(p)) for h, a, p in scores]


def _match(row: Row | dict[str, Any]) -> MatchPrediction:
    split = None
    if row.get("p_home_reg") is not None:
        split = HockeySplit(
            **{f"{s}_{how}": float(row[f"p_{s}_{how}"]) for s in ("home", "away") for how in ("reg", "ot", "so")}
        )
    return MatchPrediction(
        match_id=int(row["match_id"]),
        group_id=int(row["group_key"]) or None,
        home_team_id=int(row["home_team_id"]),
        away_team_id=int(row["away_team_id"]),
        kickoff=row.get("kickoff"),
        p_home=float(row["p_home"]),
        p_draw=float(row["p_draw"]),
        p_away=float(row["p_away"]),
        hockey=split,
        likely_scores=_likely(row["likely_scores"]),
    )


def _team(row: Row | dict[str, Any]) -> TeamOdds:
    zones = row["zone_probabilities"]
    return TeamOdds(
        team_id=int(row["team_id"]),
        group_id=int(row["group_key"]) or None,
        elo=float(row["elo"]),
        attack=float(row["attack"]),
        defence=float(row["defence"]),
        position_probabilities=[float(p) for p in row["position_probabilities"]],
        zone_probabilities=msgspec.json.decode(zones) if isinstance(zones, str | bytes) else dict(zones),
        best_possible=row.get("best_possible"),
        worst_possible=row.get("worst_possible"),
        clinched=list(row["clinched"]),
        eliminated=list(row["eliminated"]),
    )


def _ordered(teams: list[TeamOdds]) -> list[TeamOdds]:
    """Groups apart, then by expected final position (ties by team id): the order a table shows."""

    def expected(t: TeamOdds) -> float:
        return sum(n * p for n, p in enumerate(t.position_probabilities, start=1))

    return sorted(teams, key=lambda t: (t.group_id or 0, round(expected(t), 9), t.team_id))


async def match_predictions(db: Database, org: int, stage_id: int) -> list[MatchPrediction]:
    await in_org(db, org, "stages", stage_id)
    async with db.read() as conn:
        rows = await (
            await conn.execute(
                "SELECT * FROM stats.match_predictions WHERE stage_id = %s ORDER BY kickoff NULLS LAST, match_id",
                (stage_id,),
            )
        ).fetchall()
    return [_match(r) for r in rows]


async def position_odds(db: Database, org: int, stage_id: int) -> PositionOdds:
    await in_org(db, org, "stages", stage_id)
    async with db.read() as conn:
        query = "SELECT * FROM stats.position_odds WHERE stage_id = %s"
        rows = await (await conn.execute(query, (stage_id,))).fetchall()
        stage = await (await conn.execute("SELECT zones FROM stages WHERE id = %s", (stage_id,))).fetchone()
    zones = msgspec.convert(stage["zones"] if stage is not None else [], list[Zone])
    sims = int(rows[0]["sims"]) if rows else 0
    return PositionOdds(stage_id=stage_id, sims=sims, zones=zones, teams=_ordered([_team(r) for r in rows]))


def live_body(record: dict[str, Any]) -> bytes:
    """A ``rstat.stats.predictions`` record as the live channel tells it: the routes' two answers."""
    matches = sorted((_match(m) for m in record["matches"]), key=lambda m: (m.kickoff is None, m.kickoff, m.match_id))
    odds = PositionOdds(
        stage_id=int(record["stage_id"]),
        sims=int(record["sims"]) if record["teams"] else 0,
        zones=msgspec.convert(record["zones"], list[Zone]),
        teams=_ordered([_team(t) for t in record["teams"]]),
    )
    return _json.encode(StagePredictions(predictions=matches, odds=odds))


class PredictionsController(Controller):
    """Forecasts of a stage: what its results so far say of its matches to come and its final table."""

    path = "/v1"
    tags = ("predictions",)

    @get("/stages/{stage_id:int}/predictions", summary="Probabilities of a stage's matches still to play")
    async def predictions(self, stage_id: int, request: AnyRequest, c: CtxDep) -> Response[list[MatchPrediction]]:
        return reply(request, c.max_age, await match_predictions(c.db, c.org, stage_id))

    @get(
        "/stages/{stage_id:int}/odds",
        summary="Each team's final-position and zone probabilities, clinched and eliminated zones",
    )
    async def odds(self, stage_id: int, request: AnyRequest, c: CtxDep) -> Response[PositionOdds]:
        return reply(request, c.max_age, await position_odds(c.db, c.org, stage_id))
