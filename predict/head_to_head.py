"""Teams level in a simulated table at a head-to-head criterion, settled without the standings function.

With one head-to-head run that is not re-applied (Premier League, LaLiga, FIFA, NHL, KHL), the set of teams
level when the run begins is its head-to-head set: each team's key is then its figures in the matches
against the rest of that set, followed by its own totals, and the set sorts lexicographically (by name
where nothing separates two teams). That is done for every tied set of every season at once. Under
re-applied head-to-head (UEFA) or IIHF's direct-game rule only a pair is that simple. A set that reaches a
criterion over other teams (results against the teams outside the tie, the opponents' figures), or a
larger set under those rules, is left to ``sports.compute_standings``: its seasons are returned for the
exact path. Property tests check the result against ``compute_standings`` under every preset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from sports.model import Result
from sports.regulations import H2H_CRITERIA, Regulation

__all__ = ["MUTUAL", "mutual_played", "settle_blocks", "settle_pairs", "settles_blocks"]

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
B8 = npt.NDArray[np.bool_]

#: Criteria that look at teams outside the tie: never settled here.
_OVER_OTHERS = frozenset({"vs_outside", "opp_points", "opp_goal_diff", "opp_goals"})
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


class _Mutual:
    """Head-to-head figures of a team against another in given seasons: played matches plus simulated ones."""

    def __init__(
        self,
        mutual: F64,
        pairs: Sequence[tuple[str, str]],
        index: Mapping[str, int],
        per_match: Mapping[str, tuple[F32, F32]],
    ) -> None:
        self.mutual = mutual
        self.fixtures = _pair_fixtures(pairs, index)
        self.home_team = np.array([index[h] for h, _ in pairs], dtype=np.int64)
        self.per_match = per_match

    def _sides(self, criterion: str) -> tuple[F32, F32]:
        pm = self.per_match
        if criterion == "h2h_points":
            return pm["points"]
        if criterion == "h2h_goal_diff":
            return pm["gf"][0] - pm["ga"][0], pm["gf"][1] - pm["ga"][1]
        if criterion == "h2h_goals":
            return pm["gf"]
        return pm["away_goals"]

    def key(self, criterion: str, team: I64, other: I64, seasons: I64) -> F64:
        key: F64 = self.mutual[team, other, MUTUAL.index(criterion)].copy()
        if self.home_team.size == 0:  # nothing left to simulate (every match played or cancelled)
            return key
        home_values, away_values = self._sides(criterion)
        for k in range(self.fixtures.shape[2]):
            match = self.fixtures[team, other, k]
            valid = match >= 0
            safe = np.where(valid, match, 0)
            at_home = self.home_team[safe] == team
            value = np.where(at_home, home_values[seasons, safe], away_values[seasons, safe])
            key += np.where(valid, value, 0.0)
        return key


def _blocks(level: B8) -> tuple[I64, I64, I64]:
    """Season, position and block number of every team level with a neighbour (blocks numbered in order)."""
    n_seasons = level.shape[0]
    edge = np.zeros((n_seasons, 1), dtype=bool)
    member = np.concatenate([level, edge], axis=1) | np.concatenate([edge, level], axis=1)
    start = np.concatenate([level, edge], axis=1) & ~np.concatenate([edge, level], axis=1)
    block = np.cumsum(start.ravel()).reshape(member.shape) - 1
    s_idx, p_idx = np.nonzero(member)
    return s_idx.astype(np.int64), p_idx.astype(np.int64), block[s_idx, p_idx].astype(np.int64)


def _one_h2h_run(criteria: Sequence[str]) -> bool:
    flags = [c in H2H_CRITERIA for c in criteria]
    runs = sum(1 for n, f in enumerate(flags) if f and (n == 0 or not flags[n - 1]))
    return runs <= 1


def settles_blocks(reg: Regulation, after: Sequence[str]) -> bool:
    """Whether ``settle_blocks`` applies: one head-to-head run, not re-applied, no direct-game rule."""
    return not reg.h2h_reapply and not reg.direct_game_for_two and _one_h2h_run(after)


def settle_blocks(
    order: I64,
    level: B8,
    *,
    after: Sequence[str],
    mutual: F64,
    pairs: Sequence[tuple[str, str]],
    index: Mapping[str, int],
    per_match: Mapping[str, tuple[F32, F32]],
    total_key: Callable[[str], F64],
    name_rank: I64,
) -> B8:
    """Reorders in ``order`` every block of teams level on all keys so far; returns the seasons left to the exact path.

    Only for a regulation ``settles_blocks`` accepts: the block is then the head-to-head set of its one run,
    so each team's key is its head-to-head figures against the rest of the block and its own totals, and the
    block sorts lexicographically (by name where nothing separates two teams). A block still level when a
    criterion over other teams comes (results against the teams outside, opponents' figures) goes exact.
    """
    exact: B8 = np.zeros(level.shape[0], dtype=bool)
    s_idx, p_idx, block = _blocks(level)
    if s_idx.size == 0:
        return exact
    team = order[s_idx, p_idx]
    criteria: list[str] = []
    for criterion in after:
        if criterion not in H2H_CRITERIA and criterion in _OVER_OTHERS:
            break
        criteria.append(criterion)
    truncated = len(criteria) < len(after)
    h2h = _Mutual(mutual, pairs, index, per_match)
    # every ordered pair (member, other member of its block): blocks are contiguous runs of the member list
    width = int(np.bincount(block).max())
    me_parts, other_parts = [], []
    for shift in range(1, width):
        me, other = np.arange(s_idx.size - shift), np.arange(shift, s_idx.size)
        same = block[me] == block[other]
        me_parts += [me[same], other[same]]
        other_parts += [other[same], me[same]]
    me_all = np.concatenate(me_parts) if me_parts else np.zeros(0, dtype=np.int64)
    other_all = np.concatenate(other_parts) if other_parts else np.zeros(0, dtype=np.int64)
    keys: list[F64] = []
    for criterion in criteria:
        if criterion in H2H_CRITERIA:
            against = h2h.key(criterion, team[me_all], team[other_all], s_idx[me_all])
            keys.append(np.asarray(np.bincount(me_all, weights=against, minlength=s_idx.size), dtype=np.float64))
        else:
            keys.append(total_key(criterion)[s_idx, team])
    ranked = np.lexsort([name_rank[team], *(-k for k in reversed(keys)), block])
    order[s_idx, p_idx] = team[ranked]
    if truncated:
        still = np.ones(s_idx.size - 1, dtype=bool) & (block[ranked][1:] == block[ranked][:-1])
        for k in keys:
            still &= k[ranked][1:] == k[ranked][:-1]
        exact[s_idx[1:][still]] = True
    return exact


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

    For the regulations ``settle_blocks`` does not take (re-applied head-to-head, IIHF's direct game): a pair
    is still a plain comparison there, a larger block is left to the exact path. ``level[s, p]``: the teams
    at positions ``p`` and ``p + 1`` of season ``s`` are level so far; ``after``: the criteria that follow.
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
    h2h = _Mutual(mutual, pairs, index, per_match)
    sequence = (("h2h_points",) if reg.direct_game_for_two else ()) + tuple(after)
    open_ = np.ones(s_idx.size, dtype=bool)
    swap = np.zeros(s_idx.size, dtype=bool)
    for criterion in sequence:
        if not open_.any():
            break
        if criterion in H2H_CRITERIA:
            key_a = h2h.key(criterion, first, second, s_idx)
            key_b = h2h.key(criterion, second, first, s_idx)
        elif criterion in _OVER_OTHERS:
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
