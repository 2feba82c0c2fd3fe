"""Football as the stream processor sees it: a protocol becomes a match sheet (sports/football_stats.py
counts it), two halves of regular time, one kind of figures (``football``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from sports.football_stats import (
    FootballPlayerStats,
    Goal,
    LineupEntry,
    MatchSheet,
    SendingOff,
    Substitution,
    football_player_stats,
)
from sports.sport import Figures, MatchProtocol, additive_counts

__all__ = ["FOOTBALL", "Football", "match_sheet"]

_GOALS = ("goal", "penalty_goal", "own_goal")


def match_sheet(p: MatchProtocol) -> MatchSheet:
    """The match sheet of a protocol: goals, substitutions, cards; 120 minutes once extra time was played."""
    goals, subs, yellows, offs = [], [], [], []
    for e in p.events:
        minute = e.minute or 0
        if e.kind in _GOALS and e.player_id is not None:
            assist = str(e.assist1_id) if e.assist1_id is not None else ""
            goals.append(Goal(team=str(e.team_id), scorer=str(e.player_id), minute=minute, kind=e.kind, assist=assist))
        elif e.kind == "substitution" and e.player_id is not None and e.player_out_id is not None:
            subs.append(
                Substitution(
                    team=str(e.team_id), player_in=str(e.player_id), player_out=str(e.player_out_id), minute=minute
                )
            )
        elif e.kind == "yellow" and e.player_id is not None:
            yellows.append(str(e.player_id))
        elif e.kind in ("second_yellow", "red") and e.player_id is not None:
            offs.append(SendingOff(player=str(e.player_id), minute=minute))
    extra_time = any(e.period in (3, 4) for e in p.events)
    return MatchSheet(
        match_id=str(p.match_id),
        home=str(p.home_team_id),
        away=str(p.away_team_id),
        length=120 if extra_time else 90,
        lineups=tuple(LineupEntry(player=str(x.player_id), team=str(x.team_id), starter=x.starter) for x in p.lineups),
        goals=tuple(goals),
        substitutions=tuple(subs),
        yellows=tuple(yellows),
        sendings_off=tuple(offs),
    )


class Football:
    name: str = "football"
    regular_periods: int = 2
    kinds: tuple[str, ...] = ("football",)

    def match_figures(self, protocol: MatchProtocol, *, without_lineups: bool = False) -> dict[str, Figures]:
        sheet = match_sheet(protocol)
        if without_lineups:
            sheet = msgspec.structs.replace(sheet, lineups=(), substitutions=())
        return {player: {"football": additive_counts(s)} for player, s in football_player_stats([sheet]).items()}

    def season_stats(self, totals: Figures, player: str) -> dict[str, dict[str, Any]]:
        football = totals.get("football")
        if football is None:
            return {}
        return {"football": msgspec.structs.asdict(FootballPlayerStats(player=player, **football))}

    def leader_columns(self, stats: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        football = stats.get("football")
        if football is None:
            return {}
        columns = {k: football[k] for k in ("goals", "assists", "minutes", "yellow_cards", "red_cards")}
        return columns | {"games": football["appearances"], "points": football["goals"] + football["assists"]}


FOOTBALL = Football()
