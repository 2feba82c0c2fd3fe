"""How good probabilities of home win, draw and away win are: log loss, ranked probability score, the market.

Both scores are means over matches, lower is better. The ranked probability score (Epstein 1969) treats the
three outcomes as ordered, so calling a home win a draw costs less than calling it an away win. Bookmakers'
odds carry a margin (their implied probabilities sum to more than 1); it is removed proportionally here:
each implied probability is divided by their sum.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from predict.errors import PredictError

__all__ = ["log_loss", "outcome_index", "proportional_probabilities", "ranked_probability_score"]

F64 = npt.NDArray[np.float64]
_FLOOR = 1e-15


def outcome_index(home_score: int, away_score: int) -> int:
    """0 home win, 1 draw, 2 away win."""
    return 0 if home_score > away_score else 1 if home_score == away_score else 2


def log_loss(probabilities: F64, outcomes: Sequence[int]) -> float:
    """Mean of -ln(probability given to what happened); ``probabilities`` is (matches, 3)."""
    if len(outcomes) == 0:
        raise PredictError("no matches to score")
    picked = probabilities[np.arange(len(outcomes)), np.asarray(outcomes)]
    return float(-np.log(np.maximum(picked, _FLOOR)).mean())


def ranked_probability_score(probabilities: F64, outcomes: Sequence[int]) -> float:
    """Mean over matches of half the summed squared gaps between forecast and outcome cumulative distributions."""
    if len(outcomes) == 0:
        raise PredictError("no matches to score")
    observed = np.zeros_like(probabilities)
    observed[np.arange(len(outcomes)), np.asarray(outcomes)] = 1.0
    gaps = np.cumsum(probabilities, axis=1)[:, :2] - np.cumsum(observed, axis=1)[:, :2]
    return float((gaps**2).sum(axis=1).mean() / 2.0)


def proportional_probabilities(odds: Sequence[float]) -> tuple[float, ...]:
    """Decimal odds to probabilities with the bookmaker's margin removed proportionally."""
    if any(o <= 1.0 for o in odds):
        raise PredictError(f"decimal odds must exceed 1, got {list(odds)}")
    implied = [1.0 / o for o in odds]
    total = sum(implied)
    return tuple(p / total for p in implied)
