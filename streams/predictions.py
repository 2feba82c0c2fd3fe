"""What a stage's forecast depends on, taken from its state by the fold and sent off the hot path.

The fold calls :meth:`ForecastRequests.offer` whenever it publishes a stage's standings. It gathers the
forecast's inputs (the results that count, the matches still to play, the regulation, deductions, zones,
the teams of each group) and sends them to the internal topic ``<app>-forecast-inputs`` keyed by stage,
but only when they differ from the inputs it sent last (their digest is kept in the stage's state): a goal
in play or a protocol's assist changes nothing a forecast reads, so it costs the fold a digest and no
forecast. The forecasts themselves are computed by :mod:`streams.predictions_worker`, in another process.

Exact under replays: the inputs are sorted, so the same facts give the same bytes and the same digest, and
the simulation's seed is derived from that digest: the same inputs always give the same forecast.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any

import msgspec

from sports import Adjustment, Result
from streams.batching import Sink
from streams.facts import COUNTED_STATUSES, StageState
from streams.materializer import Target

__all__ = [
    "FORECAST_KINDS",
    "MATCH_FIELDS",
    "MATCH_PREDICTIONS",
    "POSITION_ODDS",
    "REMAINING_STATUSES",
    "TEAM_FIELDS",
    "ForecastInputs",
    "ForecastRequests",
    "GroupInputs",
    "Upcoming",
    "ZoneSpec",
    "facts_digest",
    "forecast_inputs",
    "parse_zones",
]

log = logging.getLogger(__name__)

#: stages whose final positions mean something: a league table, or tables per group
FORECAST_KINDS = ("league", "groups")
#: matches still to be played (a match in play too: its result is not known yet)
REMAINING_STATUSES = ("scheduled", "live", "postponed")


class ZoneSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A stage's zone (``stages.zones``): positions ``first`` to ``last``, 1 being the top."""

    name: str
    first: int
    last: int


class Upcoming(msgspec.Struct, frozen=True, kw_only=True):
    """A match still to play, as the model's ``Fixture`` takes it (``date``: the day only)."""

    id: str
    home: str
    away: str
    date: str | None = None


class GroupInputs(msgspec.Struct, frozen=True, kw_only=True):
    """One table of the stage ("" for a stage played as one table): its teams, results and fixtures."""

    group: str
    teams: list[str]
    played: list[Result]
    remaining: list[Upcoming]
    adjustments: list[Adjustment]


class ForecastInputs(msgspec.Struct, frozen=True, kw_only=True):
    """Everything one stage's forecast reads, with the stage state's version and newest position (the
    forecast record carries them, so the materializer keeps the newest)."""

    stage_id: int
    version: int
    position: tuple[int, int]
    regulation: str
    #: the regulation's overrides as JSON text (None: the preset as it is)
    params: str | None
    zones: list[ZoneSpec]
    groups: list[GroupInputs]

    @property
    def digest(self) -> str:
        """What the forecast depends on, hashed: the same for a replay, whatever the version."""
        content = (self.stage_id, self.regulation, self.params, self.zones, self.groups)
        return hashlib.sha256(msgspec.msgpack.encode(content)).hexdigest()

    @property
    def seed(self) -> int:
        """The simulation's seed: a function of the inputs, so a recomputation is the same forecast."""
        return int(self.digest[:8], 16)


def parse_zones(raw: object) -> list[ZoneSpec]:
    """``stages.zones`` as the CDC row carries it (JSON text or already decoded); the table checked it."""
    if raw is None:
        return []
    decoded = msgspec.json.decode(raw) if isinstance(raw, str | bytes) else raw
    try:
        return sorted(msgspec.convert(decoded, list[ZoneSpec]), key=lambda z: (z.first, z.last, z.name))
    except msgspec.ValidationError as exc:
        log.error("stage zones %r cannot be read: %s", raw, exc)
        return []


def _params(raw: object) -> str | None:
    if raw is None:
        return None
    decoded = msgspec.json.decode(raw) if isinstance(raw, str | bytes) else raw
    if not decoded:
        return None
    return msgspec.json.encode(decoded, order="sorted").decode()


def _upcoming(match: Mapping[str, Any]) -> Upcoming:
    kickoff = match.get("kickoff")
    return Upcoming(
        id=str(match["id"]),
        home=str(match["home_team_id"]),
        away=str(match["away_team_id"]),
        date=_day(kickoff),
    )


