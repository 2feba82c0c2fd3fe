"""The league that clinch questions are asked about: the fixed part of the table and the open matches.

A remaining match ends in one of a few *results* (codes): football ``H`` / ``D`` / ``A``; ice hockey a win
of either side in regulation, overtime or a shoot-out (``H``, ``HO``, ``HS``, ``A``, ``AO``, ``AS``). The
result decides the points and every outcome-based count (wins, regulation wins, ...); the score is free
within the result: a regulation win by any margin of at least one goal, a draw at any level, an overtime or
shoot-out win by exactly one goal (sudden death; the shoot-out's decisive goal counts) at any level. That
is the set of completions every answer of ``predict.clinch`` is about, and the set the tests enumerate.

A *witness* is one concrete completion (scores included); its table comes from
:func:`sports.compute_standings` itself, so a witness's position is a fact, never an estimate: it is how
every upper bound of a best position (and lower bound of a worst one) is proved.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sports.model import Adjustment, DecidedIn, Outcome, Result, RulesError
from sports.regulations import PointsSystem, Regulation
from sports.standings import _Tally, _tally, compute_standings

__all__ = [
    "BIG",
    "DECIDED_IN",
    "FOOTBALL_CODES",
    "HOCKEY_CODES",
    "SIDES",
    "League",
    "Question",
    "Side",
    "codes_for",
    "points_of",
]

FOOTBALL_CODES: tuple[str, ...] = ("H", "D", "A")
HOCKEY_CODES: tuple[str, ...] = ("H", "HO", "HS", "A", "AO", "AS")
#: a margin no played difference can match in a witness (scores are unbounded: any large number will do)
BIG = 1000


class Side:
    """What a result means for one side: its outcome and the range its goals can take."""

    __slots__ = ("gd_hi", "gd_lo", "gf_lo", "outcome")

    def __init__(self, outcome: Outcome, gd_lo: float, gd_hi: float, gf_lo: int) -> None:
        self.outcome = outcome
        self.gd_lo = gd_lo
        self.gd_hi = gd_hi
        self.gf_lo = gf_lo  # goals for are unbounded above whatever the result


_INF = float("inf")
#: code -> (home side, away side)
SIDES: dict[str, tuple[Side, Side]] = {
    "H": (Side(Outcome.WIN, 1, _INF, 1), Side(Outcome.LOSS, -_INF, -1, 0)),
    "D": (Side(Outcome.DRAW, 0, 0, 0), Side(Outcome.DRAW, 0, 0, 0)),
    "A": (Side(Outcome.LOSS, -_INF, -1, 0), Side(Outcome.WIN, 1, _INF, 1)),
    "HO": (Side(Outcome.OT_WIN, 1, 1, 1), Side(Outcome.OT_LOSS, -1, -1, 0)),
    "HS": (Side(Outcome.SO_WIN, 1, 1, 1), Side(Outcome.SO_LOSS, -1, -1, 0)),
    "AO": (Side(Outcome.OT_LOSS, -1, -1, 0), Side(Outcome.OT_WIN, 1, 1, 1)),
    "AS": (Side(Outcome.SO_LOSS, -1, -1, 0), Side(Outcome.SO_WIN, 1, 1, 1)),
}
DECIDED_IN: dict[str, DecidedIn] = {
    "H": DecidedIn.REG,
    "D": DecidedIn.REG,
    "A": DecidedIn.REG,
    "HO": DecidedIn.OT,
    "HS": DecidedIn.SO,
    "AO": DecidedIn.OT,
    "AS": DecidedIn.SO,
}


def codes_for(reg: Regulation) -> tuple[str, ...]:
    """Hockey games always have a winner (overtime, shoot-out); football league matches may be drawn."""
    return HOCKEY_CODES if reg.sport == "ice-hockey" else FOOTBALL_CODES


def points_of(outcome: Outcome, pts: PointsSystem) -> int:
    return pts.of(outcome)


class League:
    """Played results, adjustments and remaining fixtures of one table, indexed for fast questions.

    ``base`` holds each team's tally over the played matches (the standings engine's own tally, so the
    fixed part of every criterion is computed exactly as the table computes it), adjustments included.
    """

    def __init__(
        self,
        played: Sequence[Result],
        remaining: Sequence[tuple[str, str]],
        reg: Regulation,
        teams: Sequence[str],
        adjustments: Sequence[Adjustment] = (),
    ) -> None:
        names = list(dict.fromkeys([*teams, *(t for r in played for t in (r.home, r.away))]))
        names += [t for m in remaining for t in m if t not in names]
        names += [a.team for a in adjustments if a.team not in names]
        for home, away in remaining:
            if home == away:
                raise RulesError(f"remaining match: {home} cannot play itself")
        self.reg = reg
        self.played = list(played)
        self.adjustments = list(adjustments)
        self.teams = names
        self.index = {t: n for n, t in enumerate(names)}
        self.matches = [(self.index[h], self.index[a]) for h, a in remaining]
        self.codes = codes_for(reg)
        tallies = _tally(self.played, reg, names)
        self.base: list[_Tally] = [tallies[t] for t in names]
        for adj in self.adjustments:
            self.base[self.index[adj.team]].points += adj.points
        self.base_points = [t.points for t in self.base]
        self.final_played = [t.played for t in self.base]
        for h, a in self.matches:
            self.final_played[h] += 1
            self.final_played[a] += 1
        #: points of (home, away) for each code
        self.code_points = {
            c: (points_of(SIDES[c][0].outcome, reg.points), points_of(SIDES[c][1].outcome, reg.points))
            for c in self.codes
        }
        self.matches_of: list[list[int]] = [[] for _ in names]
        for n, (h, a) in enumerate(self.matches):
            self.matches_of[h].append(n)
            self.matches_of[a].append(n)

    def own_points(self, team: int, match: int, code: str) -> int:
        h, _ = self.matches[match]
        home_pts, away_pts = self.code_points[code]
        return home_pts if h == team else away_pts

    def extreme_codes(self, team: int, match: int, *, best: bool) -> tuple[str, ...]:
        """The results of ``match`` that give ``team`` the most (``best``) or fewest points.

        Why a team's own matches can be fixed this way when asking its best (worst) position: turning one
        of its results into one worth strictly more points for it never gives an opponent more points, so
        every team above it afterwards was above it before (its points did not grow and ours did).
        """
        h, _ = self.matches[match]
        own = {c: self.code_points[c][0 if h == team else 1] for c in self.codes}
        opp = {c: self.code_points[c][1 if h == team else 0] for c in self.codes}
        target = max(own.values()) if best else min(own.values())
        kept = tuple(c for c in self.codes if own[c] == target)
        sign = 1 if best else -1
        for c in self.codes:
            # a points system where the better result for us is not also the worse one for the opponent
            # (never in the presets) keeps every result open
            if c not in kept and not any(sign * (own[e] - own[c]) > 0 and sign * (opp[c] - opp[e]) >= 0 for e in kept):
                return self.codes
        return kept

    def points(self, config: Sequence[str]) -> list[int]:
        pts = list(self.base_points)
        for (h, a), code in zip(self.matches, config, strict=True):
            hp, ap = self.code_points[code]
            pts[h] += hp
            pts[a] += ap
        return pts

    # -- witnesses ------------------------------------------------------------------------------------------

    def completion(self, config: Sequence[str], scores: Sequence[tuple[int, int]]) -> list[Result]:
        out = []
        for n, ((h, a), code, (hs, as_)) in enumerate(zip(self.matches, config, scores, strict=True)):
            out.append(
                Result(
                    id=f"~clinch-{n:06d}",
                    home=self.teams[h],
                    away=self.teams[a],
                    home_score=hs,
                    away_score=as_,
                    decided_in=DECIDED_IN[code],
                )
            )
        return out

    def positions(self, config: Sequence[str], scores: Sequence[tuple[int, int]], team: int) -> tuple[int, int]:
        """``team``'s (best, worst) position in this completion: a shared rank counts as the better one for
        the best and the worse one for the worst (the order of an unresolved tie is not ours to choose)."""
        rows = compute_standings(
            [*self.played, *self.completion(config, scores)], self.reg, self.adjustments, self.teams
        )
        name = self.teams[team]
        rank = next(r.rank for r in rows if r.team == name)
        last = max(n for n, r in enumerate(rows, start=1) if r.rank == rank)
        return rank, last


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
