"""One call for a stage's forecast: ratings, every remaining match's probabilities, the season's odds, bounds.

The stream processor and ``rstat predict`` both call ``forecast_stage`` so that they agree on the same data.
Position probabilities come from the Monte Carlo (``sims`` seasons, seeded: the same input gives the same
numbers); ``best_possible``/``worst_possible`` come from the exact search of ``predict.clinch`` and are None
where its time budget could not decide, so a clinched or eliminated mark is never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec
import numpy as np

from predict.clinch import position_bounds
from predict.dates import iso_date
from predict.errors import PredictError
from predict.match_model import likely_scores, match_model, outcome_probabilities
from predict.ratings import HOCKEY, Ratings, fit_ratings
from predict.simulate import simulate_season, zone_probabilities
from sports.model import Adjustment, Result
from sports.regulations import Regulation

__all__ = ["Fixture", "HockeySplit", "MatchForecast", "StageForecast", "TeamForecast", "forecast_stage"]


class Fixture(msgspec.Struct, frozen=True, kw_only=True):
    """A match still to play."""

    id: str
    home: str
    away: str
    date: str | None = None  # ISO date


class HockeySplit(msgspec.Struct, frozen=True, kw_only=True):
    """How a hockey match ends: each side's probability of winning in regulation, overtime or a shoot-out."""

    p_home_reg: float
    p_home_ot: float
    p_home_so: float
    p_away_reg: float
    p_away_ot: float
    p_away_so: float


class MatchForecast(msgspec.Struct, frozen=True, kw_only=True):
    """``p_home + p_draw + p_away == 1``; in hockey ``p_draw`` is a tie after regulation (see ``hockey``)."""

    id: str
    home: str
    away: str
    date: str | None
    p_home: float
    p_draw: float
    p_away: float
    hockey: HockeySplit | None
    likely_scores: tuple[tuple[int, int, float], ...]  # (home, away, probability), most likely first


class TeamForecast(msgspec.Struct, frozen=True, kw_only=True):
    team: str
    elo: float
    attack: float
    defence: float
    #: Probability of each final position, first place first.
    position_probabilities: tuple[float, ...]
    zone_probabilities: dict[str, float]
    #: Exact best and worst final positions over every combination of remaining results; None = undecided.
    best_possible: int | None
    worst_possible: int | None


class StageForecast(msgspec.Struct, frozen=True, kw_only=True):
    sport: str
    sims: int
    matches: tuple[MatchForecast, ...]
    teams: tuple[TeamForecast, ...]  # ordered by expected final position


def _bounds(
    played: Sequence[Result],
    pairs: Sequence[tuple[str, str]],
    reg: Regulation,
    teams: Sequence[str],
    *,
    adjustments: Sequence[Adjustment],
    budget_s: float,
) -> dict[str, tuple[int | None, int | None]]:
    """``predict.clinch``'s exact best and worst positions per team (None where its budget did not decide)."""
    found = position_bounds(played, pairs, reg, teams, adjustments, budget_s=budget_s)
    return {team: (bound.best, bound.worst) for team, bound in found.items()}


def _round(p: float) -> float:
    return round(float(p), 4)


def forecast_stage(
    played: Sequence[Result],
    remaining: Sequence[Fixture],
    reg: Regulation,
    teams: Sequence[str],
    *,
    adjustments: Sequence[Adjustment] = (),
    zones: Mapping[str, tuple[int, int]] | None = None,
    sims: int = 10_000,
    seed: int = 0,
    as_of: str | None = None,
    prior: Ratings | None = None,
    clinch_budget_s: float = 2.0,
) -> StageForecast:
    """The forecast of a stage from its played results and its remaining fixtures.

    ``as_of`` is the day the ratings' time decay counts from (default: the last played match's day);
    ``prior`` is last season's ``Ratings`` (``predict.ratings.fit_ratings``) to start the ratings from.
    """
    team_list = list(dict.fromkeys(teams))
    known = set(team_list)
    strangers = sorted({t for r in played for t in (r.home, r.away)} | {t for f in remaining for t in (f.home, f.away)})
    strangers = [t for t in strangers if t not in known]
    if strangers:
        raise PredictError(f"matches name teams that are not in the stage: {', '.join(strangers)}")
    unknown_adjusted = sorted({a.team for a in adjustments} - known)
    if unknown_adjusted:
        raise PredictError(f"adjustments name teams that are not in the stage: {', '.join(unknown_adjusted)}")
    ratings = fit_ratings(played, team_list, sport=reg.sport, as_of=as_of, prior=prior)
    pairs = [(f.home, f.away) for f in remaining]
    model = match_model(ratings, pairs)
    probs = outcome_probabilities(model)
    matches = []
    for m, fixture in enumerate(remaining):
        p_home, p_draw, p_away = (float(v) for v in probs[m])
        split = None
        if reg.sport == HOCKEY and model.tie_split is not None:
            ot_h, ot_a, so_h, so_a = (float(v) for v in model.tie_split[m])
            split = HockeySplit(
                p_home_reg=_round(p_home),
                p_home_ot=_round(p_draw * ot_h),
                p_home_so=_round(p_draw * so_h),
                p_away_reg=_round(p_away),
                p_away_ot=_round(p_draw * ot_a),
                p_away_so=_round(p_draw * so_a),
            )
        matches.append(
            MatchForecast(
                id=fixture.id,
                home=fixture.home,
                away=fixture.away,
                date=iso_date(fixture.date) if fixture.date else None,
                p_home=_round(p_home),
                p_draw=_round(p_draw),
                p_away=_round(p_away),
                hockey=split,
                likely_scores=likely_scores(model, m),
            )
        )
    odds = simulate_season(played, pairs, reg, team_list, model=model, adjustments=adjustments, sims=sims, seed=seed)
    in_zones = zone_probabilities(odds, zones or {})
    bounds = _bounds(played, pairs, reg, team_list, adjustments=adjustments, budget_s=clinch_budget_s)
    expected = odds.positions @ np.arange(1, len(team_list) + 1)
    team_rows = [
        TeamForecast(
            team=team,
            elo=ratings.elo[team],
            attack=_round(ratings.attack[team]),
            defence=_round(ratings.defence[team]),
            position_probabilities=tuple(_round(p) for p in odds.positions[t]),
            zone_probabilities={name: _round(p) for name, p in in_zones[team].items()},
            best_possible=bounds.get(team, (None, None))[0],
            worst_possible=bounds.get(team, (None, None))[1],
        )
        for t, team in sorted(enumerate(team_list), key=lambda tt: (float(expected[tt[0]]), tt[1]))
    ]
    return StageForecast(sport=reg.sport, sims=sims, matches=tuple(matches), teams=tuple(team_rows))
