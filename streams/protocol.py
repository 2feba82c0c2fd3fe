"""Match protocols: a match's row, events and line-ups folded per match, then turned into player lines.

Why per match: events and line-ups arrive keyed by match (CDC keys them by ``match_id``) and a player's
figures from one match depend on the whole protocol (minutes need the substitutions, a game-winning goal
needs every goal, a clean sheet needs the goals against). So the processor keeps each match's protocol,
recomputes that match's player lines with ``sports/`` on every change, and replaces the match's
contribution in each player's season totals. Totals are sums of per-match lines plus the rates derived
from the sums, which is exactly what the batch functions compute over all matches at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from sports import RulesError
from sports.discipline import Card, CardKind, fair_play_points
from sports.registry import sport_of_kind, sport_rules
from sports.regulations import FairPlayScale
from sports.sport import Figures
from streams.positions import Position, by_position, newest_position, put_newer, supersedes

__all__ = [
    "LINE_KINDS",
    "LINE_STATUSES",
    "LineEntry",
    "MatchLines",
    "MatchRow",
    "MatchState",
    "PlayerLine",
    "PlayerLineMessage",
    "PlayerState",
    "ProtoEvent",
    "ProtoLineup",
    "Protocol",
    "RowFact",
    "fair_play_of",
    "line_messages",
    "player_lines",
    "row_fact",
    "season_stats",
]

log = logging.getLogger(__name__)

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


#: the kinds of figures a player's line holds (sports/registry.py knows which sport each belongs to); a
#: sport with a kind of its own adds a field here, which changes the worker's state format (STATE_VERSION)
LINE_KINDS = ("football", "skater", "goalie")


class PlayerLine(msgspec.Struct, frozen=True, kw_only=True):
    """One player's figures from one match: football, or hockey as a skater and/or a goalie."""

    team_id: int
    football: dict[str, int] | None = None
    skater: dict[str, int] | None = None
    goalie: dict[str, int] | None = None


def _teams(p: Protocol) -> dict[str, int]:
    """Each player's team in this match: the line-up, else the events (an own goal's team is the other)."""
    teams: dict[str, int] = {}
    other = {p.home_team_id: p.away_team_id, p.away_team_id: p.home_team_id}
    for e in p.events:
        for player in (e.player_id, e.assist1_id, e.assist2_id, e.player_out_id):
            if player is not None:
                teams.setdefault(str(player), other.get(e.team_id, e.team_id) if e.kind == "own_goal" else e.team_id)
        if e.goalie_id is not None:
            teams.setdefault(str(e.goalie_id), other.get(e.team_id, e.team_id))
    for x in p.lineups:
        teams[str(x.player_id)] = x.team_id
    return teams


def player_lines(p: Protocol, sport: str) -> dict[int, PlayerLine]:
    """Every player's line from this match, by the rules of ``sport``; none while the match does not count."""
    if not p.counts:
        return {}
    teams = _teams(p)
    rules = sport_rules(sport)
    try:
        figures = rules.match_figures(p)
    except RulesError as exc:
        # a protocol being typed in can be inconsistent for a moment (a substitution before the line-up)
        log.warning("match %s: %s; minutes left out until the protocol is consistent", p.match_id, exc)
        figures = rules.match_figures(p, without_lineups=True)
    return {
        int(player): PlayerLine(
            team_id=teams.get(player, 0),
            football=kinds.get("football"),
            skater=kinds.get("skater"),
            goalie=kinds.get("goalie"),
        )
        for player, kinds in figures.items()
    }


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


class LineEntry(msgspec.Struct, frozen=True, array_like=True):
    version: int
    position: Position
    line: PlayerLine | None


def _by_version(entry: LineEntry) -> int:
    return entry.version


class PlayerState(msgspec.Struct, kw_only=True):
    """A player's lines in one season, each under ``stage:match`` with the protocol version that set it."""

    season_id: int
    player_id: int
    sport: str = ""
    version: int = 0
    lines: dict[str, LineEntry] = msgspec.field(default_factory=dict)

    def apply(self, line_id: str, entry: LineEntry) -> bool:
        """Fold one line in; False for a replay or a line of an older protocol version."""
        if not put_newer(self.lines, line_id, entry, _by_version):
            return False
        self.version += 1
        return True

    @property
    def position(self) -> Position:
        return newest_position(self.lines.values())

    def current(self) -> list[PlayerLine]:
        """The lines that count, in match order (the last one names the player's current team)."""
        ordered = sorted(self.lines.items(), key=lambda item: int(item[0].split(":")[1]))
        return [e.line for _, e in ordered if e.line is not None]


def _sum(dicts: Iterable[dict[str, int] | None]) -> dict[str, int] | None:
    total: dict[str, int] | None = None
    for d in dicts:
        if d is None:
            continue
        total = total or {}
        for k, v in d.items():
            total[k] = total.get(k, 0) + v
    return total


def season_stats(lines: list[PlayerLine], player: str) -> dict[str, Any]:
    """A player's season figures from his match lines: counts summed per kind, and the rates derived from the
    sums by the sport the kind belongs to, as the batch does."""
    totals: Figures = {}
    for kind in LINE_KINDS:
        total = _sum(getattr(line, kind) for line in lines)
        if total is not None:
            totals[kind] = total
    out: dict[str, Any] = {}
    sports = dict.fromkeys(sport for kind in totals if (sport := sport_of_kind(kind)) is not None)
    for sport in sports:  # each once, in the order of LINE_KINDS
        out |= sport.season_stats({k: totals[k] for k in sport.kinds if k in totals}, player)
    return out


class PlayerLineMessage(msgspec.Struct, frozen=True, kw_only=True):
    """One player's line from one match (``line_id`` = ``stage:match``), on its way to his season."""

    season_id: int
    player_id: int
    sport: str
    line_id: str
    entry: LineEntry


class MatchLines(msgspec.Struct, frozen=True, kw_only=True):
    """What a stage last did with a match's protocol: its version, the players it gave lines, the events
    it has announced."""

    version: int
    #: the line each player was last sent: only lines that change are sent again
    lines: dict[int, PlayerLine] = msgspec.field(default_factory=dict)
    events: tuple[int, ...] = ()
    #: whether the match has been seen live (its events are news, see ``protocol_notices``)
    live: bool = False


def line_messages(
    before: MatchLines, protocol: Protocol, sport: str, season_id: int
) -> tuple[list[PlayerLineMessage], MatchLines]:
    """The lines a new protocol version sends to players' seasons: each line that changed, and a removal to
    each player who had a line and has none now (a goal sends the scorer's and the assistant's lines, not
    the whole team's). Also what the stage remembers of the match afterwards."""
    lines = player_lines(protocol, sport)
    line_id = f"{protocol.stage_id}:{protocol.match_id}"
    messages = [
        PlayerLineMessage(
            season_id=season_id,
            player_id=player,
            sport=sport,
            line_id=line_id,
            entry=LineEntry(protocol.version, protocol.position, lines.get(player)),
        )
        for player in sorted(before.lines.keys() | lines.keys())
        if before.lines.get(player) != lines.get(player)
    ]
    events = tuple(sorted({*before.events, *(e.id for e in protocol.events)}))
    live = before.live or protocol.was_live or protocol.status == "live"
    return messages, MatchLines(version=protocol.version, lines=lines, events=events, live=live)
