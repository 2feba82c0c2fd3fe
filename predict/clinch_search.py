"""The two searches behind every clinch answer: each returns a proved interval around the true extreme position.

The question is always "the best (or worst) position one team can reach over every completion allowed by
``allowed`` (a set of results per remaining match, optionally with a floor on the team's own points)".
Each search returns ``(lo, hi)`` with ``lo <= answer <= hi``, proved from both sides:

- one side by witnesses: concrete completions whose table ``sports.compute_standings`` computes (a best
  position is at most any witness's; a worst position at least any witness's);
- the other side by relaxations that over-approximate what completions can do.

Small problems (at most ``ENUMERATION_LIMIT`` configurations: a result per open match) enumerate every
configuration, best first on points, and bound each with the tie-aware walk of ``clinch_interval``.
Larger ones go through up to three steps, each only if the previous left a gap (``predict.clinch_milp``):
a greedy configuration against the trivial bound (early in a season that is nearly always enough), the
points MILP with ties counted the team's way unless a sure relation says otherwise (and once more with
ties counted against it, for a better witness), then the MILP with exact level indicators where a tie of
two is settled by the pair's mutual matches. HiGHS' dual bound is the relaxation, its solution the
configuration a witness is built from. The caller reports a number only when ``lo == hi``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Sequence

import numpy as np

from predict.clinch_interval import ConfigTable
from predict.clinch_milp import PointsModel, pair_relations, sure_relations
from predict.clinch_model import BIG, Question
from sports.model import Outcome

__all__ = ["ENUMERATION_LIMIT", "Question", "solve"]

#: configurations enumerated exhaustively at most; beyond, the MILP
ENUMERATION_LIMIT = 6000
_INF = float("inf")
_WINS = (Outcome.WIN, Outcome.OT_WIN, Outcome.SO_WIN)


def solve(q: Question, deadline: float) -> tuple[int, int]:
    n = len(q.league.teams)
    if time.monotonic() >= deadline:
        return 1, n
    if q.size() <= ENUMERATION_LIMIT:
        return _enumerate(q, deadline)
    return _milp(q, deadline)


# -- witnesses -------------------------------------------------------------------------------------------------


def _scores(q: Question, config: Sequence[str], variant: int) -> list[tuple[int, int]]:
    """Scores for one configuration that push the question's team up (best) or down (worst).

    Bit 0: the team's own level results (draws, overtime) high-scoring; bit 1: rivals level on points
    with the team lose by big and win by small margins (or the reverse for a worst position); bit 2:
    every other decisive result by a big margin; bit 3: other draws high-scoring.
    """
    lg, t = q.league, q.team
    pts = lg.points(config)
    rivals = {x for x, p in enumerate(pts) if p == pts[t] and x != t}
    out: list[tuple[int, int]] = []
    for (h, a), code in zip(lg.matches, config, strict=True):
        ours = t in (h, a)
        high = bool(variant & (1 if ours else 8))
        if code == "D":
            k = BIG if high else 0
            out.append((k, k))
            continue
        home_wins = code.startswith("H")
        winner, loser = (h, a) if home_wins else (a, h)
        if code not in ("H", "A"):  # overtime or shoot-out: one goal in it, at any level
            k = BIG if high else 0
            out.append((k + 1, k) if home_wins else (k, k + 1))
            continue
        if ours:
            margin = BIG if (winner == t) == q.best else 1
        else:
            margin = BIG if variant & 4 else 1
            if variant & 2:
                up, down = (loser, winner) if q.best else (winner, loser)
                if up in rivals and down not in rivals:
                    margin = BIG
                elif down in rivals and up not in rivals:
                    margin = 1
        out.append((margin, 0) if home_wins else (0, margin))
    return out


_VARIANTS = (2, 0, 3, 1, 6, 4, 10, 8, 11, 14, 15, 7)


def _witness(
    q: Question, config: Sequence[str], target: int, deadline: float, variants: Sequence[int] = _VARIANTS
) -> int:
    """The best position (worst, for a worst question) found for the team in this configuration, trying
    score patterns until one reaches ``target`` (the configuration's own bound)."""
    found = len(q.league.teams) + 1 if q.best else 0
    for variant in variants:
        best, worst = q.league.positions(config, _scores(q, config, variant), q.team)
        found = min(found, best) if q.best else max(found, worst)
        if found == target or time.monotonic() >= deadline:
            break
    return found


# -- enumeration -----------------------------------------------------------------------------------------------


def _configs(q: Question) -> Iterator[tuple[str, ...]]:
    configs: Iterator[tuple[str, ...]] = itertools.product(*q.allowed)
    if q.min_points is None:
        return configs
    floor, lg, t = q.min_points, q.league, q.team
    mine = lg.matches_of[t]
    return (c for c in configs if lg.base_points[t] + sum(lg.own_points(t, m, c[m]) for m in mine) >= floor)


def _enumerate(q: Question, deadline: float) -> tuple[int, int]:
    lg, t, n = q.league, q.team, len(q.league.teams)
    scored = []
    for config in _configs(q):
        pts = lg.points(config)
        # the configuration's position on points alone, ties counted for us (best) or against (worst)
        pre = 1 + sum(1 for p in pts if p > pts[t]) if q.best else sum(1 for p in pts if p >= pts[t])
        scored.append((pre, config))
    if not scored:
        return (n + 1, n + 1) if q.best else (0, 0)  # no completion at all: nothing to bound
    scored.sort(key=lambda pc: pc[0], reverse=not q.best)
    if q.best:
        proved, relaxed = n + 1, n + 1  # witness (upper bound), min of the relaxations
        for count, (pre, config) in enumerate(scored):
            if pre >= proved:
                break
            if count % 16 == 0 and time.monotonic() >= deadline:
                return 1, n
            lo, _ = ConfigTable(lg, config).position_range(t)
            relaxed = min(relaxed, lo)
            if lo < proved:
                proved = min(proved, _witness(q, config, lo, deadline))
        return min(relaxed, proved), proved
    proved, relaxed = 0, 0
    for count, (pre, config) in enumerate(scored):
        if pre <= proved:
            break
        if count % 16 == 0 and time.monotonic() >= deadline:
            return 1, n
        _, hi = ConfigTable(lg, config).position_range(t)
        relaxed = max(relaxed, hi)
        if hi > proved:
            proved = max(proved, _witness(q, config, hi, deadline))
    return proved, max(relaxed, proved)


# -- MILP ------------------------------------------------------------------------------------------------------


def _milp(q: Question, deadline: float) -> tuple[int, int]:
    """How few (many) teams can finish above the team on points, ties counted for it (against it) unless
    a sure relation says otherwise: HiGHS' proved bound, and a witness from its solution."""
    lg, t, n = q.league, q.team, len(q.league.teams)
    free = [m for m, a in enumerate(q.allowed) if len(a) > 1]
    col: dict[tuple[int, str], int] = {}
    for m in free:
        for c in q.allowed[m]:
            col[(m, c)] = len(col)
    nz = len(col)
    # own[x]: x's points as constant + coefficients; the difference to the team's follows
    const = list(lg.base_points)
    own = np.zeros((n, nz))
    lo_own = list(lg.base_points)
    hi_own = list(lg.base_points)
    for m, (h, a) in enumerate(lg.matches):
        opts = q.allowed[m]
        for x, k in ((h, 0), (a, 1)):
            vals = [lg.code_points[c][k] for c in opts]
            if len(opts) == 1:
                const[x] += vals[0]
            else:
                for c, v in zip(opts, vals, strict=True):
                    own[x, col[(m, c)]] = v
            lo_own[x] += min(vals)
            hi_own[x] += max(vals)
    # bounds of diff = points(x) - points(team): exact per match where both play, else independent
    lo_d = [lo_own[x] - hi_own[t] for x in range(n)]
    hi_d = [hi_own[x] - lo_own[t] for x in range(n)]
    for m in lg.matches_of[t]:
        h, a = lg.matches[m]
        x = a if h == t else h
        opts = q.allowed[m]
        d = [lg.own_points(x, m, c) - lg.own_points(t, m, c) for c in opts]
        sep_lo = min(lg.own_points(x, m, c) for c in opts) - max(lg.own_points(t, m, c) for c in opts)
        sep_hi = max(lg.own_points(x, m, c) for c in opts) - min(lg.own_points(t, m, c) for c in opts)
        lo_d[x] += min(d) - sep_lo
        hi_d[x] += max(d) - sep_hi
    rel = sure_relations(q)
    model = PointsModel(q, free=free, col=col, own=own, const=const, lo_d=lo_d, hi_d=hi_d)
    # x is above the team when points(x) - points(team) >= need: ties go the team's way (best) or the
    # other's (worst) unless a sure relation proves the tie-break
    needs = {x: (0 if rel[x] == 1 else 1) if q.best else (1 if rel[x] == -1 else 0) for x in range(n) if x != t}
    always, counted = model.split(needs)
    trivial = 1 + always if q.best else 1 + always + len(counted)
    if q.min_points is None and time.monotonic() < deadline:
        guess = _greedy(q, counted)
        if _witness(q, guess, trivial, deadline, variants=_VARIANTS[:2]) == trivial:
            return trivial, trivial
    solved = model.solve(needs, deadline)
    if solved is None:
        return 1, n
    if isinstance(solved, str):  # infeasible
        return (n + 1, n + 1) if q.best else (0, 0)
    relaxed, config = solved
    lo, hi = _bounds_from(q, config, relaxed, deadline)
    if lo == hi or not q.thorough or time.monotonic() >= deadline:
        return lo, hi
    # the witness lost a tie the relaxation let the team win: look for a configuration with no such tie
    again = model.solve(dict.fromkeys(needs, 0 if q.best else 1), deadline)
    if again is None or isinstance(again, str):
        return lo, hi
    more = _witness(q, again[1], again[0], deadline)
    lo, hi = (lo, min(hi, more)) if q.best else (max(lo, more), hi)
    if lo == hi or time.monotonic() >= deadline:
        return lo, hi
    # a tie of two is often settled by the pair's mutual matches: count those the proved way
    pairs = pair_relations(q)
    if q.best:
        level_above = {x for x in range(n) if rel[x] == 1}
        flip = {x for x in range(n) if pairs[x] == 1 and rel[x] != 1}
    else:
        level_above = {x for x in range(n) if x != t and rel[x] != -1}
        flip = {x for x in range(n) if pairs[x] == -1 and rel[x] != -1}
    if not flip:
        return lo, hi
    third = model.solve_pairs(level_above, flip, deadline)
    if third is None or isinstance(third, str):
        return lo, hi
    relaxed, config = third
    found = _witness(q, config, relaxed, deadline)
    if q.best:
        return max(lo, min(relaxed, hi)), min(hi, found)
    return max(lo, found), min(hi, max(relaxed, lo))


def _greedy(q: Question, counted: Sequence[tuple[int, int]]) -> tuple[str, ...]:
    """A configuration that often proves the trivial bound at once (early in a season nearly always): the
    team's matches at their first allowed result, each other match's points to the side with more room
    under the team (best) or closer to reaching it (worst), in order."""
    lg, t = q.league, q.team
    config = [a[0] for a in q.allowed]
    pts = lg.points(config)
    mine = pts[t]
    room = {x: mine + need - 1 - pts[x] for x, need in counted} if q.best else {}
    short = {} if q.best else {x: mine + need - pts[x] for x, need in counted}
    for m in sorted(m for m, a in enumerate(q.allowed) if len(a) > 1 and t not in lg.matches[m]):
        h, a = lg.matches[m]

        def value(code: str, h: int = h, a: int = a) -> tuple[float, float]:
            hp, ap = lg.code_points[code]
            if q.best:
                left = min(room.get(h, 10**9) - hp, room.get(a, 10**9) - ap)
                return left, -(hp + ap)
            gain = sum(min(p, d) / (1 + d) for x, p in ((h, hp), (a, ap)) if (d := short.get(x, 0)) > 0)
            return gain, -(hp + ap)

        code = max(q.allowed[m], key=value)
        config[m] = code
        hp, ap = lg.code_points[code]
        for x, p in ((h, hp), (a, ap)):
            if x in room:
                room[x] -= p
            if x in short:
                short[x] -= p
    return tuple(config)


def _bounds_from(q: Question, config: tuple[str, ...], relaxed: int, deadline: float) -> tuple[int, int]:
    proved = _witness(q, config, relaxed, deadline)
    if q.best:
        return min(relaxed, proved), proved
    return proved, max(relaxed, proved)
