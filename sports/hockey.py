"""Ice hockey as the stream processor sees it: a protocol becomes a game (sports/hockey_stats.py counts
it), three periods of regular time, two kinds of figures (``skater``, ``goalie``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from sports.hockey_stats import (
    GoalieAppearance,
    GoalieStats,
    HockeyGame,
    HockeyGoal,
    HockeyShot,
    SkaterStats,
    derive_rates,
    hockey_stats,
)
from sports.sport import Figures, MatchProtocol, additive_counts

__all__ = ["HOCKEY", "Hockey", "hockey_game"]


def hockey_game(p: MatchProtocol) -> HockeyGame:
    """The game of a protocol: goals with their strength and assists, shots, penalties, goalies' time."""
    goals, shots, penalties = [], [], []
    for e in p.events:
        if e.kind in ("goal", "penalty_goal") and e.player_id is not None:
            goals.append(
                HockeyGoal(
                    team=str(e.team_id),
                    scorer=str(e.player_id),
                    period=e.period,
                    clock_seconds=e.clock_seconds or 0,
                    strength=e.strength or "EV",
                    assists=tuple(str(a) for a in (e.assist1_id, e.assist2_id) if a is not None),
                    goalie=str(e.goalie_id) if e.goalie_id is not None else "",
                    penalty_shot=e.kind == "penalty_goal",
                )
            )
        elif e.kind == "shot" and e.player_id is not None:
            goalie = str(e.goalie_id) if e.goalie_id is not None else ""
            shots.append(HockeyShot(team=str(e.team_id), shooter=str(e.player_id), goalie=goalie))
        elif e.kind == "penalty" and e.player_id is not None and e.penalty_minutes:
            penalties.append((str(e.player_id), e.penalty_minutes))
    goalies = tuple(
        GoalieAppearance(team=str(x.team_id), goalie=str(x.player_id), seconds=x.goalie_toi_seconds)
        for x in p.lineups
        if x.goalie_toi_seconds
    )
    return HockeyGame(
        match_id=str(p.match_id),
        home=str(p.home_team_id),
        away=str(p.away_team_id),
        decided_in=p.decided_in or "REG",
        goals=tuple(goals),
        shots=tuple(shots),
        penalties=tuple(penalties),
        goalies=goalies,
    )


class Hockey:
    name: str = "ice-hockey"
    regular_periods: int = 3
    kinds: tuple[str, ...] = ("skater", "goalie")

    def match_figures(self, protocol: MatchProtocol, *, without_lineups: bool = False) -> dict[str, Figures]:
        # the line-ups only give goalies their time in net: nothing in them can be inconsistent
        skaters, goalies = hockey_stats([hockey_game(protocol)])
        figures: dict[str, Figures] = {}
        for player, skater in skaters.items():
            figures.setdefault(player, {})["skater"] = additive_counts(skater)
        for player, goalie in goalies.items():
            figures.setdefault(player, {})["goalie"] = additive_counts(goalie)
        return figures

    def season_stats(self, totals: Figures, player: str) -> dict[str, dict[str, Any]]:
        skater, goalie = totals.get("skater"), totals.get("goalie")
        skaters = [SkaterStats(player=player, **skater)] if skater is not None else []
        goalies = [GoalieStats(player=player, **goalie)] if goalie is not None else []
        derive_rates(skaters, goalies)
        out: dict[str, dict[str, Any]] = {}
        if skaters:
            out["skater"] = msgspec.structs.asdict(skaters[0])
        if goalies:
            out["goalie"] = msgspec.structs.asdict(goalies[0])
        return out

    def leader_columns(self, stats: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        skater, goalie = stats.get("skater"), stats.get("goalie")
        columns: dict[str, Any] = {}
        if skater is not None:
            columns |= {k: skater[k] for k in ("games", "goals", "assists", "points", "penalty_minutes")}
        if goalie is not None:
            columns["games"] = max(columns.get("games", 0), goalie["games"])
            columns |= {k: goalie[k] for k in ("shutouts", "save_pct", "goals_against_average")}
        return columns


HOCKEY = Hockey()
