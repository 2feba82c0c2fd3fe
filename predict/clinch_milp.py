"""The points MILP behind large questions, and the pairwise tie-break facts that sharpen it.

Points are linear in one binary per (open match, result), so "how few (many) teams can finish above the
team on points" is a small integer program; HiGHS (``scipy.optimize.milp``) solves it with a proved dual
bound. Points alone leave ties open, so two facts, each proved over every allowed completion, decide some:

- :func:`sure_relations`: X is above (below) the team whenever both are level on points, whoever else is
  level, because a criterion that compares two teams on their own totals (goal difference, wins ...)
  separates them before any head-to-head criterion is reached;
- :func:`pair_relations`: the same when X and the team are the only two level: the head-to-head criteria
  are then their mutual matches (IIHF's direct game too), often played already.

The second needs exact "level" indicators in the model (:meth:`PointsModel.solve_pairs`): a tie of two
is then told from a tie of three, where head to head among three may go any way.
"""

from __future__ import annotations

import functools
import math
import time

import numpy as np
from scipy.optimize import Bounds as LinearBounds  # type: ignore[import-untyped]  # scipy ships no stubs
from scipy.optimize import LinearConstraint, milp

from predict.clinch_model import SIDES, Question
from sports.model import Outcome, Result
from sports.regulations import H2H_CRITERIA
from sports.standings import _tally

__all__ = ["PointsModel", "pair_relations", "sure_relations"]

_INF = float("inf")
_WINS = (Outcome.WIN, Outcome.OT_WIN, Outcome.SO_WIN)
Solved = tuple[int, tuple[str, ...]] | str | None


def sure_relations(q: Question) -> list[int]:
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
def _summary(codes: tuple[str, ...], home: bool) -> tuple[tuple[float, float, float], dict[str, tuple[int, int]]]:
    """Over a set of results of one match, for one side: (least goal difference, most goal difference,
    fewest goals scored) and the least and most of each count (wins, regulation wins ...)."""
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
    goals = (min(s.gd_lo for s in sides), max(s.gd_hi for s in sides), float(min(s.gf_lo for s in sides)))
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
        (gd_lo, gd_hi, gf_lo), counts = _summary(q.allowed[m], home)
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


class PointsModel:
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

    def solve_pairs(self, level_above: set[int], flip: set[int], deadline: float) -> Solved:
        """The count of teams above with exact "level on points" indicators: a team above on points
        counts; a level one counts if in ``level_above``; and when exactly one team is level, a team of
        ``flip`` adds one (best: it wins a tie of two) or takes one away (worst: it loses it)."""
        q, t, nz = self.q, self.q.team, len(self.col)
        n = len(q.league.teams)
        above_const = 0
        maybe: list[int] = []
        for x in range(n):
            if x == t:
                continue
            if self.lo_d[x] >= 1:
                above_const += 1
            elif self.hi_d[x] >= 0:
                maybe.append(x)
        flips = [x for x in maybe if x in flip]
        k = len(maybe)
        a_col = {x: nz + 2 * i for i, x in enumerate(maybe)}
        b_col = {x: nz + 2 * i + 1 for i, x in enumerate(maybe)}
        w_col = {x: nz + 2 * k + i for i, x in enumerate(flips)}
        nvar = nz + 2 * k + len(flips)
        rows: list[np.ndarray] = []
        lbs: list[float] = []
        ubs: list[float] = []

        def add(row: np.ndarray, lo: float, hi: float) -> None:
            rows.append(row)
            lbs.append(lo)
            ubs.append(hi)

        for x in maybe:
            d = np.zeros(nvar)
            d[:nz] = self.own[x] - self.own[t]
            c0 = self.const[x] - self.const[t]
            lo_d, hi_d = self.lo_d[x], self.hi_d[x]
            r = np.zeros(nvar)
            r[a_col[x]] = r[b_col[x]] = 1
            add(r, -np.inf, 1)  # above or below, not both
            r = d.copy()
            r[a_col[x]] = -(1 - lo_d)
            add(r, lo_d - c0, np.inf)  # above => diff >= 1
            r = d.copy()
            r[b_col[x]] = hi_d + 1
            add(r, -np.inf, hi_d - c0)  # below => diff <= -1
            r = d.copy()
            r[a_col[x]] = -hi_d
            add(r, -np.inf, -c0)  # not above => diff <= 0
            r = d.copy()
            r[b_col[x]] = -lo_d
            add(r, -c0, np.inf)  # not below => diff >= 0
        for x in flips:  # w >= level(x) - sum of the others' level
            r = np.zeros(nvar)
            r[w_col[x]] = 1
            r[a_col[x]] += 1
            r[b_col[x]] += 1
            for y in maybe:
                if y != x:
                    r[a_col[y]] -= 1
                    r[b_col[y]] -= 1
            add(r, 2 - k, np.inf)
        for m in self.free:
            r = np.zeros(nvar)
            for c in q.allowed[m]:
                r[self.col[(m, c)]] = 1
            add(r, 1, 1)
        if q.min_points is not None:
            r = np.zeros(nvar)
            r[:nz] = self.own[t]
            add(r, q.min_points - self.const[t], np.inf)
        count = np.zeros(nvar)
        constant = above_const
        for x in maybe:
            count[a_col[x]] += 1
            if x in level_above:
                constant += 1
                count[a_col[x]] -= 1
                count[b_col[x]] -= 1
        for x in flips:
            count[w_col[x]] = 1 if q.best else -1
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        integrality = np.ones(nvar)
        integrality[nz + 2 * k :] = 0  # w sits at its lower bound, 0 or 1 once the rest is integral
        res = milp(
            count if q.best else -count,
            constraints=[LinearConstraint(np.array(rows), np.array(lbs), np.array(ubs))] if rows else [],
            integrality=integrality,
            bounds=LinearBounds(np.zeros(nvar), np.ones(nvar)),
            options={"time_limit": left, "mip_rel_gap": 0.0},
        )
        if res.x is None:
            return "infeasible" if res.status == 2 else None
        bound = getattr(res, "mip_dual_bound", None)
        if bound is None or not np.isfinite(bound):
            return None
        chosen = np.asarray(res.x)
        config = tuple(
            a[0] if len(a) == 1 else max(a, key=lambda c: float(chosen[self.col[(m, c)]]))
            for m, a in enumerate(q.allowed)
        )
        best = constant + math.ceil(bound - 1e-6) if q.best else constant + math.floor(-bound + 1e-6)
        return 1 + best, config


