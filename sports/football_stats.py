"""Football player statistics from match sheets: goals, assists, cards, minutes, clean sheets.

Minutes come from the line-up: a starter from kick-off, a substitute from the minute he came on, until he
went off, was sent off, or the match ended (90 minutes, 120 with extra time). Stoppage time is not
counted, as the usual statistics do not count it. A clean sheet goes to a player who played at least 60
minutes while his team conceded no goal.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from sports.model import RulesError

__all__ = [
    "FootballPlayerStats",
    "Goal",
    "LineupEntry",
    "MatchSheet",
    "SendingOff",
    "Substitution",
    "football_player_stats",
]

CLEAN_SHEET_MINUTES = 60


class LineupEntry(msgspec.Struct, frozen=True, kw_only=True):
    player: str
    team: str
    starter: bool


class Goal(msgspec.Struct, frozen=True, kw_only=True):
    """``team`` is the team credited with the goal (for an own goal, the team that benefits)."""

    team: str
    scorer: str
    minute: int
    kind: str = "goal"  # goal, penalty_goal, own_goal
    assist: str = ""


class Substitution(msgspec.Struct, frozen=True, kw_only=True):
    team: str
    player_in: str
    player_out: str
    minute: int


class SendingOff(msgspec.Struct, frozen=True, kw_only=True):
    player: str
    minute: int


class MatchSheet(msgspec.Struct, frozen=True, kw_only=True):
    match_id: str
    home: str
    away: str
    length: int = 90
    lineups: tuple[LineupEntry, ...] = ()
    goals: tuple[Goal, ...] = ()
    substitutions: tuple[Substitution, ...] = ()
    yellows: tuple[str, ...] = ()  # players, once per yellow card (a second yellow appears as a sending-off)
    sendings_off: tuple[SendingOff, ...] = ()


class FootballPlayerStats(msgspec.Struct, kw_only=True):
    player: str
    appearances: int = 0
    starts: int = 0
    minutes: int = 0
    goals: int = 0
    penalty_goals: int = 0
    own_goals: int = 0
    assists: int = 0
    yellow_cards: int = 0
    red_cards: int = 0
    clean_sheets: int = 0


def _on_pitch(sheet: MatchSheet) -> dict[str, tuple[str, int, int]]:
    """Each player who played: (team, minute on, minute off)."""
    spans: dict[str, tuple[str, int, int]] = {}
    for entry in sheet.lineups:
        if entry.starter:
            spans[entry.player] = (entry.team, 0, sheet.length)
    for sub in sorted(sheet.substitutions, key=lambda s: s.minute):
        out = spans.get(sub.player_out)
        if out is None:
            raise RulesError(f"match {sheet.match_id}: {sub.player_out} is substituted but was not on the pitch")
        spans[sub.player_out] = (out[0], out[1], min(sub.minute, sheet.length))
        spans[sub.player_in] = (sub.team, min(sub.minute, sheet.length), sheet.length)
    for off in sheet.sendings_off:
        span = spans.get(off.player)
        if span is not None:
            spans[off.player] = (span[0], span[1], min(span[2], off.minute))
    return spans


def football_player_stats(sheets: Iterable[MatchSheet]) -> dict[str, FootballPlayerStats]:
    stats: dict[str, FootballPlayerStats] = {}

    def of(player: str) -> FootballPlayerStats:
        return stats.get(player) or stats.setdefault(player, FootballPlayerStats(player=player))

    for sheet in sheets:
        spans = _on_pitch(sheet)
        starters = {e.player for e in sheet.lineups if e.starter}
        for player, (_team, start, end) in spans.items():
            s = of(player)
            s.appearances += 1
            s.starts += player in starters
            s.minutes += max(0, end - start)
        for goal in sheet.goals:
            if goal.kind == "own_goal":
                of(goal.scorer).own_goals += 1
                continue
            s = of(goal.scorer)
            s.goals += 1
            s.penalty_goals += goal.kind == "penalty_goal"
            if goal.assist:
                of(goal.assist).assists += 1
        for player in sheet.yellows:
            of(player).yellow_cards += 1
        for off in sheet.sendings_off:
            of(off.player).red_cards += 1
        for player, (team, start, end) in spans.items():
            if end - start < CLEAN_SHEET_MINUTES:
                continue
            conceded = any(g.team != team and start < g.minute <= end for g in sheet.goals)
            if not conceded:
                of(player).clean_sheets += 1
    return stats
