"""Player lines: what one match's protocol gives each player, and a player's season as the sum of his lines.

A stage recomputes a match's lines with its sport's rules (sports/registry.py) on every new protocol
version and sends each player only the line that changed; a player's season replaces that match's line
and sums them again. Totals are sums of per-match lines plus the rates derived from the sums, which is
exactly what the batch functions compute over all matches at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import msgspec

from sports import RulesError
from sports.registry import sport_of_kind, sport_rules
from sports.sport import Figures
from streams.positions import Position, newest_position, put_newer
from streams.protocol import Protocol

__all__ = [
    "LINE_KINDS",
    "LineEntry",
    "MatchLines",
    "PlayerLine",
    "PlayerLineMessage",
    "PlayerState",
    "line_messages",
    "player_lines",
    "season_stats",
]

log = logging.getLogger(__name__)


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
