"""Match protocols: a match's row, events and line-ups folded per match into its protocol.

Why per match: events and line-ups arrive keyed by match (CDC keys them by ``match_id``) and a player's
figures from one match depend on the whole protocol (minutes need the substitutions, a game-winning goal
needs every goal, a clean sheet needs the goals against). So the processor keeps each match's protocol
and sends it whole to the match's stage on every change, which turns it into player lines
(streams/lines.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from sports.discipline import Card, CardKind, fair_play_points
from sports.regulations import FairPlayScale
from streams.positions import Position, by_position, newest_position, put_newer, supersedes

__all__ = [
    "LINE_STATUSES",
    "MatchRow",
    "MatchState",
    "ProtoEvent",
    "ProtoLineup",
    "Protocol",
    "RowFact",
    "fair_play_of",
    "row_fact",
]

#: statuses whose protocol counts in player statistics: a match in play counts live, as sites show it
LINE_STATUSES = ("live", "finished", "awarded")

_EVENT_FIELDS = (
    "kind",
    "team_id",
    "player_id",
    "assist1_id",
    "assist2_id",
    "player_out_id",
    "goalie_id",
    "period",
    "minute",
    "clock_seconds",
    "strength",
    "penalty_minutes",
    "scored",
)


class ProtoEvent(msgspec.Struct, frozen=True, array_like=True, tag="e"):
    """The fields of a ``match_events`` row the statistics read."""

    id: int
    kind: str
    team_id: int
    player_id: int | None
    assist1_id: int | None
    assist2_id: int | None
    player_out_id: int | None
    goalie_id: int | None
    period: int
    minute: int | None
    clock_seconds: int | None
    strength: str | None
    penalty_minutes: int | None
    scored: bool | None


class ProtoLineup(msgspec.Struct, frozen=True, array_like=True, tag="l"):
    """The fields of a ``lineups`` row the statistics read."""

    team_id: int
    player_id: int
    starter: bool
    goalie_toi_seconds: int | None


class MatchRow(msgspec.Struct, frozen=True, array_like=True, tag="m"):
    """The fields of a ``matches`` row a protocol needs (the standings read the whole row, as a stage fact)."""

    stage_id: int
    home_team_id: int
    away_team_id: int
    status: str
    decided_in: str | None


class RowFact(msgspec.Struct, frozen=True, kw_only=True, array_like=True):
    """One row of a match's protocol as its last change left it (``data`` None once deleted). Only the
    fields the statistics read travel and are kept: a match's state is decoded, updated and encoded again
    on every change of its protocol, so its size is the processor's cost per match event."""

    kind: str  # match, event, lineup
    id: int
    match_id: int
    position: Position
    data: MatchRow | ProtoEvent | ProtoLineup | None


def _project(kind: str, row: Mapping[str, Any]) -> MatchRow | ProtoEvent | ProtoLineup:
    if kind == "match":
        return MatchRow(
            int(row["stage_id"]),
            int(row["home_team_id"]),
            int(row["away_team_id"]),
            str(row["status"]),
            row.get("decided_in"),
        )
    if kind == "event":
        return msgspec.convert(["e", int(row["id"]), *(row.get(k) for k in _EVENT_FIELDS)], ProtoEvent)
    return ProtoLineup(int(row["team_id"]), int(row["player_id"]), bool(row["starter"]), row.get("goalie_toi_seconds"))


def row_fact(table: str, record: Mapping[str, Any]) -> list[RowFact]:
    """The protocol facts of one CDC envelope; a row moved to another match leaves the old one."""
    kind = {"matches": "match", "match_events": "event", "lineups": "lineup"}.get(table)
    op = record["op"]
    if kind is None or op == "t":
        return []
    source = record["source"]
    position = (int(source["commit_lsn"]), int(source["ordinal"]))
    before, after = record.get("before"), record.get("after")
    field = "id" if kind == "match" else "match_id"
    facts = []
    if op in ("c", "r", "u") and after is not None:
        facts.append(
            RowFact(
                kind=kind,
                id=int(after["id"]),
                match_id=int(after[field]),
                position=position,
                data=_project(kind, after),
            )
        )
        if before is not None and before.get(field) is not None and before[field] != after[field]:
            facts.append(
                RowFact(kind=kind, id=int(before["id"]), match_id=int(before[field]), position=position, data=None)
            )
    elif op == "d" and before is not None:
        facts.append(
            RowFact(kind=kind, id=int(before["id"]), match_id=int(before[field]), position=position, data=None)
        )
    return facts


