"""Monte Carlo of the rest of a season: sample every remaining match's score, rank each simulated table.

Scores are drawn for all seasons at once: each match's score matrix becomes a cumulative table of its
121 cells and ``numpy.searchsorted`` finds the score cell of every season's uniform draw. Hockey ties then
go to overtime or a shoot-out with a second draw. The tables are ranked by ``predict.ranking``, exactly as the stage's
regulation ranks them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec
import numpy as np
import numpy.typing as npt

from predict.errors import PredictError
from predict.match_model import MatchModel
from predict.poisson import MAX_GOALS
from predict.ranking import SampledSeasons, final_orders
from sports.model import Adjustment, Result
from sports.regulations import Regulation

__all__ = ["SeasonOdds", "sample_seasons", "simulate_season", "zone_probabilities"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


class SeasonOdds(msgspec.Struct, frozen=True, kw_only=True):
    """``positions[t, p]``: the probability that team ``teams[t]`` finishes in position ``p + 1``."""

    teams: tuple[str, ...]
    positions: F64
    sims: int
    #: Simulated seasons that ``sports.compute_standings`` ranked (a tie reached a head-to-head criterion).
    exact_rankings: int


def sample_seasons(model: MatchModel, sims: int, seed: int) -> SampledSeasons:
    """``sims`` seasons of final scores for the matches of ``model`` (seeded: the same seed, the same seasons)."""
    rng = np.random.default_rng(seed)
    n_matches = model.matrices.shape[0]
    side = MAX_GOALS + 1
    if n_matches == 0:
        empty = np.zeros((sims, 0), dtype=np.int64)
        return SampledSeasons(home_goals=empty, away_goals=empty.copy(), decided=empty.copy())
    cdf = np.cumsum(model.matrices.reshape(n_matches, side * side), axis=1)
    cdf[:, -1] = 1.0
    draws = rng.random((n_matches, sims))
    cells = np.empty((n_matches, sims), dtype=np.int64)
    for m in range(n_matches):  # one small table per match stays in cache: faster than one long table
        cells[m] = np.searchsorted(cdf[m], draws[m], side="right")
    cells = np.ascontiguousarray(np.minimum(cells, side * side - 1).T)
    home, away = cells // side, cells % side
    decided = np.zeros_like(home)
    if model.tie_split is not None:
        tie = home == away
        split = np.cumsum(model.tie_split, axis=1)
        how = (rng.random((sims, n_matches))[:, :, None] > split[None, :, :3]).sum(axis=2)  # 0..3
        home_wins = tie & ((how == 0) | (how == 2))
        away_wins = tie & ((how == 1) | (how == 3))
        home = home + home_wins
        away = away + away_wins
        decided = np.where(tie, np.where(how < 2, 1, 2), 0)
    return SampledSeasons(
        home_goals=home.astype(np.int64), away_goals=away.astype(np.int64), decided=decided.astype(np.int64)
    )


def simulate_season(
    played: Sequence[Result],
    remaining: Sequence[tuple[str, str]],
    reg: Regulation,
    teams: Sequence[str],
    *,
    model: MatchModel,
    adjustments: Sequence[Adjustment] = (),
    sims: int = 10_000,
    seed: int = 0,
) -> SeasonOdds:
    """Position probabilities of every team after ``sims`` simulations of ``remaining`` (home, away) matches."""
    if sims < 1:
        raise PredictError(f"the number of simulations must be positive, not {sims}")
    if model.matrices.shape[0] != len(remaining):
        raise PredictError("the match model and the remaining matches differ in number")
    seasons = sample_seasons(model, sims, seed)
    order, exact = final_orders(played, remaining, reg, teams, seasons=seasons, adjustments=adjustments)
    n = len(teams)
    counts = np.bincount((order * n + np.arange(n)[None, :]).ravel(), minlength=n * n).reshape(n, n)
    return SeasonOdds(teams=tuple(teams), positions=counts / sims, sims=sims, exact_rankings=exact)


def zone_probabilities(odds: SeasonOdds, zones: Mapping[str, tuple[int, int]]) -> dict[str, dict[str, float]]:
    """Per team, the probability of finishing in each zone (positions ``first`` to ``last``, 1-based, inclusive)."""
    n = len(odds.teams)
    for name, (first, last) in zones.items():
        if not 1 <= first <= last <= n:
            raise PredictError(f"zone {name!r}: positions {first}-{last} are not within 1-{n}")
    return {
        team: {name: float(odds.positions[t, first - 1 : last].sum()) for name, (first, last) in zones.items()}
        for t, team in enumerate(odds.teams)
    }
