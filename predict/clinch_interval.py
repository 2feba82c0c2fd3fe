"""How high and how low one team can be placed once every remaining match's result is fixed but not its score.

With the results fixed, points and every count (wins, regulation wins, head-to-head points ...) are exact;
only goal-based criteria (goal difference, goals, away goals, their head-to-head forms, the opponents'
goals) and fair play (cards in matches not played yet) stay open, each within an interval. This module
walks the standings engine's own procedure (``sports.standings._Ranker.resolve``: the same criteria in the
same order, the head-to-head reference sets, ``h2h_reapply``, ``direct_game_for_two``) with those
intervals, following the block that holds the team:

- a criterion whose values are all exact splits the block exactly as the table does;
- the first criterion with an open value stops the walk: the team can be no higher than below the teams
  whose interval lies wholly above its own, and no lower than above those wholly below.

So the interval returned always contains every position the team can take in this configuration: it is a
relaxation (a bound), never a claim that each position inside is reachable. ``vs_outside`` (IIHF's last
criterion) depends on the whole table and is treated as open.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from predict.clinch_model import SIDES, League
from sports.model import Outcome, Result
from sports.regulations import H2H_CRITERIA
from sports.standings import _tally

__all__ = ["ConfigTable", "Interval"]

Num = int | float | Fraction
Interval = tuple[Num, Num]
_INF = float("inf")
_WINS = (Outcome.WIN, Outcome.OT_WIN, Outcome.SO_WIN)


class _Open:
    """One team's totals under a configuration: exact counts and goal intervals."""

    __slots__ = ("ag", "away_wins", "fp", "gd", "gf", "opponents", "reg_wins", "row", "won")

    def __init__(self) -> None:
        self.won = self.reg_wins = self.row = self.away_wins = 0
        self.gd: list[Num] = [0, 0]
        self.gf: list[Num] = [0, 0]
        self.ag: list[Num] = [0, 0]
        self.fp: list[Num] = [0, 0]
        self.opponents: list[int] = []


def _add_side(t: _Open, code: str, home: bool, *, count_outcome: bool = True) -> None:
    side = SIDES[code][0 if home else 1]
    if count_outcome:
        if side.outcome in _WINS:
            t.won += 1
            if not home:
                t.away_wins += 1
        if side.outcome is Outcome.WIN:
            t.reg_wins += 1
        if side.outcome in (Outcome.WIN, Outcome.OT_WIN):
            t.row += 1
    t.gd[0] += side.gd_lo
    t.gd[1] += side.gd_hi
    t.gf[0] += side.gf_lo
    t.gf[1] = _INF
    if not home:
        t.ag[0] += side.gf_lo
        t.ag[1] = _INF


