"""What the ratings say about matches still to play: score distributions and the hockey tie split.

A match's distribution is the Dixon-Coles score matrix. In hockey that matrix is the regulation score, its
level scores weighted by the stage's ``tie_boost`` (ties are more common than independent goals say); a
tie after regulation then goes to overtime (with the ratings' ``ot_share``), won by each side in proportion
to its scoring rate, or else to a shoot-out taken as even. The final score counts the decisive goal, as the
NHL and IIHF tables do.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import numpy as np
import numpy.typing as npt

from predict.errors import PredictError
from predict.poisson import MAX_GOALS, score_matrices
from predict.ratings import HOCKEY, Ratings

__all__ = ["MatchModel", "likely_scores", "match_model", "outcome_probabilities"]

F64 = npt.NDArray[np.float64]


class MatchModel(msgspec.Struct, frozen=True, kw_only=True):
    """Per match: the (regulation) score matrix and, in hockey, how a tie ends."""

    matrices: F64  # (matches, MAX_GOALS + 1, MAX_GOALS + 1)
    #: Hockey only, given a tie after regulation: P(home wins in OT), P(away OT), P(home SO), P(away SO).
    tie_split: F64 | None  # (matches, 4)


def match_model(ratings: Ratings, pairs: Sequence[tuple[str, str]]) -> MatchModel:
    unknown = sorted({t for pair in pairs for t in pair if t not in ratings.attack})
    if unknown:
        raise PredictError(f"no ratings for {', '.join(unknown)}")
    att_h = np.array([ratings.attack[h] for h, _ in pairs], dtype=np.float64)
    att_a = np.array([ratings.attack[a] for _, a in pairs], dtype=np.float64)
    def_h = np.array([ratings.defence[h] for h, _ in pairs], dtype=np.float64)
    def_a = np.array([ratings.defence[a] for _, a in pairs], dtype=np.float64)
    lam = np.exp(ratings.intercept + ratings.home + att_h - def_a)
    mu = np.exp(ratings.intercept + att_a - def_h)
    matrices = score_matrices(lam, mu, ratings.rho)
    tie_split = None
    if ratings.sport == HOCKEY:
        diagonal = np.arange(matrices.shape[1])
        matrices[:, diagonal, diagonal] *= ratings.tie_boost
        matrices /= matrices.sum(axis=(1, 2), keepdims=True)
        home_share = lam / (lam + mu)
        ot, so = ratings.ot_share, 1.0 - ratings.ot_share
        tie_split = np.stack(
            [ot * home_share, ot * (1.0 - home_share), np.full_like(lam, so / 2), np.full_like(lam, so / 2)], axis=1
        )
    return MatchModel(matrices=matrices, tie_split=tie_split)


def outcome_probabilities(model: MatchModel) -> F64:
    """(matches, 3): home win, draw (hockey: tie after regulation), away win, from the (regulation) score."""
    m = model.matrices
    home = np.tril(np.ones((MAX_GOALS + 1, MAX_GOALS + 1)), -1)
    p_home = (m * home[None]).sum(axis=(1, 2))
    p_away = (m * home.T[None]).sum(axis=(1, 2))
    p_draw = np.trace(m, axis1=1, axis2=2)
    out: F64 = np.stack([p_home, p_draw, p_away], axis=1)
    normalised: F64 = out / out.sum(axis=1, keepdims=True)
    return normalised


def likely_scores(model: MatchModel, match: int, top: int = 5) -> tuple[tuple[int, int, float], ...]:
    """The ``top`` most likely final scores of one match as (home, away, probability)."""
    m = model.matrices[match]
    cells: dict[tuple[int, int], float] = {}
    for i in range(MAX_GOALS + 1):
        for j in range(MAX_GOALS + 1):
            p = float(m[i, j])
            if i != j or model.tie_split is None:
                cells[(i, j)] = cells.get((i, j), 0.0) + p
                continue
            split = model.tie_split[match]
            home_wins = float(split[0] + split[2])
            cells[(i + 1, j)] = cells.get((i + 1, j), 0.0) + p * home_wins
            cells[(i, j + 1)] = cells.get((i, j + 1), 0.0) + p * (1.0 - home_wins)
    best = sorted(cells.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return tuple((h, a, round(p, 4)) for (h, a), p in best)