class Protocol(msgspec.Struct, frozen=True, kw_only=True, tag="protocol"):
    """A match's protocol as one message to its stage; ``version`` orders the protocols of one match."""

    match_id: int
    stage_id: int
    version: int
    position: Position
    deleted: bool = False
    home_team_id: int = 0
    away_team_id: int = 0
    status: str = ""
    decided_in: str | None = None
    #: the match has been live at some point (a burst of changes may take it from live to finished at once)
    was_live: bool = False
    events: tuple[ProtoEvent, ...] = ()
    lineups: tuple[ProtoLineup, ...] = ()

    @property
    def counts(self) -> bool:
        return not self.deleted and self.status in LINE_STATUSES


class MatchState(msgspec.Struct, kw_only=True):
    """A match's row, events and line-ups, each with the position of the change that set it."""

    match_id: int
    version: int = 0
    match: RowFact | None = None
    events: dict[int, RowFact] = msgspec.field(default_factory=dict)
    lineups: dict[int, RowFact] = msgspec.field(default_factory=dict)
    #: the stage the last protocol went to, so a match moved to another stage is withdrawn from the old one
    stage_id: int | None = None
    was_live: bool = False

    def apply(self, fact: RowFact) -> bool:
        """Fold one fact in; False for a replay or an older change."""
        if fact.kind == "match":
            if not supersedes(fact, self.match, by_position):
                return False
            self.match = fact
            self.was_live |= isinstance(fact.data, MatchRow) and fact.data.status == "live"
        elif not put_newer(self.events if fact.kind == "event" else self.lineups, fact.id, fact, by_position):
            return False
        self.version += 1
        return True

    @property
    def position(self) -> Position:
        return newest_position([*self.events.values(), *self.lineups.values(), self.match])

    def protocols(self) -> list[Protocol]:
        """What the stages must hear after the last change: the protocol for the match's stage, and a
        withdrawal for the stage it left. Nothing while the match row itself is not known."""
        match = self.match.data if self.match is not None else None
        out = []
        stage = match.stage_id if isinstance(match, MatchRow) else None
        if self.stage_id is not None and self.stage_id != stage:
            out.append(
                Protocol(
                    match_id=self.match_id,
                    stage_id=self.stage_id,
                    version=self.version,
                    position=self.position,
                    deleted=True,
                )
            )
        if isinstance(match, MatchRow):
            events = [f.data for f in self.events.values() if isinstance(f.data, ProtoEvent)]
            lineups = [f.data for f in self.lineups.values() if isinstance(f.data, ProtoLineup)]
            out.append(
                Protocol(
                    match_id=self.match_id,
                    stage_id=match.stage_id,
                    version=self.version,
                    position=self.position,
                    home_team_id=match.home_team_id,
                    away_team_id=match.away_team_id,
                    status=match.status,
                    decided_in=match.decided_in,
                    was_live=self.was_live,
                    events=tuple(sorted(events, key=lambda e: e.id)),
                    lineups=tuple(sorted(lineups, key=lambda entry: entry.player_id)),
                )
            )
        self.stage_id = stage
        return out


def fair_play_of(p: Protocol, scale: FairPlayScale) -> tuple[int, int] | None:
    """Disciplinary points of (home, away) in this match; None while it does not count."""
    if not p.counts:
        return None
    kinds = {"yellow": CardKind.YELLOW, "second_yellow": CardKind.SECOND_YELLOW, "red": CardKind.RED}
    cards = [
        Card(match_id=str(p.match_id), player=str(e.player_id), team=str(e.team_id), kind=kinds[e.kind])
        for e in p.events
        if e.kind in kinds and e.player_id is not None
    ]
    points = fair_play_points(cards, scale)
    return points.get((str(p.match_id), str(p.home_team_id)), 0), points.get((str(p.match_id), str(p.away_team_id)), 0)
