"""The two searches behind every clinch answer: each returns a proved interval around the true extreme position.

The question is always "the best (or worst) position one team can reach over every completion allowed by
``allowed`` (a set of results per remaining match, optionally with a floor on the team's own points)".
Each search returns ``(lo, hi)`` with ``lo <= answer <= hi``, proved from both sides:

- one side by witnesses: concrete completions whose table ``sports.compute_standings`` computes (a best
  position is at most any witness's; a worst position at least any witness's);
- the other side by relaxations that over-approximate what completions can do.

Small problems enumerate every configuration (a result per match) and bound each with the tie-aware
walk of ``clinch_interval``. Larger ones ask a MILP (HiGHS through ``scipy.optimize.milp``) how few
(many) teams can finish above on points, counting a team level on points as above only where a
pairwise test proves the tie-break must go its way; HiGHS' dual bound is the relaxation, its solution the
configuration a witness is built from. The caller reports a number only when ``lo == hi``.
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Iterator, Sequence

import numpy as np
from scipy.optimize import Bounds as LinearBounds  # type: ignore[import-untyped]  # scipy ships no stubs
from scipy.optimize import LinearConstraint, milp

from predict.clinch_interval import ConfigTable
from predict.clinch_model import BIG, SIDES, League
from sports.model import Outcome
from sports.regulations import H2H_CRITERIA

__all__ = ["ENUMERATION_LIMIT", "Question", "solve"]

#: configurations enumerated exhaustively at most; beyond, the MILP
ENUMERATION_LIMIT = 6000
_INF = float("inf")
_WINS = (Outcome.WIN, Outcome.OT_WIN, Outcome.SO_WIN)


class Question:
    """Best (``best=True``) or worst position of ``team`` over the completions ``allowed`` gives."""

    __slots__ = ("allowed", "best", "league", "min_points", "team", "thorough")

    def __init__(
        self,
        league: League,
        team: int,
        *,
        best: bool,
        allowed: Sequence[tuple[str, ...]],
        min_points: int | None = None,
        thorough: bool = True,
    ) -> None:
        self.league = league
        self.team = team
        self.best = best
        self.allowed = list(allowed)
        self.min_points = min_points  # a floor on the team's final points (magic numbers)
        self.thorough = thorough  # False: the quick first pass (one MILP, no second look)

    def size(self) -> int:
        return math.prod(len(a) for a in self.allowed)


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


def _sure_relations(q: Question) -> list[int]:
    """For each team X: +1 if X ends above the team whenever both are level on points, -1 if below,
    0 if that can go either way (or is not proved here).

    Only criteria that compare two teams on their own totals are walked (a head-to-head criterion, the
    direct game of IIHF or the opponents' results depend on who else is level: the walk stops there);
    each team's value is bounded over every allowed result of its matches, so the answer holds in every
    completion and for every set of teams level with them.
    """
    lg, t = q.league, q.team
    n = len(lg.teams)
    out = [0] * n
    if lg.reg.direct_game_for_two:
        return out
    mine = _ranges(q, t)
    for x in range(n):
        if x == t:
            continue
        theirs: dict[str, tuple[float, float]] | None = None
        for criterion in lg.reg.criteria:
            if criterion in H2H_CRITERIA or criterion == "vs_outside" or criterion.startswith("opp_"):
                break
            if criterion == "points":
                continue
            if criterion == "points_pct":
                if lg.final_played[x] == lg.final_played[t]:
                    continue
                break
            theirs = theirs or _ranges(q, x)
            (xl, xh), (tl, th) = theirs[criterion], mine[criterion]
            if xl > th:
                out[x] = 1
                break
            if xh < tl:
                out[x] = -1
                break
            if not (xl == xh == tl == th):
                break
    return out


@functools.cache
def _summary(codes: tuple[str, ...], home: bool) -> tuple[tuple[float, float, float, bool], dict[str, tuple[int, int]]]:
    """Over a set of results of one match, for one side: (least goal difference, most goal difference,
    fewest goals, whether it may score at all beyond that) and the least and most of each count."""
    sides = [SIDES[c][0 if home else 1] for c in codes]
    counts = {}
    for key, kinds in (
        ("wins", _WINS),
        ("regulation_wins", (Outcome.WIN,)),
        ("row", (Outcome.WIN, Outcome.OT_WIN)),
        ("away_wins", () if home else _WINS),
    ):
        hits = [s.outcome in kinds for s in sides]
        counts[key] = (int(all(hits)), int(any(hits)))
    goals = (min(s.gd_lo for s in sides), max(s.gd_hi for s in sides), min(s.gf_lo for s in sides), True)
    return goals, counts


def _ranges(q: Question, x: int) -> dict[str, tuple[float, float]]:
    lg = q.league
    b = lg.base[x]
    r: dict[str, list[float]] = {
        "goal_diff": [b.gf - b.ga] * 2,
        "goals_for": [b.gf] * 2,
        "away_goals": [b.away_goals] * 2,
        "fair_play": [b.fair_play] * 2,
        "wins": [b.won] * 2,
        "regulation_wins": [b.reg_wins] * 2,
        "row": [b.row] * 2,
        "away_wins": [b.away_wins] * 2,
    }
    for m in lg.matches_of[x]:
        home = lg.matches[m][0] == x
        (gd_lo, gd_hi, gf_lo, _), counts = _summary(q.allowed[m], home)
        r["goal_diff"][0] += gd_lo
        r["goal_diff"][1] += gd_hi
        r["goals_for"][0] += gf_lo
        r["goals_for"][1] = _INF
        if not home:
            r["away_goals"][0] += gf_lo
            r["away_goals"][1] = _INF
        r["fair_play"][0] = -_INF
        for key, (lo, hi) in counts.items():
            r[key][0] += lo
            r[key][1] += hi
    return {k: (v[0], v[1]) for k, v in r.items()}


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
    rel = _sure_relations(q)
    model = _Model(q, free=free, col=col, own=own, const=const, lo_d=lo_d, hi_d=hi_d)
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
    return (lo, min(hi, more)) if q.best else (max(lo, more), hi)


class _Model:
    """Points of every team as a linear function of one binary per (open match, result)."""

    def __init__(
        self,
        q: Question,
        *,
        free: list[int],
        col: dict[tuple[int, str], int],
        own: np.ndarray,
        const: list[int],
        lo_d: list[int],
        hi_d: list[int],
    ) -> None:
        self.q, self.free, self.col, self.own, self.const, self.lo_d, self.hi_d = q, free, col, own, const, lo_d, hi_d

    def split(self, needs: dict[int, int]) -> tuple[int, list[tuple[int, int]]]:
        """Teams above the team in every completion (a count), and those that may or may not be."""
        always = 0
        counted = []
        for x, need in needs.items():
            if self.lo_d[x] >= need:
                always += 1
            elif self.hi_d[x] >= need:
                counted.append((x, need))
        return always, counted

    def solve(self, needs: dict[int, int], deadline: float) -> tuple[int, tuple[str, ...]] | str | None:
        """HiGHS' proved optimum of the count of teams above (a position), with its configuration;
        "infeasible" when no completion meets the team's points floor; None when out of time."""
        q, t, nz = self.q, self.q.team, len(self.col)
        always, counted = self.split(needs)
        nvar = nz + len(counted)
        rows = np.zeros((len(counted) + len(self.free) + (q.min_points is not None), nvar))
        lbs = np.full(len(rows), -np.inf)
        ubs = np.full(len(rows), np.inf)
        for k, (x, need) in enumerate(counted):
            rows[k, :nz] = self.own[x] - self.own[t]
            c0 = self.const[x] - self.const[t]
            if q.best:  # diff - M z <= need - 1
                rows[k, nz + k] = -(self.hi_d[x] - need + 1)
                ubs[k] = need - 1 - c0
            else:  # diff - (need - lo) y >= lo
                rows[k, nz + k] = -(need - self.lo_d[x])
                lbs[k] = self.lo_d[x] - c0
        for k, m in enumerate(self.free, start=len(counted)):
            for c in q.allowed[m]:
                rows[k, self.col[(m, c)]] = 1
            lbs[k] = ubs[k] = 1
        if q.min_points is not None:
            rows[-1, :nz] = self.own[t]
            lbs[-1] = q.min_points - self.const[t]
        if nvar == 0:
            if q.min_points is not None and self.const[t] < q.min_points:
                return "infeasible"
            return 1 + always, tuple(a[0] for a in q.allowed)
        objective = np.zeros(nvar)
        objective[nz:] = 1 if q.best else -1
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        res = milp(
            objective,
            constraints=[LinearConstraint(rows, lbs, ubs)] if len(rows) else [],
            integrality=np.ones(nvar),
            bounds=LinearBounds(np.zeros(nvar), np.ones(nvar)),
            options={"time_limit": left, "mip_rel_gap": 0.0},
        )
        if res.x is None:
            return "infeasible" if res.status == 2 else None
        bound = getattr(res, "mip_dual_bound", None)
        if bound is None or not np.isfinite(bound):
            bound = res.fun if res.status == 0 else None
        if bound is None:
            return None
        chosen = np.asarray(res.x)
        config = tuple(
            a[0] if len(a) == 1 else max(a, key=lambda c: float(chosen[self.col[(m, c)]]))
            for m, a in enumerate(q.allowed)
        )
        # the objective is a count: HiGHS' dual bound, rounded the safe way, is the relaxation
        return 1 + always + (math.ceil(bound - 1e-6) if q.best else math.floor(-bound + 1e-6)), config


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