def forecast_inputs(state: StageState) -> ForecastInputs | None:
    """The stage's forecast inputs; None for a stage without a table (knock-out, play-off) or whose row
    (its regulation) is not known yet."""
    stage = state.stage.data if state.stage is not None else None
    if stage is None or str(stage.get("kind")) not in FORECAST_KINDS or state.regulation() is None:
        return None
    results = sorted(state.results(), key=lambda r: int(r.id))
    adjustments = sorted(
        (
            Adjustment(team=str(f.data["team_id"]), points=int(f.data["points"]))
            for f in state.adjustments.values()
            if f.data is not None
        ),
        key=lambda a: (int(a.team), a.points),
    )
    matches = sorted((f.data for f in state.matches.values() if f.data is not None), key=lambda m: int(m["id"]))
    groups = []
    for group in state.groups():
        in_group = [m for m in matches if str(m.get("group_id") or "") == group]
        teams = sorted({str(m[side]) for m in in_group for side in ("home_team_id", "away_team_id")}, key=int)
        groups.append(
            GroupInputs(
                group=group,
                teams=teams,
                played=[r for r in results if r.group == group],
                remaining=[_upcoming(m) for m in in_group if m.get("status") in REMAINING_STATUSES],
                adjustments=[a for a in adjustments if a.team in teams],
            )
        )
    return ForecastInputs(
        stage_id=state.stage_id,
        version=state.version,
        position=state.position,
        regulation=str(stage["regulation"]),
        params=_params(stage.get("regulation_params")),
        zones=parse_zones(stage.get("zones")),
        groups=groups,
    )


def _day(kickoff: Any) -> str | None:
    return kickoff.date().isoformat() if kickoff is not None and hasattr(kickoff, "date") else None


def facts_digest(state: StageState) -> str:
    """A digest of the facts the inputs are made of, in a fraction of the time building them takes (the
    fold asks on every change of a stage). A result stands for itself by the position of its last change;
    a match still to play, in play too, by its fixture only, so a goal in play leaves the digest as it was.
    A change that leaves the inputs as they were (a finished match's venue) only costs a forecast that
    comes out the same."""
    stage = state.stage
    if stage is None or stage.data is None:
        return ""
    rows: list[tuple[Any, ...]] = []
    for fact in state.matches.values():
        m = fact.data
        if m is None:
            continue
        status = m.get("status")
        if status in REMAINING_STATUSES:
            fixture = (m.get("home_team_id"), m.get("away_team_id"), m.get("group_id"), m.get("kickoff"))
            rows.append((fact.id, 0, *fixture))
        elif status in COUNTED_STATUSES:
            rows.append((fact.id, 1, *fact.position))
    rows.sort()
    adjustments = sorted((f.id, *f.position) for f in state.adjustments.values() if f.data is not None)
    content = (stage.position, rows, adjustments, sorted(state.fair_play.items()))
    return hashlib.blake2b(msgspec.msgpack.encode(content), digest_size=16).hexdigest()


class ForecastRequests:
    """The fold's side: a stage's inputs sent to ``topic`` (keyed by stage) when they changed."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.encoder = msgspec.msgpack.Encoder()

    def offer(self, sink: Sink, state: StageState) -> bool:
        """Send the stage's inputs unless the facts they are made of are those of the inputs sent last;
        returns whether it sent them. The digest goes into the state, which the fold stores once what it
        sent is acknowledged."""
        digest = facts_digest(state)
        if digest == state.forecast_digest:
            return False
        inputs = forecast_inputs(state)
        if inputs is None:
            return False
        sink.send(self.topic, str(state.stage_id).encode(), self.encoder.encode(inputs))
        state.forecast_digest = digest
        return True


#: the columns of ``stats.match_predictions`` and ``stats.position_odds`` after the stage id, in the order
#: of the record's rows (schemas/avro/stats.predictions.avsc)
MATCH_FIELDS = (
    "match_id",
    "group_key",
    "home_team_id",
    "away_team_id",
    "kickoff",
    "p_home",
    "p_draw",
    "p_away",
    "p_home_reg",
    "p_home_ot",
    "p_home_so",
    "p_away_reg",
    "p_away_ot",
    "p_away_so",
    "likely_scores",
)
TEAM_FIELDS = (
    "team_id",
    "group_key",
    "elo",
    "attack",
    "defence",
    "position_probabilities",
    "zone_probabilities",
    "best_possible",
    "worst_possible",
    "clinched",
    "eliminated",
    "sims",
    "seed",
)
#: one predictions record fills both tables, each replaced whole per stage
MATCH_PREDICTIONS = Target("match_predictions", ("stage_id",), MATCH_FIELDS, rows="matches")
POSITION_ODDS = Target("position_odds", ("stage_id",), TEAM_FIELDS, rows="teams")
