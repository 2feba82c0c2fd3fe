"""Two-legged ties and best-of-N series: who goes through, and which games are still needed."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from sports.model import RulesError

__all__ = [
    "Leg",
    "SeriesState",
    "TieOutcome",
    "series_home_pattern",
    "series_state",
    "two_legged_winner",
]


class Leg(msgspec.Struct, frozen=True, kw_only=True):
    """One leg, from the point of view of its home team."""

    home: str
    away: str
    home_score: int
    away_score: int


class TieOutcome(msgspec.Struct, frozen=True):
    """The winner (empty while undecided) and the rule that decided it."""

    winner: str
    decided_by: str
    aggregate: tuple[int, int]


def two_legged_winner(
    first: Leg,
    second: Leg,
    *,
    away_goals: bool = False,
    away_goals_in_extra_time: bool = True,
    extra_time: tuple[int, int] | None = None,
    penalties: tuple[int, int] | None = None,
) -> TieOutcome:
    """Aggregate score, then away goals (where the regulation still uses them), extra time, penalties.

    ``first`` is played at team A, ``second`` at team B. ``extra_time`` holds the goals of the extra time of
    the second leg only, as (B, A) like ``second``; ``penalties`` the shoot-out, also as (B, A). Returns an
    undecided outcome (empty winner) when the tie needs extra time or penalties that are not given yet.
    """
    a, b = first.home, first.away
    if (second.home, second.away) != (b, a):
        raise RulesError(f"the second leg must be {b} v {a}, not {second.home} v {second.away}")
    agg_a = first.home_score + second.away_score
    agg_b = first.away_score + second.home_score
    if agg_a != agg_b:
        return TieOutcome(a if agg_a > agg_b else b, "aggregate", (agg_a, agg_b))
    away_a, away_b = second.away_score, first.away_score
    if away_goals and away_a != away_b:
        return TieOutcome(a if away_a > away_b else b, "away_goals", (agg_a, agg_b))
    if extra_time is None:
        return TieOutcome("", "", (agg_a, agg_b))
    et_b, et_a = extra_time
    agg_a, agg_b = agg_a + et_a, agg_b + et_b
    if agg_a != agg_b:
        return TieOutcome(a if agg_a > agg_b else b, "extra_time", (agg_a, agg_b))
    if away_goals and away_goals_in_extra_time and et_a > 0:
        # level again after extra time, so both scored as many in it; A's were scored away (at B)
        return TieOutcome(a, "away_goals", (agg_a, agg_b))
    if penalties is None:
        return TieOutcome("", "", (agg_a, agg_b))
    pen_b, pen_a = penalties
    if pen_a == pen_b:
        raise RulesError("a penalty shoot-out cannot end level")
    return TieOutcome(a if pen_a > pen_b else b, "penalties", (agg_a, agg_b))


def series_home_pattern(best_of: int, pattern: Sequence[int] | None = None) -> list[bool]:
    """Whether the higher seed is at home in each game: 2-2-1-1-1 for 7, 2-2-1 for 5, alternating otherwise.

    ``pattern`` gives the block lengths explicitly (blocks alternate, starting at the higher seed).
    """
    if best_of < 1 or best_of % 2 == 0:
        raise RulesError(f"a series is best of an odd number of games, not {best_of}")
    blocks = (
        list(pattern)
        if pattern is not None
        else {7: [2, 2, 1, 1, 1], 5: [2, 2, 1], 3: [1, 1, 1]}.get(best_of, [1] * best_of)
    )
    if sum(blocks) != best_of:
        raise RulesError(f"the pattern {blocks} has {sum(blocks)} games, not {best_of}")
    homes: list[bool] = []
    for n, length in enumerate(blocks):
        homes += [n % 2 == 0] * length
    return homes


class SeriesState(msgspec.Struct, frozen=True):
    wins_high: int
    wins_low: int
    winner: str
    #: numbers (1-based) of the games still to play if needed; empty once decided
    remaining_games: tuple[int, ...]


def series_state(high: str, low: str, best_of: int, winners: Sequence[str]) -> SeriesState:
    """The state of a best-of-N series after the games won by ``winners`` (in order)."""
    need = best_of // 2 + 1
    wins = {high: 0, low: 0}
    for n, w in enumerate(winners, start=1):
        if w not in wins:
            raise RulesError(f"game {n}: {w} does not play in this series")
        if max(wins.values()) >= need:
            raise RulesError(f"game {n}: the series was already decided")
        wins[w] += 1
    winner = next((t for t, w in wins.items() if w >= need), "")
    played = len(winners)
    remaining: tuple[int, ...] = ()
    if not winner:
        remaining = tuple(range(played + 1, best_of + 1))
    return SeriesState(wins[high], wins[low], winner, remaining)
