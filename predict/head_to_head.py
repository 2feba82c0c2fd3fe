"""Two teams level in a simulated table, settled without calling the standings function.

Most ties a regulation's head-to-head criteria meet in a simulated season are between two teams. For two
teams ``sports.standings`` compares the matches between them (the head-to-head set is the pair itself, so
re-applying the criteria changes nothing), then the criteria that follow on each team's own totals: a plain
lexicographic comparison, done here for all such pairs of all seasons at once. IIHF's rule that the direct
game decides a tie of two comes first. A tie of three or more teams, or a pair that reaches a criterion
over other teams (results against the teams outside the tie, the opponents' figures), is left to
``sports.compute_standings``: its seasons are returned for the exact path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from sports.model import Result
from sports.regulations import H2H_CRITERIA, Regulation

__all__ = ["MUTUAL", "mutual_played", "settle_pairs"]

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
B8 = npt.NDArray[np.bool_]

#: The head-to-head figures of a team against one other team, in this order.
MUTUAL = ("h2h_points", "h2h_goal_diff", "h2h_goals", "h2h_away_goals")


def mutual_played(
    played: Sequence[Result], reg: Regulation, index: Mapping[str, int], points_of: Callable[[Result, str], int]
) -> F64:
    """``out[a, b, k]``: figure ``MUTUAL[k]`` of team ``a`` in the played matches between ``a`` and ``b``."""
    n = len(index)
    out = np.zeros((n, n, len(MUTUAL)))
    for r in played:
        hs, as_ = r.home_score, r.away_score
        if r.decided_in == "AWD" and not reg.awarded_goals_count:
            hs = as_ = 0
        h, a = index[r.home], index[r.away]
        out[h, a] += (points_of(r, "home"), hs - as_, hs, 0)
        out[a, h] += (points_of(r, "away"), as_ - hs, as_, as_)
    return out


def _pair_fixtures(pairs: Sequence[tuple[str, str]], index: Mapping[str, int]) -> I64:
    """``out[a, b]``: indexes of the remaining matches between ``a`` and ``b`` (either ground), padded with -1."""
    n = len(index)
    lists: dict[tuple[int, int], list[int]] = {}
    for m, (home, away) in enumerate(pairs):
        h, a = index[home], index[away]
        lists.setdefault((h, a), []).append(m)
        lists.setdefault((a, h), []).append(m)
    width = max((len(v) for v in lists.values()), default=0)
    out = np.full((n, n, max(width, 1)), -1, dtype=np.int64)
    for (a, b), matches in lists.items():
        out[a, b, : len(matches)] = matches
    return out


def settle_pairs(
    order: I64,
    level: B8,
    *,
    reg: Regulation,
    after: Sequence[str],
    mutual: F64,
    pairs: Sequence[tuple[str, str]],
    index: Mapping[str, int],
    per_match: Mapping[str, tuple[F32, F32]],
    total_key: Callable[[str], F64],
) -> B8:
    """Reorders in ``order`` every pair of teams level on all keys so far; returns the seasons left to the exact path.

    ``level[s, p]``: the teams at positions ``p`` and ``p + 1`` of season ``s`` are level so far; ``after``:
    the regulation's criteria that follow those keys.
    """
    n_seasons = level.shape[0]
    before = np.zeros((n_seasons, 1), dtype=bool)
    prev = np.concatenate([before, level[:, :-1]], axis=1)
    nxt = np.concatenate([level[:, 1:], before], axis=1)
    exact: B8 = (level & nxt).any(axis=1)  # three or more teams level
    pair = level & ~prev & ~nxt & ~exact[:, None]
    s_idx, p_idx = np.nonzero(pair)
    if s_idx.size == 0:
        return exact
    first, second = order[s_idx, p_idx], order[s_idx, p_idx + 1]
    fixtures = _pair_fixtures(pairs, index)
    home_team = np.array([index[h] for h, _ in pairs], dtype=np.int64)
    sides = {
        "h2h_points": per_match["points"],
        "h2h_goal_diff": (per_match["gf"][0] - per_match["ga"][0], per_match["gf"][1] - per_match["ga"][1]),
        "h2h_goals": per_match["gf"],
        "h2h_away_goals": per_match["away_goals"],
    }

    def mutual_key(criterion: str, team: I64, other: I64, seasons: I64) -> F64:
        key: F64 = mutual[team, other, MUTUAL.index(criterion)].copy()
        home_values, away_values = sides[criterion]
        for k in range(fixtures.shape[2]):
            match = fixtures[team, other, k]
            valid = match >= 0
            safe = np.where(valid, match, 0)
            at_home = home_team[safe] == team
            value = np.where(at_home, home_values[seasons, safe], away_values[seasons, safe])
            key += np.where(valid, value, 0.0)
        return key

    sequence = (("h2h_points",) if reg.direct_game_for_two else ()) + tuple(after)
    open_ = np.ones(s_idx.size, dtype=bool)
    swap = np.zeros(s_idx.size, dtype=bool)
    for criterion in sequence:
        if not open_.any():
            break
        if criterion in H2H_CRITERIA:
            key_a = mutual_key(criterion, first, second, s_idx)
            key_b = mutual_key(criterion, second, first, s_idx)
        elif criterion in ("vs_outside", "opp_points", "opp_goal_diff", "opp_goals"):
            exact[s_idx[open_]] = True
            break
        else:
            values = total_key(criterion)
            key_a, key_b = values[s_idx, first], values[s_idx, second]
        decided = open_ & (key_a != key_b)
        swap |= decided & (key_b > key_a)
        open_ &= ~decided
    keep = ~exact[s_idx]
    s_swap, p_swap = s_idx[swap & keep], p_idx[swap & keep]
    order[s_swap, p_swap], order[s_swap, p_swap + 1] = second[swap & keep], first[swap & keep]
    return exact