def pair_relations(q: Question) -> list[int]:
    """For each team X: +1 if X ends above the team whenever they are the only two level on points, -1 if
    below, 0 if not proved. A tie of two is resolved by the criteria in order with the head-to-head ones
    over their mutual matches (``direct_game_for_two`` first); each difference is bounded over every
    allowed result; opponents' results and ``vs_outside`` stop the walk."""
    lg, t = q.league, q.team
    out = [0] * len(lg.teams)
    mine = _ranges(q, t)
    for x in range(len(lg.teams)):
        if x == t:
            continue
        mutual = _mutual(q, x)
        if lg.reg.direct_game_for_two:
            lo, hi = mutual["h2h_points"]
            if lo > 0 or hi < 0:
                out[x] = 1 if lo > 0 else -1
                continue
            if not lo == hi == 0:
                continue
        theirs = _ranges(q, x)
        for criterion in lg.reg.criteria:
            if criterion == "points":
                continue
            if criterion in H2H_CRITERIA:
                lo, hi = mutual[criterion]
            elif criterion == "points_pct":
                if lg.final_played[x] == lg.final_played[t]:
                    continue
                break
            elif criterion in theirs:
                lo, hi = theirs[criterion][0] - mine[criterion][1], theirs[criterion][1] - mine[criterion][0]
            else:
                break
            if lo > 0:
                out[x] = 1
                break
            if hi < 0:
                out[x] = -1
                break
            if not lo == hi == 0:
                break
    return out


def _mutual(q: Question, x: int) -> dict[str, tuple[float, float]]:
    """(X - team) for each head-to-head criterion over their mutual matches, as an interval."""
    lg, t = q.league, q.team
    names = {lg.teams[x], lg.teams[t]}
    among: list[Result] = [r for r in lg.played if r.home in names and r.away in names]
    tally = _tally(among, lg.reg, names)
    mx, mt = tally[lg.teams[x]], tally[lg.teams[t]]
    gd = mx.gf - mx.ga
    out: dict[str, list[float]] = {
        "h2h_points": [mx.points - mt.points] * 2,
        "h2h_goal_diff": [2 * gd] * 2,  # the team's is the opposite of X's
        "h2h_goals": [gd] * 2,  # X's goals minus the team's, in the same matches
        "h2h_away_goals": [mx.away_goals - mt.away_goals] * 2,
    }
    for m in lg.matches_of[t]:
        h, a = lg.matches[m]
        if x not in (h, a):
            continue
        x_home = h == x
        pts, gds, away = [], [], []
        for c in q.allowed[m]:
            hp, ap = lg.code_points[c]
            pts.append(hp - ap if x_home else ap - hp)
            side = SIDES[c][0 if x_home else 1]
            gds.append((side.gd_lo, side.gd_hi))
            # away goals: X's when X is away (at least its fewest goals), minus the team's when it is away
            other = SIDES[c][1 if x_home else 0]
            away.append((-_INF, -other.gf_lo) if x_home else (side.gf_lo, _INF))
        for key, lo, hi in (
            ("h2h_points", min(pts), max(pts)),
            ("h2h_goal_diff", 2 * min(g[0] for g in gds), 2 * max(g[1] for g in gds)),
            ("h2h_goals", min(g[0] for g in gds), max(g[1] for g in gds)),
            ("h2h_away_goals", min(w[0] for w in away), max(w[1] for w in away)),
        ):
            out[key][0] += lo
            out[key][1] += hi
    return {k: (v[0], v[1]) for k, v in out.items()}
