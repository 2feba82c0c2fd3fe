"""Ice-hockey statistics of skaters and goalies, counted as the NHL counts them.

- Plus/minus: +1 for each skater on the ice for an even-strength, short-handed or empty-net goal of his
  team, -1 for each on the ice when the opponent scores one; power-play, penalty-shot and shoot-out goals
  do not count.
- Game-winning goal: the winner's goal that put it one ahead of the loser's final total; none in a game
  decided by a shoot-out (the shoot-out goal is not a goal of either player).
- Goalies: empty-net goals are not against anyone, shoot-out attempts are not shots; GAA = GA x 60 /
  minutes; a shutout needs the whole game in net without a goal against (a shared shutout counts for none).
- Shots: a ``shots`` entry is a saved (or otherwise stopped) shot on goal; goals are shots too.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

__all__ = [
    "GoalieAppearance",
    "GoalieStats",
    "HockeyGame",
    "HockeyGoal",
    "HockeyShot",
    "SkaterStats",
    "derive_rates",
    "hockey_stats",
]


class HockeyGoal(msgspec.Struct, frozen=True, kw_only=True):
    team: str
    scorer: str
    period: int
    clock_seconds: int
    strength: str = "EV"  # EV, PP, SH, EN (empty net)
    assists: tuple[str, ...] = ()
    goalie: str = ""  # the goalie scored on; empty for an empty net
    on_ice_for: tuple[str, ...] = ()  # skaters of the scoring team
    on_ice_against: tuple[str, ...] = ()  # skaters of the other team
    penalty_shot: bool = False


class HockeyShot(msgspec.Struct, frozen=True, kw_only=True):
    team: str
    shooter: str
    goalie: str


class GoalieAppearance(msgspec.Struct, frozen=True, kw_only=True):
    team: str
    goalie: str
    seconds: int


class HockeyGame(msgspec.Struct, frozen=True, kw_only=True):
    match_id: str
    home: str
    away: str
    decided_in: str = "REG"
    goals: tuple[HockeyGoal, ...] = ()  # shoot-out goals are not listed here
    shots: tuple[HockeyShot, ...] = ()
    penalties: tuple[tuple[str, int], ...] = ()  # (player, minutes)
    goalies: tuple[GoalieAppearance, ...] = ()


class SkaterStats(msgspec.Struct, kw_only=True):
    player: str
    games: int = 0
    goals: int = 0
    assists: int = 0
    points: int = 0
    plus_minus: int = 0
    penalty_minutes: int = 0
    power_play_goals: int = 0
    short_handed_goals: int = 0
    game_winning_goals: int = 0
    shots: int = 0
    shooting_pct: float = 0.0


class GoalieStats(msgspec.Struct, kw_only=True):
    player: str
    games: int = 0
    seconds: int = 0
    shots_against: int = 0
    goals_against: int = 0
    saves: int = 0
    save_pct: float = 0.0
    goals_against_average: float = 0.0
    shutouts: int = 0


def _game_winner(game: HockeyGame) -> HockeyGoal | None:
    if game.decided_in == "SO":
        return None
    totals = {game.home: 0, game.away: 0}
    for g in game.goals:
        totals[g.team] = totals.get(g.team, 0) + 1
    if totals[game.home] == totals[game.away]:
        return None
    winner = game.home if totals[game.home] > totals[game.away] else game.away
    loser_total = totals[game.away if winner == game.home else game.home]
    ordered = sorted((g for g in game.goals if g.team == winner), key=lambda g: (g.period, g.clock_seconds))
    return ordered[loser_total]


def hockey_stats(games: Iterable[HockeyGame]) -> tuple[dict[str, SkaterStats], dict[str, GoalieStats]]:
    skaters: dict[str, SkaterStats] = {}
    goalies: dict[str, GoalieStats] = {}

    def sk(player: str) -> SkaterStats:
        return skaters.get(player) or skaters.setdefault(player, SkaterStats(player=player))

    def gk(player: str) -> GoalieStats:
        return goalies.get(player) or goalies.setdefault(player, GoalieStats(player=player))

    for game in games:
        seen: set[str] = set()
        gwg = _game_winner(game)
        for goal in game.goals:
            s = sk(goal.scorer)
            s.goals += 1
            seen.add(goal.scorer)
            s.power_play_goals += goal.strength == "PP"
            s.short_handed_goals += goal.strength == "SH"
            s.game_winning_goals += goal is gwg
            for assistant in goal.assists:
                sk(assistant).assists += 1
                seen.add(assistant)
            if goal.strength != "PP" and not goal.penalty_shot:
                for player in goal.on_ice_for:
                    sk(player).plus_minus += 1
                    seen.add(player)
                for player in goal.on_ice_against:
                    sk(player).plus_minus -= 1
                    seen.add(player)
            if goal.goalie:
                gk(goal.goalie).goals_against += 1
                gk(goal.goalie).shots_against += 1
        for shot in game.shots:
            sk(shot.shooter).shots += 1
            seen.add(shot.shooter)
            if shot.goalie:
                gk(shot.goalie).shots_against += 1
        for player, minutes in game.penalties:
            sk(player).penalty_minutes += minutes
            seen.add(player)
        for player in seen:
            sk(player).games += 1
        in_net: dict[str, list[GoalieAppearance]] = {}
        for app in game.goalies:
            if app.seconds > 0:
                in_net.setdefault(app.team, []).append(app)
                g = gk(app.goalie)
                g.games += 1
                g.seconds += app.seconds
        for team, apps in in_net.items():
            conceded = sum(1 for goal in game.goals if goal.team != team)
            if len(apps) == 1 and conceded == 0:
                gk(apps[0].goalie).shutouts += 1
    for s in skaters.values():
        s.shots += s.goals
    derive_rates(skaters.values(), goalies.values())
    return skaters, goalies


def derive_rates(skaters: Iterable[SkaterStats], goalies: Iterable[GoalieStats]) -> None:
    """Fill the figures derived from counts (points, percentages, GAA). Kept apart so that counts summed
    over games (the stream processor sums one line per game) get exactly the rates of the batch."""
    for s in skaters:
        s.points = s.goals + s.assists
        s.shooting_pct = round(100 * s.goals / s.shots, 1) if s.shots else 0.0
    for g in goalies:
        g.saves = g.shots_against - g.goals_against
        g.save_pct = round(g.saves / g.shots_against, 3) if g.shots_against else 0.0
        g.goals_against_average = round(g.goals_against * 3600 / g.seconds, 2) if g.seconds else 0.0