class ConfigTable:
    """The table of one configuration (a result for every remaining match), scores left open."""

    def __init__(self, league: League, config: Sequence[str]) -> None:
        self.league = league
        self.config = config
        self.points = league.points(config)
        self.open: list[_Open] = []
        for n, base in enumerate(league.base):
            t = _Open()
            t.won, t.reg_wins, t.row, t.away_wins = base.won, base.reg_wins, base.row, base.away_wins
            t.gd = [base.gf - base.ga] * 2
            t.gf = [base.gf] * 2
            t.ag = [base.away_goals] * 2
            t.fp = [base.fair_play] * 2
            if league.matches_of[n]:
                t.fp[0] = -_INF  # cards may still come
            t.opponents = [league.index[o] for o in base.opponents]
            self.open.append(t)
        for (h, a), code in zip(league.matches, config, strict=True):
            _add_side(self.open[h], code, True)
            _add_side(self.open[a], code, False)
            self.open[h].opponents.append(a)
            self.open[a].opponents.append(h)
        self._h2h: dict[frozenset[int], dict[int, tuple[int, _Open]]] = {}

    # -- criterion values ------------------------------------------------------------------------------------

    def _h2h_of(self, ref: frozenset[int]) -> dict[int, tuple[int, _Open]]:
        cached = self._h2h.get(ref)
        if cached is not None:
            return cached
        lg = self.league
        names = {lg.teams[i] for i in ref}
        among: list[Result] = [r for r in lg.played if r.home in names and r.away in names]
        base = _tally(among, lg.reg, names)
        out: dict[int, tuple[int, _Open]] = {}
        for i in ref:
            b = base[lg.teams[i]]
            t = _Open()
            t.gd = [b.gf - b.ga] * 2
            t.gf = [b.gf] * 2
            t.ag = [b.away_goals] * 2
            out[i] = (b.points, t)
        for (h, a), code in zip(lg.matches, self.config, strict=True):
            if h in ref and a in ref:
                hp, ap = lg.code_points[code]
                out[h] = (out[h][0] + hp, out[h][1])
                out[a] = (out[a][0] + ap, out[a][1])
                _add_side(out[h][1], code, True, count_outcome=False)
                _add_side(out[a][1], code, False, count_outcome=False)
        self._h2h[ref] = out
        return out

    def value(self, criterion: str, x: int, ref: frozenset[int] | None) -> Interval | None:
        """The interval of ``x``'s key for ``criterion`` (None: not bounded by this module)."""
        t = self.open[x]
        if criterion in H2H_CRITERIA:
            assert ref is not None
            pts, h = self._h2h_of(ref)[x]
            if criterion == "h2h_points":
                return pts, pts
            src = {"h2h_goal_diff": h.gd, "h2h_goals": h.gf, "h2h_away_goals": h.ag}[criterion]
            return src[0], src[1]
        exact: dict[str, Num] = {
            "points": self.points[x],
            "wins": t.won,
            "regulation_wins": t.reg_wins,
            "row": t.row,
            "away_wins": t.away_wins,
        }
        if criterion in exact:
            return exact[criterion], exact[criterion]
        if criterion == "points_pct":
            played = self.league.final_played[x]
            mx = self.league.reg.max_points_per_match
            v = Fraction(self.points[x], played * mx) if played else Fraction(0)
            return v, v
        if criterion == "opp_points":
            s = sum(self.points[o] for o in t.opponents)
            return s, s
        ranges = {"goal_diff": t.gd, "goals_for": t.gf, "away_goals": t.ag, "fair_play": t.fp}
        if criterion in ranges:
            r = ranges[criterion]
            return r[0], r[1]
        if criterion in ("opp_goal_diff", "opp_goals"):
            attr = "gd" if criterion == "opp_goal_diff" else "gf"
            lo: Num = sum(getattr(self.open[o], attr)[0] for o in t.opponents)
            hi: Num = sum(getattr(self.open[o], attr)[1] for o in t.opponents)
            return lo, hi
        return None  # vs_outside

    # -- the walk ---------------------------------------------------------------------------------------------

    def position_range(self, team: int) -> tuple[int, int]:
        """(lowest possible best position, highest possible worst position) of ``team`` in this
        configuration, over every score consistent with it."""
        pts = self.points
        above = sum(1 for p in pts if p > pts[team])
        block = [x for x, p in enumerate(pts) if p == pts[team]]
        return self._resolve(team, block, start=above + 1, i=0, ref=None, run_start=0)

    def _resolve(
        self, team: int, block: list[int], *, start: int, i: int, ref: frozenset[int] | None, run_start: int
    ) -> tuple[int, int]:
        if len(block) == 1:
            return start, start
        reg = self.league.reg
        criteria = reg.criteria
        pair = frozenset(block)
        if reg.direct_game_for_two and len(block) == 2 and ref != pair:
            h = self._h2h_of(pair)
            a, b = block
            if h[a][0] != h[b][0]:
                first = a if h[a][0] > h[b][0] else b
                return (start, start) if first == team else (start + 1, start + 1)
        while i < len(criteria):
            criterion = criteria[i]
            if criterion in H2H_CRITERIA:
                if ref is None:
                    ref, run_start = frozenset(block), i
            elif ref is not None:
                if reg.h2h_reapply and len(block) < len(ref):
                    return self._resolve(
                        team, block, start=start, i=run_start, ref=frozenset(block), run_start=run_start
                    )
                ref = None
            values = {x: self.value(criterion, x, ref) for x in block}
            known = {x: v for x, v in values.items() if v is not None}
            if len(known) < len(block):
                return start, start + len(block) - 1
            if all(v[0] == v[1] for v in known.values()):
                keys = sorted({v[0] for v in known.values()}, reverse=True)
                if len(keys) > 1:
                    mine = known[team][0]
                    offset = sum(1 for x in block if known[x][0] > mine)
                    group = [x for x in block if known[x][0] == mine]
                    return self._resolve(team, group, start=start + offset, i=i + 1, ref=ref, run_start=run_start)
                i += 1
                continue
            lo_t, hi_t = known[team]
            surely_above = sum(1 for x in block if known[x][0] > hi_t)
            surely_below = sum(1 for x in block if known[x][1] < lo_t)
            return start + surely_above, start + len(block) - 1 - surely_below
        if ref is not None and reg.h2h_reapply and len(block) < len(ref):
            return self._resolve(team, block, start=start, i=run_start, ref=frozenset(block), run_start=run_start)
        return start, start + len(block) - 1
