"""Elo ratings: one number per team that a person can follow match by match.

Each match moves the two ratings by ``K * (result - expected)``, where the expectation is the logistic
curve of the rating difference (plus a home bonus) on the 400-point scale; a draw counts half a win, and a
hockey win counts whole whether it came in regulation, overtime or a shoot-out. Not used for the
probabilities (the goal model is sharper); shown beside them because it explains itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sports.model import Result

__all__ = ["ELO_HOME", "ELO_K", "ELO_START", "elo_expected", "elo_ratings"]

ELO_START = 1500.0
ELO_K = 20.0
ELO_HOME = 60.0


def elo_expected(home: float, away: float, home_bonus: float = ELO_HOME) -> float:
    """The home side's expected score (a win is 1, a draw 0.5)."""
    return 1.0 / (1.0 + float(10.0 ** (-(home + home_bonus - away) / 400.0)))


def elo_ratings(
    results: Iterable[Result],
    teams: Sequence[str],
    *,
    start: Mapping[str, float] | None = None,
    newcomer: float = ELO_START,
    k: float = ELO_K,
) -> dict[str, float]:
    """Ratings after ``results`` (taken in the order given: sort them by date first).

    ``start`` holds last season's ratings; a team not in it starts at ``newcomer``.
    """
    ratings = {t: (start or {}).get(t, newcomer) for t in teams}
    for r in results:
        home = ratings.setdefault(r.home, newcomer)
        away = ratings.setdefault(r.away, newcomer)
        side = r.winning_side
        score = 1.0 if side == "home" else 0.0 if side == "away" else 0.5
        change = k * (score - elo_expected(home, away))
        ratings[r.home] = home + change
        ratings[r.away] = away - change
    return ratings
